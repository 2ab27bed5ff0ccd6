"""Test helpers for `legquiz sync`: devices (each its own LEGQUIZ_HOME and clock) sharing one folder."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sessionkit import CFG, ENTER, T0, UTC_DAYS, Answer, Clock, every_kind_deck, items, run_session

from legquiz.core.cards import as_dict
from legquiz.core.queue import Item
from legquiz.core.records import undo_record
from legquiz.core.stats import compute
from legquiz.storage.store import Store, read
from legquiz.sync.run import Outcome, sync

DECK = every_kind_deck()
BY_ID = {qq.id: items(DECK)[i] for i, qq in enumerate(DECK.questions)}


def one(*ids: str) -> list[Item]:
    return [BY_ID[i] for i in ids]


@dataclass
class Device:
    """One device: its home, its name, and a clock of its own (which may be minutes off the others)."""

    home: Path
    name: str
    folder: Path
    clock: Clock = field(default_factory=Clock)
    cfg: Any = None

    def __post_init__(self) -> None:
        from dataclasses import replace

        self.cfg = replace(CFG, device_name=self.name, sync_dir=str(self.folder))

    def study(self, qids: tuple[str, ...], script: list[Answer]) -> None:
        run_session(self.home, one(*qids), script, clock=self.clock, cfg=self.cfg)

    def sync(self, folder: Path | None = None) -> Outcome:
        """Sync as `legquiz sync` does; settings another device changed are taken, as config.json would give them."""
        from dataclasses import replace

        from legquiz.core import settings

        with Store.open(self.home) as store:
            out = sync(store, self.cfg, folder or self.folder, self.clock())
        if out.settings_in:
            saved = settings.load(self.home)
            self.cfg = replace(self.cfg, **{k: getattr(saved, k) for k in out.settings_in})
        return out

    def undo(self) -> None:
        with Store.open(self.home) as store:
            last = store.last_undoable()
            assert last is not None
            store.append(undo_record(last["seq"]))

    def view(self) -> dict[str, Any]:
        """What `stats --json` and the next question are computed from: cards and day counts."""
        st = read(self.home).state
        return {
            "cards": {k: as_dict(v) for k, v in sorted(st.cards.items())},
            "days": {d: c.to_json() for d, c in sorted(st.days.items())},
            "deck_days": {k: {d: c.to_json() for d, c in sorted(r.items())} for k, r in sorted(st.deck_days.items())},
        }

    def stats(self, now: datetime) -> dict[str, Any]:
        """`legquiz stats --json` for the test deck, at ``now``."""
        got = compute(read(self.home).state, [DECK], self.cfg, UTC_DAYS, now).to_json()
        return json.loads(json.dumps(got))


def devices(tmp: Path, *names: str, apart: tuple[float, ...] = ()) -> list[Device]:
    """Devices named ``names`` sharing ``tmp/folder``; ``apart``: each clock's offset in minutes."""
    folder = tmp / "folder"
    folder.mkdir(exist_ok=True)
    out = []
    for i, name in enumerate(names):
        minutes = apart[i] if i < len(apart) else 0.0
        out.append(Device(tmp / f"home-{name}", name, folder, Clock(T0 + timedelta(minutes=minutes))))
    return out


def published(folder: Path) -> list[Path]:
    return sorted((folder / "legquiz" / "devices").glob("*/answers.jsonl"))


def full_replay(d: Device) -> dict[str, object]:
    """What the state must be: every standing answer here, replayed from scratch (no incremental shortcut)."""
    from legquiz.sync import merge
    from legquiz.sync.device import device_id
    from legquiz.sync.run import read_local

    local = read_local(d.home)
    devs: dict[str, list[object]] = {device_id(d.home): list(local.own)}
    devs.update({k: [v[s] for s in sorted(v)] for k, v in local.received.items()})
    rep = merge.replay(merge.standing(devs), d.cfg.scheduler())  # type: ignore[arg-type]
    return {
        "cards": {k: as_dict(v) for k, v in sorted(rep.cards.items())},
        "days": {k: c.to_json() for k, c in sorted(rep.days.items())},
        "deck_days": {k: {x: c.to_json() for x, c in sorted(r.items())} for k, r in sorted(rep.deck_days.items())},
    }


def everyone_syncs(devs: list[Device], rounds: int = 2) -> None:
    for _ in range(rounds):
        for d in devs:
            d.sync()


def study_something(d: Device, rnd: random.Random) -> None:
    """One random answer on ``d``: a multiple choice or a true/false, right or wrong, any rating."""
    rating = rnd.choice([ENTER, "1", "2", "3", "4"])
    if rnd.random() < 0.5:
        d.study(("mc",), [rnd.choice(["Quads", "Neck", "Biceps"]), rating])
    else:
        d.study(("tf",), [rnd.choice(["true", "false"]), rating])


def undo_if_any(d: Device) -> None:
    """`legquiz undo` on ``d`` when there is something to take back (it replays what other devices sent)."""
    from legquiz.sync.run import remerge

    with Store.open(d.home) as store:
        can = store.last_undoable() is not None
    if can:
        d.undo()
        with Store.open(d.home) as again:
            remerge(again, d.cfg, d.clock())

"""`legquiz sync` through two real Syncthing instances on 127.0.0.1 (slow; skipped without `syncthing`).

The other sync tests share one folder between devices; here each device has its own copy and Syncthing
carries the files between them, as it would between a laptop and a phone. The one-writer-per-file rule
(docs/sync.md) means Syncthing never has two versions of a file to reconcile: no conflict copy appears.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from clikit import legquiz
from sessionkit import ENTER, Clock
from synckit import Device, published
from syncthingkit import Pair, needs_syncthing, syncthing_pair, tree

from legquiz.cli import common
from legquiz.core import settings
from legquiz.sync.device import device_id

pytestmark = [pytest.mark.slow, needs_syncthing]


@pytest.fixture
def syncthing(tmp_path: Path) -> Iterator[Pair]:
    with syncthing_pair(tmp_path) as pair:
        yield pair


def cli_sync(dev: Device, *args: str | Path) -> str:
    got = legquiz("--data-dir", dev.home, "sync", *args)
    assert got.code == 0, got.out + got.err
    assert not got.err, got.err
    return " ".join(got.out.split())


def stats_json(dev: Device, now: datetime, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`legquiz stats --json` of ``dev`` at the moment ``now`` (both devices are asked at the same moment)."""
    with monkeypatch.context() as m:
        m.setattr(common, "utcnow", lambda: now)
        got = legquiz("--data-dir", dev.home, "stats", "--json")
    assert got.code == 0, got.out + got.err
    out: dict[str, Any] = json.loads(got.out)
    return out


def test_two_devices_sync_through_real_syncthing(
    syncthing: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    a = Device(tmp_path / "home-a", "a", syncthing.a.folder, Clock(start))
    b = Device(tmp_path / "home-b", "b", syncthing.b.folder, Clock(start + timedelta(minutes=2)))
    for d in (a, b):
        settings.save(d.home, "device_name", d.name)

    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    b.study(("typed", "cloze"), ["hypertrophy", ENTER, "aerobic", ENTER])
    assert cli_sync(a, a.folder) == f"synced with {a.folder}: 0 answers in, 2 out"
    syncthing.settle()
    mine = Path("legquiz", "devices", device_id(a.home), "answers.jsonl")
    assert (b.folder / mine).read_bytes() == (a.folder / mine).read_bytes()  # carried by Syncthing, not by us
    assert cli_sync(b, b.folder) == "synced with a: 2 answers in, 2 out"

    b.study(("flash", "mc"), ["", "3", "Neck", ENTER])
    assert cli_sync(b) == "synced with a: 0 answers in, 2 out"
    syncthing.settle()
    assert cli_sync(a) == "synced with b: 4 answers in, 0 out"
    syncthing.settle()
    assert cli_sync(b) == "synced with a: 0 answers in, 0 out"
    syncthing.settle()

    # the same copy of the folder on both sides, each device's file written by that device only
    assert tree(a.folder) == tree(b.folder)
    assert {p.parent.name for p in published(a.folder)} == {device_id(a.home), device_id(b.home)}
    for folder in (a.folder, b.folder):
        leftovers = [p for p in folder.rglob("*") if ".sync-conflict-" in p.name or p.name.startswith(".syncthing.")]
        assert not leftovers, leftovers
    for path in published(a.folder):
        lines = [json.loads(x) for x in path.read_bytes().splitlines()]
        assert {x["dev"] for x in lines} == {path.parent.name}
        seqs = [x["rec"]["seq"] for x in lines]
        assert len(seqs) == len(set(seqs)) and [x["rec"]["op"] for x in lines] == ["review"] * len(lines)

    # both devices end with the same state; every answer is counted once
    assert a.view() == b.view()
    assert sum(day[0] for day in a.view()["days"].values()) == 6
    assert a.view()["cards"].keys() == {"mix/mc", "mix/tf", "mix/typed", "mix/cloze", "mix/flash"}
    now = start + timedelta(hours=2)
    got_a, got_b = stats_json(a, now, monkeypatch), stats_json(b, now, monkeypatch)
    assert got_a == got_b
    assert got_a["totals"]["reviews_total"] == 6
    assert got_a["totals"]["correct_total"] == 5  # "Neck" was the one wrong answer

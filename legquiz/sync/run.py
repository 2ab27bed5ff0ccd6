"""One sync: publish this device's new records, take in the others', and make the state their replay.

The local review log stays the history of record: what is taken in is appended to it as one ``sync`` record
(the new records of the others, plus the card states and day counts that changed), fsynced like an answer.
A sync stopped at any moment leaves either that whole record or none of it, and the device's own file in
the folder is only ever appended to, so the next sync finishes the job without counting anything twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from legquiz.core.records import ForeignRecord, Record, SyncRecord
from legquiz.core.settings import Config
from legquiz.errors import StoreError
from legquiz.storage import log as logfile
from legquiz.storage.store import Store
from legquiz.sync import decks, gitsync, index, merge, replay, travel
from legquiz.sync import folder as fold
from legquiz.sync import publish as pub
from legquiz.sync.device import device_id, device_name, fork_of, new_id
from legquiz.sync.merge import Local
from legquiz.text import counted, shown_path

TAKE = 5_000  # records read from one device's file per part (a device far behind takes several parts)


def read_local(home: Path) -> Local:
    """Every record of the review log, split into this device's own and those received from the others.

    Streamed; a torn last line is never a record, and damage is skipped (the store, open for a sync, has
    refused a damaged log already; ``doctor`` says where)."""
    path = home / logfile.NAME
    try:
        return merge.split(ln.record for ln in logfile.Scan(path).lines() if ln.record is not None)
    except OSError as e:
        raise StoreError(f"{shown_path(path)}: cannot read ({e.strerror or e})") from None


@dataclass
class Outcome:
    """What one sync did, for the one line `legquiz sync` and `legquiz start` print."""

    folder: Path
    device: str
    name: str
    sent: int = 0  # records published (answers and undos)
    answers_in: int = 0
    undos_in: int = 0
    changed: int = 0  # cards whose state the replay changed
    others: list[str] = field(default_factory=list)  # names of the other devices seen
    settings_in: list[str] = field(default_factory=list)  # settings another device's newer edit changed here
    notes: list[str] = field(default_factory=list)  # decks and articles brought in, replaced or removed
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        names = ", ".join(self.others[:3]) + (f" and {len(self.others) - 3} more" if len(self.others) > 3 else "")
        undos = f" ({self.undos_in} taken back)" if self.undos_in else ""
        got = f"; new {', '.join(self.settings_in)} from another device" if self.settings_in else ""
        return (
            f"synced with {names or shown_path(self.folder)}: {self.answers_in} answers in{undos}, {self.sent} out{got}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder), "device": {"id": self.device, "name": self.name}, "out": self.sent,
            "in": {"answers": self.answers_in, "undos": self.undos_in}, "cards_changed": self.changed,
            "devices": self.others, "settings_in": self.settings_in, "decks": self.notes, "warnings": self.warnings,
        }  # fmt: skip


def sync(store: Store, cfg: Config, folder: Path, now: datetime, republish: bool = False, git: bool = True) -> Outcome:
    """Sync ``store`` (open, writable) with ``folder``. Raises fold.Unavailable when the folder is missing.

    ``republish``: first write this device's file anew from the review log (``legquiz sync --republish``).
    ``git``: when the folder is a git work tree, commit this device's files, pull (rebase) before reading the
    others' and push after (sync/gitsync.py).
    """
    home = store.home
    dev = device_id(home)
    out = Outcome(folder, dev, device_name(cfg))
    if not folder.is_dir():
        raise fold.Unavailable(f"sync folder {shown_path(folder)} is missing (not mounted?); your answers stay here")
    mine = fork_of(home)
    idx = _open_index(home, dev, out.warnings) if mine is None else None
    try:
        return _sync(store, cfg, folder, now, republish, git, out, idx, mine)
    except sqlite3.Error as e:
        out.warnings.append(f"{shown_path(home / index.NAME)}: {e}; nothing more taken in this time (next sync)")
        return out
    finally:
        if idx is not None:
            idx.close()


def _sync(
    store: Store,
    cfg: Config,
    folder: Path,
    now: datetime,
    republish: bool,
    git: bool,
    out: Outcome,
    idx: index.Index | None,
    mine: tuple[str, int] | None,
) -> Outcome:
    home, dev = store.home, out.device
    local = read_local(home) if idx is None else None
    if idx is not None:
        idx.catch_up()

    def own(last: int) -> Iterable[Record]:
        """This device's records from number ``last`` on (all of them without the index), streamed."""
        return local.own if local is not None else idx.own_from(last) if idx is not None else []

    stamped = travel.stamp(home, cfg, dev, now)
    files = decks.local_files(home)
    entries = decks.stamp(home, files, dev, now)
    try:
        if republish:
            pub.republish(folder, dev, own(0), mine)
        out.sent = pub.publish(folder, dev, out.name, own, mine, stamped, entries)
        if idx is not None:
            idx.published()  # for `sync --status` while the folder is away
        decks.publish(pub.own_dir(folder, dev, create=False), files)
    except fold.Unavailable as e:
        out.warnings.append(str(e))
    remote = git and gitsync.work_tree(folder) and gitsync.has_remote(folder)
    if git and gitsync.work_tree(folder):
        try:
            out.warnings.extend(gitsync.commit_own(folder, pub.own_dir(folder, dev, create=False), out.name))
        except fold.Unavailable as e:
            out.warnings.append(str(e))
        if remote:
            out.warnings.extend(gitsync.pull(folder))
    seen = fold.read_others(folder, dev, idx, TAKE)
    out.warnings.extend(seen.warnings)
    out.others = sorted(p.name or p.id[:8] for p in seen.peers.values())
    new = _new_records(seen, local, idx, out)
    more = seen.more
    while more and new:  # a long way behind (a new device): take the records in parts, memory stays flat
        part: SyncRecord = {
            "seq": 0, "op": "sync", "at": now.isoformat(), "got": new, "cards": {}, "days": {}, "deck_days": {}
        }  # fmt: skip
        store.append(part)  # kept as it comes; the state is made the replay of all of it below
        again = fold.read_others(folder, dev, idx, TAKE)
        out.warnings.extend(w for w in again.warnings if w not in out.warnings)
        new, more = _new_records(again, local, idx, out), again.more
    peers = list(seen.peers.values())
    try:
        out.notes = decks.take(
            home, out.name, entries, peers, {p.id: fold.devices_dir(folder) / p.id for p in peers}, now
        )
    except OSError as e:
        out.warnings.append(f"decks from the other devices could not be written: {e.strerror or e}")
    best, out.settings_in = travel.newest(stamped, [p.settings for p in seen.peers.values()])
    if out.settings_in:
        cfg = travel.apply(home, cfg, best, out.settings_in)
    travel.save(home, best)
    forks = {p.id: p.fork for p in seen.peers.values() if p.fork is not None}
    if mine is not None:
        forks[dev] = mine
    if idx is not None and not forks:
        out.changed = _take_in_indexed(store, cfg, idx, new, now, by_sync=True)
    else:
        if local is None:  # a device given a new id after a copy: replay everything the long way (rare)
            local = read_local(home)
            for got in new:
                local.received.setdefault(got["dev"], {})[got["rec"]["seq"]] = got["rec"]
        out.changed = _take_in(store, cfg, dev, local, new, now, forks)
    if remote:
        out.warnings.extend(gitsync.push(folder))
    return out


def _new_records(
    seen: fold.FolderRead, local: Local | None, idx: index.Index | None, out: Outcome
) -> list[ForeignRecord]:
    """The records read from the folder that are not here yet (by identity), taken into the index."""
    new: list[ForeignRecord] = []
    diverging = 0
    for peer in seen.peers.values():
        have = local.received.setdefault(peer.id, {}) if local is not None else {}
        for seq in sorted(peer.records):
            rec = peer.records[seq]
            if idx is not None:
                known = idx.known(peer.id, seq)
                if known is not None:
                    if rec["op"] == "review" or rec["op"] == "import":
                        diverging += known != (rec["card"], rec["at"], rec["rating"])
                    continue
                idx.receive(peer.id, rec)
            elif seq in have:
                continue
            have[seq] = rec
            new.append(fold.as_foreign(peer.id, rec))
            if rec["op"] == "undo":
                out.undos_in += 1
            else:
                out.answers_in += 1
    if diverging:
        out.warnings.append(
            f"{counted(diverging, 'answer')} published again with different contents under a number already taken "
            "in: two legquiz homes share a device id (a copied LEGQUIZ_HOME?); the first of each was kept (docs/sync.md)"
        )
    return new


def _open_index(home: Path, dev: str, warnings: list[str]) -> index.Index | None:
    try:
        return index.Index.open(home, dev)
    except sqlite3.Error as e:
        warnings.append(f"{shown_path(home / index.NAME)}: cannot be used ({e}); this sync reads every answer")
        return None


def _take_in_indexed(
    store: Store, cfg: Config, idx: index.Index, new: list[ForeignRecord], now: datetime, by_sync: bool = False
) -> int:
    """Append one sync record when the replay of what changed (by the index) changes anything; cards changed."""
    mark = fingerprint(cfg)
    rep = replay.replay(idx, cfg.scheduler(), mark)
    fix = merge.scoped_corrections(store.state, rep if rep is not None else merge.Scoped(day_scope=set()))
    if new or fix or (rep is not None and rep.day_scope is None):
        synced: SyncRecord = {
            "seq": 0, "op": "sync", "at": now.isoformat(), "got": new,
            "cards": fix.cards, "days": fix.days, "deck_days": fix.deck_days, "sched": mark,
        }  # fmt: skip
        store.append(synced)
    idx.commit(store.log_end, store.log_lines, now.isoformat() if by_sync else None)
    return len(fix.cards)


def give_new_id(home: Path, folder: Path) -> tuple[str, str, int]:
    """``legquiz sync --new-id`` on a copied home: (old id, new id, the last record number shared with the old id).

    The records up to there are in the old id's file already and stay the old id's; the ones after travel
    under the new id (merge.standing), so nothing is lost and nothing counted twice.
    """
    old = device_id(home)
    if fork_of(home) is not None and not old:
        raise fold.Unavailable("this home has no device id yet")
    peer, _warnings = fold.read_device(folder, old)
    upto = 0
    for rec in read_local(home).own:
        theirs = peer.records.get(rec["seq"])
        if (theirs != rec) if rec["op"] in fold.TRAVELS else (theirs is not None):
            break
        upto = rec["seq"]
    return old, new_id(home, old, upto), upto


def remerge(store: Store, cfg: Config, now: datetime) -> int:
    """Make the state the replay of every answer already here (after an undo on a home that has received some);
    the number of cards changed. Touches no folder."""
    from legquiz.sync.device import FILENAME

    home = store.home
    if not (home / FILENAME).exists():
        return 0  # never synced: nothing received, and the log need not be read
    mine = fork_of(home)
    if mine is None:
        try:
            idx = index.Index.open(home, device_id(home))
        except sqlite3.Error:
            idx = None
        if idx is not None:
            try:
                idx.catch_up()
                if not idx.has_others():
                    idx.commit(store.log_end, store.log_lines)
                    return 0
                return _take_in_indexed(store, cfg, idx, [], now)
            except sqlite3.Error:
                pass  # the long way below
            finally:
                idx.close()
    local = read_local(home)
    if not local.received:
        return 0
    return _take_in(store, cfg, device_id(home), local, [], now, {} if mine is None else {"": mine})


def _take_in(
    store: Store,
    cfg: Config,
    dev: str,
    local: Local,
    new: list[ForeignRecord],
    now: datetime,
    forks: dict[str, tuple[str, int]],
) -> int:
    """Append one sync record: the new foreign records and what the replay of everything changes.

    After the first sync the state already is the replay up to the last sync record, so only the cards that
    this device's later records or the new foreign ones touch are replayed through the scheduler again.
    """
    devices = local.by_device(dev)
    forks = {dev if k == "" else k: v for k, v in forks.items()}
    sched = cfg.scheduler()
    mark = fingerprint(cfg)
    changed = local.last_sync_seq is None or local.last_sched != mark or bool(forks)  # new settings, a fork: all
    only = None if changed else _touched(dev, local, new)
    if only is not None and not only and not new:
        return 0  # nothing happened since the last sync
    rep = merge.replay(merge.standing(devices, forks), sched, only)
    fix = merge.corrections(store.state, rep, only)
    if new or fix or only is None:  # the first time even with nothing to change: the next start from here
        synced: SyncRecord = {
            "seq": 0, "op": "sync", "at": now.isoformat(), "got": new,
            "cards": fix.cards, "days": fix.days, "deck_days": fix.deck_days,
        }  # fmt: skip
        synced["sched"] = mark
        store.append(synced)
    return len(fix.cards)


def fingerprint(cfg: Config) -> str:
    """The scheduler settings a replay used: when they change (``optimize --apply``, ``config set``), the next
    sync replays every answer with the new ones instead of only the cards that changed."""
    import hashlib
    import json

    s = cfg.scheduler()
    shape = [s.desired_retention, s.parameters, s.learning_steps, s.relearning_steps, s.maximum_interval, s.fuzz]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


def _touched(dev: str, local: Local, new: list[ForeignRecord]) -> set[str]:
    """The cards whose answers changed since the last sync: this device's later records and the new ones."""
    assert local.last_sync_seq is not None
    mine = {r["seq"]: r for r in local.own}
    changed = [(dev, r, mine) for r in local.own if r["seq"] > local.last_sync_seq]
    changed += [(g["dev"], g["rec"], local.received.get(g["dev"], {})) for g in new]
    out: set[str] = set()
    for _dev, rec, by_seq in changed:
        target = by_seq.get(rec["target"]) if rec["op"] == "undo" else rec
        if target is None or target["op"] == "undo" or target["op"] == "sync":
            continue
        if target["op"] == "reschedule":
            out.update(target["cards"])
        else:
            out.add(target["card"])
    return out

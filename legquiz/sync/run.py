"""One sync: publish this device's new records, take in the others', and make the state their replay.

The local review log stays the history of record: what is taken in is appended to it as one ``sync`` record
(the new records of the others, plus the card states and day counts that changed), fsynced like an answer.
A sync stopped at any moment leaves either that whole record or none of it, and the device's own file in
the folder is only ever appended to, so the next sync finishes the job without counting anything twice.
"""

from __future__ import annotations

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
from legquiz.sync import decks, gitsync, merge, travel
from legquiz.sync import folder as fold
from legquiz.sync import publish as pub
from legquiz.sync.device import device_id, device_name, fork_of, new_id
from legquiz.text import shown_path


@dataclass
class Local:
    """What this home's log holds: its own records and those received, by device."""

    own: list[Record] = field(default_factory=list)
    received: dict[str, dict[int, Record]] = field(default_factory=dict)
    last_sync: str | None = None
    last_sync_seq: int | None = None  # the state equals the replay of everything up to this record
    last_sched: str = ""  # ... made with these scheduler settings (fingerprint)


def read_local(home: Path) -> Local:
    """Every record of the review log, split into this device's own and those received from the others."""
    path = home / logfile.NAME
    out = Local()
    try:
        for ln in logfile.Scan(path).lines():  # streamed; a torn last line is never yielded as a record
            rec = ln.record
            if rec is None:
                continue  # damage, or a cut-off last line: the store or doctor says where
            if rec["op"] == "sync":
                for g in rec["got"]:
                    out.received.setdefault(g["dev"], {}).setdefault(g["rec"]["seq"], g["rec"])
                out.last_sync, out.last_sync_seq = rec["at"], rec["seq"]
                out.last_sched = str(rec.get("sched", ""))
            else:
                out.own.append(rec)
    except OSError as e:
        raise StoreError(f"{shown_path(path)}: cannot read ({e.strerror or e})") from None
    return out


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
    local = read_local(home)
    mine = fork_of(home)
    stamped = travel.stamp(home, cfg, dev, now)
    files = decks.local_files(home)
    entries = decks.stamp(home, files, dev, now)
    try:
        if republish:
            pub.republish(folder, dev, local.own, mine)
        out.sent = pub.publish(folder, dev, out.name, local.own, mine, stamped, entries)
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
    seen = fold.read_others(folder, dev)
    out.warnings.extend(seen.warnings)
    out.others = sorted(p.name or p.id[:8] for p in seen.peers.values())
    new: list[ForeignRecord] = []
    for peer in seen.peers.values():
        have = local.received.setdefault(peer.id, {})
        for seq in sorted(peer.records):
            if seq not in have:
                rec = peer.records[seq]
                have[seq] = rec
                new.append(fold.as_foreign(peer.id, rec))
                if rec["op"] == "undo":
                    out.undos_in += 1
                else:
                    out.answers_in += 1
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
    out.changed = _take_in(store, cfg, dev, local, new, now, forks)
    if remote:
        out.warnings.extend(gitsync.push(folder))
    return out


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

    if not (store.home / FILENAME).exists():
        return 0  # never synced: nothing received, and the log need not be read
    local = read_local(store.home)
    if not local.received:
        return 0
    mine = fork_of(store.home)
    return _take_in(store, cfg, device_id(store.home), local, [], now, {} if mine is None else {"": mine})


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
    devices: dict[str, Iterable[Record]] = {dev: local.own}
    for other, recs in local.received.items():
        if other != dev:
            devices[other] = [recs[s] for s in sorted(recs)]
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


def status(home: Path, cfg: Config, folder: Path) -> dict[str, Any]:
    """What ``legquiz sync --status`` shows, read without writing anything (here or in the folder)."""
    dev = device_id(home, create=False)  # "" before the first sync: every device folder is another's
    local = read_local(home)
    present = folder.is_dir()
    seen = fold.read_others(folder, dev) if present else fold.FolderRead()
    last = 0
    if present and dev:
        try:
            last, _rec = pub.published_upto(pub.own_dir(folder, dev, create=False) / fold.ANSWERS, dev, False)
        except fold.Unavailable as e:
            seen.warnings.append(str(e))
    waiting_out = sum(1 for r in local.own if r["seq"] > last and r["op"] in fold.TRAVELS)
    waiting_in = sum(1 for p in seen.peers.values() for seq in p.records if seq not in local.received.get(p.id, {}))
    rows = [_device_row(dev, device_name(cfg), local.own, this=True)]
    for other in sorted(set(local.received) | set(seen.peers)):
        if other == dev:
            continue
        peer = seen.peers.get(other, fold.Peer(other))
        recs = {**local.received.get(other, {}), **peer.records}
        rows.append(_device_row(other, peer.name or other[:8], [recs[s] for s in sorted(recs)], this=False))
    return {
        "folder": str(folder),
        "folder_present": present,
        "device": {"id": dev, "name": device_name(cfg)},
        "last_sync": local.last_sync,
        "devices": rows,
        "waiting_out": waiting_out,
        "waiting_in": waiting_in,
        "warnings": seen.warnings,
    }


def _device_row(dev: str, name: str, records: list[Record], this: bool) -> dict[str, Any]:
    answers = merge.standing({dev: records})
    return {
        "id": dev,
        "name": name,
        "this_device": this,
        "answers": len(answers),
        "last_answer": answers[-1][0].isoformat() if answers else None,
    }

"""What ``legquiz sync --status`` shows, read without writing anything (here or in the folder).

With the sync index (sync/index.py) it reads only what came since the last sync: the log's tail and the
files' new lines; without one (never synced by this version, or a copied home), everything.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from legquiz.core.records import Record
from legquiz.core.settings import Config
from legquiz.sync import folder as fold
from legquiz.sync import index, merge
from legquiz.sync import publish as pub
from legquiz.sync.device import device_id, device_name, fork_of
from legquiz.sync.run import read_local


def status(home: Path, cfg: Config, folder: Path) -> dict[str, Any]:
    """The folder, this device, every device seen (answers, the last one's time), what waits to go and come."""
    dev = device_id(home, create=False)  # "" before the first sync: every device folder is another's
    idx = None
    if dev and fork_of(home) is None:
        try:
            idx = index.Index.peek(home, dev)
        except sqlite3.Error:
            idx = None
    if idx is None:
        return _read_all(home, cfg, folder, dev)
    try:
        return _from_index(idx, cfg, folder, dev)
    except sqlite3.Error:
        idx.close()
        return _read_all(home, cfg, folder, dev)
    finally:
        idx.close()


def _published(folder: Path, dev: str, warnings: list[str]) -> int:
    """The number of the last record this device published in the folder (0: none)."""
    try:
        return pub.published_upto(pub.own_dir(folder, dev, create=False) / fold.ANSWERS, dev, False)[0]
    except fold.Unavailable as e:
        warnings.append(str(e))
        return 0


def _from_index(idx: index.Index, cfg: Config, folder: Path, dev: str) -> dict[str, Any]:
    idx.catch_up()  # in the index's transaction, never committed: nothing is written
    present = folder.is_dir()
    seen = fold.read_others(folder, dev, idx) if present else fold.FolderRead()
    last = _published(folder, dev, seen.warnings) if present else int(idx.meta("published") or 0)
    counts = idx.standing_counts()
    waiting_in = 0
    for peer in seen.peers.values():
        n, when = counts.get(peer.id, (0, None))
        for seq, rec in peer.records.items():
            if idx.known(peer.id, seq) is not None:
                continue
            waiting_in += 1
            if rec["op"] == "undo":
                n -= 1
            else:
                n += 1
                at = merge.utc(rec["at"]).isoformat()
                when = at if when is None or at > when else when
        counts[peer.id] = (n, when)
    names = {p.id: p.name for p in seen.peers.values()}
    mine = counts.pop(dev, (0, None))
    rows = [_row(dev, device_name(cfg), *mine, this=True)]
    rows += [_row(other, names.get(other) or other[:8], *counts[other], this=False) for other in sorted(counts)]
    return {
        "folder": str(folder),
        "folder_present": present,
        "device": {"id": dev, "name": device_name(cfg)},
        "last_sync": idx.meta("synced_at"),
        "devices": rows,
        "waiting_out": idx.own_after(last),
        "waiting_in": waiting_in,
        "warnings": seen.warnings,
    }


def _row(dev: str, name: str, answers: int, last: str | None, this: bool) -> dict[str, Any]:
    return {"id": dev, "name": name, "this_device": this, "answers": max(0, answers), "last_answer": last}


def _read_all(home: Path, cfg: Config, folder: Path, dev: str) -> dict[str, Any]:
    """The status from the whole review log and every file in the folder (no index yet, or a copied home)."""
    local = read_local(home)
    present = folder.is_dir()
    seen = fold.read_others(folder, dev) if present else fold.FolderRead()
    last = _published(folder, dev, seen.warnings) if present and dev else 0
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

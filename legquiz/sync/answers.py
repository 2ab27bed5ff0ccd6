"""Every answer that stands in this home, from every device: the history ``optimize`` fits and ``export apkg
--with-progress`` carries.

A synced home's review log holds this device's records and, in its ``sync`` records, those it received from the
others (docs/sync.md). The answers that stand are the ones the merge replays (:func:`merge.standing`): each
device's answers less those it undid or replaced, each once, in time order. They are read from the log alone,
a record at a time, keeping only answers and undos, so a command sees the same history whether or not the
sync folder is mounted; only another device given a new id after a copy (``sync --new-id``) is told by the
folder, from its ``device.json``, as the merge learns it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from legquiz.core.records import Record
from legquiz.storage import log as logfile
from legquiz.sync import folder as fold
from legquiz.sync import merge
from legquiz.sync.device import ID, device_id, fork_of


def standing(home: Path, folder: Path | None = None) -> list[merge.Standing]:
    """Every standing answer of every device in ``home``'s review log, in the merge's replay order.

    ``folder``: the sync folder, read only for the other devices' forks (None, or missing: none known).
    A damaged record is a StoreError naming the file and line, as for any reader of the whole log.
    """
    own: list[Record] = []
    received: dict[str, dict[int, Record]] = {}
    for rec in logfile.stream(home / logfile.NAME):
        if rec["op"] == "sync":
            for got in rec["got"]:  # a record read twice (a conflict copy, a second sync) is one record
                received.setdefault(got["dev"], {}).setdefault(got["rec"]["seq"], got["rec"])
        elif rec["op"] in fold.TRAVELS:  # answers and undos; reschedulings move no answer
            own.append(rec)
    dev = device_id(home, create=False)  # "" if it never synced
    devices: dict[str, list[Record]] = {dev: own}
    for other, recs in received.items():
        if other != dev:
            devices[other] = [recs[seq] for seq in sorted(recs)]
    forks = _forks(folder, [d for d in devices if d != dev]) if folder is not None else {}
    mine = fork_of(home)
    if mine is not None and mine[0] in devices:  # its records up to the fork are the old id's, once taken in
        forks[dev] = mine
    return merge.standing(devices, forks)


def _forks(folder: Path, devices: list[str]) -> dict[str, tuple[str, int]]:
    """The devices among ``devices`` whose ``device.json`` in ``folder`` says they were given a new id after a
    copy: device -> (the old id, the last record number shared with it). What cannot be read says nothing."""
    out: dict[str, tuple[str, int]] = {}
    for dev in devices:
        try:
            fd = fold.open_regular(fold.devices_dir(folder) / dev / fold.INFO)  # never through a link
            try:
                raw = os.read(fd, fold.MAX_INFO)
            finally:
                os.close(fd)
            fork = json.loads(raw).get("forked_from")
            old, upto = fork["id"], fork["upto"]
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            continue
        whole = isinstance(upto, int) and not isinstance(upto, bool) and upto >= 0
        if isinstance(old, str) and ID.fullmatch(old) and whole:
            out[dev] = (old, upto)
    return out

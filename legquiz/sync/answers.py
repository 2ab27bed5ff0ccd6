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

from pathlib import Path

from legquiz.storage import log as logfile
from legquiz.sync import folder as fold
from legquiz.sync import merge
from legquiz.sync.device import device_id, fork_of


def standing(home: Path, folder: Path | None = None) -> list[merge.Standing]:
    """Every standing answer of every device in ``home``'s review log, in the merge's replay order.

    ``folder``: the sync folder, read only for the other devices' forks (None, or missing: none known).
    A damaged record is a StoreError naming the file and line, as for any reader of the whole log.
    """
    dev = device_id(home, create=False)  # "" if it never synced
    devices = merge.split(logfile.stream(home / logfile.NAME)).by_device(dev)  # damage: a StoreError
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
        _name, fork, _settings, _files = fold.read_info(fold.devices_dir(folder) / dev / fold.INFO, [])
        if fork is not None:
            out[dev] = fork
    return out

"""The sync folder on disk: this device publishes its own files, and reads the others' as hostile input.

Layout (docs/sync.md): ``DIR/legquiz/devices/<device id>/answers.jsonl`` (one published record a line,
append-only) and ``device.json`` (its name). Every file has exactly one writing device. Reading never follows
a symbolic link, never opens anything but a regular file, never holds more than one line of a file at a time
beyond what it keeps, and turns whatever it cannot use into one warning per file.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legquiz.core.cards import is_time
from legquiz.core.records import ForeignRecord, Record, foreign_problem
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import atomic_write, fsync_dir
from legquiz.sync.device import ID
from legquiz.text import counted, one_line, shown_path

ROOT = "legquiz"
DEVICES = "devices"
ANSWERS = "answers.jsonl"
INFO = "device.json"
FORMAT = 1  # of a published line ("v") and of device.json
MAX_LINE = 1 << 16  # a published record is well under 1 KiB; a longer line is damage
MAX_FILE = 1 << 30  # read at most this much of one file (a bigger one is damage or an attack)
MAX_INFO = 1 << 16
TAIL_SCAN = 1 << 22  # how far back publishing looks for its last record before republishing everything
TRAVELS = ("review", "import", "undo")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Unavailable(LegquizError):
    """The folder cannot be used now (missing, read-only, full): a one-line warning, studying goes on."""


def devices_dir(folder: Path) -> Path:
    return folder / ROOT / DEVICES


# -- reading the others ---------------------------------------------------------------------------------------


@dataclass
class Peer:
    """Another device as its files show it: its name and its records by number."""

    id: str
    name: str = ""
    records: dict[int, Record] = field(default_factory=dict)
    diverging: int = 0  # numbers under which two different records were published


@dataclass
class FolderRead:
    peers: dict[str, Peer] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_others(folder: Path, own: str) -> FolderRead:
    """Every other device's records in ``folder`` (deduplicated by identity), and what could not be read."""
    out = FolderRead()
    top = devices_dir(folder)
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name) if _real_dir(top.parent) and _real_dir(top) else []
    except OSError as e:
        out.warnings.append(f"{shown_path(top)}: cannot read ({e.strerror or e})")
        return out
    for entry in entries:
        if entry.name == own or entry.name.startswith("."):
            continue
        where = shown_path(entry.path)
        if not ID.fullmatch(entry.name):
            out.warnings.append(f"{where}: not a device folder of legquiz; skipped")
        elif entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            out.warnings.append(f"{where}: not a folder (a symbolic link is never followed); skipped")
        else:
            out.peers[entry.name] = _read_peer(Path(entry.path), entry.name, out.warnings)
    return out


def _real_dir(path: Path) -> bool:
    """Whether ``path`` is a folder itself, not a link to one (a link could lead out of the sync folder)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_peer(path: Path, dev: str, warnings: list[str]) -> Peer:
    peer = Peer(dev)
    conflicts: list[str] = []
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        warnings.append(f"{shown_path(path)}: cannot read ({e.strerror or e})")
        return peer
    for name in names:
        if name == INFO:
            peer.name = _read_name(path / name, warnings)
        elif name.startswith("answers") and name.endswith(".jsonl"):
            if name != ANSWERS:
                conflicts.append(name)  # a Syncthing or Dropbox conflict copy: a stale copy, taken by identity
            _read_answers(path / name, peer, warnings)
    if conflicts:
        warnings.append(
            f"{shown_path(path)}: {counted(len(conflicts), 'conflict copy', 'conflict copies')} of "
            f"{ANSWERS} ({shown_path(conflicts[0])}...); their answers were taken by identity, the copies can be deleted"
        )
    if peer.diverging:
        warnings.append(
            f"{shown_path(path)}: {counted(peer.diverging, 'answer number')} published twice with different answers: "
            "two legquiz homes share this device id (a copied LEGQUIZ_HOME?); the first of each was kept (docs/sync.md)"
        )
    return peer


def _open_regular(path: Path) -> int:
    """A read descriptor of ``path`` if it is a regular file (no link followed, no pipe waited on); OSError if not."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file (a pipe, device or link is never read)")
    return fd


def _read_name(path: Path, warnings: list[str]) -> str:
    try:
        fd = _open_regular(path)
        try:
            raw = os.read(fd, MAX_INFO)
        finally:
            os.close(fd)
        name = json.loads(raw).get("name")
    except (OSError, ValueError, AttributeError) as e:
        why = e.strerror if isinstance(e, OSError) else "damaged"
        warnings.append(f"{shown_path(path)}: {why}; the device is shown by its id")
        return ""
    return one_line(name)[:64] if isinstance(name, str) else ""


def lines(fd: int, limit: int = MAX_FILE) -> Iterator[tuple[int, bytes | None]]:
    """The complete lines of an open file, numbered from 1; None for a line over MAX_LINE. A last line without
    its newline (a copy in progress) is left out. Memory: one chunk and one line."""
    number, carry, skipping, total = 0, b"", False, 0
    while total < limit:
        chunk = os.read(fd, min(1 << 20, limit - total))
        if not chunk:
            return
        total += len(chunk)
        parts = chunk.split(b"\n")
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                if skipping or len(carry) + len(part) > MAX_LINE:
                    carry, skipping = b"", True
                else:
                    carry += part
                break
            number += 1
            if skipping or len(carry) + len(part) > MAX_LINE:
                yield number, None
            else:
                yield number, carry + part
            carry, skipping = b"", False


def check_line(raw: bytes, dev: str) -> tuple[Record | None, str]:
    """A published line as a record of ``dev``, or why not ("newer" for a newer legquiz's line)."""
    try:
        obj: Any = json.loads(raw)
    except (ValueError, RecursionError):
        return None, "not valid JSON"
    if not isinstance(obj, dict) or not isinstance(obj.get("v"), int) or isinstance(obj["v"], bool):
        return None, "no format number"
    if obj["v"] > FORMAT:
        return None, "newer"
    why = foreign_problem(obj) or ("" if obj["dev"] == dev else "published under another device's id")
    rec: Any = obj.get("rec")
    fits = rec["op"] == "undo" or (
        1 <= rec["rating"] <= 4 and is_time(rec["at"]) and len(rec["day"]) == 10 and len(rec["card"]) < 512
    )
    if not why and not fits:
        why = "a rating, time, day or card out of range"
    return (None, why) if why else (rec, "")


def _read_answers(path: Path, peer: Peer, warnings: list[str]) -> None:
    shown = shown_path(path)
    try:
        fd = _open_regular(path)
    except OSError as e:
        warnings.append(f"{shown}: {e.strerror or e}; skipped")
        return
    damaged, newer, first = 0, 0, ""
    try:
        size = os.fstat(fd).st_size
        for number, raw in lines(fd):
            rec, why = (None, "longer than any record") if raw is None else check_line(raw, peer.id)
            if rec is None:
                if why == "newer":
                    newer += 1
                else:
                    damaged += 1
                    first = first or f"line {number}: {why}"
                continue
            have = peer.records.setdefault(rec["seq"], rec)
            if have is not rec and have != rec:
                peer.diverging += 1
    except OSError as e:
        warnings.append(f"{shown}: cannot read ({e.strerror or e}); what was read is used")
    finally:
        os.close(fd)
    if size > MAX_FILE:
        warnings.append(f"{shown}: larger than {MAX_FILE >> 30} GiB; only the start was read")
    if damaged:
        warnings.append(f"{shown}: {counted(damaged, 'damaged line')} skipped ({first})")
    if newer:
        warnings.append(
            f"{shown}: {counted(newer, 'record')} from a newer legquiz skipped; upgrade legquiz to take them"
        )


# -- publishing this device's records -------------------------------------------------------------------------


def own_dir(folder: Path, dev: str, create: bool) -> Path:
    """``DIR/legquiz/devices/<dev>``, each part a real folder (made if ``create``); Unavailable if not."""
    if not folder.is_dir():
        raise Unavailable(f"sync folder {shown_path(folder)} is missing (not mounted?); your answers stay here")
    path = folder
    for part in (ROOT, DEVICES, dev):
        path = path / part
        if create:
            try:
                os.mkdir(path)
                fsync_dir(path.parent)
            except FileExistsError:
                pass
            except OSError as e:
                raise _unwritable(path, e) from None
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return path
        if not stat.S_ISDIR(mode):
            raise Unavailable(
                f"{shown_path(path)}: not a folder (a symbolic link is never followed); nothing published"
            )
    return path


def _unwritable(path: Path, e: OSError) -> Unavailable:
    what = "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else (e.strerror or str(e))
    return Unavailable(f"cannot write to {shown_path(path)}: {what}; your answers stay here and go out next time")


def published_upto(path: Path, dev: str, cut_torn: bool) -> tuple[int, Record | None]:
    """The last record this device published in ``path`` and its number (0, None: none); ``cut_torn`` drops a
    torn tail."""
    try:
        fd = os.open(path, (os.O_RDWR if cut_torn else os.O_RDONLY) | _NOFOLLOW | _NONBLOCK)
    except FileNotFoundError:
        return 0, None
    except OSError as e:
        raise _unwritable(path, e) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unavailable(f"{shown_path(path)}: not a regular file; nothing published")
        size = os.fstat(fd).st_size
        end, last = _tail(fd, size, dev)
        if cut_torn and end < size:  # a write this device did not finish: only it writes here
            os.ftruncate(fd, end)
            os.fsync(fd)
        return (last["seq"], last) if last is not None else (0, None)
    finally:
        os.close(fd)


def _tail(fd: int, size: int, dev: str) -> tuple[int, Record | None]:
    """(where the last complete line ends, the last good record), reading backwards."""
    pos, buf, end = size, b"", -1
    while pos > 0 and size - pos < TAIL_SCAN:
        n = min(1 << 16, pos)
        pos -= n
        buf = os.pread(fd, n, pos) + buf
        if end < 0:
            cut = buf.rfind(b"\n")
            if cut < 0:
                continue
            end = pos + cut + 1
        whole = buf[: end - pos - 1].split(b"\n")
        for raw in reversed(whole if pos == 0 else whole[1:]):
            rec, _why = check_line(raw, dev)
            if rec is not None:
                return end, rec
    return max(end, 0), None  # none found: everything is published again (readers take it by identity)


def publish(folder: Path, dev: str, name: str, records: list[Record]) -> int:
    """Append this device's records after the last one already in the folder; how many were added.

    One write and one fsync; a failure takes the partial write back, and a write cut short by a crash is cut
    at the next publish (a half-written tail is only a shorter copy for the readers).
    """
    path = own_dir(folder, dev, create=True)
    info = (json.dumps({"v": FORMAT, "id": dev, "name": name}, ensure_ascii=False) + "\n").encode()
    try:
        same = (path / INFO).read_bytes() == info if not (path / INFO).is_symlink() else False
    except OSError:
        same = False
    try:
        if not same:
            atomic_write(path / INFO, info)
    except OSError as e:
        raise _unwritable(path / INFO, e) from None
    answers = path / ANSWERS
    last, theirs = published_upto(answers, dev, cut_torn=True)
    mine = records[-1]["seq"] if records else 0
    if last > mine:
        raise Unavailable(
            f"{shown_path(answers)}: holds this device's answers up to number {last}, but its review log ends at "
            f"{mine}: this LEGQUIZ_HOME is older than the one that published them (a restored or copied home); "
            "nothing published (docs/sync.md)"
        )
    ours = next((r for r in reversed(records) if r["seq"] == last), None)
    if theirs is not None and ours != theirs:
        raise Unavailable(
            f"{shown_path(answers)}: answer number {last} there is not this home's: another LEGQUIZ_HOME (a copy of "
            "this one?) publishes under the same device id; nothing published, so neither history is mixed into "
            "the other (docs/sync.md)"
        )
    out = [r for r in records if r["seq"] > last and r["op"] in TRAVELS]
    if not out:
        return 0
    data = "".join(
        json.dumps({"v": FORMAT, "dev": dev, "rec": r}, separators=(",", ":"), ensure_ascii=False) + "\n" for r in out
    ).encode()
    try:
        fd = os.open(answers, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as e:
        raise _unwritable(answers, e) from None
    try:
        size = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as e:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise _unwritable(answers, e) from None
    finally:
        os.close(fd)
    if size == 0:
        fsync_dir(path)
    return len(out)


def republish(folder: Path, dev: str, records: list[Record]) -> int:
    """Write this device's file anew from its review log (the history of record), atomically; records written.

    For a file lost or damaged in the folder: the readers take the records again by identity, so nothing
    is counted twice.
    """
    path = own_dir(folder, dev, create=True) / ANSWERS
    out = [r for r in records if r["op"] in TRAVELS]
    data = "".join(
        json.dumps({"v": FORMAT, "dev": dev, "rec": r}, separators=(",", ":"), ensure_ascii=False) + "\n" for r in out
    ).encode()
    try:
        atomic_write(path, data)
    except OSError as e:
        raise _unwritable(path, e) from None
    return len(out)


def as_foreign(dev: str, rec: Record) -> ForeignRecord:
    assert rec["op"] == "review" or rec["op"] == "import" or rec["op"] == "undo"
    return {"dev": dev, "rec": rec}

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
from typing import Any, Protocol

from legquiz.core.cards import is_time
from legquiz.core.records import ForeignRecord, Record, foreign_problem
from legquiz.errors import LegquizError
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
TRAVELS = ("review", "import", "undo")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


@dataclass
class Cursor:
    """How far a file in the folder was read: the same file (inode) grown past ``pos`` is read from there."""

    ino: int
    pos: int  # where the last complete line read ends
    line: int  # the number of the next line
    tail: bytes  # the CHECK bytes before pos, to find the file unchanged up to there


CHECK = 64


class Cursors(Protocol):
    """Where each file was last read (sync/index.py keeps them with the answers they brought)."""

    def cursor(self, path: str) -> Cursor | None: ...

    def set_cursor(self, path: str, cur: Cursor) -> None: ...


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
    fork: tuple[str, int] | None = None  # given a new id after a copy: (old id, last shared record number)
    settings: dict[str, tuple[Any, str, str]] = field(default_factory=dict)  # sync/travel.py
    files: Any = None  # its decks and articles as device.json lists them, unchecked: sync/decks.py parses them
    more: bool = False  # a file had more lines than one read takes (read_others' ``limit``): read again


@dataclass
class FolderRead:
    peers: dict[str, Peer] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return any(p.more for p in self.peers.values())


def read_others(folder: Path, own: str, book: Cursors | None = None, limit: int = 0) -> FolderRead:
    """Every other device's records in ``folder`` (deduplicated by identity), and what could not be read.

    With ``book``, a file is read only past where it was read last time (the whole of it if it was replaced),
    so only new records are returned, and a warning about a file is given when it changed. ``limit`` (with
    ``book``): read at most that many lines of a file; the rest are read by the next call (``more``).
    """
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
            out.peers[entry.name] = _read_peer(Path(entry.path), entry.name, out.warnings, book, limit)
    return out


def read_device(folder: Path, dev: str) -> tuple[Peer, list[str]]:
    """One device's records as the folder holds them (``sync --new-id`` reads the id a copied home shares)."""
    warnings: list[str] = []
    path = devices_dir(folder) / dev
    peer = _read_peer(path, dev, warnings) if _real_dir(path) else Peer(dev)
    return peer, warnings


def _real_dir(path: Path) -> bool:
    """Whether ``path`` is a folder itself, not a link to one (a link could lead out of the sync folder)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_peer(path: Path, dev: str, warnings: list[str], book: Cursors | None = None, limit: int = 0) -> Peer:
    peer = Peer(dev)
    conflicts: list[str] = []
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        warnings.append(f"{shown_path(path)}: cannot read ({e.strerror or e})")
        return peer
    for name in names:
        if name == INFO:
            peer.name, peer.fork, peer.settings, peer.files = read_info(path / name, warnings)
        elif name.startswith("answers") and name.endswith(".jsonl"):
            read = _read_answers(path / name, peer, warnings, book, limit)
            if name != ANSWERS and read:
                conflicts.append(name)  # a Syncthing or Dropbox conflict copy: a stale copy, taken by identity
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


def open_regular(path: Path) -> int:
    """A read descriptor of ``path`` if it is a regular file (no link followed, no pipe waited on); OSError if not."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file (a pipe, device or link is never read)")
    return fd


def read_info(path: Path, warnings: list[str]) -> tuple[str, tuple[str, int] | None, dict[str, Any], Any]:
    """A device's name, its fork if it was given a new id after a copy (merge.standing), its settings, its files."""
    from legquiz.sync import travel

    try:
        fd = open_regular(path)
        try:
            raw = os.read(fd, MAX_INFO)
        finally:
            os.close(fd)
        info = json.loads(raw)
        name, fork = info.get("name"), info.get("forked_from")
    except (OSError, ValueError, AttributeError) as e:
        why = e.strerror if isinstance(e, OSError) else "damaged"
        warnings.append(f"{shown_path(path)}: {why}; the device is shown by its id")
        return "", None, {}, {}
    shown = one_line(name)[:64] if isinstance(name, str) else ""
    stamped, files = travel.parse(info.get("settings")), info.get("files")  # files: checked by sync/decks.py
    if not (isinstance(fork, dict) and isinstance(fork.get("id"), str) and ID.fullmatch(fork["id"])):
        return shown, None, stamped, files
    upto = fork.get("upto")
    if not isinstance(upto, int) or isinstance(upto, bool) or upto < 0:
        return shown, None, stamped, files
    return shown, (str(fork["id"]), upto), stamped, files


def lines(fd: int, limit: int = MAX_FILE, start: int = 0, first: int = 1) -> Iterator[tuple[int, bytes | None, int]]:
    """The complete lines of an open file from ``start`` (its current position), numbered from ``first``, each
    with where it ends; None for a line over MAX_LINE. A last line without its newline (a copy in progress)
    is left out. Memory: one chunk and one line."""
    number, carry, skipping, total = first - 1, b"", False, start
    while total < limit:
        chunk = os.read(fd, min(1 << 20, limit - total))
        if not chunk:
            return
        at = total
        total += len(chunk)
        parts = chunk.split(b"\n")
        for i, part in enumerate(parts):
            at += len(part) + 1
            if i == len(parts) - 1:
                if skipping or len(carry) + len(part) > MAX_LINE:
                    carry, skipping = b"", True
                else:
                    carry += part
                break
            number += 1
            if skipping or len(carry) + len(part) > MAX_LINE:
                yield number, None, at
            else:
                yield number, carry + part, at
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


def _read_answers(path: Path, peer: Peer, warnings: list[str], book: Cursors | None = None, limit: int = 0) -> bool:
    """Read one answers file into ``peer``; whether anything was read (with ``book``: anything new)."""
    shown = shown_path(path)
    try:
        fd = open_regular(path)
    except OSError as e:
        warnings.append(f"{shown}: {e.strerror or e}; skipped")
        return False
    damaged, newer, first = 0, 0, ""
    start, number, read, size = 0, 1, False, 0
    again: tuple[int, int] | None = None  # where a newer legquiz's first line starts: read again next time
    try:
        st = os.fstat(fd)
        size = st.st_size
        cur = book.cursor(str(path)) if book is not None else None
        same = cur is not None and cur.ino == st.st_ino and cur.pos <= size
        if cur is not None and same and os.pread(fd, len(cur.tail), cur.pos - len(cur.tail)) == cur.tail:
            start, number = cur.pos, cur.line  # the same file, grown (or not): read what is new
        os.lseek(fd, start, os.SEEK_SET)
        end = start
        taken = 0
        for n, raw, at in lines(fd, MAX_FILE, start, number):
            if book is not None and limit and taken >= limit:
                peer.more = True
                break
            taken += 1
            read, before, end, number = True, end, at, n
            rec, why = (None, "longer than any record") if raw is None else check_line(raw, peer.id)
            if rec is None:
                if why == "newer":
                    newer += 1
                    again = again or (before, n)
                else:
                    damaged += 1
                    first = first or f"line {n}: {why}"
                continue
            have = peer.records.setdefault(rec["seq"], rec)
            if have is not rec and have != rec:
                peer.diverging += 1
        if book is not None:
            if read:
                number += 1
            if again is not None:
                end, number = again
            tail = os.pread(fd, min(end, CHECK), max(0, end - CHECK))
            book.set_cursor(str(path), Cursor(st.st_ino, end, number, tail))
    except OSError as e:
        warnings.append(f"{shown}: cannot read ({e.strerror or e}); what was read is used")
    finally:
        os.close(fd)
    if size > MAX_FILE and (read or book is None):
        warnings.append(f"{shown}: larger than {MAX_FILE >> 30} GiB; only the start was read")
    if damaged:
        warnings.append(f"{shown}: {counted(damaged, 'damaged line')} skipped ({first})")
    if newer:
        warnings.append(
            f"{shown}: {counted(newer, 'record')} from a newer legquiz skipped; upgrade legquiz to take them"
        )
    return read or book is None


def as_foreign(dev: str, rec: Record) -> ForeignRecord:
    assert rec["op"] == "review" or rec["op"] == "import" or rec["op"] == "undo"
    return {"dev": dev, "rec": rec}

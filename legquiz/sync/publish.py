"""Publishing this device's records to the sync folder: append-only, one writer, a torn tail cut, never through a link.

The layout and the reading side are in sync/folder.py (docs/sync.md).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from legquiz.core.records import Record
from legquiz.storage.fsutil import atomic_write, atomic_write_chunks, fsync_dir
from legquiz.sync.folder import ANSWERS, DEVICES, FORMAT, INFO, ROOT, TRAVELS, Unavailable, check_line
from legquiz.text import shown_path

TAIL_SCAN = 1 << 22  # how far back publishing looks for its last record before republishing everything
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


def publish(
    folder: Path,
    dev: str,
    name: str,
    own: Callable[[int], Iterable[Record]],
    fork: tuple[str, int] | None = None,
    settings: dict[str, tuple[Any, str, str]] | None = None,
    files: dict[str, tuple[str, str, str, bool]] | None = None,
) -> int:
    """Append this device's records after the last one already in the folder; how many were added.

    ``own(n)``: this device's records from number ``n`` on (more are fine): the one published last, to check
    it is this home's, and the ones after it.

    One write and one fsync; a failure takes the partial write back, and a write cut short by a crash is cut
    at the next publish (a half-written tail is only a shorter copy for the readers).
    """
    path = own_dir(folder, dev, create=True)
    fields: dict[str, Any] = {"v": FORMAT, "id": dev, "name": name}
    if settings:
        fields["settings"] = {k: list(v) for k, v in settings.items()}
    if files:
        fields["files"] = {k: list(v) for k, v in files.items()}
    if fork is not None:
        fields["forked_from"] = {"id": fork[0], "upto": fork[1]}
    info = (json.dumps(fields, ensure_ascii=False) + "\n").encode()
    answers = path / ANSWERS
    last, theirs = published_upto(answers, dev, cut_torn=True)
    records = iter(own(last))
    ours: Record | None = None
    ahead: Record | None = None  # the first record after the one published last
    for r in records:
        if fork is not None and r["seq"] <= fork[1]:
            continue  # the ones before the fork are the old id's
        if r["seq"] == last:
            ours = r
        elif r["seq"] > last:
            ahead = r
            break
    mine = ahead["seq"] if ahead is not None else last if ours is not None else (fork[1] if fork else 0)
    if last > mine:
        raise Unavailable(
            f"{shown_path(answers)}: holds this device's answers up to number {last}, but its review log ends "
            f"before it: this LEGQUIZ_HOME is older than the one that published them (a restored or copied home); "
            "nothing published; on a copy of another home, run 'legquiz sync --new-id' (docs/sync.md)"
        )
    if theirs is not None and ours != theirs:
        raise Unavailable(
            f"{shown_path(answers)}: answer number {last} there is not this home's: another LEGQUIZ_HOME (a copy of "
            "this one?) publishes under the same device id; nothing published; on the copy, run "
            "'legquiz sync --new-id' (keeps every answer, docs/sync.md)"
        )
    try:
        same = (path / INFO).read_bytes() == info if not (path / INFO).is_symlink() else False
    except OSError:
        same = False
    try:
        if not same:
            atomic_write(path / INFO, info)
    except OSError as e:
        raise _unwritable(path / INFO, e) from None
    if ahead is None:
        return 0
    try:
        fd = os.open(answers, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as e:
        raise _unwritable(answers, e) from None
    sent = 0
    try:
        size = os.fstat(fd).st_size
        try:
            for chunk in _lines(dev, itertools.chain([ahead], records)):
                sent += len(chunk)
                view = memoryview(b"".join(chunk))
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
    return sent


def _lines(dev: str, records: Iterable[Record], per: int = 5000) -> Iterator[list[bytes]]:
    """The published lines of the records that travel, ``per`` at a time (memory stays flat)."""
    chunk: list[bytes] = []
    for r in records:
        if r["op"] in TRAVELS:
            line = json.dumps({"v": FORMAT, "dev": dev, "rec": r}, separators=(",", ":"), ensure_ascii=False) + "\n"
            chunk.append(line.encode())
            if len(chunk) >= per:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def republish(folder: Path, dev: str, records: Iterable[Record], fork: tuple[str, int] | None = None) -> int:
    """Write this device's file anew from its review log (the history of record), atomically; records written.

    For a file lost or damaged in the folder: the readers take the records again by identity, so nothing
    is counted twice. Streamed: memory holds one chunk of lines.
    """
    path = own_dir(folder, dev, create=True) / ANSWERS
    upto = fork[1] if fork else 0
    count = [0]

    def chunks() -> Iterator[bytes]:
        for chunk in _lines(dev, (r for r in records if r["seq"] > upto)):
            count[0] += len(chunk)
            yield b"".join(chunk)

    try:
        atomic_write_chunks(path, chunks())
    except OSError as e:
        raise _unwritable(path, e) from None
    return count[0]

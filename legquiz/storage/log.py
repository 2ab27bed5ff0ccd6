"""The one reader of the review log (``reviews.jsonl``), with one rule for a torn or damaged line.

The store reads the tail after its snapshot, ``doctor`` reads it all, and
``optimize`` replays it: all three see the same lines through :func:`read`,
so they can never disagree about what the log holds.

The rule: the bytes after the last newline are a *torn* write (legquiz was
stopped while saving that answer, which was never confirmed); a complete line
that is not JSON is torn as well when it is the last line and nothing follows
it. Any other line that is not JSON, or a record that fails its checks, is
*damage*: the store refuses to guess and ``doctor`` says where it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from legquiz.core.records import Record, loads, parse_record

NAME = "reviews.jsonl"


@dataclass
class LogLine:
    """One complete line of the log: where it is, and its record or why there is none."""

    number: int  # 1-based, counted from the start of the file
    offset: int  # byte offset of the line's first byte
    raw: bytes  # without its newline
    record: Record | None
    problem: str = ""  # why ``record`` is None
    unparsable: bool = False  # not JSON at all (as opposed to a record that fails its checks)


@dataclass
class LogRead:
    lines: list[LogLine]
    size: int  # bytes in the file
    start: int = 0  # byte offset reading began at
    torn: bytes = b""  # a last line without its newline: an unconfirmed answer
    missing: bool = False

    def ends(self) -> set[int]:
        """Offsets where a line starts (a snapshot may only cover whole lines)."""
        return {ln.offset for ln in self.lines} | {self.size - len(self.torn)}

    def torn_at(self) -> int | None:
        """Where the torn part begins (to cut or set aside), or None: the one rule, see the module doc."""
        if self.torn:
            return self.size - len(self.torn)
        last = self.lines[-1] if self.lines else None
        if last is not None and last.unparsable:
            return last.offset
        return None

    def intact(self) -> list[LogLine]:
        """The complete lines before the torn part (a torn last line excluded)."""
        cut = self.torn_at()
        return [ln for ln in self.lines if cut is None or ln.offset < cut]


def line(raw: bytes, number: int, offset: int) -> LogLine:
    """One complete line (without its newline) as a :class:`LogLine`: the one check every reader shares."""
    try:
        obj = loads(raw)
    except ValueError as e:
        return LogLine(number, offset, raw, None, f"not valid JSON ({str(e)[:60]})", True)
    try:
        return LogLine(number, offset, raw, parse_record(obj))
    except ValueError as e:
        return LogLine(number, offset, raw, None, str(e))


CHUNK = 1 << 18  # bytes read at a time when streaming: memory stays flat however long the log is


@dataclass
class Scan:
    """The log read a line at a time (:meth:`lines`), in bounded memory; what it found is set once it is read."""

    path: Path
    start: int = 0
    first_number: int = 1
    size: int = 0
    torn: bytes = b""  # a last line without its newline
    missing: bool = False
    count: int = 0  # complete lines read
    last_unparsable: int | None = None  # offset of the last complete line when it is not JSON

    def lines(self) -> Iterator[LogLine]:
        """Every complete line from ``start`` on, each parsed and checked; OSError if the file cannot be read."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            self.missing = True
            return
        with open(fd, "rb") as f:
            self.size = os.fstat(f.fileno()).st_size
            if self.start > self.size:
                return
            f.seek(self.start)
            offset, number, rest = self.start, self.first_number, b""
            while chunk := f.read(CHUNK):
                parts = (rest + chunk).split(b"\n")
                rest = parts.pop()
                for raw in parts:
                    ln = line(raw, number, offset)
                    self.last_unparsable = ln.offset if ln.unparsable else None
                    self.count += 1
                    yield ln
                    offset += len(raw) + 1
                    number += 1
            self.torn = rest
            self.size = offset + len(rest)  # (a session may have appended while this was read)

    def torn_at(self) -> int | None:
        """Where the torn part begins (the one rule, see the module doc); valid once :meth:`lines` is exhausted."""
        if self.torn:
            return self.size - len(self.torn)
        return self.last_unparsable


def parse(data: bytes, start: int = 0, first_number: int = 1) -> LogRead:
    """The lines of ``data``, which is the log from byte ``start`` (line ``first_number``) on."""
    parts = data.split(b"\n")
    lines: list[LogLine] = []
    offset = start
    for i, raw in enumerate(parts[:-1]):
        lines.append(line(raw, first_number + i, offset))
        offset += len(raw) + 1
    return LogRead(lines, start + len(data), start, torn=parts[-1])


def read(path: Path, start: int = 0, first_number: int = 1) -> LogRead:
    """The log at ``path`` from byte ``start`` on; a missing file reads as empty (``missing`` set).

    Raises OSError when the file cannot be read; the caller says which command failed.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(start)
            data = f.read() if start <= size else b""
    except FileNotFoundError:
        return LogRead([], 0, start, missing=True)
    got = parse(data, start, first_number)
    got.size = size
    return got

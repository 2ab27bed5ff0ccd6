"""The one reader of the review log (``reviews.jsonl``), with one rule for a torn or damaged line.

The store reads the tail after its snapshot, ``doctor`` reads it all, and
``optimize`` replays it: all three see the same lines through :class:`Scan`
(a chunk at a time, so a million answers take no more memory than ten), and
each line through :func:`line`, so they can never disagree about what the log holds.

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
from legquiz.errors import StoreError

NAME = "reviews.jsonl"


@dataclass(slots=True)
class LogLine:
    """One complete line of the log: where it is, and its record or why there is none."""

    number: int  # 1-based, counted from the start of the file
    offset: int  # byte offset of the line's first byte
    raw: bytes  # without its newline
    record: Record | None
    problem: str = ""  # why ``record`` is None
    unparsable: bool = False  # not JSON at all (as opposed to a record that fails its checks)


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


def records(path: Path) -> list[Record]:
    """Every record of the log, oldest first, its torn last line left out; StoreError at a damaged one."""
    return list(stream(path))


def stream(path: Path) -> Iterator[Record]:
    """:func:`records` one at a time: a reader that keeps only what it needs holds one record, not the log."""
    held = None  # a line that is not JSON: torn if it is the last
    try:
        for ln in Scan(path).lines():  # streamed: the log's bytes are never held whole
            if held is not None or (ln.record is None and not ln.unparsable):
                bad = held or ln
                raise StoreError(f"{path}:{bad.number}: damaged record ({bad.problem}); run 'legquiz doctor'")
            if ln.record is None:
                held = ln
            else:
                yield ln.record
    except OSError as e:
        raise StoreError(f"{path}: cannot read ({e.strerror})") from None

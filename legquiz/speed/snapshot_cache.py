"""A faster second copy of the snapshot ``store.json``, for reading it back.

Every command that shows progress starts by reading ``store.json``; with
10,000 questions, parsing its JSON is about 5 ms of a start that has to stay
close to a bare prompt (docs/performance.md). ``marshal`` reads the same
values back in about half that. So beside the JSON, legquiz keeps the parsed
snapshot as ``marshal`` in the cache directory, and uses it only for the very
bytes it was made from: the cache names the length and two checksums
(CRC-32 and Adler-32) of the ``store.json`` it stands for, and its own CRC-32.
Any difference (the snapshot was rewritten, by this legquiz, a repair or a
hand edit; the cache is damaged, from another Python, or missing) and the
JSON is parsed as always; the cache is then rewritten. The JSON stays the
store of record: the cache is never read without it. It is written only
from a snapshot that passed ``StoreState.from_json``'s checks, or from the
state legquiz itself made of checked records, so only the structure of what
it gives back is checked, not every card, day and undo entry again (that
was ~10 ms of a ``stats`` with 10,000 cards). A cache written by a legquiz
whose checks were weaker has another :data:`FORMAT` and is not used.
Writing it is best effort, like the parsed-deck cache (``speed/deck_cache.py``).
"""

from __future__ import annotations

import json
import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

MAGIC = "legquiz-snapshot-cache"
FORMAT = 2  # 2: trusted as checked when written (issue 15 made the checks stricter: a format-1 cache may predate them)
_MARSHAL_VERSION = 4


def entry(home: Path) -> Path:
    """The cache file for the store in ``home``."""
    from legquiz.speed.deck_cache import cache_dir

    full = os.path.abspath(home)
    return cache_dir(home) / f"snapshot-{zlib.crc32(full.encode()):08x}.marshal"


def _stands_for(size: int, crc: int, adler: int) -> list[Any]:
    return [size, crc, adler, sys.implementation.cache_tag, marshal.version]


def fingerprint(path: Path) -> list[Any] | None:
    """What identifies the bytes of ``path`` (None if it cannot be read).

    Read through a small buffer: a fresh 1 MB buffer costs more in page
    faults than the checksums themselves.
    """
    buf = bytearray(1 << 16)
    view = memoryview(buf)
    size = crc = 0
    adler = 1
    try:
        with open(path, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                crc, adler, size = zlib.crc32(view[:n], crc), zlib.adler32(view[:n], adler), size + n
    except OSError:
        return None
    return _stands_for(size, crc, adler)


def load(home: Path, snapshot: Path) -> Any:
    """``json.loads`` of the bytes of ``snapshot`` as cached for exactly those bytes, or None."""
    from legquiz.speed.deck_cache import mapped, unframe

    try:
        with mapped(entry(home)) as data:
            return unframe(data, {MAGIC: FORMAT, "json": fingerprint(snapshot)})
    except (OSError, ValueError, TypeError, EOFError):
        return None


def save(home: Path, raw: bytes, parsed: Any) -> None:
    """Cache ``parsed`` (what ``json.loads(raw)`` gives) for ``raw``; best effort, atomic (temp file + rename)."""
    try:
        path = entry(home)
        payload = marshal.dumps(parsed, _MARSHAL_VERSION)
    except (OSError, ValueError):
        return
    stands_for = _stands_for(len(raw), zlib.crc32(raw), zlib.adler32(raw))
    header = json.dumps({MAGIC: FORMAT, "json": stands_for, "bytes": len(payload), "crc": zlib.crc32(payload)})
    _write(path, header.encode() + b"\n" + payload)


# -- the state after replaying a long log tail -------------------------------------------------------------
# A read-only command (stats, deck list) that finds the snapshot far behind the log (store.json missing or
# old, a repair that kept the log) must replay the tail, and may not rewrite store.json: that is the
# writer's, under the lock. It keeps what it replayed here instead, for exactly that snapshot and exactly
# those log bytes (their length and CRC-32, checked on every use), so the next command starts from it.
REPLAY_MAGIC = "legquiz-replay-cache"


def replay_entry(home: Path) -> Path:
    return entry(home).with_name(entry(home).name.replace("snapshot-", "replay-"))


def _log_crc(log: Path, start: int, end: int) -> int | None:
    """CRC-32 of bytes ``start`` to ``end`` of the log (None if it is shorter or unreadable)."""
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    crc, left = 0, end - start
    try:
        with open(log, "rb", buffering=0) as f:
            f.seek(start)
            while left > 0 and (n := f.readinto(view[: min(len(buf), left)])):
                crc, left = zlib.crc32(view[:n], crc), left - n
    except OSError:
        return None
    return None if left else crc


def load_replayed(home: Path, snapshot: Path, log: Path, start: int) -> tuple[Any, int, int] | None:
    """(state as ``StoreState.to_json`` gives it, log bytes and lines it covers) cached for this snapshot and log."""
    from legquiz.speed.deck_cache import mapped, unframe

    try:
        with mapped(replay_entry(home)) as data:
            header = json.loads(data[: data.find(b"\n")])
            expect = {REPLAY_MAGIC: FORMAT, "json": fingerprint(snapshot), "from": start}
            if type(header) is not dict or any(header.get(k) != v for k, v in expect.items()):
                return None
            end, lines = header["to"], header["lines"]
            if type(end) is not int or type(lines) is not int or end < start:
                return None
            expect |= {"to": end, "lines": lines, "log": _log_crc(log, start, end)}
            doc = unframe(data, expect)
    except (OSError, ValueError, TypeError, KeyError, EOFError):
        return None
    return None if doc is None else (doc, end, lines)


def save_replayed(home: Path, snapshot: Path, log: Path, start: int, end: int, lines: int, doc: Any) -> None:
    """Keep ``doc``, the state after the log's bytes ``start`` to ``end``; best effort, atomic (temp file + rename)."""
    crc = _log_crc(log, start, end)
    if crc is None:
        return
    try:
        path = replay_entry(home)
        payload = marshal.dumps(doc, _MARSHAL_VERSION)
    except (OSError, ValueError):
        return
    header = {REPLAY_MAGIC: FORMAT, "json": fingerprint(snapshot), "from": start, "to": end, "lines": lines}
    header |= {"log": crc, "bytes": len(payload), "crc": zlib.crc32(payload)}
    _write(path, json.dumps(header).encode() + b"\n" + payload)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass

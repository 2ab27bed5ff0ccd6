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
store of record: the cache is never read without it, and what it gives goes
through the same checks (``StoreState.from_json``). Writing it is best
effort, like the parsed-deck cache (``speed/deck_cache.py``).
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
FORMAT = 1
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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(header.encode() + b"\n" + payload)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass

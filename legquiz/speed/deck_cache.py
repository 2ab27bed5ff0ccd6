"""A cache of parsed decks, so a big deck is not re-parsed by YAML on every start.

Parsing and validating a 10,000-question deck takes seconds even with libyaml;
reading it back from the cache takes about a millisecond, because only the
question ids are read at once: the questions themselves are unpacked a block
at a time when they are used (:class:`~legquiz.model.LazyQuestions`), so a
session or ``stats`` builds only the questions it shows. One cache file per
deck file, in the user cache directory (``LEGQUIZ_HOME/cache`` when the home
is overridden, so tests and ``--data-dir`` users stay self-contained).

A cache entry is used only when everything that could change the result is
unchanged: the deck file's path, size, mtime_ns, inode and device; legquiz's
version and the size and mtime of the modules that parse and validate decks;
the shape of :class:`~legquiz.model.Question` and :class:`~legquiz.model.Deck`.
The cache is never trusted: a file that is truncated, damaged (CRC-32 over
the payload, checked before anything is unmarshalled), of another format or
Python version, or holding a value of the wrong type is ignored and rewritten
from the YAML. The deck's own fields and the ids are checked on opening; a
block of questions when it is unpacked, and if that fails the deck's YAML is
parsed after all (``marshal`` builds only plain values, never runs code, and
every value is type-checked before use; it sits in the user's own cache
directory, so anyone able to forge it could as well edit the decks). Only
valid decks are cached, so every error a deck has is still reported from the
YAML with its line number. Writing the cache is best effort: if it cannot be
written, legquiz still works.
"""

from __future__ import annotations

import functools
import json
import marshal
import mmap
import os
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from itertools import chain, starmap
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from legquiz import __version__
from legquiz.core.model import Deck, LazyQuestions, QType, Question

FORMAT = 4  # 2: questions in compressed blocks, unpacked when used; 3: Question.sources; 4: Question.hints
BLOCK = 32  # questions per block: a session unpacks one block per question it shows (~0.1 ms)
MAGIC = "legquiz-deck-cache"
RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same mtime tick
_PARSER_MODULES = (
    "deckfile/validate.py",
    "deckfile/nodes.py",
    "deckfile/read.py",
    "deckfile/guard.py",
    "deckfile/limits.py",
    "core/model.py",
)
_MARSHAL_VERSION = 4  # Python 3.4+; the key also holds the Python version, whose marshal may differ
_DECK_SKIP = ("questions", "path", "origin", "extra")  # given at load time, or handled apart

# The type of a field (resolved from core/model.py's annotations, see _kind: not as the annotation is spelled)
# -> a check of a whole column of decoded values (type sets through map(): C speed, no Python call per value).
_QTYPES = {t.value: t for t in QType}
_NONE = type(None)


def _types(column: Sequence[Any]) -> set[type]:
    return set(map(type, column))


def _pairs_of_text(column: Sequence[Any]) -> bool:
    """A column of tuples of (str, str) pairs: Question.sources."""
    pairs = list(chain.from_iterable(column))
    return (
        _types(column) <= {tuple}
        and _types(pairs) <= {tuple}
        and set(map(len, pairs)) <= {2}
        and _types(list(chain.from_iterable(pairs))) <= {str}
    )


_CHECKS: dict[str, Callable[[Sequence[Any]], bool]] = {
    "str": lambda c: _types(c) <= {str},
    "int": lambda c: _types(c) <= {int},
    "bool": lambda c: _types(c) <= {bool},
    "None | str": lambda c: _types(c) <= {str, _NONE},
    "bool | str": lambda c: _types(c) <= {str, bool},
    "tuple[str, ...]": lambda c: _types(c) <= {tuple} and _types(list(chain.from_iterable(c))) <= {str},
    "QType": lambda c: _types(c) <= {str} and set(c) <= _QTYPES.keys(),
    "tuple[tuple[str, str], ...]": _pairs_of_text,
}


def cache_dir(home: Path) -> Path:
    """``home/cache`` when the home was chosen (--data-dir, LEGQUIZ_HOME), else the platform's cache dir."""
    from legquiz.storage.paths import ENV_HOME

    env = os.environ.get(ENV_HOME)
    if env and Path(env).expanduser() == home:
        return home / "cache"
    import platformdirs

    if home != Path(platformdirs.user_data_dir("legquiz", appauthor=False)):
        return home / "cache"
    return Path(platformdirs.user_cache_dir("legquiz", appauthor=False))


def _kind(t: Any) -> str:
    """A resolved type as one canonical text: ``Optional[str]``, ``Union[str, None]`` and ``str | None`` agree."""
    origin, args = get_origin(t), get_args(t)
    if origin in (Union, UnionType):
        return " | ".join(sorted(_kind(a) for a in args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"tuple[{_kind(args[0])}, ...]"
    if origin is tuple:  # a fixed-size tuple, e.g. the (article, text) pairs of Question.sources
        return f"tuple[{', '.join(_kind(a) for a in args)}]"
    if t is _NONE:
        return "None"
    return getattr(t, "__name__", repr(t))


@functools.cache
def _schema_of(cls: type) -> tuple[tuple[str, str], ...]:
    hints = get_type_hints(cls)
    return tuple((f.name, _kind(hints[f.name])) for f in fields(cls))


def _schema(cls: type) -> list[list[str]]:
    return [[n, k] for n, k in _schema_of(cls)]


def _cacheable() -> bool:
    """Whether every field the cache stores has a type it knows how to check."""
    return all(t in _CHECKS for n, t in _schema(Question)) and all(
        t in _CHECKS for n, t in _schema(Deck) if n not in _DECK_SKIP
    )


def _key(path: Path, st: os.stat_result) -> list[Any]:
    here = Path(__file__).parent.parent  # legquiz/
    parser = []
    for name in _PARSER_MODULES:
        try:
            s = os.stat(here / name)
            parser.append([name, s.st_size, s.st_mtime_ns])
        except OSError:
            parser.append([name, None, None])
    return [
        os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev,
        __version__, parser, _schema(Question), _schema(Deck), sys.implementation.cache_tag, marshal.version,
    ]  # fmt: skip


def entry_path(cache: Path, path: Path) -> Path:
    """The cache file for one deck file (its name, plus a hash of its full path).

    The path is hashed as the bytes it has on disk (a name need not be UTF-8), and only letters, digits,
    ``-``, ``_`` and ``.`` of the name are kept: a cache file's name never holds a control character.
    """
    full = os.path.abspath(path)
    stem = re.sub(r"[^\w.-]", "_", Path(full).stem[:40], flags=re.ASCII)
    return cache / "decks" / f"{stem}-{zlib.crc32(os.fsencode(full)):08x}.json"


def load(path: Path, origin: str, cache: Path | None) -> Deck:
    """``deck.load(path, origin=origin)``, through the cache in ``cache`` (None: no cache)."""
    if cache is None or not _cacheable():
        return _parse(path, origin)
    try:
        st = path.stat()
    except OSError:
        return _parse(path, origin)  # says why, as a DeckError
    key = _key(path, st)
    entry = entry_path(cache, path)
    found = read(entry, key, path, origin, cache)
    if found is not None:
        return found
    d = _parse(path, origin)
    if time.time_ns() - st.st_mtime_ns >= RACY_NS:
        write(entry, key, d)
    return d


def _parse(path: Path, origin: str) -> Deck:
    from legquiz.deckfile import validate as deckmod  # the YAML parser and validator: only on a miss

    return deckmod.load(path, origin=origin)


def encode(key: list[Any], d: Deck) -> bytes:
    """The cache file's bytes: a JSON header line (key, CRC-32 of the payload), then the payload.

    The payload is ``marshal`` (the fastest way CPython has to read back plain
    tuples and strings) of the deck's own fields, every question id, and the
    questions in blocks of :data:`BLOCK`: each block is its questions by
    column (all ids, then all types, ...), marshalled and compressed with
    zlib. Loading reads the ids only; a block is unpacked when one of its
    questions is first used (:class:`~legquiz.model.LazyQuestions`), so the
    text of 10,000 questions is neither decoded nor held until it is shown.
    Within a block, equal strings are stored once and come back as one object.
    """
    memo: dict[str, str] = {}

    def plain(v: Any) -> Any:
        if isinstance(v, QType):
            return v.value
        if isinstance(v, tuple):
            return tuple(memo.setdefault(x, x) for x in v)
        return memo.setdefault(v, v) if isinstance(v, str) else v

    qs = tuple(d.questions)
    blocks = []
    for start in range(0, len(qs), BLOCK):
        memo.clear()
        part = qs[start : start + BLOCK]
        columns = tuple(tuple(plain(getattr(q, f.name)) for q in part) for f in fields(Question))
        blocks.append(zlib.compress(marshal.dumps(columns, _MARSHAL_VERSION), 6))
    meta = {f.name: getattr(d, f.name) for f in fields(Deck) if f.name not in _DECK_SKIP}
    ids = tuple(q.id for q in qs)
    payload = marshal.dumps((meta, ids, BLOCK, tuple(blocks)), _MARSHAL_VERSION)
    header = json.dumps({MAGIC: FORMAT, "key": key, "crc": zlib.crc32(payload), "bytes": len(payload)})
    return header.encode() + b"\n" + payload


def write(entry: Path, key: list[Any], d: Deck) -> None:
    """Best effort, atomic (temp file + rename; no fsync: a lost cache is only rebuilt)."""
    if d.extra:
        return  # not produced by the YAML loader today; not worth a format of its own
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(encode(key, d))
        os.replace(tmp, entry)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def read(entry: Path, key: list[Any], path: Path, origin: str, cache: Path) -> Deck | None:
    """The cached deck, or None if there is none or its header and index cannot be fully trusted."""
    try:
        with mapped(entry) as data:
            return decode(data, key, path, origin, cache)
    except OSError:
        return None
    except _BROKEN:
        return None


@contextmanager
def mapped(path: Path) -> Iterator[bytes | mmap.mmap]:
    """The bytes of a cache file, mapped rather than read: no copy, and none of the page faults of a new buffer.

    (A fresh process pays about 3 us per 4 KB page of new memory here, so
    reading a 1 MB file costs more than parsing it.) Mapping is safe because
    legquiz never changes a cache file in place: it writes a new one and
    renames it over the old, and a mapping keeps the file it was made from.
    Views of the mapping must be released before the ``with`` ends.
    """
    with open(path, "rb") as f:
        try:
            m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an empty file cannot be mapped
            m = None
            data = f.read()
    if m is None:
        yield data
        return
    with m:
        yield m


_BROKEN = (ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, RecursionError, zlib.error)


def unframe(data: bytes | mmap.mmap, expect: dict[str, Any]) -> Any:
    """The marshalled payload after a JSON header line, or None unless the header has every value in
    ``expect`` and the payload's exact size and CRC (checked before anything is unmarshalled).

    Shared by the deck cache and the snapshot cache (speed/snapshot_cache.py), which frame their files alike.
    """
    nl = data.find(b"\n")
    if nl < 0:
        return None
    header = json.loads(data[:nl])
    with memoryview(data) as whole, whole[nl + 1 :] as payload:
        if (
            type(header) is not dict
            or any(header.get(k) != v for k, v in expect.items())
            or header.get("bytes") != len(payload)
            or header.get("crc") != zlib.crc32(payload)
        ):
            return None
        return marshal.loads(payload)


def decode(data: bytes | mmap.mmap, key: list[Any], path: Path, origin: str, cache: Path | None = None) -> Deck | None:
    """The deck from cache bytes, its questions still packed; None (or an exception) for anything unexpected."""
    body = unframe(data, {MAGIC: FORMAT, "key": key})
    if type(body) is not tuple or len(body) != 4:
        return None
    meta, ids, size, blocks = body
    if (
        type(meta) is not dict
        or type(ids) is not tuple
        or not _CHECKS["str"](ids)
        or type(size) is not int
        or size < 1
        or type(blocks) is not tuple
        or len(blocks) != -(-len(ids) // size)
        or not _types(blocks) <= {bytes}
    ):
        return None
    values: dict[str, Any] = {}
    for name, ann in _schema(Deck):
        if name in _DECK_SKIP:
            continue
        if name not in meta or not _CHECKS[ann]([meta[name]]):
            return None
        values[name] = meta[name]
    unpack = _Blocks(path, origin, cache, ids, size, blocks)
    return Deck(questions=LazyQuestions(ids, size, unpack), path=str(path), origin=origin, **values)


class _Blocks:
    """Unpacks one block of a cached deck's questions, checking every value before use.

    The file's CRC already matched, so a block fails its checks only if the
    cache was written wrongly (a bug, or a forged file): the deck is then
    read from its YAML instead, and the cache entry rewritten.
    """

    def __init__(
        self, path: Path, origin: str, cache: Path | None, ids: tuple[str, ...], size: int, blocks: tuple[bytes, ...]
    ) -> None:
        self.path, self.origin, self.cache = path, origin, cache
        self.ids, self.size, self.blocks = ids, size, blocks
        self.parsed: tuple[Question, ...] | None = None

    def __call__(self, block: int) -> tuple[Question, ...]:
        if self.parsed is None:
            try:
                found = self._unpack(block)
            except _BROKEN:
                found = None
            if found is not None:
                return found
            self.parsed = self._reparse()
        return self.parsed[block * self.size : (block + 1) * self.size]

    def _unpack(self, block: int) -> tuple[Question, ...] | None:
        columns = marshal.loads(zlib.decompress(self.blocks[block]))
        qfields = _schema(Question)
        ids = self.ids[block * self.size : (block + 1) * self.size]
        if (
            type(columns) is not tuple
            or len(columns) != len(qfields)
            or not all(type(c) is tuple and len(c) == len(ids) for c in columns)
        ):
            return None
        columns = list(columns)
        for i, (name, ann) in enumerate(qfields):
            if not _CHECKS[ann](columns[i]) or (name == "id" and columns[i] != ids):
                return None
            if ann == "QType":
                columns[i] = tuple(map(_QTYPES.__getitem__, columns[i]))
        # Built by their own __init__: filling __dict__ directly is faster but gives every question a full dict.
        return tuple(starmap(Question, zip(*columns, strict=True)))

    def _reparse(self) -> tuple[Question, ...]:
        d = _parse(self.path, self.origin)
        if self.cache is not None:
            try:
                st = self.path.stat()
            except OSError:
                pass
            else:
                if time.time_ns() - st.st_mtime_ns >= RACY_NS:
                    write(entry_path(self.cache, self.path), _key(self.path, st), d)
        if tuple(q.id for q in d.questions) != self.ids:  # the ids handed out already were wrong
            from legquiz.errors import LegquizError

            raise LegquizError(
                f"{self.path}: its parsed-deck cache was wrong and has been rebuilt; run the command again"
            )
        return tuple(d.questions)

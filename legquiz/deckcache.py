"""A cache of parsed decks, so a big deck is not re-parsed by YAML on every start.

Parsing and validating a 10,000-question deck takes seconds even with libyaml;
reading it back from the cache takes about 12 ms. One cache file per deck
file, in the user cache directory (``LEGQUIZ_HOME/cache`` when the home is
overridden, so tests and ``--data-dir`` users stay self-contained).

A cache entry is used only when everything that could change the result is
unchanged: the deck file's path, size, mtime_ns, inode and device; legquiz's
version and the size and mtime of the modules that parse and validate decks;
the shape of :class:`~legquiz.model.Question` and :class:`~legquiz.model.Deck`.
The cache is never trusted: a file that is truncated, damaged (CRC-32 over
the payload, checked before anything is unmarshalled), of another format or
Python version, or holding a value of the wrong type is ignored and rewritten
from the YAML. (``marshal`` builds only plain values, never runs code, and
every value is type-checked before use; it sits in the user's own cache
directory, so anyone able to forge it could as well edit the decks.) Only valid decks are cached, so every
error a deck has is still reported from the YAML with its line number.
Writing the cache is best effort: if it cannot be written, legquiz still works.
"""

from __future__ import annotations

import json
import marshal
import os
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import fields
from itertools import chain, starmap
from pathlib import Path
from typing import Any

from legquiz import __version__
from legquiz.gcpause import paused
from legquiz.model import Deck, QType, Question

FORMAT = 1
MAGIC = "legquiz-deck-cache"
RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same mtime tick
_PARSER_MODULES = ("deck.py", "deckfile.py", "yamlguard.py", "model.py")
_MARSHAL_VERSION = 4  # Python 3.4+; the key also holds the Python version, whose marshal may differ
_DECK_SKIP = ("questions", "path", "origin", "extra")  # given at load time, or handled apart

# The annotation of a field (as written in model.py) -> a check of a whole column of decoded values
# (type sets through map(): C speed, no Python call per value).
_QTYPES = {t.value: t for t in QType}
_NONE = type(None)


def _types(column: Sequence[Any]) -> set[type]:
    return set(map(type, column))


_CHECKS: dict[str, Callable[[Sequence[Any]], bool]] = {
    "str": lambda c: _types(c) <= {str},
    "int": lambda c: _types(c) <= {int},
    "bool": lambda c: _types(c) <= {bool},
    "str | None": lambda c: _types(c) <= {str, _NONE},
    "str | bool": lambda c: _types(c) <= {str, bool},
    "tuple[str, ...]": lambda c: _types(c) <= {tuple} and _types(list(chain.from_iterable(c))) <= {str},
    "QType": lambda c: _types(c) <= {str} and set(c) <= _QTYPES.keys(),
}


def cache_dir(home: Path) -> Path:
    """``home/cache`` when the home was chosen (--data-dir, LEGQUIZ_HOME), else the platform's cache dir."""
    from legquiz.paths import ENV_HOME

    env = os.environ.get(ENV_HOME)
    if env and Path(env).expanduser() == home:
        return home / "cache"
    import platformdirs

    if home != Path(platformdirs.user_data_dir("legquiz", appauthor=False)):
        return home / "cache"
    return Path(platformdirs.user_cache_dir("legquiz", appauthor=False))


def _schema(cls: type) -> list[list[str]]:
    return [[f.name, str(f.type)] for f in fields(cls)]


def _cacheable() -> bool:
    """Whether every field the cache stores has a type it knows how to check."""
    return all(t in _CHECKS for n, t in _schema(Question)) and all(
        t in _CHECKS for n, t in _schema(Deck) if n not in _DECK_SKIP
    )


def _key(path: Path, st: os.stat_result) -> list[Any]:
    here = Path(__file__).parent
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
    """The cache file for one deck file (its name, plus a hash of its full path)."""
    full = os.path.abspath(path)
    return cache / "decks" / f"{Path(full).stem[:40]}-{zlib.crc32(full.encode()):08x}.json"


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
    found = read(entry, key, str(path), origin)
    if found is not None:
        return found
    d = _parse(path, origin)
    if time.time_ns() - st.st_mtime_ns >= RACY_NS:
        write(entry, key, d)
    return d


def _parse(path: Path, origin: str) -> Deck:
    from legquiz import deck as deckmod  # the YAML parser and validator: only on a miss

    return deckmod.load(path, origin=origin)


def encode(key: list[Any], d: Deck) -> bytes:
    """The cache file's bytes: a JSON header line (key, CRC-32 of the payload), then the payload.

    The payload is ``marshal``: the fastest way CPython has to read back
    plain tuples and strings (a third faster than JSON here, and no copy of
    the file as text). Questions are stored by column (all ids, then all
    types, ...), so loading makes a dozen tuples instead of one per question.
    Equal strings are stored once (a choice repeated across questions), and
    marshal gives them back as one shared object.
    """
    memo: dict[str, str] = {}

    def plain(v: Any) -> Any:
        if isinstance(v, QType):
            return v.value
        if isinstance(v, tuple):
            return tuple(memo.setdefault(x, x) for x in v)
        return memo.setdefault(v, v) if isinstance(v, str) else v

    columns = tuple(tuple(plain(getattr(q, f.name)) for q in d.questions) for f in fields(Question))
    meta = {f.name: getattr(d, f.name) for f in fields(Deck) if f.name not in _DECK_SKIP}
    payload = marshal.dumps((meta, len(d.questions), columns), _MARSHAL_VERSION)
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


def read(entry: Path, key: list[Any], shown: str, origin: str) -> Deck | None:
    """The cached deck, or None if there is none or it cannot be fully trusted."""
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    try:
        with paused():  # tens of thousands of objects, no cycles: nothing for the collector to find
            return decode(data, key, shown, origin)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, RecursionError):
        return None


def decode(data: bytes, key: list[Any], shown: str, origin: str) -> Deck | None:
    """Rebuild the deck from cache bytes; None (or an exception) for anything unexpected."""
    nl = data.find(b"\n")
    if nl < 0:
        return None
    header = json.loads(data[:nl])
    payload = memoryview(data)[nl + 1 :]
    if (
        type(header) is not dict
        or header.get(MAGIC) != FORMAT
        or header.get("key") != key
        or header.get("bytes") != len(payload)
        or header.get("crc") != zlib.crc32(payload)  # checked before unmarshalling anything
    ):
        return None
    body = marshal.loads(payload)
    if type(body) is not tuple or len(body) != 3:
        return None
    meta, count, columns = body
    qfields = _schema(Question)
    if (
        type(meta) is not dict
        or type(count) is not int
        or type(columns) is not tuple
        or len(columns) != len(qfields)
        or not all(type(c) is tuple and len(c) == count for c in columns)
    ):
        return None
    columns = list(columns)
    for i, (_name, ann) in enumerate(qfields):
        if not _CHECKS[ann](columns[i]):
            return None
        if ann == "QType":
            columns[i] = tuple(map(_QTYPES.__getitem__, columns[i]))
    values: dict[str, Any] = {}
    for name, ann in _schema(Deck):
        if name in _DECK_SKIP:
            continue
        if name not in meta or not _CHECKS[ann]([meta[name]]):
            return None
        values[name] = meta[name]
    return Deck(questions=_questions(columns), path=shown, origin=origin, **values)


def _questions(columns: list[Any]) -> tuple[Question, ...]:
    """Build the questions through their own ``__init__``, arguments in field order.

    (Filling ``__dict__`` directly is faster but makes every instance carry a
    full dict: 4.7 MB more for 10,000 questions than the compact attribute
    storage Python gives objects built normally.)
    """
    return tuple(starmap(Question, zip(*columns, strict=True)))

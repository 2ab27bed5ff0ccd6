"""Read an Anki package (``.apkg``, ``.colpkg``) into plain data, safely.

A package is a zip holding one SQLite collection: ``collection.anki21b``
(current Anki: zstd-compressed, schema 18, note types and decks in their own
tables), ``collection.anki21`` (legacy, schema 11, note types and decks as
JSON in ``col``) or ``collection.anki2`` (Anki 2.0; in newer packages only a
placeholder beside the real one). The newest one present is read.

A package comes from someone else, so every step is bounded: the collection
is extracted (and decompressed) to a private temp file counting the bytes
actually written, not the sizes the zip claims (a zip bomb stops at the
limit; so does the media list); the package itself must be a regular file
(a pipe or a device is refused before it is read); SQLite opens that copy read-only and immutable, with a deadline on
every query; only tables are read (a view named ``notes`` is refused); and
a package with more cards than legquiz imports at once is refused after a
``count()``, before any row is read. Field text is only ever passed as query
results, never put into SQL.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from legquiz.errors import LegquizError
from legquiz.storage.fsutil import InputError, open_input

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_COLLECTION_BYTES = 512 * 1024 * 1024  # an uncompressed collection larger than this is refused
MAX_MEDIA_MAP_BYTES = 64 * 1024 * 1024
MAX_CARDS = 50_000  # cards in one import; more is refused (export one deck at a time)
QUERY_SECONDS = 30.0  # a query still running after this is stopped (a crafted database)
CHUNK = 1 << 20


@dataclass(frozen=True)
class NoteType:
    """A note type: cloze or not, its field names and each card template's (front, back) format."""

    id: int
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    mid: int
    fields: tuple[str, ...]
    tags: str


@dataclass(frozen=True)
class Card:
    """A card row as Anki keeps it (``due`` means a position, a day number or a timestamp by ``queue``)."""

    id: int
    nid: int
    did: int
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    reps: int
    lapses: int
    odid: int
    odue: int


@dataclass(frozen=True)
class Review:
    """A revlog row: ``id`` is the review's time in milliseconds, ``ease`` 0 for a manual change."""

    id: int
    cid: int
    ease: int
    ivl: int
    time_ms: int
    type: int


@dataclass
class Collection:
    """Everything legquiz reads from a package's collection."""

    crt: int  # the collection's creation time (seconds); review due days count from its day
    decks: dict[int, str]  # deck id -> name with '::' between levels
    notetypes: dict[int, NoteType]
    notes: dict[int, Note]
    cards: list[Card]
    revlog: list[Review]
    media: int  # media files in the package (never imported)
    member: str  # which collection file was read
    warnings: list[str] = field(default_factory=list)


def is_zip(path: Path) -> bool:
    """A zip by its first bytes, whatever the file is called (False for anything but a readable regular file)."""
    try:
        with open_input(path, "an Anki package") as f:
            return f.read(4) == b"PK\x03\x04"
    except (InputError, OSError):
        return False  # the text reader says why, in one line


def read(path: Path) -> Collection:
    """The collection inside the package at ``path``, or a one-line error naming the file."""
    shown = str(path)
    tmp = tempfile.mkdtemp(prefix="legquiz-anki-")
    try:
        raw = open_input(path, "an Anki package")  # a regular file only: never a pipe or a device
        try:
            zf = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raw.close()
            raise LegquizError(f"{shown}: not a readable Anki package (damaged zip: {e})") from None
        with raw, zf:
            names = set(zf.namelist())
            member = next((n for n in COLLECTIONS if n in names), None)
            if member is None:
                raise LegquizError(
                    f"{shown}: no Anki collection inside (collection.anki21b, .anki21 or .anki2); not an Anki package"
                )
            db = Path(tmp) / "collection.sqlite"
            _extract(zf, member, db, shown)
            media = _media_count(zf, shown) if "media" in names else 0
        col = _read_db(db, shown)
        col.media, col.member = media, member
        return col
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extract(zf: zipfile.ZipFile, member: str, dest: Path, shown: str) -> None:
    """Copy (and for .anki21b decompress) one member to ``dest``, stopping at MAX_COLLECTION_BYTES."""
    damaged = f"{shown}: {member} is damaged"
    try:
        with zf.open(member) as raw, open(dest, "wb") as out:
            if not member.endswith(".anki21b"):
                _copy(raw, out, MAX_COLLECTION_BYTES, shown, member)
                return
            import zstandard

            try:
                with zstandard.ZstdDecompressor().stream_reader(raw) as stream:
                    _copy(stream, out, MAX_COLLECTION_BYTES, shown, member)
            except zstandard.ZstdError as e:
                raise LegquizError(f"{damaged} ({e})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as e:
        # RuntimeError: an encrypted member; zlib.error: bad deflate data
        raise LegquizError(f"{damaged} ({e})") from None


def _copy(src: IO[bytes], out: IO[bytes], limit: int, shown: str, member: str) -> int:
    total = 0
    while True:
        chunk = src.read(CHUNK)
        if not chunk:
            return total
        total += len(chunk)
        if total > limit:
            raise LegquizError(
                f"{shown}: {member} unpacks to more than {limit // (1024 * 1024)} MB "
                "(a zip bomb, or a collection too large to import); nothing was imported"
            )
        out.write(chunk)


def _media_count(zf: zipfile.ZipFile, shown: str) -> int:
    """How many media files the package lists: JSON ``{"0": "a.jpg"}`` (legacy) or zstd + protobuf (current)."""
    try:
        with zf.open("media") as raw:
            head = raw.read(4)
            rest = raw.read(MAX_MEDIA_MAP_BYTES)
        data = head + rest
        if head == ZSTD_MAGIC:
            import zstandard

            with zstandard.ZstdDecompressor().stream_reader(data) as stream:
                data = stream.read(MAX_MEDIA_MAP_BYTES + 1)
        if data.lstrip()[:1] == b"{":
            return len(json.loads(data))
        return sum(1 for num, _, _ in proto_fields(data) if num == 1)
    except Exception:  # a damaged media list only loses the count: media are never imported
        return 0


def proto_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """The top-level (field number, wire type, value) of a protobuf message: enough to read Anki's small configs."""
    i, n = 0, len(buf)

    def varint() -> int:
        nonlocal i
        shift = value = 0
        while True:
            if i >= n or shift > 63:
                raise ValueError("truncated protobuf varint")
            b = buf[i]
            i += 1
            value |= (b & 0x7F) << shift
            if b < 0x80:
                return value
            shift += 7

    while i < n:
        key = varint()
        num, wire = key >> 3, key & 7
        if wire == 0:
            yield num, wire, varint()
        elif wire == 2:
            size = varint()
            if i + size > n:
                raise ValueError("truncated protobuf field")
            yield num, wire, buf[i : i + size]
            i += size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            yield num, wire, int.from_bytes(buf[i : i + width], "little")
            i += width
        else:
            raise ValueError(f"protobuf wire type {wire} not understood")


def _proto_str(buf: bytes, number: int) -> str:
    for num, wire, value in proto_fields(buf):
        if num == number and wire == 2 and isinstance(value, bytes):
            return value.decode("utf-8", "replace")
    return ""


def _proto_int(buf: bytes, number: int) -> int:
    for num, wire, value in proto_fields(buf):
        if num == number and wire == 0 and isinstance(value, int):
            return value
    return 0


def _read_db(db: Path, shown: str) -> Collection:
    try:
        con = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as e:
        raise LegquizError(f"{shown}: the collection cannot be opened ({e})") from None
    deadline = time.monotonic() + QUERY_SECONDS
    con.set_progress_handler(lambda: int(time.monotonic() > deadline), 100_000)
    try:
        con.execute("PRAGMA query_only = 1")
        con.text_factory = lambda b: b.decode("utf-8", "replace")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = {"col", "notes", "cards", "revlog"} - tables
        if missing:
            raise LegquizError(f"{shown}: not an Anki collection (no {', '.join(sorted(missing))} table)")
        (count,) = con.execute("SELECT count() FROM cards").fetchone()
        if count > MAX_CARDS:
            raise LegquizError(
                f"{shown}: {count} cards, more than the {MAX_CARDS} legquiz imports at once; "
                "export one deck at a time from Anki"
            )
        crt, models_json, decks_json = con.execute("SELECT crt, models, decks FROM col").fetchone()
        if "notetypes" in tables:
            notetypes, decks = _schema18(con)
        else:
            notetypes, decks = _schema11(models_json, decks_json, shown)
        notes = {
            r[0]: Note(r[0], str(r[1]), r[2], tuple(str(r[3]).split("\x1f")), str(r[4]).strip())
            for r in con.execute("SELECT id, guid, mid, flds, tags FROM notes")
        }
        cards = [
            Card(*r)
            for r in con.execute(
                "SELECT id, nid, did, ord, type, queue, due, ivl, reps, lapses, odid, odue FROM cards ORDER BY nid, ord"
            )
        ]
        revlog = [Review(*r) for r in con.execute("SELECT id, cid, ease, ivl, time, type FROM revlog ORDER BY id")]
        return Collection(int(crt), decks, notetypes, notes, cards, revlog, 0, "")
    except sqlite3.OperationalError as e:
        why = "took too long to read" if "interrupt" in str(e) else f"is damaged ({e})"
        raise LegquizError(f"{shown}: the collection {why}; nothing was imported") from None
    except (sqlite3.Error, TypeError, ValueError) as e:
        raise LegquizError(f"{shown}: the collection is damaged ({e}); nothing was imported") from None
    finally:
        con.close()


def _schema18(con: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    """Note types and decks from their own tables (configs are protobuf messages)."""
    fields: dict[int, list[str]] = {}
    for ntid, _, name in con.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(name))
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, _, config in con.execute("SELECT ntid, ord, config FROM templates ORDER BY ntid, ord"):
        templates.setdefault(ntid, []).append((_proto_str(config, 1), _proto_str(config, 2)))
    notetypes = {
        ntid: NoteType(
            ntid, str(name), _proto_int(config, 1) == 1, tuple(fields.get(ntid, ())), tuple(templates.get(ntid, ()))
        )
        for ntid, name, config in con.execute("SELECT id, name, config FROM notetypes")
    }
    decks = {did: str(name).replace("\x1f", "::") for did, name in con.execute("SELECT id, name FROM decks")}
    return notetypes, decks


def _schema11(models_json: str, decks_json: str, shown: str) -> tuple[dict[int, NoteType], dict[int, str]]:
    """Note types and decks from the JSON the legacy ``col`` row holds."""
    models, decks = json.loads(models_json or "{}"), json.loads(decks_json or "{}")
    if not isinstance(models, dict) or not isinstance(decks, dict):
        raise ValueError("col.models or col.decks is not a JSON object")
    notetypes: dict[int, NoteType] = {}
    for m in models.values():
        flds = sorted(m.get("flds", []), key=lambda f: f.get("ord", 0))
        tmpls = sorted(m.get("tmpls", []), key=lambda t: t.get("ord", 0))
        notetypes[int(m["id"])] = NoteType(
            int(m["id"]),
            str(m.get("name", "")),
            m.get("type") == 1,
            tuple(str(f.get("name", "")) for f in flds),
            tuple((str(t.get("qfmt", "")), str(t.get("afmt", ""))) for t in tmpls),
        )
    return notetypes, {int(d["id"]): str(d.get("name", "")) for d in decks.values()}

"""The sync index: every answer this home knows (its own and the other devices'), by card, in SQLite.

Why: a sync must not re-read a million-answer review log, nor every device's whole file, to take in ten new
answers. The index remembers how far it has read the review log and each device file, every answer's place
in replay order, and each card's replayed state at its last answer; a sync then replays a card only from
where its history changed, and recounts only the study days that changed.

It is derived, never the history of record: the review log is. An index that is missing, damaged, from
another version, or out of step with the log (checked by the log's bytes just before where it stopped) is
rebuilt from the log. Everything a sync changes in it is one transaction, committed only after the sync's
record is safe in the log, so a sync stopped at any moment leaves it as it was before that sync
(docs/sync.md).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from legquiz.core.records import Answer, Record
from legquiz.storage import log as logfile
from legquiz.sync.folder import CHECK, Cursor  # CHECK: bytes before a read position, compared

NAME = "sync-index.sqlite3"
VERSION = 2  # 2: a file's cursor no longer keeps its size (never used); an index of 1 is made anew
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
US = timedelta(microseconds=1)
_SCHEMA = """
CREATE TABLE meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE answers(
  dev TEXT NOT NULL, seq INTEGER NOT NULL, card TEXT NOT NULL, deck TEXT NOT NULL,
  t INTEGER NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL, rating INTEGER NOT NULL,
  gone INTEGER NOT NULL DEFAULT 0, first INTEGER NOT NULL DEFAULT 0, counted INTEGER NOT NULL DEFAULT 0,
  pos INTEGER, PRIMARY KEY(dev, seq)) WITHOUT ROWID;
CREATE INDEX by_card ON answers(card, t, dev, seq);
CREATE INDEX by_day ON answers(day);
CREATE TABLE anchors(card TEXT PRIMARY KEY, t INTEGER, dev TEXT, seq INTEGER, day TEXT, state TEXT) WITHOUT ROWID;
CREATE TABLE files(path BLOB PRIMARY KEY, ino INTEGER, pos INTEGER, line INTEGER, tail BLOB)
  WITHOUT ROWID;
"""
Key = tuple[int, str, int]  # an answer's place in replay order: (time in microseconds, device id, number)
COUNTS = ("answers", "correct", "introduced", "review_answers", "review_correct")
_NO_ROW: Key = (1 << 62, "", 0)  # after every answer: a card marked without an answer of its own changing


def micros(at: str) -> int:
    """An answer's time as whole microseconds since 1970, the same order as merge.standing's instants."""
    return (datetime.fromisoformat(at).astimezone(timezone.utc) - EPOCH) // US


class Index:
    """One home's index, open for one sync (a transaction from :meth:`open` to :meth:`commit`)."""

    def __init__(self, home: Path, db: sqlite3.Connection, dev: str) -> None:
        self.home, self.db, self.dev = home, db, dev
        self.dirty: dict[str, Key] = {}  # card -> the earliest place where its history changed
        self.days: set[str] = set()  # study days whose counts may have changed
        self.closed = False

    @classmethod
    def open(cls, home: Path, dev: str) -> Index:
        """The index for ``dev``'s home, made anew when missing, damaged, of another version or another id.

        sqlite3.Error when it cannot be made (a read-only or full disk): the caller syncs without it.
        """
        path = home / NAME
        try:
            db = _connect(path)
            try:
                have = dict(db.execute("SELECT k, v FROM meta").fetchall()) if _has_meta(db) else {}
            except sqlite3.DatabaseError:
                db.close()
                raise
            if have.get("version") == VERSION and have.get("dev") == dev:
                return cls(home, db, dev)
            db.close()
        except sqlite3.DatabaseError:
            pass  # damaged: made anew below
        _remove(path)
        db = _connect(path)
        try:
            for stmt in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                db.execute(stmt)
            start = [("version", VERSION), ("dev", dev), ("log_pos", 0), ("log_line", 1), ("log_tail", b"")]
            db.executemany("INSERT INTO meta VALUES (?, ?)", [*start, ("sched", "")])
        except BaseException:
            db.close()
            raise
        return cls(home, db, dev)

    @classmethod
    def peek(cls, home: Path, dev: str) -> Index | None:
        """The index if there is a usable one, to read (close it: nothing is kept); never made or changed."""
        from urllib.request import pathname2url

        path = home / NAME
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{pathname2url(str(path))}?mode=rw", uri=True, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            db.execute("BEGIN")
            have = dict(db.execute("SELECT k, v FROM meta").fetchall()) if _has_meta(db) else {}
        except sqlite3.Error:
            db.close()
            return None
        if have.get("version") != VERSION or have.get("dev") != dev:
            db.close()
            return None
        return cls(home, db, dev)

    # -- the review log ------------------------------------------------------------------------------------
    def meta(self, key: str) -> Any:
        got = self.db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if got is None else got[0]

    def set_meta(self, key: str, value: object) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def catch_up(self) -> None:
        """Take in what the review log holds beyond where the index stopped (from the start if it changed)."""
        path = self.home / logfile.NAME
        pos, line = int(self.meta("log_pos") or 0), int(self.meta("log_line") or 1)
        if pos and (_size(path) < pos or _tail(path, pos) != self.meta("log_tail")):
            self.reset()
            pos, line = 0, 1
        scan = logfile.Scan(path, pos, line)
        end = pos
        batch: list[tuple[object, ...]] = []
        for ln in scan.lines():
            rec = ln.record
            if rec is None:
                break  # a torn last line (the store sets it aside) or damage (the store refused to open)
            if rec["op"] in ("review", "import") and not rec.get("replaces"):
                batch.append(self._row(self.dev, rec, ln.offset))
            else:
                self._flush(batch)
                self._take(self.dev, rec, ln.offset)
            end, line = ln.offset + len(ln.raw) + 1, ln.number + 1
            if len(batch) >= 5000:
                self._flush(batch)
        self._flush(batch)
        self.set_meta("log_pos", end)
        self.set_meta("log_line", line)
        self.set_meta("log_tail", _tail(path, end))

    def reset(self) -> None:
        """Forget everything (the log changed under the index): the next catch-up reads it from the start."""
        for table in ("answers", "anchors", "files"):
            self.db.execute(f"DELETE FROM {table}")
        self.set_meta("sched", "")

    def _row(self, dev: str, rec: Answer, pos: int | None) -> tuple[object, ...]:
        card = rec["card"]
        key = (micros(rec["at"]), dev, rec["seq"])
        if key < self.dirty.get(card, _NO_ROW):
            self.dirty[card] = key
        self.days.add(rec["day"])
        return (dev, rec["seq"], card, card.split("/", 1)[0], key[0], rec["at"], rec["day"], rec["rating"], pos)

    def _flush(self, batch: list[tuple[object, ...]]) -> None:
        if batch:
            self.db.executemany(
                "INSERT OR IGNORE INTO answers(dev, seq, card, deck, t, at, day, rating, pos) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch,
            )  # fmt: skip
            batch.clear()

    def _take(self, dev: str, rec: Record, pos: int | None) -> None:
        """One record of ``dev`` (from the log, or received): its answer, what it takes back, what it marks."""
        if rec["op"] == "sync":
            for got in rec["got"]:
                self._take(got["dev"], got["rec"], None)
            return
        if rec["op"] == "reschedule":  # this device's own (they never travel): kept to find if it is undone
            self.db.execute(
                "INSERT OR IGNORE INTO answers(dev, seq, card, deck, t, at, day, rating, gone, pos) "
                "VALUES (?, ?, '', '', 0, '', '', -1, 1, ?)", (dev, rec["seq"], pos),
            )  # fmt: skip
            for card in rec["cards"]:
                self.dirty.setdefault(card, _NO_ROW)  # the replay puts back what the answers make
            return
        if rec["op"] == "undo":
            target: int | None = rec["target"]
            self.db.execute(
                "INSERT OR IGNORE INTO answers(dev, seq, card, deck, t, at, day, rating, gone, pos) "
                "VALUES (?, ?, '', '', 0, '', '', 0, 1, ?)", (dev, rec["seq"], pos),
            )  # fmt: skip
        else:
            self._flush([self._row(dev, rec, pos)])
            target = rec.get("replaces") if rec["op"] == "review" else None
        if isinstance(target, int):
            self._gone(dev, target)

    def _gone(self, dev: str, seq: int) -> None:
        got = self.db.execute(
            "SELECT card, t, day, rating, pos FROM answers WHERE dev = ? AND seq = ? AND (gone = 0 OR rating < 0)",
            (dev, seq),
        ).fetchone()
        if got is not None and got[3] < 0:  # a rescheduling undone: its cards go back to what the replay makes
            for card in self._rescheduled(got[4]):
                self.dirty.setdefault(card, _NO_ROW)
            return
        if got is None:
            return  # taken back already, or never arrived (a damaged line): nothing stands to take back
        self.db.execute("UPDATE answers SET gone = 1 WHERE dev = ? AND seq = ?", (dev, seq))
        key = (got[1], dev, seq)
        if key < self.dirty.get(got[0], _NO_ROW):
            self.dirty[got[0]] = key
        self.days.add(got[2])

    def _rescheduled(self, pos: int) -> list[str]:
        with open(self.home / logfile.NAME, "rb") as f:
            f.seek(pos)
            rec = logfile.line(f.readline().rstrip(b"\n"), 0, pos).record
        return list(rec["cards"]) if rec is not None and rec["op"] == "reschedule" else []

    # -- records from the folder -------------------------------------------------------------------------
    def known(self, dev: str, seq: int) -> tuple[str, str, int] | None:
        """(card, time, rating) of a record already here (an undo: ('', '', 0)), None if it is not."""
        got = self.db.execute("SELECT card, at, rating FROM answers WHERE dev = ? AND seq = ?", (dev, seq)).fetchone()
        return None if got is None else (got[0], got[1], got[2])

    def has_others(self) -> bool:
        """Whether any answer here came from another device (if not, this device's own replay is the state)."""
        return self.db.execute("SELECT 1 FROM answers WHERE dev != ? LIMIT 1", (self.dev,)).fetchone() is not None

    def receive(self, dev: str, rec: Record) -> None:
        """Take in a record another device published (its identity not yet here: see :meth:`known`)."""
        self._take(dev, rec, None)

    def cursor(self, path: str) -> Cursor | None:
        got = self.db.execute("SELECT ino, pos, line, tail FROM files WHERE path = ?", (os.fsencode(path),)).fetchone()
        return None if got is None else Cursor(*got)

    def set_cursor(self, path: str, cur: Cursor) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            (os.fsencode(path), cur.ino, cur.pos, cur.line, cur.tail),
        )

    # -- this device's records, for publishing -------------------------------------------------------------
    def own_from(self, seq: int) -> Iterator[Record]:
        """This device's answers and undos from number ``seq`` on (the one it last published, to compare), each
        read from its place in the log (the sync records between them, large, are never read)."""
        places = self.db.execute(
            "SELECT pos FROM answers WHERE dev = ? AND seq >= ? AND pos IS NOT NULL AND rating >= 0 ORDER BY seq",
            (self.dev, seq),
        ).fetchall()
        if not places:
            return
        with open(self.home / logfile.NAME, "rb") as f:
            for (pos,) in places:
                f.seek(pos)
                raw = f.readline()
                ln = logfile.line(raw.rstrip(b"\n"), 0, pos)
                if ln.record is None or not raw.endswith(b"\n"):
                    return
                yield ln.record

    def published(self) -> None:
        """Remember that every record of this device here is in the folder now."""
        got = self.db.execute(
            "SELECT max(seq) FROM answers WHERE dev = ? AND pos IS NOT NULL AND rating >= 0", (self.dev,)
        ).fetchone()
        self.set_meta("published", int(got[0] or 0))

    def own_after(self, seq: int) -> int:
        """How many of this device's answers and undos come after number ``seq`` (waiting to go out)."""
        got = self.db.execute(
            "SELECT count(*) FROM answers WHERE dev = ? AND seq > ? AND pos IS NOT NULL AND rating >= 0",
            (self.dev, seq),
        ).fetchone()
        return int(got[0])

    def standing_counts(self) -> dict[str, tuple[int, str | None]]:
        """Per device: (standing answers, the last one's time) — what ``sync --status`` lists."""
        out: dict[str, tuple[int, str | None]] = {}
        for dev, n, t in self.db.execute(
            "SELECT dev, count(*), max(t) FROM answers WHERE gone = 0 AND rating > 0 GROUP BY dev"
        ):
            out[dev] = (n, (EPOCH + t * US).isoformat() if t is not None else None)
        return out

    # -- ending ----------------------------------------------------------------------------------------------
    def commit(self, log_end: int, log_line: int, synced_at: str | None = None) -> None:
        """Keep what this sync did; ``log_end``: the log's size once its record (if any) was written."""
        path = self.home / logfile.NAME
        if synced_at is not None:
            self.set_meta("synced_at", synced_at)
        self.set_meta("log_pos", log_end)
        self.set_meta("log_line", log_line)
        self.set_meta("log_tail", _tail(path, log_end))
        self.db.commit()
        self.close()

    def close(self) -> None:
        """Let go, keeping nothing not committed (a sync that failed, ``sync --status``); again: nothing."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.db.in_transaction:
                self.db.rollback()
        finally:
            self.db.close()


def _connect(path: Path) -> sqlite3.Connection:
    """A connection inside one write transaction (taken at once, so two syncs never interleave)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        db.execute("BEGIN IMMEDIATE")
    except BaseException:
        db.close()  # (not left to the garbage collector: Python 3.13 warns of an unclosed database)
        raise
    return db


def _has_meta(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is not None


def _tail(path: Path, pos: int) -> bytes:
    """The CHECK bytes before ``pos`` in ``path`` (b"" when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, pos - CHECK))
            return f.read(min(pos, CHECK))
    except OSError:
        return b""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-journal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass

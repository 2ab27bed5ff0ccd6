"""The progress store: an append-only review log plus a compact snapshot.

Layout in ``LEGQUIZ_HOME`` (documented in docs/store-format.md):

* ``reviews.jsonl``: one JSON record per line, appended and fsynced for every
  answer (and every undo) before the next question is shown. This is the
  history of record; it is never rewritten.
* ``store.json``: a snapshot of every card's state and the per-day counts
  that stats need, plus how far into the log it has applied (bytes, seq). It
  is rewritten atomically (temp file, fsync, rename) at the end of a session
  and when the unapplied tail grows long, never per answer.
* ``lock``: held (flock) by the one process allowed to write.

Opening the store reads the snapshot and only the log tail after it, so the
cost of starting does not grow with the length of the history.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from legquiz.core.progress import StoreState, apply
from legquiz.core.records import ImportRecord, Record, Undoable, loads, parse_record
from legquiz.errors import StoreError, StoreLocked
from legquiz.speed import snapshot_cache as snapcache
from legquiz.storage import log as logfile
from legquiz.storage.fsutil import atomic_write, fresh_name
from legquiz.text import counted

SNAPSHOT = "store.json"
LOG = logfile.NAME
LOCK = "lock"
BACKUPS = "backups"
KEEP_BACKUPS = 7
COMPACT_AFTER = 1000  # unapplied log records before the snapshot is rewritten


class Store:
    """One user's progress. Open with :meth:`open`; close (or use ``with``) to compact."""

    def __init__(self, home: Path, state: StoreState, writable: bool, warnings: list[str]) -> None:
        self.home = home
        self.state = state
        self.writable = writable
        self.warnings = warnings
        self._fd = -1
        self._lock_fd = -1
        self._tail = 0  # records appended since the snapshot was written
        self._end = 0  # log bytes the state covers (a record written but not applied lies beyond)

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, home: Path, writable: bool = True) -> Store:
        """Load snapshot + log tail; a writable store takes the lock first."""
        lock_fd = -1
        if writable:
            try:
                home.mkdir(parents=True, exist_ok=True)
                lock_fd = _lock(home)
            except OSError as e:
                raise StoreError(_cannot_write(home, e)) from None
        try:
            state, warnings, tail, torn_at = _load(home, repair=writable)
            store = cls(home, state, writable, warnings)
            store._lock_fd = lock_fd
            store._tail = tail
            if writable:
                store._fd = os.open(home / LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                if torn_at is not None:
                    os.ftruncate(store._fd, torn_at)
                    os.fsync(store._fd)
                store._end = os.fstat(store._fd).st_size
                if tail >= COMPACT_AFTER:
                    store.compact()
            return store
        except BaseException as e:
            if lock_fd >= 0:
                os.close(lock_fd)
            if isinstance(e, OSError):
                raise StoreError(_cannot_write(home, e)) from None
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------
    def append(self, rec: Record) -> Record:
        """Durably log one record (numbered here), then apply it. Raises StoreError if it cannot be saved."""
        if not self.writable:
            raise RuntimeError("store opened read-only")
        rec = {**rec, "seq": self.state.seq + 1}  # type: ignore[assignment]  # (a copy: the caller's stays unsaved)
        target = rec["target"] if rec["op"] == "undo" else rec.get("replaces")
        if target is not None and (not self.state.undo or self.state.undo[-1]["seq"] != target):
            raise StoreError("nothing to undo")
        end = self._log((json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n").encode(), "before this")
        apply(self.state, rec)
        self._end = end
        self._tail += 1
        if self._tail >= COMPACT_AFTER:
            try:
                self.compact()
            except OSError:
                pass  # the answer is safe in the log; the snapshot is rewritten at close
        return rec

    def append_many(self, recs: list[ImportRecord]) -> None:
        """Durably log many imported answers (numbered here) with one write and one fsync, then apply them.

        Each is checked first, so nothing is written if one is wrong. If legquiz is stopped mid-write,
        the complete lines stand and a cut-off last one is set aside, as for any answer.
        """
        if not self.writable:
            raise RuntimeError("store opened read-only")
        numbered = [parse_record({**rec, "seq": self.state.seq + 1 + i}) for i, rec in enumerate(recs)]
        if any(rec["op"] != "import" for rec in numbered):
            raise ValueError("only imported answers are appended in bulk")
        lines = (json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n" for rec in numbered)
        end = self._log("".join(lines).encode(), "before this import")
        for rec in numbered:
            apply(self.state, rec)
        self._end = end
        self._tail += len(numbered)

    def _log(self, data: bytes, before: str) -> int:
        """Append ``data`` to the log and fsync it (on failure take it back, so the log stays clean); its new size."""
        size = os.fstat(self._fd).st_size
        if size != self._end:  # an earlier append was interrupted after writing: never reuse its seq
            raise StoreError(f"{self.home / LOG} changed while legquiz was saving; start legquiz again")
        try:
            _write_all(self._fd, data)
            os.fsync(self._fd)
        except OSError as e:
            try:
                os.ftruncate(self._fd, size)
                os.fsync(self._fd)
            except OSError:
                pass
            raise StoreError(
                f"could not save to {self.home / LOG}: {e.strerror or e}; everything answered {before} was saved"
            ) from None
        return size + len(data)

    @property
    def log_end(self) -> int:
        """The size of the log this state covers (a sync's index remembers where it stopped reading)."""
        return self._end

    @property
    def log_lines(self) -> int:
        return self.state.log_lines + self._tail

    def last_undoable(self) -> Undoable | None:
        return self.state.undo[-1] if self.state.undo else None

    def compact(self) -> None:
        """Rewrite the snapshot so it covers the whole log (atomic), with a daily backup."""
        if not self.writable:
            return
        old = (self.state.log_bytes, self.state.log_lines)
        self.state.log_bytes = self._end  # not the file size: see append
        self.state.log_lines += self._tail
        path = self.home / SNAPSHOT
        try:
            _backup(self.home, path)
            doc = self.state.to_json()
            data = json.dumps(doc, separators=(",", ":")).encode()
            atomic_write(path, data)
        except BaseException:
            self.state.log_bytes, self.state.log_lines = old  # the old snapshot still stands
            raise
        self._tail = 0
        snapcache.save(self.home, data, doc)  # so the next start need not parse the JSON

    def close(self) -> None:
        try:
            if self._fd >= 0 and self._tail:
                try:
                    self.compact()
                except OSError as e:  # the answers are all in the log: say so, and let go of the lock
                    raise StoreError(
                        f"could not update {self.home / SNAPSHOT}: {e.strerror or e}; every answer is safe in "
                        f"{self.home / LOG} and is read from there next time"
                    ) from None
        finally:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _cannot_write(home: Path, e: OSError) -> str:
    where = e.filename or home
    return (
        f"cannot write to {where}: {e.strerror or e} (legquiz keeps your progress in {home}; "
        "make it writable, free some space, or choose another folder with --data-dir)"
    )


def _lock(home: Path) -> int:
    fd = os.open(home / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one session at a time is on the user
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        try:
            pid = os.read(fd, 32).decode().strip()
        except OSError:
            pid = ""
        os.close(fd)
        who = f" (pid {pid})" if pid else ""
        raise StoreLocked(
            f"another legquiz session{who} is using {home}; finish it first (nothing was changed)"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def _load(home: Path, repair: bool) -> tuple[StoreState, list[str], int, int | None]:
    """State, warnings, number of tail records, and where to cut a torn last line."""
    snap = home / SNAPSHOT
    log = home / LOG
    warnings: list[str] = []
    state = _snapshot(home, snap)
    start = state.log_bytes
    replayed = snapcache.load_replayed(home, snap, log, start)  # a read-only command's replay of this tail
    if replayed is not None:
        try:
            cached = StoreState.from_json(replayed[0], str(snap), cached=True)
            cached.log_bytes, cached.log_lines = replayed[1], replayed[2]
            state = cached
        except StoreError:
            pass  # replay the log itself
    covered = (state.log_bytes, state.log_lines)
    tail = logfile.Scan(log, state.log_bytes, state.log_lines + 1)
    count = 0
    held = None  # a line that is not JSON: torn if it is the last, damage if another follows
    end = state.log_bytes
    for ln in tail.lines():  # a line at a time: a long tail is applied in bounded memory
        if held is not None:
            _apply_line(home, state, held)
        if ln.unparsable:
            held = ln
            continue
        held = None
        _apply_line(home, state, ln)
        count += 1
        end = ln.offset + len(ln.raw) + 1
    if not repair and count >= COMPACT_AFTER:  # read-only: keep the replay in the cache, not in store.json
        doc = state.to_json()
        snapcache.save_replayed(home, snap, log, start, end, covered[1] + count, doc)
    if tail.missing:
        if state.log_bytes:
            raise StoreError(
                f"{log}: missing, but {snap} says it held {counted(state.log_lines, 'record')}; "
                "run 'legquiz doctor' to restore from a backup"
            )
        return state, warnings, 0, None
    if tail.size < state.log_bytes:
        raise StoreError(
            f"{log}: shorter ({tail.size} bytes) than {snap} expects ({state.log_bytes}); run 'legquiz doctor'"
        )
    torn_at = tail.torn_at()
    if torn_at is not None:
        lineno = state.log_lines + count + 1
        if repair:
            aside = fresh_name(log, "torn", str(int(time.time())))
            with open(log, "rb") as f:
                f.seek(torn_at)
                aside.write_bytes(f.read())
            warnings.append(
                f"{log}:{lineno}: the last record was cut off (legquiz was stopped while saving); "
                f"that unconfirmed answer was set aside in {aside.name}"
            )
        else:
            torn_at = None
            if not _locked_by_other(home):
                warnings.append(
                    f"{log}:{lineno}: the last record was cut off (legquiz was stopped while saving); "
                    "'legquiz start' or 'legquiz doctor' will set it aside"
                )
    return state, warnings, count, torn_at


def _apply_line(home: Path, state: StoreState, ln: logfile.LogLine) -> None:
    """Apply one line of the log tail, or say where the store is damaged."""
    snap, log = home / SNAPSHOT, home / LOG
    try:
        if ln.record is None:
            raise ValueError(ln.problem)
        if ln.record["seq"] != state.seq + 1:
            raise ValueError(f"expected record {state.seq + 1}, found {str(ln.raw[:40])}")
        apply(state, ln.record)
    except ValueError as e:
        if ln.offset == state.log_bytes and state.log_bytes:
            raise StoreError(
                f"{snap}: says it covers {log} up to byte {state.log_bytes} (record {state.seq}), "
                f"but the log does not continue there ({e}); run 'legquiz doctor --repair'"
            ) from None
        raise StoreError(f"{log}:{ln.number}: damaged record ({e}); run 'legquiz doctor --repair'") from None


def _snapshot(home: Path, snap: Path) -> StoreState:
    """The state ``store.json`` holds (empty if there is none yet).

    Read from the snapshot cache when it holds exactly the bytes of
    ``store.json`` (speed/snapshot_cache.py: twice as fast as parsing the JSON), else
    parsed from the JSON, checked field by field, and cached for next time. A cached state was checked
    before it was cached (or built by legquiz from checked records); only its structure is checked again,
    not every card, day and undo entry (``StoreState.from_json``'s ``cached``).
    """
    cached = snapcache.load(home, snap)
    if cached is not None:
        try:
            return StoreState.from_json(cached, str(snap), cached=True)  # written only from checked snapshots
        except StoreError:
            pass  # let the JSON itself decide, and say why
    try:
        raw = snap.read_bytes()
    except FileNotFoundError:
        return StoreState()
    except OSError as e:
        raise StoreError(f"{snap}: cannot read ({e.strerror})") from None
    try:
        parsed = loads(raw)
    except ValueError as e:
        what = "empty" if not raw.strip() else f"not valid JSON ({e})"
        raise StoreError(
            f"{snap}: damaged: {what}; your answers are safe in {LOG}: run 'legquiz doctor' to rebuild it"
        ) from None
    state = StoreState.from_json(parsed, str(snap))
    snapcache.save(home, raw, parsed)  # after the checks: only a good snapshot is cached
    return state


def _locked_by_other(home: Path) -> bool:
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(home / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _backup(home: Path, snapshot: Path) -> None:
    """Keep one copy of the snapshot per day (the last KEEP_BACKUPS days)."""
    if not snapshot.exists():
        return
    folder = home / BACKUPS
    name = f"store-{time.strftime('%Y-%m-%d')}.json"
    if (folder / name).exists():
        return
    try:
        atomic_write(folder / name, snapshot.read_bytes())
        for old in sorted(folder.glob("store-*.json"))[:-KEEP_BACKUPS]:
            old.unlink()
    except OSError:
        pass  # a backup that cannot be made must not stop an answer being saved


def read(home: Path) -> Store:
    """Open the store read-only (no lock, nothing written)."""
    return Store.open(home, writable=False)


def log_records(home: Path) -> list[Record]:
    """Every record of the review log, oldest first, read-only (``legquiz optimize`` replays them).

    A torn last line (see storage/log.py) is left out, as opening the store
    would; a damaged record before it is an error.
    """
    return logfile.records(home / LOG)

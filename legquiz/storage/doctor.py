"""Check the store and repair it: from the review log, a backup, or what is left of both.

The log (``reviews.jsonl``) is the history of record; ``store.json`` is a
shortcut through it, and ``backups/`` holds a daily copy of that shortcut.
:func:`check` reads everything (nothing is written) and says what is wrong;
:func:`repair` rebuilds the snapshot from the best base it can find, keeping
every record it can read. A damaged file is never overwritten: it is moved
aside as ``NAME.damaged-STAMP`` first. The time stamp comes from the caller
(the core does not read the clock).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from legquiz.core.progress import StoreState
from legquiz.core.records import loads
from legquiz.errors import NewerFormat, StoreError
from legquiz.storage import log as logfile
from legquiz.storage.fsutil import atomic_write, atomic_write_chunks, fresh_name
from legquiz.storage.rebuild import SHOWN_DROPS, Base, Outcome, kept_lines, outcomes
from legquiz.storage.store import BACKUPS, LOG, SNAPSHOT
from legquiz.text import counted


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)  # what --repair fixes
    warnings: list[str] = field(default_factory=list)  # worth knowing, nothing to repair
    notes: list[str] = field(default_factory=list)  # what is fine
    snapshot: StoreState | None = None
    snapshot_problem: str = ""
    newer_format: bool = False
    log: logfile.Scan | None = None  # what the one pass over the log found (its lines are not kept)
    backups: list[Base] = field(default_factory=list)
    config_problem: str = ""  # config.json would stop every command: set it aside (the defaults apply)
    options: list[Outcome] = field(default_factory=list)  # every way to rebuild, best first

    @property
    def healthy(self) -> bool:
        return not self.problems


def _snapshot(path: Path) -> tuple[StoreState | None, str, bool]:
    """(state, what is wrong, written by a newer legquiz)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, "", False
    except OSError as e:
        return None, f"cannot be read ({e.strerror})", False
    try:
        parsed = loads(raw)
    except ValueError as e:
        return None, "empty" if not raw.strip() else f"not valid JSON ({str(e)[:60]})", False
    try:
        return StoreState.from_json(parsed, str(path)), "", False
    except StoreError as e:
        return None, e.message.split(": ", 1)[-1].split(";")[0], isinstance(e, NewerFormat)


def check(home: Path) -> Report:
    """Everything wrong with the store in ``home``, read-only, in one streamed pass over the log."""
    rep = Report()
    snap_path = home / SNAPSHOT
    rep.snapshot, rep.snapshot_problem, rep.newer_format = _snapshot(snap_path)
    if rep.snapshot_problem:
        rep.problems.append(f"{snap_path}: {rep.snapshot_problem}")
    snap = rep.snapshot
    rep.backups = backups(home)
    whole = Base("the review log", StoreState(), 0, 0)
    bases = [whole] + ([Base(SNAPSHOT, snap, snap.log_bytes, snap.log_lines)] if snap is not None else [])
    covered = snap.log_bytes if snap is not None else 0
    damaged = {"problems": 0, "warnings": 0}

    first: list[int] = []  # the number of the first readable record

    def report(ln: logfile.LogLine) -> None:
        if ln.record is not None:
            if not first:
                first.append(ln.record["seq"])
            return
        kind = "warnings" if ln.offset < covered else "problems"
        damaged[kind] += 1
        if damaged[kind] > SHOWN_DROPS:
            return
        if kind == "warnings":
            rep.warnings.append(
                f"{home / LOG}:{ln.number}: damaged record ({ln.problem}); {SNAPSHOT} already includes it, "
                "so nothing is lost, but keep your backups"
            )
        else:
            rep.problems.append(f"{home / LOG}:{ln.number}: damaged record ({ln.problem})")

    rep.log = log = logfile.Scan(home / LOG)
    outs = outcomes(log, bases + rep.backups, report)
    for kind, n in damaged.items():
        if n > SHOWN_DROPS:
            getattr(rep, kind).append(f"{home / LOG}: and {counted(n - SHOWN_DROPS, 'more damaged record')}")
    if log.torn:
        rep.problems.append(
            f"{home / LOG}:{log.count + 1}: the last record was cut off (legquiz was stopped while saving)"
        )
    end = log.size - len(log.torn)
    if snap is not None and snap.log_bytes:
        if log.missing:
            rep.problems.append(
                f"{home / LOG}: missing, but {snap_path} covers {counted(snap.log_lines, 'record')} of it"
            )
        elif snap.log_bytes > log.size:
            rep.problems.append(f"{home / LOG}: shorter ({log.size} bytes) than {snap_path} expects ({snap.log_bytes})")
        elif outs[1].reset_log and snap.log_bytes != end:
            rep.problems.append(f"{snap_path}: its log position ({snap.log_bytes}) is not at the start of a line")
    rep.config_problem = _config_problem(home)
    if snap is not None and not rep.problems:
        _compare(home, rep, outs[0] if first == [1] else None, outs[1])
    if rep.config_problem:
        rep.problems.append(rep.config_problem)
    if first != [1]:  # no whole history: replaying the readable records is the last resort
        outs.append(outs.pop(0))
        outs[-1].base.label = "the readable records of the review log"
    rep.options = _ranked(outs)
    n = log.count - damaged["problems"] - damaged["warnings"]
    rep.notes.append(f"{home / LOG}: {counted(n, 'readable record')}" + (" (no file yet)" if log.missing else ""))
    rep.notes.append(f"{home / BACKUPS}: {counted(len(rep.backups), 'good backup')}" + _newest(rep.backups))
    return rep


def _config_problem(home: Path) -> str:
    """What in ``config.json`` would stop a command (empty if nothing): settings are read as every command reads them."""
    from legquiz.core import settings
    from legquiz.errors import LegquizError

    try:
        settings.load(home)
    except LegquizError as e:
        return e.message.split("; fix or delete")[0]
    except (RecursionError, ValueError, TypeError, OverflowError) as e:  # damage the settings reader does not name
        why = "nested too deeply" if isinstance(e, RecursionError) else f"{e.__class__.__name__}: {str(e)[:60]}"
        return f"{home / settings.FILENAME}: cannot read settings ({why})"
    return ""


def _newest(bases: list[Base]) -> str:
    return f" (newest {bases[0].label})" if bases else ""


def _compare(home: Path, rep: Report, whole: Outcome | None, tail: Outcome) -> None:
    """The snapshot plus its tail must equal the whole log replayed (when the log starts at record 1)."""
    if not tail.strict:
        rep.problems.append(f"{home / LOG}: the records after {home / SNAPSHOT} do not follow on from it")
        return
    if whole is None or not whole.strict:
        return  # no whole history to compare with, or a damaged line the snapshot already includes (a warning)
    a, b = whole.state, tail.state
    if (a.seq, a.cards, a.days) != (b.seq, b.cards, b.days):
        differ = sum(1 for k in set(a.cards) | set(b.cards) if a.cards.get(k) != b.cards.get(k))
        rep.problems.append(
            f"{home / SNAPSHOT}: disagrees with {LOG} ({counted(differ, 'question')}"
            f" {'differs' if differ == 1 else 'differ'}); the log is the history of record"
        )


def backups(home: Path) -> list[Base]:
    """Readable backups, newest first."""
    out = []
    for path in sorted((home / BACKUPS).glob("store-*.json"), reverse=True):
        state, problem, _newer = _snapshot(path)
        if state is not None and not problem:
            out.append(Base(f"backup {path.name}", state, state.log_bytes, state.log_lines))
    return out


def _ranked(outs: list[Outcome]) -> list[Outcome]:
    """Best first: most records kept, then a log left as it is, then fewest dropped, then log over snapshot over backups."""
    ranked = sorted(enumerate(outs), key=lambda ro: (-ro[1].state.seq, ro[1].rewrites_log, ro[1].dropped_count, ro[0]))
    return [o for _rank, o in ranked]


def repair(home: Path, stamp: str) -> list[str]:
    """Repair the store in ``home`` (the caller holds the lock); returns what was done, one line each."""
    rep = check(home)
    done: list[str] = []
    if rep.config_problem:
        from legquiz.core.settings import FILENAME

        moved = _aside(home / FILENAME, "damaged", stamp).name
        done.append(f"moved {FILENAME} aside to {moved}: the default settings apply until you set them again")
        rep.problems.remove(rep.config_problem)
    if rep.healthy:
        return done
    options = rep.options
    if rep.newer_format:
        options = [o for o in options if o.base.label == "the review log" and not o.rewrites_log]
        if not options:
            raise StoreError(
                f"{home / SNAPSHOT} was written by a newer legquiz and its log cannot be replayed "
                "without losing records; upgrade legquiz instead (nothing was changed)"
            )
    best = options[0]
    log = rep.log or logfile.Scan(home / LOG)
    snap_path, log_path = home / SNAPSHOT, home / LOG
    if snap_path.exists():
        done.append(f"moved {SNAPSHOT} aside to {_aside(snap_path, 'damaged', stamp).name}")
    state = best.state
    if best.rewrites_log:
        body: Iterable[bytes] = []
        if log_path.exists():
            old = _aside(log_path, "damaged", stamp)
            done.append(f"moved {LOG} aside to {old.name}")
            body = [] if best.reset_log else kept_lines(old, best.base)  # streamed from the copy set aside
        state.log_bytes = atomic_write_chunks(log_path, body)
        state.log_lines = (0 if best.reset_log else best.base.line) + best.kept
    else:
        if log.torn:
            aside = fresh_name(log_path, "torn", stamp)
            atomic_write(aside, log.torn)
            os.truncate(log_path, log.size - len(log.torn))
            done.append(f"set the cut-off last record of {LOG} aside in {aside.name}")
        state.log_bytes = log.size - len(log.torn)
        state.log_lines = log.count
    atomic_write(snap_path, json.dumps(state.to_json(), separators=(",", ":")).encode())
    later = f" and {counted(best.kept, 'later record')} of {LOG}" if best.base.offset or best.base.state.seq else ""
    done.append(
        f"rebuilt {SNAPSHOT} from {best.base.label}{later}: {counted(len(state.cards), 'question')}, record {state.seq}"
    )
    done += [f"could not keep {LOG} {d}" for d in best.dropped]
    if best.dropped_count > len(best.dropped):
        done.append(f"could not keep {counted(best.dropped_count - len(best.dropped), 'more record')} of {LOG}")
    if best.reset_log and best.base.state.seq:
        done.append(f"started a new {LOG}: records up to {best.base.state.seq} are in {best.base.label}")
    return done


def _aside(path: Path, kind: str, stamp: str) -> Path:
    target = fresh_name(path, kind, stamp)
    os.replace(path, target)
    return target

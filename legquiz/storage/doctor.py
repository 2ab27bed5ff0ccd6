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

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legquiz.core.progress import StoreState, apply
from legquiz.core.records import loads
from legquiz.errors import NewerFormat, StoreError
from legquiz.storage import log as logfile
from legquiz.storage.fsutil import atomic_write, fresh_name
from legquiz.storage.log import LogRead as Log
from legquiz.storage.store import BACKUPS, LOG, SNAPSHOT
from legquiz.text import counted


@dataclass
class Base:
    """A state to replay the log onto: nothing (the whole log), the snapshot, or a backup."""

    label: str
    state: StoreState
    offset: int  # log bytes it covers
    line: int  # log lines it covers


@dataclass
class Outcome:
    """A candidate result of a repair."""

    base: Base
    state: StoreState
    kept: list[bytes]  # the log lines after the base, as they will be written
    dropped: list[str] = field(default_factory=list)
    reset_log: bool = False  # the log no longer matches the base: start a fresh one
    renumbered: bool = False

    @property
    def rewrites_log(self) -> bool:
        return self.reset_log or self.renumbered or bool(self.dropped)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)  # what --repair fixes
    warnings: list[str] = field(default_factory=list)  # worth knowing, nothing to repair
    notes: list[str] = field(default_factory=list)  # what is fine
    snapshot: StoreState | None = None
    snapshot_problem: str = ""
    newer_format: bool = False
    log: Log | None = None
    backups: list[Base] = field(default_factory=list)
    config_problem: str = ""  # config.json would stop every command: set it aside (the defaults apply)

    @property
    def healthy(self) -> bool:
        return not self.problems


def read_log(home: Path) -> Log:
    return logfile.read(home / LOG)


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
    """Everything wrong with the store in ``home``, read-only."""
    rep = Report()
    snap_path = home / SNAPSHOT
    rep.snapshot, rep.snapshot_problem, rep.newer_format = _snapshot(snap_path)
    if rep.snapshot_problem:
        rep.problems.append(f"{snap_path}: {rep.snapshot_problem}")
    rep.log = log = read_log(home)
    covered = rep.snapshot.log_bytes if rep.snapshot is not None else 0
    for ln in log.lines:
        if ln.problem and ln.offset < covered:
            rep.warnings.append(
                f"{home / LOG}:{ln.number}: damaged record ({ln.problem}); {SNAPSHOT} already includes it, "
                "so nothing is lost, but keep your backups"
            )
        elif ln.problem:
            rep.problems.append(f"{home / LOG}:{ln.number}: damaged record ({ln.problem})")
    if log.torn:
        rep.problems.append(
            f"{home / LOG}:{len(log.lines) + 1}: the last record was cut off (legquiz was stopped while saving)"
        )
    snap = rep.snapshot
    if snap is not None and snap.log_bytes:
        if log.missing:
            rep.problems.append(
                f"{home / LOG}: missing, but {snap_path} covers {counted(snap.log_lines, 'record')} of it"
            )
        elif snap.log_bytes > log.size:
            rep.problems.append(f"{home / LOG}: shorter ({log.size} bytes) than {snap_path} expects ({snap.log_bytes})")
        elif snap.log_bytes not in log.ends():
            rep.problems.append(f"{snap_path}: its log position ({snap.log_bytes}) is not at the start of a line")
    rep.backups = backups(home)
    rep.config_problem = _config_problem(home)
    if snap is not None and not rep.problems:
        _compare(home, rep, snap, log)
    if rep.config_problem:
        rep.problems.append(rep.config_problem)
    n = sum(1 for ln in log.lines if ln.record is not None)
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


def _compare(home: Path, rep: Report, snap: StoreState, log: Log) -> None:
    """The snapshot plus its tail must equal the whole log replayed (when the log starts at record 1)."""
    tail = replay(Base("store.json", snap, snap.log_bytes, snap.log_lines), log, strict=True)
    if tail is None:
        rep.problems.append(f"{home / LOG}: the records after {home / SNAPSHOT} do not follow on from it")
        return
    first = next((ln.record for ln in log.lines if ln.record is not None), None)
    if first is None or first["seq"] != 1:
        return  # the log was restarted by an earlier repair: there is no whole history to compare with
    full = replay(Base("the review log", StoreState(), 0, 0), log, strict=True)
    if full is None:
        return  # a damaged line the snapshot already includes (reported as a warning)
    a, b = full.state, tail.state
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


def replay(base: Base, log: Log, strict: bool) -> Outcome | None:
    """Apply the log lines after ``base`` to a copy of its state.

    Strict: every line must apply in order (None otherwise). Lenient: skip what
    cannot be read or applied and renumber the rest so the log stays gap-free.
    """
    out = Outcome(base, copy.deepcopy(base.state), [])
    state = out.state
    renum: dict[int, int] = {}  # lenient: old record number -> new, for every record kept
    for ln in log.lines:
        if ln.offset < base.offset:
            continue
        if ln.record is None:
            if strict:
                return None
            out.dropped.append(f"line {ln.number}: {ln.problem}")
            continue
        rec: Any = dict(ln.record)  # renumbered below when lenient
        ref = "target" if rec["op"] == "undo" else "replaces"
        if not strict and rec.get(ref) is not None:
            old = rec[ref]
            rec[ref] = renum.get(old, old if old <= base.state.seq else -1)  # -1: it referred to a lost record
        fits = strict is False or rec["seq"] == state.seq + 1
        if rec.get(ref) is not None:
            fits = fits and bool(state.undo) and int(state.undo[-1]["seq"]) == rec[ref]
        if not fits:
            if strict:
                return None
            out.dropped.append(f"line {ln.number}: record {ln.record['seq']} no longer applies")
            continue
        if not strict:
            renum[rec["seq"]] = state.seq + 1
            if rec["seq"] != state.seq + 1 or rec.get(ref) != ln.record.get(ref):
                out.renumbered = True
            rec["seq"] = state.seq + 1
        apply(state, rec)
        out.kept.append(ln.raw if rec == ln.record else json.dumps(rec, separators=(",", ":")).encode())
    return out


def candidates(rep: Report) -> list[Outcome]:
    """Every way to rebuild, best first: most records kept, then fewest dropped, then log over snapshot over backups."""
    log = rep.log or Log([], 0, missing=True)
    bases = []
    first = next((ln.record for ln in log.lines if ln.record is not None), None)
    if first is not None and first["seq"] == 1:
        bases.append(Base("the review log", StoreState(), 0, 0))
    if rep.snapshot is not None:
        bases.append(Base("store.json", rep.snapshot, rep.snapshot.log_bytes, rep.snapshot.log_lines))
    bases += rep.backups
    if not bases or bases[0].label != "the review log":
        bases.append(Base("the readable records of the review log", StoreState(), 0, 0))  # the last resort
    found: list[tuple[int, Outcome]] = []
    for rank, base in enumerate(bases):
        if base.offset > log.size or base.offset not in log.ends():
            found.append((rank, Outcome(base, base.state, [], reset_log=True)))  # the log no longer fits it
            continue
        result = replay(base, log, strict=True) or replay(base, log, strict=False)
        if result is not None:
            found.append((rank, result))
    found.sort(key=lambda ro: (-ro[1].state.seq, ro[1].rewrites_log, len(ro[1].dropped), ro[0]))
    return [o for _rank, o in found]


def repair(home: Path, stamp: str) -> list[str]:
    """Repair the store in ``home`` (the caller holds the lock); returns what was done, one line each."""
    rep = check(home)
    done: list[str] = []
    if rep.config_problem:
        from legquiz.core.settings import FILENAME

        aside = _aside(home / FILENAME, "damaged", stamp).name
        done.append(f"moved {FILENAME} aside to {aside}: the default settings apply until you set them again")
        rep.problems.remove(rep.config_problem)
    if rep.healthy:
        return done
    options = candidates(rep)
    if rep.newer_format:
        options = [o for o in options if o.base.label == "the review log" and not o.rewrites_log]
        if not options:
            raise StoreError(
                f"{home / SNAPSHOT} was written by a newer legquiz and its log cannot be replayed "
                "without losing records; upgrade legquiz instead (nothing was changed)"
            )
    best = options[0]
    log = rep.log or Log([], 0, missing=True)
    snap_path, log_path = home / SNAPSHOT, home / LOG
    if snap_path.exists():
        done.append(f"moved {SNAPSHOT} aside to {_aside(snap_path, 'damaged', stamp).name}")
    state = best.state
    if best.rewrites_log:
        prefix = b""
        if not best.reset_log:
            prefix = log_path.read_bytes()[: best.base.offset]
        body = prefix + b"".join(line + b"\n" for line in best.kept)
        if log_path.exists():
            done.append(f"moved {LOG} aside to {_aside(log_path, 'damaged', stamp).name}")
        atomic_write(log_path, body)
        state.log_bytes = len(body)
        state.log_lines = (0 if best.reset_log else best.base.line) + len(best.kept)
    else:
        if log.torn:
            aside = fresh_name(log_path, "torn", stamp)
            atomic_write(aside, log.torn)
            os.truncate(log_path, log.size - len(log.torn))
            done.append(f"set the cut-off last record of {LOG} aside in {aside.name}")
        state.log_bytes = log.size - len(log.torn)
        state.log_lines = len(log.lines)
    atomic_write(snap_path, json.dumps(state.to_json(), separators=(",", ":")).encode())
    later = (
        f" and {counted(len(best.kept), 'later record')} of {LOG}" if best.base.offset or best.base.state.seq else ""
    )
    done.append(
        f"rebuilt {SNAPSHOT} from {best.base.label}{later}: {counted(len(state.cards), 'question')}, record {state.seq}"
    )
    done += [f"could not keep {LOG} {d}" for d in best.dropped]
    if best.reset_log and best.base.state.seq:
        done.append(f"started a new {LOG}: records up to {best.base.state.seq} are in {best.base.label}")
    return done


def _aside(path: Path, kind: str, stamp: str) -> Path:
    target = fresh_name(path, kind, stamp)
    os.replace(path, target)
    return target

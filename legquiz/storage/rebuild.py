"""Replaying the review log onto every base a repair could start from, in one streamed pass.

``doctor`` must read a log of a million answers without holding it: each
line is read, checked (storage/log.py) and applied to every candidate state
(nothing, the snapshot, each backup), then dropped. What a repair keeps of the
log is written the same way, a line at a time, by a second pass over the one
base chosen. Memory is the states themselves (one per base) plus one chunk of
the file, however long the history is.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legquiz.core.progress import StoreState, apply
from legquiz.storage import log as logfile

SHOWN_DROPS = 50  # dropped lines named one by one; the rest are counted
_PRUNE_EVERY = 4096  # lines between trimming a replay's renumbering table to what can still be referred to


@dataclass
class Base:
    """A state to replay the log onto: nothing (the whole log), the snapshot, or a backup."""

    label: str
    state: StoreState
    offset: int  # log bytes it covers
    line: int  # log lines it covers


@dataclass
class Outcome:
    """What replaying the log after ``base`` gives: skipping what cannot be applied, renumbering the rest."""

    base: Base
    state: StoreState
    kept: int = 0  # log lines after the base that are kept
    dropped: list[str] = field(default_factory=list)  # the first SHOWN_DROPS, one line each
    dropped_count: int = 0
    reset_log: bool = False  # the log no longer matches the base: start a fresh one
    renumbered: bool = False
    renum: dict[int, int] = field(default_factory=dict)  # old record number -> new, for those still referable
    started: bool = False  # reached the line at the base's offset

    @property
    def rewrites_log(self) -> bool:
        return self.reset_log or self.renumbered or bool(self.dropped_count)

    @property
    def strict(self) -> bool:
        """Every line after the base applied in order, as it is: the log follows on from the base."""
        return not self.reset_log and not self.renumbered and not self.dropped_count

    def drop(self, why: str) -> None:
        self.dropped_count += 1
        if len(self.dropped) < SHOWN_DROPS:
            self.dropped.append(why)

    def feed(self, ln: logfile.LogLine) -> bytes | None:
        """Apply one log line (if it lies after the base); the line as it is kept, or None."""
        if self.reset_log or ln.offset < self.base.offset:
            return None
        if not self.started:
            if ln.offset != self.base.offset:  # the base's position is not the start of a line
                self.reset_log = True
                return None
            self.started = True
        if ln.record is None:
            self.drop(f"line {ln.number}: {ln.problem}")
            return None
        state = self.state
        rec: Any = ln.record
        ref = "target" if rec["op"] == "undo" else "replaces"
        old = rec.get(ref)
        new_ref = None if old is None else self.renum.get(old, old if old <= self.base.state.seq else -1)
        if new_ref is not None and not (state.undo and state.undo[-1]["seq"] == new_ref):
            self.drop(f"line {ln.number}: record {rec['seq']} no longer applies")
            return None
        seq = state.seq + 1
        if rec["seq"] != seq or new_ref != old:
            rec = {**rec, "seq": seq} if new_ref is None else {**rec, "seq": seq, ref: new_ref}
            self.renumbered = True
        try:
            apply(state, rec)
        except ValueError as e:
            self.drop(f"line {ln.number}: {e}")
            return None
        self.renum[ln.record["seq"]] = seq
        self.kept += 1
        if self.kept % _PRUNE_EVERY == 0:  # only a record still on the undo stack can be referred to
            live = {u["seq"] for u in state.undo}
            self.renum = {o: n for o, n in self.renum.items() if n in live}
        return ln.raw if rec is ln.record else json.dumps(rec, separators=(",", ":")).encode()

    def finish(self, end: int) -> None:
        """After the last line: a base past every line fits only if it ends where the intact log ends."""
        if not self.started and self.base.offset != end:
            self.reset_log = True
        if self.reset_log:
            self.state, self.kept, self.dropped, self.dropped_count = self.base.state, 0, [], 0


def outcomes(scan: logfile.Scan, bases: list[Base], seen: Callable[[logfile.LogLine], None]) -> list[Outcome]:
    """Every base's outcome after one pass over ``scan``; ``seen`` hears of each line first."""
    outs = [Outcome(b, copy.deepcopy(b.state)) for b in bases]
    for ln in scan.lines():
        seen(ln)
        for out in outs:
            out.feed(ln)
    for out in outs:
        out.finish(scan.size - len(scan.torn))
    return outs


def kept_lines(path: Path, base: Base) -> Iterable[bytes]:
    """The log as a repair from ``base`` leaves it: the bytes up to the base, then every line kept, renumbered."""
    with open(path, "rb") as f:
        left = base.offset
        while left > 0 and (chunk := f.read(min(left, logfile.CHUNK))):
            left -= len(chunk)
            yield chunk
    out = Outcome(base, copy.deepcopy(base.state))
    for ln in logfile.Scan(path).lines():
        kept = out.feed(ln)
        if kept is not None:
            yield kept + b"\n"

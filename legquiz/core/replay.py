"""Answers given in another program, replayed through legquiz's scheduler into imported records.

``legquiz import anki`` hands each card's outside answers here (rating, time,
id there); the card's memory state comes from replaying them in order from
its current state with the configured FSRS weights, as Anki computes it when
FSRS is turned on. Fuzz is off, so the same history gives the same states on
every import. The records are :class:`~legquiz.core.records.ImportRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from legquiz.core.cards import Row, as_dict
from legquiz.core.records import ImportRecord, import_record, review_record
from legquiz.core.settings import Config, DayClock
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig, review


@dataclass(frozen=True)
class OutsideAnswer:
    ext_id: int  # the answer's id in the other program
    rating: int  # 1 Again .. 4 Easy
    at: datetime
    ms: int


class Replayer:
    """Replays outside answers with one configuration (the fsrs scheduler is built once)."""

    def __init__(self, cfg: Config, days: DayClock, ext_from: str) -> None:
        s = cfg.scheduler()
        self.sched = SchedulerConfig(
            s.desired_retention, s.parameters, s.learning_steps, s.relearning_steps, s.maximum_interval, False
        )
        self.days = days
        self.ext_from = ext_from

    def card(self, key: str, current: Row | None, answers: list[OutsideAnswer]) -> tuple[list[ImportRecord], int]:
        """The records for one card, and how many answers were left out (older than its history here)."""
        before = CardState.from_dict(as_dict(current)) if current is not None else None
        out: list[ImportRecord] = []
        skipped = 0
        for a in answers:
            if before is not None and before.last_review is not None and a.at < before.last_review:
                skipped += 1  # cannot be replayed on top of a later answer
                continue
            after = review(self.sched, before, Rating(a.rating), a.at)
            rec = review_record(key, before, after, a.rating, a.at, self.days.day, ms=a.ms, verdict="self", answer=None)
            out.append(import_record(rec, self.ext_from, a.ext_id))
            before = after
        return out, skipped

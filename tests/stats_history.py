"""A simulated study history for the stats tests: real Store, real FSRS, a fixed clock.

Records are built the way legquiz.session saves an answer (``first`` for a
question never answered, ``counted`` for a review answer on a later study day
than the last one), so stats see exactly what a real history would hold.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from legquiz.core.cards import as_dict
from legquiz.core.model import Deck, QType, Question
from legquiz.core.records import review_record, undo_record
from legquiz.core.settings import Config, DayClock
from legquiz.srs.scheduler import CardState, Rating, review
from legquiz.storage.store import Store

CFG = Config(fuzz=False)
UTC_CLOCK = DayClock(4, timezone.utc)


def at(text: str) -> datetime:
    """'2025-03-03 10:00' as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def deck(deck_id: str, n: int, title: str | None = None) -> Deck:
    """A deck of n true/false questions q1..qn; q1 of every deck is a cloze."""
    qs = [Question("q1", QType.CLOZE, text=f"In {deck_id} the {{{{calves}}}} grow with {{{{hills}}}} and time")]
    qs += [
        Question(f"q{i}", QType.TRUE_FALSE, question=f"{deck_id} statement {i} is true?", answer=True)
        for i in range(2, n + 1)
    ]
    return Deck(deck_id, title or deck_id.capitalize(), tuple(qs))


class History:
    """Answers given at chosen instants, saved through the real store."""

    def __init__(self, home: Path, cfg: Config = CFG, clock: DayClock = UTC_CLOCK) -> None:
        self.store = Store.open(home)
        self.cfg = cfg
        self.sched = cfg.scheduler()
        self.clock = clock

    def answer(
        self, key: str, rating: Rating | int, now: datetime, replaces: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        raw = as_dict(self.store.state.cards[key]) if key in self.store.state.cards else None
        if replaces is not None:
            raw = replaces["before"]
        before = CardState.from_dict(raw) if raw else None
        after = review(self.sched, before, Rating(rating), now)
        verdict = "right" if rating > 1 else "wrong"
        rec = review_record(key, before, after, rating, now, self.clock.day, ms=1000, verdict=verdict, answer=None)
        if replaces is not None:
            rec["replaces"] = replaces["seq"]
        return self.store.append(rec)

    def undo(self) -> None:
        last = self.store.last_undoable()
        assert last is not None
        self.store.append(undo_record(last["seq"]))

    def close(self) -> None:
        self.store.close()

"""Reschedule the cards already in review when the FSRS weights change (``legquiz optimize --apply``).

As Anki's "reschedule cards on change" and py-fsrs's ``Scheduler.reschedule_card``
do: each card's standing answers are replayed through the scheduler with the
new weights, so its stability, difficulty and due date become what they would
be had these weights been used from its first answer. Only cards in review
are moved (a card in (re)learning is due within minutes anyway), and without
fuzz, so the preview shows exactly what is applied. The change is one
``reschedule`` record in the log, with every moved card's state before and
after, so ``legquiz undo`` takes it back like an answer (core/progress.py).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from legquiz.core.cards import as_dict
from legquiz.srs import scheduler
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig

if TYPE_CHECKING:
    from legquiz.core.records import RescheduleRecord


@dataclass(frozen=True)
class Move:
    """One card's state before and after rescheduling."""

    card: str
    before: CardState
    after: CardState

    @property
    def days(self) -> float:
        """How far the due date moves, in days (negative: earlier)."""
        return (self.after.due - self.before.due).total_seconds() / 86400


def standing_answers(records: Iterable[Mapping[str, Any]]) -> dict[str, list[tuple[datetime, int]]]:
    """Each card's answers still standing in one device's review log (undone and replaced ones dropped), oldest
    first, in UTC."""
    from legquiz.srs.fitting import from_log

    return by_card((r.at, r.card, r.rating) for r in sorted(from_log(records, timezone.utc), key=lambda r: r.at))


def by_card(answers: Iterable[tuple[datetime, str, int]]) -> dict[str, list[tuple[datetime, int]]]:
    """Each card's (time, rating), from answers that stand given oldest first as (time in UTC, card, rating):
    a synced home's are every device's (sync/answers.py), whose cards the replay of all of them scheduled."""
    out: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for at, card, rating in answers:
        out[card].append((at, rating))
    return dict(out)


def moves(
    cards: dict[str, list[Any]],
    answers: dict[str, list[tuple[datetime, int]]],
    config: SchedulerConfig,
    parameters: tuple[float, ...],
) -> list[Move]:
    """The cards in review whose schedule changes when replayed with ``parameters`` (fuzz off).

    ``cards`` are the store's rows (core/cards.py), ``answers`` each card's
    standing answers. A card whose replay does not end in review (its log
    history is incomplete, say) keeps its schedule.
    """
    sched = replace(config, parameters=tuple(parameters), fuzz=False, _cache={})
    out = []
    for key, values in sorted(cards.items()):
        before = CardState.from_dict(as_dict(values))
        if before.state != scheduler.REVIEW or not answers.get(key):
            continue
        state: CardState | None = None
        for at, rating in answers[key]:
            state = scheduler.review(sched, state, Rating(rating), at)
        if state is None or state.state != scheduler.REVIEW:
            continue
        after = replace(state, reps=before.reps, lapses=before.lapses)
        if (after.due, after.stability, after.difficulty) != (before.due, before.stability, before.difficulty):
            out.append(Move(key, before, after))
    return out


def record(
    changes: list[Move], parameters: tuple[float, ...], previous: tuple[float, ...] | None, now: datetime
) -> RescheduleRecord:
    """The log record of a rescheduling; ``seq`` is 0 until the store numbers it."""
    return {
        "seq": 0,
        "op": "reschedule",
        "at": now.isoformat(),
        "parameters": list(parameters),
        "previous": None if previous is None else list(previous),
        "cards": {m.card: {"before": m.before.to_dict(), "after": m.after.to_dict()} for m in changes},
    }


def preview(changes: list[Move], in_review: int) -> str:
    """One line: how many due dates move, which way, and by how much."""
    if not changes:
        if in_review == 1:
            return "Rescheduling: the 1 question in review keeps its due date."
        return f"Rescheduling: none of the {in_review:,} questions in review changes its due date."
    later = [m.days for m in changes if m.days >= 0.5]
    earlier = [-m.days for m in changes if m.days <= -0.5]
    parts = []
    if later:
        parts.append(f"{len(later):,} later (median {_days(statistics.median(later))}, at most {max(later):.0f})")
    if earlier:
        parts.append(
            f"{len(earlier):,} earlier (median {_days(statistics.median(earlier))}, at most {max(earlier):.0f})"
        )
    same = len(changes) - len(later) - len(earlier)
    if same:
        parts.append(f"{same:,} within the same day")
    of = f"{in_review:,} question{'' if in_review == 1 else 's'}"
    return f"Rescheduling {len(changes):,} of {of} in review: " + ", ".join(parts) + "."


def _days(n: float) -> str:
    """'1 day', '3 days', as rounded for showing."""
    shown = f"{n:.0f}"
    return f"{shown} day{'' if shown == '1' else 's'}"

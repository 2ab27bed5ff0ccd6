"""Spaced-repetition scheduling: FSRS-6 through the maintained ``fsrs`` package.

This is the only module that imports ``fsrs``. The rest of legquiz sees
:class:`CardState`, a plain JSON-friendly record, so the store format does not
depend on the library's internals and the library can be upgraded in one place.
Time is always passed in (``now``); nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from legquiz.core.cards import DEFAULT_LEARNING_STEPS as DEFAULT_LEARNING_STEPS
from legquiz.core.cards import DEFAULT_RELEARNING_STEPS as DEFAULT_RELEARNING_STEPS
from legquiz.core.cards import LEARNING as LEARNING
from legquiz.core.cards import NEW as NEW
from legquiz.core.cards import RELEARNING as RELEARNING
from legquiz.core.cards import REVIEW as REVIEW
from legquiz.core.cards import CardStateDict, iso_time

STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class CardState:
    """One question's memory state, as stored (times are aware datetimes)."""

    state: int
    due: datetime
    stability: float | None = None
    difficulty: float | None = None
    step: int | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    def to_dict(self) -> CardStateDict:
        return {
            "state": self.state,
            "due": self.due.isoformat(),
            "s": self.stability,
            "d": self.difficulty,
            "step": self.step,
            "last": self.last_review.isoformat() if self.last_review else None,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, d: CardStateDict | Mapping[str, Any]) -> CardState:
        d = dict(d)
        return cls(
            state=int(d["state"]),
            due=iso_time(d["due"]),
            stability=None if d.get("s") is None else float(d["s"]),
            difficulty=None if d.get("d") is None else float(d["d"]),
            step=None if d.get("step") is None else int(d["step"]),
            last_review=iso_time(d["last"]) if d.get("last") else None,
            reps=int(d.get("reps", 0)),
            lapses=int(d.get("lapses", 0)),
        )


@dataclass(frozen=True)
class SchedulerConfig:
    """What the FSRS scheduler is run with (from the settings; ``fsrs()`` builds the scheduler itself)."""

    desired_retention: float = 0.9
    parameters: tuple[float, ...] | None = None  # None: FSRS-6 defaults
    learning_steps: tuple[float, ...] = DEFAULT_LEARNING_STEPS
    relearning_steps: tuple[float, ...] = DEFAULT_RELEARNING_STEPS
    maximum_interval: int = 36500
    fuzz: bool = True
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def fsrs(self) -> Any:
        """The fsrs.Scheduler for this configuration (built once)."""
        if "s" not in self._cache:
            import fsrs

            kwargs: dict[str, Any] = {
                "desired_retention": self.desired_retention,
                "learning_steps": [timedelta(minutes=m) for m in self.learning_steps],
                "relearning_steps": [timedelta(minutes=m) for m in self.relearning_steps],
                "maximum_interval": self.maximum_interval,
                "enable_fuzzing": self.fuzz,
            }
            if self.parameters is not None:
                kwargs["parameters"] = tuple(self.parameters)
            self._cache["s"] = fsrs.Scheduler(**kwargs)
        return self._cache["s"]


def default_parameters() -> tuple[float, ...]:
    import fsrs

    return tuple(fsrs.Scheduler().parameters)


def _to_fsrs(state: CardState | None, now: datetime) -> Any:
    import fsrs

    if state is None or state.state == NEW:
        return fsrs.Card(card_id=0, due=now)
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def review(
    config: SchedulerConfig, state: CardState | None, rating: Rating, now: datetime, seed: str | None = None
) -> CardState:
    """The card's state after being answered with ``rating`` at ``now``.

    ``seed`` makes the fuzz a function of it (``legquiz sync`` replays answers on every device and each must
    draw the same due date); without it the fuzz is random, as fsrs draws it.
    """
    import fsrs

    if seed is not None and config.fuzz:
        import hashlib
        import random

        saved = random.getstate()  # fsrs draws its fuzz from the module's shared generator
        random.seed(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
        try:
            card, _log = config.fsrs().review_card(_to_fsrs(state, now), fsrs.Rating(int(rating)), now)
        finally:
            random.setstate(saved)
    else:
        card, _log = config.fsrs().review_card(_to_fsrs(state, now), fsrs.Rating(int(rating)), now)
    prev = state
    lapse = prev is not None and prev.state == REVIEW and rating == Rating.AGAIN
    return CardState(
        state=int(card.state),
        due=card.due,
        stability=card.stability,
        difficulty=card.difficulty,
        step=card.step,
        last_review=card.last_review,
        reps=(prev.reps if prev else 0) + 1,
        lapses=(prev.lapses if prev else 0) + (1 if lapse else 0),
    )


def answer_seed(card: str, at: datetime, rating: int) -> str:
    """The fuzz seed of one answer: the card and the answer, so a replay on any device draws what was drawn here."""
    return f"{card}|{at.isoformat()}|{int(rating)}"


def retrievability(config: SchedulerConfig, state: CardState, now: datetime) -> float:
    """Probability of recall at ``now`` (0 for a card never seen)."""
    if state.state == NEW or state.last_review is None:
        return 0.0
    return float(config.fsrs().get_card_retrievability(_to_fsrs(state, now), now))


# -- replaying histories (legquiz optimize scores with the package itself) ------------------------------------------
# A history is one card's reviews as (day number, rating) in time order; the day number counts
# whole study days (datetime.toordinal of the study day), so equal numbers mean "the same day"
# and FSRS's short-term (same-day) stability update applies, as in fsrs-rs and srs-benchmark.


def _day(day: int) -> datetime:
    # midnight UTC of the study day: py-fsrs counts elapsed days as whole days between datetimes
    from datetime import timezone

    return datetime.fromordinal(day).replace(tzinfo=timezone.utc)


_BARE: dict[tuple[float, ...] | None, Any] = {}


def _bare(parameters: tuple[float, ...] | None) -> Any:
    """An fsrs.Scheduler with these weights and no fuzz (only its memory model is used)."""
    if parameters not in _BARE:
        import fsrs

        kwargs: dict[str, Any] = {"enable_fuzzing": False}
        if parameters is not None:
            kwargs["parameters"] = tuple(parameters)
        _BARE.clear()  # keep the latest only: scoring asks for one set of weights many times in a row
        _BARE[parameters] = fsrs.Scheduler(**kwargs)
    return _BARE[parameters]


def replay(parameters: tuple[float, ...] | None, history: list[tuple[int, int]]) -> list[float]:
    """FSRS-6 retrievability just before each review of one card (0.0 before the first).

    Each prediction comes from replaying all the card's earlier reviews through
    ``fsrs.Scheduler.review_card`` with these weights (None: the defaults).
    """
    import fsrs

    sched = _bare(parameters)
    card = fsrs.Card(card_id=0, due=_day(history[0][0]) if history else _day(1))
    out: list[float] = []
    for day, rating in history:
        when = _day(day)
        out.append(float(sched.get_card_retrievability(card, when)) if card.last_review else 0.0)
        card, _log = sched.review_card(card, fsrs.Rating(rating), when)
    return out

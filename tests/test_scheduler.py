"""FSRS-6 through legquiz.scheduler: golden intervals, state round trips, settings that matter.

Golden values are what py-fsrs 6.x gives with its default FSRS-6 weights and
fuzz off. If an fsrs upgrade changes them, these tests say so before any
learner's schedule silently shifts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legquiz.srs.scheduler import (
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    CardState,
    Rating,
    SchedulerConfig,
    default_parameters,
    retrievability,
    review,
)

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)
FIXED = SchedulerConfig(fuzz=False)


def run(cfg: SchedulerConfig, steps: list[tuple[Rating, timedelta | None]]) -> list[CardState]:
    """Answer a new card with each rating, after the given wait (None: exactly when due)."""
    state: CardState | None = None
    now = T0
    out = []
    for rating, wait in steps:
        if wait is None:
            assert state is not None
            now = state.due
        else:
            now = now + wait
        state = review(cfg, state, rating, now)
        assert state.last_review == now
        out.append(state)
    return out


# -- golden intervals ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "state", "interval", "step"),
    [
        (Rating.AGAIN, LEARNING, 1 * MIN, 0),
        (Rating.HARD, LEARNING, timedelta(minutes=5, seconds=30), 0),  # halfway between the 1 and 10 min steps
        (Rating.GOOD, LEARNING, 10 * MIN, 1),
        (Rating.EASY, REVIEW, 8 * DAY, None),
    ],
)
def test_first_answer_on_a_new_card(rating: Rating, state: int, interval: timedelta, step: int | None) -> None:
    (after,) = run(FIXED, [(rating, timedelta(0))])
    assert after.state == state
    assert after.due - T0 == interval
    assert after.step == step
    assert (after.reps, after.lapses) == (1, 0)


def test_good_good_same_day_graduates_for_two_days_then_eleven() -> None:
    first, second, third = run(FIXED, [(Rating.GOOD, timedelta(0)), (Rating.GOOD, None), (Rating.GOOD, None)])
    assert first.due - T0 == 10 * MIN
    assert second.state == REVIEW and second.due - first.due == 2 * DAY
    assert third.state == REVIEW and third.due - second.due == 11 * DAY
    assert third.reps == 3


def test_good_then_good_on_the_following_day_is_seven_days() -> None:
    _, second, third, fourth = run(
        FIXED, [(Rating.GOOD, timedelta(0)), (Rating.GOOD, DAY), (Rating.GOOD, None), (Rating.GOOD, None)]
    )
    assert second.state == REVIEW
    assert second.due - (T0 + DAY) == 7 * DAY
    assert third.due - second.due == 32 * DAY
    assert fourth.due - third.due == 118 * DAY


def test_again_on_a_review_card_is_a_lapse_and_relearns() -> None:
    _, graduated, lapsed, relearnt = run(
        FIXED, [(Rating.GOOD, timedelta(0)), (Rating.GOOD, DAY), (Rating.AGAIN, None), (Rating.GOOD, None)]
    )
    assert graduated.state == REVIEW and graduated.lapses == 0
    assert lapsed.state == RELEARNING
    assert lapsed.lapses == 1
    assert lapsed.step == 0
    assert lapsed.due - graduated.due == 10 * MIN  # the one relearning step
    assert lapsed.stability is not None and graduated.stability is not None
    assert lapsed.stability < graduated.stability
    assert relearnt.state == REVIEW
    assert relearnt.due - lapsed.due == 1 * DAY
    assert (relearnt.reps, relearnt.lapses) == (4, 1)


def test_again_while_learning_is_not_a_lapse() -> None:
    _, again = run(FIXED, [(Rating.GOOD, timedelta(0)), (Rating.AGAIN, None)])
    assert again.state == LEARNING and again.lapses == 0 and again.step == 0


def test_fuzz_on_spreads_intervals_and_off_does_not() -> None:
    _, graduated = run(FIXED, [(Rating.GOOD, timedelta(0)), (Rating.GOOD, DAY)])
    fuzzy = SchedulerConfig(fuzz=True)
    spread = {(review(fuzzy, graduated, Rating.GOOD, graduated.due).due - graduated.due).days for _ in range(40)}
    fixed = {(review(FIXED, graduated, Rating.GOOD, graduated.due).due - graduated.due).days for _ in range(5)}
    assert fixed == {32}
    assert len(spread) > 1 and all(25 <= d <= 40 for d in spread)


# -- settings that change the schedule ----------------------------------------


@pytest.mark.parametrize(("retention", "days"), [(0.8, 24), (0.9, 7), (0.95, 3)])
def test_desired_retention_changes_the_interval(retention: float, days: int) -> None:
    cfg = SchedulerConfig(desired_retention=retention, fuzz=False)
    _, graduated = run(cfg, [(Rating.GOOD, timedelta(0)), (Rating.GOOD, DAY)])
    assert graduated.due - (T0 + DAY) == days * DAY


def test_custom_parameters_are_used() -> None:
    weights = list(default_parameters())
    assert len(weights) == 21
    weights[3] = 50.0  # initial stability after Easy
    (easy,) = run(SchedulerConfig(parameters=tuple(weights), fuzz=False), [(Rating.EASY, timedelta(0))])
    assert easy.due - T0 == 50 * DAY
    assert easy.stability == pytest.approx(50.0)


def test_learning_steps_are_configurable() -> None:
    cfg = SchedulerConfig(learning_steps=(2.0, 30.0), fuzz=False)
    again, good = run(cfg, [(Rating.AGAIN, timedelta(0)), (Rating.GOOD, None)])
    assert again.due - T0 == 2 * MIN
    assert good.due - again.due == 30 * MIN


def test_retrievability_is_the_desired_retention_when_due() -> None:
    _, graduated = run(FIXED, [(Rating.GOOD, timedelta(0)), (Rating.GOOD, DAY)])
    assert retrievability(FIXED, graduated, graduated.due) == pytest.approx(0.9, abs=0.01)
    assert graduated.last_review is not None
    assert retrievability(FIXED, graduated, graduated.last_review) == pytest.approx(1.0)
    assert retrievability(FIXED, CardState(NEW, T0), T0) == 0.0


def test_state_survives_a_round_trip_mid_schedule() -> None:
    """Reviewing a state read back from its dict gives exactly what reviewing the original gives."""
    for state in run(FIXED, [(Rating.GOOD, timedelta(0)), (Rating.HARD, None), (Rating.GOOD, DAY)]):
        copy = CardState.from_dict(state.to_dict())
        assert copy == state
        later = state.due + DAY
        assert review(FIXED, copy, Rating.GOOD, later) == review(FIXED, state, Rating.GOOD, later)


# -- CardState <-> dict -------------------------------------------------------

aware = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc))
floats = st.none() | st.floats(min_value=0.001, max_value=1e6, allow_nan=False)
states = st.builds(
    CardState,
    state=st.sampled_from([NEW, LEARNING, REVIEW, RELEARNING]),
    due=aware,
    stability=floats,
    difficulty=floats,
    step=st.none() | st.integers(min_value=0, max_value=5),
    last_review=st.none() | aware,
    reps=st.integers(min_value=0, max_value=10**6),
    lapses=st.integers(min_value=0, max_value=10**4),
)


@given(states)
def test_card_state_dict_round_trip(state: CardState) -> None:
    d = state.to_dict()
    assert set(d) == {"state", "due", "s", "d", "step", "last", "reps", "lapses"}
    assert CardState.from_dict(d) == state


@given(states)
def test_card_state_dict_survives_json(state: CardState) -> None:
    import json

    assert CardState.from_dict(json.loads(json.dumps(state.to_dict()))) == state

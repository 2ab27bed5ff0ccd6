"""Card rows: the snapshot's compact card states, and due times that compare as text."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legquiz.core import cards
from legquiz.core.cards import DUE, FIELDS, STATE, as_dict, check_rows, is_time, iso_time, row, to_utc, utc_text
from legquiz.srs import scheduler
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig, review

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_states_are_the_schedulers() -> None:
    assert (cards.NEW, cards.LEARNING, cards.REVIEW, cards.RELEARNING) == (
        scheduler.NEW, scheduler.LEARNING, scheduler.REVIEW, scheduler.RELEARNING,
    )  # fmt: skip


def test_row_and_dict_round_trip_a_card_state() -> None:
    after = review(SchedulerConfig(fuzz=False), None, Rating.GOOD, T0).to_dict()
    values = row(after)
    assert len(values) == len(FIELDS) and values[STATE] == after["state"] and values[DUE] == after["due"]
    assert as_dict(values) == after
    assert CardState.from_dict(as_dict(values)) == CardState.from_dict(after)


def test_row_keeps_due_in_utc_and_the_instant_unchanged() -> None:
    paris = timezone(timedelta(hours=1))
    card = CardState(2, T0.astimezone(paris), 3.0, 5.0, None, T0.astimezone(paris), 2, 0).to_dict()
    assert card["due"] == "2024-03-01T10:00:00+01:00"
    values = row(card)
    assert values[DUE] == "2024-03-01T09:00:00+00:00"
    assert CardState.from_dict(as_dict(values)) == CardState.from_dict(card)  # aware datetimes: same instants


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-01T09:00:00+00:00", True),
        ("2024-03-01T09:00:00.500000+00:00", True),
        ("2024-03-01T10:00:00+01:00", False),
        ("2024-03-01 09:00:00+00:00", False),
        ("2024-03-01T09:00:00.500+00:00", False),
        ("2024-03-01T09:00:00Z", False),
    ],
)
def test_is_utc_and_to_utc(text: str, utc: bool) -> None:
    assert cards.is_utc(text) is utc
    assert cards.is_utc(to_utc(text))
    assert datetime.fromisoformat(to_utc(text)) == iso_time(text)  # 3.10 reads no final Z
    assert is_time(text) and not is_time("yesterday") and not is_time(None)


ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5, minutes=30))])


@given(st.lists(st.datetimes(datetime(1990, 1, 1), datetime(2200, 1, 1), timezones=ZONES), max_size=30))
def test_due_times_sort_as_text_as_the_instants_do(times: list[datetime]) -> None:
    texts = [to_utc(t.isoformat()) for t in times]
    assert sorted(texts) == [utc_text(t) for t in sorted(times)]
    for a, b in zip(times, reversed(times), strict=True):
        assert (utc_text(a) < utc_text(b)) == (a < b) and (utc_text(a) == utc_text(b)) == (a == b)


def test_utc_text_of_an_instant_equals_the_row_of_the_same_instant() -> None:
    """A card due exactly now is due: `due <= now` holds as text too."""
    t = T0 + timedelta(microseconds=random.Random(1).randrange(1, 10**6))
    assert row(CardState(1, t).to_dict())[DUE] == utc_text(t)
    assert row(CardState(1, T0).to_dict())[DUE] == utc_text(T0)


def good() -> dict[str, Any]:
    return {
        "a/1": row(CardState(2, T0, 3.0, 5.0, None, T0, 1, 0).to_dict()),
        "a/2": row(CardState(1, T0 + timedelta(minutes=10), step=1).to_dict()),
    }


def test_check_rows_accepts_rows_as_they_are() -> None:
    rows = good()
    before = {k: list(v) for k, v in rows.items()}
    assert check_rows(rows) is None and rows == before


def test_check_rows_converts_old_dict_cards_and_other_offsets() -> None:
    rows = good()
    rows["a/3"] = CardState(2, T0, 3.0, 5.0, None, T0, 4, 1).to_dict()  # a snapshot from before rows
    rows["a/1"][DUE] = "2024-03-01T10:00:00+01:00"  # edited by hand
    assert check_rows(rows) is None
    assert rows["a/3"] == row(CardState(2, T0, 3.0, 5.0, None, T0, 4, 1).to_dict())
    assert rows["a/1"][DUE] == "2024-03-01T09:00:00+00:00"


@pytest.mark.parametrize(
    "bad",
    [7, "x", [], [0] * 8, [True, "2024-03-01T09:00:00+00:00", None, None, None, None, 0, 0], {"state": 1},
     [1, "soon", None, None, None, None, 0, 0], [1, "2024-03-01T09:00:00+00:00"]],
)  # fmt: skip
def test_check_rows_names_a_card_with_the_wrong_shape(bad: Any) -> None:
    rows = good()
    rows["a/bad"] = bad
    assert check_rows(rows) == "a/bad"

"""A card's state as the snapshot keeps it: one short list per question, its due time comparable as text.

The review log's records carry a card's state as a dict (``CardState.to_dict``,
documented in docs/store-format.md); the snapshot ``store.json`` and the
store in memory keep the same eight values as a list in a fixed order
(:data:`FIELDS`). With 10,000 questions that is the difference between
parsing and holding 10,000 eight-key dicts and 10,000 short lists: less than
half the time and 2 MB less (docs/performance.md). :func:`row` and
:func:`as_dict` convert between the two; the scheduler only ever sees dicts.

A row's due time is always in UTC, in the shape ``datetime.isoformat()``
gives it (``2024-03-01T09:00:00+00:00``, or with ``.ffffff`` before the
offset): :func:`row` converts any other offset. Such times sort as text
exactly as the instants they name (``...09:00:00+00:00`` <
``...09:00:00.500000+00:00`` because ``+`` sorts before ``.``), so the loops
over every card (the day's queue, stats, deck list) compare strings with
:func:`utc_text` of the instant they need instead of parsing a date per card.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, TypedDict, cast

# Times outside these years are refused where they come in (review CSVs, Anki packages): the day arithmetic
# (time zones, day starts, intervals of up to 100 years) must stay inside datetime's years 1-9999.
FIRST_YEAR, LAST_YEAR = 1900, 9899
FIELDS = ("state", "due", "s", "d", "step", "last", "reps", "lapses")
STATE, DUE, S, D, STEP, LAST, REPS, LAPSES = range(len(FIELDS))

# FSRS states, the same numbers as legquiz.scheduler's (tests/test_cards.py checks), so that
# readers of the snapshot (stats, deck list) need not import the scheduler.
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
# The scheduler's default steps (minutes, as Anki and py-fsrs), here so that settings need not import it.
DEFAULT_LEARNING_STEPS = (1.0, 10.0)
DEFAULT_RELEARNING_STEPS = (10.0,)


class CardStateDict(TypedDict):
    """A card's FSRS state, as the log keeps it (``CardState.to_dict``)."""

    state: int
    due: str
    s: float | None
    d: float | None
    step: int | None
    last: str | None
    reps: int
    lapses: int


Row = list[Any]  # a card's state as the snapshot keeps it: the values of FIELDS, in order

# Named reads of a row (C-speed itemgetters, for loops over every card): no module but this one
# indexes a row by position.
state_of: Any = itemgetter(STATE)
due_of: Any = itemgetter(DUE)
difficulty_of: Any = itemgetter(D)
lapses_of: Any = itemgetter(LAPSES)
scan_of: Any = itemgetter(STATE, DUE, D, LAPSES)  # what stats reads of every card, in one call


def deck_rows(cards: Mapping[str, Row], deck_id: str, ids: Sequence[str]) -> Iterator[Row | None]:
    """The row of each of a deck's question ids, in order (None: never answered), built without a key object per id."""
    return map(cards.get, map(f"{deck_id}/".__add__, ids))


def row(card: CardStateDict | Mapping[str, Any]) -> Row:
    """A card state dict (``CardState.to_dict``) as the snapshot's list, its due time in UTC."""
    return [
        card["state"], to_utc(card["due"]), card.get("s"), card.get("d"), card.get("step"), card.get("last"),
        card.get("reps", 0), card.get("lapses", 0),
    ]  # fmt: skip


def as_dict(values: Row) -> CardStateDict:
    """The snapshot's list as a card state dict (what ``CardState.from_dict`` and the log use)."""
    return cast("CardStateDict", dict(zip(FIELDS, values, strict=True)))


def is_utc(text: str) -> bool:
    """Whether an ISO time is already in the shape rows keep (UTC, as ``isoformat`` writes it)."""
    return (len(text) == 25 or len(text) == 32) and text[10] == "T" and text.endswith("+00:00")


def to_utc(text: str) -> str:
    """An ISO time with any UTC offset, in the shape rows keep (unchanged if it is already; no parsing then)."""
    return text if is_utc(text) else utc_text(iso_time(text))


def iso_time(text: str) -> datetime:
    """An ISO 8601 time as Python 3.11 reads it, on 3.10 too (which refuses a final ``Z``); ValueError if none."""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def utc_text(t: datetime) -> str:
    """An aware datetime in the shape rows keep, to compare with their due times."""
    return t.astimezone(timezone.utc).isoformat()


# Times and days a store may hold: far enough from year 1 and 9999 that adding or taking a scheduling interval,
# or moving to any time zone, cannot overflow (a due date in year 1 made stats and undo crash).
EARLIEST, LATEST = "1900", "9000"
_FIRST_YEAR, _LAST_YEAR = int(EARLIEST), int(LATEST)


def is_time(v: Any) -> bool:
    """Whether ``v`` is an ISO time with its UTC offset, in a year from :data:`EARLIEST` to before :data:`LATEST`.

    Without an offset a time means whatever the local zone is where it is read, and cannot be compared with
    the times legquiz writes (export and stats subtract them).
    """
    if type(v) is not str:
        return False
    try:
        t = datetime.fromisoformat(v)
    except ValueError:
        try:
            t = iso_time(v)  # a final Z, which Python 3.10 does not read
        except ValueError:
            return False
    return t.tzinfo is not None and _FIRST_YEAR <= t.year < _LAST_YEAR


def is_day(v: Any) -> bool:
    """Whether ``v`` is a study day as records keep it (``YYYY-MM-DD``), between :data:`EARLIEST` and :data:`LATEST`."""
    if not isinstance(v, str) or len(v) != 10:
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return EARLIEST <= v < LATEST


def _number_or_none(v: Any) -> bool:
    return v is None or (type(v) in (int, float) and math.isfinite(v))


MAX_COUNT = 2**31 - 1  # reps, lapses, a step: Anki keeps them in 32 bits, and no person answers more


def _whole(v: Any) -> bool:
    return type(v) is int and 0 <= v <= MAX_COUNT


def _good_row(card: Any) -> bool:
    """Every field of one row as :data:`FIELDS` says (its due time already in UTC)."""
    return (
        type(card) is list
        and len(card) == len(FIELDS)
        and card[STATE] in (NEW, LEARNING, REVIEW, RELEARNING)
        and type(card[STATE]) is int
        and is_time(card[DUE])
        and _number_or_none(card[S])
        and _number_or_none(card[D])
        and (card[STEP] is None or _whole(card[STEP]))
        and (card[LAST] is None or is_time(card[LAST]))
        and _whole(card[REPS])
        and _whole(card[LAPSES])
    )


def check_rows(cards: dict[str, Any]) -> str | None:
    """The key of a card with the wrong shape, or None; cards (read from a snapshot) are brought to :func:`row`'s shape.

    The common case is checked a column at a time (``map`` runs at C speed: no
    Python call per card), which matters with 10,000 cards on the way to the
    first question. Otherwise each card is checked, and converted where it
    can be: a due time with another UTC offset (a hand edit), or a dict (the
    shape of snapshots before cards were lists; nothing was released in that
    shape, but a developer's own store may have it). Rows from the snapshot
    cache are not checked again (``StoreState.from_json``'s ``cached``).
    """
    values = cards.values()
    if (
        set(map(type, values)) <= {list}
        and set(map(len, values)) <= {len(FIELDS)}
        and {type(c[STATE]) for c in values} <= {int}
        and set(map(state_of, values)) <= {NEW, LEARNING, REVIEW, RELEARNING}
        and {type(c[DUE]) for c in values} <= {str}
        and _all_utc(values)
        and _all_fields(values)
    ):
        return None
    for key, card in cards.items():
        try:
            if type(card) is dict:
                card = cards[key] = row(card)
            if type(card) is not list or len(card) != len(FIELDS):
                return key
            card[DUE] = to_utc(card[DUE])
            if not _good_row(card):
                return key
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            return key
    return None


def _all_fields(values: Any) -> bool:
    """The other columns, a column at a time: times in range (and read as dates), numbers finite, counts whole."""
    if not values:
        return True
    dues = list(map(itemgetter(DUE), values))
    numbers = [v for v in chain(map(itemgetter(S), values), map(itemgetter(D), values)) if v is not None]
    lasts = [v for v in map(itemgetter(LAST), values) if v is not None]
    whole = list(chain(map(itemgetter(REPS), values), map(itemgetter(LAPSES), values)))
    steps = [v for v in map(itemgetter(STEP), values) if v is not None]
    return (
        min(dues) >= EARLIEST and max(dues) < LATEST
        and set(map(type, numbers)) <= {int, float}
        and all(map(math.isfinite, numbers))
        and set(map(type, whole + steps)) <= {int}
        and min(whole + steps, default=0) >= 0
        and max(whole + steps, default=0) <= MAX_COUNT
        and set(map(type, lasts)) <= {str}
        and set(map(len, lasts)) <= {25, 32}
        and all(map(str.endswith, lasts, repeat("+00:00")))
        and min(lasts, default=EARLIEST) >= EARLIEST and max(lasts, default=EARLIEST) < LATEST
        and all(map(is_time, chain(dues, lasts)))
    )  # fmt: skip


def _all_utc(values: Any) -> bool:
    """Whether every row's due time is already in UTC (see :func:`is_utc`), checked a column at a time."""
    return (
        set(map(len, map(itemgetter(DUE), values))) <= {25, 32}
        and set(map(itemgetter(10), map(itemgetter(DUE), values))) <= {"T"}
        and all(map(str.endswith, map(itemgetter(DUE), values), repeat("+00:00")))
    )

"""Progress as data: the snapshot's state and how each log record changes it.

Pure: no files, no clock. storage/store.py reads and writes these to disk; storage/doctor.py
replays them; core/stats.py reads the state. Keeping the rules for applying and
undoing a record in one place is what makes replay, undo and repair agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, starmap
from typing import Any

from legquiz.core.cards import Row, check_rows, is_day, row
from legquiz.core.records import Answer, Record, SyncRecord, Undoable, parse_record
from legquiz.errors import NewerFormat, StoreError

FORMAT = 1
UNDO_DEPTH = 100


@dataclass(slots=True)
class DayCount:
    """What happened on one study day (kept on disk as a list of five numbers, in this order)."""

    answers: int = 0
    correct: int = 0
    introduced: int = 0  # new questions seen for the first time
    review_answers: int = 0  # answers that count for true retention
    review_correct: int = 0

    def to_json(self) -> list[int]:
        return [self.answers, self.correct, self.introduced, self.review_answers, self.review_correct]

    @classmethod
    def from_json(cls, v: list[int]) -> DayCount:
        return cls(*v[:5])  # more than five: a newer legquiz's extra columns, kept out

    def add(self, rec: Answer, sign: int) -> None:
        """Count (sign 1) or take back (sign -1) one answer."""
        correct = rec["rating"] > 1
        self.answers += sign
        self.correct += sign * correct
        self.introduced += sign * rec["first"]
        if rec["counted"]:
            self.review_answers += sign
            self.review_correct += sign * correct

    def include(self, other: DayCount) -> None:
        """Add another day's counts to these (several decks' counts for one day)."""
        self.answers += other.answers
        self.correct += other.correct
        self.introduced += other.introduced
        self.review_answers += other.review_answers
        self.review_correct += other.review_correct

    def __bool__(self) -> bool:  # (called for every answer applied: no list built)
        return bool(self.answers or self.correct or self.introduced or self.review_answers or self.review_correct)


@dataclass
class StoreState:
    """Everything the snapshot holds; the log tail is applied on top of it."""

    seq: int = 0
    log_bytes: int = 0
    log_lines: int = 0
    cards: dict[str, Row] = field(default_factory=dict)  # "deck/qid" -> a card row (core/cards.py)
    days: dict[str, DayCount] = field(default_factory=dict)
    undo: list[Undoable] = field(default_factory=list)  # answers and reschedulings that can be taken back
    # the same per-day counts split by deck id, so stats can show one deck without reading the log
    deck_days: dict[str, dict[str, DayCount]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seq": self.seq,
            "log": {"bytes": self.log_bytes, "lines": self.log_lines},
            "cards": self.cards,
            "days": {d: c.to_json() for d, c in self.days.items()},
            "undo": self.undo,
            "deck_days": {k: {d: c.to_json() for d, c in rows.items()} for k, rows in self.deck_days.items()},
        }

    @classmethod
    def from_json(cls, raw: Any, where: str, *, cached: bool = False) -> StoreState:
        """The state a parsed snapshot holds, every field checked.

        ``cached``: read from the snapshot cache (speed/snapshot_cache.py), which legquiz writes only from a
        snapshot that passed these checks (or from the state it made of checked records) and uses only for the
        exact bytes of ``store.json`` it was made from. Its structure is checked, but not each card, day and
        undo entry again: that took ~10 ms of every ``stats`` and start with 10,000 cards (docs/performance.md).
        """

        def bad(msg: str) -> StoreError:
            return StoreError(f"{where}: {msg}; run 'legquiz doctor' to repair it from the review log or a backup")

        if not isinstance(raw, dict):
            raise bad("not a JSON object")
        fmt = raw.get("format")
        if not isinstance(fmt, int) or isinstance(fmt, bool):
            raise bad("'format' is missing or not a number")
        if fmt > FORMAT:
            raise NewerFormat(
                f"{where}: written by a newer legquiz (store format {fmt}; this one reads {FORMAT}); "
                "upgrade legquiz, the file was left untouched"
            )
        try:
            log = raw["log"]
            st = cls(
                seq=_int(raw["seq"]),
                log_bytes=_int(log["bytes"]),
                log_lines=_int(log["lines"]),
                cards=_obj(raw["cards"]),
                days=_day_counts(_obj(raw["days"]), cached),
                undo=_list(raw.get("undo", [])) if cached else [_undoable(r) for r in raw.get("undo", [])],
                deck_days={
                    str(d): _day_counts(dict(rows), cached) for d, rows in dict(raw.get("deck_days", {})).items()
                },
            )
        except (KeyError, TypeError, ValueError, OverflowError) as e:
            raise bad(f"wrong or missing field ({e.__class__.__name__}: {e})") from None
        wrong = None if cached else check_rows(st.cards)
        if wrong is not None:
            raise bad(f"card '{wrong}' has the wrong shape")
        return st


def _undoable(v: Any) -> Undoable:
    rec = parse_record(v)
    if rec["op"] == "review" or rec["op"] == "reschedule":
        return rec
    raise ValueError(f"an undo entry that is an {rec['op']} (only answers and reschedulings are undone)")


def _day_counts(rows: dict[Any, Any], cached: bool = False) -> dict[str, DayCount]:
    """Per-day counts as read: each a list of (at least) five whole numbers, for a day (not checked if ``cached``)."""
    counts = rows.values()
    if cached:
        try:
            return dict(zip(rows, starmap(DayCount, counts), strict=True))
        except TypeError:
            pass  # not five numbers each (a newer legquiz's extra columns, kept in the cache): read as below
    if not all(map(is_day, rows)):  # stats reads each as a date
        raise ValueError(f"a per-day count for {str(next(k for k in rows if not is_day(k)))[:20]!r}, not a day")
    if not (
        set(map(type, rows)) <= {str}
        and set(map(type, counts)) <= {list}
        and set(map(len, counts)) <= {5}
        and set(map(type, chain.from_iterable(counts))) <= {int}
    ):
        if any(not isinstance(v, list) or len(v) < 5 for v in counts):
            raise ValueError("a per-day count has the wrong shape")
        if any(type(x) is not int for v in counts for x in v[:5]):
            raise ValueError("a per-day count is not a day's whole numbers")
        rows = {str(k): [int(x) for x in v] for k, v in rows.items()}
        return {k: DayCount.from_json(v) for k, v in rows.items()}
    return dict(zip(rows, starmap(DayCount, counts), strict=True))  # five whole numbers each: built at C speed


def _list(v: Any) -> list[Any]:
    if type(v) is not list:
        raise TypeError(f"expected a JSON array, got {type(v).__name__}")
    return v


def _obj(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):  # dict() would turn a list of pairs into one
        raise TypeError(f"expected a JSON object, got {type(v).__name__}")
    return v


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"expected a whole number, got {v!r}")
    return v


def apply(state: StoreState, rec: Record) -> None:
    """Apply one checked record to the state (the only place records take effect).

    Everything is checked before anything changes, so a record that does not fit raises ValueError
    and leaves the state as it was.
    """
    if rec["op"] == "undo":
        _unapply(state, rec["target"])
    elif rec["op"] == "sync":  # legquiz sync: absolute values from the replay of every device's answers
        _set_synced(state, rec)
    elif rec["op"] == "reschedule":  # legquiz optimize --apply: new schedules, no answer to count
        for key, change in rec["cards"].items():
            state.cards[key] = row(change["after"])
        state.undo.append(rec)
        del state.undo[:-UNDO_DEPTH]
    else:
        replaces = rec.get("replaces") if rec["op"] == "review" else None
        if replaces is not None:
            _unapply(state, replaces)
        state.cards[rec["card"]] = row(rec["after"])
        _tally(state, rec, 1)
        if rec["op"] == "import":
            state.undo.clear()  # an imported answer cannot be undone, nor one before it (records.ImportRecord)
        else:
            state.undo.append(rec)
            del state.undo[:-UNDO_DEPTH]
    state.seq = rec["seq"]


def _set_synced(state: StoreState, rec: SyncRecord) -> None:
    for key, card in rec["cards"].items():
        if card is None:
            state.cards.pop(key, None)
        else:
            state.cards[key] = row(card)
    _set_days(state.days, rec["days"])
    for deck, rows in rec["deck_days"].items():
        counts = state.deck_days.setdefault(deck, {})
        _set_days(counts, rows)
        if not counts:
            del state.deck_days[deck]


def _set_days(counts: dict[str, DayCount], rows: dict[str, list[int] | None]) -> None:
    for day, v in rows.items():
        if v is None:
            counts.pop(day, None)
        else:
            counts[day] = DayCount.from_json(v)


def _unapply(state: StoreState, target: int) -> None:
    if not state.undo or state.undo[-1]["seq"] != target:
        raise ValueError(f"undo of answer {target}, which is not the last undoable answer")
    rec = state.undo.pop()
    if rec["op"] == "reschedule":
        for key, change in rec["cards"].items():
            state.cards[key] = row(change["before"])
        return
    if rec["before"] is None:
        state.cards.pop(rec["card"], None)
    else:
        state.cards[rec["card"]] = row(rec["before"])
    _tally(state, rec, -1)


def _tally(state: StoreState, rec: Answer, sign: int) -> None:
    """Add (sign 1) or take back (sign -1) one answer in the day's counts, in all and for its deck."""
    deck = rec["card"].split("/", 1)[0]
    rows = state.deck_days.setdefault(deck, {})
    key = rec["day"]
    for counts in (state.days, rows):
        day = counts.get(key)
        if day is None:
            day = counts[key] = DayCount()
        day.add(rec, sign)
        if sign < 0 and not day:
            del counts[key]
    if not rows:
        del state.deck_days[deck]

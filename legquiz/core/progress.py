"""Progress as data: the snapshot's state and how each log record changes it.

Pure: no files, no clock. storage/store.py reads and writes these to disk; storage/doctor.py
replays them; core/stats.py reads the state. Keeping the rules for applying and
undoing a record in one place is what makes replay, undo and repair agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

from legquiz.core.cards import check_rows, is_time, row
from legquiz.errors import StoreError

if TYPE_CHECKING:
    from legquiz.srs.scheduler import CardState

FORMAT = 1
UNDO_DEPTH = 100

# days[day] = [answers, correct, new cards introduced, review answers, review answers correct]
N, OK, NEW, RN, ROK = range(5)


@dataclass
class StoreState:
    """Everything the snapshot holds; the log tail is applied on top of it."""

    seq: int = 0
    log_bytes: int = 0
    log_lines: int = 0
    cards: dict[str, list[Any]] = field(default_factory=dict)  # "deck/qid" -> a list in cards.FIELDS order
    days: dict[str, list[int]] = field(default_factory=dict)
    undo: list[dict[str, Any]] = field(default_factory=list)
    # the same per-day counts split by deck id, so stats can show one deck without reading the log
    deck_days: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seq": self.seq,
            "log": {"bytes": self.log_bytes, "lines": self.log_lines},
            "cards": self.cards,
            "days": self.days,
            "undo": self.undo,
            "deck_days": self.deck_days,
        }

    @classmethod
    def from_json(cls, raw: Any, where: str, *, utc: bool = False) -> StoreState:
        """The state a parsed snapshot holds, every field checked (``utc``: see :func:`legquiz.core.cards.check_rows`)."""

        def bad(msg: str) -> StoreError:
            return StoreError(f"{where}: {msg}; run 'legquiz doctor' to repair it from the review log or a backup")

        if not isinstance(raw, dict):
            raise bad("not a JSON object")
        fmt = raw.get("format")
        if not isinstance(fmt, int) or isinstance(fmt, bool):
            raise bad("'format' is missing or not a number")
        if fmt > FORMAT:
            raise StoreError(
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
                days=_day_counts(_obj(raw["days"])),
                undo=list(raw.get("undo", [])),
                deck_days={str(d): _day_counts(dict(rows)) for d, rows in dict(raw.get("deck_days", {})).items()},
            )
        except (KeyError, TypeError, ValueError) as e:
            raise bad(f"wrong or missing field ({e.__class__.__name__}: {e})") from None
        wrong = check_rows(st.cards, utc=utc)
        if wrong is not None:
            raise bad(f"card '{wrong}' has the wrong shape")
        for day in [*st.days.values(), *(r for rows in st.deck_days.values() for r in rows.values())]:
            if len(day) != 5:
                raise bad("a per-day count has the wrong shape")
        return st


def _day_counts(rows: dict[Any, Any]) -> dict[str, list[int]]:
    """Per-day counts as read; checked a column at a time when they are already lists of five whole numbers."""
    counts = rows.values()
    if (
        set(map(type, rows)) <= {str}
        and set(map(type, counts)) <= {list}
        and set(map(len, counts)) <= {5}
        and set(map(type, chain.from_iterable(counts))) <= {int}
    ):
        return rows
    return {str(k): [int(x) for x in v][:5] for k, v in rows.items()}  # converted (more than five: a newer legquiz)


def _obj(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):  # dict() would turn a list of pairs into one
        raise TypeError(f"expected a JSON object, got {type(v).__name__}")
    return v


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"expected a whole number, got {v!r}")
    return v


REVIEW_KEYS = {"card": str, "rating": int, "day": str, "first": bool, "counted": bool, "after": dict}


def check_record(rec: Any) -> str:
    """Why ``rec`` cannot be applied (empty if it can): checked first, so apply never half-applies."""
    if not isinstance(rec, dict):
        return "not a JSON object"
    if not isinstance(rec.get("seq"), int) or isinstance(rec.get("seq"), bool):
        return "no record number"
    op = rec.get("op")
    if op == "undo":
        return "" if isinstance(rec.get("target"), int) else "undo without a target"
    if op != "review":
        return f"unknown kind of record {str(op)[:20]!r}"
    for key, kind in REVIEW_KEYS.items():
        if not isinstance(rec.get(key), kind) or (kind is int and isinstance(rec.get(key), bool)):
            return f"'{key}' is missing or of the wrong type"
    if rec.get("before") is not None and not isinstance(rec["before"], dict):
        return "'before' is of the wrong type"
    for side in ("before", "after"):
        card = rec.get(side)
        if card is not None and not (isinstance(card.get("state"), int) and is_time(card.get("due"))):
            return f"'{side}' is not a card state"
    if rec.get("replaces") is not None and not isinstance(rec["replaces"], int):
        return "'replaces' is of the wrong type"
    return ""


def review_record(
    card: str,
    before: CardState | None,
    after: CardState,
    rating: int,
    now: datetime,
    day_of: Callable[[datetime], str],
    *,
    ms: int,
    verdict: str,
    answer: str | None,
) -> dict[str, Any]:
    """One answer as the log keeps it (without ``seq``, which the store adds).

    ``first`` (the card was new) and ``counted`` (a review answer for true
    retention: not a first answer, not a second answer on the same study day)
    are decided here once, for every writer of answers.
    """
    # imported here, not at the top: `stats --json` imports this module and need not load the scheduler
    from legquiz.srs.scheduler import NEW as NEW_CARD

    day = day_of(now)
    first = before is None or before.state == NEW_CARD
    counted = not first and before is not None and before.last_review is not None and day_of(before.last_review) != day
    return {
        "op": "review",
        "card": card,
        "rating": int(rating),
        "at": now.isoformat(),
        "day": day,
        "ms": ms,
        "first": first,
        "counted": counted,
        "verdict": verdict,
        "answer": answer,
        "before": before.to_dict() if before else None,
        "after": after.to_dict(),
    }


def apply(state: StoreState, rec: dict[str, Any]) -> None:
    """Apply one log record to the state (the only place records take effect).

    The record is checked whole first, so a malformed one raises before anything changes.
    """
    problem = check_record(rec)
    if problem:
        raise ValueError(problem)
    op = rec.get("op")
    if op == "undo":
        _unapply(state, int(rec["target"]))
    elif op == "review":
        if rec.get("replaces") is not None:
            _unapply(state, int(rec["replaces"]))
        state.cards[str(rec["card"])] = row(rec["after"])
        day = state.days.setdefault(str(rec["day"]), [0, 0, 0, 0, 0])
        correct = int(rec["rating"]) > 1
        day[N] += 1
        day[OK] += correct
        day[NEW] += bool(rec["first"])
        if rec["counted"]:
            day[RN] += 1
            day[ROK] += correct
        _tally_deck(state, rec, 1)
        state.undo.append(rec)
        del state.undo[:-UNDO_DEPTH]
    else:
        raise ValueError(f"unknown op {op!r}")
    state.seq = int(rec["seq"])


def _unapply(state: StoreState, target: int) -> None:
    if not state.undo or int(state.undo[-1]["seq"]) != target:
        raise ValueError(f"undo of answer {target}, which is not the last undoable answer")
    rec = state.undo.pop()
    key = str(rec["card"])
    if rec["before"] is None:
        state.cards.pop(key, None)
    else:
        state.cards[key] = row(rec["before"])
    day = state.days[str(rec["day"])]
    correct = int(rec["rating"]) > 1
    day[N] -= 1
    day[OK] -= correct
    day[NEW] -= bool(rec["first"])
    if rec["counted"]:
        day[RN] -= 1
        day[ROK] -= correct
    if not any(day):
        del state.days[str(rec["day"])]
    _tally_deck(state, rec, -1)


def _tally_deck(state: StoreState, rec: dict[str, Any], sign: int) -> None:
    """Add (sign 1) or take back (sign -1) one answer in its deck's per-day counts."""
    deck = str(rec["card"]).split("/", 1)[0]
    rows = state.deck_days.setdefault(deck, {})
    day = rows.setdefault(str(rec["day"]), [0, 0, 0, 0, 0])
    correct = int(rec["rating"]) > 1
    counted = bool(rec["counted"])
    for i, n in ((N, 1), (OK, correct), (NEW, bool(rec["first"])), (RN, counted), (ROK, counted and correct)):
        day[i] += sign * n
    if not any(day):
        del rows[str(rec["day"])]
        if not rows:
            del state.deck_days[deck]

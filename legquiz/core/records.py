"""The saved forms of progress, typed: a card's state, an answer, an undo, a rescheduling.

Each is a TypedDict because that is what JSON gives back and what the log
writes: no conversion on the hot path, and mypy still knows every key. A
record read from disk becomes one of these only through :func:`parse_record`,
which checks every field first, so the rules that apply records never meet a
half-valid one. The formats are documented in docs/store-format.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from legquiz.core.cards import MAX_COUNT, NEW, CardStateDict, is_day, is_time

if TYPE_CHECKING:
    from legquiz.srs.scheduler import CardState


class _ReviewOptional(TypedDict, total=False):
    replaces: int  # the seq of the answer this one re-rates (picked another rating at the menu)


class _Answer(TypedDict):
    """The fields every answer has, given here or imported."""

    seq: int
    card: str
    rating: int
    at: str
    day: str
    ms: int
    first: bool
    counted: bool
    verdict: str
    answer: str | None
    before: CardStateDict | None
    after: CardStateDict


class ReviewRecord(_Answer, _ReviewOptional):
    """One answer. ``first``: the card was new; ``counted``: it counts for true retention."""

    op: Literal["review"]


class ImportRecord(_Answer):
    """An answer given in another program (``legquiz import anki``): an answer's fields plus where it came from.

    ``ext_id`` is its id there (Anki's review id), so importing the same history again adds nothing twice. It
    counts like an answer but cannot be undone, and it empties the undo stack (an answer before it, taken back,
    would overwrite the imported state).
    """

    op: Literal["import"]
    ext_from: str
    ext_id: int


class UndoRecord(TypedDict):
    """Takes back the answer numbered ``target`` (it must be the last undoable one)."""

    seq: int
    op: Literal["undo"]
    target: int


class RescheduleChange(TypedDict):
    before: CardStateDict
    after: CardStateDict


class RescheduleRecord(TypedDict):
    """New schedules for cards after `legquiz optimize --apply` (legquiz/srs/reschedule.py); undoable like an answer.

    ``previous``: the ``parameters`` setting before (None: the defaults), which `legquiz undo` puts back.
    """

    seq: int
    op: Literal["reschedule"]
    at: str
    parameters: list[float]
    previous: list[float] | None
    cards: dict[str, RescheduleChange]


class ForeignRecord(TypedDict):
    """An answer or undo another device published (legquiz/sync): its identity is ``dev`` + ``rec["seq"]``."""

    dev: str
    rec: ReviewRecord | ImportRecord | UndoRecord


class _SyncOptional(TypedDict, total=False):
    sched: str  # a fingerprint of the scheduler settings the replay used (legquiz/sync/run.py)


class SyncRecord(_SyncOptional):
    """What one ``legquiz sync`` took in (docs/sync.md): the other devices' new records, and the state they make.

    ``cards``, ``days`` and ``deck_days`` hold absolute values (None: removed) for what changed when every
    answer, from here and from the others, was replayed in time order; applying it sets them.
    """

    seq: int
    op: Literal["sync"]
    at: str
    got: list[ForeignRecord]
    cards: dict[str, CardStateDict | None]
    days: dict[str, list[int] | None]
    deck_days: dict[str, dict[str, list[int] | None]]


Record = ReviewRecord | UndoRecord | ImportRecord | RescheduleRecord | SyncRecord
Answer = ReviewRecord | ImportRecord  # what counts as an answer: given here or imported
Undoable = ReviewRecord | RescheduleRecord  # what the undo stack holds (imported answers are not undone)

_ANSWER_KEYS = (("card", str), ("rating", int), ("day", str), ("ms", int), ("first", bool), ("counted", bool))
_IMPORT_KEYS = (("ext_from", str), ("ext_id", int))
_OK_STATES = frozenset((NEW, 1, 2, 3))


def _whole(v: Any) -> bool:
    return type(v) is int


def problem(rec: Any) -> str:
    """Why ``rec`` is not a record legquiz can apply (empty if it is).

    Every field a reader uses is checked here (stats, undo, optimize, export
    and doctor read nothing else), so a record that passes cannot make any of
    them fail: a rating outside 1-4, a day or time that is not one, or a
    number that is not finite is refused here, once, for all of them. (Written
    for speed: ``doctor`` runs it on every line of a million-answer log.)
    """
    if type(rec) is not dict:
        return "not a JSON object"
    seq = rec.get("seq")
    if type(seq) is not int or seq < 1:
        return "no record number"
    op = rec.get("op")
    if op == "undo":
        return "" if type(rec.get("target")) is int else "undo without a target"
    if op == "reschedule":
        return _reschedule_problem(rec)
    if op == "sync":
        return _sync_problem(rec)
    if op != "review" and op != "import":
        return f"unknown kind of record {str(op)[:20]!r}"
    for key, kind in _ANSWER_KEYS if op == "review" else _ANSWER_KEYS + _IMPORT_KEYS:
        if type(rec.get(key)) is not kind:
            return f"'{key}' is missing or of the wrong type"
    if type(rec.get("after")) is not dict:
        return "'after' is missing or of the wrong type"
    if not 1 <= rec["rating"] <= 4:
        return "'rating' is not 1-4"
    if not 0 <= rec["ms"] <= MAX_COUNT:
        return "'ms' is negative or too large"
    if op == "import" and not 0 <= rec["ext_id"] < 2**63:
        return "'ext_id' is out of range"
    if "/" not in rec["card"]:
        return "'card' is not DECK/QUESTION"
    if not is_day(rec["day"]):
        return "'day' is not a date"
    if not is_time(rec.get("at")):
        return "'at' is missing or not a time"
    verdict, answer = rec.get("verdict", ""), rec.get("answer")
    if type(verdict) is not str or not (answer is None or type(answer) is str):
        return "'verdict' or 'answer' is of the wrong type"
    if "before" not in rec:
        return "'before' is missing"
    before = rec["before"]
    if before is not None and not is_state(before):
        return "'before' is not a card state"
    if not is_state(rec["after"]):
        return "'after' is not a card state"
    replaces = rec.get("replaces")
    if replaces is not None and (op == "import" or type(replaces) is not int):
        return "'replaces' is of the wrong type"
    return ""


def _is_number(v: Any) -> bool:
    """A number the scheduler and stats can compute with: finite, and not so large that a float overflows."""
    kind = type(v)
    return (kind is float or kind is int) and -1e300 < v < 1e300  # (NaN fails both comparisons)


_STATE_KEYS = frozenset(("state", "due", "s", "d", "step", "last", "reps", "lapses"))


def is_state(card: Any) -> bool:
    """Whether ``card`` is a card state every reader can use (``CardState.to_dict``'s form; all but two keys optional)."""
    if type(card) is not dict:
        return False
    if card.keys() == _STATE_KEYS:  # the form legquiz writes: every key there
        state, due, s, d, step, last, reps, lapses = (
            card["state"], card["due"], card["s"], card["d"], card["step"], card["last"], card["reps"], card["lapses"]
        )  # fmt: skip
    else:
        get = card.get
        state, due, s, d, step, last, reps, lapses = (
            get("state"), get("due"), get("s"), get("d"), get("step"), get("last"), get("reps", 0), get("lapses", 0)
        )  # fmt: skip
    return (
        type(state) is int
        and state in _OK_STATES
        and is_time(due)
        and (s is None or _is_number(s))
        and (d is None or _is_number(d))
        and (step is None or (type(step) is int and 0 <= step <= MAX_COUNT))
        and (last is None or is_time(last))
        and type(reps) is int
        and 0 <= reps <= MAX_COUNT
        and type(lapses) is int
        and 0 <= lapses <= MAX_COUNT
    )


def _reschedule_problem(rec: dict[str, Any]) -> str:
    if not is_time(rec.get("at")):
        return "'at' is missing or not a time"
    cards = rec.get("cards")
    if not isinstance(cards, dict):
        return "'cards' is missing or of the wrong type"
    for key, change in cards.items():
        if not (isinstance(change, dict) and is_state(change.get("before")) and is_state(change.get("after"))):
            return f"card '{str(key)[:60]}' has no state before or after"
    for key in ("parameters", "previous"):
        v = rec.get(key)
        if v is not None and not (type(v) is list and all(map(_is_number, v))):
            return f"'{key}' is not a list of numbers"
    return ""


def foreign_problem(obj: Any) -> str:
    """Why ``obj`` is not another device's answer or undo (empty if it is)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("dev"), str) or not obj["dev"]:
        return "no device id"
    rec: Any = obj.get("rec")
    why = problem(rec)
    if why:
        return why
    if rec["op"] not in ("review", "import", "undo"):
        return f"a {rec['op']} record does not travel"
    return ""


def _counts(v: Any) -> bool:
    return v is None or (isinstance(v, list) and len(v) >= 5 and all(_whole(x) for x in v))


def _sync_problem(rec: dict[str, Any]) -> str:
    if not is_time(rec.get("at")):
        return "'at' is missing or not a time"
    got, cards, days, deck_days = rec.get("got"), rec.get("cards"), rec.get("days"), rec.get("deck_days")
    if not isinstance(got, list) or not isinstance(cards, dict):
        return "'got' or 'cards' is missing or of the wrong type"
    if not isinstance(days, dict) or not isinstance(deck_days, dict):
        return "'days' or 'deck_days' is missing or of the wrong type"
    for g in got:
        why = foreign_problem(g)
        if why:
            return f"a received record is damaged ({why})"
    if not all(v is None or is_state(v) for v in cards.values()):
        return "a card state is damaged"
    if not all(_counts(v) for v in days.values()) or not all(
        isinstance(rows, dict) and all(_counts(v) for v in rows.values()) for rows in deck_days.values()
    ):
        return "a day count is damaged"
    return ""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number legquiz keeps")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]  # set in __init__
_SPACE = (" ", "\t", "\n", "\r")


def loads(raw: bytes | str) -> Any:
    """JSON as the store's files are read: ValueError for what no legquiz wrote.

    That covers ``NaN`` and ``Infinity`` (Python's JSON takes them, then a
    count or an interval overflows) and nesting too deep to parse (Python's
    parser raises RecursionError, which must not reach the person as a
    traceback). Every reader of ``store.json``, ``reviews.jsonl`` and the
    backups goes through here.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if text[:1] in _SPACE:
            text = text.lstrip(" \t\n\r")
        obj, end = _SCAN(text, 0)  # the C scanner: the work of json.loads without its per-call set-up
        if end != len(text) and text[end:].strip(" \t\n\r"):
            raise ValueError(f"extra data at character {end}")
        return obj
    except StopIteration as e:
        raise ValueError(f"no JSON value at character {e.value}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 ({e.reason})") from None


def parse_record(obj: Any) -> Record:
    """``obj`` (parsed JSON) as a record; ValueError says why it is not one."""
    why = problem(obj)
    if why:
        raise ValueError(why)
    rec: Record = obj
    return rec


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
) -> ReviewRecord:
    """One answer as the log keeps it; ``seq`` is 0 until the store numbers it.

    ``first`` (the card was new) and ``counted`` (a review answer for true
    retention: not a first answer, not a second answer on the same study day)
    are decided here once, for every writer of answers.
    """
    day = day_of(now)
    first = before is None or before.state == NEW
    counted = not first and before is not None and before.last_review is not None and day_of(before.last_review) != day
    return {
        "seq": 0,
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


def import_record(answer: ReviewRecord, ext_from: str, ext_id: int) -> ImportRecord:
    """An answer given in another program, built like one given here (:func:`review_record`)."""
    a = answer
    return {
        "seq": a["seq"], "op": "import", "card": a["card"], "rating": a["rating"], "at": a["at"], "day": a["day"],
        "ms": a["ms"], "first": a["first"], "counted": a["counted"], "verdict": a["verdict"], "answer": a["answer"],
        "before": a["before"], "after": a["after"], "ext_from": ext_from, "ext_id": ext_id,
    }  # fmt: skip


def undo_record(target: int) -> UndoRecord:
    """Taking back answer ``target``; ``seq`` is 0 until the store numbers it."""
    return {"seq": 0, "op": "undo", "target": target}

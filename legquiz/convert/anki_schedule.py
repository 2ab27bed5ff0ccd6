"""Put legquiz's progress into a package genanki wrote: each card's schedule and its review history.

genanki writes every card as new and has no review log, so ``export apkg
--with-progress`` lets genanki write the collection, then fills in, in that
same private SQLite file before it is zipped: each answered card's Anki type,
queue, due, interval, reps, lapses and FSRS memory state (``data``: ``s``,
``d``, ``lrt``, as Anki keeps them), and one ``revlog`` row per answer that
still stands. Anki moves a review card's due day from the package's "today"
to its own when importing, so due days are written relative to the package's
today. Answers imported from Anki keep Anki's review id, so the history goes
back without duplicates.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from legquiz.core.cards import LEARNING, NEW, RELEARNING, REVIEW, CardStateDict, Row, as_dict
from legquiz.core.model import Deck
from legquiz.core.records import Answer
from legquiz.core.settings import DayClock

DAY = 86_400
ANKI_TYPE = {LEARNING: 1, REVIEW: 2, RELEARNING: 3}
REVLOG_TYPE = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}  # by the state before the answer


@dataclass
class Schedule:
    """What of legquiz's progress goes into the package (one deck's share of it)."""

    cards: dict[str, Row]  # question id -> the snapshot's card row
    answers: dict[str, list[Answer]]  # question id -> its standing review/import records, oldest first
    learning_steps: int  # how many learning steps legquiz uses (Anki's "left")
    days: DayClock
    now: datetime


def by_question(answers: Iterable[Answer], deck_id: str) -> dict[str, list[Answer]]:
    """The answers of ``deck_id`` among ``answers`` (the standing ones, oldest first: on a synced home every
    device's, sync/answers.py), by question id."""
    out: dict[str, list[Answer]] = {}
    prefix = f"{deck_id}/"
    for rec in answers:
        card = str(rec["card"])
        if card.startswith(prefix):
            out.setdefault(card[len(prefix) :], []).append(rec)
    return out


def fill(db: Path, d: Deck, guid_of: dict[str, str], sched: Schedule) -> int:
    """Write the schedule and history of ``d``'s answered cards into the collection ``db``; cards filled in."""
    con = sqlite3.connect(db)
    try:
        (crt, conf) = con.execute("SELECT crt, conf FROM col").fetchone()
        # genanki's collection says nothing of its scheduler, so Anki takes it for the v1 scheduler and renumbers
        # the buttons of learning answers (v1 had three) when importing: say it is v2, whose buttons are legquiz's
        con.execute("UPDATE col SET conf = ?", (json.dumps({**json.loads(conf), "schedVer": 2}),))
        today = anki_today(crt, int(json.loads(conf).get("rollover", 4)), sched.now.astimezone())
        today_day = _day(sched.days, sched.now)
        cid_of = {
            guid: cid for guid, cid in con.execute("SELECT n.guid, c.id FROM cards c JOIN notes n ON c.nid = n.id")
        }
        used: set[int] = set()
        filled = 0
        for q in d.questions:
            row = sched.cards.get(q.id)
            cid = cid_of.get(guid_of[q.id])
            if row is None or cid is None or row[0] == NEW:
                continue
            state = _State.of(as_dict(row))
            _card(con, cid, state, today + _day(sched.days, state.due) - today_day, sched)
            _revlog(con, cid, sched.answers.get(q.id, []), used, sched.days)
            filled += 1
        con.commit()
        return filled
    finally:
        con.close()


def anki_today(crt: int, rollover: int, now: datetime) -> int:
    """The package's "today" as Anki counts it for a v2 collection without a creation offset (genanki's).

    Days since the day of ``crt`` at the rollover hour, both in ``now``'s time zone (the local one, as
    Anki uses); not ``(now - crt) // DAY``, which turns over at crt's time of day instead of at the rollover.
    """
    offset = now.utcoffset() or timedelta(0)
    start = datetime.fromtimestamp(crt, timezone(offset)).replace(hour=rollover, minute=0, second=0, microsecond=0)
    return int((now.timestamp() - start.timestamp()) // DAY)


@dataclass(frozen=True)
class _State:
    """The parts of a card state (core/cards.CardStateDict) that Anki keeps, times parsed."""

    state: int
    due: datetime
    stability: float | None
    difficulty: float | None
    step: int | None
    last_review: datetime | None
    reps: int
    lapses: int

    @classmethod
    def of(cls, d: CardStateDict) -> _State:
        last = d.get("last")
        return cls(
            d["state"], datetime.fromisoformat(d["due"]), d.get("s"), d.get("d"), d.get("step"),
            datetime.fromisoformat(last) if last else None, d.get("reps", 0), d.get("lapses", 0),
        )  # fmt: skip


def _interval(state: _State, days: DayClock) -> int:
    """Days from the last answer's study day to the due one, as Anki counts an interval."""
    if state.last_review is None:
        return 1
    return max(1, _day(days, state.due) - _day(days, state.last_review))


def _day(days: DayClock, t: datetime) -> int:
    return datetime.fromisoformat(days.day(t)).toordinal()


def _card(con: sqlite3.Connection, cid: int, state: _State, due_day: int, sched: Schedule) -> None:
    kind = ANKI_TYPE.get(state.state, 0)
    if state.state == REVIEW:
        queue, due, ivl, left = 2, due_day, _interval(state, sched.days), 0
    else:  # (re)learning: due is a time, "left" the steps still to go
        queue, due, ivl, left = 1, int(state.due.timestamp()), 0, max(1, sched.learning_steps - (state.step or 0))
    data: dict[str, Any] = {}
    if state.stability is not None and state.difficulty is not None:
        data = {"s": round(state.stability, 4), "d": round(state.difficulty, 4)}
    if state.last_review is not None:
        data["lrt"] = int(state.last_review.timestamp())
    con.execute(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = 2500, reps = ?, lapses = ?, left = ?,"
        " data = ? WHERE id = ?",
        (kind, queue, due, ivl, state.reps, state.lapses, left, json.dumps(data, separators=(",", ":")), cid),
    )


def _revlog(con: sqlite3.Connection, cid: int, answers: list[Answer], used: set[int], days: DayClock) -> None:
    last_ivl = 0
    for rec in answers:
        at = datetime.fromisoformat(str(rec["at"])).astimezone(timezone.utc)
        after = _State.of(rec["after"])
        before = rec["before"]
        rid = rec["ext_id"] if rec["op"] == "import" else int(at.timestamp() * 1000)
        while rid in used:  # revlog ids are unique: two answers in the same millisecond move apart
            rid += 1
        used.add(rid)
        # Anki keeps a learning interval as negative seconds
        ivl = _interval(after, days) if after.state == REVIEW else -max(1, int((after.due - at).total_seconds()))
        kind = REVLOG_TYPE.get(before["state"] if before else NEW, 0)
        ms = min(60_000, max(0, rec["ms"]))
        con.execute(
            "INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, -1, ?, ?, ?, 2500, ?, ?)",
            (rid, cid, rec["rating"], ivl, last_ivl, ms, kind),
        )
        last_ivl = ivl

"""The replay behind a sync, through the index (sync/index.py): only the cards whose history changed, each from
its anchor when every change comes after it, and only the study days whose counts may have changed.

The rule is the merge's (sync/merge.py: time order, fuzz seeded by the card and the answer); this is its
shortcut, and tests/test_sync_index.py checks it always gives what the full replay gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from legquiz.core.cards import Row, row
from legquiz.core.progress import DayCount
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig, answer_seed, review
from legquiz.sync.index import COUNTS, EPOCH, US, Index, Key
from legquiz.sync.merge import Scoped


def replay(idx: Index, sched: SchedulerConfig, mark: str) -> Scoped | None:
    """The replay of what changed since the last sync (everything when the settings ``mark`` changed);
    None when nothing did."""
    full = idx.meta("sched") != mark
    if not full and not idx.dirty:
        return None
    if full:
        cards: Iterable[str] = [c for (c,) in idx.db.execute("SELECT DISTINCT card FROM answers WHERE rating > 0")]
        cards = sorted(set(cards) | set(idx.dirty))
        idx.db.execute("DELETE FROM anchors")
    else:
        cards = sorted(idx.dirty)
    out = Scoped(day_scope=None if full else idx.days)
    for card in cards:
        out.cards[card] = _replay_card(idx, sched, card, None if full else idx.dirty[card])
    idx.set_meta("sched", mark)
    _count_days(idx, out, None if full else idx.days)
    idx.dirty.clear()
    return out


def _replay_card(idx: Index, sched: SchedulerConfig, card: str, changed: Key | None) -> Row | None:
    anchor = None if changed is None else idx.db.execute(
        "SELECT t, dev, seq, day, state FROM anchors WHERE card = ?", (card,)
    ).fetchone()  # fmt: skip
    cols = "SELECT dev, seq, t, at, day, rating, first, counted FROM answers WHERE card = ? AND gone = 0"
    state: CardState | None = None
    prev: str | None = None
    if anchor is not None and changed is not None and changed > tuple(anchor[:3]):
        rows = idx.db.execute(f"{cols} AND (t, dev, seq) > (?, ?, ?) ORDER BY t, dev, seq", (card, *anchor[:3]))
        state, prev = CardState.from_dict(json.loads(anchor[4])), anchor[3]
    else:
        rows = idx.db.execute(f"{cols} AND rating > 0 ORDER BY t, dev, seq", (card,))
    last: tuple[object, ...] | None = None
    flags: list[tuple[int, int, str, int]] = []
    for dev, seq, t, at, day, rating, first, counted in rows.fetchall():
        at_utc = EPOCH + t * US
        state = review(sched, state, Rating(rating), at_utc, seed=answer_seed(card, datetime.fromisoformat(at), rating))
        now_first, now_counted = int(prev is None), int(prev is not None and prev != day)
        if (now_first, now_counted) != (first, counted):
            flags.append((now_first, now_counted, dev, seq))
            idx.days.add(day)
        prev, last = day, (t, dev, seq, day)
    idx.db.executemany("UPDATE answers SET first = ?, counted = ? WHERE dev = ? AND seq = ?", flags)
    if state is None:
        idx.db.execute("DELETE FROM anchors WHERE card = ?", (card,))
        return None
    if last is not None:
        idx.db.execute(
            "INSERT OR REPLACE INTO anchors VALUES (?, ?, ?, ?, ?, ?)",
            (card, *last, json.dumps(state.to_dict())),
        )  # fmt: skip
    return row(state.to_dict())


def _count_days(idx: Index, out: Scoped, days: set[str] | None) -> None:
    query = (
        "SELECT deck, day, count(*), sum(rating > 1), sum(first), sum(counted), sum(counted AND rating > 1) "
        "FROM answers WHERE gone = 0 AND rating > 0"
    )
    if days is None:
        rows = idx.db.execute(query + " GROUP BY deck, day")
    else:
        idx.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope(day TEXT PRIMARY KEY)")
        idx.db.execute("DELETE FROM scope")
        idx.db.executemany("INSERT OR IGNORE INTO scope VALUES (?)", [(d,) for d in days])
        rows = idx.db.execute(query + " AND day IN (SELECT day FROM scope) GROUP BY deck, day")
    for deck, day, *counts in rows:
        out.deck_days.setdefault(deck, {})[day] = DayCount(*counts)
        total = out.days.setdefault(day, DayCount())
        for name, value in zip(COUNTS, counts, strict=True):
            setattr(total, name, getattr(total, name) + value)

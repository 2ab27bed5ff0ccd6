"""A small valid store over a shipped deck, and the commands that read it (tests of one shared validation).

The store has answers in the snapshot and in the log tail, an undo, a
re-rating, and an undo stack, so that every reader (stats, undo, optimize,
export with progress, doctor) has something of each kind to read.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from legquiz.core.cards import as_dict
from legquiz.core.records import review_record
from legquiz.deckfile import catalog
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig, review
from legquiz.storage.store import LOG, SNAPSHOT, Store

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
SCHED = SchedulerConfig(fuzz=False)


def day_of(t: datetime) -> str:
    return t.date().isoformat()


def _answer(s: Store, card: str, rating: Rating, now: datetime) -> None:
    raw = as_dict(s.state.cards[card]) if card in s.state.cards else None
    before = CardState.from_dict(raw) if raw else None
    after = review(SCHED, before, rating, now)
    s.append(review_record(card, before, after, rating, now, day_of, ms=1500, verdict="right", answer="x"))


def build(home: Path) -> str:
    """A valid store in ``home`` (records 1-6 in the snapshot, 7-10 only in the log); the deck id it uses."""
    deck = catalog.load(home).decks[0]
    keys = [f"{deck.id}/{q.id}" for q in deck.questions[:4]]
    with Store.open(home) as s:
        for k in keys:
            _answer(s, k, Rating.GOOD, T0)
        s.append({"seq": 0, "op": "undo", "target": 4})
        _answer(s, keys[3], Rating.AGAIN, T0)
    s = Store.open(home)
    later = T0 + timedelta(days=3)
    _answer(s, keys[0], Rating.EASY, later)
    _answer(s, keys[1], Rating.HARD, later)
    _answer(s, keys[2], Rating.GOOD, later)
    s.append({"seq": 0, "op": "undo", "target": 9})
    s._tail = 0  # stop like a killed process: records 7-10 stay only in the log
    s.close()
    (home / "config.json").write_text(json.dumps({"desired_retention": 0.9, "new_per_day": 20}))
    return deck.id


def commands(deck: str, out: Path) -> list[tuple[str, ...]]:
    """Every command that reads the store, as a person would type it."""
    return [
        ("stats",),
        ("stats", "--json"),
        ("deck", "list"),
        ("undo",),
        ("optimize",),
        ("export", "apkg", "--deck", deck, "-o", str(out), "--force", "--with-progress"),
        ("doctor",),
    ]


def log_records(home: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in (home / LOG).read_bytes().splitlines()]


def write_log(home: Path, recs: list[Any]) -> None:
    (home / LOG).write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in recs))


def snapshot(home: Path) -> dict[str, Any]:
    got: dict[str, Any] = json.loads((home / SNAPSHOT).read_bytes())
    return got


def write_snapshot(home: Path, doc: Any) -> None:
    (home / SNAPSHOT).write_text(json.dumps(doc))

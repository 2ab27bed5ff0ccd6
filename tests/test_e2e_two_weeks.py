"""Two weeks of daily study on the shipped decks, with a fixed clock.

Each day: open the store as `legquiz start` does, plan, answer every question
with a scripted learner, close. Alongside, an independent model replays the
same ratings through the scheduler; every day the questions due must be
exactly the ones the model says (reviews come back on the day FSRS says), and
the store reloaded from disk must equal the one in memory.
"""

from __future__ import annotations

import copy
import json
import random
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sessionkit import Clock, Scripted

from legquiz.core import settings as config
from legquiz.core.cards import as_dict
from legquiz.core.model import QType, Question
from legquiz.core.queue import Item, plan
from legquiz.core.session import Session
from legquiz.deckfile import catalog
from legquiz.deckfile.articles import ArticleIndex
from legquiz.srs.scheduler import CardState, Rating, review
from legquiz.storage.store import LOG, Store, read

START = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)  # a Monday, 09:00
SKIPPED = {6}  # the learner takes day 6 off: its reviews pile up for day 7


def outcome(day: int, key: str) -> tuple[bool, Rating | None]:
    """The learner: mostly right; a fixed pseudo-random ~1 in 6 forgotten; some "too easy" overrides."""
    h = zlib.crc32(f"{day}:{key}".encode())
    if h % 6 == 0:
        return False, None
    return True, Rating.EASY if h % 13 == 1 else None


def script_for(item: Item, right: bool, override: Rating | None) -> tuple[list[object], Rating]:
    """The prompter answers for one question, and the rating that should be saved."""
    q: Question = item.question
    auto = Rating.GOOD if right else Rating.AGAIN
    final = override or auto
    rate = str(int(final))
    if q.type is QType.FLASHCARD:
        return ["", rate], final
    if q.type is QType.MULTIPLE_CHOICE:
        answer = str(q.answer) if right else next(c for c in q.choices if c != q.answer)
        return [answer, rate], final
    if q.type is QType.TRUE_FALSE:
        return [str(bool(q.answer) == right).lower(), rate], final
    if q.type is QType.TYPED:
        return [str(q.answer) if right else "zzzz", rate], final
    gaps = list(q.gaps) if right else ["zzzz"] * len(q.gaps)
    return [*gaps, rate], final


def without_log(d: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in d.items() if k != "log"}


def test_two_weeks_of_daily_sessions(legquiz_home: Path) -> None:
    config.save(legquiz_home, "fuzz", False)
    config.save(legquiz_home, "learn_ahead_minutes", 0)  # the frozen clock would otherwise re-ask learning steps
    config.save(legquiz_home, "new_order", "deck")
    cfg = config.load(legquiz_home)
    assert cfg.fuzz is False and cfg.new_per_day == 20
    days = cfg.days(timezone.utc)
    sched = cfg.scheduler()
    decks = catalog.load(legquiz_home).decks
    all_keys = [Item(d, q).key for d in decks for q in d.questions]
    model: dict[str, CardState] = {}  # what the scheduler says, kept apart from the store
    answered_total = 0
    introduced: list[int] = []

    for day in range(14):
        now = START + timedelta(days=day)
        if day in SKIPPED:
            continue
        # most overdue first; ties (answered at the same instant) in deck order
        expected_due = sorted((k for k in all_keys if k in model and model[k].due <= now), key=lambda k: model[k].due)
        with Store.open(legquiz_home) as store:
            assert store.warnings == []
            assert {k: CardState.from_dict(as_dict(v)) for k, v in store.state.cards.items()} == model
            p = plan(decks, store.state, cfg, days, now)
            due_keys = [i.key for i in p.items[: p.due]]
            assert p.due == len(expected_due), f"day {day}"
            assert due_keys == expected_due, f"day {day}: most overdue first"
            new_keys = [i.key for i in p.items[p.due :]]
            unseen = [k for k in all_keys if k not in model]
            assert new_keys == unseen[:20], f"day {day}: new in deck order, 20 a day"
            introduced.append(len(new_keys))

            answers: list[object] = []
            finals: list[Rating] = []
            for item in p.items:
                right, override = outcome(day, item.key)
                keys, final = script_for(item, right, override)
                answers += keys
                finals.append(final)
            prompter = Scripted(answers)
            session = Session(
                p.items, cfg, days, prompter, Clock(now, timedelta(0)), store, ArticleIndex(), random.Random(day), decks
            )
            summary = session.run()
            assert prompter.answers == [] and not summary.quit and summary.error is None
            assert summary.answered == len(p.items)
            answered_total += summary.answered

            for item, rating in zip(p.items, finals, strict=True):
                model[item.key] = review(sched, model.get(item.key), rating, now)
            tomorrow_end = days.next_start(now, 2)
            assert summary.due_tomorrow == sum(s.due < tomorrow_end for s in model.values())
            today = store.state.days[days.day(now)]
            assert today.answers == len(p.items) and today.introduced == len(new_keys) and today.review_answers == p.due
            live = copy.deepcopy(store.state.to_json())
            live.pop("log")  # where the snapshot ends: set when it is written at close
            assert without_log(read(legquiz_home).state.to_json()) == live, f"day {day}: as after a crash"
        assert without_log(read(legquiz_home).state.to_json()) == live, f"day {day}: reloaded from disk"

    assert introduced[:3] == [20, 20, len(all_keys) - 40] and sum(introduced) == len(all_keys)
    assert all(n == 0 for n in introduced[3:])
    final = read(legquiz_home)
    assert {k: CardState.from_dict(as_dict(v)) for k, v in final.state.cards.items()} == model
    reviews = [json.loads(line) for line in (legquiz_home / LOG).read_text().splitlines()]
    assert len([r for r in reviews if r["op"] == "review" and "replaces" not in r]) == answered_total
    # every graduated card's interval is what FSRS gives: at least a day, and growing when recalled
    assert all(s.due > START for s in model.values())
    assert max((s.due - START).days for s in model.values()) > 14

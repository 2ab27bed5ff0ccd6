"""legquiz.core.stats: every figure from a simulated history with known answers."""

from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from stats_history import CFG, UTC_CLOCK, History, at, deck

from legquiz.core.cards import REPS
from legquiz.core.model import Deck
from legquiz.core.progress import DayCount
from legquiz.core.settings import DayClock
from legquiz.core.stats import Stats, compute, current_streak, heatmap, longest_streak, merged_days, retention
from legquiz.srs.scheduler import Rating
from legquiz.storage import store as storemod

ALPHA = deck("alpha", 5)
BETA = deck("beta", 3)
T0 = at("2025-03-03 10:00")  # a Monday


@pytest.fixture(autouse=True)
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulated histories save hundreds of answers; durability is not what these tests check."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def stats_at(home: Path, now_text: str, decks: list[Deck] | None = None, **kw: object) -> Stats:
    st = storemod.read(home)
    return compute(st.state, decks or [ALPHA, BETA], CFG, UTC_CLOCK, at(now_text), **kw)  # type: ignore[arg-type]


@pytest.fixture
def mixed(legquiz_home: Path) -> Path:
    """Known states: review, learning, relearning after a lapse, new; in two decks."""
    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.EASY, T0)  # review, due in 8 days (03-11 10:00)
    h.answer("alpha/q3", Rating.GOOD, T0)  # learning, due in 10 minutes
    h.answer("alpha/q4", Rating.EASY, T0)
    h.answer("alpha/q4", Rating.AGAIN, at("2025-03-11 10:00"))  # a lapse: relearning, due 10:10
    h.answer("beta/q2", Rating.EASY, T0)  # due 03-11 10:00
    h.answer("beta/q3", Rating.EASY, at("2025-03-04 10:00"))  # due 03-12 10:00, after the 4 am boundary
    h.close()
    return legquiz_home


def test_question_states_due_and_answers_per_deck_and_total(mixed: Path) -> None:
    s = stats_at(mixed, "2025-03-11 10:05")
    alpha, beta = (d.counts for d in s.decks)
    assert (alpha.questions, alpha.new, alpha.learning, alpha.review) == (5, 2, 2, 1)
    assert (alpha.due_now, alpha.due_today) == (2, 3)  # q4 is due at 10:10: today, not now
    assert (alpha.reviews_total, alpha.correct_total, alpha.reviews_today) == (4, 3, 1)
    assert (beta.questions, beta.new, beta.learning, beta.review) == (3, 1, 0, 2)
    assert (beta.due_now, beta.due_today) == (1, 1)  # beta/q3 is due tomorrow at 10:00
    assert (beta.reviews_total, beta.correct_total, beta.reviews_today) == (2, 2, 0)
    t = s.totals
    assert t.to_json() == {
        "questions": 8, "new": 3, "learning": 2, "review": 3, "due_now": 3, "due_today": 4,
        "reviews_total": 6, "reviews_today": 1, "correct_total": 5,
    }  # fmt: skip
    assert s.day == "2025-03-11"
    assert s.forecast[:3] == [("2025-03-11", 4), ("2025-03-12", 1), ("2025-03-13", 0)]
    assert s.retention == {"7d": 0.0, "30d": 0.0, "365d": 0.0}  # the one review answer was a lapse
    assert not s.empty


def test_undone_and_replaced_answers_are_not_counted(legquiz_home: Path) -> None:
    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.GOOD, T0)
    h.answer("alpha/q3", Rating.GOOD, T0)
    first = h.answer("alpha/q4", Rating.AGAIN, T0)
    h.answer("alpha/q4", Rating.EASY, T0, replaces=first)  # re-rated: one answer, now right
    h.answer("alpha/q5", Rating.AGAIN, T0)
    h.undo()
    h.close()
    s = stats_at(legquiz_home, "2025-03-03 11:00")
    assert (s.totals.reviews_total, s.totals.correct_total, s.totals.reviews_today) == (3, 3, 3)
    assert (s.decks[0].counts.reviews_total, s.decks[0].counts.correct_total) == (3, 3)
    assert s.decks[0].counts.new == 2  # q1 and the undone q5


def test_streak_follows_the_4am_day_boundary(legquiz_home: Path) -> None:
    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.GOOD, at("2025-03-01 10:00"))  # day 03-01
    h.answer("alpha/q3", Rating.GOOD, at("2025-03-02 03:30"))  # before 4 am: still day 03-01
    h.answer("alpha/q4", Rating.GOOD, at("2025-03-03 03:59"))  # day 03-02
    h.answer("alpha/q5", Rating.GOOD, at("2025-03-04 04:00"))  # day 03-04 (03-03 has nothing)
    h.close()
    days = storemod.read(legquiz_home).state.days
    assert sorted(days) == ["2025-03-01", "2025-03-02", "2025-03-04"]

    def streak(now: str) -> tuple[int, int]:
        s = stats_at(legquiz_home, now)
        return s.streak_current, s.streak_longest

    assert streak("2025-03-04 23:00") == (1, 2)
    assert streak("2025-03-05 03:59") == (1, 2)  # still study day 03-04
    assert streak("2025-03-05 04:00") == (1, 2)  # nothing yet today: the run ending yesterday counts
    assert streak("2025-03-06 04:00") == (0, 2)
    assert streak("2025-03-02 12:00") == (2, 2)


def test_streak_functions_on_known_days() -> None:
    rows = {d: DayCount(1, 1) for d in ("2024-12-30", "2024-12-31", "2025-01-01", "2025-01-03", "2025-01-04")}
    rows["2025-01-05"] = DayCount()  # an emptied day (all answers undone) is not a study day
    assert longest_streak(rows) == 3  # across the new year
    assert current_streak(rows, "2025-01-04") == 2
    assert current_streak(rows, "2025-01-05") == 2
    assert current_streak(rows, "2025-01-06") == 0
    assert longest_streak({}) == 0 and current_streak({}, "2025-01-01") == 0


def test_retention_counts_review_answers_only(legquiz_home: Path) -> None:
    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.GOOD, at("2025-03-01 10:00"))  # first answers: not reviews
    h.answer("alpha/q3", Rating.AGAIN, at("2025-03-01 10:00"))
    h.answer("alpha/q3", Rating.GOOD, at("2025-03-01 10:10"))  # same-day repeat
    h.answer("alpha/q2", Rating.GOOD, at("2025-03-02 10:00"))  # review, right
    h.answer("alpha/q3", Rating.AGAIN, at("2025-03-02 10:00"))  # review, wrong
    h.answer("alpha/q3", Rating.GOOD, at("2025-03-02 10:15"))  # same-day repeat: not counted
    h.answer("alpha/q2", Rating.GOOD, at("2025-03-11 10:00"))  # review, right
    h.answer("alpha/q3", Rating.GOOD, at("2025-03-11 10:00"))  # review, right
    h.close()
    assert stats_at(legquiz_home, "2025-03-01 12:00").retention == {"7d": None, "30d": None, "365d": None}
    s = stats_at(legquiz_home, "2025-03-11 12:00")
    assert s.retention == {"7d": 1.0, "30d": 0.75, "365d": 0.75}
    assert s.desired == 0.9
    assert stats_at(legquiz_home, "2025-04-05 12:00").retention == {"7d": None, "30d": 1.0, "365d": 0.75}
    assert s.to_json()["retention"] == {"7d": 1.0, "30d": 0.75, "365d": 0.75, "desired": 0.9}


def test_retention_window_edges() -> None:
    rows = {"2025-03-05": DayCount(4, 4, 0, 4, 3), "2025-03-11": DayCount(2, 2, 0, 2, 1)}
    assert retention(rows, "2025-03-11", 7) == 4 / 6  # 03-05 is the seventh day back
    assert retention(rows, "2025-03-12", 7) == 0.5
    assert retention(rows, "2025-03-04", 7) is None


def test_forecast_after_known_intervals(legquiz_home: Path) -> None:
    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.EASY, T0)  # FSRS-6 defaults, no fuzz: 8 days
    h.answer("alpha/q3", Rating.EASY, T0)
    h.answer("alpha/q3", Rating.GOOD, at("2025-03-11 10:00"))  # then 39 days: 04-19
    h.answer("beta/q2", Rating.GOOD, at("2025-03-12 02:50"))  # learning, due 03:00: still study day 03-11
    h.close()
    s = stats_at(legquiz_home, "2025-03-03 10:30")
    assert [d for d, n in s.forecast if n] == ["2025-03-11"]
    assert len(s.forecast) == 14 and s.forecast[0][0] == "2025-03-03"
    s = stats_at(legquiz_home, "2025-03-11 20:00", forecast_days=60)
    assert len(s.forecast) == 60
    assert {d: n for d, n in s.forecast if n} == {"2025-03-11": 2, "2025-04-19": 1}  # q2 at 10:00, beta/q2 03:00 next
    assert s.totals.due_today == 2 and s.totals.due_now == 1
    s = stats_at(legquiz_home, "2025-03-20 12:00", forecast_days=3)
    assert s.forecast == [("2025-03-20", 2), ("2025-03-21", 0), ("2025-03-22", 0)]  # overdue count on today


def test_forecast_uses_the_local_day_of_the_clock(legquiz_home: Path) -> None:
    from datetime import timezone

    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.GOOD, at("2025-03-03 21:00"))  # due 21:10 UTC
    h.close()
    st = storemod.read(legquiz_home).state
    plus5 = DayClock(4, timezone(timedelta(hours=5)))  # 21:10 UTC is 02:10 next morning: still 03-03
    s = compute(st, [ALPHA], CFG, plus5, at("2025-03-03 12:00"), forecast_days=2)
    assert s.day == "2025-03-03" and s.forecast == [("2025-03-03", 1), ("2025-03-04", 0)]
    plus8 = DayClock(4, timezone(timedelta(hours=8)))  # 05:10 next morning: the next study day
    s = compute(st, [ALPHA], CFG, plus8, at("2025-03-03 12:00"), forecast_days=2)
    assert s.forecast == [("2025-03-03", 0), ("2025-03-04", 1)]


@pytest.mark.parametrize("hours", [0, 5, -7, 13])
def test_forecast_and_due_counts_agree_with_the_clock_card_by_card(hours: int) -> None:
    """Due times compare as text with day boundaries computed once; the days must be clock.day's own."""
    from datetime import timezone

    from legquiz.core.cards import row
    from legquiz.core.progress import StoreState
    from legquiz.core.stats import scan_cards
    from legquiz.srs.scheduler import CardState

    rng = random.Random(hours)
    clock = DayClock(4, timezone(timedelta(hours=hours)))
    now = T0 + timedelta(minutes=rng.randrange(24 * 60))
    big = deck("big", 300)
    st = StoreState()
    due_times = {}
    for q in big.questions[:250]:
        due = now + timedelta(minutes=rng.choice([0, 1, -1]) + rng.randrange(-3 * 1440, 18 * 1440))
        due = due.replace(second=0, microsecond=rng.choice([0, 500_000]))
        st.cards[f"big/{q.id}"] = row(CardState(2 if rng.random() < 0.5 else 1, due, 3.0, 5.0).to_dict())
        due_times[q.id] = due
    for k, q in enumerate(big.questions[250:260]):  # exactly on a day boundary, and exactly now
        due = clock.next_start(now, k) if k else now
        st.cards[f"big/{q.id}"] = row(CardState(2, due, 3.0, 5.0).to_dict())
        due_times[q.id] = due
    scan = scan_cards([big], st, clock, now, 14)
    today = clock.day(now)
    days = [(date.fromisoformat(today) + timedelta(days=i)).isoformat() for i in range(14)]
    want = [sum(1 for t in due_times.values() if max(clock.day(t), today) == d) for d in days]
    assert scan.due_on == want
    c = scan.counts[0]
    assert c.due_now == sum(t <= now for t in due_times.values())
    assert c.due_today == sum(t < clock.next_start(now) for t in due_times.values()) == want[0]
    assert (c.new, c.questions) == (40, 300)


def _lapse(h: History, key: str, times: int, t: list) -> None:  # type: ignore[type-arg]
    """Bring a card to review and forget it ``times`` times (t[0] is a running clock)."""
    h.answer(key, Rating.EASY, t[0])
    for _ in range(times):
        t[0] += timedelta(days=1)
        h.answer(key, Rating.AGAIN, t[0])
        t[0] += timedelta(minutes=15)
        h.answer(key, Rating.EASY, t[0])


def test_hardest_most_lapses_then_difficulty(legquiz_home: Path) -> None:
    big = deck("big", 14)
    h = History(legquiz_home)
    t = [T0]
    _lapse(h, "big/q1", 3, t)  # the cloze
    _lapse(h, "big/q7", 2, t)
    _lapse(h, "big/q4", 1, t)
    h.answer("big/q5", Rating.AGAIN, t[0])  # no lapse (never in review) but hard: difficulty 6.4
    for i in (2, 3, 6, 8, 9, 10, 11, 12):
        h.answer(f"big/q{i}", Rating.EASY, t[0])  # difficulty 1.0
    h.answer("big/q13", Rating.GOOD, t[0])  # difficulty 2.1
    h.close()
    s = compute(storemod.read(legquiz_home).state, [big], CFG, UTC_CLOCK, t[0] + timedelta(hours=1))
    got = [(x.id, x.lapses) for x in s.hardest]
    assert got[:5] == [("q1", 3), ("q7", 2), ("q4", 1), ("q5", 0), ("q13", 0)]
    assert [x.id for x in s.hardest[5:]] == ["q10", "q11", "q12", "q2", "q3"]  # ties: by id; q14 is new
    assert len(s.hardest) == 10
    top = s.hardest[0]
    assert top.deck == "big" and top.question == "In big the _____ grow with _____ and time"
    assert top.difficulty is not None and top.difficulty > 1
    assert s.to_json()["hardest"][0] == {
        "deck": "big", "id": "q1", "lapses": 3, "difficulty": top.difficulty, "question": top.question,
        "hard_because": ["lapses", "difficulty"],
    }  # fmt: skip
    # 13 answered: eight at difficulty 1.0, so the median is 1.0; q13 (Good, 2.1) is above it, q2.. (Easy) are not
    assert s.difficulty_median == 1.0 and s.to_json()["difficulty_median"] == 1.0
    why = {x.id: s.hard_because(x) for x in s.hardest}
    assert why["q1"] == why["q7"] == why["q4"] == ["lapses", "difficulty"]
    assert why["q5"] == why["q13"] == ["difficulty"]
    assert all(why[q] == [] for q in ("q10", "q11", "q12", "q2", "q3"))


def test_nothing_is_hard_when_every_difficulty_is_the_same_and_nothing_lapsed(legquiz_home: Path) -> None:
    d = deck("calm", 4)
    h = History(legquiz_home)
    for i in range(1, 5):
        h.answer(f"calm/q{i}", Rating.EASY, T0)
    h.close()
    s = compute(storemod.read(legquiz_home).state, [d], CFG, UTC_CLOCK, T0 + timedelta(hours=1))
    assert len(s.hardest) == 4 and s.difficulty_median is not None  # the JSON list is as before ...
    assert not any(s.hard_because(x) for x in s.hardest)  # ... but none of them is hard


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    from legquiz.core.stats import median

    assert median([]) is None and median([3.0]) == 3.0 and median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_long_question_text_is_shortened(legquiz_home: Path) -> None:
    from legquiz.core.model import QType, Question

    long = Deck("long", "Long", (Question("q", QType.TRUE_FALSE, question="word " * 40 + "\n end", answer=True),))
    h = History(legquiz_home)
    h.answer("long/q", Rating.GOOD, T0)
    h.close()
    (hard,) = compute(storemod.read(legquiz_home).state, [long], CFG, UTC_CLOCK, T0).hardest
    assert len(hard.question) == 80 and hard.question.endswith("…") and "\n" not in hard.question


def test_deleted_question_keeps_history_but_is_not_counted(legquiz_home: Path) -> None:
    h = History(legquiz_home)
    h.answer("alpha/gone", Rating.AGAIN, T0)  # a question later removed from the deck
    _lapse(h, "alpha/gone", 2, [T0])
    h.answer("alpha/q2", Rating.GOOD, T0 + timedelta(days=5))
    h.close()
    s = stats_at(legquiz_home, "2025-03-08 12:00", decks=[ALPHA])
    a = s.decks[0].counts
    assert (a.questions, a.new, a.learning, a.review) == (5, 4, 1, 0)
    assert [x.id for x in s.hardest] == ["q2"]
    assert sum(n for _, n in s.forecast) == 1
    assert a.reviews_total == s.totals.reviews_total == 7  # every answer kept stays in the history


def test_deck_filter_uses_that_decks_own_history(mixed: Path) -> None:
    s = stats_at(mixed, "2025-03-11 10:05", decks=[BETA], only=True)
    assert [d.id for d in s.decks] == ["beta"]
    t = s.totals
    assert (t.questions, t.reviews_total, t.correct_total, t.reviews_today) == (3, 2, 2, 0)
    assert s.retention == {"7d": None, "30d": None, "365d": None}
    assert {d for d, n in s.heatmap if n} == {"2025-03-03", "2025-03-04"}
    assert (s.streak_current, s.streak_longest) == (0, 2)
    everything = stats_at(mixed, "2025-03-11 10:05")
    assert {d for d, n in everything.heatmap if n} == {"2025-03-03", "2025-03-04", "2025-03-11"}


def test_heatmap_covers_whole_weeks_up_to_today() -> None:
    rows = {"2025-03-11": DayCount(3, 2), "2024-01-01": DayCount(9, 9, 9)}
    cells = heatmap(rows, "2025-03-12")  # a Wednesday
    assert cells[0][0] == "2024-03-11"  # a Monday, 52 weeks before this week's
    assert cells[-1] == ("2025-03-12", 0) and ("2025-03-11", 3) in cells
    assert len(cells) == 52 * 7 + 3


def test_empty_store_gives_zeros(legquiz_home: Path) -> None:
    s = stats_at(legquiz_home, "2025-03-11 10:05")
    assert s.empty
    j = s.to_json()
    assert j["totals"]["questions"] == 8 and j["totals"]["new"] == 8
    assert all(v == 0 for k, v in j["totals"].items() if k not in ("questions", "new"))
    assert j["streak"] == {"current": 0, "longest": 0} and j["hardest"] == []
    assert all(c["reviews"] == 0 for c in j["heatmap"]) and all(f["due"] == 0 for f in j["forecast"])
    json.dumps(j)


def test_store_keeps_deck_counts_in_step_with_day_counts(legquiz_home: Path) -> None:
    """Per-deck counts add up to the global ones through answers, re-ratings, undos and reopening."""
    rng = random.Random(5)
    h = History(legquiz_home)
    t = T0
    for _ in range(300):
        t += timedelta(minutes=rng.choice([1, 30, 600, 1500]))
        roll = rng.random()
        last = h.store.last_undoable()
        if roll < 0.15 and last is not None:
            h.undo()
        elif roll < 0.25 and last is not None:
            h.answer(str(last["card"]), rng.randint(1, 4), t, replaces=last)
        else:
            h.answer(f"{rng.choice(['alpha', 'beta'])}/q{rng.randint(1, 3)}", rng.randint(1, 4), t)
        assert merged_days(h.store.state.deck_days.values()) == h.store.state.days
    live = json.loads(json.dumps(h.store.state.to_json()))
    h.close()
    reopened = storemod.read(legquiz_home).state
    assert {**reopened.to_json(), "log": None} == {**live, "log": None}
    assert sum(c[REPS] for c in reopened.cards.values()) == sum(r.answers for r in reopened.days.values())


def test_snapshot_without_deck_counts_still_loads(legquiz_home: Path) -> None:
    h = History(legquiz_home)
    h.answer("alpha/q2", Rating.GOOD, T0)
    h.close()
    path = legquiz_home / storemod.SNAPSHOT
    raw = json.loads(path.read_text())
    del raw["deck_days"]  # written before per-deck counts existed
    path.write_text(json.dumps(raw))
    s = stats_at(legquiz_home, "2025-03-03 12:00")
    assert s.totals.reviews_total == 1 and s.decks[0].counts.reviews_total == 0

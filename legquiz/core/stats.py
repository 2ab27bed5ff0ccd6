"""Progress figures: every number ``legquiz stats`` shows, from the store snapshot.

Pure functions of the snapshot (:class:`StoreState`), the loaded decks, the
settings and ``now``: nothing here reads the clock, the review log or the
terminal. Answer counts, retention, the heatmap and streaks come from the
per-day aggregates the store keeps (``days``, and ``deck_days`` per deck); the
state of each question (new, learning, due ...) from its card in the snapshot.
So the cost does not grow with the length of the history. The JSON form is a
contract documented in docs/stats-json.md.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from legquiz.core.cards import NEW, REVIEW, deck_rows, difficulty_of, scan_of, utc_text
from legquiz.core.model import Deck
from legquiz.core.progress import DayCount, StoreState
from legquiz.core.settings import Config, DayClock
from legquiz.text import shortened

FORMAT = 1
FORECAST_DAYS = 14
HEATMAP_WEEKS = 53  # a year of columns, as GitHub shows; the terminal shows as many as fit
HARDEST = 10
QUESTION_CHARS = 80
RETENTION_WINDOWS = (7, 30, 365)


@dataclass
class Counts:
    """One deck's (or the total's) question states and answer counts."""

    questions: int = 0
    new: int = 0
    learning: int = 0  # first steps and relearning after a lapse
    review: int = 0  # graduated
    due_now: int = 0
    due_today: int = 0  # due before the next day boundary, overdue included
    reviews_total: int = 0  # every answer kept (undone and cram answers never are)
    reviews_today: int = 0
    correct_total: int = 0

    @property
    def correct_rate(self) -> float | None:
        return self.correct_total / self.reviews_total if self.reviews_total else None

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class DeckStats:
    """One deck's figures."""

    id: str
    title: str
    counts: Counts


@dataclass(frozen=True)
class Hard:
    """One of the hardest questions."""

    deck: str
    id: str
    lapses: int
    difficulty: float | None
    question: str


@dataclass
class Stats:
    """Every figure ``legquiz stats`` shows."""

    generated_at: datetime
    day: str
    totals: Counts
    decks: list[DeckStats]
    retention: dict[str, float | None]  # "7d", "30d", "365d"
    desired: float
    forecast: list[tuple[str, int]]
    heatmap: list[tuple[str, int]]
    streak_current: int
    streak_longest: int
    hardest: list[Hard] = field(default_factory=list)
    difficulty_median: float | None = None  # over the answered questions shown

    def hard_because(self, h: Hard) -> list[str]:
        """Why ``h`` counts as hard: "lapses" (forgotten after graduating), "difficulty" (above the median).

        Empty when neither holds: it is only among the least easy, which is not hard.
        """
        why = ["lapses"] if h.lapses > 0 else []
        m = self.difficulty_median
        if h.difficulty is not None and m is not None and h.difficulty > m:
            why.append("difficulty")
        return why

    @property
    def empty(self) -> bool:
        """Nothing answered yet (in the decks asked about)."""
        return self.totals.reviews_total == 0 and self.totals.new == self.totals.questions

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (docs/stats-json.md)."""
        return {
            "format": FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "day": self.day,
            "totals": self.totals.to_json(),
            "decks": [{"id": d.id, "title": d.title, **d.counts.to_json()} for d in self.decks],
            "retention": {**self.retention, "desired": self.desired},
            "forecast": [{"day": day, "due": n} for day, n in self.forecast],
            "heatmap": [{"day": day, "reviews": n} for day, n in self.heatmap],
            "streak": {"current": self.streak_current, "longest": self.streak_longest},
            "hardest": [
                {
                    "deck": h.deck,
                    "id": h.id,
                    "lapses": h.lapses,
                    "difficulty": h.difficulty,
                    "question": h.question,
                    "hard_because": self.hard_because(h),
                }
                for h in self.hardest
            ],
            "difficulty_median": self.difficulty_median,
        }


def compute(
    state: StoreState,
    decks: Sequence[Deck],
    cfg: Config,
    clock: DayClock,
    now: datetime,
    *,
    only: bool = False,
    forecast_days: int = FORECAST_DAYS,
) -> Stats:
    """Every figure for ``decks`` at ``now``.

    ``only`` says the decks were picked with ``--deck``: answer counts, the
    heatmap, streaks and retention then come from those decks' own per-day
    counts. Otherwise they come from the global counts, which also hold the
    answers to decks no longer installed (every answer ever kept).
    """
    today = clock.day(now)
    scan = scan_cards(decks, state, clock, now, forecast_days)
    per_deck = [DeckStats(d.id, d.title, c) for d, c in zip(decks, scan.counts, strict=True)]
    for d, c in zip(decks, scan.counts, strict=True):
        c.reviews_total, c.correct_total, c.reviews_today = answer_counts(state.deck_days.get(d.id, {}), today)
    totals = Counts()
    for ds in per_deck:
        totals.add(ds.counts)
    rows = merged_days([state.deck_days.get(d.id, {}) for d in decks]) if only else state.days
    if not only:
        totals.reviews_total, totals.correct_total, totals.reviews_today = answer_counts(rows, today)
    return Stats(
        generated_at=now,
        day=today,
        totals=totals,
        decks=per_deck,
        retention={f"{w}d": retention(rows, today, w) for w in RETENTION_WINDOWS},
        desired=cfg.desired_retention,
        forecast=[(_shift(today, i), n) for i, n in enumerate(scan.due_on[:forecast_days])],
        heatmap=heatmap(rows, today),
        streak_current=current_streak(rows, today),
        streak_longest=longest_streak(rows),
        hardest=scan.hardest,
        difficulty_median=median(scan.difficulties),
    )


@dataclass
class Scan:
    """What one pass over every question's card gives: see :func:`scan_cards`."""

    counts: list[Counts]  # one per deck, question states only
    due_on: list[int]  # questions due on each study day from today (overdue ones today)
    hardest: list[Hard]
    difficulties: list[float]  # of every answered question with one


def scan_cards(
    decks: Sequence[Deck], state: StoreState, clock: DayClock, now: datetime, days: int, n_hardest: int = HARDEST
) -> Scan:
    """Question states, the due forecast and the hardest questions, from one look at each question's card.

    With 10,000 questions this is most of ``stats --json``'s own time, so it
    builds no Question (only the hardest few, for their text) and parses no
    date: due times compare as text (legquiz.cards) with the day boundaries,
    computed once. Study day k of the forecast holds the due times from
    boundary k (today: any time before) to boundary k+1, as ``clock.day``
    would place them. A plain loop: in a fresh process it beats building
    lists of every card, whose new memory costs more than the loop saves.
    """
    now_key = utc_text(now)
    bounds = [utc_text(clock.next_start(now, k)) for k in range(1, max(days, 1) + 1)]
    end_of_today, horizon = bounds[0], bounds[-1]
    due_on = [0] * len(bounds)
    cards = state.cards
    all_counts = []
    candidates: list[tuple[int, float, str, str, float | None, Deck, int]] = []
    difficulties: list[Any] = []  # made floats at the end, all at once
    add_difficulty = difficulties.append
    for deck in decks:
        ids = deck.question_ids()
        lapses = [-1] * len(ids)  # -1: never answered
        rows = list(deck_rows(cards, deck.id, ids))
        new = review = learning = due_now = due_today = 0  # counted in locals: the loop runs once per question
        for i, raw in enumerate(rows):
            if raw is None:
                new += 1
                continue
            kind, due, d, lapsed = scan_of(raw)
            if kind == NEW:
                new += 1
                continue
            if kind == REVIEW:
                review += 1
            else:  # learning or relearning
                learning += 1
            if due <= now_key:
                due_now += 1
            if due < end_of_today:
                due_today += 1
            elif due < horizon:
                due_on[bisect_right(bounds, due)] += 1
            lapses[i] = lapsed
            if d is not None:
                add_difficulty(d)
        due_on[0] += due_today
        all_counts.append(
            Counts(len(ids), new=new, learning=learning, review=review, due_now=due_now, due_today=due_today)
        )
        # The hardest: most lapses, then highest difficulty, then deck and id. Only answered questions with
        # at least as many lapses as this deck's n-th most can be among them; those are ranked in full.
        least = max(heapq.nlargest(n_hardest, lapses)[-1], 0) if 0 < n_hardest <= len(lapses) else 0
        for i, lapsed in enumerate(lapses):
            if lapsed >= least:
                d = difficulty_of(rows[i])
                difficulty = None if d is None else float(d)
                candidates.append((-int(lapsed), -(difficulty or 0.0), deck.id, ids[i], difficulty, deck, i))
    top = heapq.nsmallest(n_hardest, candidates, key=itemgetter(0, 1, 2, 3))  # (deck, id) is unique: no tie
    hardest = [
        Hard(deck_id, qid, -lapsed, difficulty, shortened(deck.questions[i].prompt_text, QUESTION_CHARS))
        for lapsed, _, deck_id, qid, difficulty, deck, i in top
    ]
    return Scan(all_counts, due_on, hardest, list(map(float, difficulties)))


def median(values: list[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for none.

    Sorted here rather than with ``statistics``, whose import costs more than ``stats --json`` spends sorting.
    """
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def answer_counts(rows: Mapping[str, DayCount], today: str) -> tuple[int, int, int]:
    """(answers ever, correct answers ever, answers today) from per-day counts."""
    total = sum(r.answers for r in rows.values())
    correct = sum(r.correct for r in rows.values())
    return total, correct, rows[today].answers if today in rows else 0


def merged_days(parts: Iterable[Mapping[str, DayCount]]) -> dict[str, DayCount]:
    """Several decks' per-day counts added up."""
    out: dict[str, DayCount] = {}
    for rows in parts:
        for day, r in rows.items():
            out.setdefault(day, DayCount()).include(r)
    return out


def _shift(day: str, n: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()


def retention(rows: Mapping[str, DayCount], today: str, window: int) -> float | None:
    """True retention over the last ``window`` study days (today included).

    The share of review answers that were right: first answers and repeats on
    the day a question was last answered are not review answers (the store
    counts them apart as it saves each answer). None when there were none.
    """
    first = _shift(today, -(window - 1))
    n = ok = 0
    for day, r in rows.items():
        if first <= day <= today:
            n += r.review_answers
            ok += r.review_correct
    return ok / n if n else None


def study_days(rows: Mapping[str, DayCount]) -> list[int]:
    """The days with answers, as sorted day numbers (``date.toordinal``): streaks are then integer steps."""
    return sorted(date.fromisoformat(d).toordinal() for d, r in rows.items() if r.answers > 0)


def current_streak(rows: Mapping[str, DayCount], today: str) -> int:
    """Consecutive study days ending today, or yesterday if nothing is answered yet today."""
    active = set(study_days(rows))
    day = date.fromisoformat(today).toordinal()
    if day not in active:
        day -= 1
    n = 0
    while day - n in active:
        n += 1
    return n


def longest_streak(rows: Mapping[str, DayCount]) -> int:
    best = run = 0
    prev = None
    for d in study_days(rows):
        run = run + 1 if prev is not None and d - prev == 1 else 1
        best = max(best, run)
        prev = d
    return best


def heatmap(rows: Mapping[str, DayCount], today: str, weeks: int = HEATMAP_WEEKS) -> list[tuple[str, int]]:
    """Answers per day from the Monday ``weeks - 1`` weeks before this week's, to today."""
    end = date.fromisoformat(today)
    start = end - timedelta(days=end.weekday(), weeks=weeks - 1)
    out = []
    day = start
    while day <= end:
        key = day.isoformat()
        out.append((key, rows[key].answers if key in rows else 0))
        day += timedelta(days=1)
    return out

"""The day's queue: which questions a session asks, and in what order.

Built from the snapshot alone (card states and due times), never from the
review history, so planning costs the same after years of use. Due reviews
come first, most overdue first, then new questions up to the daily limit:
shuffled across the chosen decks and types (``new_order: mixed``, the same
order all study day) or in deck order (``deck``). Questions in a learning step
that fall due later today are handed to the session, which asks them when due.
"""

from __future__ import annotations

import heapq
import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter

from legquiz.core.cards import LEARNING, NEW, RELEARNING, deck_rows, due_of, iso_time, state_of, utc_text
from legquiz.core.model import Deck, Question, card_key
from legquiz.core.progress import StoreState
from legquiz.core.settings import Config, DayClock


class Item:
    """One question in the session's queue: ``Item(deck, question)``, or a deck and the question's place in it.

    Not a dataclass, because the question itself may be fetched only when it
    is asked: a deck read from the parsed-deck cache builds its questions on
    demand, and a queue of 2,000 due questions should not build them all
    before the first is shown (docs/performance.md).
    """

    __slots__ = ("deck", "qid", "_question", "_index")

    def __init__(self, deck: Deck, question: Question | None = None, *, index: int = -1, qid: str = "") -> None:
        if question is None and index < 0:
            raise ValueError("an Item needs its question, or the question's index in the deck")
        self.deck = deck
        self._question = question
        self._index = index
        self.qid = question.id if question is not None else qid or deck.question_ids()[index]

    @property
    def question(self) -> Question:
        if self._question is None:
            self._question = self.deck.questions[self._index]
        return self._question

    @property
    def key(self) -> str:
        return card_key(self.deck.id, self.qid)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Item):
            return NotImplemented
        return (self.deck, self.question) == (other.deck, other.question)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Item({self.key!r})"


@dataclass
class Plan:
    """The session's queue, and what to say about what is not in it."""

    items: list[Item]
    due: int = 0
    new: int = 0
    new_waiting: int = 0  # new questions held back by today's limit
    next_due: datetime | None = None
    learning: list[tuple[datetime, Item]] = field(default_factory=list)  # in a learning step, due later today

    def learn_ahead(self, now: datetime, minutes: int) -> bool:
        """Whether a learning question is due within ``minutes``: then there is something to study now."""
        return any(due <= now + timedelta(minutes=minutes) for due, _ in self.learning)


def plan(
    decks: list[Deck],
    state: StoreState,
    cfg: Config,
    days: DayClock,
    now: datetime,
    *,
    limit: int | None = None,
    new: int | None = None,
    cram: bool = False,
    rng: random.Random | None = None,
) -> Plan:
    """The session's queue: due reviews (most overdue first), then new questions."""
    if cram:
        order = [Item(d, index=i, qid=qid) for d in decks for i, qid in enumerate(d.question_ids())]
        (rng or random.Random()).shuffle(order)
        return Plan(order[:limit] if limit is not None else order)
    # On the way to the first question with 10,000 questions: no Question and no datetime per card (due
    # times compare as text: legquiz.cards), and Items only for what is queued. A plain loop: in a fresh
    # process it beats building lists of every card, whose new memory costs more than the loop saves.
    due: list[tuple[str, Deck, int, str]] = []
    fresh: list[tuple[Deck, int, str]] = []
    later: list[tuple[str, Deck, int, str]] = []  # learning steps due later today
    next_due = ""
    now_key = utc_text(now)
    today_end = utc_text(days.next_start(now))
    cards = state.cards
    for d in decks:
        ids = d.question_ids()
        for i, raw in enumerate(deck_rows(cards, d.id, ids)):
            if raw is None or state_of(raw) == NEW:
                fresh.append((d, i, ids[i]))
            elif (at := due_of(raw)) <= now_key:
                due.append((at, d, i, ids[i]))
            else:
                if not next_due or at < next_due:
                    next_due = at
                if at < today_end and state_of(raw) in (LEARNING, RELEARNING):
                    later.append((at, d, i, ids[i]))
    due.sort(key=itemgetter(0))  # stable: equal times stay in deck order
    if new is None:
        today = state.days.get(days.day(now))
        introduced = today.introduced if today else 0
        new = max(0, cfg.new_per_day - introduced)
    n_fresh = len(fresh)
    if cfg.new_order == "mixed":
        fresh = _mixed(fresh, days.day(now), min(new, n_fresh))
    queue = [Item(d, index=i, qid=qid) for _, d, i, qid in due] + [
        Item(d, index=i, qid=qid) for d, i, qid in fresh[:new]
    ]
    if limit is not None:
        queue = queue[:limit]
    n_due = min(len(due), len(queue))
    return Plan(
        queue,
        due=n_due,
        new=len(queue) - n_due,
        new_waiting=n_fresh - (len(queue) - n_due),
        next_due=iso_time(next_due) if next_due else None,
        learning=[(iso_time(at), Item(d, index=i, qid=qid)) for at, d, i, qid in sorted(later, key=itemgetter(0))],
    )


def _mixed(fresh: list[tuple[Deck, int, str]], day: str, n: int) -> list[tuple[Deck, int, str]]:
    """The first ``n`` new questions in an order shuffled across decks and types, the same all study day.

    Each question's place is a hash of the day and its key, so answering some and starting again keeps
    the order of the rest (a seeded shuffle of what is left would deal a new hand).
    """
    salt = f"{day}/".encode()
    return heapq.nsmallest(n, fresh, key=lambda f: zlib.crc32(f"{f[0].id}/{f[2]}".encode(), zlib.crc32(salt)))

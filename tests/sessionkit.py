"""Test helpers for driving sessions: a scripted prompter, a fake clock, a deck of every kind."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from legquiz.core.model import Deck, QType, Question
from legquiz.core.queue import Item
from legquiz.core.session import Session, Summary
from legquiz.core.settings import Config, DayClock
from legquiz.deckfile.articles import ArticleIndex
from legquiz.storage.store import Store
from legquiz.ui.ask import UNDO, Ask, Quit

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)  # 09:00 UTC: mid-morning of study day 2024-03-01
UTC_DAYS = DayClock(4, timezone.utc)
CFG = Config(fuzz=False, learn_ahead_minutes=0, new_order="deck")  # no learn-ahead; new questions in file order

QUIT = object()  # a script entry: the person presses Ctrl-C here


class Clock:
    """A fake clock: each reading moves time on by ``tick`` (a person takes a while to answer)."""

    def __init__(self, start: datetime = T0, tick: timedelta = timedelta(seconds=2)) -> None:
        self.now = start
        self.tick = tick

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now


Answer = str | object | Callable[[Ask], str]


@dataclass
class Scripted:
    """A Prompter that gives canned answers in order and records everything asked and said."""

    answers: list[Answer]
    asked: list[Ask] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    events: list[tuple[str, Any]] = field(default_factory=list)

    def ask(self, ask: Ask) -> str:
        if not self.answers and {c.value for c in ask.choices} == {"end", "wait"}:
            self.events.append(("offer", ask))  # kept out of `asked`, which tests read as the questions
            return "end"  # the offer to wait for a learning step: a script that has run out does not wait
        self.asked.append(ask)
        self.events.append(("ask", ask))
        if ask.kind == "select":
            assert len({c.value for c in ask.choices}) == len(ask.choices)
        if not self.answers:
            raise AssertionError(f"script ran out at: {ask.message!r}")
        a = self.answers.pop(0)
        if a is QUIT:
            raise Quit()
        if callable(a):
            a = a(ask)
        assert isinstance(a, str)
        if ask.kind == "select" and a != UNDO:
            assert a in {c.value for c in ask.choices}, (a, ask.choices)
        return a

    clock: Clock | None = None  # moved on by a wait, as real time would be

    def wait(self, seconds: float, message: str) -> bool:
        self.events.append(("wait", seconds))
        if self.clock is not None:
            self.clock.now += timedelta(seconds=seconds)
        return True

    def say(self, text: str) -> None:
        self.said.append(text)
        self.events.append(("say", text))

    def style(self, text: str, kind: str) -> str:
        return f"[{text}]" if kind == "mark" else text

    @property
    def text(self) -> str:
        """Everything shown, questions and choices included."""
        parts = []
        for kind, x in self.events:
            if kind == "say":
                parts.append(x)
            else:
                parts.append(x.message)
                parts.extend(c.title for c in x.choices)
        return "\n".join(parts)


def default_choice(ask: Ask) -> str:
    """Press Enter on a select: take the default (the automatic rating)."""
    assert ask.default is not None
    return ask.default


ENTER = default_choice


def q(id: str, type: QType, **kw: Any) -> Question:
    return Question(id=id, type=type, **kw)


RUNNING_ARTICLE = "does-running-get-you-bigger-legs.txt"
RUNNING_TITLE = "Does Running Get You Bigger Legs"


def every_kind_deck(deck_id: str = "mix", title: str = "Every kind") -> Deck:
    return Deck(
        id=deck_id,
        title=title,
        article=RUNNING_ARTICLE,
        questions=(
            q(
                "mc",
                QType.MULTIPLE_CHOICE,
                question="Which muscles?",
                choices=("Quads", "Biceps", "Neck"),
                answer="Quads",
                explanation="Running uses the quads.",
                source="When you run, the quads are engaged.",
            ),
            q(
                "tf",
                QType.TRUE_FALSE,
                question="Running builds legs.",
                answer=True,
                explanation="It can.",
                source="Running can build legs.",
            ),
            q(
                "typed",
                QType.TYPED,
                question="Name the growth of muscle.",
                answer="Hypertrophy",
                aliases=("muscle hypertrophy",),
                explanation="Growth is hypertrophy.",
                source="This is called hypertrophy.",
            ),
            q(
                "flash",
                QType.FLASHCARD,
                question="What repairs micro-tears?",
                answer="Muscle protein synthesis",
                explanation="The body rebuilds fibres.",
                source="The fibres repair and rebuild.",
            ),
            q(
                "cloze",
                QType.CLOZE,
                text="Jogging is an {{aerobic}} exercise.",
                explanation="Mostly aerobic.",
                source="Jogging is primarily an aerobic exercise.",
            ),
            q(
                "cloze2",
                QType.CLOZE,
                text="{{Squats}} and {{lunges}} build legs.",
                explanation="Both are resistance exercises.",
                source="Squats and lunges build legs.",
            ),
        ),
    )


def items(*decks: Deck) -> list[Item]:
    return [Item(d, qq) for d in decks for qq in d.questions]


def run_session(
    home: Path,
    item_list: list[Item],
    answers: list[Answer],
    clock: Clock | None = None,
    cram: bool = False,
    cfg: Config = CFG,
    seed: int = 1,
) -> tuple[Summary, Scripted]:
    clock = clock or Clock()
    p = Scripted(list(answers), clock=clock)
    if cram:
        summary = Session(item_list, cfg, UTC_DAYS, p, clock, None, ArticleIndex(home), random.Random(seed)).run()
    else:
        with Store.open(home) as store:
            summary = Session(item_list, cfg, UTC_DAYS, p, clock, store, ArticleIndex(home), random.Random(seed)).run()
    assert not p.answers, f"script not used up: {p.answers}"
    return summary, p


def store_view(home: Path) -> dict[str, Any]:
    from legquiz.storage.store import read

    st = read(home).state
    return copy.deepcopy(
        {"cards": st.cards, "days": {d: c.to_json() for d, c in st.days.items()}, "undo": [r["seq"] for r in st.undo]}
    )

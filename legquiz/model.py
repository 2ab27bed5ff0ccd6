"""The data legquiz works with: decks and their questions.

Plain frozen dataclasses so the core can pass them around freely and tests can
build them by hand. Progress is never stored here: it lives in the store,
keyed by :func:`card_key` (deck id + question id), so editing a question's
text keeps its history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class QType(str, Enum):
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    TYPED = "typed"
    FLASHCARD = "flashcard"
    CLOZE = "cloze"

    @property
    def objective(self) -> bool:
        """Graded by legquiz rather than by the learner."""
        return self is not QType.FLASHCARD


CLOZE_GAP = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class Question:
    id: str
    type: QType
    question: str = ""
    answer: str | bool = ""
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    text: str = ""
    explanation: str = ""
    source: str = ""
    article: str | None = None
    line: int = 0

    @property
    def gaps(self) -> tuple[str, ...]:
        """The hidden parts of a cloze text, in order."""
        return tuple(m.group(1).strip() for m in CLOZE_GAP.finditer(self.text))

    @property
    def prompt_text(self) -> str:
        """What is shown to the learner: the question, or the cloze with blanks."""
        if self.type is QType.CLOZE:
            return CLOZE_GAP.sub("_____", self.text)
        return self.question

    @property
    def answer_text(self) -> str:
        """The correct answer as a person would read it."""
        if self.type is QType.CLOZE:
            return " / ".join(self.gaps)
        if self.type is QType.TRUE_FALSE:
            return "True" if self.answer else "False"
        return str(self.answer)


@dataclass(frozen=True)
class Deck:
    id: str
    title: str
    questions: tuple[Question, ...]
    path: str = ""
    article: str | None = None
    origin: str = "shipped"  # "shipped" or "user"
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def article_for(self, q: Question) -> str | None:
        return q.article or self.article


def card_key(deck_id: str, question_id: str) -> str:
    """The store's key for one question's progress."""
    return f"{deck_id}/{question_id}"

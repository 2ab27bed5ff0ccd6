"""The data legquiz works with: decks and their questions.

Plain frozen dataclasses so the core can pass them around freely and tests can
build them by hand. Progress is never stored here: it lives in the store,
keyed by :func:`card_key` (deck id + question id), so editing a question's
text keeps its history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import overload


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
    """One question of a deck, as its YAML gives it (docs/deck-format.md)."""

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
    # More sentences quoted, as (article file name, text); "" as the name means the question's article.
    # Plain pairs, not a dataclass, so the parsed-deck cache can store and type-check them as a column.
    sources: tuple[tuple[str, str], ...] = ()
    line: int = 0
    hints: tuple[str, ...] = ()  # a cloze's hint for each gap, in order ("" where a gap has none)

    @property
    def gaps(self) -> tuple[str, ...]:
        """The hidden parts of a cloze text, in order."""
        return tuple(m.group(1).strip() for m in CLOZE_GAP.finditer(self.text))

    @property
    def prompt_text(self) -> str:
        """What is shown to the learner: the question, or the cloze with blanks."""
        if self.type is QType.CLOZE:
            if not any(self.hints):
                return CLOZE_GAP.sub("_____", self.text)
            hints = iter(self.hints)
            return CLOZE_GAP.sub(lambda _: "_____" + (f" ({h})" if (h := next(hints, "")) else ""), self.text)
        return self.question

    @property
    def answer_text(self) -> str:
        """The correct answer as a person would read it."""
        if self.type is QType.CLOZE:
            return " / ".join(self.gaps)
        if self.type is QType.TRUE_FALSE:
            return "True" if self.answer else "False"
        return str(self.answer)


class LazyQuestions(Sequence[Question]):
    """A deck's questions, built only when used: what a deck read from the parsed-deck cache holds.

    The ids are there at once; the questions are built a block at a time
    (``load(block)`` gives the questions ``block * size`` onwards), when one
    of the block is first used, and only the last block built is kept. So a
    10,000-question deck costs a few milliseconds and about a megabyte until
    its questions are read, and a session or ``stats`` builds only the
    questions it shows (docs/performance.md). Otherwise it behaves as the
    tuple a deck read from YAML holds: length, indexing, iteration, equality.
    """

    __slots__ = ("ids", "_size", "_load", "_block", "_built")

    def __init__(self, ids: tuple[str, ...], size: int, load: Callable[[int], tuple[Question, ...]]) -> None:
        self.ids = ids
        self._size = size
        self._load = load
        self._block = -1
        self._built: tuple[Question, ...] = ()

    def _get(self, block: int) -> tuple[Question, ...]:
        if block != self._block:
            self._built, self._block = self._load(block), block
        return self._built

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> Question: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Question, ...]: ...

    def __getitem__(self, i: int | slice) -> Question | tuple[Question, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self.ids))))
        n = len(self.ids)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("question index out of range")
        block, j = divmod(i, self._size)
        return self._get(block)[j]

    def __iter__(self) -> Iterator[Question]:
        for block in range(-(-len(self.ids) // self._size)):
            yield from self._get(block)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, LazyQuestions)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # equal to the tuple of its questions, so hashed as that tuple

    def __repr__(self) -> str:
        return f"LazyQuestions({len(self.ids)} questions)"


@dataclass(frozen=True)
class Deck:
    """A deck: its own fields and its questions; ``origin`` says whether legquiz ships it or the user added it."""

    id: str
    title: str
    questions: Sequence[Question]  # a tuple, or LazyQuestions for a deck read from the cache
    path: str = ""
    article: str | None = None
    origin: str = "shipped"  # "shipped" or "user"
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def article_for(self, q: Question) -> str | None:
        return q.article or self.article

    def citations(self, q: Question) -> tuple[tuple[str | None, str], ...]:
        """Every sentence ``q`` quotes, with the article it is from (None: none named): ``source``, then ``sources``."""
        own = self.article_for(q)
        first = ((own, q.source),) if q.source else ()
        return first + tuple((name or own, text) for name, text in q.sources)

    def question_ids(self) -> Sequence[str]:
        """Every question's id, in order, without building questions a cached deck has not built yet."""
        qs = self.questions
        return qs.ids if isinstance(qs, LazyQuestions) else tuple(q.id for q in qs)


def card_key(deck_id: str, question_id: str) -> str:
    """The store's key for one question's progress."""
    return f"{deck_id}/{question_id}"

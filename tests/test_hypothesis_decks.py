"""Property tests: any deck the validator accepts round-trips and runs; no input makes it crash.

* Decks near the valid ones (random questions of every kind, then sometimes
  one field replaced by something random) are written with PyYAML. Whatever
  the validator accepts must write back out (``deckwrite.dumps``) and load to
  the same questions, and a whole study session over it must run.
* Random bytes, random YAML-ish text and random YAML documents must end in
  ``DeckErrors`` (one line each, ``FILE:LINE: FIELD: message``) or a deck,
  never any other exception.
"""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sessionkit import CFG, UTC_DAYS, Clock

from legquiz.core.model import Deck
from legquiz.core.queue import Item
from legquiz.core.session import Session
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile import write as deckwrite
from legquiz.deckfile.articles import ArticleIndex
from legquiz.errors import DeckErrors
from legquiz.storage.store import Store, read
from legquiz.ui.ask import Ask

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
LINE = re.compile(r"^deck\.yaml:\d+: .+: .+$")

CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x85{}")
TEXT = st.text(CHARS, min_size=1, max_size=20).filter(lambda s: s.strip())
QID = st.from_regex(r"[A-Za-z0-9_.-]{1,10}", fullmatch=True)
ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def question(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["multiple_choice", "true_false", "typed", "flashcard", "cloze"]))
    q: dict[str, Any] = {"id": qid, "type": kind}
    if kind == "multiple_choice":
        choices = draw(st.lists(TEXT, min_size=2, max_size=5, unique_by=str.strip))
        q |= {"question": draw(TEXT), "choices": choices, "answer": draw(st.sampled_from(choices))}
    elif kind == "true_false":
        q |= {"question": draw(TEXT), "answer": draw(st.booleans())}
    elif kind in ("typed", "flashcard"):
        q |= {"question": draw(TEXT), "answer": draw(TEXT)}
        if kind == "typed" and draw(st.booleans()):
            q["aliases"] = draw(st.lists(TEXT, max_size=3))
    else:
        gaps = draw(st.lists(TEXT, min_size=1, max_size=2))
        q["text"] = " ".join(f"{draw(st.text(CHARS, max_size=8))} {{{{{g}}}}}" for g in gaps)
    for key in ("explanation", "source"):
        if draw(st.booleans()):
            q[key] = draw(TEXT)
    if draw(st.booleans()):
        q["sources"] = draw(st.lists(st.fixed_dictionaries({"text": TEXT}, optional={"article": TEXT}), max_size=2))
    return q


@st.composite
def deck_data(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(QID, min_size=1, max_size=5, unique=True))
    data: dict[str, Any] = {
        "format": 1,
        "id": draw(st.from_regex(r"[a-z0-9-]{1,10}", fullmatch=True)),
        "title": draw(TEXT),
        "questions": [draw(question(i)) for i in ids],
    }
    if draw(st.integers(0, 3)) == 0:  # now and then, break one thing at random
        target = draw(st.sampled_from(["top", "question"]))
        value = draw(ANY_VALUE)
        if target == "top":
            data[draw(st.sampled_from([*deckmod.TOP_KEYS, "x-extra", "extra"]))] = value
        else:
            q = draw(st.sampled_from(data["questions"]))
            q[draw(st.sampled_from([*deckmod.ALL_QUESTION_KEYS, "x-note", "bogus"]))] = value
    return data


def load_text(folder: Path, text: str | bytes) -> Deck | None:
    """Validate ``text`` as deck.yaml: a Deck, or None after checking every error is one proper line."""
    path = folder / "deck.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        return deckmod.load(path, shown="deck.yaml")
    except DeckErrors as e:
        assert e.errors
        for err in e.errors:
            assert LINE.match(str(err)) and "\n" not in str(err), str(err)
        return None


def answer_anything(ask: Ask) -> str:
    if ask.kind == "select":
        return ask.default if ask.default is not None else ask.choices[0].value
    return "" if ask.kind == "reveal" else "an answer"


class Anything:
    """A prompter that answers whatever it is asked (the default, the first choice, some text)."""

    def __init__(self) -> None:
        self.asked = 0

    def ask(self, ask: Ask) -> str:
        self.asked += 1
        return answer_anything(ask)

    def say(self, text: str) -> None:
        pass

    def wait(self, seconds: float, message: str) -> bool:
        return False  # never chosen: the offer to wait is answered with its default, "end"

    def style(self, text: str, kind: str) -> str:
        return text


def same(a: Deck, b: Deck) -> bool:
    def strip(d: Deck) -> list[tuple[Any, ...]]:
        return [(q.id, q.type, q.question, q.answer, q.choices, q.aliases, q.text, q.explanation, q.source, q.article, q.sources)
                for q in d.questions]  # fmt: skip

    return (a.id, a.title, a.article, strip(a)) == (b.id, b.title, b.article, strip(b))


@SETTINGS
@given(deck_data(), st.sampled_from(["block", "flow", "default"]))
def test_accepted_decks_round_trip_and_run_in_a_session(tmp_path: Path, data: dict[str, Any], style: str) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    flow = {"block": False, "flow": True, "default": None}[style]
    d = load_text(folder, yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False))
    event("accepted" if d is not None else "refused")
    if d is None:
        return
    again = load_text(folder, deckwrite.dumps(d))
    assert again is not None and same(d, again)
    home = folder / "home"
    items = [Item(d, q) for q in d.questions]
    prompter = Anything()
    with Store.open(home) as store:
        summary = Session(items, CFG, UTC_DAYS, prompter, Clock(), store, ArticleIndex(home), random.Random(0)).run()
    assert summary.error is None and not summary.quit and summary.answered == len(d.questions)
    assert len(read(home).state.cards) == len(d.questions)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_validator(tmp_path: Path, data: bytes) -> None:
    load_text(Path(tempfile.mkdtemp(dir=tmp_path)), data)


TOKENS = [
    *"abc :-,?&*!|>'\"#%@`[]{}\n\t\\0.",
    "\ufeff",
    "é",
    "---",
    "...",
    "!!python/object:os.system",
    "&a",
    "*a",
    "<<",
]
YAMLISH = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@SETTINGS
@given(YAMLISH)
def test_random_yaml_punctuation_never_crashes_the_validator(tmp_path: Path, text: str) -> None:
    load_text(Path(tempfile.mkdtemp(dir=tmp_path)), text)


@SETTINGS
@given(ANY_VALUE, st.booleans())
def test_random_yaml_documents_never_crash_the_validator(tmp_path: Path, value: Any, flow: bool) -> None:
    load_text(Path(tempfile.mkdtemp(dir=tmp_path)), yaml.safe_dump(value, default_flow_style=flow))

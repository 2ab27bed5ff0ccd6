"""Cloze gap hints (``hints:``): read, checked, written, cached, shown when asking, and exported to Anki."""

from __future__ import annotations

from pathlib import Path

import pytest
from sessionkit import ENTER, items, run_session

from legquiz.convert.anki_export import cloze_text
from legquiz.core.model import Deck, QType, Question
from legquiz.deckfile import catalog
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile import write as deckwrite
from legquiz.errors import DeckErrors

DECK = """\
format: 1
id: hinted
title: Hinted
questions:
  - id: two
    type: cloze
    text: Squats and {{lunges}} train the {{legs}}.
    hints: ["an exercise", ""]
  - id: plain
    type: cloze
    text: Running is {{aerobic}}.
"""


def test_hints_read_and_shown_beside_their_gap(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(DECK, "utf-8")
    two, plain = deckmod.load(tmp_path / "d.yaml").questions
    assert two.hints == ("an exercise", "")
    assert two.prompt_text == "Squats and _____ (an exercise) train the _____."
    assert (plain.hints, plain.prompt_text) == ((), "Running is _____.")


@pytest.mark.parametrize(
    ("hints", "message"),
    [
        ('["an exercise"]', "has 1 entry for 2 {{gaps}}: give one per gap"),
        ('"an exercise"', "must be a list"),
        ("[1.5, [x]]", "hints[1]: must be text"),
    ],
)
def test_bad_hints(tmp_path: Path, hints: str, message: str) -> None:
    (tmp_path / "d.yaml").write_text(DECK.replace('["an exercise", ""]', hints), "utf-8")
    with pytest.raises(DeckErrors) as e:
        deckmod.load(tmp_path / "d.yaml")
    assert message in str(e.value.errors[0])


def test_hints_only_on_cloze(tmp_path: Path) -> None:
    flash = "  - id: f\n    type: flashcard\n    question: Q?\n    answer: A\n    hints: [x]\n"
    (tmp_path / "d.yaml").write_text(DECK + flash, "utf-8")
    with pytest.raises(DeckErrors, match=r"hints: not used by flashcard questions \(only by cloze\)"):
        deckmod.load(tmp_path / "d.yaml")


def test_written_and_cached_and_exported(tmp_path: Path, legquiz_home: Path) -> None:
    q = Question("two", QType.CLOZE, text="Squats and {{lunges}} train the {{legs}}.", hints=("an exercise", ""))
    text = deckwrite.dumps(Deck("hinted", "Hinted", (q,)))
    assert "    hints:\n    - an exercise\n    - ''\n" in text
    folder = legquiz_home / "decks"
    folder.mkdir(parents=True)
    (folder / "hinted.yaml").write_text(text, "utf-8")
    first = catalog.load(legquiz_home).get("hinted")
    again = catalog.load(legquiz_home).get("hinted")  # from the parsed-deck cache this time
    assert first is not None and again is not None
    assert first.questions[0].hints == again.questions[0].hints == ("an exercise", "")
    assert cloze_text(q) == "Squats and {{c1::lunges::an exercise}} train the {{c1::legs}}."


def test_session_asks_with_the_hint(legquiz_home: Path) -> None:
    q = Question("two", QType.CLOZE, text="Squats and {{lunges}} train the {{legs}}.", hints=("an exercise", ""))
    _, p = run_session(legquiz_home, items(Deck("hinted", "Hinted", (q,))), ["lunges", "legs", ENTER])
    assert "Squats and [ 1 ] (an exercise) train the __2__." in p.text  # the hint beside the blank it belongs to

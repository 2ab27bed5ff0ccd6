"""The whole custom-deck story end to end, and ``deck new`` (wizard and flags)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from clikit import MINI, legquiz, snapshot
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from legquiz.core.model import QType
from legquiz.deckfile import validate as deckmod
from legquiz.storage.store import read as read_store

ENTER, UP, DOWN = "\r", "\x1b[A", "\x1b[B"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Every questionary prompt (study session and deck commands) reads keystrokes from one pipe."""
    from legquiz.cli import deck as deck_cmd
    from legquiz.ui import terminal as prompts

    with create_pipe_input() as inp:
        real = prompts.QuestionaryPrompter

        def make(*args: object, **kwargs: object) -> Any:
            return real(input=inp, output=DummyOutput(), stream=io.StringIO(), colour=False)

        monkeypatch.setattr(prompts, "QuestionaryPrompter", make)
        monkeypatch.setattr(deck_cmd, "interactive_prompter", lambda why: make())
        yield inp


def listed(deck_id: str) -> dict[str, Any]:
    rows = json.loads(legquiz("deck", "list", "--json").out)
    return next(r for r in rows if r["id"] == deck_id)


def test_add_study_edit_remove_add_back_export(tmp_path: Path, legquiz_home: Path, keys: Any) -> None:
    src = tmp_path / "mini.yaml"
    src.write_text(MINI, "utf-8")
    assert legquiz("deck", "add", src).code == 0
    assert listed("mini")["new"] == 2

    # study it with `legquiz start`: True (Enter), accept the rating, type the answer, accept the rating
    assert legquiz("config", "set", "learn_ahead_minutes", "0").code == 0  # no re-ask of the learning steps
    far = (datetime.now().hour + 12) % 24  # the study day turns over far from now: the steps fall today
    assert legquiz("config", "set", "day_start", str(far)).code == 0
    keys.send_text(ENTER + ENTER + "leg presses" + ENTER + ENTER + "e")  # e: end, not wait for the 10-minute step
    r = legquiz("start", "--deck", "mini", tty=True)
    assert r.code == 0, r.err
    assert "answered 2, correct 2 (100%)" in r.out
    cards = read_store(legquiz_home).state.cards
    assert set(cards) == {"mini/q-tf", "mini/q-typed"}
    assert listed("mini")["new"] == 0

    # edit a question's text and choices: progress stays with deck id + question id
    src.write_text(MINI.replace("Jogging mainly targets", "Jogging chiefly works"), "utf-8")
    r = legquiz("deck", "add", src, "--force")
    assert r.code == 0 and "progress on 2 of its questions is kept" in r.out and r.err == ""
    assert read_store(legquiz_home).state.cards == cards
    assert listed("mini")["new"] == 0

    # remove it (confirming with the real prompt), then add it back: the progress is still there
    keys.send_text("y")
    r = legquiz("deck", "remove", "mini")
    assert r.code == 0 and "Removed deck 'mini'" in r.out
    assert "mini" not in [row["id"] for row in json.loads(legquiz("deck", "list", "--json").out)]
    assert read_store(legquiz_home).state.cards == cards
    r = legquiz("deck", "add", src)
    assert r.code == 0 and "progress on 2 of its questions is kept" in r.out
    assert listed("mini")["new"] == 0

    # export to .apkg and read it with Anki itself
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    out = tmp_path / "mini.apkg"
    assert legquiz("export", "apkg", "--deck", "mini", "-o", out).code == 0
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        req = ImportAnkiPackageRequest(package_path=str(out), options=ImportAnkiPackageOptions())
        col.import_anki_package(req)
        assert col.note_count() == 2
        fronts = sorted(col.get_note(n)["Front"] for n in col.find_notes(""))
        assert fronts == [
            "True or false? Jogging chiefly works the aerobic energy system.",
            "Which exercise is named with squats and lunges?",
        ]
    finally:
        col.close()


def test_deck_new_from_flags_asks_nothing(tmp_path: Path, legquiz_home: Path) -> None:
    mc = {"type": "multiple_choice", "question": "Which muscle?", "choices": ["Quads", "Calves"], "answer": "Quads"}
    tf = {"id": "tf1", "type": "true_false", "question": "Jogging builds big legs.", "answer": False}
    cz = {"type": "cloze", "text": "Squats train the {{legs}}.", "source": "Squats train the legs."}
    args = ["--id", "legs", "--title", "Leg facts", *[a for q in (mc, tf, cz) for a in ("--question", json.dumps(q))]]
    r = legquiz("deck", "new", *args)  # stdin is not a terminal: fine, nothing is asked
    assert r.code == 0, r.err
    path = legquiz_home / "decks" / "legs.yaml"
    assert legquiz("deck", "validate", path).code == 0
    d = deckmod.load(path)
    assert [q.id for q in d.questions] == ["which-muscle", "tf1", "squats-train-the-legs"]
    assert [q.type for q in d.questions] == [QType.MULTIPLE_CHOICE, QType.TRUE_FALSE, QType.CLOZE]
    out = tmp_path / "legs.yaml"
    assert legquiz("deck", "new", out, *args).code == 0
    assert deckmod.load(out).questions == tuple(q for q in deckmod.load(out).questions)
    assert legquiz("deck", "new", out, *args).code == 2  # exists: needs --force
    assert legquiz("deck", "new", *args).code == 2  # the id is one of your decks now


@pytest.mark.parametrize(
    "args, message",
    [
        (["--id", "x", "--title", "X", "--question", "{not json"], "--question 1: not valid JSON"),
        (["--id", "x", "--title", "X", "--question", "[1]"], "--question 1: must be a JSON object"),
        (
            [
                "--id",
                "x",
                "--title",
                "X",
                "--question",
                '{"type": "multiple_choice", "question": "Q", "choices": ["a", "b"], "answer": "c"}',
            ],
            "--question 1: answer: must be one of the choices",
        ),
        (
            ["--id", "x", "--title", "X", "--question", '{"type": "flashcard", "question": "Q", "answr": "A"}'],
            "did you mean 'answer'",
        ),
        (["--id", "Bad Id", "--title", "X"], "--id 'Bad Id'"),
        (
            [
                "--id",
                "running-vs-jogging",
                "--title",
                "X",
                "--question",
                '{"type": "flashcard", "question": "Q", "answer": "A"}',
            ],
            "shipped",
        ),
        (["--title", "X"], "stdin is not a terminal"),
    ],
)
def test_deck_new_bad_flags(legquiz_home: Path, args: list[str], message: str) -> None:
    r = legquiz("deck", "new", *args)
    assert r.code == 2, r.out
    assert len(r.err.strip().splitlines()) == 1 and message in r.err, r.err
    assert snapshot(legquiz_home) == {}


def test_deck_new_wizard_with_real_prompts(tmp_path: Path, keys: Any) -> None:
    out = tmp_path / "mine.yaml"
    keys.send_text(
        "My legs" + ENTER  # title
        + ENTER  # id: accept 'my-legs'
        + ENTER  # type: multiple choice
        + "Which muscle is at the front of the thigh?" + ENTER
        + "Quadriceps" + ENTER + "Calves" + ENTER + ENTER  # choices, then an empty one to finish
        + ENTER  # the correct choice: Quadriceps
        + "The quads extend the knee." + ENTER + ENTER  # explanation, no source
        + ENTER  # question id: accept the suggestion
        + DOWN + DOWN + DOWN + DOWN + ENTER  # type: cloze
        + "Squats train the legs." + ENTER  # no {{gap}}: refused, asked again
        + "\x15" + "Squats train the {{legs}}." + ENTER  # Ctrl-U clears, then a valid cloze
        + ENTER + ENTER + ENTER  # aliases, explanation, source: none
        + "\x15" + "squats" + ENTER  # question id: Ctrl-U clears the suggestion, then our own
        + UP + ENTER  # Done (the last choice)
    )  # fmt: skip
    r = legquiz("deck", "new", out, tty=True)
    assert r.code == 0, r.err
    assert legquiz("deck", "validate", out).code == 0
    d = deckmod.load(out)
    assert (d.id, d.title) == ("my-legs", "My legs")
    mc, cz = d.questions
    assert (mc.id, mc.choices, mc.answer, mc.explanation) == (
        "which-muscle-is-at-the-front-of-the-thigh", ("Quadriceps", "Calves"), "Quadriceps", "The quads extend the knee."
    )  # fmt: skip
    assert (cz.id, cz.text) == ("squats", "Squats train the {{legs}}.")


def test_deck_new_wizard_ctrl_c_before_any_question_writes_nothing(legquiz_home: Path, keys: Any) -> None:
    keys.send_text("Half a deck" + ENTER + "\x03")
    r = legquiz("deck", "new", tty=True)
    assert r.code == 130 and r.out == "Stopped; no question was finished, so nothing was written.\n", r
    assert snapshot(legquiz_home) == {}

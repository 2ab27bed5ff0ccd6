"""``legquiz deck new``'s wizard through real questionary prompts: multi-gap cloze, Ctrl-C, fixing a field, width.

Keys go through prompt_toolkit's pipe input, as a terminal sends them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clikit import legquiz, snapshot
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from legquiz.core.model import QType
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.limits import MAX_TEXT

ENTER, UP, CTRL_C, CTRL_U = "\r", "\x1b[A", "\x03", "\x15"
CLOZE = "\x1b[B" * 4 + ENTER  # the fifth question type
FLASHCARD = "\x1b[B" * 3 + ENTER


class Keys:
    """The pipe the prompts read, and everything the wizard said (its prompter's stream) and asked."""

    def __init__(self, inp: Any) -> None:
        self.inp = inp
        self.said = io.StringIO()
        self.asked: list[str] = []
        self.titles: list[str] = []  # the choices of every select, as shown

    def send(self, text: str) -> None:
        self.inp.send_text(text)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Keys]:
    import questionary

    from legquiz.cli import deck as deck_cmd
    from legquiz.ui import terminal

    with create_pipe_input() as inp:
        k = Keys(inp)
        for name in ("text", "select", "confirm"):
            real = getattr(questionary, name)

            def spy(message: str, *args: Any, _real: Any = real, **kw: Any) -> Any:
                k.asked.append(message)
                k.titles.extend(str(c.title) for c in kw.get("choices") or ())
                return _real(message, *args, **kw)

            monkeypatch.setattr(questionary, name, spy)
        make = lambda why: terminal.QuestionaryPrompter(  # noqa: E731
            input=inp, output=DummyOutput(), stream=k.said, colour=False
        )
        monkeypatch.setattr(deck_cmd, "interactive_prompter", make)
        yield k


START = "Leg facts" + ENTER + ENTER  # title, then accept the id 'leg-facts'
FLASH = FLASHCARD + "Front of the thigh?" + ENTER + "Quadriceps" + ENTER + ENTER + ENTER + ENTER


def test_two_gap_cloze_is_kept_without_asking_for_aliases(tmp_path: Path, keys: Keys) -> None:
    out = tmp_path / "mine.yaml"
    keys.send(
        START + CLOZE
        + "Squats and {{lunges}} train the {{legs}}." + ENTER
        + "Both work the thighs." + ENTER + ENTER  # explanation, no source: no aliases question in between
        + ENTER  # the suggested id
        + UP + ENTER  # Done
    )  # fmt: skip
    r = legquiz("deck", "new", out, tty=True)
    assert r.code == 0, r
    (q,) = deckmod.load(out).questions
    assert (q.type, q.text, q.aliases, q.explanation) == (
        QType.CLOZE, "Squats and {{lunges}} train the {{legs}}.", (), "Both work the thighs."
    )  # fmt: skip
    assert not any("accepted answers" in m for m in keys.asked)
    assert "Several gaps" in keys.said.getvalue()


def test_single_gap_cloze_still_takes_aliases(tmp_path: Path, keys: Keys) -> None:
    out = tmp_path / "mine.yaml"
    keys.send(START + CLOZE + "Squats train the {{quads}}." + ENTER + "quadriceps; quads muscles" + ENTER)
    keys.send(ENTER + ENTER + ENTER + UP + ENTER)
    assert legquiz("deck", "new", out, tty=True).code == 0
    assert deckmod.load(out).questions[0].aliases == ("quadriceps", "quads muscles")


def test_a_refused_field_is_said_in_one_line_and_asked_again(tmp_path: Path, keys: Keys) -> None:
    out = tmp_path / "mine.yaml"
    keys.send(
        START + FLASHCARD + "Front of the thigh?" + ENTER + "Quadriceps" + ENTER
        + "x" * (MAX_TEXT + 1) + ENTER  # explanation too long: refused, asked again
        + CTRL_U + "They extend the knee." + ENTER + ENTER + ENTER
        + UP + ENTER
    )  # fmt: skip
    r = legquiz("deck", "new", out, tty=True)
    assert r.code == 0, r
    (q,) = deckmod.load(out).questions
    assert (q.question, q.answer, q.explanation) == ("Front of the thigh?", "Quadriceps", "They extend the knee.")
    refusals = [ln for ln in keys.said.getvalue().splitlines() if "characters" in ln or "long" in ln]
    assert len(refusals) == 1, keys.said.getvalue()
    assert sum("Why is that the answer?" in m for m in keys.asked) == 2


def test_ctrl_c_keeps_the_finished_questions_in_the_file(tmp_path: Path, keys: Keys) -> None:
    out = tmp_path / "mine.yaml"
    keys.send(START + FLASH + FLASHCARD + "Back of the thigh?" + CTRL_C)  # the second one is half typed
    r = legquiz("deck", "new", out, tty=True)
    assert r.code == 130, r
    said = f"Stopped; kept the 1 finished question of deck 'leg-facts' in {out}."
    assert "".join(r.out.split()) == "".join(said.split())  # wrapped to the width; a long path is cut
    d = deckmod.load(out)
    assert (d.id, [q.question for q in d.questions]) == ("leg-facts", ["Front of the thigh?"])


def test_ctrl_c_keeps_the_finished_questions_in_your_decks(legquiz_home: Path, keys: Keys) -> None:
    keys.send(START + FLASH + FLASH.replace("Front", "Back") + CTRL_C)  # at "Add question 3, or finish"
    r = legquiz("deck", "new", tty=True)
    assert r.code == 130, r
    said = f"Stopped; kept the 2 finished questions of deck 'leg-facts' in {legquiz_home / 'decks' / 'leg-facts.yaml'}."
    assert "".join(r.out.split()) == "".join(said.split())  # wrapped to the width; a long path is cut
    d = deckmod.load(legquiz_home / "decks" / "leg-facts.yaml")
    assert [q.question for q in d.questions] == ["Front of the thigh?", "Back of the thigh?"]
    assert "leg-facts" in legquiz("deck", "list").out


def test_ctrl_c_never_overwrites_without_force(tmp_path: Path, legquiz_home: Path, keys: Keys) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("mine\n")
    assert legquiz("deck", "new", out, tty=True).code == 2  # refused before anything is asked
    keys.send(START + FLASH + CTRL_C)
    r = legquiz("deck", "new", out, "--force", tty=True)
    assert r.code == 130 and [q.id for q in deckmod.load(out).questions] == ["front-of-the-thigh"]


def test_ctrl_c_with_no_finished_question_writes_nothing(tmp_path: Path, legquiz_home: Path, keys: Keys) -> None:
    out = tmp_path / "mine.yaml"
    keys.send(START + FLASHCARD + "Front of the thigh?" + ENTER + CTRL_C)
    r = legquiz("deck", "new", out, tty=True)
    assert r.code == 130 and r.out == "Stopped; no question was finished, so nothing was written.\n"
    assert not out.exists() and snapshot(legquiz_home) == {}


@pytest.mark.parametrize("columns", [60, 80, 100, 120])
def test_every_line_the_wizard_prints_fits_the_terminal(
    tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = tmp_path / ("a-rather-long-folder-name-" * 2) / "my-leg-facts-deck.yaml"
    out.parent.mkdir()
    long = "The quadriceps, four heads at the front of the thigh that together extend the knee and flex the hip"
    keys.send(
        START + CLOZE + "Squats {{a}} train the {{legs}}." + ENTER + ENTER + ENTER + ENTER
        + ENTER + "Which muscle extends the knee?" + ENTER + long + ENTER + "Calves" + ENTER + ENTER  # multiple choice
        + ENTER + ENTER + ENTER + ENTER  # the long choice is correct; no explanation, source; the suggested id
        + UP + ENTER
    )  # fmt: skip
    r = legquiz("deck", "new", out, tty=True)
    assert r.code == 0, r
    said = [*r.out.splitlines(), *keys.said.getvalue().splitlines()]
    asked = [ln for m in keys.asked for ln in m.split("\n")]
    assert " ".join(" ".join(keys.titles).split()).count(long) == 1
    said += [" » 1) " + ln if n == 0 else ln for t in keys.titles for n, ln in enumerate(t.split("\n"))]
    assert any("Sentence, with each hidden part" in ln for ln in asked) and any("Wrote deck" in ln for ln in said)
    too_long = [ln for ln in said if len(ln) >= columns] + [ln for ln in asked if len("? " + ln) >= columns]
    too_long = [ln for ln in too_long if len(ln.split()) > 1]  # a path longer than a line stays whole, alone
    assert not too_long, too_long
    # the suggested id (and what is typed) starts a line of its own rather than being split at the edge
    (asked_id,) = [m for m in keys.asked if m.startswith("Deck id")]
    *above, last = asked_id.split("\n")
    assert asked_id.endswith("\n") or len(("" if above else "? ") + last + " leg-facts") < columns, asked_id

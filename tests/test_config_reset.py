"""``legquiz config reset`` with no key asks first (fitted parameters go too); the listing fits the terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clikit import legquiz
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from legquiz.core import settings as cfgmod
from legquiz.core.settings import Config
from legquiz.srs.scheduler import default_parameters

FITTED = [round(w * 1.05, 4) for w in default_parameters()]


@pytest.fixture
def changed(legquiz_home: Path) -> Path:
    """A settings file with a changed limit and fitted parameters."""
    assert legquiz("config", "set", "new_per_day", "5").code == 0
    assert legquiz("config", "set", "parameters", *map(str, FITTED)).code == 0
    return legquiz_home / "config.json"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, io.StringIO]]:
    """The real questionary confirm prompt, fed by a pipe; what the prompter said goes to the StringIO."""
    from legquiz.cli import deck as deck_cmd
    from legquiz.ui.terminal import QuestionaryPrompter

    said = io.StringIO()
    with create_pipe_input() as inp:
        make = lambda why: QuestionaryPrompter(input=inp, output=DummyOutput(), stream=said, colour=False)  # noqa: E731
        monkeypatch.setattr(deck_cmd, "interactive_prompter", make)
        yield inp, said


def test_reset_everything_asks_and_no_keeps_everything(changed: Path, terminal: tuple[Any, io.StringIO]) -> None:
    inp, said = terminal
    before = changed.read_bytes()
    inp.send_text("n")
    r = legquiz("config", "reset", tty=True)
    assert (r.code, r.out) == (0, "Nothing was reset.\n")
    assert changed.read_bytes() == before
    listing = " ".join(said.getvalue().split())  # wrapped to the terminal
    assert "Reset every setting, fitted FSRS parameters included:" in listing
    assert "parameters: your fitted weights (from 'legquiz optimize') -> default (FSRS-6)" in listing
    assert "new_per_day: 5 -> 20" in listing


def test_reset_everything_asks_and_yes_resets_the_parameters_too(changed: Path, terminal: tuple[Any, Any]) -> None:
    terminal[0].send_text("y")
    r = legquiz("config", "reset", tty=True)
    assert r.code == 0 and r.out.startswith("reset desired_retention")
    assert cfgmod.load(changed.parent) == Config()


def test_ctrl_c_at_the_question_resets_nothing(changed: Path, terminal: tuple[Any, Any]) -> None:
    before = changed.read_bytes()
    terminal[0].send_text("\x03")
    assert legquiz("config", "reset", tty=True).out == "Nothing was reset.\n"
    assert changed.read_bytes() == before


def test_reset_everything_without_a_terminal_needs_yes(changed: Path) -> None:
    before = changed.read_bytes()
    r = legquiz("config", "reset")
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and "stdin is not a terminal" in r.err and "--yes" in r.err, r.err
    assert changed.read_bytes() == before
    r = legquiz("config", "reset", "--yes")
    assert r.code == 0 and cfgmod.load(changed.parent) == Config()


def test_reset_one_key_never_asks(changed: Path) -> None:
    r = legquiz("config", "reset", "parameters")  # stdin is not a terminal: no question, no refusal
    assert (r.code, r.out) == (0, "reset parameters to the default\n")
    assert json.loads(changed.read_text()) == {"new_per_day": 5}


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_listing_fits_the_terminal(changed: Path, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    r = legquiz("config")
    assert r.code == 0
    lines = r.out.splitlines()
    assert all(len(ln) < columns or len(ln.split()) == 1 for ln in lines), lines  # a long path: whole, alone
    at = lines.index(next(ln for ln in lines if ln.startswith("  parameters ")))
    end = next(i for i in range(at, len(lines)) if "(changed)" in lines[i])
    assert end > at  # 21 weights take more than one line even at 120 columns
    shown = " ".join(lines[at : end + 1]).split()
    assert shown == ["parameters", *[f"{w:g}" for w in FITTED], "(changed)"]
    for ln in lines[at + 1 : end + 1]:  # continuation lines start under the value, not at the edge
        assert ln.startswith(" " * 21) and not ln.startswith(" " * 22), ln

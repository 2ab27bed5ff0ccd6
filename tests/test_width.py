"""Every screen at 60, 80 and 120 columns: no line longer than the terminal (issue 14).

The session runs through the real questionary prompts, drawn by prompt_toolkit
for a terminal of the width under test, into an emulated terminal (pyte) that is
much wider: a line legquiz did not wrap shows up longer than the width under
test, and a line prompt_toolkit had to cut shows up exactly as wide, so both are
found. The commands' own output is checked the same way, piped, with $COLUMNS.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from sessionkit import UTC_DAYS, Clock, every_kind_deck

from legquiz.core.queue import Item
from legquiz.core.session import Session
from legquiz.core.settings import Config
from legquiz.deckfile import catalog
from legquiz.deckfile.articles import ArticleIndex
from legquiz.storage.store import Store
from legquiz.ui.ask import Ask
from legquiz.ui.terminal import QuestionaryPrompter

WIDTHS = (60, 80, 120)
WIDE = 250  # the emulated terminal: wide enough to show any line whole


def too_long(text: str, columns: int) -> list[str]:
    """The rows of ``text`` as a terminal shows it that are ``columns`` wide or wider."""
    screen = pyte.Screen(WIDE, 2000)
    pyte.Stream(screen).feed(text.replace("\n", "\r\n"))
    return [row.rstrip() for row in screen.display if len(row.rstrip()) >= columns]


class Keys(QuestionaryPrompter):
    """The real prompter drawing for a terminal ``columns`` wide; answers the way a person might."""

    def __init__(self, inp: object, screen: io.StringIO, columns: int) -> None:
        out = Vt100_Output(screen, lambda: Size(rows=50, columns=columns), term="xterm")  # type: ignore[arg-type]
        super().__init__(input=inp, output=out, stream=screen, colour=True)
        self.inp = inp
        self.rng = random.Random(columns)

    def ask(self, ask: Ask) -> str:
        if ask.kind == "reveal":
            keys = " "
        elif ask.kind == "text":
            keys = self.rng.choice(["x", "hypertrofy", "quite a long answer"]) + "\r"  # what is typed wraps as typed
        elif ask.choices[-1].value == "wait":
            keys = "e"
        elif ask.default is not None:  # the rating menu: Again now and then, so questions come back
            keys = self.rng.choice(["1", "3", "\r"])
        else:
            keys = ask.choices[-1].key or "\r"
        self.inp.send_text(keys)  # type: ignore[attr-defined]
        return super().ask(ask)


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_session_fits_the_terminal(columns: int, legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    shipped = catalog.load(legquiz_home).decks
    items = [Item(d, index=i) for d in shipped for i in range(0, len(d.questions), 4)]  # every kind, real text
    deck = every_kind_deck()
    items += [Item(deck, q) for q in deck.questions]
    screen = io.StringIO()
    with create_pipe_input() as inp, Store.open(legquiz_home) as store:
        p = Keys(inp, screen, columns)
        summary = Session(
            items, Config(fuzz=False, learn_ahead_minutes=0), UTC_DAYS, p, Clock(), store, ArticleIndex(legquiz_home),
            random.Random(1),
        ).run()  # fmt: skip
    assert summary.answered >= len(items)
    assert too_long(screen.getvalue(), columns) == []


def cli(home: Path, columns: int, *args: str) -> str:
    env = {**os.environ, "COLUMNS": str(columns), "LEGQUIZ_HOME": str(home), "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "legquiz", *args], capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in p.stderr
    return p.stdout  # warnings and errors on stderr are one line each, never wrapped: scripts read them whole


def in_terminal(home: Path, columns: int, *args: str) -> str:
    import pexpect

    env = {**os.environ, "TERM": "xterm", "LEGQUIZ_HOME": str(home), "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("COLUMNS", None)
    child = pexpect.spawn(
        sys.executable, ["-m", "legquiz", *args], env=env, dimensions=(40, columns), encoding="utf-8", timeout=30
    )
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


@pytest.fixture
def short_home() -> Iterator[Path]:
    """A data folder with a path as short as a person's (pytest's own are longer than a 60-column line)."""
    home = Path(tempfile.mkdtemp(prefix="lq-"))
    yield home
    shutil.rmtree(home)


@pytest.mark.parametrize("columns", WIDTHS)
def test_command_output_fits(columns: int, short_home: Path) -> None:
    """``deck validate`` is left out on purpose: one line per file, as linters print, for editors and scripts."""
    legquiz_home = short_home
    (legquiz_home / "config.json").write_text('{"new_per_day": 0}')
    screens = {
        "start (nothing to study)": in_terminal(legquiz_home, columns, "start", "--deck", "running-vs-jogging"),
        "deck list": cli(legquiz_home, columns, "deck", "list"),
        "config": cli(legquiz_home, columns, "config"),
        "stats": cli(legquiz_home, columns, "stats"),
        "doctor": cli(legquiz_home, columns, "doctor"),
    }
    for name, text in screens.items():
        assert text.strip(), name
        assert too_long(text, columns) == [], name

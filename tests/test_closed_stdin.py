"""Class 9 of issue 15: a closed standard input (``legquiz start <&-``).

With stdin closed Python's ``sys.stdin`` is None, not a file. Every command
that would ask must then give the same one-line message (exit 2) as when
stdin is a pipe, and a command that asks nothing must work as usual. The
commands run as real processes whose file descriptor 0 is closed, as a shell
does for ``<&-``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from clikit import MINI
from realcli import clean, run

NEEDS_TTY = {
    ("start",): "legquiz: start needs an interactive terminal, but stdin is not a terminal\n",
    ("start", "--cram"): "legquiz: start needs an interactive terminal, but stdin is not a terminal\n",
    ("deck", "new"): (
        "legquiz: stdin is not a terminal, so legquiz cannot ask; give --id, --title and at least one --question "
        "to create a deck without asking\n"
    ),
    ("deck", "new", "mine.yaml"): (
        "legquiz: stdin is not a terminal, so legquiz cannot ask; give --id, --title and at least one --question "
        "to create a deck without asking\n"
    ),
    (
        "deck",
        "remove",
        "mini",
    ): "legquiz: stdin is not a terminal, so legquiz cannot ask; pass --yes to remove without asking\n",
}


@pytest.fixture()
def with_mini(legquiz_home: Path, tmp_path: Path) -> Path:
    (legquiz_home / "decks").mkdir(parents=True)
    (legquiz_home / "decks" / "mini.yaml").write_text(MINI, "utf-8")
    return legquiz_home


def test_the_shell_really_closes_stdin(tmp_path: Path) -> None:
    """The harness itself: in the child, Python sees no stdin at all."""
    probe = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -c "import sys; print(sys.stdin)" <&-'],
        capture_output=True,
        text=True,
    )
    assert probe.stdout == "None\n"
    r = run("--version", close_stdin=True)
    assert r.code == 0


@pytest.mark.parametrize("args", sorted(NEEDS_TTY), ids=" ".join)
def test_a_command_that_asks_says_so_in_one_line(with_mini: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    closed = run(*args, close_stdin=True, cwd=tmp_path)
    piped = run(*args, cwd=tmp_path)  # stdin from /dev/null: not a terminal either
    assert (closed.code, closed.err) == (2, NEEDS_TTY[args]), closed.err
    assert (piped.code, piped.err) == (closed.code, closed.err)
    clean(closed)
    assert closed.out == "" and not (tmp_path / "mine.yaml").exists()
    assert (with_mini / "decks" / "mini.yaml").exists()  # nothing removed


def test_the_shell_form_too(with_mini: Path) -> None:
    """Exactly as a person types it: `legquiz deck remove mini <&-`."""
    proc = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m legquiz deck remove mini <&-'], capture_output=True, text=True
    )
    assert (proc.returncode, proc.stderr) == (2, NEEDS_TTY[("deck", "remove", "mini")])


def test_commands_that_ask_nothing_work_with_stdin_closed(with_mini: Path, tmp_path: Path) -> None:
    question = '{"type": "flashcard", "question": "Which muscle?", "answer": "Quadriceps"}'
    r = run("deck", "new", "--id", "legs", "--title", "Legs", "--question", question, close_stdin=True)
    assert r.code == 0 and "Added deck 'legs'" in r.out, r.err
    r = run("deck", "remove", "mini", "--yes", close_stdin=True)
    assert r.code == 0 and "Removed deck 'mini'" in r.out, r.err
    r = run("config", "reset", close_stdin=True)  # all settings: it asks first, so it needs --yes
    assert (r.code, r.err) == (2, "legquiz: stdin is not a terminal, so legquiz cannot ask; add --yes\n")
    for args in (
        ("stats",),
        ("deck", "list"),
        ("config", "reset", "new_per_day"),
        ("config", "reset", "--yes"),
        ("doctor",),
        ("config",),
    ):
        r = run(*args, close_stdin=True)
        assert r.code == 0, (args, r.err)
        clean(r)
    r = run("undo", close_stdin=True)
    assert (r.code, r.err) == (1, "legquiz: nothing to undo\n")

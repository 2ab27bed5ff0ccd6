"""Run the real ``legquiz`` entry point in-process (error mapping and exit codes included)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from legquiz.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def legquiz(*args: str | Path, input: str | None = None, tty: bool = False) -> Run:
    """``legquiz ARGS`` as a user would run it: stdout, stderr and the exit status.

    ``tty`` makes stdin claim to be a terminal (the prompts themselves are fed
    by a test's pipe input).
    """
    runner = CliRunner()
    saved = sys.argv
    code = 0
    with runner.isolation(input=input) as (out, err, _mixed):
        sys.argv = ["legquiz", *map(str, args)]
        if tty:
            sys.stdin.isatty = lambda: True  # type: ignore[method-assign]
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            sys.argv = saved
        return Run(code, out.getvalue().decode(), err.getvalue().decode())


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file under ``home`` and its bytes (the parsed-deck cache aside: it is not user data)."""
    if not home.exists():
        return {}
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.relative_to(home).parts[0] != "cache"
    }


MINI = """\
format: 1
id: mini
title: A small deck
questions:
  - id: q-tf
    type: true_false
    question: "Jogging mainly targets the aerobic energy system."
    answer: true
    explanation: "The jogging article says so."
    source: "Jogging primarily targets our aerobic energy system, which improves endurance and cardiovascular fitness."

  - id: q-typed
    type: typed
    question: "Which exercise is named with squats and lunges?"
    answer: "leg presses"
    aliases: ["leg press"]
"""


def on_screen(text: str) -> re.Pattern[str]:
    """``text`` as a terminal shows it: colour codes may sit between any two characters (for pexpect)."""
    return re.compile("".join(re.escape(c) + r"(?:\x1b\[[0-9;]*m)*" for c in text))

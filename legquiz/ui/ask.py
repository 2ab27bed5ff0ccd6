"""Questions as data: the session and the wizard say what to ask, a Prompter asks it.

Tests answer with a scripted Prompter; the terminal one (ui/terminal.py) turns
each Ask into a questionary prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

UNDO = "\x00undo"  # what a prompter returns when the person asks to undo


class Quit(Exception):
    """The person pressed Ctrl-C or Ctrl-D: end the session, keep everything."""


@dataclass(frozen=True)
class Choice:
    """One choice of a select prompt: what is shown, what the prompter returns, the keys that pick it at once."""

    title: str
    value: str
    key: str | None = None  # shown beside the choice; pressing it answers without Enter
    also: tuple[str, ...] = ()  # more keys that do the same, not shown (y/n beside t/f)


@dataclass(frozen=True)
class Ask:
    """One thing to ask; prompters turn it into a prompt."""

    kind: Literal["select", "text", "reveal"]
    message: str
    choices: tuple[Choice, ...] = ()
    default: str | None = None


class Prompter(Protocol):
    def ask(self, ask: Ask) -> str:
        """The answer (a choice's value or typed text), or UNDO; raises Quit."""
        ...

    def say(self, text: str) -> None:
        """Show a block of text (already styled)."""
        ...

    def style(self, text: str, kind: str) -> str:
        """Mark text as 'good', 'bad', 'warn', 'dim' or 'title' (or leave it plain)."""
        ...


class StudyPrompter(Prompter, Protocol):
    def wait(self, seconds: float, message: str) -> bool:
        """Count ``seconds`` down where the person sees it; False if they stopped waiting (Ctrl-C)."""
        ...

"""The questionary prompter: the only module that imports questionary.

Every prompt gets two extra keys: Ctrl-Z takes back the last answer and
Ctrl-D ends the session like Ctrl-C. ``input``/``output`` can be given so tests
drive real prompts through prompt_toolkit's pipe input without a terminal.
"""

from __future__ import annotations

import re
import shutil
import sys
from typing import Any, TextIO

import questionary
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from questionary import Style

from legquiz.ui.ask import UNDO, Ask, Quit
from legquiz.ui.render import colour_enabled, style

STYLE = Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"),
        ("answer", "fg:ansicyan"),
        ("instruction", "fg:ansibrightblack"),
    ]
)

_KINDS = {"good": ("green", True), "bad": ("red", True), "warn": ("yellow", True), "title": (None, True)}


def _extra_keys() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("c-z", eager=True)
    def _undo(event: Any) -> None:
        event.app.exit(result=UNDO)

    @kb.add("c-d", eager=True)
    def _eof(event: Any) -> None:
        event.app.exit(exception=EOFError())

    return kb


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_WIDTH = 100  # long lines are hard to read even on a wide terminal


def wrap(text: str, width: int, first: int = 0) -> str:
    """Word-wrap each line of ``text`` (which may carry colour codes) to ``width`` columns.

    Terminals split long lines mid-word, and prompt_toolkit cuts the upper
    lines of a multi-line prompt off at the edge; wrapping here avoids both.
    Continuation lines keep the line's indent plus two spaces; ``first`` is the
    width already used on the first line (the "? " in front of a question).
    """
    width = max(20, width)
    out = []
    for n, line in enumerate(text.split("\n")):
        plain = _ANSI.sub("", line)
        own = " " * (len(plain) - len(plain.lstrip(" "))) + "  "
        indent = " " * first if n == 0 and first else own
        parts = re.split(r"( +)", line)  # words, with the runs of spaces between them at odd places
        cur, col, has_word = parts[0], (first if n == 0 else 0) + _visible(parts[0]), bool(_visible(parts[0]))
        for gap, word in zip(parts[1::2], parts[2::2], strict=True):
            w = _visible(word)
            if has_word and w and col + len(gap) + w > width:
                out.append(cur)
                cur, col = indent + word, len(indent) + w
            else:
                cur, col = cur + gap + word, col + len(gap) + w
            has_word = has_word or bool(w)
        out.append(cur)
    return "\n".join(out)


def _visible(text: str) -> int:
    return len(_ANSI.sub("", text))


def _width() -> int:
    return min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns - 1)


class QuestionaryPrompter:
    def __init__(
        self, input: Any = None, output: Any = None, stream: TextIO | None = None, colour: bool | None = None
    ) -> None:
        self.kwargs: dict[str, Any] = {}
        if input is not None:
            self.kwargs["input"] = input
        if output is not None:
            self.kwargs["output"] = output
        self.stream = stream or sys.stdout
        self.colour = colour_enabled(self.stream) if colour is None else colour

    def _run(self, q: questionary.Question) -> Any:
        app = q.application
        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), _extra_keys()])
        try:
            return q.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise Quit() from None

    def ask(self, ask: Ask) -> str:
        style_ = STYLE if self.colour else None
        message = wrap(ask.message, _width(), first=2)
        if ask.kind == "select":
            choices = [questionary.Choice(c.title, value=c.value) for c in ask.choices]
            default = next((c for c in choices if c.value == ask.default), None)
            q = questionary.select(
                message, choices=choices, default=default, style=style_,
                use_shortcuts=len(choices) <= 9, instruction="(arrows or number, Enter)", **self.kwargs,
            )  # fmt: skip
        elif ask.kind == "text":
            q = questionary.text(message, default=ask.default or "", style=style_, **self.kwargs)
        else:
            q = questionary.press_any_key_to_continue(message, style=style_, **self.kwargs)
        result = self._run(q)
        if result is None:
            return ""
        return str(result)

    def say(self, text: str) -> None:
        print(wrap(text, _width()), file=self.stream, flush=True)

    def style(self, text: str, kind: str) -> str:
        if kind == "dim":
            return style(text, dim=True, enabled=self.colour)
        colour, bold = _KINDS.get(kind, (None, False))
        return style(text, colour, bold=bold, enabled=self.colour)

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(
            self._run(
                questionary.confirm(message, default=default, style=STYLE if self.colour else None, **self.kwargs)
            )
        )

"""The questionary prompter: the only module that imports questionary.

Every prompt gets two extra keys: Ctrl-Z takes back the last answer and
Ctrl-D ends the session like Ctrl-C. ``input``/``output`` can be given so tests
drive real prompts through prompt_toolkit's pipe input without a terminal.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import questionary
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.keys import Keys
from questionary import Style
from questionary.prompts.common import InquirerControl

from legquiz.ui.ask import UNDO, Ask, Quit
from legquiz.ui.render import colour_enabled, plain, style, visible_len, width, wrap

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

_KINDS = {
    "good": ("green", True), "bad": ("red", True), "warn": ("yellow", True), "title": (None, True), "new": ("blue", True),
}  # fmt: skip


def _extra_keys(ask: Ask) -> KeyBindings:
    """Ctrl-Z (undo), Ctrl-D (stop), and one key per decision: a choice's key answers at once."""
    kb = KeyBindings()

    @kb.add("c-z", eager=True)
    def _undo(event: Any) -> None:
        if ask.kind == "text" and event.app.current_buffer.text:
            return  # a half-typed answer is never thrown away; clear it first to undo
        event.app.exit(result=UNDO)

    @kb.add("c-d", eager=True)
    def _eof(event: Any) -> None:
        event.app.exit(exception=EOFError())

    return kb


def _select_keys(app: Any, ask: Ask) -> KeyBindings:
    """Space accepts the highlighted choice as Enter does; a choice's keys answer at once.

    A key moves the pointer there and runs questionary's own Enter handler, so
    the prompt ends as with Enter, the chosen line shown as the answer.
    """
    kb = KeyBindings()
    enter = [b.handler for b in app.key_bindings.bindings if b.keys == (Keys.ControlM,)]
    if not enter:
        return kb
    kb.add(" ", eager=True)(enter[-1])
    controls = [w.content for w in app.layout.find_all_windows() if isinstance(w.content, InquirerControl)]
    if controls:
        for i, choice in enumerate(ask.choices):
            for key in (choice.key, *choice.also) if choice.key else ():
                kb.add(key, eager=True)(_picker(controls[0], i, enter[-1]))
    return kb


def _picker(control: InquirerControl, index: int, enter: Any) -> Any:
    def pick(event: Any) -> None:
        control.pointed_at = index
        enter(event)

    return pick


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

    def _run(self, q: questionary.Question, ask: Ask | None = None) -> Any:
        app = q.application
        own = app.key_bindings or KeyBindings()
        extra = [_extra_keys(ask or Ask("text", ""))]
        if ask is not None and ask.kind == "select":
            extra.append(_select_keys(app, ask))
        app.key_bindings = merge_key_bindings([own, *extra])
        try:
            return q.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise Quit() from None

    def ask(self, ask: Ask) -> str:
        style_ = STYLE if self.colour else None
        # Plain: questionary would print colour codes raw. Before the message: "? " (" ? " when revealing).
        message = wrap(plain(ask.message), width(), first=3 if ask.kind == "reveal" else 2)
        if ask.kind == "select":
            keyed = all(c.key for c in ask.choices)
            # A title is shown after "»  1) " while asked, and after the message once answered.
            titles = [wrap(plain(c.title), width() - 6).replace("\n", "\n      ") for c in ask.choices]
            choices = [
                questionary.Choice(t, value=c.value, shortcut_key=c.key if keyed else True)
                for t, c in zip(titles, ask.choices, strict=True)
            ]
            default = next((c for c in choices if c.value == ask.default), None)
            hint = "(a key answers; arrows and Enter too)" if keyed else "(arrows or number, Enter)"
            last = message.rsplit("\n", 1)
            tail = max(len(hint), *(visible_len(t.split("\n")[0]) for t in titles))
            if visible_len(last[-1]) + (2 if len(last) == 1 else 0) + 2 + tail > width():
                message += "\n"  # the hint or the answer would break at the edge: it starts the next line
            q = questionary.select(
                message, choices=choices, default=default, style=style_,
                use_shortcuts=len(choices) <= 9 or keyed, instruction=hint, **self.kwargs,
            )  # fmt: skip
        elif ask.kind == "text":
            q = questionary.text(message, default=ask.default or "", style=style_, **self.kwargs)
        else:
            # "?" as the other prompts have it (a plain one: this prompt shows colour codes raw)
            q = questionary.press_any_key_to_continue(f"? {message}", style=style_, **self.kwargs)
        result = self._run(q, ask)
        if result is None:
            return ""
        return str(result)

    def say(self, text: str) -> None:
        print(wrap(text, width()), file=self.stream, flush=True)

    def wait(self, seconds: float, message: str) -> bool:
        """A countdown on one line, redrawn each second; Ctrl-C stops it (and nothing else)."""
        end = time.monotonic() + max(0.0, seconds) + 0.5  # a little past the due time, so the step is due
        try:
            while (left := end - time.monotonic()) > 0:
                m, s = divmod(int(left + 0.999), 60)
                print(f"\r  {message} {m}:{s:02d}  (Ctrl-C stops waiting) ", end="", file=self.stream, flush=True)
                time.sleep(min(1.0, left))
        except KeyboardInterrupt:
            return False
        finally:
            print("\r\x1b[2K" if self.stream.isatty() else "", file=self.stream, flush=True)
        return True

    def style(self, text: str, kind: str) -> str:
        if kind == "mark":  # a character that differs: underlined in colour, bracketed without
            return style(text, "red", bold=True, underline=True, enabled=True) if self.colour else f"[{text}]"
        if kind == "dim":
            return style(text, dim=True, enabled=self.colour)
        colour, bold = _KINDS.get(kind, (None, False))
        return style(text, colour, bold=bold, enabled=self.colour)

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(
            self._run(
                questionary.confirm(
                    wrap(message, width(), first=2),
                    default=default,
                    style=STYLE if self.colour else None,
                    **self.kwargs,
                )
            )
        )

"""Deck text made inert before it reaches a terminal.

Deck text is data from a file someone else may have written: any escape or
control character in it is shown as a visible code, so a deck cannot move the
cursor, retitle the terminal or colour the screen.
"""

from __future__ import annotations

_CONTROL = {c for c in range(0x20)} - {0x0A} | {0x7F} | set(range(0x80, 0xA0))
_TRANSLATE = {c: f"\\x{c:02x}" for c in _CONTROL}
_TRANSLATE[0x09] = " "


def inert(text: str) -> str:
    """``text`` with every control character (ESC, BEL, CR, C1 ...) made visible."""
    return text.translate(_TRANSLATE)


_ONE_LINE = {**_TRANSLATE, 0x0A: "\\n", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """``text`` made inert and kept on one line (newlines shown as \\n): for messages quoting a deck."""
    return text.translate(_ONE_LINE)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 question', '2 questions', '0 questions': messages say '1 good backup', never '1 good backups'."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"

"""Text for the terminal: deck text made inert, times said the way people say them.

Deck text is data from a file someone else may have written: any escape or
control character in it is shown as a visible code, so a deck cannot move the
cursor, retitle the terminal or colour the screen.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

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


def colour_enabled(stream: object = None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    s = stream if stream is not None else sys.stdout
    isatty = getattr(s, "isatty", None)
    return bool(isatty and isatty())


def style(text: str, colour: str | None = None, bold: bool = False, dim: bool = False, enabled: bool = True) -> str:
    if not enabled:
        return text
    import click

    return click.style(text, fg=colour, bold=bold, dim=dim)


def span(delta: timedelta) -> str:
    """A duration as a person would say it: '10 minutes', '3 days', '2 months'."""
    secs = max(0, int(delta.total_seconds()))
    for size, unit in ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if secs >= size:
            n = round(secs / size) if size >= 86400 else secs // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


def clock(t: datetime) -> str:
    return t.astimezone().strftime("%Y-%m-%d %H:%M")


def duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"

"""Text for the terminal: colour where it is wanted, times said the way people say them."""

from __future__ import annotations

import os
import re
import shutil
import sys
from datetime import datetime, timedelta


def colour_enabled(stream: object = None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    s = stream if stream is not None else sys.stdout
    isatty = getattr(s, "isatty", None)
    return bool(isatty and isatty())


def style(
    text: str, colour: str | None = None, bold: bool = False, dim: bool = False, enabled: bool = True,
    underline: bool = False,
) -> str:  # fmt: skip
    if not enabled:
        return text
    import click

    return click.style(text, fg=colour, bold=bold, dim=dim, underline=underline or None)


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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_WIDTH = 100  # long lines are hard to read even on a wide terminal


def wrap(text: str, width: int, first: int = 0) -> str:
    """Word-wrap each line of ``text`` (which may carry colour codes) to ``width`` columns.

    Terminals split long lines mid-word, and prompt_toolkit cuts the upper
    lines of a multi-line prompt off at the edge; wrapping here avoids both.
    Continuation lines keep the line's indent plus two spaces; ``first`` is the
    width already used on the first line (the "? " in front of a question). A
    word longer than a whole line (a path, a URL) gets a line of its own, whole: cut, it could not be
    copied.
    """
    width = max(20, width)
    out = []
    for n, line in enumerate(text.split("\n")):
        plain = _ANSI.sub("", line)
        own = " " * (len(plain) - len(plain.lstrip(" "))) + "  "
        indent = " " * first if n == 0 and first else own
        parts = re.split(r"( +)", line)  # words, with the runs of spaces between them at odd places
        cur, col, has_word = parts[0], (first if n == 0 else 0) + visible_len(parts[0]), bool(visible_len(parts[0]))
        for gap, word in zip(parts[1::2], parts[2::2], strict=True):
            w = visible_len(word)
            if has_word and w and col + len(gap) + w > width:
                out.append(cur)
                cur, col = indent + word, len(indent) + w
            else:
                cur, col = cur + gap + word, col + len(gap) + w
            has_word = has_word or bool(w)
        out.append(cur)
    return "\n".join(out)


def plain(text: str) -> str:
    """``text`` without its colour codes."""
    return _ANSI.sub("", text)


def visible_len(text: str) -> int:
    """Columns ``text`` takes on screen (colour codes take none)."""
    return len(_ANSI.sub("", text))


def width() -> int:
    """Columns to wrap to: the terminal's (or $COLUMNS, else 80 when piped), at most MAX_WIDTH."""
    return min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns - 1)

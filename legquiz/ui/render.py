"""Text for the terminal: colour where it is wanted, times said the way people say them."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta


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

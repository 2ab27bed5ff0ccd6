"""``legquiz stats`` in the terminal: tables, a forecast bar chart, a heatmap.

Imported only when stats are shown to a person (never for ``--json``), since
rich costs as much to import as the rest of the command. Deck text is made
inert and always passed as :class:`rich.text.Text`, never as markup, so a
deck cannot style or move the terminal. Every shade has its own character,
so the heatmap still reads with colours off.
"""

from __future__ import annotations

import os
from datetime import date
from typing import IO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from legquiz.core.stats import Counts, Stats
from legquiz.text import inert

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHADES = ("·", "░", "▒", "▓", "█")
SHADE_STYLES = ("bright_black", "green", "green", "bright_green", "bold bright_green")
MIN_WEEKS = 12
BAR_WIDTH = 40


def console(file: IO[str] | None = None) -> Console:
    """A console for stdout: colours only on a terminal, and never when NO_COLOR is set."""
    import sys

    stream = file if file is not None else sys.stdout
    tty = bool(getattr(stream, "isatty", lambda: False)())
    return Console(
        file=stream,
        no_color=bool(os.environ.get("NO_COLOR")),
        force_terminal=tty,
        highlight=False,
        soft_wrap=False,
    )


def render(stats: Stats, out: Console) -> None:
    """Print every section."""
    out.print(Group(*sections(stats, out.width)))


def sections(stats: Stats, width: int) -> list[RenderableType]:
    return [
        Text.assemble(("legquiz stats", "bold"), f" · study day {stats.day}"),
        Text(),
        deck_table(stats, width),
        Text(),
        retention_line(stats),
        Text(),
        Text(f"Due in the next {len(stats.forecast)} days", style="bold"),
        forecast_chart(stats, width),
        Text(),
        heatmap_grid(stats, width),
        Text(),
        streak_line(stats),
        Text(),
        hardest_table(stats, width),
    ]


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _row(c: Counts) -> list[Text]:
    nums = (c.questions, c.new, c.learning, c.review, c.due_now, c.due_today, c.reviews_total)
    return [Text(str(n)) for n in nums] + [Text(_pct(c.correct_rate))]


def deck_table(stats: Stats, width: int) -> Table:
    t = Table(box=box.SIMPLE, pad_edge=False, show_edge=False, show_footer=True, collapse_padding=True)
    room = max(12, width - 66)  # what the eight number columns leave for the title
    t.add_column("Deck", Text("Total", style="bold"), overflow="ellipsis", no_wrap=True, max_width=room)
    names = ("Questions", "New", "Learning", "Review", "Due\nnow", "Due\ntoday", "Answered", "Correct")
    for name, total in zip(names, _row(stats.totals), strict=True):
        t.add_column(name, total, justify="right", no_wrap=True, min_width=max(map(len, name.split())))
    for d in stats.decks:
        t.add_row(Text(inert(d.title)), *_row(d.counts))
    other = Counts(
        reviews_total=stats.totals.reviews_total - sum(d.counts.reviews_total for d in stats.decks),
        correct_total=stats.totals.correct_total - sum(d.counts.correct_total for d in stats.decks),
    )
    if other.reviews_total > 0:  # answers kept for decks no longer installed
        blank = [Text("")] * 6
        t.add_row(Text("removed decks", style="dim"), *blank, *_row(other)[-2:])
    return t


def retention_line(stats: Stats) -> Text:
    parts: list[str | tuple[str, str]] = [("True retention  ", "bold")]
    for key, label in (("7d", "7 days"), ("30d", "30 days"), ("365d", "365 days")):
        value = stats.retention[key]
        good = value is not None and value >= stats.desired
        parts += [f"{label} ", (_pct(value), "green" if good else "yellow" if value is not None else "dim"), "   "]
    parts.append((f"(desired {_pct(stats.desired)})", "dim"))
    return Text.assemble(*parts)


def _day_label(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{WEEKDAYS[d.weekday()]} {day}"


def forecast_chart(stats: Stats, width: int) -> Text:
    top = max((n for _, n in stats.forecast), default=0)
    room = max(10, min(BAR_WIDTH, width - 24))
    lines = Text()
    for i, (day, n) in enumerate(stats.forecast):
        bar = 0 if n == 0 else max(1, round(room * n / top))
        if i:
            lines.append("\n")
        lines.append(f"  {_day_label(day)}  ")
        lines.append("█" * bar, style="cyan")
        lines.append(f" {n}" if bar else "·", style=None if bar else "dim")
    return lines


def heatmap_grid(stats: Stats, width: int) -> Text:
    """Weekday rows, week columns (oldest left), one shade per cell by answers that day."""
    cells = stats.heatmap
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    used = next((i for i, w in enumerate(weeks) if any(n for _, n in w)), len(weeks))
    fit = max(MIN_WEEKS, (width - 6) // 2)  # from the first week with answers, as many as fit
    weeks = weeks[-max(MIN_WEEKS, min(fit, len(weeks) - used)) :]
    top = max((n for w in weeks for _, n in w), default=0)
    shown = sum(n for w in weeks for _, n in w)
    out = Text(f"Answers per day, last {len(weeks)} weeks ({shown} answers)", style="bold")
    out.append("\n     ")
    months = [date.fromisoformat(w[0][0]).month for w in weeks]
    starts = [i for i in range(1, len(months)) if months[i] != months[i - 1]]
    if not starts or starts[0] >= 2:
        starts.insert(0, 0)  # the first column gets a label only if the next one leaves room
    label_row = ""
    for i in starts:
        if not label_row or len(label_row) < 2 * i:
            label_row = label_row.ljust(2 * i) + MONTHS[months[i] - 1]
    out.append(label_row, style="dim")
    for row in range(7):
        out.append(f"\n {WEEKDAYS[row]}")
        for w in weeks:
            out.append(" ")
            if row >= len(w):
                out.append(" ")
                continue
            level = _level(w[row][1], top)
            out.append(SHADES[level], style=SHADE_STYLES[level])
    out.append("\n     less ", style="dim")
    for level, shade in enumerate(SHADES):
        out.append(shade, style=SHADE_STYLES[level])
        out.append(" ")
    out.append("more", style="dim")
    return out


def _level(n: int, top: int) -> int:
    """0 for no answers, else 1-4 by the share of the busiest day shown."""
    if n <= 0 or top <= 0:
        return 0
    return min(4, 1 + (4 * n - 1) // top)


def streak_line(stats: Stats) -> Text:
    def days(n: int) -> str:
        return f"{n} day{'s' if n != 1 else ''}"

    return Text.assemble(
        ("Streak  ", "bold"),
        "current ",
        (days(stats.streak_current), "green" if stats.streak_current else "dim"),
        f" · longest {days(stats.streak_longest)}",
    )


def hardest_table(stats: Stats, width: int) -> RenderableType:
    if not stats.hardest:
        return Text("Hardest questions: none answered yet.", style="dim")
    t = Table(
        title="Hardest questions",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    names = [inert(f"{h.deck}/{h.id}") for h in stats.hardest]
    name_width = min(32, max(9, *map(len, names)))
    t.add_column("Lapses", justify="right", no_wrap=True)
    t.add_column("Difficulty", justify="right", no_wrap=True)
    t.add_column("Deck/id", no_wrap=True, overflow="ellipsis", max_width=name_width)
    t.add_column("Question", no_wrap=True, overflow="ellipsis", max_width=max(10, width - name_width - 24))
    for h, name in zip(stats.hardest, names, strict=True):
        t.add_row(
            Text(str(h.lapses)),
            Text("—" if h.difficulty is None else f"{h.difficulty:.1f}"),
            Text(name),
            Text(inert(h.question)),
        )
    return t

"""``legquiz stats`` in the terminal: tables, a forecast bar chart, a heatmap.

Imported only when stats are shown to a person (never for ``--json``), since
rich costs as much to import as the rest of the command. Deck text is made
inert and always passed as :class:`rich.text.Text`, never as markup, so a
deck cannot style or move the terminal. Every shade has its own character,
so the heatmap still reads with colours off. Every line is laid out here to
fit the width legquiz wraps to, so the terminal never splits one; deck ids
and question ids (what ``--deck`` takes, what a deck file holds) are never
cut, titles and question texts are, with an ellipsis.
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.text import Text

from legquiz.core.stats import Counts, Hard, Stats
from legquiz.text import counted, one_line
from legquiz.ui.render import width, wrap

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHADES = ("·", "░", "▒", "▓", "█")
SHADE_STYLES = ("bright_black", "green", "green", "bright_green", "bold bright_green")
MIN_WEEKS = 12
BAR_WIDTH = 40


def console(file: IO[str] | None = None) -> Console:
    """A console for stdout: colours only on a terminal, and never when NO_COLOR is set.

    As wide as legquiz wraps everything (``render.width``: the terminal's,
    or $COLUMNS or 80 when piped, less one, at most 100), so no line reaches the edge.
    """
    import sys

    stream = file if file is not None else sys.stdout
    tty = bool(getattr(stream, "isatty", lambda: False)())
    return Console(
        file=stream,
        no_color=bool(os.environ.get("NO_COLOR")),
        force_terminal=tty,
        highlight=False,
        soft_wrap=False,
        width=width(),
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
        retention_line(stats, width),
        Text(),
        Text(f"Due in the next {counted(len(stats.forecast), 'day')}", style="bold"),
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


FIGURES = ("Questions", "New", "Learning", "Review", "Due\nnow", "Due\ntoday", "Answered", "Correct")


def _figures(c: Counts) -> list[str]:
    nums = (c.questions, c.new, c.learning, c.review, c.due_now, c.due_today, c.reviews_total)
    return [str(n) for n in nums] + [_pct(c.correct_rate)]


def cut(text: str, room: int) -> Text:
    """Deck text made inert on one line, shortened to ``room`` columns with an ellipsis."""
    t = Text(one_line(text))
    if t.cell_len > room:
        t.truncate(max(1, room), overflow="ellipsis")
    return t


def deck_table(stats: Stats, width: int) -> Text:
    """One row per deck with its id in full (what ``--deck`` takes), the title shortened to what fits.

    Wide enough for every title whole: id, title and figures on one line. Otherwise the title goes
    on a line of its own under the id and figures; if even the id and the
    figures do not fit side by side, the figures go on the line under the id.
    Every line fits ``width``, so the terminal never splits one.
    """
    other = Counts(
        reviews_total=stats.totals.reviews_total - sum(d.counts.reviews_total for d in stats.decks),
        correct_total=stats.totals.correct_total - sum(d.counts.correct_total for d in stats.decks),
    )
    rows: list[tuple[str, str, list[str], str | None]] = [
        (d.id, d.title, _figures(d.counts), None) for d in stats.decks
    ]
    if other.reviews_total > 0:  # answers kept for decks no longer installed
        rows.append(("removed decks", "", [""] * 6 + _figures(other)[-2:], "dim"))
    total = ("Total", "", _figures(stats.totals), "bold")
    labels = [r[0] for r in [*rows, total]]
    label_w = max(max(Text(one_line(x)).cell_len for x in labels), len("Deck"))
    cols = [max(len(line) for line in name.split("\n")) for name in FIGURES]
    for _, _, figs, _ in [*rows, total]:
        cols = [max(w, len(f)) for w, f in zip(cols, figs, strict=True)]
    longest = max((Text(one_line(r[1])).cell_len for r in rows), default=0)

    def span(gap: int) -> int:
        return sum(cols) + gap * (len(cols) - 1)

    if width - label_w - span(2) - 4 >= longest:  # every title whole beside its id
        gap, layout = 2, "one line"
        lead = label_w + 2 + longest + 2
    elif label_w + span(1) + 1 <= width:
        gap = 2 if label_w + span(2) + 2 <= width else 1
        layout, lead = "title under", label_w + gap
    else:
        gap = 2 if span(2) + 2 <= width else 1
        layout, lead = "figures under", 2
    nums_w = span(gap)
    title_w = lead - label_w - 4 if layout == "one line" else 0

    def figures(figs: list[str], style: str | None) -> Text:
        return Text(" " * gap).join(Text(f.rjust(w), style=style or "") for f, w in zip(figs, cols, strict=True))

    heads = [name.split("\n") for name in FIGURES]
    top = figures([h[0] if len(h) == 2 else "" for h in heads], "bold")
    bottom = figures([h[-1] for h in heads], "bold")
    out = Text(" " * lead).append(top)
    if layout == "figures under":  # "Deck" over the indent and the blank top of the first figure's heading
        out = Text("Deck", style="bold").append(out[4:])
    out.rstrip()
    out.append("\n").append(("  " if layout == "figures under" else "Deck".ljust(lead)), style="bold")
    out.append(bottom).append("\n")
    rule = "─" * (lead + nums_w)

    def row(label: str, title: str, figs: list[str], style: str | None) -> Text:
        name = cut(label, width)
        if style:
            name.stylize(style)
        line = Text.assemble(name)
        if layout == "one line":
            line.append(" " * (label_w - name.cell_len + 2))
            shown = cut(title, title_w)
            shown.stylize("dim")
            line.append(shown).append(" " * (title_w - shown.cell_len))
            line.append("  ").append(figures(figs, style))
        elif layout == "title under":
            line.append(" " * (lead - name.cell_len)).append(figures(figs, style))
            if title:
                shown = cut(title, width - 2)
                shown.stylize("dim")
                line.append("\n  ").append(shown)
        else:
            room = width - name.cell_len - 2
            if title and room >= Text(one_line(title)).cell_len:  # whole beside the id
                line.append("  ")
            elif title:  # else on a line of its own, where more of it shows
                line.append("\n  ")
                room = width - 2
            if title:
                shown = cut(title, room)
                shown.stylize("dim")
                line.append(shown)
            line.append("\n  ").append(figures(figs, style))
        return line

    out.append(rule + "\n", style="dim")
    for r in rows:
        out.append(row(*r)).append("\n")
    out.append(rule + "\n", style="dim")
    out.append(row(*total))
    return out


def flow(pieces: list[Text], width: int, sep: str = "   ", indent: int = 2) -> Text:
    """Pieces side by side, a new line (indented) where the next would pass ``width``: never split inside one."""
    out = Text()
    col = 0
    for i, piece in enumerate(pieces):
        if i and col + len(sep) + piece.cell_len > width:
            out.append("\n" + " " * indent)
            col = indent
        elif i:
            out.append(sep)
            col += len(sep)
        out.append(piece)
        col += piece.cell_len
    return out


def retention_line(stats: Stats, width: int) -> Text:
    pieces = [Text("True retention", style="bold")]
    for key, label in (("7d", "7 days"), ("30d", "30 days"), ("365d", "365 days")):
        value = stats.retention[key]
        good = value is not None and value >= stats.desired
        colour = "green" if good else "yellow" if value is not None else "dim"
        pieces.append(Text.assemble(f"{label} ", (_pct(value), colour)))
    pieces.append(Text(f"(desired {_pct(stats.desired)})", style="dim"))
    return flow(pieces, width)


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
    out = Text(f"Answers per day, last {len(weeks)} weeks ({counted(shown, 'answer')})", style="bold")
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
        return counted(n, "day")

    return Text.assemble(
        ("Streak  ", "bold"),
        "current ",
        (days(stats.streak_current), "green" if stats.streak_current else "dim"),
        f" · longest {days(stats.streak_longest)}",
    )


def _indent(text: str, n: int, width: int) -> str:
    """``text`` indented by ``n`` where that leaves it whole on one line, else flush left (cut only if longer still)."""
    return " " * n + text if n + len(text) <= width else text


def hard_labels(stats: Stats, hard: list[Hard]) -> list[str]:
    """Why each question is listed, in two aligned parts: "2 lapses", "difficulty 7.9", or both."""
    parts = []
    for h in hard:
        why = stats.hard_because(h)
        lapses = counted(h.lapses, "lapse") if "lapses" in why else ""
        parts.append((lapses, f"difficulty {h.difficulty:.1f}" if "difficulty" in why else ""))
    w1, w2 = (max(len(p[i]) for p in parts) for i in (0, 1))
    sep = "  " if w1 and w2 else ""
    return [(a.ljust(w1) + sep + b.ljust(w2)) if b else a.ljust(w1 + len(sep) + w2) for a, b in parts]


def hardest_table(stats: Stats, width: int) -> Text:
    """The questions with something hard about them, each labelled with why, by deck/id (unique) and text.

    Only lapses or a difficulty above the median count: the least easy of
    easy questions is not hard, so a list of them would only mislead.
    """
    if not stats.hardest:
        return Text("Hardest questions: none answered yet.", style="dim")
    median = stats.difficulty_median
    above = [] if median is None else ["difficulty", "above", f"the median {median:.1f}"]
    hard = [h for h in stats.hardest if stats.hard_because(h)]
    if not hard:
        words = ["nothing", "is", "hard", "yet", "(no", *(["lapses,", "no", *above] if above else ["lapses"])]
        words[-1] += ")."
        out = flow([Text("Hardest questions:"), *map(Text, words)], width, sep=" ")
        out.stylize("dim")
        return out
    shown = list(zip(hard, hard_labels(stats, hard), strict=True))
    words = ["(lapses", *(["or", *above] if above else [])]
    words[-1] += ")"
    out = flow([Text("Hardest questions", style="bold"), *(Text(w, style="dim") for w in words)], width, sep=" ")
    label_w = max(len(label) for _, label in shown)
    keys = [one_line(f"{h.deck}/{h.id}") for h, _ in shown]
    key_w = max(map(len, keys))
    longest = max(len(h.question) for h, _ in shown)
    lead = 2 + label_w + 2 + key_w + 2
    beside = lead - 2 <= width  # every deck/id fits beside its label
    one_row = beside and width - lead >= min(longest, 30)
    for (h, label), key in zip(shown, keys, strict=True):
        if beside:
            out.append("\n  ").append(label, style="yellow")
            out.append("  " + key.ljust(key_w if one_row else 0))
            room = width - (lead if one_row else 4)
        else:  # deck/id first (the question id on a line of its own if both do not fit), then label and question
            whole = 2 + len(key) <= width
            ids = [key] if whole else [one_line(h.deck) + "/", one_line(h.id)]
            ids = [_indent(x, 2 if whole or i == 0 else 4, width) for i, x in enumerate(ids)]
            label = ", ".join(re.split(r" {2,}", label.strip()))  # "2 lapses, difficulty 9.7"
            out.append("".join("\n" + wrap(x, width) for x in ids)).append("\n    ").append(label, style="yellow")
            out.append(" ·")
            room = width - 4 - len(label) - 3
        question = cut(h.question, room)
        question.stylize("dim")
        out.append("  " if one_row else " " if not beside else "\n    ").append(question)
    return out

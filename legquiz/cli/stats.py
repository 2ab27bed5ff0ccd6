"""``legquiz stats``: progress for a person (rich) or a script (``--json``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from legquiz.cli.common import chosen_decks, data_dir_option, resolve_home, say, warn
from legquiz.speed.gcpause import loading


@click.command()
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only this deck (repeat for several).")
@click.option(
    "--days",
    type=click.IntRange(min=1, max=3650),
    default=14,
    show_default=True,
    metavar="N",
    help="Days of due-question forecast.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (schema: docs/stats-json.md).")
@data_dir_option
@click.pass_context
@loading  # no garbage collection while decks and store load: nothing here makes cycles (docs/performance.md)
def stats(ctx: click.Context, decks: tuple[str, ...], days: int, as_json: bool, data_dir: Path | None) -> None:
    """Show your progress: questions per state, what is due, retention, activity.

    Per deck and in total: new, learning and review questions, what is due
    now and today, answers given and how many were right. Then true
    retention over 7/30/365 days beside your target, the questions due on
    each coming day, answers per day as a heatmap, your streak, and the
    questions you find hardest. Days start at the configured hour (4 am).

    \b
    Example:
      legquiz stats
      legquiz stats --deck running-vs-jogging --days 30
      legquiz stats --json | jq .totals.due_today
    """
    from legquiz.cli import common
    from legquiz.core import settings as config
    from legquiz.core.stats import compute
    from legquiz.storage import store

    home = resolve_home(ctx, data_dir, reading=True)
    cfg = config.load(home)
    chosen = chosen_decks(home, decks)
    st = store.read(home)
    for w in st.warnings:
        warn(w)
    result = compute(st.state, chosen, cfg, cfg.days(), common.utcnow(), only=bool(decks), forecast_days=days)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    if result.empty:
        from legquiz.text import counted
        from legquiz.ui.render import width, wrap

        n = result.totals.questions
        say(
            wrap(
                f"No answers yet{' in ' + ', '.join(decks) if decks else ''}, so there is nothing to show"
                f" ({counted(n, 'question')} in {counted(len(chosen), 'deck')} {'is' if n == 1 else 'are'} waiting)."
                "\nStudy your first questions with: legquiz start",
                width(),
            )
        )
        return
    from legquiz.ui.stats_view import console, render

    render(result, console())

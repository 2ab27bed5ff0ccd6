"""What every command shares: the data directory, the clock, warnings, deck selection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from legquiz.core.model import Deck

EXIT_INTERRUPTED = 130


def data_dir_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--data-dir`` on every command that touches user data (overrides LEGQUIZ_HOME)."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where progress, settings and your decks live (default: $LEGQUIZ_HOME, else the user data directory).",
    )(f)


def resolve_home(ctx: click.Context, data_dir: Path | None) -> Path:
    from legquiz.storage.paths import home

    if data_dir is None and ctx.obj:
        data_dir = ctx.obj.get("data_dir")
    return home(data_dir)


def warn(message: str) -> None:
    click.echo(f"legquiz: warning: {message}", err=True)


def chosen_decks(home: Path, ids: tuple[str, ...]) -> list[Deck]:
    """The decks named by ``--deck`` (all when none), warning about user decks that were skipped."""
    from legquiz.deckfile import catalog

    cat = catalog.load(home)
    for w in cat.warnings:
        warn(w)
    return cat.select(ids)


def utcnow() -> datetime:
    """The one place the CLI reads the clock; the core is handed the time."""
    return datetime.now(timezone.utc)

"""What every command shares: the data directory, the clock, warnings, deck selection."""

from __future__ import annotations

import os
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
    """One line on stderr, never wrapped: warnings and errors are read by scripts and searched in logs."""
    click.echo(f"legquiz: warning: {message}", err=True)


def say(text: str) -> None:
    """Print ``text`` word-wrapped to the terminal (or $COLUMNS, else 80 columns): never split mid-word."""
    from legquiz.ui.render import width, wrap

    click.echo(wrap(text, width()))


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


def output_file(path: Path, force: bool, home: Path, example: str = "deck.yaml") -> Path:
    """Check a file a person named for writing, before any work is done; the one rule for every command.

    An existing file is replaced only with ``--force``, and only if it is a regular file (a FIFO or a
    device is never replaced by a regular file); nothing inside the data folder is ever written this way,
    even with ``--force``: the store's files change only through the store.
    """
    import stat

    from legquiz.errors import UsageError

    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name like {path / example}")
    target, data = path.resolve(), home.resolve()
    if target == data or data in target.parents:
        raise UsageError(f"{path}: is inside legquiz's data folder ({home}); choose a file elsewhere")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise UsageError(f"{path}: the folder {path.parent} does not exist") from None
        return path
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path}: exists and is not a regular file; legquiz only writes regular files")
    if not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    return path


def write_output(path: Path, data: bytes) -> None:
    """Write a checked output file (see :func:`output_file`) atomically: the old file or the new, never half."""
    from legquiz.errors import LegquizError
    from legquiz.storage.fsutil import atomic_write

    try:
        atomic_write(path, data)
    except OSError as e:
        raise LegquizError(f"cannot write {path}: {e.strerror or e}") from None

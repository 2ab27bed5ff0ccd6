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


class DataDir(click.Path):
    """A folder path that is not empty: ``Path("")`` is ``.``, and would scatter the store over the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from legquiz.errors import UsageError

        if isinstance(value, str) and not value.strip():
            raise UsageError("--data-dir is empty; give a folder, or leave --data-dir out")
        return super().convert(value, param, ctx)


def data_dir_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--data-dir`` on every command that touches user data (overrides LEGQUIZ_HOME)."""
    return click.option(
        "--data-dir",
        type=DataDir(path_type=Path),  # a file is refused by resolve_home, in legquiz's own one line
        default=None,
        help="Where progress, settings and your decks live (default: $LEGQUIZ_HOME, else the user data directory).",
    )(f)


def resolve_home(ctx: click.Context, data_dir: Path | None, reading: bool = False) -> Path:
    """The data folder, checked: never an empty path, never a file; ``reading`` commands never create it.

    A command that only reads (``stats``, ``deck list``, ``export`` ...) says in one line that there is no
    progress there yet instead of creating the folder: a mistyped path must not look like lost progress.
    """
    from legquiz.errors import LegquizError, UsageError
    from legquiz.storage.paths import ENV_HOME, home
    from legquiz.text import shown_path

    if data_dir is None and ctx.obj:
        data_dir = ctx.obj.get("data_dir")
    env = os.environ.get(ENV_HOME)
    if data_dir is None and env is not None and not env.strip():
        raise UsageError(f"{ENV_HOME} is set but empty; set it to a folder, or unset it")
    where = home(data_dir)
    source = "--data-dir" if data_dir is not None else (ENV_HOME if env else "the data folder")
    try:
        is_dir = where.is_dir()
        exists = is_dir or os.path.lexists(where)
    except OSError:  # a name too long, a loop of links: not a folder legquiz can use
        is_dir, exists = False, True
    if exists and not is_dir:
        raise LegquizError(f"{shown_path(where)} ({source}) is not a folder; legquiz keeps your progress in a folder")
    if not exists and any(p.exists() and not p.is_dir() for p in where.parents):
        raise LegquizError(f"{shown_path(where)} ({source}) is not a folder: a part of the path is a file")
    if not exists and reading:
        warn(f"no progress at {shown_path(where)} yet (the folder does not exist; nothing was created)")
    return where


def warn(message: str) -> None:
    """One line on stderr, never wrapped: warnings and errors are read by scripts and searched in logs.

    Made inert and kept on one line here as well, whatever a caller put in it (a path, a deck's text).
    """
    from legquiz.text import one_line

    click.echo(f"legquiz: warning: {one_line(message)}", err=True)


def stdin_is_terminal() -> bool:
    """Whether legquiz can ask: stdin is a terminal. A closed stdin (``<&-``) is None in Python, not a file."""
    import sys

    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except ValueError:  # a stdin closed from within the process
        return False


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


def usable_timezone() -> None:
    """Fall back to UTC, with one warning, when ``TZ`` names a zone that cannot be used.

    The C library takes ``TZ=UTC+25`` (an offset beyond a day, which Python's datetime cannot hold: every
    local time would raise) and ``TZ=:/nonexistent`` or ``TZ=Foo/Bar`` (silently UTC). Study days follow
    local time, so the person is told which zone legquiz uses instead.
    """
    import time

    tz = os.environ.get("TZ")
    if tz is None or not tz.strip():
        return
    problem = ""
    try:
        datetime.now(timezone.utc).astimezone()
    except (ValueError, OverflowError):
        problem = "its offset from UTC is a day or more"
    else:
        name = tz[1:] if tz.startswith(":") else tz
        if "/" in name or tz.startswith(":"):
            from legquiz.storage.paths import zone_file_exists

            if not zone_file_exists(name):
                problem = "no such time zone"
    if problem:
        from legquiz.text import one_line

        warn(f"TZ={one_line(tz)[:80]!r}: {problem}; using UTC for study days and times")
        os.environ["TZ"] = "UTC"
        if hasattr(time, "tzset"):
            time.tzset()


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
    from legquiz.text import shown_path

    shown = shown_path(path)
    if path.is_dir():
        raise UsageError(f"{shown}: is a directory; give a file name like {shown_path(path / example)}")
    target, data = path.resolve(), home.resolve()
    if target == data or data in target.parents:
        raise UsageError(f"{shown}: is inside legquiz's data folder ({shown_path(home)}); choose a file elsewhere")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise UsageError(f"{shown}: the folder {shown_path(path.parent)} does not exist") from None
        return path
    except OSError as e:
        raise UsageError(f"{shown}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{shown}: exists and is not a regular file; legquiz only writes regular files")
    if not force:
        raise UsageError(f"{shown} already exists; use --force to overwrite it")
    return path


def write_output(path: Path, data: bytes) -> None:
    """Write a checked output file (see :func:`output_file`) atomically: the old file or the new, never half."""
    from legquiz.errors import LegquizError
    from legquiz.storage.fsutil import atomic_write
    from legquiz.text import shown_path

    try:
        atomic_write(path, data)
    except OSError as e:
        raise LegquizError(f"cannot write {shown_path(path)}: {e.strerror or e}") from None

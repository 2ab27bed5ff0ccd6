"""``legquiz doctor``: check the progress store, and repair it with ``--repair``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from legquiz.cli.common import data_dir_option, resolve_home, say
from legquiz.text import counted, one_line, shown_path


@click.command()
@click.option(
    "--repair",
    is_flag=True,
    help="Fix what is wrong: rebuild store.json from the review log or a backup, moving damaged files aside.",
)
@data_dir_option
@click.pass_context
def doctor(ctx: click.Context, repair: bool, data_dir: Path | None) -> None:
    """Check your progress store for damage; with --repair, fix it.

    Reads store.json, every line of reviews.jsonl and the daily backups, and
    reports anything damaged, cut off or inconsistent (exit 1 if so). --repair
    rebuilds store.json from the review log (the history of record), or from
    the newest good backup plus the log after it, keeping every record it can
    read. Damaged files are never overwritten: they are moved aside as
    NAME.damaged-TIME. See docs/reliability.md.

    \b
    Example:
      legquiz doctor
      legquiz doctor --repair
    """
    from legquiz.cli.common import utcnow
    from legquiz.errors import LegquizError
    from legquiz.storage import doctor as doc
    from legquiz.storage.store import Store, _lock, _locked_by_other

    home = resolve_home(ctx, data_dir)
    say(f"Checking the store in {shown_path(home)}")
    if not home.is_dir():
        say("  nothing here yet: no answers have been saved (the folder does not exist; nothing was created)")
        return
    report = doc.check(home)
    if _locked_by_other(home):
        say("  note: a legquiz session is running; an answer it is saving right now may show as cut off")
    for note in report.notes:
        say(f"  ok: {one_line(note)}")
    for warning in report.warnings:
        say(f"  warning: {one_line(warning)}")
    for problem in report.problems:
        say(f"  problem: {one_line(problem)}")
    if report.healthy:
        say("No problems found.")
        return
    if not repair:
        n = len(report.problems)
        raise LegquizError(
            f"found {n} problem{'s' if n != 1 else ''}; run 'legquiz doctor --repair' to fix "
            f"{'them' if n != 1 else 'it'} (damaged files are moved aside, never overwritten)"
        )
    lock = _lock(home)  # no session may write while the files are replaced
    try:
        done = doc.repair(home, utcnow().strftime("%Y%m%d-%H%M%S"))
    finally:
        os.close(lock)
    for line in done:
        say(f"  repaired: {one_line(line)}")
    with Store.open(home, writable=False) as store:
        say(
            f"Repaired: the store opens again ({counted(len(store.state.cards), 'question')}, record {store.state.seq})."
        )

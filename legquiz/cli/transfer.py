"""``legquiz import ...`` and ``legquiz export ...``: decks to and from Anki."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from legquiz.cli.common import data_dir_option, resolve_home, say, warn
from legquiz.text import counted, shown_path


@click.group("import")
def import_() -> None:
    """Bring decks in from other programs.

    \b
    Example:
      legquiz import anki "My deck.txt"
    """


@import_.command("anki")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--deck-id", metavar="ID", help="Put everything in one deck with this id (default: one per Anki deck).")
@click.option("--title", metavar="T", help="The new deck's title (default: the Anki deck or file name).")
@click.option("--force", is_flag=True, help="Replace the deck(s) an earlier import made (progress is kept).")
@click.option("--no-progress", is_flag=True, help="Import the cards only, not their review history and schedule.")
@data_dir_option
@click.pass_context
def anki(
    ctx: click.Context,
    file: Path,
    deck_id: str | None,
    title: str | None,
    force: bool,
    no_progress: bool,
    data_dir: Path | None,
) -> None:
    """Import an Anki package (.apkg, .colpkg) or a 'Notes in Plain Text' export (or a CSV of front,back).

    A package (told by its content, not its name) brings every card: one
    question per card, by note type (Basic, reversed, typed answer, one
    cloze question per cloze number), one deck per Anki deck ('Legs::Muscles'
    becomes 'legs-muscles'), and unless --no-progress, its review history and
    due dates. Media are not imported. A text export (File > Export > 'Notes
    in Plain Text') brings the notes only. HTML is turned into plain text.

    \b
    Example:
      legquiz import anki Legs.apkg
      legquiz import anki collection.colpkg --deck-id anki --title "From Anki"
      legquiz import anki "Leg muscles.txt"
    """
    from legquiz.cli.deck import report_added
    from legquiz.convert import anki_import, anki_package
    from legquiz.storage import store

    home = resolve_home(ctx, data_dir)
    if anki_package.is_zip(file):
        _import_package(home, file, deck_id, title, force, not no_progress)
        return
    conv = anki_import.load(file, deck_id, title)
    for w in conv.warnings:
        warn(w)
    header = f"Imported from {shown_path(file.name)} by 'legquiz import anki'."
    added, skipped = anki_import.install(home, conv, header, store.read(home).state, force)
    for w in skipped:
        warn(w)
    report_added(added)


def _import_package(
    home: Path, file: Path, deck_id: str | None, title: str | None, force: bool, progress: bool
) -> None:
    """Check every deck of the package, then write them (and the progress): nothing is written if a check fails."""
    from legquiz.cli.deck import report_added
    from legquiz.convert import apkg_import
    from legquiz.deckfile import userdecks
    from legquiz.deckfile import write as deckwrite
    from legquiz.storage import store

    pkg = apkg_import.load(file, deck_id, title)
    for w in pkg.warnings:
        warn(w)
    apkg_import.check_ids(home, pkg, str(file), force)
    header = f"Imported from {shown_path(file.name)} by 'legquiz import anki'."
    # not checked here: add_text validates each text before writing it (a 10,000-question deck once, not twice)
    texts = [deckwrite.dumps(pd.deck, header=header, extras=pd.extras, checked=False) for pd in pkg.decks]
    if not progress:
        state = store.read(home).state
        for text in texts:
            report_added(userdecks.add_text(home, text, str(file), state, force=force))
        return
    from legquiz.convert import anki_progress
    from legquiz.core import settings
    from legquiz.core.replay import Replayer
    from legquiz.errors import LegquizError
    from legquiz.sync.answers import standing

    cfg = settings.load(home)
    with store.Store.open(home) as st:  # the lock first: a session studying now makes this stop before writing
        # every device's imports (sync): a package imported on another device too adds no review twice
        every = standing(home, Path(cfg.sync_dir) if cfg.sync_dir else None)
        known = anki_progress.known_ids(rec for *_, rec in every)
        replayer = Replayer(cfg, cfg.days(), anki_progress.SOURCE)
        try:
            prog = anki_progress.records(pkg, st.state.cards, known, replayer)
        except LegquizError as e:  # a date no calendar of legquiz's holds: name the package; nothing was written
            raise LegquizError(f"{shown_path(file)}: {e.message}") from None
        for text in texts:
            report_added(userdecks.add_text(home, text, str(file), st.state, force=force))
        st.append_many(prog.records)
    again = f" ({prog.skipped} already imported)" if prog.skipped else ""
    say(
        f"Imported {counted(len(prog.records), 'Anki review')} of {counted(prog.cards, 'card')}{again};"
        " see them with: legquiz stats"
    )


@click.group()
def export() -> None:
    """Send decks to other programs.

    \b
    Example:
      legquiz export apkg --deck running-vs-jogging
    """


@export.command("apkg")
@click.option("--deck", "deck_id", required=True, metavar="ID", help="The deck to export (see 'legquiz deck list').")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, metavar="FILE", help="Default: ID.apkg")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--with-progress", is_flag=True, help="Also carry each card's schedule and your review history.")
@data_dir_option
@click.pass_context
def apkg(
    ctx: click.Context, deck_id: str, output: Path | None, force: bool, with_progress: bool, data_dir: Path | None
) -> None:
    """Write a deck as an Anki package (.apkg) to import with Anki's File > Import.

    Exporting again after editing the deck updates the notes in Anki instead of
    duplicating them (note ids come from deck id + question id). With
    --with-progress, Anki continues where legquiz left off: due dates,
    intervals, FSRS memory states and every answer (tick 'Import any
    learning progress' in Anki's import dialog).

    \b
    Example:
      legquiz export apkg --deck running-vs-jogging
      legquiz export apkg --deck mine -o ~/Desktop/mine.apkg --with-progress
    """
    from legquiz.cli import common
    from legquiz.convert import anki_export
    from legquiz.deckfile import catalog
    from legquiz.deckfile.articles import ArticleIndex

    home = resolve_home(ctx, data_dir, reading=True)
    cat = catalog.load(home)
    for w in cat.warnings:
        warn(w)
    d = cat.select([deck_id])[0]
    out = common.output_file(output or Path(f"{d.id}.apkg"), force, home, example=f"{d.id}.apkg")
    now = common.utcnow()
    schedule = _schedule(home, d, now) if with_progress else None
    n = anki_export.export(d, out, now, ArticleIndex(home), schedule)
    also = f", {len(schedule.cards)} with their schedule and history" if schedule else ""
    say(f"Wrote {counted(n, 'note')} of deck '{d.id}'{also} to {shown_path(out)}. In Anki: File > Import.")


def _schedule(home: Path, d: Any, now: datetime) -> Any:
    """The deck's share of the progress store, for ``export apkg --with-progress``: its cards' states and every
    standing answer of every device (a synced home's states are the replay of all of them)."""
    from legquiz.convert.anki_schedule import Schedule, by_question
    from legquiz.core import settings
    from legquiz.storage import store
    from legquiz.sync.answers import standing

    cfg = settings.load(home)
    state = store.read(home).state
    prefix = f"{d.id}/"
    ids = set(d.question_ids())
    cards = {k[len(prefix) :]: v for k, v in state.cards.items() if k.startswith(prefix) and k[len(prefix) :] in ids}
    answers = by_question((rec for *_, rec in standing(home, Path(cfg.sync_dir) if cfg.sync_dir else None)), d.id)
    return Schedule(cards, answers, len(cfg.learning_steps), cfg.days(), now)

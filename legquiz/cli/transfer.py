"""``legquiz import ...`` and ``legquiz export ...``: decks to and from Anki."""

from __future__ import annotations

from pathlib import Path

import click

from legquiz.cli.common import data_dir_option, resolve_home, warn


@click.group("import")
def import_() -> None:
    """Bring decks in from other programs.

    \b
    Example:
      legquiz import anki "My deck.txt"
    """


@import_.command("anki")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--deck-id", metavar="ID", help="The new deck's id (default: from the Anki deck or file name).")
@click.option("--title", metavar="T", help="The new deck's title (default: the Anki deck or file name).")
@click.option("--force", is_flag=True, help="Replace your deck with the same id (its progress is kept).")
@data_dir_option
@click.pass_context
def anki(
    ctx: click.Context, file: Path, deck_id: str | None, title: str | None, force: bool, data_dir: Path | None
) -> None:
    """Import an Anki 'Notes in Plain Text' export (or a CSV of front,back) as one of your decks.

    In Anki: File > Export > 'Notes in Plain Text (.txt)'. Each note becomes a
    flashcard (cloze notes become cloze questions); HTML is turned into plain
    text. The deck is checked and added like 'legquiz deck add' does.

    \b
    Example:
      legquiz import anki "Leg muscles.txt"
      legquiz import anki cards.csv --deck-id leg-muscles --title "Leg muscles"
    """
    from legquiz.cli.deck import report_added
    from legquiz.convert import anki_import
    from legquiz.deckfile import userdecks
    from legquiz.deckfile import write as deckwrite
    from legquiz.storage import store

    home = resolve_home(ctx, data_dir)
    d, extras, warnings = anki_import.load(file, deck_id, title)
    for w in warnings:
        warn(w)
    text = deckwrite.dumps(d, header=f"Imported from {file.name} by 'legquiz import anki'.", extras=extras)
    added = userdecks.add_text(home, text, str(userdecks.deck_path(home, d.id)), store.read(home).state, force=force)
    report_added(added)


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
@data_dir_option
@click.pass_context
def apkg(ctx: click.Context, deck_id: str, output: Path | None, force: bool, data_dir: Path | None) -> None:
    """Write a deck as an Anki package (.apkg) to import with Anki's File > Import.

    Exporting again after editing the deck updates the notes in Anki instead of
    duplicating them (note ids come from deck id + question id).

    \b
    Example:
      legquiz export apkg --deck running-vs-jogging
      legquiz export apkg --deck mine -o ~/Desktop/mine.apkg
    """
    from legquiz.cli import common
    from legquiz.convert import anki_export
    from legquiz.deckfile import catalog
    from legquiz.deckfile.articles import ArticleIndex

    home = resolve_home(ctx, data_dir)
    cat = catalog.load(home)
    for w in cat.warnings:
        warn(w)
    d = cat.select([deck_id])[0]
    out = common.output_file(output or Path(f"{d.id}.apkg"), force, home, example=f"{d.id}.apkg")
    n = anki_export.export(d, out, common.utcnow(), ArticleIndex(home))
    click.echo(f"Wrote {n} notes of deck '{d.id}' to {out}. In Anki: File > Import.")

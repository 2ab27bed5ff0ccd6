"""``legquiz deck ...``: check and manage decks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from legquiz.cli import data_dir_option  # noqa: F401  (used by the deck commands that touch user data)


@click.group()
def deck() -> None:
    """Check and manage decks (YAML files of questions).

    \b
    Example:
      legquiz deck validate mine.yaml
    """


@deck.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check deck files and print every problem as FILE:LINE: FIELD: message.

    Exits 1 if any deck has a problem, 0 (with a one-line summary per deck) if
    all are valid. The format is described in docs/deck-format.md.

    \b
    Example:
      legquiz deck validate decks/*.yaml
      legquiz deck validate mine.yaml
    """
    from legquiz import deck as deckmod
    from legquiz.errors import DeckErrors

    problems: list[str] = []
    for path in paths:
        try:
            d = deckmod.load(path)
        except DeckErrors as e:
            problems.extend(str(err) for err in e.errors)
            continue
        kinds = Counter(q.type.value for q in d.questions)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        click.echo(f"{path}: ok: deck '{d.id}', {len(d.questions)} questions ({detail})")
    if problems:
        for line in problems:
            click.echo(line, err=True)
        raise SystemExit(1)

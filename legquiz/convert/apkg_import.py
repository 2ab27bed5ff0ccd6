"""An Anki package as legquiz decks: one per Anki deck, or all in one with ``--deck-id``.

``Legs::Muscles`` becomes deck ``legs-muscles`` titled ``Legs › Muscles``.
Each deck file records the Anki deck(s) it came from (``x-anki-deck``), so a
second import of the same package can tell "the deck I made last time"
(replaced with ``--force``) from an unrelated deck that happens to have the
same id (never replaced: the message suggests ``--deck-id``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from legquiz.convert.anki_notes import Imported, convert
from legquiz.convert.anki_package import Collection, read
from legquiz.core.model import Deck
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.write import slug, unique
from legquiz.errors import LegquizError
from legquiz.text import shown_path

SOURCE_KEY = "x-anki-deck"


@dataclass
class PackageDeck:
    """One deck to write, the Anki deck name(s) it holds and the imported cards behind its questions."""

    deck: Deck
    extras: dict[str, dict[str, object]]
    source: str
    items: list[Imported]


@dataclass
class Package:
    decks: list[PackageDeck]
    col: Collection
    warnings: list[str] = field(default_factory=list)


def deck_id_for(name: str) -> str:
    """``Legs::Muscles`` -> ``legs-muscles`` (``anki`` when the name has no letter or digit)."""
    return slug(name.replace("::", " "), 64) or "anki"


def deck_title_for(name: str) -> str:
    return " › ".join(part.strip() for part in name.split("::") if part.strip()) or "Anki"


def load(path: Path, deck_id: str | None = None, title: str | None = None) -> Package:
    """Read the package at ``path`` and make its decks (nothing is written here)."""
    shown = str(path)
    if deck_id is not None and not deckmod.DECK_ID.fullmatch(deck_id):
        raise LegquizError(f"--deck-id '{deck_id}': use only lowercase letters, digits and '-'")
    col = read(path)
    conv = convert(col)
    warnings: list[str] = []
    if col.media:
        warnings.append(f"{shown}: {col.media} media file(s) (pictures, sounds) not imported: legquiz shows text only")
    for why, n in sorted(conv.skipped.items()):
        warnings.append(f"{shown}: {n} card(s) skipped: {why}")
    if not conv.items:
        raise LegquizError(f"{shown}: no card of the package makes a question ({sum(conv.skipped.values())} skipped)")
    groups: dict[str, list[Imported]] = defaultdict(list)
    for item in conv.items:
        groups["" if deck_id else item.deck].append(item)
    if title and not deck_id and len(groups) > 1:
        warnings.append(
            f"{shown}: --title ignored: the package holds {len(groups)} decks (give --deck-id to merge them)"
        )
        title = None
    decks: list[PackageDeck] = []
    taken: set[str] = set()
    for name, items in sorted(groups.items()):
        source = name or ", ".join(sorted({i.deck for i in items}))
        did = deck_id or unique(deck_id_for(name), taken)
        shown_title = title or (deck_title_for(name) if name else shown_path(path.stem).replace("_", " "))
        questions = tuple(i.question for i in items)
        extras: dict[str, dict[str, object]] = {i.question.id: {"x-anki-tags": i.tags} for i in items if i.tags}
        d = Deck(id=did, title=shown_title, questions=questions, extra={SOURCE_KEY: source})
        decks.append(PackageDeck(d, extras, source, items))
    return Package(decks, col, warnings)


def source_of(path: Path) -> str | None:
    """The ``x-anki-deck`` a deck file was written with (None: not imported from an Anki package)."""
    import yaml

    try:
        head = path.read_text("utf-8").split("\nquestions:", 1)[0]
        top = yaml.safe_load(head)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    value = top.get(SOURCE_KEY) if isinstance(top, dict) else None
    return value if isinstance(value, str) else None


def check_ids(home: Path, pkg: Package, shown: str, force: bool) -> None:
    """Refuse, before anything is written, a deck id that is shipped or held by an unrelated deck.

    A deck this package made before (same ``x-anki-deck``) is replaced with
    ``--force``; an unrelated one never is: the message suggests ``--deck-id``.
    """
    from legquiz.deckfile import catalog

    cat = catalog.load(home)
    for pd in pkg.decks:
        existing = cat.get(pd.deck.id)
        if existing is None:
            continue
        what = f"deck id '{pd.deck.id}' (for Anki deck '{pd.source}')"
        if existing.origin == "shipped" or source_of(Path(existing.path)) != pd.source:
            owner = "a deck shipped with legquiz" if existing.origin == "shipped" else "another of your decks"
            raise LegquizError(
                f'{shown}: {what} is taken by {owner} ("{existing.title}"); choose another id with --deck-id ID'
            )
        if not force:
            raise LegquizError(
                f"{shown}: {what} was imported before; add --force to replace its questions (its progress is kept)"
            )

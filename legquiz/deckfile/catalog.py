"""All the decks a user has: the shipped ones plus their own (``LEGQUIZ_HOME/decks``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from legquiz.core.model import Deck
from legquiz.errors import DeckErrors, UsageError
from legquiz.speed import deck_cache as deckcache
from legquiz.storage.paths import shipped_decks_dir, user_decks_dir
from legquiz.text import shown_path


@dataclass
class Catalog:
    """The decks found, in load order, and why any were skipped."""

    decks: list[Deck]
    warnings: list[str] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [d.id for d in self.decks]

    def get(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)

    def select(self, ids: tuple[str, ...] | list[str]) -> list[Deck]:
        """The decks named (all when none are); an unknown id is a usage error."""
        if not ids:
            return list(self.decks)
        unknown = [i for i in ids if self.get(i) is None]
        if unknown:
            raise UsageError(f"no deck with id '{unknown[0]}'; known decks: {', '.join(self.ids())}")
        return [d for d in self.decks if d.id in ids]


def deck_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load(home: Path) -> Catalog:
    """Shipped decks first, then the user's; a broken or clashing user deck is skipped with a warning."""
    cat = Catalog([])
    cache: Path | None = deckcache.cache_dir(home)  # parsed decks, so a big deck is not re-parsed on every start
    if cache is not None and home in cache.parents and not home.is_dir():
        cache = None  # no data folder yet: reading decks must not create one (a mistyped path is not a new home)
    for origin, folder in (("shipped", shipped_decks_dir()), ("user", user_decks_dir(home))):
        for path in deck_files(folder):
            try:
                d = deckcache.load(path, origin, cache)
            except DeckErrors as e:
                if origin == "shipped":
                    raise
                cat.warnings.append(f"skipping deck {shown_path(path)}: {e.errors[0]}")
                continue
            first = cat.get(d.id)
            if first is not None:
                cat.warnings.append(
                    f"skipping deck {shown_path(path)}: id '{d.id}' is already used by {shown_path(first.path)}"
                )
                continue
            cat.decks.append(d)
    return cat

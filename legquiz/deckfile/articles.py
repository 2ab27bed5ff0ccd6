"""The articles questions quote: found by file name, titled by their first line."""

from __future__ import annotations

from pathlib import Path

from legquiz.storage.fsutil import InputError, open_input
from legquiz.storage.paths import articles_dir

TITLE_BYTES = 64 * 1024


class ArticleIndex:
    """Looks an article up next to its deck, in ``LEGQUIZ_HOME/articles``, then among the shipped ones."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home
        self._titles: dict[tuple[str, str], str] = {}

    def find(self, name: str, deck_path: str = "") -> Path | None:
        candidates = []
        if deck_path:
            candidates.append(Path(deck_path).parent / name)
        if self.home is not None:
            candidates.append(self.home / "articles" / name)
        candidates.append(articles_dir() / name)
        for c in candidates:
            if Path(name).name == name and c.is_file():
                return c
        return None

    def title(self, name: str, deck_path: str = "") -> str:
        key = (name, deck_path)
        if key not in self._titles:
            self._titles[key] = self._read_title(name, deck_path)
        return self._titles[key]

    def _read_title(self, name: str, deck_path: str) -> str:
        path = self.find(name, deck_path)
        if path is not None:
            try:
                with open_input(path, "an article") as f:
                    head = f.read(TITLE_BYTES).decode("utf-8", errors="replace")  # bounded: a title, not the article
            except InputError:
                head = ""
            for line in head.splitlines():
                if line.strip():
                    return line.strip()[:120]
        return Path(name).stem.replace("-", " ").capitalize()

"""Every sentence a deck quotes is in the article it names: the check ``legquiz deck validate`` adds.

Loading a deck to study does not read articles (that would cost every start a
read of every article); validating one does, so that a source not copied
exactly, or an article that is not there, is reported by file, line and field
before a learner is shown a made-up sentence credited to a real article. It
runs on a deck that is otherwise valid, on the composed YAML tree, so every
problem points at the line of the value at fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from legquiz.core.model import Deck
from legquiz.deckfile.articles import ArticleIndex
from legquiz.deckfile.limits import MAX_ARTICLE_BYTES
from legquiz.errors import DeckError
from legquiz.storage.fsutil import InputError, read_input

# Typographic marks a person retyping a sentence often changes: a near miss gets a precise hint.
_LOOSE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def collapse(text: str) -> str:
    """Whitespace runs as one space: a hard-wrapped article still matches a sentence quoted on one line."""
    return " ".join(text.split())


def _node(mapping: Any, key: str) -> Any:
    """The value node of ``key`` in a composed mapping node (the first, if repeated), or None."""
    for k, v in getattr(mapping, "value", ()):
        if getattr(k, "value", None) == key:
            return v
    return None


def _line(node: Any) -> int:
    return node.start_mark.line + 1 if node is not None else 1


class _Articles:
    """Each article's text read once (collapsed), or why it cannot be."""

    def __init__(self, index: ArticleIndex, deck_path: str) -> None:
        self.index, self.deck_path = index, deck_path
        self.texts: dict[str, str | None] = {}
        self.why: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        if name not in self.texts:
            self.texts[name] = self._read(name)
        return self.texts[name]

    def _read(self, name: str) -> str | None:
        if Path(name).name != name:
            self.why[name] = f"'{name}' must be a file name only, without folders"
            return None
        path = self.index.find(name, self.deck_path)
        if path is None:
            self.why[name] = (
                f"no article '{name}' next to the deck, in the articles folder of your legquiz directory "
                "or among the articles shipped with legquiz"
            )
            return None
        try:
            data = read_input(path, "an article", MAX_ARTICLE_BYTES, "articles")
        except InputError as e:
            self.why[name] = f"cannot read the article {e}"
            return None
        return collapse(data.decode("utf-8", errors="replace"))


def _not_quoted(quote: str, body: str, name: str) -> str:
    if quote.translate(_LOOSE) in body.translate(_LOOSE):
        return f"differs from {name} only in quote marks, apostrophes or dashes; copy them exactly"
    if quote.casefold() in body.casefold():
        return f"differs from {name} only in capital letters; copy it exactly"
    return f"is not in {name} (a source is a sentence copied exactly from its article)"


def check(d: Deck, root: Any, shown: str, deck_path: str, index: ArticleIndex) -> list[DeckError]:
    """Problems with the articles ``d`` names and the sentences it quotes, in line order.

    ``root`` is the composed tree ``d`` was built from (so questions[i] is item i);
    an article missing is reported once per field that names it, and the
    sentences credited to it are then not checked.
    """
    articles = _Articles(index, deck_path)
    errors: list[DeckError] = []
    reported: set[tuple[str, str]] = set()

    def exists(name: str, node: Any, field: str) -> str | None:
        body = articles.text(name)
        if body is None and (name, field) not in reported:
            reported.add((name, field))
            errors.append(DeckError(shown, _line(node), field, articles.why[name]))
        return body

    top = _node(root, "article")
    if d.article:
        exists(d.article, top, "article")
    items = getattr(_node(root, "questions"), "value", [])
    for i, (q, item) in enumerate(zip(d.questions, items, strict=True)):
        field = f"questions[{i}]"
        own = (_node(item, "article"), f"{field}.article") if q.article else (top, "article")
        cites: list[tuple[str | None, Any, str, Any, str]] = []
        if q.source:
            cites.append((d.article_for(q), *own, _node(item, "source"), f"{field}.source"))
        elif q.article:
            exists(q.article, *own)
        sources = getattr(_node(item, "sources"), "value", [])
        for j, ((named, _text), sitem) in enumerate(zip(q.sources, sources, strict=True)):
            where = (_node(sitem, "article"), f"{field}.sources[{j}].article") if named else own
            cites.append((named or d.article_for(q), *where, _node(sitem, "text"), f"{field}.sources[{j}].text"))
        for name, anode, afield, tnode, tfield in cites:
            if name is None:
                continue  # no article named anywhere: nothing to check the sentence against
            body = exists(name, anode, afield)
            quote = collapse(str(tnode.value))
            if body is not None and quote not in body:
                errors.append(DeckError(shown, _line(tnode), tfield, _not_quoted(quote, body, name)))
    errors.sort(key=lambda e: e.line)
    return errors

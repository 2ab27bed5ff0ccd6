"""The user's own decks: list, add, remove, and spotting a renamed question id.

User decks live in ``LEGQUIZ_HOME/decks/<id>.yaml``. Progress belongs to deck
id + question id and lives in the store, never in a deck file, so removing a
deck keeps its progress and adding it back restores it. Every change is one
atomic rename: a failed command leaves ``LEGQUIZ_HOME`` as it was.

Beside the decks, ``deck-history/<id>.json`` remembers the text of every
question ever added under an id, so ``deck validate`` can warn when an edited
deck gives a question with progress a new id (which would start it afresh).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from legquiz.core.cards import NEW, deck_rows, due_of, state_of, utc_text
from legquiz.core.model import Deck, QType, Question
from legquiz.core.progress import StoreState
from legquiz.deckfile import catalog as catalogmod
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.catalog import Catalog
from legquiz.deckfile.limits import MAX_ARTICLE_BYTES
from legquiz.deckfile.read import compose, read_text
from legquiz.errors import LegquizError, UsageError
from legquiz.storage.fsutil import InputError, atomic_write, fsync_dir, read_input
from legquiz.storage.paths import user_decks_dir
from legquiz.text import shown_path

REMOVED = "removed-decks"
HISTORY = "deck-history"


@dataclass(frozen=True)
class DeckRow:
    """One line of ``deck list``."""

    id: str
    title: str
    origin: str
    questions: int
    due: int
    new: int
    path: str


def rows(cat: Catalog, state: StoreState, now: datetime) -> list[DeckRow]:
    out = []
    now_key = utc_text(now)  # due times compare as text (legquiz.cards)
    for d in cat.decks:
        due = new = 0
        for raw in deck_rows(state.cards, d.id, d.question_ids()):  # ids only: no Question built
            if raw is None or state_of(raw) == NEW:
                new += 1
            elif due_of(raw) <= now_key:
                due += 1
        out.append(DeckRow(d.id, d.title, d.origin, len(d.questions), due, new, d.path))
    return out


def deck_path(home: Path, deck_id: str) -> Path:
    return user_decks_dir(home) / f"{deck_id}.yaml"


def progress_ids(state: StoreState, deck_id: str) -> set[str]:
    """Question ids of this deck that have been answered at least once."""
    prefix = f"{deck_id}/"
    return {k[len(prefix) :] for k in state.cards if k.startswith(prefix)}


@dataclass
class Added:
    deck: Deck
    path: Path
    replaced: bool
    progress: int  # questions of the deck that already had progress
    warnings: list[str] = field(default_factory=list)


def add(home: Path, source: Path, state: StoreState, force: bool = False) -> Added:
    """Validate ``source`` and copy it into the user's decks (see :func:`add_text`)."""
    from legquiz.errors import DeckError, DeckErrors

    shown = str(source)
    try:
        text = read_text(source, shown)
    except DeckError as e:
        raise DeckErrors([e]) from None
    return add_text(home, text, shown, state, force=force, article_dir=source.parent)


def add_text(
    home: Path, text: str, shown: str, state: StoreState, force: bool = False, article_dir: Path | None = None
) -> Added:
    """Validate a deck's text and install it as ``decks/<id>.yaml``; nothing is written if anything is wrong.

    Refused: an invalid deck (every problem, as ``deck validate`` prints
    them), an id used by a shipped deck, and an id used by another user deck
    unless ``force``. ``article_dir`` is where to look for the deck's article
    file, copied to ``LEGQUIZ_HOME/articles`` so the session can name it.
    A source not found in its article, or an article not found, is a warning
    (``deck validate`` makes it an error): the deck worked before sources were checked.
    """
    from legquiz.deckfile import sources
    from legquiz.deckfile.articles import ArticleIndex
    from legquiz.errors import DeckError, DeckErrors

    try:
        root = compose(text, shown)
        d = deckmod.build(root, shown, origin="user")
    except DeckError as e:
        raise DeckErrors([e]) from None
    beside = str(article_dir / Path(shown).name) if article_dir is not None else ""
    unquoted = [str(e) for e in sources.check(d, root, shown, beside, ArticleIndex(home))]
    cat = catalogmod.load(home)
    existing = cat.get(d.id)
    dest = deck_path(home, d.id)
    if existing is not None and existing.origin == "shipped":
        raise LegquizError(
            f"{shown_path(shown)}: deck id '{d.id}' is taken by a deck shipped with legquiz (\"{existing.title}\"); "
            "give yours another id"
        )
    if existing is not None and not force:
        raise LegquizError(
            f"{shown_path(shown)}: you already have a deck with id '{d.id}' ({shown_path(existing.path)}); "
            "use --force to replace it (its progress is kept)"
        )
    if dest.exists() and (existing is None or Path(existing.path) != dest):
        other = _deck_id_of(dest)
        if other is not None and other != d.id:
            raise LegquizError(f"{shown_path(dest)} holds deck '{other}'; rename that file before adding '{d.id}'")
        if not force:
            raise LegquizError(f"{shown_path(dest)} already exists but is not a valid deck; use --force to replace it")
    warnings = unquoted + renamed_warnings(d, _known_texts(home, d.id, cat), progress_ids(state, d.id))
    try:
        atomic_write(dest, text.encode("utf-8"))
    except OSError as e:
        raise LegquizError(f"cannot write {shown_path(dest)}: {e.strerror or e}; nothing was changed") from None
    if existing is not None and Path(existing.path) != dest:
        try:
            os.unlink(existing.path)  # the replaced deck lived under another file name
        except OSError as e:
            warnings.append(f"could not remove the old copy {shown_path(existing.path)}: {e.strerror or e}")
    _remember(home, d)
    if article_dir is not None:
        named = {name for q in d.questions for name, _text in d.citations(q) if name}
        for name in sorted(named | ({d.article} if d.article else set())):  # every article a source names
            warnings.extend(_copy_article(home, article_dir, name))
    ids = {q.id for q in d.questions}
    return Added(d, dest, existing is not None, len(progress_ids(state, d.id) & ids), warnings)


def _deck_id_of(path: Path) -> str | None:
    try:
        return deckmod.load(path).id
    except LegquizError:
        return None


def _copy_article(home: Path, folder: Path, name: str) -> list[str]:
    """Keep the deck's article beside the user's decks, if it sits next to the file added."""
    src = folder / name
    dest = home / "articles" / name
    if Path(name).name != name or not src.is_file():
        return []
    try:
        data = read_input(src, "an article", MAX_ARTICLE_BYTES, "articles")
        if dest.exists():
            if read_input(dest, "an article", MAX_ARTICLE_BYTES, "articles") != data:
                return [f"kept the existing article {shown_path(dest)}; it differs from {shown_path(src)}"]
            return []
        atomic_write(dest, data)
    except InputError as e:
        return [f"could not copy the article {e}"]
    except OSError as e:
        return [f"could not copy the article {shown_path(src)}: {e.strerror or e}"]
    return []


@dataclass
class Removed:
    deck: Deck
    kept_copy: Path
    progress: int


def find_user_deck(cat: Catalog, deck_id: str, verb: str) -> Deck:
    """The user deck ``deck_id``; an unknown or shipped id is a one-line error."""
    d = cat.get(deck_id)
    if d is None:
        raise UsageError(f"no deck with id '{deck_id}'; known decks: {', '.join(cat.ids()) or 'none'}")
    if d.origin == "shipped":
        raise LegquizError(f"deck '{deck_id}' is shipped with legquiz and cannot be {verb}; only your own decks can")
    return d


def remove(home: Path, d: Deck, state: StoreState, now: datetime) -> Removed:
    """Move the deck file to ``removed-decks/<id>.<UTC time>.yaml``; its progress stays in the store.

    Every removed version is kept: the name has the time of removal (``mine.2026-12-06T04-05-12Z.yaml``),
    with ``-2``, ``-3`` ... when two land in the same second, and a kept copy is never replaced.
    """
    src = Path(d.path)
    folder = home / REMOVED
    stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        kept = _move_aside(src, folder, f"{d.id}.{stamp}")
    except OSError as e:
        raise LegquizError(f"cannot remove {shown_path(src)}: {e.strerror or e}; nothing was changed") from None
    fsync_dir(src.parent)
    fsync_dir(folder)
    return Removed(d, kept, len(progress_ids(state, d.id) & {q.id for q in d.questions}))


def keep_removed(home: Path, src: Path, now: datetime) -> Path:
    """Move any file of the user's (a deck another device replaced or removed, `legquiz sync`) to
    ``removed-decks/`` as :func:`remove` does, never over a kept copy; where it went."""
    folder = home / REMOVED
    stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    kept = _move_aside(src, folder, f"{src.stem}.{stamp}")
    fsync_dir(src.parent)
    fsync_dir(folder)
    return kept


def _move_aside(src: Path, folder: Path, base: str) -> Path:
    """Move ``src`` to ``folder/base.yaml`` (or ``base-2.yaml`` ...), never over an existing file.

    A hard link claims the new name atomically (it fails if the name exists, even if another legquiz
    took it a moment ago), then the old name is removed. Where hard links are not supported, the name
    is checked first and the file renamed.
    """
    for n in itertools.count(1):
        kept = folder / (f"{base}.yaml" if n == 1 else f"{base}-{n}.yaml")
        try:
            os.link(src, kept, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
            if kept.exists() or kept.is_symlink():
                continue
            os.rename(src, kept)
            return kept
        try:
            os.unlink(src)
        except OSError:
            os.unlink(kept)  # the deck stays where it was: nothing changed
            raise
        return kept
    raise AssertionError("unreachable")


# -- renamed ids -------------------------------------------------------------


def question_text(q: Question) -> str:
    return q.text if q.type is QType.CLOZE else q.question


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _history_path(home: Path, deck_id: str) -> Path:
    return home / HISTORY / f"{deck_id}.json"


def _read_history(home: Path, deck_id: str) -> dict[str, str]:
    try:
        raw = json.loads(_history_path(home, deck_id).read_text(encoding="utf-8"))
        qs = raw["questions"]
        return {str(k): str(v) for k, v in qs.items()} if isinstance(qs, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # advisory only: a missing or damaged history just means fewer warnings


def _remember(home: Path, d: Deck) -> None:
    texts = _read_history(home, d.id)
    texts.update({q.id: question_text(q) for q in d.questions})
    data = json.dumps({"format": 1, "questions": texts}, ensure_ascii=False, indent=1).encode()
    try:
        atomic_write(_history_path(home, d.id), data)
    except OSError:
        pass  # the deck is installed; the history only feeds a warning


def _known_texts(home: Path, deck_id: str, cat: Catalog) -> dict[str, str]:
    texts = _read_history(home, deck_id)
    installed = cat.get(deck_id)
    if installed is not None:
        texts.update({q.id: question_text(q) for q in installed.questions})
    return texts


def known_texts(home: Path, deck_id: str) -> dict[str, str]:
    """Question id -> text for every question this deck id has had (installed deck and history)."""
    return _known_texts(home, deck_id, catalogmod.load(home))


def renamed_warnings(d: Deck, known: dict[str, str], progress: Iterable[str]) -> list[str]:
    """``FILE:LINE: questions[i].id: ...`` for each new id whose text matches a question with progress."""
    with_progress = set(progress)
    ids = {q.id for q in d.questions}
    by_text: dict[str, list[str]] = {}
    for qid, text in known.items():
        if qid in with_progress and qid not in ids:
            by_text.setdefault(_norm(text), []).append(qid)
    out = []
    for i, q in enumerate(d.questions):
        if q.id in with_progress:
            continue
        old = by_text.get(_norm(question_text(q)))
        if old:
            out.append(
                f"{shown_path(d.path)}:{q.line}: questions[{i}].id: new id '{q.id}' has the same text as '{old[0]}', "
                f"which has progress; if you renamed it, put back id '{old[0]}' or its progress is not used"
            )
    return out


class RenameCheck:
    """Renamed-id warnings for several decks, reading the catalog and the store once."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._cat: Catalog | None = None
        self._state: StoreState | None = None
        self._failed = False

    def warnings(self, d: Deck) -> list[str]:
        """Never fails: without a readable store or catalog there is simply nothing to compare with."""
        if self._failed:
            return []
        try:
            if self._cat is None or self._state is None:
                from legquiz.storage import store

                self._cat = catalogmod.load(self.home)
                self._state = store.read(self.home).state
        except LegquizError:
            self._failed = True
            return []
        known = _known_texts(self.home, d.id, self._cat)
        return renamed_warnings(d, known, progress_ids(self._state, d.id))

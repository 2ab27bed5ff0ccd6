"""Write a deck as an Anki package (.apkg) with genanki.

Ids are derived from the deck id, never random: the Anki deck and note types
get the same ids on every export, and each note's guid comes from deck id +
question id, so importing a newer export into Anki updates the notes (and
keeps their Anki review history) instead of adding duplicates. Cloze
questions use Anki's cloze note type (every gap is ``c1``, so one card hides
them all, as legquiz asks them); every other type is a front/back note whose
back carries the answer, the explanation and the source sentences, each
with its article's title when the article is found.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legquiz.core.model import CLOZE_GAP, Deck, QType, Question
from legquiz.deckfile.articles import ArticleIndex
from legquiz.errors import LegquizError

if TYPE_CHECKING:
    from legquiz.convert.anki_schedule import Schedule

CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.choices { margin-top: .5em; }
.why { margin-top: 1em; }
.source { margin-top: 1em; font-size: 16px; color: #666; font-style: italic; }"""
BACK_EXTRA = (
    "{{#Explanation}}<div class=why>{{Explanation}}</div>{{/Explanation}}"
    "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"
)


def stable_id(*parts: str) -> int:
    """A positive id in Anki's usual range, the same for the same parts on every run."""
    digest = hashlib.sha1("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _html(text: str) -> str:
    """Plain text as a field's HTML. U+001F, which the deck format allows, is Anki's field separator in a
    note: written raw it would split the field in two and Anki refuses the note, so it becomes its character
    reference (``&#31;``), which Anki keeps as one field and turns back into U+001F when shown or imported.
    """
    return html.escape(text).replace("\x1f", "&#31;").replace("\n", "<br>")


def _models(deck_id: str) -> tuple[Any, Any]:
    import genanki

    basic = genanki.Model(
        stable_id("legquiz-model-basic", deck_id),
        f"legquiz basic ({deck_id})",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}, {"name": "Source"}, {"name": "Type"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + BACK_EXTRA,
            }
        ],
        css=CSS,
    )
    cloze = genanki.Model(
        stable_id("legquiz-model-cloze", deck_id),
        f"legquiz cloze ({deck_id})",
        fields=[{"name": "Text"}, {"name": "Explanation"}, {"name": "Source"}],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}" + BACK_EXTRA}],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )
    return basic, cloze


def front_back(q: Question) -> tuple[str, str]:
    """The front and back (HTML) of a non-cloze question."""
    if q.type is QType.MULTIPLE_CHOICE:
        items = "".join(f"<li>{_html(c)}</li>" for c in q.choices)
        return f'{_html(q.question)}<ol class=choices type="A">{items}</ol>', _html(str(q.answer))
    if q.type is QType.TRUE_FALSE:
        return f"True or false? {_html(q.question)}", "True" if q.answer else "False"
    if q.type is QType.TYPED and q.aliases:
        also = ", ".join(_html(a) for a in q.aliases)
        return _html(q.question), f"{_html(str(q.answer))}<br><small>Also accepted: {also}</small>"
    return _html(q.question), _html(str(q.answer))


def cloze_text(q: Question) -> str:
    """legquiz's {{gap}} as Anki's {{c1::gap}} (``{{c1::gap::hint}}`` with a hint), the rest HTML-escaped."""
    out, last = [], 0
    for i, m in enumerate(CLOZE_GAP.finditer(q.text)):
        hint = q.hints[i] if i < len(q.hints) else ""
        out.append(_html(q.text[last : m.start()]))
        out.append("{{c1::" + _html(m.group(1).strip()) + (f"::{_html(hint)}" if hint else "") + "}}")
        last = m.end()
    out.append(_html(q.text[last:]))
    return "".join(out)


def sources_html(d: Deck, q: Question, articles: ArticleIndex | None) -> str:
    """Every sentence ``q`` quotes, one per line, with its article's title when ``articles`` is given."""
    lines = []
    for name, text in d.citations(q):
        title = f" — {_html(articles.title(name, d.path))}" if name and articles is not None else ""
        lines.append(f"“{_html(text.strip())}”{title}")
    return "<br>".join(lines)


def build(d: Deck, articles: ArticleIndex | None = None) -> Any:
    """The genanki Deck for ``d``."""
    import genanki

    basic, cloze = _models(d.id)
    gdeck = genanki.Deck(stable_id("legquiz-deck", d.id), d.title)
    for q in d.questions:
        source = sources_html(d, q, articles)
        guid = genanki.guid_for("legquiz", d.id, q.id)
        tags = ["legquiz", q.type.value]
        if q.type is QType.CLOZE:
            fields = [cloze_text(q), _html(q.explanation), source]
            gdeck.add_note(genanki.Note(model=cloze, fields=fields, guid=guid, tags=tags))
        else:
            front, back = front_back(q)
            fields = [front, back, _html(q.explanation), source, q.type.value]
            gdeck.add_note(genanki.Note(model=basic, fields=fields, guid=guid, tags=tags))
    return gdeck


def export(
    d: Deck, out: Path, now: datetime, articles: ArticleIndex | None = None, schedule: Schedule | None = None
) -> int:
    """Write ``d`` to ``out`` atomically (temp file + rename); returns the number of notes.

    With ``schedule`` the package also carries each card's schedule and review history (anki_schedule.py).
    """
    import genanki

    if out.is_dir():
        raise LegquizError(f"{out}: is a directory; give a file name like {out / (d.id + '.apkg')}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise LegquizError(f"{out}: the folder {folder} does not exist")
    gdeck = build(d, articles)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a package is an ordinary file
    try:
        if schedule is None:
            genanki.Package(gdeck).write_to_file(tmp, timestamp=now.timestamp())
        else:
            _write_with_schedule(d, gdeck, Path(tmp), now, schedule)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as e:
        raise LegquizError(f"cannot write {out}: {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(gdeck.notes)


def _write_with_schedule(d: Deck, gdeck: Any, tmp: Path, now: datetime, schedule: Schedule) -> None:
    """genanki's collection, filled in with the schedule, zipped as genanki zips it (legacy collection.anki2)."""
    import sqlite3

    import genanki

    from legquiz.convert.anki_schedule import fill

    with tempfile.TemporaryDirectory(prefix="legquiz-apkg-") as work:
        db = Path(work) / "collection.anki2"
        con = sqlite3.connect(db)
        try:
            genanki.Package(gdeck).write_to_db(
                con.cursor(), now.timestamp(), itertools.count(int(now.timestamp() * 1000))
            )
            con.commit()
        finally:
            con.close()
        fill(db, d, {q.id: genanki.guid_for("legquiz", d.id, q.id) for q in d.questions}, schedule)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(db, "collection.anki2")
            z.writestr("media", "{}")

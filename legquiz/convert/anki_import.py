"""Read an Anki "Notes in Plain Text" export (or a CSV of front/back pairs) into a deck.

Anki writes a few header lines (``#separator:tab``, ``#html:true``,
``#columns:Front<TAB>Back``, ``#notetype column:1``, ``#tags column:3`` ...),
then one note per row, quoted like CSV where a field holds the separator, a
quote or a line break; :mod:`legquiz.convert.anki_csv` reads them as Anki
does. Each note becomes a flashcard (a Cloze note, with ``{{c1::...}}`` in
its text, becomes a cloze question); HTML is turned into plain text (plain
tags by a regular expression, anything else by the standard library's parser).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field, replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from legquiz.convert import anki_csv
from legquiz.core.model import Deck, QType, Question
from legquiz.core.progress import StoreState
from legquiz.deckfile import userdecks
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile import write as deckwrite
from legquiz.deckfile.limits import MAX_QUESTIONS, MAX_TEXT
from legquiz.deckfile.userdecks import Added
from legquiz.deckfile.write import problems_each, slug, unique
from legquiz.errors import DeckErrors, LegquizError
from legquiz.storage.fsutil import decode_utf8, read_input
from legquiz.text import shown_path

MAX_EXPORT_BYTES = 64 * 1024 * 1024  # 20,000 notes of 5,000 characters in HTML fit; more is not one deck
HTML_HINT = re.compile(r"<[a-zA-Z/][^>]*>|&[#a-zA-Z0-9]+;")
ANKI_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::([^}]*))?\}\}", re.S)
_BREAK_TAGS = {"br", "div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "hr"}


class _Text(HTMLParser):
    """Collects the text of an HTML fragment: entities decoded, <br> and blocks as line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


_SIMPLE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^<>\"'&]*)>")


def _simple_tag(m: re.Match[str]) -> str:
    """What :class:`_Text` makes of one plain tag: a line break for a block tag (two for ``<br/>``), else nothing."""
    name = m.group(2).lower()
    if name in ("script", "style"):
        return m.group(0)  # its content is dropped: left for the parser
    if name not in _BREAK_TAGS:
        return ""
    return "\n\n" if m.group(3).rstrip().endswith("/") and not m.group(1) else "\n"


def html_to_text(html: str) -> str:
    """Plain text of an Anki field: tags dropped, entities decoded, <br> as a newline, media refs removed."""
    if "<" in html or "&" in html:  # else the parser would give the text back unchanged: skip it
        simple = _SIMPLE_TAG.sub(_simple_tag, html)
        if "<" not in simple:  # only plain tags (no quoted attributes, comments, scripts): what the parser gives
            html = unescape(simple)
        else:
            p = _Text()
            p.feed(html)
            p.close()
            html = "".join(p.parts)
    text = html.replace("\xa0", " ")
    text = re.sub(r"\[sound:[^\]]*\]", "", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class Parsed:
    notes: list[list[str]]  # each note's fields, in order, special columns removed
    names: list[str]  # the field names from #columns, if given
    tags: list[str]  # each note's tags ("" if none)
    guids: list[str]
    deck: str | None = None
    skipped: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line each note starts on
    warnings: list[str] = field(default_factory=list)


def read(path: Path) -> str:
    shown = str(path)
    data = read_input(path, "an Anki package or text export", MAX_EXPORT_BYTES, "text exports")
    if data[:4] == b"PK\x03\x04":
        raise LegquizError(f"{shown}: is a zip file (an .apkg?); export 'Notes in Plain Text' from Anki instead")
    if b"\x00" in data:
        raise LegquizError(f"{shown}: binary data (NUL byte), not a text export")
    return decode_utf8(data, shown)


def parse(text: str, shown: str, csv_default: bool = False) -> Parsed:
    """Split the header lines from the notes and each note into its fields (see :mod:`anki_csv`)."""
    lines = io.StringIO(text, newline="").readlines()  # \n, \r\n or \r: the csv module's own line ends
    head = anki_csv.header(lines)
    body = lines[head.lines :]
    sep = head.separator or anki_csv.guess_separator(body, csv_default)
    names = anki_csv.column_names(head, sep)
    found, warnings = anki_csv.records(body, head.lines + 1, sep, names, shown)
    rows = [r for r in found if any(c.strip() for c in r.cells)]
    if len(rows) > MAX_QUESTIONS:
        raise LegquizError(
            f"{shown}: {len(rows):,} notes, more than the {MAX_QUESTIONS:,} questions a deck may hold; "
            "nothing was imported: export fewer notes per file (one Anki deck at a time) and import each"
        )
    is_html = head.html
    if is_html is None:
        is_html = any(HTML_HINT.search(c) for r in rows for c in r.cells)
    special = head.special
    keep = [i for i, n in enumerate(names) if i not in special]
    out = Parsed([], [names[i] for i in keep], [], [], deck=head.deck, warnings=warnings)
    col = {kind: i for i, kind in special.items()}
    decks: set[str] = set()
    for k, r in enumerate(rows):
        row = r.cells
        if k == 0 and not names and [c.strip().lower() for c in row[:2]] == ["front", "back"]:
            continue  # a CSV header row
        fields = [c for i, c in enumerate(row) if i not in special] if special else row
        out.notes.append([html_to_text(f) for f in fields] if is_html else [f.strip() for f in fields])
        out.lines.append(r.line)
        tags = row[col["tags"]].split() if "tags" in col and col["tags"] < len(row) else []
        out.tags.append(" ".join(head.tags + [t for t in tags if t not in head.tags]))
        out.guids.append(row[col["guid"]] if "guid" in col and col["guid"] < len(row) else "")
        if "deck" in col and col["deck"] < len(row) and row[col["deck"]].strip():
            decks.add(row[col["deck"]].strip())
            if out.deck is None:
                out.deck = row[col["deck"]].strip()  # the first note's deck names the whole import
    if len(decks) > 1:
        out.warnings.append(
            f"{shown}: the notes come from {len(decks)} Anki decks; all go into one deck (named after "
            f"'{out.deck}'); export one deck at a time to keep them apart"
        )
    return out


def _pick(fields: list[str], names: list[str], wanted: tuple[str, ...], default: int) -> str:
    lowered = [n.lower() for n in names]
    for w in wanted:
        if w in lowered and lowered.index(w) < len(fields):
            return fields[lowered.index(w)]
    return fields[default] if default < len(fields) else ""


@dataclass
class Converted:
    deck: Deck
    extras: dict[str, dict[str, object]]  # the x- keys to keep, by question id
    warnings: list[str]
    labels: dict[str, str]  # question id -> where its note is ("FILE:LINE: note N")


def to_deck(parsed: Parsed, shown: str, deck_id: str | None, title: str | None, stem: str) -> Converted:
    """A flashcard deck (cloze where Anki had cloze notes), the x- keys to keep, and warnings."""
    candidates: list[tuple[int, Question]] = []
    extras: dict[str, dict[str, object]] = {}
    warnings: list[tuple[int, str]] = []
    ids: set[str] = set()
    for n, fields in enumerate(parsed.notes, 1):
        where = f"{shown}:{parsed.lines[n - 1]}: note {n}" if parsed.lines else f"{shown}: note {n}"
        front = _pick(fields, parsed.names, ("front", "text", "question"), 0)
        back = _pick(fields, parsed.names, ("back", "back extra", "extra", "answer"), 1)
        cloze = bool(ANKI_CLOZE.search(front))
        if not front.strip() or (not back.strip() and not cloze):
            warnings.append((n, f"{where}: skipped, its {'front' if not front.strip() else 'back'} is empty"))
            continue
        too_long = max(len(front), len(back))
        if too_long > MAX_TEXT:
            warnings.append((n, f"{where}: skipped, {too_long} characters is over the {MAX_TEXT} limit"))
            continue
        guid = parsed.guids[n - 1]
        words = ANKI_CLOZE.sub(lambda m: m.group(1), front)
        base = f"anki-{hashlib.sha1(guid.encode()).hexdigest()[:10]}" if guid else slug(words, 40) or f"note-{n}"
        qid = unique(base, ids)
        if cloze:
            text = ANKI_CLOZE.sub(lambda m: "{{" + m.group(1) + "}}", front)
            hints = tuple((m.group(2) or "").strip() for m in ANKI_CLOZE.finditer(front))
            q = Question(qid, QType.CLOZE, text=text, explanation=back, hints=hints if any(hints) else ())
        else:
            q = Question(qid, QType.FLASHCARD, question=front, answer=back)
        candidates.append((n, q))
    questions: list[Question] = []
    labels: dict[str, str] = {}  # question id -> "FILE:LINE: note N", for a note the validator refuses later
    for n, q in candidates:
        questions.append(q)
        labels[q.id] = f"{shown}:{parsed.lines[n - 1]}: note {n}" if parsed.lines else f"{shown}: note {n}"
        if parsed.tags[n - 1]:
            extras[q.id] = {"x-anki-tags": parsed.tags[n - 1]}
    if not questions:
        why = f" ({len(warnings)} skipped)" if warnings else ""
        raise LegquizError(f"{shown}: no notes to import{why}; export 'Notes in Plain Text' or a CSV of front,back")
    name = (parsed.deck or "").split("::")[-1].strip()
    did = deck_id or slug(name or stem) or "anki"
    if not deckmod.DECK_ID.fullmatch(did):
        raise LegquizError(f"--deck-id '{did}': use only lowercase letters, digits and '-'")
    d = Deck(id=did, title=title or name or stem.replace("-", " ").replace("_", " "), questions=tuple(questions))
    return Converted(d, extras, parsed.warnings + [w for _, w in sorted(warnings)], labels)


def load(path: Path, deck_id: str | None = None, title: str | None = None) -> Converted:
    """The deck in an Anki text export or CSV; a file with no usable note is a one-line error."""
    text = read(path)
    if not text.strip():
        raise LegquizError(f"{path}: the file is empty; no notes to import")
    parsed = parse(text, str(path), csv_default=path.suffix.lower() == ".csv")
    return to_deck(parsed, str(path), deck_id, title, shown_path(path.stem))  # a title: inert, one line


def install(home: Path, conv: Converted, header: str, state: StoreState, force: bool) -> tuple[Added, list[str]]:
    """Write the deck into the user's decks: checked once, by ``add_text`` as every deck is.

    A note the validator refuses is found then (by batches, :func:`problems_each`),
    left out with a warning naming its line, and the rest written: the notes
    are not each parsed alone beforehand, which made 10,000 notes take seconds.
    """
    d, warnings = conv.deck, list[str]()
    shown = str(userdecks.deck_path(home, d.id))
    for _ in range(2):
        text = deckwrite.dumps(d, header=header, extras=conv.extras, checked=False)
        try:
            return userdecks.add_text(home, text, shown, state, force=force), warnings
        except DeckErrors as e:
            issues = problems_each(d.questions)
            if not issues or len(issues) == len(d.questions):
                raise LegquizError(f"legquiz wrote an invalid deck (a bug): {e.errors[0]}") from None
            for k in sorted(issues):
                q = d.questions[k]
                warnings.append(f"{conv.labels.get(q.id, shown)}: skipped, {issues[k][0]}")
            d = replace(d, questions=tuple(q for k, q in enumerate(d.questions) if k not in issues))
    raise LegquizError(f"legquiz wrote an invalid deck (a bug): {shown}")

"""Read an Anki "Notes in Plain Text" export (or a CSV of front/back pairs) into a deck.

Anki writes a few header lines (``#separator:tab``, ``#html:true``,
``#columns:Front<TAB>Back``, ``#notetype column:1``, ``#tags column:3`` ...),
then one note per row, quoted like CSV where a field holds the separator, a
quote or a line break. Each note becomes a flashcard (a Cloze note, with
``{{c1::...}}`` in its text, becomes a cloze question); HTML is turned into
plain text with the standard library's parser.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from legquiz.core.model import Deck, QType, Question
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.limits import MAX_TEXT
from legquiz.deckfile.write import problems, slug, unique
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import decode_utf8, read_input
from legquiz.text import shown_path

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
SPECIAL_COLUMNS = ("guid", "notetype", "deck", "tags")
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


def html_to_text(html: str) -> str:
    """Plain text of an Anki field: tags dropped, entities decoded, <br> as a newline, media refs removed."""
    if "<" in html or "&" in html:  # else the parser would give the text back unchanged: skip it
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


def read(path: Path) -> str:
    shown = str(path)
    data = read_input(path, "an Anki export")
    if data[:4] == b"PK\x03\x04":
        raise LegquizError(f"{shown}: is a zip file (an .apkg?); export 'Notes in Plain Text' from Anki instead")
    if b"\x00" in data:
        raise LegquizError(f"{shown}: binary data (NUL byte), not a text export")
    return decode_utf8(data, shown)


def parse(text: str, shown: str, csv_default: bool = False) -> Parsed:
    """Split the header lines from the notes and each note into its fields."""
    headers: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    start = 0
    for line in lines:
        m = re.match(r"#([a-z ]+):(.*)$", line.rstrip("\r\n"))
        if not m:
            break
        headers[m.group(1).strip()] = m.group(2)
        start += 1
    body = "".join(lines[start:])
    sep = headers.get("separator")
    if sep is not None:
        sep = SEPARATORS.get(sep.strip().lower(), sep[:1] or "\t")
    elif csv_default:
        sep = ","
    else:
        first = next((ln for ln in body.splitlines() if ln.strip()), "")
        sep = "\t" if "\t" in first else ";" if ";" in first and "," not in first else ","
    html = headers.get("html", "").strip().lower()
    is_html = html == "true" or (html != "false" and bool(re.search(r"<[a-zA-Z/][^>]*>|&[#a-zA-Z0-9]+;", body)))
    special: dict[int, str] = {}
    for name in SPECIAL_COLUMNS:
        value = headers.get(f"{name} column")
        if value is not None and value.strip().isdigit():
            special[int(value) - 1] = name
    names = [c.strip() for c in headers["columns"].split(sep)] if "columns" in headers else []
    rows = list(csv.reader(io.StringIO(body), delimiter=sep, quotechar='"'))
    out = Parsed([], [n for i, n in enumerate(names) if i not in special], [], [], deck=headers.get("deck"))
    for n, row in enumerate(rows, start + 1):
        if not any(c.strip() for c in row):
            continue
        if not names and n == start + 1 and [c.strip().lower() for c in row[:2]] == ["front", "back"]:
            continue  # a CSV header row
        fields = [c for i, c in enumerate(row) if i not in special]
        fields = [html_to_text(f) for f in fields] if is_html else [f.strip() for f in fields]
        out.notes.append(fields)
        tag_col = next((i for i, k in special.items() if k == "tags"), None)
        guid_col = next((i for i, k in special.items() if k == "guid"), None)
        out.tags.append(row[tag_col].strip() if tag_col is not None and tag_col < len(row) else "")
        out.guids.append(row[guid_col] if guid_col is not None and guid_col < len(row) else "")
        deck_col = next((i for i, k in special.items() if k == "deck"), None)
        if out.deck is None and deck_col is not None and deck_col < len(row):
            out.deck = row[deck_col]  # the first note's deck names the whole import
    return out


def _pick(fields: list[str], names: list[str], wanted: tuple[str, ...], default: int) -> str:
    lowered = [n.lower() for n in names]
    for w in wanted:
        if w in lowered and lowered.index(w) < len(fields):
            return fields[lowered.index(w)]
    return fields[default] if default < len(fields) else ""


def to_deck(
    parsed: Parsed, shown: str, deck_id: str | None, title: str | None, stem: str
) -> tuple[Deck, dict[str, dict[str, object]], list[str]]:
    """A flashcard deck (cloze where Anki had cloze notes), the x- keys to keep, and warnings."""
    questions: list[Question] = []
    extras: dict[str, dict[str, object]] = {}
    warnings: list[str] = []
    ids: set[str] = set()
    for n, fields in enumerate(parsed.notes, 1):
        front = _pick(fields, parsed.names, ("front", "text", "question"), 0)
        back = _pick(fields, parsed.names, ("back", "back extra", "extra", "answer"), 1)
        cloze = bool(ANKI_CLOZE.search(front))
        if not front.strip() or (not back.strip() and not cloze):
            warnings.append(f"{shown}: note {n}: skipped, its {'front' if not front.strip() else 'back'} is empty")
            continue
        too_long = max(len(front), len(back))
        if too_long > MAX_TEXT:
            warnings.append(f"{shown}: note {n}: skipped, {too_long} characters is over the {MAX_TEXT} limit")
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
        issues = problems(q)
        if issues:
            warnings.append(f"{shown}: note {n}: skipped, {issues[0]}")
            ids.discard(qid)
            continue
        questions.append(q)
        if parsed.tags[n - 1]:
            extras[qid] = {"x-anki-tags": parsed.tags[n - 1]}
    if not questions:
        why = f" ({len(warnings)} skipped)" if warnings else ""
        raise LegquizError(f"{shown}: no notes to import{why}; export 'Notes in Plain Text' or a CSV of front,back")
    name = (parsed.deck or "").split("::")[-1].strip()
    did = deck_id or slug(name or stem) or "anki"
    if not deckmod.DECK_ID.fullmatch(did):
        raise LegquizError(f"--deck-id '{did}': use only lowercase letters, digits and '-'")
    d = Deck(id=did, title=title or name or stem.replace("-", " ").replace("_", " "), questions=tuple(questions))
    return d, extras, warnings


def load(
    path: Path, deck_id: str | None = None, title: str | None = None
) -> tuple[Deck, dict[str, dict[str, object]], list[str]]:
    """The deck in an Anki text export or CSV; a file with no usable note is a one-line error."""
    text = read(path)
    if not text.strip():
        raise LegquizError(f"{path}: the file is empty; no notes to import")
    parsed = parse(text, str(path), csv_default=path.suffix.lower() == ".csv")
    return to_deck(parsed, str(path), deck_id, title, shown_path(path.stem))  # a title: inert, one line

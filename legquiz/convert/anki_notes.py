"""Turn the notes and cards of an Anki collection into legquiz questions, one per card.

What a card asks is decided by its note type's card template, the way Anki
renders it: the fields its front names are the question, the fields only its
back adds are the answer, a ``{{type:Field}}`` makes it a typed question, and
a ``{{cloze:Field}}`` (cloze note types) makes one cloze question per cloze
number, the other deletions shown as plain text and ``::hints`` kept. So
Basic, Basic (and reversed card), Basic (optional reversed card), Basic (type
in the answer) and Cloze come out right, and so does most of what people
build from them; a template that names no field falls back to the note's
first two fields. Question ids come from the note's guid and the card's
ordinal, so they stay the same when the package is imported again.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from legquiz.convert.anki_import import html_to_text
from legquiz.convert.anki_package import Card, Collection, Note, NoteType
from legquiz.core.model import CLOZE_GAP, QType, Question
from legquiz.deckfile.limits import MAX_TEXT

FIELD_REF = re.compile(r"\{\{([#^/]?)\s*([^{}]*?)\s*\}\}")
SPECIAL = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}
SUSPENDED = -1  # Anki's queue for a suspended card (buried cards, -2 and -3, are imported: burying lasts a day)
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)


@dataclass(frozen=True)
class Imported:
    """One card as a question, with what the deck file and the progress import need besides."""

    question: Question
    card: Card
    deck: str  # the Anki deck's name ('Legs::Muscles')
    tags: str


@dataclass
class Converted:
    items: list[Imported] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # why -> how many cards


def question_id(guid: str, ord_: int) -> str:
    """``anki-`` + 10 hex digits of the guid's SHA-1 (the text import's id for the note), ``-N`` for card N > 1."""
    base = f"anki-{hashlib.sha1(guid.encode()).hexdigest()[:10]}"
    return base if ord_ == 0 else f"{base}-{ord_ + 1}"


@functools.lru_cache(maxsize=256)
def _refs(fmt: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The fields a template shows, in order: (name, filters); section markers and special names left out."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for m in FIELD_REF.finditer(fmt):
        if m.group(1):
            continue  # {{#Field}} ... {{/Field}}: shown only if not empty, says nothing about what is asked
        *filters, name = m.group(2).split(":")
        name = name.strip()
        if name and name not in SPECIAL and (name, tuple(filters)) not in out:
            out.append((name, tuple(f.strip() for f in filters)))
    return tuple(out)


def _value(note: Note, nt: NoteType, name: str) -> str:
    try:
        return html_to_text(note.fields[nt.fields.index(name)])
    except (ValueError, IndexError):
        return ""


def convert(col: Collection) -> Converted:
    """Every card of ``col`` that makes a question, and a count of the others by reason."""
    out = Converted()
    for card in col.cards:
        note = col.notes.get(card.nid)
        nt = col.notetypes.get(note.mid) if note else None
        if note is None or nt is None:
            out.skipped["its note or note type is missing from the package"] += 1
            continue
        if card.queue == SUSPENDED:
            out.skipped["suspended in Anki (unsuspend it there to bring it along)"] += 1
            continue
        deck = col.decks.get(card.odid or card.did) or col.decks.get(card.did) or "Default"
        try:
            q = _cloze(note, nt, card) if nt.cloze else _basic(note, nt, card)
        except _Skip as why:
            out.skipped[str(why)] += 1
            continue
        too_long = max(len(q.question), len(str(q.answer)), len(q.text), len(q.explanation))
        if too_long > MAX_TEXT:
            out.skipped[f"a text is over the {MAX_TEXT}-character limit"] += 1
            continue
        out.items.append(Imported(q, card, deck, note.tags))
    return out


class _Skip(Exception):
    """A card that makes no question; the message says why (counted, not shown per card)."""


def _basic(note: Note, nt: NoteType, card: Card) -> Question:
    if card.ord >= len(nt.templates):
        raise _Skip(f"note type '{nt.name}': no template for the card")
    qfmt, afmt = nt.templates[card.ord]
    front_refs = _refs(qfmt)
    front_names = {name for name, _ in front_refs}
    typed = next((name for name, filters in [*front_refs, *_refs(afmt)] if "type" in filters), None)
    front = [_value(note, nt, n) for n, f in front_refs if "type" not in f]
    back = [_value(note, nt, n) for n, f in _refs(afmt) if n not in front_names and n != typed]
    question, answer = "\n".join(t for t in front if t), "\n".join(t for t in back if t)
    qid = question_id(note.guid, card.ord)
    if typed is not None:
        expected = _value(note, nt, typed)
        if not question or not expected:
            raise _Skip("a typed-answer card with an empty question or answer (only media or markup)")
        return Question(qid, QType.TYPED, question=question, answer=expected, explanation=answer)
    if not front_refs and len(note.fields) >= 2:  # a template legquiz cannot read: the first two fields
        question, answer = _value(note, nt, nt.fields[0]), _value(note, nt, nt.fields[1])
    if not question:
        raise _Skip("its front is empty (only media or markup)")
    if not answer:
        raise _Skip("its back is empty (only media or markup)")
    return Question(qid, QType.FLASHCARD, question=question, answer=answer)


def _cloze(note: Note, nt: NoteType, card: Card) -> Question:
    qfmt, afmt = nt.templates[0] if nt.templates else ("", "")
    source = next((n for n, f in _refs(qfmt) if "cloze" in f), nt.fields[0] if nt.fields else "")
    text = _value(note, nt, source)
    if "image-occlusion:" in text:
        raise _Skip("image occlusion (the question is a picture)")
    number = card.ord + 1
    if not any(int(m.group(1)) == number for m in CLOZE.finditer(text)):
        raise _Skip("its cloze number is not in the text any more")
    hints: list[str] = []

    def gap(m: re.Match[str]) -> str:
        answer = m.group(2).strip()
        if int(m.group(1)) != number:
            return answer
        hints.append((m.group(3) or "").strip())
        return "{{" + answer.replace("{", "(").replace("}", ")") + "}}"

    body = CLOZE.sub(gap, text)
    if "{{" in CLOZE_GAP.sub("", body) or "}}" in CLOZE_GAP.sub("", body):
        raise _Skip("a cloze text with '{{' or '}}' of its own (not a deletion)")
    if not all(g.strip("{}() ") for g in re.findall(r"\{\{.*?\}\}", body)):
        raise _Skip("a cloze deletion is empty (only media or markup)")
    extra = [_value(note, nt, n) for n, f in _refs(afmt) if n != source and "cloze" not in f]
    explanation = "\n".join(t for t in extra if t)
    qid = question_id(note.guid, card.ord)
    return Question(qid, QType.CLOZE, text=body, explanation=explanation, hints=tuple(hints) if any(hints) else ())

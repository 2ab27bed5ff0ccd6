"""Write a Deck as a deck YAML file that ``legquiz deck validate`` accepts.

Shared by ``deck new``, ``generate`` and ``import anki``: each builds Question
values and leaves the YAML (quoting, key order, layout) to this module. Every
text is checked by loading it back through the real validator before it is
returned, so a writer bug shows up as an error, never as a broken deck file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from legquiz.core.model import Deck, QType, Question
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.read import compose
from legquiz.errors import DeckErrors, LegquizError

_ORDER = (
    "id", "type", "question", "text", "choices", "answer", "aliases", "hints", "explanation", "source", "sources",
    "article",
)  # fmt: skip


def slug(text: str, limit: int = 48, allow_upper: bool = False) -> str:
    """A short id made of the words of ``text`` ('Leg presses!' -> 'leg-presses')."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if not allow_upper:
        ascii_ = ascii_.lower()
    words = re.findall(r"[A-Za-z0-9]+", ascii_)
    out = ""
    for w in words:
        nxt = f"{out}-{w}" if out else w
        if len(nxt) > limit:
            break
        out = nxt
    return out or (words[0][:limit] if words else "")


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... whichever is not in ``taken`` (which is updated)."""
    name, n = base, 2
    while name in taken:
        name = f"{base}-{n}"
        n += 1
    taken.add(name)
    return name


def question_dict(q: Question, extra: Mapping[str, object] | None = None) -> dict[str, object]:
    """The mapping the deck format expects for one question (only the keys its type uses)."""
    allowed = set(deckmod.COMMON_KEYS) | set(deckmod.TYPE_KEYS[q.type])
    values: dict[str, object] = {
        "id": q.id,
        "type": q.type.value,
        "question": q.question,
        "text": q.text,
        "choices": list(q.choices),
        "answer": q.answer if q.type is QType.TRUE_FALSE else str(q.answer),
        "aliases": list(q.aliases),
        "hints": list(q.hints) if any(q.hints) else [],
        "explanation": q.explanation,
        "source": q.source,
        "sources": [{"article": name, "text": text} if name else {"text": text} for name, text in q.sources],
        "article": q.article,
    }
    out: dict[str, object] = {}
    for key in _ORDER:
        value = values[key]
        if key not in allowed or value is None or value == "" or value == []:
            continue
        out[key] = value
    for key, value in (extra or {}).items():
        if not key.startswith("x-"):
            raise ValueError(f"extra key {key!r} must start with 'x-'")
        out[key] = value
    return out


@functools.cache
def _dumper() -> Any:
    """libyaml's emitter when PyYAML has it (five times faster: a 10,000-question import spends most of its
    time here), else the pure-Python one; either way the text is loaded back and checked (:func:`check`)."""
    import yaml

    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc]
        """Multi-line text as literal blocks, everything else as PyYAML quotes it."""

    def text(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value.strip("\n") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def _dump(value: object) -> str:
    import yaml

    return str(yaml.dump(value, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=10**6, indent=2))


def dumps(
    d: Deck,
    header: str = "",
    description: str | None = None,
    extras: Mapping[str, Mapping[str, object]] | None = None,
    checked: bool = True,
) -> str:
    """The YAML text of ``d`` (checked by the validator; raises LegquizError if it would be invalid).

    ``header`` becomes ``#`` comment lines at the top; ``extras`` maps a
    question id to extra ``x-`` keys for that question (``x-draft: true``).
    """
    top: dict[str, object] = {"format": deckmod.FORMAT, "id": d.id, "title": d.title}
    if d.article:
        top["article"] = d.article
    if description:
        top["description"] = description
    for key, value in d.extra.items():
        if key.startswith("x-"):
            top[key] = value
    parts = [f"# {line}".rstrip() for line in header.splitlines()]
    parts.append(_dump(top).rstrip("\n"))
    parts.append("questions:")
    # one dump for every question (a call per question cost a third more), then a blank line between them:
    # only an item's first line starts with "- " at the margin; all else in it, block text too, is indented
    items = _dump([question_dict(q, (extras or {}).get(q.id)) for q in d.questions]) if d.questions else ""
    first = True
    for line in items.rstrip("\n").split("\n") if items else ():
        if line.startswith("- ") and not first:
            parts.append("")
        first = False
        parts.append(f"  {line}" if line else line)
    text = "\n".join(parts) + "\n"
    if checked:  # False only for a caller that validates the text itself next (userdecks.add_text)
        check(text)
    return text


def problems(q: Question) -> list[str]:
    """What the validator says of one question, as 'field: message' lines (empty if it is valid)."""
    text = _render_one(q)
    try:
        deckmod.build(compose(text, "-"), "-")
    except DeckErrors as e:
        return [f"{err.field.removeprefix('questions[0].')}: {err.detail}" for err in e.errors]
    return []


def problems_each(questions: Sequence[Question], batch: int = 250) -> dict[int, list[str]]:
    """What the validator says of each question, by index (valid ones left out), as :func:`problems` words it.

    Questions are checked in batches, one parse each, instead of one parse per
    question (10,000 imported notes spent 5 s there); a batch with a problem
    the index cannot be read from, or with so many that the validator stopped
    counting, is checked again one question at a time.
    """
    out: dict[int, list[str]] = {}
    for lo in range(0, len(questions), batch):
        part = questions[lo : lo + batch]
        top = {"format": deckmod.FORMAT, "id": "x", "title": "x", "questions": [question_dict(q) for q in part]}
        try:
            deckmod.build(compose(_dump(top), "-"), "-")
            continue
        except DeckErrors as e:
            found = [(_AT.match(err.field), err.detail) for err in e.errors]
        if len(found) >= deckmod.MAX_ERRORS or any(m is None for m, _ in found):
            for k, q in enumerate(part):
                if issues := problems(q):
                    out[lo + k] = issues
            continue
        for m, detail in found:
            assert m is not None
            out.setdefault(lo + int(m.group(1)), []).append(f"{m.group(2) or 'question'}: {detail}")
    return out


_AT = re.compile(r"questions\[(\d+)\]\.?(.*)", re.S)


def _render_one(q: Question) -> str:
    top = {"format": deckmod.FORMAT, "id": "x", "title": "x", "questions": [question_dict(q)]}
    return _dump(top)


def check(text: str, shown: str = "<new deck>") -> Deck:
    """Load ``text`` through the real validator; a problem is reported as a LegquizError."""
    try:
        return deckmod.build(compose(text, shown), shown)
    except DeckErrors as e:
        raise LegquizError(f"legquiz wrote an invalid deck (a bug): {e.errors[0]}") from None
    except LegquizError as e:
        raise LegquizError(f"legquiz wrote an invalid deck (a bug): {e}") from None

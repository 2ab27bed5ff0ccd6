"""Validate YAML decks, with errors that name file, line and field.

Decks are parsed with PyYAML's *safe* composer only (see legquiz.deckfile):
we never construct Python objects from tags, and we build the deck from the
node tree ourselves so every problem can point at the line of the offending
node. Every problem in a file is collected, not just the first.
The format is documented in docs/deck-format.md.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from legquiz.core.model import CLOZE_GAP, Deck, QType, Question
from legquiz.deckfile.articles import ArticleIndex
from legquiz.deckfile.limits import MAX_ALIASES, MAX_CHOICES, MAX_QUESTIONS, MAX_SOURCES, MAX_TEXT
from legquiz.deckfile.nodes import BOOL_TAG, STR_TAG, hint_list
from legquiz.deckfile.nodes import Ctx as _Ctx
from legquiz.deckfile.nodes import join as _join
from legquiz.deckfile.nodes import kind as _kind
from legquiz.deckfile.nodes import mapping as _mapping
from legquiz.deckfile.nodes import text as _text
from legquiz.deckfile.nodes import text_list as _text_list
from legquiz.deckfile.nodes import unknown as _unknown
from legquiz.deckfile.read import compose, read_text
from legquiz.errors import DeckError, DeckErrors
from legquiz.text import counted

FORMAT = 1
MAX_ERRORS = 100  # problems reported per file before checking stops

DECK_ID = re.compile(r"[a-z0-9-]+")
QUESTION_ID = re.compile(r"[A-Za-z0-9_.-]+")
TOP_KEYS = ("format", "id", "title", "article", "description", "questions")
COMMON_KEYS = ("id", "type", "explanation", "source", "sources", "article")
SOURCE_KEYS = ("article", "text")
TYPE_KEYS: dict[QType, tuple[str, ...]] = {
    QType.MULTIPLE_CHOICE: ("question", "choices", "answer"),
    QType.TRUE_FALSE: ("question", "answer"),
    QType.TYPED: ("question", "answer", "aliases"),
    QType.FLASHCARD: ("question", "answer"),
    QType.CLOZE: ("text", "aliases", "hints"),
}
ALL_QUESTION_KEYS = sorted({k for ks in TYPE_KEYS.values() for k in ks} | set(COMMON_KEYS))


def _question(ctx: _Ctx, node: Any, field: str) -> Question | None:
    m = _mapping(ctx, node, field)
    if m is None:
        return None
    before = len(ctx.errors)
    qtype: QType | None = None
    if "type" not in m:
        ctx.err(node, _join(field, "type"), f"required (one of {', '.join(t.value for t in QType)})")
    else:
        raw = _text(ctx, m["type"][1], _join(field, "type"))
        if raw is not None:
            try:
                qtype = QType(raw)
            except ValueError:
                near = difflib.get_close_matches(raw, [t.value for t in QType], n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                ctx.err(
                    m["type"][1],
                    _join(field, "type"),
                    f"unknown type '{raw}'; {hint}use one of {', '.join(t.value for t in QType)}",
                )
    values: dict[str, Any] = {}
    allowed = COMMON_KEYS + (TYPE_KEYS[qtype] if qtype else tuple(ALL_QUESTION_KEYS))
    for key, (knode, vnode) in m.items():
        if key.startswith("x-") or key == "type":
            continue
        f = _join(field, key)
        if key not in allowed:
            why = ""
            if qtype and key in ALL_QUESTION_KEYS:
                owners = [t.value for t, ks in TYPE_KEYS.items() if key in ks]
                why = f"not used by {qtype.value} questions (only by {', '.join(owners)})"
            _unknown(ctx, knode, field, key, allowed, why)
            continue
        if key == "id":
            qid = _text(ctx, vnode, f)
            if qid is not None and not QUESTION_ID.fullmatch(qid):
                ctx.err(vnode, f, "may only contain letters, digits, '-', '_' and '.'")
            values[key] = qid
        elif key == "choices":
            values[key] = _text_list(ctx, vnode, f, MAX_CHOICES, 2)
        elif key == "hints":
            values[key] = hint_list(ctx, vnode, f)
        elif key == "aliases":
            values[key] = _text_list(ctx, vnode, f, MAX_ALIASES, 0)
        elif key == "sources":
            values[key] = _sources(ctx, vnode, f)
        elif key == "answer" and qtype is QType.TRUE_FALSE:
            if ctx.visit(vnode, f):
                if vnode.tag != BOOL_TAG:
                    ctx.err(vnode, f, f"must be true or false, not {_kind(vnode)}")
                else:
                    values[key] = vnode.value.lower() in ("true", "yes", "on")
        else:
            values[key] = _text(ctx, vnode, f, allow_numbers=key == "answer")
    if "id" not in m:
        ctx.err(node, _join(field, "id"), "required")
    if qtype is not None:
        for key in TYPE_KEYS[qtype]:
            if key not in m and key not in ("aliases", "hints"):
                ctx.err(node, _join(field, key), f"required for {qtype.value} questions")
    if qtype is QType.MULTIPLE_CHOICE and values.get("choices") and values.get("answer") is not None:
        choices = values["choices"]
        if values["answer"] not in choices:
            ctx.err(m["answer"][1], _join(field, "answer"), "must be one of the choices")
        dup = [c for i, c in enumerate(choices) if c in choices[:i]]
        if dup:
            ctx.err(m["choices"][1], _join(field, "choices"), f"'{dup[0]}' is listed twice")
    if qtype is QType.CLOZE and values.get("text"):
        text = values["text"]
        gaps = [g.strip() for g in CLOZE_GAP.findall(text)]
        if not gaps:
            ctx.err(m["text"][1], _join(field, "text"), "needs at least one {{hidden part}} in double braces")
        elif not all(gaps):
            ctx.err(m["text"][1], _join(field, "text"), "has an empty {{ }} gap")
        elif "{{" in CLOZE_GAP.sub("", text) or "}}" in CLOZE_GAP.sub("", text):
            ctx.err(m["text"][1], _join(field, "text"), "has an unmatched '{{' or '}}'")
        elif len(gaps) > 1 and values.get("aliases"):
            ctx.err(m["aliases"][1], _join(field, "aliases"), "only allowed on a cloze with a single {{gap}}")
        elif values.get("hints") is not None and len(values["hints"]) != len(gaps):
            n = len(values["hints"])
            ctx.err(
                m["hints"][1],
                _join(field, "hints"),
                f"has {counted(n, 'entry', 'entries')} for {counted(len(gaps), '{{gap}}', '{{gaps}}')}:"
                " give one per gap",
            )
    if len(ctx.errors) > before or qtype is None:
        return None
    return Question(
        id=values["id"],
        type=qtype,
        question=values.get("question") or "",
        answer=values.get("answer", ""),
        choices=tuple(values.get("choices") or ()),
        aliases=tuple(values.get("aliases") or ()),
        text=values.get("text") or "",
        explanation=values.get("explanation") or "",
        source=values.get("source") or "",
        article=values.get("article"),
        sources=values.get("sources") or (),
        line=node.start_mark.line + 1,
        hints=tuple(values.get("hints") or ()),
    )


def _sources(ctx: _Ctx, node: Any, field: str) -> tuple[tuple[str, str], ...] | None:
    """``sources``: a list of {article, text}; an item without ``article`` quotes the question's article."""
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:seq" or not 1 <= len(node.value) <= MAX_SOURCES:
        what = f"{len(node.value)} entries" if node.tag == "tag:yaml.org,2002:seq" else _kind(node)
        ctx.err(node, field, f"must be a list of 1 to {MAX_SOURCES} {{article, text}} mappings, not {what}")
        return None
    out: list[tuple[str, str]] = []
    for i, item in enumerate(node.value):
        f = f"{field}[{i}]"
        m = _mapping(ctx, item, f)
        if m is None:
            continue
        for key, (knode, _v) in m.items():
            if key not in SOURCE_KEYS and not key.startswith("x-"):
                _unknown(ctx, knode, f, key, SOURCE_KEYS)
        if "text" not in m:
            ctx.err(item, _join(f, "text"), "required (the sentence quoted, copied exactly from the article)")
            continue
        text = _text(ctx, m["text"][1], _join(f, "text"))
        name = _text(ctx, m["article"][1], _join(f, "article")) if "article" in m else ""
        if text is not None and name is not None:
            out.append((name, text))
    return tuple(out) if len(out) == len(node.value) else None


def build(root: Any, shown: str, origin: str = "user") -> Deck:
    """A Deck from a composed YAML tree, or DeckErrors listing every problem."""
    ctx = _Ctx(shown, [], set(), MAX_TEXT)
    m = _mapping(ctx, root, "deck", prefix="")
    if m is None:
        raise DeckErrors(ctx.errors)
    for key, (knode, _v) in m.items():
        if key not in TOP_KEYS and not key.startswith("x-"):
            _unknown(ctx, knode, "", key, TOP_KEYS)
    for key in ("format", "id", "title", "questions"):
        if key not in m:
            ctx.err(root, key, "required")
    if "format" in m:
        vnode = m["format"][1]
        if ctx.visit(vnode, "format"):
            if vnode.tag != "tag:yaml.org,2002:int":
                ctx.err(vnode, "format", f"must be the number {FORMAT}, not {_kind(vnode)}")
            elif int(vnode.value) != FORMAT:
                ctx.err(
                    vnode,
                    "format",
                    f"version {vnode.value} is not supported (this legquiz reads format {FORMAT}; a newer legquiz may read it)",
                )
    deck_id = _text(ctx, m["id"][1], "id") if "id" in m else None
    if deck_id is not None and not DECK_ID.fullmatch(deck_id):
        ctx.err(m["id"][1], "id", "may only contain lowercase letters, digits and '-'")
        deck_id = None
    title = _text(ctx, m["title"][1], "title") if "title" in m else None
    article = _text(ctx, m["article"][1], "article") if "article" in m else None
    if "description" in m:
        _text(ctx, m["description"][1], "description")
    questions: list[Question] = []
    if "questions" in m:
        qnode = m["questions"][1]
        if ctx.visit(qnode, "questions"):
            if qnode.tag != "tag:yaml.org,2002:seq":
                ctx.err(qnode, "questions", f"must be a list of questions, not {_kind(qnode)}")
            elif not qnode.value:
                ctx.err(qnode, "questions", "must have at least one question")
            elif len(qnode.value) > MAX_QUESTIONS:
                ctx.err(qnode, "questions", f"has {len(qnode.value)} questions; the limit is {MAX_QUESTIONS}")
            else:
                first_line: dict[str, int] = {}
                for i, item in enumerate(qnode.value):
                    if len(ctx.errors) >= MAX_ERRORS:  # a broken 20,000-question deck: report, don't grind
                        ctx.err(item, f"questions[{i}]", f"not checked: stopped after {MAX_ERRORS} problems")
                        break
                    aliased = id(item) in ctx.seen
                    q = _question(ctx, item, f"questions[{i}]")
                    idnode = None if aliased else _id_node(item)  # checked even when the question has other problems
                    if idnode is not None and idnode.value.strip():
                        line = idnode.start_mark.line + 1
                        if idnode.value in first_line:
                            ctx.err(
                                idnode,
                                f"questions[{i}].id",
                                f"duplicate id '{idnode.value}' (first used on line {first_line[idnode.value]})",
                            )
                            continue
                        first_line[idnode.value] = line
                    if q is not None:
                        questions.append(q)
    if ctx.errors:
        ctx.errors.sort(key=lambda e: e.line)
        raise DeckErrors(ctx.errors)
    assert deck_id is not None and title is not None
    return Deck(id=deck_id, title=title, questions=tuple(questions), path=shown, article=article, origin=origin)


def _id_node(item: Any) -> Any:
    """The text node of a question's ``id``, if it has one (first one, if repeated)."""
    if item.tag != "tag:yaml.org,2002:map":
        return None
    for k, v in item.value:
        if k.tag == STR_TAG and k.value == "id":
            return v if v.tag == STR_TAG else None
    return None


def load(
    path: str | Path, origin: str = "user", shown: str | None = None, articles: ArticleIndex | None = None
) -> Deck:
    """Read, parse and validate one deck file; raise DeckErrors on any problem.

    With ``articles`` (``deck validate``), also check that every article named
    exists and every source is copied exactly from its article.
    """
    p = Path(path)
    label = shown if shown is not None else str(path)
    try:
        root = compose(read_text(p, label), label)
    except DeckError as e:
        raise DeckErrors([e]) from None
    d = build(root, label, origin)
    if articles is not None:
        from legquiz.deckfile import sources

        problems = sources.check(d, root, label, str(p), articles)
        if problems:
            raise DeckErrors(problems)
    return d

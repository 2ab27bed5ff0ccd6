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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legquiz.core.model import CLOZE_GAP, Deck, QType, Question
from legquiz.deckfile.limits import MAX_ALIASES, MAX_CHOICES, MAX_QUESTIONS, MAX_TEXT
from legquiz.deckfile.read import compose, read_text
from legquiz.errors import DeckError, DeckErrors

FORMAT = 1
MAX_ERRORS = 100  # problems reported per file before checking stops

DECK_ID = re.compile(r"[a-z0-9-]+")
QUESTION_ID = re.compile(r"[A-Za-z0-9_.-]+")
TOP_KEYS = ("format", "id", "title", "article", "description", "questions")
COMMON_KEYS = ("id", "type", "explanation", "source", "article")
TYPE_KEYS: dict[QType, tuple[str, ...]] = {
    QType.MULTIPLE_CHOICE: ("question", "choices", "answer"),
    QType.TRUE_FALSE: ("question", "answer"),
    QType.TYPED: ("question", "answer", "aliases"),
    QType.FLASHCARD: ("question", "answer"),
    QType.CLOZE: ("text", "aliases", "hints"),
}
ALL_QUESTION_KEYS = sorted({k for ks in TYPE_KEYS.values() for k in ks} | set(COMMON_KEYS))

STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
DATE_TAG = "tag:yaml.org,2002:timestamp"
AS_WRITTEN_TAGS = (*NUMBER_TAGS, DATE_TAG)  # plain scalars an answer may be, kept as written
STANDARD_TAGS = {
    STR_TAG, BOOL_TAG, NULL_TAG, DATE_TAG, *NUMBER_TAGS,
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}  # fmt: skip


@dataclass
class _Ctx:
    shown: str
    errors: list[DeckError]
    seen: set[int]

    def err(self, node: Any, field: str, msg: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.errors.append(DeckError(self.shown, line, field, msg))

    def visit(self, node: Any, field: str) -> bool:
        """Refuse aliases (they are how 'billion laughs' bombs expand) and odd tags."""
        if id(node) in self.seen:
            self.err(
                node,
                field,
                "reuses the value on this line through a YAML alias (*name); aliases are not supported in decks",
            )
            return False
        self.seen.add(id(node))
        if node.tag not in STANDARD_TAGS:
            self.err(
                node, field, f"tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed (decks are plain data)"
            )
            return False
        return True


def _kind(node: Any) -> str:
    if node.tag == "tag:yaml.org,2002:map":
        return "a mapping"
    if node.tag == "tag:yaml.org,2002:seq":
        return "a list"
    if node.tag == NULL_TAG:
        return "empty"
    if node.tag == BOOL_TAG:
        return "a boolean"
    if node.tag in NUMBER_TAGS:
        return "a number"
    if node.tag == DATE_TAG:
        return "a date"
    return "text"


def _mapping(ctx: _Ctx, node: Any, field: str, prefix: str | None = None) -> dict[str, tuple[Any, Any]] | None:
    """Keys to (key node, value node); duplicate and non-text keys are errors.

    ``prefix`` names the keys' fields (the top level's keys are plain ``title``, not ``deck.title``).
    """
    prefix = field if prefix is None else prefix
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:map":
        ctx.err(node, field, f"must be a mapping of keys to values, not {_kind(node)}")
        return None
    out: dict[str, tuple[Any, Any]] = {}
    for knode, vnode in node.value:
        if knode.tag == "tag:yaml.org,2002:merge":
            ctx.err(knode, field, "merge keys (<<) are not supported in decks; write the keys out")
            continue
        if knode.tag != STR_TAG and knode.tag not in NUMBER_TAGS:
            ctx.err(knode, field, f"keys must be text, not {_kind(knode)}")
            continue
        key = knode.value
        if key in out:
            first = out[key][0].start_mark.line + 1
            ctx.err(knode, _join(prefix, key), f"duplicate key (first on line {first})")
            continue
        out[key] = (knode, vnode)
        if key.startswith("x-"):
            _inert(ctx, vnode, _join(prefix, key))
    return out


def _inert(ctx: _Ctx, node: Any, field: str) -> None:
    """An ``x-`` value is not read, but it still may not hold tags or aliases (iterative: no depth limit)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if not ctx.visit(n, field):
            continue
        if n.tag == "tag:yaml.org,2002:map":
            stack.extend(x for pair in n.value for x in pair)
        elif n.tag == "tag:yaml.org,2002:seq":
            stack.extend(n.value)


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _text(ctx: _Ctx, node: Any, field: str, *, allow_numbers: bool = False) -> str | None:
    if not ctx.visit(node, field):
        return None
    ok = node.tag == STR_TAG or (allow_numbers and node.tag in AS_WRITTEN_TAGS)
    if not ok:
        ctx.err(
            node,
            field,
            f"must be text, not {_kind(node)}"
            + (" (put it in quotes)" if node.tag in (BOOL_TAG, *AS_WRITTEN_TAGS) else ""),
        )
        return None
    value = str(node.value)
    if not value.strip():
        ctx.err(node, field, "must not be empty")
        return None
    if len(value) > MAX_TEXT:
        ctx.err(node, field, f"is {len(value)} characters long; the limit is {MAX_TEXT}")
        return None
    return value


def _text_list(ctx: _Ctx, node: Any, field: str, limit: int, min_len: int) -> list[str] | None:
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:seq":
        ctx.err(node, field, f"must be a list, not {_kind(node)}")
        return None
    if len(node.value) < min_len:
        ctx.err(node, field, "must not be empty" if min_len == 1 else f"needs at least {min_len} entries")
        return None
    if len(node.value) > limit:
        ctx.err(node, field, f"has {len(node.value)} entries; the limit is {limit}")
        return None
    out: list[str] = []
    for i, item in enumerate(node.value):
        value = _text(ctx, item, f"{field}[{i}]", allow_numbers=True)
        if value is not None:
            out.append(value)
    return out if len(out) == len(node.value) else None


def _hint_list(ctx: _Ctx, node: Any, field: str) -> list[str] | None:
    """A cloze's ``hints``: one text per gap, ``""`` for a gap without a hint."""
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:seq":
        ctx.err(node, field, f"must be a list, not {_kind(node)}")
        return None
    out: list[str] = []
    for i, item in enumerate(node.value):
        if item.tag == STR_TAG and item.value == "" and ctx.visit(item, f"{field}[{i}]"):
            out.append("")
            continue
        value = _text(ctx, item, f"{field}[{i}]", allow_numbers=True)
        if value is not None:
            out.append(value)
    return out if len(out) == len(node.value) else None


def _unknown(ctx: _Ctx, knode: Any, field: str, key: str, allowed: tuple[str, ...] | list[str], why: str = "") -> None:
    if why:
        ctx.err(knode, _join(field, key), why)
        return
    near = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else " (custom keys must start with 'x-')"
    ctx.err(knode, _join(field, key), f"unknown key{hint}")


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
        elif key == "aliases":
            values[key] = _text_list(ctx, vnode, f, MAX_ALIASES, 0)
        elif key == "hints":
            values[key] = _hint_list(ctx, vnode, f)
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
                m["hints"][1], _join(field, "hints"), f"has {n} entries for {len(gaps)} {{{{gaps}}}}: give one per gap"
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
        line=node.start_mark.line + 1,
        hints=tuple(values.get("hints") or ()),
    )


def build(root: Any, shown: str, origin: str = "user") -> Deck:
    """A Deck from a composed YAML tree, or DeckErrors listing every problem."""
    ctx = _Ctx(shown, [], set())
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


def load(path: str | Path, origin: str = "user", shown: str | None = None) -> Deck:
    """Read, parse and validate one deck file; raise DeckErrors on any problem."""
    p = Path(path)
    label = shown if shown is not None else str(path)
    try:
        root = compose(read_text(p, label), label)
    except DeckError as e:
        raise DeckErrors([e]) from None
    return build(root, label, origin)

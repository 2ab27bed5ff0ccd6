"""Reading composed YAML nodes for the deck validator: tags, kinds, text values, and the list of problems.

Split from validate.py (which keeps the deck format's rules) so each stays
small; every helper records a problem on the node's line instead of raising,
so one pass reports every problem in a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from legquiz.deckfile.limits import MAX_TEXT
from legquiz.errors import DeckError

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
class Ctx:
    shown: str
    errors: list[DeckError]
    seen: set[int]
    max_text: int = MAX_TEXT  # the validator passes its own (tests lower it)

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


def kind(node: Any) -> str:
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


def mapping(ctx: Ctx, node: Any, field: str, prefix: str | None = None) -> dict[str, tuple[Any, Any]] | None:
    """Keys to (key node, value node); duplicate and non-text keys are errors.

    ``prefix`` names the keys' fields (the top level's keys are plain ``title``, not ``deck.title``).
    """
    prefix = field if prefix is None else prefix
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:map":
        ctx.err(node, field, f"must be a mapping of keys to values, not {kind(node)}")
        return None
    out: dict[str, tuple[Any, Any]] = {}
    for knode, vnode in node.value:
        if knode.tag == "tag:yaml.org,2002:merge":
            ctx.err(knode, field, "merge keys (<<) are not supported in decks; write the keys out")
            continue
        if knode.tag != STR_TAG and knode.tag not in NUMBER_TAGS:
            ctx.err(knode, field, f"keys must be text, not {kind(knode)}")
            continue
        key = knode.value
        if key in out:
            first = out[key][0].start_mark.line + 1
            ctx.err(knode, join(prefix, key), f"duplicate key (first on line {first})")
            continue
        out[key] = (knode, vnode)
        if key.startswith("x-"):
            inert(ctx, vnode, join(prefix, key))
    return out


def inert(ctx: Ctx, node: Any, field: str) -> None:
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


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def text(ctx: Ctx, node: Any, field: str, *, allow_numbers: bool = False) -> str | None:
    if not ctx.visit(node, field):
        return None
    ok = node.tag == STR_TAG or (allow_numbers and node.tag in AS_WRITTEN_TAGS)
    if not ok:
        ctx.err(
            node,
            field,
            f"must be text, not {kind(node)}"
            + (" (put it in quotes)" if node.tag in (BOOL_TAG, *AS_WRITTEN_TAGS) else ""),
        )
        return None
    value = str(node.value)
    if not value.strip():
        ctx.err(node, field, "must not be empty")
        return None
    if len(value) > ctx.max_text:
        ctx.err(node, field, f"is {len(value)} characters long; the limit is {ctx.max_text}")
        return None
    return value


def text_list(ctx: Ctx, node: Any, field: str, limit: int, min_len: int) -> list[str] | None:
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:seq":
        ctx.err(node, field, f"must be a list, not {kind(node)}")
        return None
    if len(node.value) < min_len:
        ctx.err(node, field, "must not be empty" if min_len == 1 else f"needs at least {min_len} entries")
        return None
    if len(node.value) > limit:
        ctx.err(node, field, f"has {len(node.value)} entries; the limit is {limit}")
        return None
    out: list[str] = []
    for i, item in enumerate(node.value):
        value = text(ctx, item, f"{field}[{i}]", allow_numbers=True)
        if value is not None:
            out.append(value)
    return out if len(out) == len(node.value) else None


def unknown(ctx: Ctx, knode: Any, field: str, key: str, allowed: tuple[str, ...] | list[str], why: str = "") -> None:
    if why:
        ctx.err(knode, join(field, key), why)
        return
    near = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else " (custom keys must start with 'x-')"
    ctx.err(knode, join(field, key), f"unknown key{hint}")


def hint_list(ctx: Ctx, node: Any, field: str) -> list[str] | None:
    """A cloze's ``hints``: one text per gap, ``""`` for a gap without a hint."""
    if not ctx.visit(node, field):
        return None
    if node.tag != "tag:yaml.org,2002:seq":
        ctx.err(node, field, f"must be a list, not {kind(node)}")
        return None
    out: list[str] = []
    for i, item in enumerate(node.value):
        if item.tag == STR_TAG and item.value == "" and ctx.visit(item, f"{field}[{i}]"):
            out.append("")
            continue
        value = text(ctx, item, f"{field}[{i}]", allow_numbers=True)
        if value is not None:
            out.append(value)
    return out if len(out) == len(node.value) else None

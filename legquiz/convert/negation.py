"""Negation that keeps a sentence's sense: only the main clause's verb, never a hedged one.

"not" inside a relative clause ("which is not why") or a leading subordinate
clause gives nonsense, and "may not" does not contradict "may", so those are
left alone. A "not" taken away makes a false statement without a negation in
it, which keeps "has a not, so false" from answering true/false questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from legquiz.convert.tagging import Token

SUBORDINATORS = frozenset(
    "if when while although though because since as before after unless once whereas until so".split()  # noqa: SIM905
)
RELATIVE = frozenset({"which", "who", "whom", "whose", "where", "that"})
AUX = frozenset({"is", "are", "was", "were", "can", "will", "does", "do", "did", "has", "have", "had"})
HEDGES = frozenset({"may", "might", "could", "would", "should", "must"})


@dataclass(frozen=True)
class Change:
    """A sentence made false (or, for "negated swap", made true again with a "not")."""

    kind: str  # "swap", "number", "order", "antonym", "negation"
    text: str
    explanation: str
    negated: bool  # the new text has a negation the article's sentence did not


def main_clause(tokens: tuple[Token, ...]) -> list[int]:
    """Indexes of the tokens outside leading subordinate clauses and relative clauses."""
    out: list[int] = []
    skip = bool(tokens) and tokens[0].low in SUBORDINATORS
    for k, t in enumerate(tokens):
        if t.word in (",", ";", ":", "(", ")"):
            skip = False
            continue
        prev = tokens[k - 1] if k else None
        if t.low in SUBORDINATORS and k:
            skip = True
        if (
            t.low in RELATIVE
            and prev is not None
            and (prev.noun or prev.word == ",")
            and (t.tag.startswith("W") or t.low == "that")
        ):
            skip = True
        if not skip:
            out.append(k)
    return out


def negate(text: str, tokens: tuple[Token, ...]) -> Change | None:
    """``text`` with its main verb negated (or its "not" taken away); None when that is not clear-cut."""
    main = main_clause(tokens)
    words = [tokens[k] for k in main]
    if any(t.low in HEDGES or t.low in ("n't", "never", "neither", "nor", "also", "too") for t in tokens):
        return None  # "may not" does not contradict "may"; "does not matter as well" is no statement
    if re.search(r"\bas well\b", text):
        return None
    for n, t in enumerate(words):
        nxt = words[n + 1] if n + 1 < len(words) else None
        if t.low in AUX and tokens[0].tag == "IN" and not any(x.word == "," for x in tokens[: tokens.index(t)]):
            return None  # "At the centre is the core": "is not" there reads wrong
        if t.low == "cannot":
            return _edit(text, t, "can", removed=True)
        if (
            t.low in ("does", "do")
            and nxt is not None
            and nxt.low == "not"
            and n + 2 < len(words)
            and words[n + 2].tag == "VB"
        ):
            verb = words[n + 2]
            new = third(verb.word) if t.low == "does" else verb.word
            new = new[:1].upper() + new[1:] if t.start == 0 else new
            return Change("negation", text[: t.start] + new + text[verb.end :], "The article says the opposite.", False)
        if t.low in AUX and nxt is not None and nxt.low == "not":
            return Change("negation", text[: t.end] + text[nxt.end :], "The article says the opposite.", False)
        if t.low == "not":
            return None
        if t.low in AUX:
            if t.low in ("has", "have", "had") and (nxt is None or nxt.tag != "VBN"):
                return None
            if t.low in ("does", "do", "did") and (nxt is None or not nxt.tag.startswith("VB")):
                return None
            return _edit(text, t, "cannot" if t.low == "can" else f"{t.word} not", removed=False)
        if t.tag in ("VBZ", "VBP") and t.low not in AUX:
            if any(x.tag in ("VBZ", "VBP") for x in words[n + 1 :]):
                return None  # "does not suck up nectar ... and stores it": the second verb would not follow
            base = t.word if t.tag == "VBP" else lemma(t.word)
            aux = "does" if t.tag == "VBZ" else "do"
            return _edit(text, t, f"{aux} not {base}", removed=False)
        if t.tag in ("VBD", "MD"):
            return None
    return None


def _edit(text: str, t: Token, new: str, removed: bool) -> Change:
    if t.start == 0:
        new = new[:1].upper() + new[1:]
    return Change("negation", text[: t.start] + new + text[t.end :], "The article says the opposite.", not removed)


def lemma(verb: str) -> str:
    """The base form of a third-person verb: "carries" -> "carry", "passes" -> "pass", "has" -> "have"."""
    low = verb.lower()
    if low in ("has", "does", "goes", "is"):
        return {"has": "have", "does": "do", "goes": "go", "is": "be"}[low]
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if low.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return verb[:-2]
    return verb[:-1] if low.endswith("s") else verb


def third(verb: str) -> str:
    """The third-person form of a base verb: "need" -> "needs", "carry" -> "carries", "have" -> "has"."""
    low = verb.lower()
    if low in ("have", "do", "go", "be"):
        return {"have": "has", "do": "does", "go": "goes", "be": "is"}[low]
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    if low.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    return verb + "s"

"""Grading typed answers: forgiving about form, strict about substance.

Case, whitespace, punctuation, accents and a leading article ("the", "a")
never matter. A small typo still counts as right (graded Hard and shown), but
never in short answers or in numbers, where one character changes the meaning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(str, Enum):
    RIGHT = "right"
    TYPO = "typo"
    WRONG = "wrong"


@dataclass(frozen=True)
class Grade:
    """How a typed answer was judged, and the accepted answer it matched (a docstring: dataclass would build one)."""

    verdict: Verdict
    matched: str = ""  # the accepted answer the input was closest to


_ARTICLE = re.compile(r"^(?:(?:the|a|an) )+")  # "the a 0" -> "0": normalising twice changes nothing


def normalize(text: str) -> str:
    # compatibility forms first, so "㎩" folds to "pa" (the Unicode caseless-matching recipe)
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = []
    for ch in decomposed:
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue  # accents
        kept.append(" " if cat[0] in "PSZ" else ch)
    words = " ".join("".join(kept).split())
    return _ARTICLE.sub("", words)


def allowed_typos(answer: str) -> int:
    n = len(answer.replace(" ", ""))
    if n <= 4 or any(ch.isdigit() for ch in answer):
        return 0
    return 1 if n <= 9 else 2  # 9 letters: "anaerobic" must not accept "aerobic"


def grade(given: str, accepted: list[str] | tuple[str, ...]) -> Grade:
    """Compare a typed answer with every accepted answer."""
    from rapidfuzz.distance import OSA  # transpositions count as one typo

    g = normalize(given)
    if not g:
        return Grade(Verdict.WRONG)
    best: Grade = Grade(Verdict.WRONG)
    for answer in accepted:
        a = normalize(answer)
        if not a:
            continue
        if g == a or g.replace(" ", "") == a.replace(" ", ""):
            return Grade(Verdict.RIGHT, answer)
        if _close(g, a, OSA.distance):
            best = Grade(Verdict.TYPO, answer)
    return best


def _close(given: str, answer: str, distance: Callable[..., int]) -> bool:
    """Within the typo allowance, judged word by word when the words line up.

    Per word, so two typos in a long phrase cannot turn one word into another
    ("decreased strength" is not "increased strength").
    """
    gw, aw = given.split(), answer.split()
    if len(gw) == len(aw):
        dists = [distance(g, a) for g, a in zip(gw, aw, strict=True)]
        return all(d <= allowed_typos(a) for d, a in zip(dists, aw, strict=True))
    limit = min(1, allowed_typos(answer))  # words run together or split: one slip at most
    g, a = given.replace(" ", ""), answer.replace(" ", "")
    return bool(limit) and distance(g, a, score_cutoff=limit) <= limit

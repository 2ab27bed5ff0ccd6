"""Grading typed answers: forgiving about form, strict about substance.

Case, whitespace, punctuation, accents and a leading article ("the", "a")
never matter. A small typo still counts as right (graded Hard and shown), but
never in short answers or in numbers, where one character changes the meaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Verdict(str, Enum):
    RIGHT = "right"
    TYPO = "typo"
    WRONG = "wrong"


@dataclass(frozen=True)
class Grade:
    verdict: Verdict
    matched: str = ""  # the accepted answer the input was closest to


_ARTICLE = re.compile(r"^(the|a|an) ")


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
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
    return 1 if n <= 8 else 2


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
        limit = allowed_typos(a)
        if limit and OSA.distance(g, a, score_cutoff=limit) <= limit:
            best = Grade(Verdict.TYPO, answer)
    return best

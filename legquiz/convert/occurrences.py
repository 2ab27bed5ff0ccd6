"""Where a term or an amount sits in a sentence, and which amounts are worth asking about.

An amount is a number with what it counts ("90 minutes", "70 percent", a
calendar year): not a label ("stage two"), an ordinal, a reference back
("the two sides") or the subject counted ("two plates move apart"). One end
of a range is kept only as a distractor, since moving it says little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from legquiz.convert.tagging import Token, number_value

ORDINAL = re.compile(r"\d+(st|nd|rd|th)$")


def singular(word: str, tagged: str) -> str:
    from textblob.en.inflect import singularize

    return str(singularize(word)) if tagged in ("NNS", "NNPS") else word


@dataclass(frozen=True)
class Occurrence:
    """One term or number in one sentence."""

    key: str  # the term's identity: lowercase words, last one singular ("#42 percent" for numbers)
    text: str  # as written in the sentence
    start: int  # character offsets in the sentence's text
    end: int
    plural: bool
    number: float | None = None
    unit: str = ""  # what a number counts: "percent", "minute", "year" (calendar), "" for a bare count
    ranged: bool = False  # one end of a range ("7 to 9 percent"): a distractor, never a gap or a change


def numbers(toks: tuple[Token, ...]) -> list[Occurrence]:
    """Quantities worth a gap: not a label ("stage two"), an ordinal or one end of a range."""
    out: list[Occurrence] = []
    for k, t in enumerate(toks):
        value = number_value(t.word)
        if value is None or ORDINAL.match(t.low) or (k and toks[k - 1].noun and toks[k - 1].low != "than"):
            continue
        if k and toks[k - 1].low in ("the", "these", "those", "both"):
            continue  # "the two sides": a reference back, not an amount
        verb = next((x for x in toks[k + 1 : k + 4] if not x.noun and x.tag != "JJ"), None)
        if (
            verb is not None
            and verb.tag in ("VBZ", "VBP", "VBD", "MD")
            and not any(x.tag.startswith("VB") for x in toks[:k])
        ):
            continue  # "two plates move apart": a subject counted, not an amount worth asking
        near = [x.low for x in toks[max(0, k - 2) : k + 3]]
        ranged = False
        if "to" in near[1:2] + near[3:4] or "and" in near[1:2] + near[3:4] or "-" in near or "–" in near:
            ranged = any(number_value(x.word) is not None for x in toks[max(0, k - 2) : k + 3] if x is not t)
        j = k + 1
        while j < len(toks) and toks[j].low in ("million", "billion", "thousand", "hundred"):
            j += 1
        unit = singular(toks[j].low, toks[j].tag) if j < len(toks) and toks[j].noun else ""
        if unit == "time" and j + 1 < len(toks) and (toks[j + 1].tag in ("JJR", "RBR") or toks[j + 1].low == "as"):
            unit = "times as much"  # "three times thicker" is a ratio, not a count of times
        if not unit and 1000 <= value <= 2100 and value == int(value) and "," not in t.word:
            unit = "calendar year"
        if unit in ("", "one") or value in (0.0, 1.0):
            continue
        if ranged and not unit:
            nxt = next((x for x in toks[k + 1 :] if x.noun), None)  # "7 to 9 percent": the unit comes later
            unit = singular(nxt.low, nxt.tag) if nxt is not None else ""
        out.append(Occurrence(f"#{value:g} {unit}", t.word, t.start, t.end, False, value, unit, ranged))
    return out

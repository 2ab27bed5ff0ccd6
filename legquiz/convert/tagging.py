"""Words, their parts of speech and the noun phrases and numbers of a sentence.

Tags come from TextBlob's pattern tagger (MIT; a Brill-style lexicon and
rules shipped inside the package, nothing downloaded at run time), on tokens
cut here so every token keeps its place in the sentence. A few context rules
fix the tagger's usual noun/verb slips ("caffeine works by", "the brain forms
large waves", "called slow-wave sleep").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TOKEN = re.compile(r"\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?|\w+(?=n['’]t\b)|n['’]t\b|['’]s\b|\w+(?:-\w+)*|\S")
NOUN = ("NN", "NNS", "NNP", "NNPS")
VERB = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD")
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        """
        zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
        seventeen eighteen nineteen twenty
        """.split()  # noqa: SIM905 (a word list reads better as words)
    )
}
NUMBER_WORDS.update(thirty=30, forty=40, fifty=50, sixty=60, seventy=70, eighty=80, ninety=90, hundred=100)
FINITE = ("VBZ", "VBP", "VBD", "MD")
OBJECT_START = ("DT", "PRP$", "JJ", "JJR", "JJS", "RB", "RBS", "RBR", "CD", "TO", "PRP")
QUANTITY_NOUNS = frozenset({"dozen", "dozens", "hundreds", "thousands", "millions", "billions", "couple"})
CLAUSE = frozenset({"because", "since", "although", "while", "when", "if", "as", "whereas", "so"})
# Words after "called", "known as" or "named" start a name, whatever the tagger says.
NAMING = frozenset({"called", "named", "termed", "dubbed"})
# Adjectives that judge or measure rather than name a kind: never kept at the front of a term.
EVALUATIVE = frozenset(
    """
    able big certain common different difficult easy entire few full general good great high huge important
    large little long low main major many new normal old other own particular possible real recent same
    several short significant simple single small special specific strong such sure tiny total typical
    usual various vast whole wide quick slow early late deep light heavy hot cold rich poor dense thick thin
    famous basic key overall whole original first second third last next final much more most less least
    """.split()  # noqa: SIM905 (a word list reads better as words)
)


@dataclass(frozen=True)
class Token:
    word: str
    tag: str
    start: int  # offsets in the sentence
    end: int

    @property
    def low(self) -> str:
        return self.word.lower()

    @property
    def noun(self) -> bool:
        return self.tag in NOUN

    @property
    def number(self) -> bool:
        return self.tag == "CD" or self.low in NUMBER_WORDS


@lru_cache(maxsize=4096)
def tag(sentence: str) -> tuple[Token, ...]:
    """The tokens of ``sentence`` with part-of-speech tags (Penn Treebank), fixed by context."""
    from textblob.en import tag as pattern_tag

    spans = [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(sentence)]
    if not spans:
        return ()
    tags = [t for _, t in pattern_tag(" ".join(w for w, _, _ in spans), tokenize=False)]
    if len(tags) != len(spans):  # the tagger split a token after all: tag word by word
        tags = [pattern_tag(w, tokenize=False)[0][1] for w, _, _ in spans]
    return tuple(Token(w, t, a, b) for (w, a, b), t in zip(spans, _fix([w for w, _, _ in spans], tags), strict=True))


def _fix(words: list[str], tags: list[str]) -> list[str]:
    from textblob.en import lexicon as common

    tags = list(tags)
    n = len(words)
    low = [w.lower() for w in words]
    for i in range(n):
        prev = tags[i - 1] if i else ""
        nxt = tags[i + 1] if i + 1 < n else "."
        if i == 0 and tags[i] == "NNP" and common.get(low[i], "") in ("JJ", "JJR", "JJS"):
            tags[i] = common[low[i]]  # "Young workers ...": an adjective that starts the sentence
        if i == 0 and tags[i] == "NNP" and low[i].endswith("s") and nxt == "VB":
            tags[i] = "NNS"  # "Foragers collect ..."
        if i == 0 and tags[i] == "NNP" and common.get(low[i], "") == "VBG":
            tags[i] = "VBG"  # "Connecting cells side by side ..."
        if i == 0 and tags[i] == "NNP" and common.get(low[i], "").startswith("NN"):
            tags[i] = common[low[i]]  # "Water travels", "Stage three": a common noun that starts the sentence
        if (
            i
            and tags[i] in ("VB", "VBP")
            and (low[i - 1] in ("a", "an", "the", "this", "that", "each", "every", "is", "are") or prev in ("IN", "JJ"))
            and nxt in ("NN", "NNS")
        ):
            tags[i] = "NN"  # "is sleep pressure", "of carbon fixation"
        if i and tags[i] in ("VB", "VBP") and low[i - 1] in ("a", "an", "the", "this", "that", "each", "every"):
            tags[i] = "NN"  # "the work", "a drop"
        after = tags[i + 2] if i + 2 < n else "."
        if (
            i
            and tags[i] in ("VB", "VBP")
            and prev in ("NN", "NNP", "JJ")
            and (nxt in FINITE or nxt in (",", ".", "IN", "CC") or (nxt == "RB" and after in FINITE))
        ):
            tags[i] = "NN"  # "NREM sleep has", "called slow-wave sleep,"
        if i and tags[i] in ("NN", "NNS") and (low[i - 1] in ("not", "n't", "cannot", "to") or tags[i - 1] == "MD"):
            tags[i] = "VB"  # "does not need light"
        if i and tags[i] == "VB" and (prev in ("NNS", "NNPS") or low[i - 1] in ("they", "we", "you", "i")):
            tags[i] = "VBP"  # "Plants absorb": a base form after a plural subject is finite
        if i and low[i - 1] in NAMING and tags[i] in ("VB", "VBP", "VBZ", "JJ", "RB"):
            tags[i] = "NN" if words[i][:1].islower() else "NNP"
    # A clause with no finite verb has one hiding among its nouns: "plants use glucose", "energy splits water".
    bounds = [-1] + [k for k in range(n) if tags[k] in (",", ":", "WDT", "WRB", "CC", ".") or low[k] in CLAUSE] + [n]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        if any(tags[k] in FINITE for k in range(lo + 1, hi)):
            continue
        done = False
        for loose in (False, True):  # first a plural subject and a verb before a preposition ("levels fall in")
            for k in range(max(lo + 2, 1), hi):
                nxt = tags[k + 1] if k + 1 < n else "."
                pair = (tags[k - 1], tags[k])
                if not loose and pair == ("NNS", "NN") and nxt in ("IN", "TO", "RB", "RBR"):
                    tags[k], done = "VBP", True
                elif (
                    loose
                    and pair in (("NN", "NNS"), ("NNP", "NNS"), ("NNS", "NN"), ("NNS", "JJ"))
                    and nxt in OBJECT_START + ("NN", "NNS", "IN")
                ):
                    tags[k], done = ("VBP" if pair[0] == "NNS" else "VBZ"), True
                if done:
                    break
            if done:
                break
    for i in range(1, n):
        if (
            tags[i] in ("NN", "NNS")
            and low[i - 1] in ("you", "we", "they", "i", "he", "she", "it")
            and tags[i - 1] == "PRP"
        ):
            tags[i] = "VBZ" if low[i - 1] in ("he", "she", "it") else "VBP"  # "the amount you deposit"
        if i >= 2 and tags[i] in ("NN", "VB", "VBP") and low[i - 1] in ("and", "or") and tags[i - 2] in ("VBN", "VBD"):
            tags[i] = tags[i - 2]  # "printed and spread"
        if low[i] in QUANTITY_NOUNS:
            tags[i] = "CD"  # "a few dozen letters": an amount, not a term
        if tags[i] == "VB" and tags[i - 1] == "IN":
            tags[i] = "NN"  # "during sleep"
        if tags[i] == "NNS" and tags[i - 1] == "WDT":
            tags[i] = "VBZ"  # "which signals that"
        if (
            tags[i] in ("VBZ", "VBP")
            and tags[i - 1] in ("PRP$", "DT")
            and (i + 1 == n or tags[i + 1] in (".", ",", "IN"))
        ):
            tags[i] = "NNS" if low[i].endswith("s") else "NN"  # "through their leaves."
    for i in range(1, n - 1):
        if tags[i] in ("NNS", "NN") and low[i - 1] in ("and", "or") and tags[i + 1] in ("DT", "PRP$", "PRP"):
            tags[i] = (
                "VBZ" if tags[i] == "NNS" else "VBP"
            )  # "the lightest stage and marks the transition", "and fan it"
    return tags


def phrases(tokens: tuple[Token, ...]) -> list[tuple[int, int]]:
    """Spans (first, past-last token) of the noun phrases: adjectives and nouns ending in a noun.

    Determiners, numbers and possessives are left out, so each span is a
    term; whether its adjectives stay on it is the term index's call.
    """
    out: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i].noun or tokens[i].tag == "JJ":
            j = i
            while j < n and (tokens[j].noun or tokens[j].tag == "JJ") and not tokens[j].number:
                j += 1
            last = j
            while last > i and not tokens[last - 1].noun:
                last -= 1
            if last > i:
                out.append((i, last))
            i = max(j, i + 1)
        else:
            i += 1
    return out


def trim(tokens: tuple[Token, ...], a: int, b: int) -> int:
    """Where a term starts once leading judging adjectives ("great", "higher") are dropped."""
    while a < b - 1 and (
        tokens[a].tag in ("JJR", "JJS") or tokens[a].low in EVALUATIVE or not tokens[a].word[:1].isalnum()
    ):
        a += 1
    return a


def number_value(word: str) -> float | None:
    """The value of a numeral ("1,000", "2.5", "seven"); None for anything else."""
    low = word.lower()
    if low in NUMBER_WORDS:
        return float(NUMBER_WORDS[low])
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?", word):
        return float(word.replace(",", ""))
    return None

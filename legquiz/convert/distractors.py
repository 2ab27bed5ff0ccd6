"""Wrong answers worth weighing: same-kind terms from the article, changed numbers, swapped order, antonyms, negation.

A false statement is the article's sentence with one thing changed, the way
a teacher would change it: a term swapped for another of its kind (never one
the article says the same thing about), a number moved, "from A to B" turned
round, "increases" made "decreases", or the main verb negated. Negation only
touches the main clause (never a relative or leading subordinate clause,
where "not" gives nonsense) and never a hedged verb ("may not" does not
contradict "may").
"""

from __future__ import annotations

import re

from legquiz.convert.negation import Change, main_clause
from legquiz.convert.occurrences import Occurrence
from legquiz.convert.tagging import NUMBER_WORDS, Token
from legquiz.convert.terms import TermIndex

_PAIRS = """
increase increases increased increasing | decrease decreases decreased decreasing
rise rises rose rising | fall falls fell falling
more | less
higher | lower
highest | lowest
faster | slower
fastest | slowest
larger | smaller
largest | smallest
bigger | smaller
longer | shorter
stronger | weaker
strengthen strengthens strengthened | weaken weakens weakened
expand expands expanded expanding | contract contracts contracted contracting
gain gains gained | lose loses lost
before | after
earlier | later
above | below
warmer | cooler
deeper | shallower
wider | narrower
open opens opened | close closes closed
absorb absorbs absorbed | reflect reflects reflected
grows grow | shrinks shrink
apart | together
thin thinner thinnest | thick thicker thickest
soft softer | hard harder
slow slowly | fast quickly
quick | slow
hot | cold
warm | cool
wet | dry
deep | shallow
low | high
weak weakly | strong strongly
rare | common
cheap | expensive
positive | negative
inside | outside
mild | severe
harmless | dangerous
upwards | downwards
evenly | unevenly
upper | lower
""".strip().splitlines()
ADJECTIVE = {"closed": "open", "opened": "closed"}
PLACE_WORDS = frozenset({"apart", "together", "inside", "outside"})
COUNTERPART = {"lower": "upper", "upper": "lower", "higher": "lower"}  # "upper"/"lower" already contrasted
ANTONYM: dict[str, str] = {}
for _line in _PAIRS:
    _a, _b = (p.split() for p in _line.split("|"))
    for _x, _y in zip(_a, _b, strict=True):
        ANTONYM.setdefault(_x, _y)
        ANTONYM.setdefault(_y, _x)
STOP = frozenset(
    """
    the a an of in on at to for by with from and or but is are was were be been being it its this that these those
    as into than then there their they them which who what when where while also only very most more such some
    each every other can will does do did has have had not about over under between through during after before
    """.split()  # noqa: SIM905 (a word list reads better as words)
)


def content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in STOP and len(w) > 2}


def _replace(text: str, start: int, end: int, new: str) -> str:
    if start == 0:
        new = new[:1].upper() + new[1:]
    return agree(text[:start], new) + new + text[end:]


def agree(before: str, word: str) -> str:
    """``before`` with a closing "a"/"an" that fits ``word``: "a earlier" -> "an earlier"."""
    m = re.search(r"\b(a|an|A|An)\s+$", before)
    if not m:
        return before
    an = word[:1].lower() in "aeiou" and not word.lower().startswith(("uni", "use", "one", "eu"))
    new = ("An" if m.group(1)[0] == "A" else "an") if an else m.group(1)[0]
    return before[: m.start(1)] + new + before[m.end(1) :]


class Distractors:
    """Changes and wrong choices for the sentences of one article."""

    def __init__(self, index: TermIndex) -> None:
        self.ix = index
        self.kin = index.kin_by_key()
        self.texts = [s.text for s in index.article.sentences]
        self.offered: dict[str, int] = {}  # how often each term was already a distractor: spread them out

    # -- same-kind terms ---------------------------------------------------------------------------------
    def might_be_true(self, i: int, occ: Occurrence, other: str) -> bool:
        """Another sentence says much the same about ``other``: putting it in ``occ``'s place may be no lie."""
        rest = content(self.texts[i][: occ.start] + " " + self.texts[i][occ.end :])
        forms = {f.lower() for f in self.ix.terms[other].forms} | {other}
        for j, t in enumerate(self.texts):
            low = t.lower()
            named = any(re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", low) for f in forms)
            if j != i and named and rest and len(rest & content(t)) >= max(3, round(0.6 * len(rest))):
                return True
        return False

    def form(self, key: str, plural: bool) -> str | None:
        """How ``key`` is written in the article, in the grammatical number wanted."""
        term = self.ix.terms[key]
        for f, _ in term.forms.most_common():
            last = f.split()[-1].lower()
            if (last != key.split()[-1]) == plural or term.proper:
                return f
        return None  # never a made-up plural ("xylems", "ATPs")

    def same_kind(self, i: int, occ: Occurrence, limit: int, surest: bool = False, record: bool = True) -> list[str]:
        """Up to ``limit`` terms of ``occ``'s kind, written to fit its place, none in the sentence or true there.

        ``surest``: only terms listed with it, sharing its head or defined as the same class of thing,
        as a false statement needs; a multiple-choice distractor may also be any other term the
        article defines, since the reader must know which one the sentence means."""
        low = self.texts[i].lower()
        out: list[str] = []
        canon = {self.ix.canon(occ.key)}
        ranked = sorted(self.kin.get(occ.key, []), key=lambda k: (-self.ix.kin(occ.key, k), self.offered.get(k, 0)))
        for other in ranked:
            if surest and self.ix.kin(occ.key, other) < 3:
                continue
            c = self.ix.canon(other)
            if c in canon or any(f.lower() in low for f in self.ix.terms[other].forms) or other in low:
                continue
            shown = self.form(other, occ.plural)
            if shown is None or self.might_be_true(i, occ, other):
                continue
            canon.add(c)
            out.append(shown)
            if record and not surest:
                self.offered[other] = self.offered.get(other, 0) + 1
            if len(out) == limit:
                break
        return out

    def central(self, i: int, occ: Occurrence, limit: int, record: bool = True) -> list[str]:
        """Other key terms of the article that fit the gap's grammar: for a key term with too few of its kind."""
        low = self.texts[i].lower()
        proper = self.ix.terms[occ.key].proper
        ranked = sorted(self.ix.terms, key=lambda k: (self.offered.get(k, 0), -self.ix.centrality(k)))
        out: list[str] = []
        for k in ranked:
            t = self.ix.terms[k]
            named = t.defined is not None or k in self.ix.acronyms or (len(k.split()) > 1 and t.count >= 2)
            if (
                not named
                or self.ix.centrality(k) < 1.5
                or t.proper != proper
                or self.ix.canon(k) == self.ix.canon(occ.key)
            ):
                continue
            if k.split()[-1] == occ.key.split()[-1] or any(w in occ.key.split() for w in k.split()) or k in low:
                continue
            if any(other.startswith(k + " ") for other in self.ix.terms):
                continue  # "REM" when the article says "REM sleep": a fragment, not a choice
            shown = self.form(k, occ.plural)
            if shown is None or shown.lower() in low or self.might_be_true(i, occ, k):
                continue
            out.append(shown)
            if record:
                self.offered[k] = self.offered.get(k, 0) + 1
            if len(out) == limit:
                break
        return out

    def values(self, unit: str) -> set[float | None]:
        """Every amount of ``unit`` the article gives: a changed number must not land on one of them."""
        return {o.number for os in self.ix.occurrences for o in os if o.unit == unit}

    def numbers(self, i: int, occ: Occurrence, limit: int) -> list[str]:
        """Other amounts of the same unit that the article gives, none of them in this sentence."""
        here = {o.number for o in self.ix.occurrences[i] if o.number is not None}
        out: list[str] = []
        seen: set[float] = set()
        for j, occs in enumerate(self.ix.occurrences):
            for o in occs:
                if (
                    j != i
                    and o.unit == occ.unit
                    and o.number not in here
                    and o.number not in seen
                    and o.number is not None
                ):
                    seen.add(o.number)
                    out.append(o.text)
        return out[:limit]

    def choices(self, i: int, occ: Occurrence, record: bool = True) -> list[str]:
        """Two or three wrong choices for a multiple-choice gap, or none when the article has too few."""
        if occ.number is not None:
            wrong = self.numbers(i, occ, 3)
            if len(wrong) == 1:  # one more amount of the article's own, and one moved as a false statement would be
                wrong += [a for a in amounts(occ, self.values(occ.unit)) if a not in wrong][:1]
        else:
            wrong = self.same_kind(i, occ, 3, record=record)
            if len(wrong) < 2 and self.ix.terms[occ.key].defined is not None:
                wrong += [w for w in self.central(i, occ, 3 - len(wrong), record=record) if w not in wrong]
        if len(wrong) < 2:
            return []
        if all(len(w) < len(occ.text) for w in wrong) and occ.number is None:
            longer = [w for w in self.same_kind(i, occ, 8, record=False) if len(w) >= len(occ.text) and w not in wrong]
            if longer:
                wrong[-1] = longer[0]  # the right answer should not stand out as the longest
        return wrong

    # -- false statements --------------------------------------------------------------------------------
    def swap(self, i: int) -> Change | None:
        tokens = self.ix.tokens[i]
        if any(t.low in ("not", "n't", "no", "never", "cannot", "without") for t in tokens):
            return None  # "does not need light" -> "does not need water" may well be true
        main = {tokens[k].start for k in main_clause(tokens)}
        for occ in sorted(self.ix.occurrences[i], key=lambda o: -self.ix.centrality(o.key)):
            if occ.number is not None or self.ix.centrality(occ.key) < 1 or occ.start not in main:
                continue  # a swap inside "If light is dim, ..." makes "If water is dim"
            found = self.same_kind(i, occ, 1, surest=True)
            if found:
                text = _replace(self.texts[i], occ.start, occ.end, found[0])
                return Change("swap", text, f"The article says “{occ.text}” here, not “{found[0]}”.", False)
        return None

    def number(self, i: int) -> Change | None:
        for occ in self.ix.occurrences[i]:
            if occ.number is None or occ.ranged:
                continue
            new = changed(occ, self.values(occ.unit))
            if new:
                text = _replace(self.texts[i], occ.start, occ.end, new)
                return Change("number", text, f"The article says {occ.text}, not {new}.", False)
        return None

    def order(self, i: int) -> Change | None:
        """ "from A to B" / "A into B" turned round."""
        s = self.texts[i]
        occs = [o for o in self.ix.occurrences[i] if o.number is None]
        for a, b in zip(occs, occs[1:], strict=False):
            between = s[a.end : b.start]
            if (
                re.fullmatch(r" (to|into) (the |a |an )?", between)
                and re.search(r"\bfrom (the |a |an )?$|\b(convert\w*|turn\w*|change\w*) (the |a |an )?$", s[: a.start])
                and a.key != b.key
            ):
                text = s[: a.start] + b.text + between + a.text + s[b.end :]
                return Change(
                    "order", text, f"The article has it the other way round: {a.text}{between}{b.text}.", False
                )
        return None

    def antonym(self, i: int, tokens: tuple[Token, ...]) -> Change | None:
        """One word of the main clause turned into its opposite: "strengthens" -> "weakens", "more" -> "fewer"."""
        if any(t.low in ("not", "n't", "no", "never", "cannot", "without") for t in tokens):
            return None  # "cannot grow" -> "cannot shrink" says nothing false
        spans = [(o.start, o.end) for o in self.ix.occurrences[i]]
        words = {t.low for t in tokens}
        for k in main_clause(tokens):
            t = tokens[k]
            other = ANTONYM.get(t.low)
            if other is not None and k and tokens[k - 1].tag in ("DT", "JJ", "RB"):
                other = ADJECTIVE.get(t.low, other)  # "a closed fist" -> "an open fist"
            if other is not None and (other in words or COUNTERPART.get(t.low, "") in words):
                continue  # "the upper chambers ... the lower chambers": the change would contradict the sentence
            if t.low in PLACE_WORDS and not (k and tokens[k - 1].tag.startswith(("VB", "NN"))):
                continue  # "move apart", "ions ... inside the cell"; not "deep inside", "together these stages"
            if t.low == "more" and k + 1 < len(tokens) and tokens[k + 1].tag == "NNS":
                other = "fewer"  # "more years" -> "fewer years", never "less years"
            if other is None or any(a <= t.start < b for a, b in spans):
                continue
            if k + 1 < len(tokens) and tokens[k + 1].low in ("down", "up", "out", "off", "inside", "within", "into"):
                continue  # "slow down" is a phrase of its own; "deep inside" is no depth
            if (
                t.low in ("more", "less")
                and t.start > 0
                and self.texts[i][: t.start].rstrip().lower().endswith(("no", "the"))
            ):
                continue
            if other[:4] in self.texts[i].lower().replace(t.low, ""):
                continue  # "early cycles ... earlier cycles": the change shows
            if t.low in ("more", "less") and re.match(r" than (one|1)\b", self.texts[i][t.end :]):
                continue  # "less than one dose" is no statement
            new = other.capitalize() if t.word[0].isupper() else other
            text = agree(self.texts[i][: t.start], new) + new + self.texts[i][t.end :]
            return Change("antonym", text, f"The article says “{t.word}”, not “{new}”.", False)
        return None


def changed(occ: Occurrence, taken: set[float | None]) -> str | None:
    """A clearly different amount written the way ``occ`` is: 1440 -> 1480, 90 -> 45, seven -> nine."""
    found = amounts(occ, taken)
    return found[0] if found else None


def amounts(occ: Occurrence, taken: set[float | None]) -> list[str]:
    """Clearly different amounts written the way ``occ`` is, none of them in ``taken``, likeliest first."""
    v = occ.number
    out: list[str] = []
    if v is None:
        return out
    if occ.unit == "calendar year":
        options = [v + 40, v - 40, v + 25, v - 25]
    elif v != int(v):
        options = [v * 2, v / 2]
    elif v <= 12:
        options = [v + 2, v + 3, v - 2] if v > 3 else [v + 2, v + 3]
    elif occ.unit == "percent" and v <= 50:
        options = [v * 2, v + 15]
    else:
        options = [v / 2 if v >= 20 else v * 2, v * 2, v * 3]
    for new in options:
        if new in taken or new <= 1 or (occ.unit == "calendar year" and new > 2030):
            continue
        new = round(new) if v == int(v) else new
        low = occ.text.lower()
        if low in NUMBER_WORDS:
            words = {n: w for w, n in NUMBER_WORDS.items()}
            if int(new) in words:
                word = words[int(new)]
                out.append(word.capitalize() if occ.text[0].isupper() else word)
        elif "," in occ.text:
            out.append(f"{int(new):,}")
        else:
            out.append(f"{new:g}")
    return list(dict.fromkeys(out))

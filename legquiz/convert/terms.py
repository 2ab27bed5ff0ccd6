"""The terms of an article: how central each is, what a reader would also type for it, which are of a kind.

A term is a noun phrase as the article uses it. Adjectives stay on it only
when the article uses the phrase as a name (more than once, in the title or
a heading, or after "called"/"known as"), so a gap never hides a passing
"great" or "higher". Centrality follows what a teacher looks at: how often
the term comes back, whether the article defines it, whether the title or
a heading names it. Two terms are *of a kind* when the article lists them
together, gives them the same head noun ("oceanic crust", "continental
crust"), introduces both as a "hormone called ..." or writes both as
acronyms: those are the swaps and distractors that make sense.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from legquiz.convert.occurrences import Occurrence, numbers, singular
from legquiz.convert.tagging import NUMBER_WORDS, Token, phrases, tag, trim
from legquiz.convert.textprep import Article

DEFINING = re.compile(r"\b(called|named|termed|known as|shortened to|referred to as)\s+(?:the |a |an )?$", re.I)
# Head nouns too vague to be worth a gap on their own.
VAGUE = frozenset(
    """
    way thing part kind type sort amount number lot role activity example fact time people person form level
    factor result reason course share set range idea difference use side order place point case area piece end
    rest half deal matter question answer aspect term name word reaction effect change process system stage
    product work method one day night year years hour minute moment today result issue problem purpose
    start beginning adult adults child children scientist scientists researcher researchers expert experts person someone
    """.split()  # noqa: SIM905 (a word list reads better as words)
)


@dataclass
class Term:
    key: str
    forms: Counter[str] = field(default_factory=Counter)
    count: int = 0
    defined: str | None = None  # the class noun of "a hormone called X" ("" when defined without one)
    proper: bool = False

    @property
    def head(self) -> str:
        return self.key.split()[-1]

    @property
    def shown(self) -> str:
        return self.forms.most_common(1)[0][0]


class TermIndex:
    """Every term and number of an article, sentence by sentence, with the article-wide facts about them."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.tokens = [tag(s.text) for s in article.sentences]
        self.title_words = {w.lower() for h in article.headings for w in re.findall(r"[\w-]+", h)}
        self.title_words |= {w[:-1] for w in self.title_words if w.endswith("s")}
        self.acronyms = self._acronyms()
        self.terms: dict[str, Term] = {}
        self.lists: set[frozenset[str]] = set()
        self.occurrences: list[list[Occurrence]] = []
        spans = [phrases(t) for t in self.tokens]
        seen = Counter(
            self._key(t, a, b) for t, ss in zip(self.tokens, spans, strict=True) for a, b in ss for a in range(a, b)
        )
        for i, (toks, ss) in enumerate(zip(self.tokens, spans, strict=True)):
            occ = [self._term(i, toks, a, b, seen) for a, b in ss]
            found = [o for o in occ if o is not None]
            self._coordinated(toks, ss, occ)
            found.extend(numbers(toks))
            self.occurrences.append(sorted(found, key=lambda o: o.start))
        self._listed_items(article)
        for t in self.terms.values():  # "Subduction" starting a sentence is the "subduction" of the next one
            lower = {f.lower(): f for f in t.forms if f[:1].islower()}
            if lower:
                t.proper = False
                for f in [f for f in t.forms if f[:1].isupper() and f.lower() in lower]:
                    t.forms[lower[f.lower()]] += t.forms.pop(f)
        text = " ".join(s.text for s in article.sentences).lower()
        # Terms the article splits into kinds ("two kinds of white blood cell", "X such as"): classes, never swapped.
        self.classes = {
            k
            for k in self.terms
            if re.search(
                rf"\b(kinds?|types?|forms?|sorts?|classes) of {re.escape(k)}|{re.escape(k)}s?,? such as\b", text
            )
        }
        for t in self.terms.values():
            t.count = sum(len(re.findall(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)) for f in self._forms(t.key))
        n = max(len(article.sentences), 1)
        title = {w.lower() for w in re.findall(r"[\w-]+", article.title)}
        title |= {w[:-1] for w in title if w.endswith("s")}
        self.topic = {k for k, t in self.terms.items() if set(k.split()) <= title and t.count >= max(3, n / 10)}

    # -- building ---------------------------------------------------------------------------------------
    @staticmethod
    def _key(toks: tuple[Token, ...], a: int, b: int) -> str:
        words = [t.low for t in toks[a:b]]
        words[-1] = singular(words[-1], toks[b - 1].tag).lower()
        return " ".join(words)

    def _acronyms(self) -> dict[str, str]:
        """Acronym -> its expansion, when the article spells it out ("rapid eye movement sleep, or REM sleep")."""
        out: dict[str, str] = {}
        text = " ".join(s.text for s in self.article.sentences)
        for acro in set(re.findall(r"\b[A-Z]{2,6}\b", text)):
            for m in re.finditer(r"\b[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){1,5}", text):
                parts = re.split(r"[\s-]+", m.group(0))
                for k in range(len(parts) - len(acro) + 1):
                    if "".join(p[0] for p in parts[k : k + len(acro)]).upper() == acro and all(
                        p[1:].islower() for p in parts[k : k + len(acro)]
                    ):
                        words = m.group(0)
                        starts = [mm.start() for mm in re.finditer(r"(?:^|(?<=[\s-]))[A-Za-z]", words)]
                        end = starts[k + len(acro)] - 1 if k + len(acro) < len(starts) else len(words)
                        out[acro.lower()] = words[starts[k] : end].lower()
                        break
                if acro.lower() in out:
                    break
        return out

    def _established(self, key: str, seen: Counter[str]) -> bool:
        words = key.split()
        family = len(words) > 1 and any(
            c >= 2 and k.endswith(" " + words[-1]) and k != key and len(k.split()) == len(words)
            for k, c in seen.items()
        )  # "convergent boundary" beside a "divergent boundary" said twice: a kind of boundary
        return (
            seen[key] >= 2
            or family
            or set(key.split()) <= self.title_words
            or any(key.startswith(e) or key.startswith(a + " ") for a, e in self.acronyms.items())
        )

    def _term(self, i: int, toks: tuple[Token, ...], a: int, b: int, seen: Counter[str]) -> Occurrence | None:
        """The term this noun phrase names: its longest established tail, else its nouns."""
        s = self.article.sentences[i].text
        defined = DEFINING.search(s[: toks[a].start])
        first = trim(toks, a, b)
        if not defined:
            nouns = b
            while nouns > first and toks[nouns - 1].noun:
                nouns -= 1
            for k in range(first, b):
                if k >= nouns or self._established(self._key(toks, k, b), seen):
                    first = k
                    break
        if toks[first].tag == "VBG" or toks[b - 1].low in NUMBER_WORDS:
            return None
        key = self._key(toks, first, b)
        term = self.terms.setdefault(key, Term(key))
        text = s[toks[first].start : toks[b - 1].end]
        if toks[first].start == 0 and not toks[first].tag.startswith("NNP") and not toks[first].word.isupper():
            text = text[:1].lower() + text[1:]  # "Stage one": capitalised only because it starts the sentence
        term.forms[text] += 1
        term.proper = term.proper or all(t.tag.startswith("NNP") for t in toks[first:b])
        if defined:
            before = [t for t in toks[:a] if t.end <= defined.start()]
            term.defined = singular(before[-1].low, before[-1].tag) if before and before[-1].noun else ""
        return Occurrence(key, text, toks[first].start, toks[b - 1].end, toks[b - 1].tag in ("NNS", "NNPS"))

    def _coordinated(self, toks: tuple[Token, ...], spans: list[tuple[int, int]], occ: list[Occurrence | None]) -> None:
        """Record terms listed together ("quadriceps, hamstrings and calves"): the same kind of thing."""
        group: list[str] = []
        joined = False  # an "and"/"or" seen between items: a list, not commas of a sentence

        def close(after: int) -> None:
            clause = after < len(toks) and toks[after].tag in ("VBZ", "VBP", "VBD", "MD")
            if (
                toks
                and toks[0].tag == "IN"
                and spans
                and group
                and spans[0][0] <= 3
                and occ[0]
                and group[0] == occ[0].key
            ):
                del group[0]  # "On the surface, sugars and proteins react": the opening phrase is no item
            if len(group) > 1 and joined and not clause:
                self.lists.add(frozenset(group))

        for k in range(len(spans)):
            o = occ[k]
            if k and group:
                between = [t.low for t in toks[spans[k - 1][1] : spans[k][0]]]
                if o is None or between not in (
                    [","],
                    ["and"],
                    ["or"],
                    [",", "and"],
                    [",", "or"],
                    ["and", "the"],
                    [",", "the"],
                ):
                    close(spans[k - 1][1])
                    group, joined = [], False
                else:
                    joined = joined or "and" in between or "or" in between
            if o is not None:
                group.append(o.key)
        if spans:
            close(spans[-1][1])

    def _listed_items(self, article: Article) -> None:
        """The terms that open the items of one list ("- The anode is ...", "- The cathode is ..."): a kind."""
        group: list[str] = []
        last = -2
        for i, s in enumerate(article.sentences):
            if not s.item:
                continue
            if s.block != last + 1 and len(group) > 2:
                self.lists.add(frozenset(group))
            if s.block != last + 1:
                group = []
            last = s.block
            first = next((o for o in self.occurrences[i] if o.number is None), None)
            if first is not None and first.start <= 8:
                group.append(first.key)
        if len(group) > 2:
            self.lists.add(frozenset(group))

    # -- questions about terms ---------------------------------------------------------------------------
    def _forms(self, key: str) -> set[str]:
        head = key.split()[-1]
        stem = key[: len(key) - len(head)]
        forms = {key} | set(self.terms[key].forms) if key in self.terms else {key}
        forms |= {stem + head + "s", stem + head + "es"} if not head.endswith("s") else set()
        return {f.lower() for f in forms}

    def centrality(self, key: str) -> float:
        """How much the article is about this term: repeats, definition, title and heading words."""
        t = self.terms.get(key)
        if t is None:
            return 0.0
        score = math.log2(1 + t.count)
        if t.defined is not None:
            score += 1.5
        if set(key.split()) & self.title_words:
            score += 0.75
        if len(key.split()) > 1 and (t.count >= 2 or t.defined is not None):
            score += 0.4
        elif len(key.split()) > 1 and self.compound(key):
            score += 0.6  # "body temperature", "adenosine receptors": a name, even if said once
        if key in self.topic:
            score -= 10  # the subject of the whole article: hiding it asks nothing
        if len(key.split()) == 1 and t.count < 2 and t.defined is None:
            score -= 10  # a passing word, not a term of the article
        if len(key.split()) == 1 and key in VAGUE:
            score -= 10
        return score

    @staticmethod
    def compound(key: str) -> bool:
        """Every word but the last is a noun by the tagger's lexicon: a noun compound, not "uniform state"."""
        from textblob.en import lexicon

        return all(str(lexicon.get(w, "NN")).startswith("NN") for w in key.split()[:-1])

    def aliases(self, occ: Occurrence) -> list[str]:
        """Other answers a reader would give for this gap: the acronym or its expansion, the other
        grammatical number, the head noun alone when nothing else in the article shares it."""
        out: list[str] = []
        low = occ.text.lower()
        if occ.number is not None:
            value = int(occ.number) if occ.number == int(occ.number) else None
            words = {v: w for w, v in NUMBER_WORDS.items()}
            if value is not None and low in NUMBER_WORDS:
                out.append(str(value))
            elif value is not None and value in words:
                out.append(words[value])
            if "," in occ.text:
                out.append(occ.text.replace(",", ""))
            return out
        for acro, full in self.acronyms.items():
            if low.startswith(acro + " ") or low == acro:
                out.append(full + low[len(acro) :])
            elif low.startswith(full):
                out.append(acro.upper() + occ.text[len(full) :])
        term = self.terms.get(occ.key)
        text = occ.text if term is None or term.proper or occ.text.isupper() else occ.text.lower()
        if term is not None:
            out.extend(f for f in term.forms if f.lower() != text.lower())
        last = text.split()[-1]
        if occ.plural and last.endswith("s") and not (term and term.proper):
            out.append(text[: len(text) - len(last)] + (term.head if term else last[:-1]))
        head = occ.key.split()[-1]
        if len(occ.key.split()) > 1 and head not in VAGUE and head in self.terms and not (term and term.proper):
            rivals = [k for k in self.terms if k != occ.key and k.endswith(" " + head)]
            if not rivals and not any(occ.key in k for k in self.terms if k != occ.key):
                out.append(occ.text.split()[-1])
        return [a for a in dict.fromkeys(out) if a.lower() != low]

    def _count(self, key: str) -> int:
        return self.terms[key].count if key in self.terms else 0

    @staticmethod
    def _noun_modified(words: list[str]) -> bool:
        """A modifier that is a common noun ("memory cells", "phone battery") names a use, not a kind apart."""
        from textblob.en import lexicon

        return any(str(lexicon.get(w, "")).startswith("NN") for w in words[:-1])

    def canon(self, key: str) -> str:
        """``key`` with any spelled-out acronym written as the acronym: "rapid eye movement sleep" -> "rem sleep"."""
        for acro, full in self.acronyms.items():
            if key.startswith(full):
                return acro + key[len(full) :]
        return key

    def kin(self, a: str, b: str) -> int:
        """How surely ``b`` is the same kind of thing as ``a``: 3 listed together or same head, 2 defined
        alike or both acronyms, 0 not known to be (or a variant of the same term)."""
        if a == b or a.startswith("#") or b.startswith("#") or self.canon(a) == self.canon(b):
            return 0
        wa, wb = a.split(), b.split()
        if wa[-1] == wb[-1] and len(wa) > 1 and len(wb) > 1 and wa[:-1] != wb[:-1]:
            named = any(
                self.terms[k].count >= 2 or self.terms[k].defined is not None for k in (a, b) if k in self.terms
            )
            if a in self.terms and b in self.terms and self.terms[a].proper != self.terms[b].proper:
                return 0  # "oceanic plate" and "Indian Plate": a kind and a name
            if a in self.classes or b in self.classes or self._noun_modified(wa) or self._noun_modified(wb):
                return 0  # "white blood cells" and "B cells", "phone battery" and "lithium-ion battery": may overlap
            titled = {w[:5] for w in self.title_words if len(w) >= 5}
            general = any(
                w[:5] in titled for w in wa[:-1] + wb[:-1] if len(w) >= 5
            )  # "tectonic plates" covers the others
            return 0 if (set(wa[:-1]) & set(wb[:-1])) or a in b or b in a or not named or general else 3
        if any(x[:5] == y[:5] for x in wa for y in wb):
            return 0
        if any(a in g and b in g and (len(g) > 2 or min(self._count(a), self._count(b)) >= 2) for g in self.lists):
            return (
                3  # listed together (a pair only when both come back: "the same page and the same wording" is no kind)
            )
        ta, tb = self.terms.get(a), self.terms.get(b)
        if ta is None or tb is None:
            return 0
        if ta.defined is not None and tb.defined is not None:
            if ta.defined and ta.defined == tb.defined:
                return 3
            alone = len(wa) == len(wb) == 1 and a not in self.acronyms and b not in self.acronyms
            return 2 if alone else 0  # two single words the article defines: "melatonin", "adenosine"
        if a in self.acronyms and b in self.acronyms:
            return 2
        return 0

    def kin_by_key(self) -> dict[str, list[str]]:
        """For every term, the terms of its kind, surest first."""
        out: dict[str, list[str]] = defaultdict(list)
        keys = list(self.terms)
        for a in keys:
            scored = [(self.kin(a, b), b) for b in keys]
            out[a] = [b for k, b in sorted(scored, key=lambda p: -p[0]) if k >= 2]
        return out

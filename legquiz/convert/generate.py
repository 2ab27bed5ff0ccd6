"""Draft questions from a plain-text article: cloze and true/false, one sentence each.

Sentences come from pysbd (rule-based sentence boundaries that handle
abbreviations and quotes); the term to hide comes from YAKE, a statistical
keyword extractor run over the whole article, preferring terms that are
specific to the sentence (rare elsewhere in the article) over ones that are
everywhere. A false statement swaps that term for another keyword of the
article of the same kind (same number of words, same grammatical number,
same -ing form, not a variant of the original) that never appears with it.

Every draft keeps its sentence verbatim as ``source`` and is marked
``x-draft: true``: these are suggestions for a person to review.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from legquiz.core.model import Deck, QType, Question
from legquiz.deckfile.write import slug, unique
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import decode_utf8, read_input

MIN_WORDS, MAX_WORDS = 8, 45
WINDOW = 4  # words either side that make up a term's context
MIN_SIMILARITY = 0.5
# Words that make poor hidden terms (vague verbs, adjectives and fillers YAKE can rank highly).
VAGUE = frozenset(
    """
    able about achieve also among approach asked attest based benefits can certainly common concern consider
    contribute degree delve depends different effective enhance essential everyone example explore factor factors
    find finding first further gained given goal goals help however impact important improve individual
    individuals key lead let look looking main make making may might much need needed note often one overall
    personal personally potential primarily provide question questions reasons recognize remember right role say
    says seen several significant significantly someone specific specifically still sure time times typically
    understand use used various vary way whether will years yield conclusion ultimately additionally amount extent
    level greater lot kind sort part
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
STOP = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being below between both but
    by can could did do does doing down during each few for from further had has have having he her here hers him
    his how if in into is it its itself just let may might more most much must no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while who whom why will
    with would you your yours
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
# Words that show the next few words are a noun phrase ("the quadriceps", "such as squats, lunges").
NP_BEFORE = frozenset(
    """
    a an the your our their his her its my this these those of in on for with from by into as like and or
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
SUBORDINATE = re.compile(r"^(While|If|When|Although|Though|Because|Since|As|Before|After|Unless|Whether)\b")
PRONOUN_START = re.compile(r"^(It|They|These|Those|This|That|He|She|We|You|So|But|And|Or)\b")
FIRST_PERSON = re.compile(r"\b(I|I'm|I’m|me|my|mine)\b")


@dataclass
class Article:
    name: str
    title: str
    text: str
    sentences: list[str] = field(default_factory=list)


def read_article(path: Path) -> Article:
    """The article's text; a missing, unreadable, binary, non-UTF-8 or empty file is a one-line error."""
    shown = str(path)
    data = read_input(path, "an article file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LegquizError(f"{shown}: the file is UTF-16; save it as UTF-8")
    if b"\x00" in data:
        raise LegquizError(f"{shown}: binary data (NUL byte), not a plain-text article")
    text = decode_utf8(data, shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LegquizError(f"{shown}: the article is empty")
    first = text.strip().split("\n", 1)[0].strip()
    title = first if len(first) <= 120 and not first.endswith((".", "!", "?")) else path.stem.replace("-", " ")
    return Article(path.name, title, text)


def split_sentences(text: str) -> list[str]:
    """Each sentence of each paragraph, verbatim; headings (no closing punctuation) are skipped."""
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para or not para.rstrip("\"'”’)").endswith((".", "!", "?")):
            continue
        for s in seg.segment(para):
            s = s.strip()
            if s and s in text:
                out.append(s)
    return out


def keywords(text: str, top: int = 300) -> list[str]:
    """Candidate terms of the article, best first (YAKE, up to 3-word phrases), vague ones removed."""
    import yake

    found = yake.KeywordExtractor(lan="en", n=3, top=top, dedupLim=0.95).extract_keywords(text)
    out: list[str] = []
    seen: set[str] = set()
    for kw, _score in sorted(found, key=lambda p: p[1]):
        words = kw.split()
        low = kw.lower()
        if (
            low in seen
            or any(w.lower() in VAGUE for w in words)
            or not all(re.fullmatch(r"[\w'’-]+", w) for w in words)
        ):
            continue
        if any(len(w) < 3 for w in words) or any(w[0].isdigit() for w in words):
            continue
        seen.add(low)
        out.append(kw)
    return out


def _find(term: str, sentence: str) -> re.Match[str] | None:
    return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", sentence, re.I)


def _noun_phrase(term: str, sentences: list[str]) -> bool:
    """Looks like a whole noun phrase: never followed by another content word, and
    at least once after a determiner, preposition or list comma ("the hamstrings",
    "such as squats, lunges")."""
    words = term.lower().split()
    if any(w in STOP for w in words) or words[-1].endswith("ly"):
        return False
    after_ok, before_ok = True, False
    for s in sentences:
        for m in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", s, re.I):
            nxt = re.match(r"\s*([\w'’-]+)", s[m.end() :])
            if nxt and nxt.group(1).lower() not in STOP:
                after_ok = False
            before = s[: m.start()].rstrip()
            prev = re.search(r"([\w'’-]+|[,(])$", before)
            if prev and (prev.group(1).lower() in NP_BEFORE or prev.group(1) in ",("):
                before_ok = True
    return after_ok and before_ok and _nominal(words[-1], sentences)


DETERMINERS = frozenset(
    """
    a an the your our their his her its my this these those some any each every
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
ADJECTIVE_ENDINGS = ("ive", "ous", "ful", "able", "ible", "less", "est")


def _nominal(word: str, sentences: list[str]) -> bool:
    """The head word is a noun somewhere: right after a determiner, possibly with adjectives
    between ("the major muscles", "a great cardiovascular exercise"), or in a list
    ("genetics, nutrition, rest")."""
    if word.endswith(ADJECTIVE_ENDINGS) or word in STOP:
        return False
    for s in sentences:
        tokens = re.findall(r"[\w'’-]+|[,;:.()]", s.lower())
        for i, t in enumerate(tokens):
            if t != word:
                continue
            nxt = tokens[i + 1] if i + 1 < len(tokens) else "."
            if nxt in DETERMINERS or nxt in ("you", "them", "it", "us"):
                return False  # "triggers a process", "give you": a verb
            j = i - 1
            while j >= 0 and j >= i - 3 and tokens[j] not in STOP and tokens[j] not in ",;:.()":
                j -= 1
            if j >= 0 and (tokens[j] in DETERMINERS or tokens[j] in (",", "as", "like", "of", "and", "or")):
                return True
    return False


def _kind(term: str) -> tuple[int, bool, bool]:
    """What a replacement must share: word count, plural last word, -ing last word."""
    last = term.split()[-1].lower()
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is", "ous"))
    return (len(term.split()), plural, last.endswith("ing"))


def _variant(a: str, b: str) -> bool:
    """'muscle' / 'muscles', 'leg size' / 'legs': too close to make a statement false."""
    wa, wb = a.lower().split(), b.lower().split()
    return any(x[:4] == y[:4] for x in wa for y in wb)


@dataclass(frozen=True)
class Draft:
    question: Question
    sentence: str
    term: str


class Generator:
    def __init__(self, article: Article) -> None:
        self.article = article
        if not article.sentences:
            article.sentences = split_sentences(article.text)
        self.terms = [t for t in keywords(article.text) if _noun_phrase(t, article.sentences)]
        rank = {t.lower(): i for i, t in enumerate(self.terms)}
        self.rank = rank
        lows = [s.lower() for s in article.sentences]
        self._contexts: dict[str, Counter[str]] = {}
        self.df = {t.lower(): sum(1 for s in lows if _find(t, s)) for t in self.terms}

    def usable(self, s: str) -> bool:
        n = len(s.split())
        return (
            MIN_WORDS <= n <= MAX_WORDS
            and not s.endswith("?")
            and not FIRST_PERSON.search(s)
            and not PRONOUN_START.match(s)
        )

    def pick(self, s: str, used: dict[str, int]) -> str | None:
        """The term to hide in ``s``: specific to it, well ranked, not already hidden twice."""
        best: tuple[float, str] | None = None
        for t in self.terms:
            m = _find(t, s)
            if m is None or used.get(t.lower(), 0) >= 2:
                continue
            exact = m.group(0)
            score = self.rank[t.lower()] / len(self.terms) + 0.5 * self.df[t.lower()] - 0.3 * (len(t.split()) - 1)
            if best is None or score < best[0]:
                best = (score, exact)
        return best[1] if best else None

    def context(self, term: str) -> Counter[str]:
        """The content words around ``term`` across the article (its distributional profile)."""
        key = term.lower()
        if key not in self._contexts:
            bag: Counter[str] = Counter()
            own = set(key.split())
            for x in self.article.sentences:
                for m in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", x, re.I):
                    left = re.findall(r"[\w'’-]+", x[: m.start()].lower())[-WINDOW:]
                    right = re.findall(r"[\w'’-]+", x[m.end() :].lower())[:WINDOW]
                    bag.update(w for w in left + right if w not in STOP and w not in own)
            self._contexts[key] = bag
        return self._contexts[key]

    def similarity(self, a: str, b: str) -> float:
        ca, cb = self.context(a), self.context(b)
        dot = sum(ca[w] * cb[w] for w in ca.keys() & cb.keys())
        norm = math.sqrt(sum(v * v for v in ca.values()) * sum(v * v for v in cb.values()))
        return dot / norm if norm else 0.0

    def same_kind(self, a: str, b: str) -> bool:
        """``b`` can stand where ``a`` stands: same shape and much the same words around it."""
        if _kind(a) != _kind(b) or _variant(a, b):
            return False
        shared = self.context(a).keys() & self.context(b).keys()
        return len(shared) >= 2 and self.similarity(a, b) >= MIN_SIMILARITY

    def swap(self, s: str) -> tuple[re.Match[str], str] | None:
        """A keyword of ``s`` and one of the same kind to put in its place, never seen with it."""
        best: tuple[float, re.Match[str], str] | None = None
        for term in self.terms:
            m = _find(term, s)
            if m is None:
                continue
            with_term = [x for x in self.article.sentences if _find(term, x)]
            for t in self.terms:
                if _find(t, s) or not self.same_kind(term, t) or any(_find(t, x) for x in with_term):
                    continue  # appearing together, the swap might still say something true
                sim = self.similarity(term, t)
                if best is None or sim > best[0]:
                    best = (sim, m, t)
        return (best[1], best[2]) if best else None

    def false_statement(self, s: str) -> tuple[str, str] | None:
        """``s`` made false, and why: a keyword swapped for one of its kind, else the verb negated."""
        found = self.swap(s)
        if found is not None:
            m, other = found
            new = _match_case(other, m.group(0), at_start=m.start() == 0)
            return f"{s[: m.start()]}{new}{s[m.end() :]}", f"The article says “{m.group(0)}” here, not “{new}”."
        flipped = negate(s)
        if flipped is not None:
            return flipped, "The article says the opposite."
        return None

    def drafts(self) -> list[Draft]:
        """One cloze and one true/false per usable sentence; about half the true/false ones false."""
        out: list[Draft] = []
        used: dict[str, int] = {}
        ids: set[str] = set()
        want_false = True
        for s in self.article.sentences:
            if not self.usable(s):
                continue
            term = self.pick(s, used)
            if term is None:
                continue
            used[term.lower()] = used.get(term.lower(), 0) + 1
            m = _find(term, s)
            assert m is not None
            base = slug(term, 32)
            text = f"{s[: m.start()]}{{{{{m.group(0)}}}}}{s[m.end() :]}"
            out.append(Draft(Question(id=unique(f"cloze-{base}", ids), type=QType.CLOZE, text=text, source=s), s, term))
            made = self.false_statement(s) if want_false else None
            tid = unique(f"tf-{base}", ids)
            if made is not None:
                q = Question(tid, QType.TRUE_FALSE, question=made[0], answer=False, explanation=made[1], source=s)
            else:
                q = Question(tid, QType.TRUE_FALSE, question=s, answer=True, source=s)
            out.append(Draft(q, s, term))
            want_false = made is None
        return out


_NEGATIONS = (
    (r"\b(is|are|was|were|does|do|did|will) not\b", r"\1"),
    (r"\bcannot\b", "can"),
    (r"\b(is|are|was|were|will)\b", r"\1 not"),
    (r"\bcan (still )?", "cannot "),
)


def negate(s: str) -> str | None:
    """``s`` with its one verb negated (or un-negated); None when that is not clear-cut.

    Only sentences with a single auxiliary are flipped, so the main clause is
    the one changed; hedged ones (may, might, could) are left alone, since
    "may not" does not contradict "may".
    """
    low = s.lower()
    if (
        "n't" in low
        or "n’t" in low
        or low.startswith("not only")
        or re.search(r"\b(may|might|could|would|should)\b", low)
    ):
        return None
    auxes = re.findall(r"\b(is|are|was|were|does|do|did|will|can|cannot)\b", low)
    if len(auxes) != 1:
        return None
    start = 0
    if SUBORDINATE.match(s):  # "While running can ..., it is": the verb to flip is after the comma
        start = s.find(",") + 1
        if start == 0 or not re.search(rf"\b{auxes[0]}\b", low[start:]):
            return None
    for pattern, repl in _NEGATIONS:
        new, n = re.subn(pattern, repl, s[start:], count=1)
        if n:
            return s[:start] + new
    return None


def _match_case(word: str, original: str, at_start: bool) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if at_start or original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word.lower() if not word[1:2].isupper() else word


def generate(path: Path, deck_id: str | None = None) -> tuple[Deck, dict[str, dict[str, object]]]:
    """A draft deck from the article at ``path`` and the ``x-draft`` marks for deckwrite."""
    article = read_article(path)
    gen = Generator(article)
    drafts = gen.drafts()
    if not drafts:
        raise LegquizError(
            f"{path}: found no sentence to make a question from "
            f"({len(article.sentences)} sentences; each needs {MIN_WORDS}-{MAX_WORDS} words and a keyword)"
        )
    did = deck_id or slug(path.stem) or "article"
    from legquiz.deckfile import validate as deckmod

    if not deckmod.DECK_ID.fullmatch(did):
        raise LegquizError(f"--id '{did}': use only lowercase letters, digits and '-'")
    d = Deck(
        id=did,
        title=f"{article.title} (draft)",
        questions=tuple(x.question for x in drafts),
        article=article.name,
        origin="user",
    )
    return d, {x.question.id: {"x-draft": True} for x in drafts}

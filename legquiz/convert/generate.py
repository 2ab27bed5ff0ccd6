"""Draft questions from an article, as a careful teacher would: cloze, multiple choice and true/false.

The article is prepared first (markup stripped, wrapped lines re-joined,
``textprep``); its terms are found with a part-of-speech tagger and ranked by
how central they are (``terms``); wrong answers come from the article itself
(``distractors``). From each sentence that stands on its own, one gap
question hides its most central noun phrase or amount (multiple choice when
the article offers two or more terms of the same kind, else a cloze with the
answers a reader would also type), and one true/false statement is either
the sentence or the sentence with one thing changed; about half are false,
and "not" shows up on both sides. Gap questions come first and statements
after, so the two drafts of one sentence are never next to each other.

Every draft keeps its sentence verbatim as ``source`` and is marked
``x-draft: true``: these are suggestions for a person to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from legquiz.convert.distractors import Distractors
from legquiz.convert.negation import Change, negate
from legquiz.convert.occurrences import Occurrence
from legquiz.convert.tagging import Token
from legquiz.convert.terms import DEFINING, TermIndex
from legquiz.convert.textprep import Article, read_article
from legquiz.core.model import Deck, QType, Question
from legquiz.deckfile.write import slug, unique
from legquiz.errors import LegquizError
from legquiz.text import counted, shown_path

MIN_WORDS, MAX_WORDS = 7, 45
MIN_SCORE = 2.75  # below this a term is too vague or too obvious to hide
# Words in a sentence's first clause that point back to an earlier sentence: "However, it ...", "During this stage".
POINTING = frozenset(
    """
    it its they them their this these those he she his her him such another here former latter
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
ECHO = 5  # a gap word whose first letters show elsewhere in the sentence is given away ("oceanic ... the oceans")
FIRST_PERSON = re.compile(r"\b(I|I'm|I’m|me|my|mine|we|our|us)\b")
CONNECTIVE = re.compile(
    r"^(However|Moreover|In addition|Also|But|And|So|Therefore|Thus|As a result|Instead|Similarly|In fact|Indeed|"
    r"Still|Yet|Finally|Overall|Even so|Of course|In short|In other words),\s+"
)
NEGATION = re.compile(r"\b(not|no|never|cannot|none|nor)\b|n['’]t\b", re.I)


@dataclass(frozen=True)
class Draft:
    question: Question
    sentence: int  # index of the article sentence it comes from
    kind: str  # "cloze", "multiple_choice", "true", or the kind of change that made it false
    number: bool = False  # the gap hides an amount


def stands_alone(tokens: tuple[Token, ...], text: str) -> bool:
    """The sentence makes sense without the one before: no pointing word before its main verb."""
    n = len(text.split())
    if not MIN_WORDS <= n <= MAX_WORDS or not text.endswith((".", "!", ".”", '."', ".)")) or FIRST_PERSON.search(text):
        return False
    if re.search(r"\b(read more|learn more|see the|click)\b", text, re.I):
        return False  # about the page, not the subject
    if re.match(r"(The|A) (first|second|third|latter|former|other|last|next) (is|are|was|were|one)\b", text):
        return False  # "The second is rapid eye movement sleep": the second of what?
    for k, t in enumerate(tokens):
        demonstrative = t.low in ("this", "these", "those") and k + 1 < len(tokens) and tokens[k + 1].noun
        if demonstrative and not re.search(rf"\b{re.escape(tokens[k + 1].low[:5])}", text[: t.start].lower()):
            return False  # "during this stage": which stage?
    seen_comma = False
    for k, t in enumerate(tokens):
        if t.word in (",", ";", ":") and k and any(x.tag in ("VBZ", "VBP", "VBD", "MD") for x in tokens[:k]):
            return True  # the first clause, verb and all, is read
        alone = k + 1 < len(tokens) and (tokens[k + 1].tag.startswith(("VB", "MD")) or tokens[k + 1].low == "of")
        if t.low in ("some", "others", "other", "both", "many", "most", "all", "one") and alone:
            return False  # "Some is joined ...", "Others contain ...": some of what?
        pointing_that = (
            t.low in ("that", "those")
            and k + 1 < len(tokens)
            and tokens[k + 1].noun
            and (k == 0 or tokens[k - 1].tag.startswith(("IN", "VB")))
        )
        own = t.low in ("its", "their", "his", "her") and any(x.noun for x in tokens[:k])
        if (t.low in POINTING and not own) or pointing_that:  # "that rate", not "the idea that continents move"
            return False  # ("its" after a noun of the same sentence is that noun's: "a bee sucks ... with its tongue")
        if t.low == "there" and k and tokens[k - 1].noun:
            return False  # "the plates there": where?
        seen_comma = seen_comma or t.word == ","
    return True


def given_away(text: str, o: Occurrence) -> bool:
    """A word of the sentence outside the gap starts like a word in it: "Oceanic crust lies under the {{oceans}}"."""
    inside = {w.lower()[:ECHO] for w in re.findall(rf"[A-Za-z]{{{ECHO},}}", o.text)}
    outside = {w.lower()[:ECHO] for w in re.findall(rf"[A-Za-z]{{{ECHO},}}", text[: o.start] + " " + text[o.end :])}
    return bool(inside & outside)


def plain_statement(text: str) -> str:
    """``text`` without a leading "However," or "Also,": a statement judged on its own needs no link to the last one."""
    m = CONNECTIVE.match(text)
    if not m:
        return text
    rest = text[m.end() :]
    return rest[:1].upper() + rest[1:] if not re.match(r"[A-Z]{2}|[A-Z][a-z]*[A-Z]", rest) else rest


def same_clause(swapped: str, negated: str) -> bool:
    """The "not" lands before the swapped term, with no clause boundary between: "X does not need Y" is
    then true exactly when the swap made "X needs Y" false."""
    at = next((k for k, (a, b) in enumerate(zip(swapped, negated, strict=False)) if a != b), len(swapped))
    # The swap's place: where the swapped text differs from the article's words is not known here, so
    # require one clause from the "not" to the end of the sentence.
    return not re.search(r"[,;:]|\b(which|that|who|because|while|when|and)\b", negated[at:])


def statement_id(text: str, ids: set[str]) -> str:
    return unique("tf-" + (slug(" ".join(re.findall(r"[\w-]+", plain_statement(text))[:5]), 32) or "statement"), ids)


def balanced(statements: list[Draft]) -> list[Draft]:
    """Drop plain true statements (the sentence as written, the least telling drafts) while "has a not, so
    false" would answer more than 65 % of them, as long as no more than 60 % are then false."""
    out = list(statements)

    def rule(ds: list[Draft]) -> float:
        return sum((NEGATION.search(d.question.question) is not None) == (d.question.answer is False) for d in ds)

    plain = [d for d in out if d.kind == "true" and not NEGATION.search(d.question.question)]
    for d in plain[1::2] + plain[::2]:
        false = sum(x.question.answer is False for x in out)
        if rule(out) <= 0.65 * len(out) or false > 0.6 * (len(out) - 1):
            break
        out.remove(d)
    return out


class Generator:
    def __init__(self, article: Article) -> None:
        self.article = article
        self.index = TermIndex(article)
        self.wrong = Distractors(self.index)
        self.tokens = self.index.tokens

    def usable(self, i: int) -> bool:
        return stands_alone(self.tokens[i], self.article.sentences[i].text)

    def gap(self, i: int, used: dict[str, int]) -> Occurrence | None:
        """The term or amount to hide: central to the article, said once here, late in the sentence if possible."""
        text = self.article.sentences[i].text
        verb = next((t.start for t in self.tokens[i] if t.tag in ("VBZ", "VBP", "VBD", "MD")), 0)
        best: tuple[float, Occurrence] | None = None
        keys = [o.key for o in self.index.occurrences[i]]
        for o in self.index.occurrences[i]:
            if keys.count(o.key) > 1 or text.lower().count(o.text.lower()) > 1:
                continue
            if o.number is not None:
                score = 3.0 if o.unit else 0.0
            else:
                score = self.index.centrality(o.key)
                if any(o.key != k and (o.key in k or k in o.key) for k in keys):
                    score -= 1.0  # "sleep" next to "REM sleep": one gives the other away
            if o.ranged or given_away(text, o):
                continue
            after = next((t for t in self.tokens[i] if t.start >= o.end), None)
            before = [t for t in self.tokens[i] if t.end <= o.start and t.tag not in ("DT", "JJ", "CD", "PRP$", "POS")]
            in_phrase = bool(before) and before[-1].tag in ("IN", "TO")  # "In 1517,", "Around the core"
            if (o.start < verb and not in_phrase) or (after is not None and after.tag in ("VBZ", "VBP", "VBD", "MD")):
                score -= 1.5  # a subject: what the sentence is about, not what it says
            elif o.start >= verb and o is next(x for x in self.index.occurrences[i] if x.start >= verb):
                score += 0.75  # the first phrase after the verb: the news of the sentence
            if self.wrong.choices(i, o, record=False):
                score += 0.5  # the article offers wrong answers of its kind: a multiple-choice question
            if DEFINING.search(text[: o.start]):
                score += 1.0  # "an enzyme called invertase": the sentence that names the term
            score -= 1.5 * used.get(o.key, 0)
            if score >= MIN_SCORE and (best is None or score > best[0]):
                best = (score, o)
        return best[1] if best else None

    def gap_question(self, i: int, o: Occurrence, ids: set[str]) -> Draft:
        s = self.article.sentences[i]
        text = s.text
        wrong = self.wrong.choices(i, o)
        base = slug(o.text, 32) or "term"
        if wrong:
            stem = plain_statement(text[: o.start] + "_____" + text[o.end :])
            numeric = o.number is not None and all(re.fullmatch(r"[\d,.]+", c) for c in [o.text, *wrong])
            choices = tuple(sorted([o.text, *wrong], key=lambda c: float(c.replace(",", "")) if numeric else c.lower()))
            q = Question(
                unique(f"mc-{base}", ids),
                QType.MULTIPLE_CHOICE,
                question=stem,
                answer=o.text,
                choices=choices,
                source=s.source,
            )
            return Draft(q, i, "multiple_choice", o.number is not None)
        cloze = text[: o.start] + "{{" + text[o.start : o.end] + "}}" + text[o.end :]
        aliases = tuple(self.index.aliases(o))
        q = Question(unique(f"cloze-{base}", ids), QType.CLOZE, text=cloze, aliases=aliases, source=s.source)
        return Draft(q, i, "cloze", o.number is not None)

    def changes(self, i: int) -> list[Change]:
        """Every way found to make sentence ``i`` false, the surest first; negation last."""
        found = [self.wrong.swap(i), self.wrong.number(i), self.wrong.order(i), self.wrong.antonym(i, self.tokens[i])]
        neg = negate(self.article.sentences[i].text, self.tokens[i])
        return [c for c in [*found, neg] if c is not None]

    def drafts(self) -> list[Draft]:
        """A gap question and a true/false statement per sentence that stands alone; about half the statements false."""
        usable = [i for i in range(len(self.article.sentences)) if self.usable(i)]
        ids: set[str] = set()
        used: dict[str, int] = {}
        gaps: list[Draft] = []
        for i in usable:
            o = self.gap(i, used)
            if o is not None:
                used[o.key] = used.get(o.key, 0) + 1
                gaps.append(self.gap_question(i, o, ids))
        gaps = self.more_choices(usable, gaps, ids)
        return gaps + self.statements(usable, ids)

    def more_choices(self, usable: list[int], gaps: list[Draft], ids: set[str]) -> list[Draft]:
        """At least one multiple-choice question per 150 words where the article allows: a cloze whose
        sentence holds another term or amount with wrong answers of its kind becomes that question."""
        want = self.article.words / 150
        have = sum(d.kind == "multiple_choice" for d in gaps)
        by_sentence = {d.sentence: n for n, d in enumerate(gaps)}
        for i in usable:
            if have >= want:
                break
            n = by_sentence.get(i)
            if n is not None and gaps[n].kind == "multiple_choice":
                continue
            for o in self.index.occurrences[i]:
                central = o.number is not None or self.index.centrality(o.key) >= 1.5
                text = self.article.sentences[i].text
                if not central or o.ranged or given_away(text, o) or not self.wrong.choices(i, o, record=False):
                    continue
                if n is None:
                    gaps.append(self.gap_question(i, o, ids))
                else:
                    ids.discard(gaps[n].question.id)
                    gaps[n] = self.gap_question(i, o, ids)
                have += 1
                break
        return sorted(gaps, key=lambda d: d.sentence)

    def negated_true(self, options: list[Change]) -> Change | None:
        """A true statement with a "not" in it: a term swapped (or an antonym put in) and the verb negated,
        "The bones of the legs are not paralysed"; only when the "not" governs the swap."""
        for c in options:
            if c.kind in ("swap", "antonym"):
                flipped = negate(c.text, self._tag(c.text))
                if flipped is not None and flipped.negated and same_clause(c.text, flipped.text):
                    return Change("true", flipped.text, c.explanation.replace(" here, not ", ", not "), True)
        return None

    def statements(self, usable: list[int], ids: set[str]) -> list[Draft]:
        """About half false; changes other than an added "not" first, and some true statements with a
        "not" of their own, so that "has a not" does not give the answer away."""
        options = {i: self.changes(i) for i in usable}
        with_not = {
            i: c
            for i in usable
            if not NEGATION.search(self.article.sentences[i].text)
            for c in [self.negated_true(options[i])]
            if c
        }
        # A sentence that has a "not" of its own stays true: the surest true statement with a negation in it.
        natural = {i for i in usable if NEGATION.search(self.article.sentences[i].text)}
        keep_true = natural | set(list(with_not)[1::3][: len(usable) // 6])
        plain = [
            i for i in usable if i not in keep_true and any(c.kind != "negation" or not c.negated for c in options[i])
        ]
        negation_only = [i for i in usable if options[i] and i not in plain and i not in keep_true]
        want = round(0.5 * len(usable))
        if len(plain) > want:
            plain = [plain[round(k * len(plain) / want)] for k in range(want)]
        make_false = set(plain) | set(negation_only[: max(0, min(want - len(plain), len(usable) // 5))])
        out: list[Draft] = []
        kinds_used: dict[str, int] = {}
        for i in usable:
            s = self.article.sentences[i]
            if i in make_false:
                change = min(options[i], key=lambda c: (c.negated, kinds_used.get(c.kind, 0)))
                qid = statement_id(change.text, ids)  # named by what it says, so the id does not correct it
                kinds_used[change.kind] = kinds_used.get(change.kind, 0) + 1
                q = Question(
                    qid,
                    QType.TRUE_FALSE,
                    question=plain_statement(change.text),
                    answer=False,
                    explanation=change.explanation,
                    source=s.source,
                )
                out.append(Draft(q, i, change.kind))
                continue
            statement, why = (
                (with_not[i].text, with_not[i].explanation) if i in with_not and i in keep_true else (s.text, "")
            )
            qid = statement_id(statement, ids)
            q = Question(
                qid,
                QType.TRUE_FALSE,
                question=plain_statement(statement),
                answer=True,
                explanation=why,
                source=s.source,
            )
            out.append(Draft(q, i, "true"))
        return balanced(out)

    @staticmethod
    def _tag(text: str) -> tuple[Token, ...]:
        from legquiz.convert.tagging import tag

        return tag(text)


def generate(path: Path, deck_id: str | None = None) -> tuple[Deck, dict[str, dict[str, object]]]:
    """A draft deck from the article at ``path`` and the ``x-draft`` marks for the deck writer."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:  # a byte that is not UTF-8: the deck's `article:` could not name the file
        raise LegquizError(
            f"{shown_path(path)}: the file name is not valid UTF-8, and a deck names its article by file name; "
            "rename the file"
        ) from None
    article = read_article(path)
    drafts = Generator(article).drafts() if article.sentences else []
    if not drafts:
        raise LegquizError(
            f"{path}: found no sentence to make a question from "
            f"({counted(len(article.sentences), 'sentence')}; each needs {MIN_WORDS}-{MAX_WORDS} words and a term worth asking about)"
        )
    did = deck_id or slug(path.stem) or "article"
    from legquiz.deckfile.validate import DECK_ID

    if not DECK_ID.fullmatch(did):
        raise LegquizError(f"--id '{did}': use only lowercase letters, digits and '-'")
    d = Deck(
        id=did,
        title=f"{article.title} (draft)",
        questions=tuple(x.question for x in drafts),
        article=article.name,
        origin="user",
    )
    return d, {x.question.id: {"x-draft": True} for x in drafts}

"""The shipped decks: valid, big enough, every type used, every source quoted exactly.

Every sentence a question quotes (``source`` and each of ``sources``) must be
a whole sentence copied from its article (the copy in legquiz/articles/),
compared after collapsing whitespace: so the "where does this come from"
lines shown after each answer never misquote, and a comparison question
quotes every article it makes a claim about.

The rest guards what a careful teacher fixed in issue 17: the right choice is
rarely the longest one (a test-wise guess), every typed answer and one-gap
cloze accepts what a reader of the article would type, and the themes a
re-review found missing (the evidence each article rests on, the intensity of
each activity) stay covered.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from legquiz.cli import cli
from legquiz.core.grading import Verdict, grade
from legquiz.core.model import Deck, QType, Question
from legquiz.deckfile import validate as deck
from legquiz.storage import paths

REPO = Path(__file__).resolve().parent.parent
DECK_FILES = sorted(paths.shipped_decks_dir().glob("*.yaml"))
ARTICLES = {"does-running-get-you-bigger-legs.txt", "does-jogging-make-your-legs-bigger.txt"}
COMPARISON = "running-vs-jogging"
SENTENCE_END = re.compile(r"[.!?][\"'”’)]?$")
MAX_LONGEST_SHARE = 0.30  # a guesser who always picks the longest choice should do little better than chance


def collapse(text: str) -> str:
    return " ".join(text.split())


def paragraphs(article: str) -> list[str]:
    """The article's paragraphs (one per line in the text files), whitespace collapsed."""
    text = (paths.articles_dir() / article).read_text(encoding="utf-8")
    return [collapse(line) for line in text.splitlines() if line.strip()]


def is_sentence_of(source: str, paras: list[str]) -> bool:
    """``source`` occurs in one paragraph, starting and ending where sentences do."""
    if not SENTENCE_END.search(source):
        return False
    for para in paras:
        start = para.find(source)
        while start >= 0:
            before, after = para[:start], para[start + len(source) :]
            if (before == "" or re.search(r"[.!?:][\"'”’)]? $", before)) and (after == "" or after.startswith(" ")):
                return True
            start = para.find(source, start + 1)
    return False


@pytest.fixture(scope="module")
def decks() -> list[Deck]:
    return [deck.load(p, origin="shipped") for p in DECK_FILES]


def test_shipped_decks_are_the_repo_decks() -> None:
    assert [p.name for p in DECK_FILES] == sorted(p.name for p in (REPO / "decks").glob("*.yaml"))
    assert len(DECK_FILES) >= 3


def test_deck_validate_reports_all_valid() -> None:
    result = CliRunner().invoke(cli, ["deck", "validate", *map(str, DECK_FILES)], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == len(DECK_FILES)
    assert all(": ok: deck '" in line for line in result.stdout.splitlines())


def test_enough_questions_of_every_type(decks: list[Deck]) -> None:
    kinds = Counter(q.type for d in decks for q in d.questions)
    assert sum(kinds.values()) >= 45
    assert all(kinds[t] >= 5 for t in QType), kinds


def test_deck_ids_are_unique(decks: list[Deck]) -> None:
    ids = [d.id for d in decks]
    assert len(ids) == len(set(ids))


def test_every_question_has_an_explanation_and_quotes_a_known_article(decks: list[Deck]) -> None:
    for d in decks:
        for q in d.questions:
            assert q.explanation.strip(), f"{d.path}:{q.line}: {q.id} has no explanation"
            cited = [name for name, _text in d.citations(q)]
            assert cited and set(cited) <= ARTICLES, f"{d.path}:{q.line}: {q.id} quotes {cited}"


def test_every_source_is_a_sentence_of_its_article(decks: list[Deck]) -> None:
    paras = {name: paragraphs(name) for name in ARTICLES}
    bad = [
        f"{d.path}:{q.line}: {q.id}: {text!r}"
        for d in decks
        for q in d.questions
        for name, text in d.citations(q)
        if not is_sentence_of(collapse(text), paras[name or ""])
    ]
    assert bad == []


def test_sentence_check_can_fail() -> None:
    paras = paragraphs("does-running-get-you-bigger-legs.txt")
    good = "This stress can cause micro-tears in the muscle fibers, which then repair and rebuild themselves stronger and larger than before."
    assert is_sentence_of(good, paras)
    assert not is_sentence_of(good.replace("micro-tears", "microtears"), paras)  # not verbatim
    assert not is_sentence_of(good[len("This ") :], paras)  # starts mid-sentence
    assert not is_sentence_of(good[: -len(" than before.")], paras)  # stops mid-sentence
    assert not is_sentence_of("Does running get you bigger legs?", paragraphs("does-jogging-make-your-legs-bigger.txt"))


def test_comparison_deck_draws_on_both_articles(decks: list[Deck]) -> None:
    comparison = next((d for d in decks if d.id == COMPARISON), None)
    assert comparison is not None
    assert {name for q in comparison.questions for name, _text in comparison.citations(q)} == ARTICLES
    both = [
        q for q in comparison.questions if "running article" in q.prompt_text and "jogging article" in q.prompt_text
    ]
    assert both, "no question asks about the two articles side by side"


def test_single_article_decks_stick_to_their_article(decks: list[Deck]) -> None:
    singles = [d for d in decks if d.id != COMPARISON]
    assert sorted(d.article or "" for d in singles) == sorted(ARTICLES)
    for d in singles:
        assert all(name == d.article for q in d.questions for name, _text in d.citations(q))


# How a question names the articles it speaks of; "both articles", "each author" etc. speak of the two.
NAMES = {
    "does-running-get-you-bigger-legs.txt": re.compile(r"\brunning (article|author)", re.I),
    "does-jogging-make-your-legs-bigger.txt": re.compile(r"\bjogging (article|author)", re.I),
}
EVERY = re.compile(r"\b(both|each|neither|two) (article|author)s?\b", re.I)


def spoken_of(q: Question) -> set[str]:
    """The articles a question makes a claim about, in its prompt, choices, answer or explanation."""
    words = " ".join([q.prompt_text, *q.choices, q.answer_text, q.explanation])
    if EVERY.search(words):
        return set(NAMES)
    return {name for name, pattern in NAMES.items() if pattern.search(words)}


def uncited(d: Deck, q: Question) -> set[str]:
    return spoken_of(q) - {name for name, _text in d.citations(q)}


def test_the_citation_check_can_fail() -> None:
    running, jogging = sorted(NAMES, reverse=True)
    q = Question(
        id="q",
        type=QType.TRUE_FALSE,
        question="Both articles name genetics.",
        answer=True,
        source="x.",
        article=running,
    )
    d = Deck(id="d", title="D", questions=(q,))
    assert uncited(d, q) == {jogging}
    both = Question(id="q", type=QType.TRUE_FALSE, question="Both articles name genetics.", answer=True,
                    sources=((running, "x."), (jogging, "y.")))  # fmt: skip
    assert uncited(d, both) == set()
    assert spoken_of(Question(id="q", type=QType.FLASHCARD, question="What does the jogging article say?")) == {jogging}


def test_comparison_questions_cite_every_article_they_speak_of(decks: list[Deck]) -> None:
    comparison = next(d for d in decks if d.id == COMPARISON)
    missing = {q.id: sorted(uncited(comparison, q)) for q in comparison.questions if uncited(comparison, q)}
    assert missing == {}
    assert sum(len(spoken_of(q)) == 2 for q in comparison.questions) >= 10


def test_article_copies_match_the_shared_originals() -> None:
    shared = REPO.parent / "shared" / "articles"
    if not shared.is_dir():
        pytest.skip("no ../shared/articles beside this checkout")
    for name in ARTICLES:
        assert (paths.articles_dir() / name).read_bytes() == (shared / name).read_bytes()


def answer_is_longest(q: Question) -> bool:
    """The right choice is strictly longer than every other choice: a test-wise learner's favourite guess."""
    return all(len(str(q.answer)) > len(c) for c in q.choices if c != q.answer)


def test_longest_check_can_fail() -> None:
    def mc(answer: str, *others: str) -> Question:
        return Question(id="q", type=QType.MULTIPLE_CHOICE, question="?", answer=answer, choices=(answer, *others))

    assert answer_is_longest(mc("A long right answer", "Short", "Shorter"))
    assert not answer_is_longest(mc("Tie", "Eq."))  # equal length is no tell
    assert not answer_is_longest(mc("Short", "A much longer wrong answer"))


def test_right_choice_is_rarely_the_longest(decks: list[Deck]) -> None:
    mcs = [(d.id, q) for d in decks for q in d.questions if q.type is QType.MULTIPLE_CHOICE]
    longest = [f"{deck_id}/{q.id}" for deck_id, q in mcs if answer_is_longest(q)]
    assert len(mcs) >= 10
    assert len(longest) <= MAX_LONGEST_SHARE * len(mcs), f"{len(longest)} of {len(mcs)}: {longest}"


def test_typed_answers_and_single_gaps_have_aliases(decks: list[Deck]) -> None:
    bare = [
        f"{d.id}/{q.id}"
        for d in decks
        for q in d.questions
        if (q.type is QType.TYPED or (q.type is QType.CLOZE and len(q.gaps) == 1)) and not q.aliases
    ]
    assert bare == []


# What a reader of the article would type, in the article's own words (issue 17's review found these graded wrong).
READER_ANSWERS = [
    ("jogging-legs-bigger", "aerobic-energy-system", "aerobic energy system"),
    ("jogging-legs-bigger", "resistance-training-recommended", "strength training"),
    ("jogging-legs-bigger", "leaner-appearance", "more toned"),
    ("running-bigger-legs", "rest-and-recovery", "rest"),
    ("running-bigger-legs", "micro-tears", "microscopic damage"),
    ("running-bigger-legs", "defined-legs", "toned"),
    ("running-vs-jogging", "both-recommend-strength-training", "resistance training"),
    ("running-vs-jogging", "both-endurance", "stamina"),
    ("running-vs-jogging", "intensity-contrast", "high impact"),
]


def accepted_answers(q: Question) -> list[str]:
    """What the session accepts for a typed question or a one-gap cloze."""
    return [q.gaps[0] if q.type is QType.CLOZE else str(q.answer), *q.aliases]


@pytest.mark.parametrize(("deck_id", "question_id", "typed"), READER_ANSWERS)
def test_reader_answers_are_accepted(decks: list[Deck], deck_id: str, question_id: str, typed: str) -> None:
    q = next(q for d in decks if d.id == deck_id for q in d.questions if q.id == question_id)
    assert grade(typed, accepted_answers(q)).verdict is Verdict.RIGHT


def test_evidence_and_intensity_themes_are_covered(decks: list[Deck]) -> None:
    """Each article's kind of evidence and its activity's intensity, which partly explain why they disagree."""
    by_id = {d.id: d for d in decks}

    def sources(deck_id: str) -> str:
        d = by_id[deck_id]
        return " ".join(text for q in d.questions for _name, text in d.citations(q))

    def texts(deck_id: str) -> str:
        return " ".join(f"{q.prompt_text} {q.answer_text}" for q in by_id[deck_id].questions)

    assert "firsthand" in sources("running-bigger-legs") and "firsthand" in texts("running-bigger-legs")
    assert "mechanical stress" in sources("jogging-legs-bigger")
    assert "high-impact" in texts("running-bigger-legs") and "aerobic" in texts("jogging-legs-bigger")
    comparison = texts(COMPARISON)
    assert "personal experience" in comparison and "mechanism" in comparison
    assert "high-impact" in comparison and "aerobic" in comparison

"""The shipped decks: valid, big enough, every type used, every source quoted exactly.

A question's ``source`` must be a whole sentence copied from its article (the
copy in legquiz/articles/), compared after collapsing whitespace: so the
"where does this come from" line shown after each answer never misquotes.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from legquiz.cli import cli
from legquiz.core.model import Deck, QType
from legquiz.deckfile import validate as deck
from legquiz.storage import paths

REPO = Path(__file__).resolve().parent.parent
DECK_FILES = sorted(paths.shipped_decks_dir().glob("*.yaml"))
ARTICLES = {"does-running-get-you-bigger-legs.txt", "does-jogging-make-your-legs-bigger.txt"}
COMPARISON = "running-vs-jogging"
SENTENCE_END = re.compile(r"[.!?][\"'”’)]?$")


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


def test_every_question_has_an_explanation_and_a_known_article(decks: list[Deck]) -> None:
    for d in decks:
        for q in d.questions:
            assert q.explanation.strip(), f"{d.path}:{q.line}: {q.id} has no explanation"
            assert d.article_for(q) in ARTICLES, f"{d.path}:{q.line}: {q.id} names no shipped article"


def test_every_source_is_a_sentence_of_its_article(decks: list[Deck]) -> None:
    paras = {name: paragraphs(name) for name in ARTICLES}
    bad = [
        f"{d.path}:{q.line}: {q.id}: {q.source!r}"
        for d in decks
        for q in d.questions
        if not is_sentence_of(collapse(q.source), paras[d.article_for(q) or ""])
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
    assert {comparison.article_for(q) for q in comparison.questions} == ARTICLES
    both = [
        q for q in comparison.questions if "running article" in q.prompt_text and "jogging article" in q.prompt_text
    ]
    assert both, "no question asks about the two articles side by side"


def test_single_article_decks_stick_to_their_article(decks: list[Deck]) -> None:
    singles = [d for d in decks if d.id != COMPARISON]
    assert sorted(d.article or "" for d in singles) == sorted(ARTICLES)
    for d in singles:
        assert all(d.article_for(q) == d.article for q in d.questions)


def test_article_copies_match_the_shared_originals() -> None:
    shared = REPO.parent / "shared" / "articles"
    if not shared.is_dir():
        pytest.skip("no ../shared/articles beside this checkout")
    for name in ARTICLES:
        assert (paths.articles_dir() / name).read_bytes() == (shared / name).read_bytes()

"""The review history and schedule of an Anki package, imported: checked against what Anki reports."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from anki_corpus import Corpus, cards_in
from clikit import legquiz

from legquiz.convert.anki_notes import question_id
from legquiz.core.cards import DUE, STATE
from legquiz.core.progress import StoreState, apply
from legquiz.srs.fitting import from_log
from legquiz.storage.store import LOG, Store, log_records, read

SUSPENDED, NEW = -1, 0


def _key(corpus: Corpus, cid: int) -> str:
    facts = corpus.cards[cid]
    deck = "legs-muscles" if facts.deck == "Legs::Muscles" else "legs"
    return f"{deck}/{question_id(facts.guid, facts.ord)}"


def _imported(corpus: Corpus, kind: str) -> dict[int, str]:
    """Anki card id -> legquiz card key, for the cards of the package that make a question and are not suspended."""
    skipped = {corpus.guids[n] for n in ("empty-back", "media-front", "markup-back")}
    cards = cards_in(corpus, kind)
    return {cid: _key(corpus, cid) for cid, f in cards.items() if f.guid not in skipped and f.queue != SUSPENDED}


@pytest.mark.parametrize("kind", ["legacy", "current", "colpkg"])
def test_reviews_and_due_dates_as_anki_has_them(anki_corpus: Corpus, legquiz_home: Path, kind: str) -> None:
    src = {"legacy": anki_corpus.legacy, "current": anki_corpus.current, "colpkg": anki_corpus.colpkg}[kind]
    r = legquiz("import", "anki", src)
    assert r.code == 0, r.err
    assert "1 card(s) skipped: suspended in Anki" in r.err
    cards = _imported(anki_corpus, kind)
    expected_reviews = sum(len(anki_corpus.cards[cid].reviews) for cid in cards)
    assert f"Imported {expected_reviews} Anki reviews of " in r.out
    recs = log_records(legquiz_home)
    assert {rec["op"] for rec in recs} == {"import"} and {rec["ext_from"] for rec in recs} == {"anki"}
    state = read(legquiz_home).state
    for cid, key in cards.items():
        facts = anki_corpus.cards[cid]
        assert [rec["ext_id"] for rec in recs if rec["card"] == key] == facts.reviews, key
        if facts.type == NEW:
            assert key not in state.cards  # never answered: still new
            continue
        row = state.cards[key]
        due = datetime.fromisoformat(row[DUE])
        if facts.due > 1_000_000_000:  # learning: a Unix time
            assert due == datetime.fromtimestamp(facts.due, timezone.utc)
        else:  # review: a day number from the collection's creation day
            assert due == datetime.fromtimestamp(anki_corpus.crt + facts.due * 86_400, timezone.utc)
        assert row[STATE] == facts.type  # Anki's card types are FSRS's states: learning, review, relearning
    stats = json.loads(legquiz("stats", "--json").out)
    assert stats["totals"]["reviews_total"] == expected_reviews
    by_deck = {d["id"]: d for d in stats["decks"]}
    assert by_deck["legs-muscles"]["new"] == sum(
        1 for cid, k in cards.items() if k.startswith("legs-muscles/") and anki_corpus.cards[cid].type == NEW
    )


def test_second_import_adds_nothing_and_force_keeps_every_review(anki_corpus: Corpus, legquiz_home: Path) -> None:
    assert legquiz("import", "anki", anki_corpus.current).code == 0
    log = (legquiz_home / LOG).read_bytes()
    again = legquiz("import", "anki", anki_corpus.legacy, "--force")  # the same collection, the other format
    assert again.code == 0, again.err
    assert "Imported 0 Anki reviews of 0 cards (" in again.out and "already imported" in again.out
    assert (legquiz_home / LOG).read_bytes() == log
    assert json.loads(legquiz("stats", "--json").out)["totals"]["reviews_total"] == log.count(b"\n")


def test_no_progress_writes_no_review(anki_corpus: Corpus, legquiz_home: Path) -> None:
    assert legquiz("import", "anki", anki_corpus.current, "--no-progress").code == 0
    assert not (legquiz_home / LOG).exists() or (legquiz_home / LOG).read_bytes() == b""


def test_imported_answers_cannot_be_undone_and_optimize_sees_them(anki_corpus: Corpus, legquiz_home: Path) -> None:
    assert legquiz("import", "anki", anki_corpus.current).code == 0
    r = legquiz("undo")
    assert r.code == 1 and "nothing to undo" in r.err
    recs = log_records(legquiz_home)
    assert len(from_log(recs)) == len(recs)


def test_import_records_checked_and_replayed_like_answers(anki_corpus: Corpus, legquiz_home: Path) -> None:
    assert legquiz("import", "anki", anki_corpus.current).code == 0
    recs = log_records(legquiz_home)
    replayed = StoreState()
    for rec in recs:
        apply(replayed, rec)
    assert replayed.cards == read(legquiz_home).state.cards and replayed.undo == []
    bad = {k: v for k, v in recs[0].items() if k not in ("seq", "ext_id")}
    with Store.open(legquiz_home) as st, pytest.raises(ValueError, match="ext_id"):
        st.append_many([bad])
    assert log_records(legquiz_home) == recs  # nothing written
    assert legquiz("doctor").code == 0

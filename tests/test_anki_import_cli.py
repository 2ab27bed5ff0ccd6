"""``legquiz import anki`` with packages written by the real Anki library: decks, ids, re-import, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from anki_corpus import Corpus
from clikit import MINI, legquiz, snapshot

from legquiz.convert.anki_notes import question_id
from legquiz.core.model import QType
from legquiz.deckfile import validate as deckmod


@pytest.mark.parametrize("kind", ["legacy", "current", "colpkg"])
def test_one_deck_per_anki_deck(anki_corpus: Corpus, legquiz_home: Path, tmp_path: Path, kind: str) -> None:
    src = {"legacy": anki_corpus.legacy, "current": anki_corpus.current, "colpkg": anki_corpus.colpkg}[kind]
    f = tmp_path / "Legs.bin"  # told by its content, not its name
    f.write_bytes(src.read_bytes())
    r = legquiz("import", "anki", f, "--no-progress")
    assert r.code == 0, r.err
    assert "2 media file(s) (pictures, sounds) not imported" in r.err
    assert "2 card(s) skipped: its back is empty" in r.err
    muscles = deckmod.load(legquiz_home / "decks" / "legs-muscles.yaml")
    legs = deckmod.load(legquiz_home / "decks" / "legs.yaml")
    assert (muscles.title, legs.title) == ("Legs › Muscles", "Legs")
    in_filtered_deck = 1 if kind == "colpkg" else 0  # a deck package leaves out the card in a filtered deck
    assert len(muscles.questions) == 9 + in_filtered_deck and len(legs.questions) == 2  # one suspended: skipped
    assert legquiz("deck", "validate", legquiz_home / "decks" / "legs-muscles.yaml").code == 0
    cloze = {q.id: q for q in muscles.questions}[question_id(anki_corpus.guids["cloze"], 1)]
    assert (cloze.type, cloze.gaps) == (QType.CLOZE, ("lunges",))


def test_deck_id_puts_everything_in_one_deck(anki_corpus: Corpus, legquiz_home: Path) -> None:
    r = legquiz(
        "import", "anki", anki_corpus.current, "--deck-id", "from-anki", "--title", "From Anki", "--no-progress"
    )
    assert r.code == 0, r.err
    d = deckmod.load(legquiz_home / "decks" / "from-anki.yaml")
    assert (d.title, len(d.questions)) == ("From Anki", 11)
    assert not (legquiz_home / "decks" / "legs.yaml").exists()


def test_reimport_needs_force_and_keeps_ids(anki_corpus: Corpus, legquiz_home: Path) -> None:
    assert legquiz("import", "anki", anki_corpus.current, "--no-progress").code == 0
    before = deckmod.load(legquiz_home / "decks" / "legs-muscles.yaml").question_ids()
    again = legquiz("import", "anki", anki_corpus.legacy, "--no-progress")
    assert again.code == 1 and "was imported before; add --force" in again.err
    assert str(anki_corpus.legacy) in again.err
    assert legquiz("import", "anki", anki_corpus.legacy, "--force", "--no-progress").code == 0
    assert deckmod.load(legquiz_home / "decks" / "legs-muscles.yaml").question_ids() == before


def test_unrelated_deck_with_the_same_id_is_never_replaced(
    anki_corpus: Corpus, legquiz_home: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(MINI.replace("id: mini", "id: legs"), "utf-8")
    assert legquiz("deck", "add", mine).code == 0
    before = snapshot(legquiz_home)
    for extra in ([], ["--force"]):
        r = legquiz("import", "anki", anki_corpus.current, *extra)
        assert r.code == 1
        assert "deck id 'legs' (for Anki deck 'Legs') is taken by another of your decks" in r.err
        assert "--deck-id" in r.err and "--force" not in r.err.splitlines()[-1]
        assert str(anki_corpus.current) in r.err.splitlines()[-1] and "mine.yaml" not in r.err
        assert snapshot(legquiz_home) == before


def test_bad_package_changes_nothing(legquiz_home: Path, tmp_path: Path) -> None:
    assert legquiz("import", "anki", tmp_path / "missing.apkg").code == 1
    bad = tmp_path / "bad.apkg"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("collection.anki21", b"SQLite format 3\0" + b"\x01" * 4096)
    before = snapshot(legquiz_home)
    r = legquiz("import", "anki", bad)
    assert r.code == 1 and r.err.count("\n") == 1 and r.err.startswith(f"legquiz: {bad}: ")
    assert "Traceback" not in r.err
    assert snapshot(legquiz_home) == before

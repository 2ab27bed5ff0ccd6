"""Reading Anki packages (.apkg legacy and current, .colpkg) written by the real Anki library."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from anki_corpus import SQLISH, Corpus, cards_in

from legquiz.convert import anki_notes, anki_package
from legquiz.core.model import QType
from legquiz.errors import LegquizError

FORMATS = ("legacy", "current", "colpkg")


def _package(corpus: Corpus, kind: str) -> Path:
    return {"legacy": corpus.legacy, "current": corpus.current, "colpkg": corpus.colpkg}[kind]


@pytest.mark.parametrize("kind", FORMATS)
def test_every_card_as_anki_reports_it(anki_corpus: Corpus, kind: str) -> None:
    col = anki_package.read(_package(anki_corpus, kind))
    assert col.member == ("collection.anki21" if kind == "legacy" else "collection.anki21b")
    assert col.crt == anki_corpus.crt
    assert col.media == 2
    by_id = {c.id: c for c in col.cards}
    assert set(by_id) == set(cards_in(anki_corpus, kind))
    for cid, facts in cards_in(anki_corpus, kind).items():
        card = by_id[cid]
        assert (col.notes[card.nid].guid, card.ord) == (facts.guid, facts.ord)
        assert col.decks[card.odid or card.did] == facts.deck
        due = card.odue if card.odid else card.due
        assert (card.type, card.queue, due, card.ivl) == (facts.type, facts.queue, facts.due, facts.ivl)
        assert [r.id for r in col.revlog if r.cid == cid] == facts.reviews


@pytest.mark.parametrize("kind", FORMATS)
def test_questions_by_note_type_and_card(anki_corpus: Corpus, kind: str) -> None:
    conv = anki_notes.convert(anki_package.read(_package(anki_corpus, kind)))
    got = {i.question.id: i for i in conv.items}
    g = anki_corpus.guids

    def q(name: str, ord_: int = 0) -> anki_notes.Imported:
        return got.pop(anki_notes.question_id(g[name], ord_))

    basic = q("basic")
    assert (basic.question.type, basic.question.question, basic.question.answer, basic.deck) == (
        QType.FLASHCARD, "What is the largest muscle group of the thigh?", "The quadriceps\n(four heads)", "Legs::Muscles"
    )  # fmt: skip
    front, back = q("reversed", 0).question, q("reversed", 1).question
    assert (front.question, front.answer) == ("Soleus", "A calf muscle under the gastrocnemius")
    assert (back.question, back.answer) == ("A calf muscle under the gastrocnemius", "Soleus")
    assert q("optional-yes", 1).question.question == "The largest hip muscle"
    assert anki_notes.question_id(g["optional-yes"], 0) not in got  # suspended in Anki
    assert q("optional-no").question.question == "Sartorius"  # and no second card
    typed = q("typed").question
    assert (typed.type, typed.question, typed.answer) == (QType.TYPED, "How many heads has the quadriceps?", "four")
    c1, c2, c3 = q("cloze", 0), q("cloze", 1), q("cloze", 2)
    assert c1.question.text == "{{Squats}} and lunges train the legs."
    assert (c2.question.text, c2.question.hints) == ("Squats and {{lunges}} train the legs.", ("an exercise",))
    assert (c3.question.text, c3.question.hints) == ("Squats and lunges train the {{legs}}.", ())
    assert c2.question.prompt_text == "Squats and _____ (an exercise) train the legs."
    assert {c.question.type for c in (c1, c2, c3)} == {QType.CLOZE}
    assert c1.question.explanation == "From the article"
    sql = q("sql")
    assert (sql.question.question, sql.deck) == (SQLISH, "Legs")
    assert q("sound").question.question == "Hear it"  # the [sound:] reference dropped
    if kind == "colpkg":  # in a filtered deck: only the collection package has it
        vocab = q("vocab")
        assert (vocab.question.question, vocab.question.answer, vocab.deck) == (
            "Quadriceps\nQuads burn on hills", "Four muscles", "Legs::Muscles"
        )  # fmt: skip
    assert got == {}  # empty back, media-only front and markup-only back made no question
    assert conv.skipped == {
        "its back is empty (only media or markup)": 2,
        "its front is empty (only media or markup)": 1,
        "suspended in Anki (unsuspend it there to bring it along)": 1,
    }


def test_question_ids_stable_and_like_the_text_import() -> None:
    assert anki_notes.question_id("Ab1!x", 0) == "anki-" + __import__("hashlib").sha1(b"Ab1!x").hexdigest()[:10]
    assert anki_notes.question_id("Ab1!x", 2) == anki_notes.question_id("Ab1!x", 0) + "-3"


def test_old_collection_name_alone_and_placeholder_beside_it(anki_corpus: Corpus, tmp_path: Path) -> None:
    """An Anki 2.0 package holds only collection.anki2; a legacy one a placeholder anki2 beside the real anki21."""
    with zipfile.ZipFile(anki_corpus.legacy) as z:
        real = z.read("collection.anki21")
        placeholder = z.read("collection.anki2")
    old = tmp_path / "old.apkg"
    with zipfile.ZipFile(old, "w") as z:
        z.writestr("collection.anki2", real)
        z.writestr("media", "{}")
    col = anki_package.read(old)
    assert (col.member, len(col.cards), col.media) == ("collection.anki2", len(cards_in(anki_corpus, "legacy")), 0)
    only_placeholder = tmp_path / "placeholder.apkg"
    with zipfile.ZipFile(only_placeholder, "w") as z:
        z.writestr("collection.anki2", placeholder)
    assert {c.id for c in anki_package.read(only_placeholder).cards}.isdisjoint(anki_corpus.cards)


def _zip(path: Path, **members: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name.replace("_", "."), data)
    return path


def test_bad_packages_one_line_naming_the_file(
    anki_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zstandard

    with zipfile.ZipFile(anki_corpus.legacy) as z:
        real = z.read("collection.anki21")
    cases = {
        "nocol.apkg": (_zip(tmp_path / "nocol.apkg", media=b"{}"), "no Anki collection inside"),
        "damaged.apkg": (
            _zip(tmp_path / "damaged.apkg", collection_anki21=real[: len(real) // 3] + b"\0" * 999),
            "damaged",
        ),
        "garbage.apkg": (
            _zip(tmp_path / "garbage.apkg", collection_anki21=b"SQLite format 3\0" + b"x" * 5000),
            "damaged",
        ),
        "badzstd.apkg": (
            _zip(tmp_path / "badzstd.apkg", collection_anki21b=b"\x28\xb5\x2f\xfd" + b"junk" * 50),
            "damaged",
        ),
        "bomb.apkg": (_zip(tmp_path / "bomb.apkg", collection_anki21=b"\0" * (3 << 20)), "zip bomb"),
        "zbomb.apkg": (
            _zip(tmp_path / "zbomb.apkg", collection_anki21b=zstandard.ZstdCompressor().compress(b"\0" * (3 << 20))),
            "zip bomb",
        ),
    }
    monkeypatch.setattr(anki_package, "MAX_COLLECTION_BYTES", 2 << 20)
    truncated = tmp_path / "truncated.apkg"
    truncated.write_bytes(anki_corpus.current.read_bytes()[:3000])
    cases["truncated.apkg"] = (truncated, "not a readable Anki package")
    for name, (path, why) in cases.items():
        with pytest.raises(LegquizError) as e:
            anki_package.read(path)
        msg = str(e.value)
        assert msg.startswith(str(path)) and why in msg and "\n" not in msg, (name, msg)


def test_too_many_cards_refused_before_reading_them(tmp_path: Path) -> None:
    db = tmp_path / "big.anki21"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE col (id integer primary key, crt integer, models text, decks text);"
        "CREATE TABLE notes (id integer primary key, guid text, mid integer, flds text, tags text);"
        "CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer, type integer,"
        " queue integer, due integer, ivl integer, reps integer, lapses integer, odid integer, odue integer);"
        "CREATE TABLE revlog (id integer primary key, cid integer, ease integer, ivl integer, time integer, type integer);"
        "INSERT INTO col VALUES (1, 0, '{}', '{}');"
    )
    con.executemany("INSERT INTO cards VALUES (?, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)", ((i,) for i in range(100_000)))
    con.commit()
    con.close()
    path = _zip(tmp_path / "huge.apkg", collection_anki21=db.read_bytes())
    with pytest.raises(LegquizError, match=r"huge\.apkg: 100000 cards, more than the 50000"):
        anki_package.read(path)


def test_a_view_is_not_a_table(tmp_path: Path) -> None:
    db = tmp_path / "view.anki21"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE col (id, crt, models, decks); CREATE TABLE cards (id); CREATE TABLE revlog (id);"
        "CREATE VIEW notes AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r;"
    )
    con.close()
    with pytest.raises(LegquizError, match="no notes table"):
        anki_package.read(_zip(tmp_path / "view.apkg", collection_anki21=db.read_bytes()))


def test_protobuf_reader() -> None:
    msg = b"\x08\x01" + b"\x12\x03abc" + b"\x1d\x01\x00\x00\x00"
    assert list(anki_package.proto_fields(msg)) == [(1, 0, 1), (2, 2, b"abc"), (3, 5, 1)]
    with pytest.raises(ValueError):
        list(anki_package.proto_fields(b"\x12\x09ab"))

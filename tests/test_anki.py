"""import anki (Anki's plain-text export, CSV) and export apkg, read back with the real Anki library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clikit import MINI, legquiz, snapshot

from legquiz.convert.anki_export import stable_id
from legquiz.convert.anki_import import html_to_text
from legquiz.core.model import QType
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.articles import ArticleIndex

ANKI_EXPORT = (
    "#separator:tab\n"
    "#html:true\n"
    "#guid column:1\n"
    "#notetype column:2\n"
    "#deck column:3\n"
    "#tags column:6\n"
    "Ab1!x\tBasic\tLegs::Anatomy\tWhat is the <b>largest</b> muscle&nbsp;group of the thigh?\tThe quadriceps<br>(four heads)\tanatomy thigh\n"
    'Cd2#y\tBasic\tLegs::Anatomy\t"Name the three <i>calf</i>\n""muscles"""\tGastrocnemius, soleus &amp; plantaris\t\n'
    "Ef3$z\tCloze\tLegs::Anatomy\t{{c1::Squats}} and {{c2::lunges::exercise}} train the legs.\tFrom the article\t\n"
    "Gh4%w\tBasic\tLegs::Anatomy\t<img src=a.png>\t<div>no front</div>\t\n"
)


def test_html_to_text() -> None:
    assert html_to_text("a&nbsp;&amp;&lt;b&gt; <b>bold</b><br>next<div>block</div>[sound:x.mp3]") == (
        "a &<b> bold\nnext\nblock"
    )
    assert html_to_text("<style>.x{}</style>keep <script>drop()</script>this") == "keep this"


def test_import_anki_plain_text_export(tmp_path: Path, legquiz_home: Path) -> None:
    f = tmp_path / "Legs.txt"
    f.write_text(ANKI_EXPORT, "utf-8")
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    assert "note 4: skipped, its front is empty" in r.err
    path = legquiz_home / "decks" / "anatomy.yaml"
    assert legquiz("deck", "validate", path).code == 0
    d = deckmod.load(path)
    assert (d.id, d.title) == ("anatomy", "Anatomy")
    q1, q2, q3 = d.questions
    assert (q1.type, q1.question, q1.answer) == (
        QType.FLASHCARD, "What is the largest muscle group of the thigh?", "The quadriceps\n(four heads)"
    )  # fmt: skip
    assert (q2.question, q2.answer) == ('Name the three calf\n"muscles"', "Gastrocnemius, soleus & plantaris")
    assert (q3.type, q3.text, q3.gaps, q3.explanation) == (
        QType.CLOZE, "{{Squats}} and {{lunges}} train the legs.", ("Squats", "lunges"), "From the article"
    )  # fmt: skip
    assert q3.hints == ("", "exercise")  # Anki's {{c2::lunges::exercise}}
    assert q1.id.startswith("anki-") and q1.id != q2.id  # from Anki's guid: stable on re-import
    assert "x-anki-tags: anatomy thigh" in path.read_text("utf-8")
    again = legquiz("import", "anki", f)
    assert again.code == 1 and "already have a deck with id 'anatomy'" in again.err
    assert legquiz("import", "anki", f, "--force").code == 0
    assert deckmod.load(path).questions == d.questions


def test_import_csv_front_back_with_header(tmp_path: Path, legquiz_home: Path) -> None:
    f = tmp_path / "cards.csv"
    f.write_text('front,back\nQuadriceps?,"Front of the thigh, four muscles"\nHamstrings?,Back of the thigh\n', "utf-8")
    r = legquiz("import", "anki", f, "--deck-id", "thigh", "--title", "Thigh muscles")
    assert r.code == 0, r.err
    d = deckmod.load(legquiz_home / "decks" / "thigh.yaml")
    assert d.title == "Thigh muscles"
    assert [(q.question, q.answer) for q in d.questions] == [
        ("Quadriceps?", "Front of the thigh, four muscles"),
        ("Hamstrings?", "Back of the thigh"),
    ]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("none.txt", None, "no such file"),
        ("dir.txt", "DIR", "is a directory"),
        ("latin.txt", b"Caf\xe9\tcoffee\n", "not valid UTF-8"),
        ("empty.txt", b"", "the file is empty"),
        ("headers.txt", b"#separator:tab\n#html:true\n", "no notes to import"),
        ("blank.txt", b"#separator:tab\n\t\n \t \n", "no notes to import"),
        ("package.apkg", b"PK\x03\x04rest", "zip file"),
    ],
)
def test_import_bad_files(tmp_path: Path, legquiz_home: Path, name: str, content: Any, message: str) -> None:
    f = tmp_path / name
    if content == "DIR":
        f.mkdir()
    elif content is not None:
        f.write_bytes(content)
    before = snapshot(legquiz_home)
    r = legquiz("import", "anki", f)
    assert r.code == 1, r.out
    assert len(r.err.strip().splitlines()) == 1 and message in r.err, r.err
    assert snapshot(legquiz_home) == before


def test_import_refuses_a_shipped_id(tmp_path: Path, legquiz_home: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n", "utf-8")
    r = legquiz("import", "anki", f, "--deck-id", "running-vs-jogging")
    assert r.code == 1 and "taken by a deck shipped with legquiz" in r.err
    assert snapshot(legquiz_home) == {}


# -- export ----------------------------------------------------------------------


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Any]:
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col: Any, path: Path) -> Any:
    """Import like Anki's File > Import does (its default options)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    req = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(req).log


def notes(col: Any) -> dict[str, dict[str, str]]:
    """Each note's fields, keyed by its first field, with its note type's kind."""
    out = {}
    for nid in col.find_notes(""):
        n = col.get_note(nid)
        fields = dict(n.items())
        fields["_model"] = n.note_type()["name"]
        fields["_cloze"] = str(n.note_type()["type"] == 1)
        out[list(n.values())[0]] = fields
    return out


def test_export_apkg_reads_back_in_anki(tmp_path: Path, collection: Any) -> None:
    out = tmp_path / "rvj.apkg"
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", out)
    d = deckmod.load(Path(__file__).parent.parent / "decks" / "running-vs-jogging.yaml")
    n = len(d.questions)
    assert r.code == 0, r.err
    assert f"Wrote {n} notes" in r.out
    log = import_apkg(collection, out)
    assert len(log.new) == n and collection.note_count() == n
    got = notes(collection)
    by_type = {t: [q for q in d.questions if q.type is t] for t in QType}
    mc = by_type[QType.MULTIPLE_CHOICE][0]
    front = next(k for k in got if k.startswith(mc.question))
    assert got[front]["Back"] == mc.answer and got[front]["Type"] == "multiple_choice"
    assert all(f"<li>{c}</li>" in front for c in mc.choices)
    articles = ArticleIndex()
    assert len(d.citations(mc)) == 2  # a comparison question quotes both articles, each named by its title
    assert got[front]["Source"].split("<br>") == [
        f"“{text}” — {articles.title(name or '')}" for name, text in d.citations(mc)
    ]
    tf = by_type[QType.TRUE_FALSE][0]
    assert got[f"True or false? {tf.question}"]["Back"] == ("True" if tf.answer else "False")
    cz = by_type[QType.CLOZE][0]
    cloze_notes = [f for f in got.values() if f["_cloze"] == "True"]
    assert len(cloze_notes) == len(by_type[QType.CLOZE])
    assert any(f["Text"].count("{{c1::") == len(cz.gaps) for f in cloze_notes)
    deck_names = [n.name for n in collection.decks.all_names_and_ids()]
    assert d.title in deck_names


def test_reexport_updates_instead_of_duplicating(
    tmp_path: Path, collection: Any, legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, timedelta, timezone

    from legquiz.cli import common

    src = tmp_path / "mini.yaml"
    src.write_text(MINI, "utf-8")
    assert legquiz("deck", "add", src).code == 0
    t0 = datetime(2024, 3, 1, tzinfo=timezone.utc)
    monkeypatch.setattr(common, "utcnow", lambda: t0)
    out = tmp_path / "mini.apkg"
    assert legquiz("export", "apkg", "--deck", "mini", "-o", out).code == 0
    assert len(import_apkg(collection, out).new) == 2
    src.write_text(MINI.replace("leg presses", "the leg press"), "utf-8")
    assert legquiz("deck", "add", src, "--force").code == 0
    monkeypatch.setattr(common, "utcnow", lambda: t0 + timedelta(minutes=10))
    assert legquiz("export", "apkg", "--deck", "mini", "-o", out, "--force").code == 0
    log = import_apkg(collection, out)
    assert (len(log.new), len(log.updated), collection.note_count()) == (0, 2, 2)
    typed = notes(collection)["Which exercise is named with squats and lunges?"]
    assert typed["Back"].startswith("the leg press")


def test_stable_ids() -> None:
    assert stable_id("legquiz-deck", "mini") == stable_id("legquiz-deck", "mini")
    assert stable_id("legquiz-deck", "mini") != stable_id("legquiz-deck", "maxi")
    assert (1 << 30) <= stable_id("x") < (1 << 31)


def test_export_errors(tmp_path: Path, legquiz_home: Path) -> None:
    legquiz_home.mkdir()  # a missing folder adds one warning (tests/test_data_dirs.py)
    r = legquiz("export", "apkg", "--deck", "nope", "-o", tmp_path / "x.apkg")
    assert r.code == 2 and "no deck with id 'nope'" in r.err and len(r.err.strip().splitlines()) == 1
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", tmp_path)
    assert r.code == 2 and "is a directory" in r.err
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", tmp_path / "missing" / "x.apkg")
    assert r.code == 2 and "does not exist" in r.err
    assert not list(tmp_path.glob("*.apkg")) and not list(tmp_path.glob(".*.tmp"))


def test_export_never_replaces_a_file_without_force_nor_one_of_the_store(tmp_path: Path, legquiz_home: Path) -> None:
    """The outside probe replaced reviews.jsonl with `export apkg -o $LEGQUIZ_HOME/reviews.jsonl` (exit 0)."""
    import os

    assert legquiz("deck", "list").code == 0
    legquiz_home.mkdir(parents=True, exist_ok=True)
    log = legquiz_home / "reviews.jsonl"
    log.write_bytes(b"")
    for force in ((), ("--force",)):
        r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", log, *force)
        assert r.code == 2 and "inside legquiz's data folder" in r.err, r
    assert log.read_bytes() == b""
    mine = tmp_path / "mine.apkg"
    mine.write_bytes(b"keep me")
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", mine)
    assert r.code == 2 and "already exists; use --force" in r.err and mine.read_bytes() == b"keep me"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", fifo, "--force")
    assert r.code == 2 and "not a regular file" in r.err
    assert fifo.is_fifo()

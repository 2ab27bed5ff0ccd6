"""Imports at scale and odd CSV (issue 15, class 7): Anki's "Notes in Plain Text" and ``optimize --reviews``.

Over-long cells, more notes than a deck holds, runaway and unclosed quotes,
CRLF inside quoted cells, and Anki's head lines (read as Anki's own importer,
rslib import_export/text/csv/metadata.rs, reads them).
"""

from __future__ import annotations

from pathlib import Path

from clikit import legquiz

from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.limits import MAX_QUESTIONS

HEAD = "#separator:tab\n#html:false\n"


def export(tmp_path: Path, text: str, name: str = "Legs.txt") -> Path:
    f = tmp_path / name
    f.write_bytes(text.encode("utf-8"))
    return f


def imported(home: Path, deck: str = "legs") -> deckmod.Deck:
    return deckmod.load(home / "decks" / f"{deck}.yaml")


def one_line_error(r: object) -> str:
    err: str = r.err  # type: ignore[attr-defined]
    assert r.code == 1, err  # type: ignore[attr-defined]
    assert "Traceback" not in err and "_csv.Error" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_over_long_field_names_file_line_and_field(tmp_path: Path, legquiz_home: Path) -> None:
    big = "x" * (200 * 1024)
    f = export(tmp_path, HEAD + "Quads?\tFront of the thigh\n" + f'Hamstrings?\t"{big}"\n')
    err = one_line_error(legquiz("import", "anki", f))
    assert f"{f}:4: field 2: 204,800 characters, more than the 131,072 one field may hold" in err
    assert not (legquiz_home / "decks").exists()


def test_over_long_field_in_a_named_column(tmp_path: Path, legquiz_home: Path) -> None:
    big = "y" * (130 * 1024)
    f = export(tmp_path, HEAD + "#columns:Front\tBack\n" + f'"line one\nline two"\t"{big}"\n')
    err = one_line_error(legquiz("import", "anki", f))
    assert f"{f}:5: field 2 (Back): 133,120 characters" in err  # the line the field starts on


def test_over_long_field_in_optimize_reviews(tmp_path: Path) -> None:
    f = tmp_path / "reviews.csv"
    rows = "".join(f"c{i},3,2024-01-0{1 + i % 9}T10:00:00+00:00\n" for i in range(5))
    f.write_text("card_id,review_rating,review_time\n" + rows + f'c9,"{"3" * 200_000}",2024-01-01T10:00:00Z\n')
    err = one_line_error(legquiz("optimize", "--reviews", f))
    assert f"{f}:7: review_rating: 200,000 characters, more than the 1000 a field may hold" in err


def test_more_notes_than_a_deck_holds_is_said_up_front(tmp_path: Path, legquiz_home: Path) -> None:
    rows = "".join(f"Question number {i}?\tAnswer {i}\n" for i in range(25_000))
    f = export(tmp_path, HEAD + rows)
    err = one_line_error(legquiz("import", "anki", f))
    assert f"{f}: 25,000 notes, more than the {MAX_QUESTIONS:,} questions a deck may hold" in err
    assert "a bug" not in err and "nothing was imported" in err
    assert not (legquiz_home / "decks").exists()


def test_unclosed_quote_is_named_not_swallowed(tmp_path: Path, legquiz_home: Path) -> None:
    rest = "".join(f"Later question {i}?\tLater answer {i}\n" for i in range(30))
    f = export(tmp_path, HEAD + "Quads?\tFront of the thigh\n" + 'Hamstrings?\t"Back of the thigh\n' + rest)
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    assert f"{f}:4: a quoted field starts on this line and is never closed" in r.err
    assert "(31 lines)" in r.err and "that note was not imported" in r.err
    assert [q.question for q in imported(legquiz_home).questions] == ["Quads?"]


def test_runaway_quote_that_closes_far_below_is_warned(tmp_path: Path, legquiz_home: Path) -> None:
    middle = "".join(f"Swallowed {i}?\tanswer {i}\n" for i in range(60))
    text = HEAD + 'Quads?\t"Front of the thigh\n' + middle + 'end"\nCalves?\tLower leg\n'
    f = export(tmp_path, text)
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    assert f"{f}:3: a quoted field starts on this line and runs 62 lines, to line 64" in r.err
    assert [q.question for q in imported(legquiz_home).questions] == ["Quads?", "Calves?"]


def test_a_long_multi_line_cell_that_closes_is_not_warned(tmp_path: Path, legquiz_home: Path) -> None:
    back = "\n".join(f"point {i}" for i in range(10))
    f = export(tmp_path, HEAD + f'Quads?\t"{back}"\nCalves?\tLower leg\n')
    r = legquiz("import", "anki", f)
    assert r.code == 0 and "quoted field" not in r.err, r.err
    assert imported(legquiz_home).questions[0].answer == back


def test_crlf_inside_quoted_cells_becomes_newline(tmp_path: Path, legquiz_home: Path) -> None:
    text = '#separator:tab\r\n#html:false\r\n"Name the\r\nthree calf muscles"\t"Gastrocnemius\r\nSoleus\rPlantaris"\r\n'
    f = export(tmp_path, text)
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    q = imported(legquiz_home).questions[0]
    assert (q.question, q.answer) == ("Name the\nthree calf muscles", "Gastrocnemius\nSoleus\nPlantaris")
    assert "\r" not in (legquiz_home / "decks" / "legs.yaml").read_text("utf-8")


def test_tags_column_zero_means_no_tags_column(tmp_path: Path, legquiz_home: Path) -> None:
    f = export(tmp_path, HEAD + "#tags column:0\nQuads?\tFront of the thigh\n")
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    q = imported(legquiz_home).questions[0]
    assert (q.question, q.answer) == ("Quads?", "Front of the thigh")
    assert "x-anki-tags" not in (legquiz_home / "decks" / "legs.yaml").read_text("utf-8")


def test_anki_head_lines_as_anki_reads_them(tmp_path: Path, legquiz_home: Path) -> None:
    text = (
        "#separator:Pipe\n"
        "#html:FALSE\n"
        "#tags:legs strength\n"
        "# a comment line without a colon\n"
        "#guid column:1\n"
        "#notetype column:2\n"
        "#deck column:3\n"
        "#tags column:6\n"
        "g1|Basic|Legs::Thigh|What is <b>bold</b>?|Quads & co|anatomy\n"
        "#a comment among the notes|is skipped\n"
        "g2|Cloze|Legs::Thigh|{{c1::Squats}} train the legs.|Extra|\n"
    )
    f = export(tmp_path, text)
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    path = legquiz_home / "decks" / "thigh.yaml"
    d = deckmod.load(path)
    q1, q2 = d.questions
    assert (q1.question, q1.answer) == ("What is <b>bold</b>?", "Quads & co")  # html:false keeps it literal
    assert q2.text == "{{Squats}} train the legs." and q2.explanation == "Extra"
    assert q1.id.startswith("anki-") and q2.id.startswith("anki-")  # from the guid column
    saved = path.read_text("utf-8")
    assert "x-anki-tags: legs strength anatomy" in saved and "x-anki-tags: legs strength\n" in saved


def test_old_style_tags_line_and_separator_given_as_a_character(tmp_path: Path, legquiz_home: Path) -> None:
    f = export(tmp_path, "tags:legs\n#separator:;\nQuads?;Front of the thigh\n")
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    q = imported(legquiz_home).questions[0]
    assert (q.question, q.answer) == ("Quads?", "Front of the thigh")
    assert "x-anki-tags: legs" in (legquiz_home / "decks" / "legs.yaml").read_text("utf-8")


def test_notes_the_validator_refuses_are_skipped_by_line(tmp_path: Path, legquiz_home: Path) -> None:
    f = export(tmp_path, HEAD + "Quads?\tFront of the thigh\n{{c1::}} gap\tempty\nCalves?\tLower leg\n")
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    assert f"{f}:4: note 2: skipped, text: has an empty {{{{ }}}} gap" in r.err
    assert [q.question for q in imported(legquiz_home).questions] == ["Quads?", "Calves?"]


def test_ten_thousand_notes_import(tmp_path: Path, legquiz_home: Path) -> None:
    """The size the benchmark times (benchmarks/run.py, 'import 10,000 notes'): every note arrives."""
    rows = "".join(f"<b>Question</b> {i}?\tAnswer {i}<br>more\tleg{i % 7}\n" for i in range(10_000))
    f = export(tmp_path, "#separator:tab\n#html:true\n#tags column:3\n" + rows)
    r = legquiz("import", "anki", f)
    assert r.code == 0, r.err
    qs = imported(legquiz_home).questions
    assert len(qs) == 10_000 and (qs[-1].question, qs[-1].answer) == ("Question 9999?", "Answer 9999\nmore")

"""Class 11 of issue 15: an exported note has exactly the fields of its note type.

Anki keeps a note's fields in one text joined by U+001F. The deck format
allows U+001F in any text, so written raw it split a field in two: Anki then
refused the whole package ("note has 8 fields, expected 5"). The export writes
it as the character reference ``&#31;``; the real ``anki`` package reads the
package back here and counts every note's fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clikit import legquiz

US = "\x1f"  # Anki's field separator
DECK = f"""\
format: 1
id: sep
title: "Unit{US}separator"
questions:
  - id: flash
    type: flashcard
    question: "Front{US}with a separator"
    answer: "Back{US}too"
    explanation: "Why{US}not"
  - id: typed
    type: typed
    question: "Type{US}it"
    answer: "word"
    aliases: ["wo{US}rd"]
  - id: mc
    type: multiple_choice
    question: "Which{US}one?"
    choices: ["a{US}b", "c"]
    answer: "a{US}b"
  - id: tf
    type: true_false
    question: "True{US}?"
    answer: true
  - id: cloze
    type: cloze
    text: "Fill {{{{the{US}gap}}}} and end{US}"
    hints: ["a{US}hint"]
    explanation: "{US}first"
""".replace(US, "\\x1f")  # written as YAML escapes, the way a deck holds it


def anki_notes(package: Path, folder: Path) -> list[tuple[list[str], list[str]]]:
    """Each note of ``package`` as the real Anki imports it (it refuses a note with a wrong field count):
    the field names of its note type, and the note's fields."""
    pytest.importorskip("anki", reason="the anki package (a test dependency) reads the exported package")
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(folder / "fresh.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    found = [([f["name"] for f in note.note_type()["flds"]], list(note.fields)) for note in notes]
    col.close()
    return found


@pytest.mark.parametrize("progress", [False, True], ids=["plain", "with-progress"])
def test_a_field_separator_in_deck_text_keeps_every_note_whole(
    legquiz_home: Path, tmp_path: Path, progress: bool
) -> None:
    (legquiz_home / "decks").mkdir(parents=True)
    (legquiz_home / "decks" / "sep.yaml").write_text(DECK, "utf-8")
    out = tmp_path / "sep.apkg"
    r = legquiz("export", "apkg", "--deck", "sep", "-o", out, *(["--with-progress"] if progress else []))
    assert r.code == 0, r.err
    notes = anki_notes(out, tmp_path)
    assert len(notes) == 5
    by_kind = {}
    for names, fields in notes:
        assert len(fields) == len(names), (names, fields)
        assert not any(US in value for value in fields), fields
        note = dict(zip(names, fields, strict=True))
        by_kind[note.get("Type", "cloze")] = note
    assert by_kind["flashcard"]["Front"] == "Front&#31;with a separator"
    assert by_kind["flashcard"]["Back"] == "Back&#31;too" and by_kind["flashcard"]["Explanation"] == "Why&#31;not"
    assert "Also accepted: wo&#31;rd" in by_kind["typed"]["Back"]
    assert "<li>a&#31;b</li>" in by_kind["multiple_choice"]["Front"] and by_kind["multiple_choice"]["Back"] == "a&#31;b"
    assert by_kind["true_false"]["Front"] == "True or false? True&#31;?"
    assert by_kind["cloze"]["Text"] == "Fill {{c1::the&#31;gap::a&#31;hint}} and end&#31;"
    assert by_kind["cloze"]["Explanation"] == "&#31;first"

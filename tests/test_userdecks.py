"""deck add / list / remove, and the renamed-id warning of deck validate."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from clikit import MINI, legquiz, snapshot
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from legquiz.core.progress import StoreState
from legquiz.deckfile import catalog, userdecks
from legquiz.storage.store import Store
from legquiz.storage.store import read as read_store

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def give_progress(home: Path, key: str, due: datetime = T0) -> None:
    """Record one answer for ``key`` (as a session would), due at ``due``."""
    after = {"state": 2, "due": due.isoformat(), "s": 3.0, "d": 5.0, "step": None, "last": T0.isoformat(),
             "reps": 1, "lapses": 0}  # fmt: skip
    with Store.open(home) as st:
        st.append({"op": "review", "card": key, "rating": 3, "at": T0.isoformat(), "day": "2024-03-01", "ms": 900,
                   "first": True, "counted": False, "verdict": "right", "answer": "x", "before": None,
                   "after": after})  # fmt: skip


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    p = tmp_path / "mini.yaml"
    p.write_text(MINI, encoding="utf-8")
    return p


def test_add_copies_a_valid_deck_and_lists_it(mini: Path, legquiz_home: Path) -> None:
    r = legquiz("deck", "add", mini)
    assert r.code == 0, r.err
    assert "Added deck 'mini' (2 questions)" in r.out
    assert (legquiz_home / "decks" / "mini.yaml").read_text(encoding="utf-8") == MINI
    r = legquiz("deck", "list")
    assert r.code == 0
    line = next(ln for ln in r.out.splitlines() if ln.startswith("mini "))
    assert line.split()[:4] == ["mini", "user", "2", "0"]
    assert "running-vs-jogging" in r.out and "shipped" in r.out


def test_list_json_counts_due_questions(mini: Path, legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert legquiz("deck", "add", mini).code == 0
    give_progress(legquiz_home, "mini/q-tf", due=T0 + timedelta(days=1))
    give_progress(legquiz_home, "mini/q-typed", due=T0 + timedelta(days=5))
    from legquiz.cli import common

    monkeypatch.setattr(common, "utcnow", lambda: T0 + timedelta(days=2))
    rows = {row["id"]: row for row in json.loads(legquiz("deck", "list", "--json").out)}
    assert rows["mini"] == {
        "id": "mini", "title": "A small deck", "origin": "user", "questions": 2, "due": 1, "new": 0,
        "path": str(legquiz_home / "decks" / "mini.yaml"),
    }  # fmt: skip
    assert rows["running-vs-jogging"]["origin"] == "shipped"
    assert rows["running-vs-jogging"]["due"] == 0


def test_add_an_invalid_deck_prints_what_validate_prints_and_copies_nothing(tmp_path: Path, legquiz_home: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.replace("answer: true", "answer: maybe").replace("type: typed", "type: typo"), "utf-8")
    before = snapshot(legquiz_home)
    added, validated = legquiz("deck", "add", bad), legquiz("deck", "validate", bad)
    assert added.code == validated.code == 1
    assert added.err == validated.err
    assert len(added.err.splitlines()) == 2 and "questions[0].answer" in added.err
    assert snapshot(legquiz_home) == before


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(MINI.encode("utf-8").replace(b"small", b"sm\xe4ll")), "not valid UTF-8"),
        (lambda p: p.write_bytes(b""), "file is empty"),
    ],
)
def test_add_bad_files_one_line_error_and_nothing_changes(tmp_path: Path, legquiz_home: Path, make, message) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "deck.yaml"
    make(p)
    before = snapshot(legquiz_home)
    r = legquiz("deck", "add", p)
    assert r.code == 1
    assert len(r.err.strip().splitlines()) == 1 and message in r.err
    assert snapshot(legquiz_home) == before


def test_add_refuses_a_shipped_id_even_with_force(tmp_path: Path, legquiz_home: Path) -> None:
    p = tmp_path / "clash.yaml"
    p.write_text(MINI.replace("id: mini", "id: running-vs-jogging"), "utf-8")
    for args in ((), ("--force",)):
        r = legquiz("deck", "add", p, *args)
        assert r.code == 1 and "taken by a deck shipped with legquiz" in r.err
    assert not (legquiz_home / "decks").exists()


def test_add_twice_needs_force_and_keeps_progress(mini: Path, legquiz_home: Path) -> None:
    assert legquiz("deck", "add", mini).code == 0
    give_progress(legquiz_home, "mini/q-tf")
    log = (legquiz_home / "reviews.jsonl").read_bytes()
    r = legquiz("deck", "add", mini)
    assert r.code == 1 and "already have a deck with id 'mini'" in r.err and "--force" in r.err
    mini.write_text(MINI.replace("Jogging mainly targets", "Jogging chiefly targets"), "utf-8")
    r = legquiz("deck", "add", mini, "--force")
    assert r.code == 0, r.err
    assert "Replaced deck 'mini'" in r.out and "progress on 1 of its questions is kept" in r.out
    assert "chiefly" in (legquiz_home / "decks" / "mini.yaml").read_text("utf-8")
    assert read_store(legquiz_home).state.cards.keys() == {"mini/q-tf"}
    assert (legquiz_home / "reviews.jsonl").read_bytes() == log


def test_remove_keeps_progress_and_adding_back_restores_it(mini: Path, legquiz_home: Path) -> None:
    assert legquiz("deck", "add", mini).code == 0
    give_progress(legquiz_home, "mini/q-typed")
    log = (legquiz_home / "reviews.jsonl").read_bytes()
    r = legquiz("deck", "remove", "mini", "--yes")
    assert r.code == 0, r.err
    assert not (legquiz_home / "decks" / "mini.yaml").exists()
    (kept,) = (legquiz_home / "removed-decks").iterdir()  # mini.<UTC time>.yaml: tests/test_removed_decks.py
    assert kept.read_text("utf-8") == MINI and str(kept) in r.out
    assert "progress on 1 question is kept" in r.out
    assert (legquiz_home / "reviews.jsonl").read_bytes() == log
    assert "mini" not in catalog.load(legquiz_home).ids()
    r = legquiz("deck", "add", kept)
    assert r.code == 0 and "progress on 1 of its questions is kept" in r.out
    assert read_store(legquiz_home).state.cards.keys() == {"mini/q-typed"}


def test_remove_refuses_shipped_and_unknown_decks(legquiz_home: Path) -> None:
    r = legquiz("deck", "remove", "running-vs-jogging", "--yes")
    assert r.code == 1 and "shipped with legquiz and cannot be removed" in r.err
    r = legquiz("deck", "remove", "nope", "--yes")
    assert r.code == 2 and "no deck with id 'nope'" in r.err and len(r.err.strip().splitlines()) == 1


def test_remove_without_yes_needs_a_terminal(mini: Path, legquiz_home: Path) -> None:
    assert legquiz("deck", "add", mini).code == 0
    r = legquiz("deck", "remove", "mini")
    assert r.code == 2 and "stdin is not a terminal" in r.err and "--yes" in r.err
    assert (legquiz_home / "decks" / "mini.yaml").exists()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Real questionary prompts for deck commands, fed from a pipe."""
    from legquiz.cli import deck as deck_cmd
    from legquiz.ui.terminal import QuestionaryPrompter

    with create_pipe_input() as inp:
        monkeypatch.setattr(
            deck_cmd,
            "interactive_prompter",
            lambda why: QuestionaryPrompter(input=inp, output=DummyOutput(), stream=io.StringIO(), colour=False),
        )
        yield inp


@pytest.mark.parametrize("answer, removed", [("y", True), ("n", False), ("\r", False), ("\x03", False)])
def test_remove_asks_first(mini: Path, legquiz_home: Path, keys: object, answer: str, removed: bool) -> None:
    assert legquiz("deck", "add", mini).code == 0
    keys.send_text(answer)  # type: ignore[attr-defined]
    r = legquiz("deck", "remove", "mini")
    assert r.code == 0, r.err
    assert (legquiz_home / "decks" / "mini.yaml").exists() is not removed
    assert ("Nothing was removed." in r.out) is not removed


# -- renamed ids ---------------------------------------------------------------


def test_validate_warns_about_a_renamed_id_with_progress(mini: Path, legquiz_home: Path) -> None:
    assert legquiz("deck", "add", mini).code == 0
    give_progress(legquiz_home, "mini/q-tf")
    mini.write_text(MINI.replace("id: q-tf", "id: q-aerobic"), "utf-8")
    r = legquiz("deck", "validate", mini)
    assert r.code == 0
    assert r.err.strip() == (
        f"legquiz: warning: {mini}:5: questions[0].id: new id 'q-aerobic' has the same text as 'q-tf', which has "
        "progress; if you renamed it, put back id 'q-tf' or its progress is not used"
    )
    # the same edit made in place, after the deck was added: the history still knows the old text
    (legquiz_home / "decks" / "mini.yaml").write_text(mini.read_text("utf-8"), "utf-8")
    r = legquiz("deck", "validate", legquiz_home / "decks" / "mini.yaml")
    assert "new id 'q-aerobic' has the same text as 'q-tf'" in r.err
    # --force prints the warning too
    r = legquiz("deck", "add", mini, "--force")
    assert r.code == 0 and "new id 'q-aerobic'" in r.err


def test_no_rename_warning_without_progress_or_with_other_text(mini: Path, legquiz_home: Path) -> None:
    assert legquiz("deck", "add", mini).code == 0
    mini.write_text(MINI.replace("id: q-tf", "id: q-aerobic"), "utf-8")
    assert legquiz("deck", "validate", mini).err == ""  # no progress on q-tf
    give_progress(legquiz_home, "mini/q-tf")
    mini.write_text(MINI.replace("id: q-tf", "id: q-aerobic").replace("Jogging mainly", "Running mainly"), "utf-8")
    assert legquiz("deck", "validate", mini).err == ""  # different text: a new question
    mini.write_text(MINI.replace("Jogging mainly targets", "jogging   MAINLY targets"), "utf-8")
    assert legquiz("deck", "validate", mini).err == ""  # same id: edits keep progress, nothing to warn about


def test_renamed_warnings_unit() -> None:
    from legquiz.core.model import Deck, QType, Question

    d = Deck("d", "D", (Question("new", QType.CLOZE, text="The {{quadriceps}} work.", line=7),), path="d.yaml")
    known = {"old": "The {{quadriceps}} work!", "other": "The {{quadriceps}} work."}
    assert userdecks.renamed_warnings(d, known, {"old"}) == [
        "d.yaml:7: questions[0].id: new id 'new' has the same text as 'old', which has progress; "
        "if you renamed it, put back id 'old' or its progress is not used"
    ]
    assert userdecks.renamed_warnings(d, known, set()) == []
    assert userdecks.rows(catalog.Catalog([d]), StoreState(), T0)[0].new == 1


def test_add_copies_every_article_the_deck_quotes(tmp_path: Path, legquiz_home: Path) -> None:
    """The deck's article and the articles its questions' sources name, when they sit next to the deck."""
    (tmp_path / "main.txt").write_text("Main\n\nMain sentence.\n", encoding="utf-8")
    (tmp_path / "second.txt").write_text("Second\n\nSecond sentence.\n", encoding="utf-8")
    deck = tmp_path / "two.yaml"
    deck.write_text(
        "format: 1\nid: two\ntitle: Two\narticle: main.txt\nquestions:\n"
        "  - {id: q, type: true_false, question: Both say so., answer: true, source: Main sentence.,\n"
        "     sources: [{article: second.txt, text: Second sentence.}]}\n",
        encoding="utf-8",
    )
    r = legquiz("deck", "add", deck)
    assert r.code == 0, r.err
    assert sorted(p.name for p in (legquiz_home / "articles").iterdir()) == ["main.txt", "second.txt"]


def test_add_warns_about_a_source_not_in_its_article(tmp_path: Path, legquiz_home: Path) -> None:
    """deck validate refuses it; deck add keeps a deck that worked before sources were checked, and says why."""
    (tmp_path / "main.txt").write_text("Main\n\nMain sentence.\n", encoding="utf-8")
    deck = tmp_path / "one.yaml"
    deck.write_text(
        "format: 1\nid: one\ntitle: One\narticle: main.txt\nquestions:\n"
        "  - {id: q, type: true_false, question: Says so., answer: true, source: Made-up sentence.}\n",
        encoding="utf-8",
    )
    r = legquiz("deck", "add", deck)
    assert r.code == 0 and "Added deck 'one'" in r.out
    assert f"legquiz: warning: {deck}:6: questions[0].source: is not in main.txt" in r.err
    assert legquiz("deck", "validate", deck).code == 1

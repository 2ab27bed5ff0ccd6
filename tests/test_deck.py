"""Deck loading and validation: every bad input names its file, line and field.

Each bad-input case is checked twice, through ``deck.load`` and through
``legquiz deck validate`` (click's runner), with the exact output lines; and
once more with PyYAML's pure-Python parser, which must agree on file, line and
field (the wording of YAML syntax errors differs between the two parsers).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from deck_cases import ALL, HEAD, MC, TYPED

from legquiz.cli import cli
from legquiz.core.model import QType
from legquiz.deckfile import guard as yamlguard
from legquiz.deckfile import limits
from legquiz.deckfile import read as deckfile
from legquiz.deckfile import validate as deck
from legquiz.deckfile.articles import ArticleIndex
from legquiz.errors import DeckErrors

REPO = Path(__file__).resolve().parent.parent


def write(folder: Path, content: str | bytes, name: str = "bad.yaml") -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def load_errors(path: Path, shown: str) -> list[str]:
    with pytest.raises(DeckErrors) as info:
        deck.load(path, shown=shown)
    return [str(e) for e in info.value.errors]


def validate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["deck", "validate", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "libyaml":
        if not getattr(yaml, "__with_libyaml__", False):
            pytest.skip("PyYAML built without libyaml")
        monkeypatch.setattr(deckfile, "_loader", lambda: yaml.CSafeLoader)
    else:
        monkeypatch.setattr(deckfile, "_loader", lambda: yaml.SafeLoader)
    return str(request.param)


def _where(lines: list[str]) -> list[str]:
    """FILE:LINE: FIELD of each problem (drops the message)."""
    return [":".join(line.split(":")[:3]) for line in lines]


@pytest.mark.parametrize("name", list(ALL))
def test_bad_deck_via_load(name: str, in_tmp: Path, parser: str) -> None:
    content, expected = ALL[name]
    got = load_errors(write(in_tmp, content), "bad.yaml")
    if parser == "libyaml" or not any(": yaml: " in line for line in expected):
        assert got == expected
    else:  # pure-Python PyYAML words syntax errors differently: same place, same hints
        assert _where(got) == _where(expected)
        assert ("indent with spaces" in got[0]) == ("indent with spaces" in expected[0])


@pytest.mark.parametrize("name", list(ALL))
def test_bad_deck_via_cli(name: str, in_tmp: Path) -> None:
    content, expected = ALL[name]
    write(in_tmp, content)
    code, out, err = validate("bad.yaml")
    assert (code, out) == (1, "")
    if yaml.__with_libyaml__:
        assert err.splitlines() == expected
    else:
        assert _where(err.splitlines()) == _where(expected)


def test_python_tags_run_nothing(in_tmp: Path, parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    text = (
        "format: 1\nid: !!python/object/apply:os.system ['touch PWNED']\ntitle: !!python/name:os.system ''\n"
        "questions:\n  - !!python/object/new:os.system ['touch PWNED']\n"
    )
    got = load_errors(write(in_tmp, text), "bad.yaml")
    assert _where(got) == ["bad.yaml:2: id", "bad.yaml:3: title", "bad.yaml:5: questions[0]"]
    assert all("is not allowed (decks are plain data)" in line for line in got)
    assert calls == [] and not (in_tmp / "PWNED").exists()


def test_directory_and_missing_path(in_tmp: Path) -> None:
    (in_tmp / "folder.yaml").mkdir()
    assert load_errors(in_tmp / "folder.yaml", "folder.yaml") == [
        "folder.yaml:1: path: is a directory, not a deck file"
    ]
    assert load_errors(in_tmp / "nope.yaml", "nope.yaml") == ["nope.yaml:1: path: no such file"]
    code, out, err = validate("folder.yaml", "nope.yaml")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "folder.yaml:1: path: is a directory, not a deck file",
        "nope.yaml:1: path: no such file",
    ]


def test_problems_in_several_files_are_all_reported(in_tmp: Path) -> None:
    write(in_tmp, HEAD + TYPED, "good.yaml")
    write(in_tmp, "", "empty.yaml")
    write(in_tmp, HEAD + TYPED + TYPED, "dup.yaml")
    code, out, err = validate("empty.yaml", "good.yaml", "dup.yaml")
    assert code == 1
    assert out == "good.yaml: ok: deck 'mine', 1 question (1 typed)\n"
    assert err.splitlines() == [
        "empty.yaml:1: deck: file is empty",
        "dup.yaml:9: questions[1].id: duplicate id 'q1' (first used on line 5)",
    ]


def test_valid_decks_exit_0_with_one_summary_line_each(in_tmp: Path) -> None:
    write(in_tmp, HEAD + TYPED, "one.yaml")
    other = "format: 1\nid: two\ntitle: Two\nquestions:\n" + TYPED + "  - id: m1\n" + MC + "    answer: Calves\n"
    write(in_tmp, other, "two.yaml")
    code, out, err = validate("one.yaml", "two.yaml")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "one.yaml: ok: deck 'mine', 1 question (1 typed)",
        "two.yaml: ok: deck 'two', 2 questions (1 multiple_choice, 1 typed)",
    ]


def test_bom_and_x_keys_are_accepted(in_tmp: Path, parser: str) -> None:
    text = (
        "format: 1\nid: mine\ntitle: Mine\nx-author: {name: Sam, since: 2024-05-01, tags: [a, b]}\nquestions:\n"
        + TYPED.replace("answer: quadriceps", "answer: quadriceps\n    x-reviewed: 2024-05-01\n    x-notes: [1, 2]")
    )
    d = deck.load(write(in_tmp, b"\xef\xbb\xbf" + text.encode()), shown="bad.yaml")
    assert (d.id, d.title, [q.id for q in d.questions]) == ("mine", "Mine", ["q1"])
    assert d.questions[0].answer == "quadriceps" and d.questions[0].line == 6


def test_every_type_loads_with_its_fields(in_tmp: Path) -> None:
    text = HEAD.replace("title: Mine", "title: Mine\narticle: a.txt\ndescription: About legs.") + (
        "  - id: m1\n" + MC + "    answer: Calves\n" + "    explanation: Why.\n    source: Said.\n"
        "  - id: t1\n    type: true_false\n    question: Legs?\n    answer: no\n    article: b.txt\n"
        "  - id: y1\n    type: typed\n    question: How far?\n    answer: 1.50\n    aliases: [one and a half, 3]\n"
        "  - id: f1\n    type: flashcard\n    question: Front\n    answer: Back\n"
        "  - id: c1\n    type: cloze\n    text: Legs {{ grow }} when {{trained}}.\n"
    )
    d = deck.load(write(in_tmp, text))
    m, t, y, f, c = d.questions
    assert (d.article, m.choices, m.answer, m.explanation, m.source) == (
        "a.txt",
        ("Quadriceps", "Hamstrings", "Calves"),
        "Calves",
        "Why.",
        "Said.",
    )
    assert (t.type, t.answer, t.article, d.article_for(t), d.article_for(m)) == (
        QType.TRUE_FALSE,
        False,
        "b.txt",
        "b.txt",
        "a.txt",
    )
    assert (y.answer, y.aliases) == ("1.50", ("one and a half", "3"))
    assert (f.question, f.answer) == ("Front", "Back")
    assert (c.gaps, c.prompt_text, c.answer_text) == (("grow", "trained"), "Legs _____ when _____.", "grow / trained")


@pytest.mark.parametrize(
    ("limit", "value", "content", "expected"),
    [
        (
            "MAX_QUESTIONS",
            2,
            HEAD + TYPED + TYPED.replace("q1", "q2") + TYPED.replace("q1", "q3"),
            "bad.yaml:5: questions: has 3 questions; the limit is 2",
        ),
        (
            "MAX_CHOICES",
            2,
            HEAD + "  - id: q1\n" + MC + "    answer: Calves\n",
            "bad.yaml:8: questions[0].choices: has 3 entries; the limit is 2",
        ),
        (
            "MAX_ALIASES",
            2,
            HEAD + TYPED + "    aliases: [a, b, c]\n",
            "bad.yaml:9: questions[0].aliases: has 3 entries; the limit is 2",
        ),
        ("MAX_TEXT", 12, HEAD + TYPED, "bad.yaml:7: questions[0].question: is 13 characters long; the limit is 12"),
    ],
)
def test_limits(
    limit: str, value: int, content: str, expected: str, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(in_tmp, content)
    monkeypatch.setattr(deck, limit, value + 1)
    deck.load(path)  # exactly at the limit: fine
    monkeypatch.setattr(deck, limit, value)
    assert load_errors(path, "bad.yaml") == [expected]


def test_file_size_limit(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deckfile, "MAX_FILE_BYTES", 2 * 2**20)
    path = write(in_tmp, HEAD + TYPED + "# " + "x" * (3 * 2**20) + "\n")
    assert load_errors(path, "bad.yaml") == ["bad.yaml:1: file: is 3.1 MB; decks are limited to 2 MiB"]


def test_python_m_legquiz_maps_deck_errors_to_exit_1(in_tmp: Path) -> None:
    import subprocess
    import sys

    write(in_tmp, HEAD + TYPED + "    explantion: Why.\n")
    write(in_tmp, HEAD + TYPED, "good.yaml")
    run = subprocess.run(
        [sys.executable, "-m", "legquiz", "deck", "validate", "bad.yaml", "nope.yaml"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        "bad.yaml:9: questions[0].explantion: unknown key (did you mean 'explanation'?)",
        "nope.yaml:1: path: no such file",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "legquiz", "deck", "validate", "good.yaml"], capture_output=True, text=True, timeout=60
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "good.yaml: ok: deck 'mine', 1 question (1 typed)\n", "")


def test_docs_example_is_a_valid_deck(tmp_path: Path) -> None:
    doc = (REPO / "docs" / "deck-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S)
    assert example is not None
    d = deck.load(write(tmp_path, example.group(1), "example.yaml"), articles=ArticleIndex())  # sources verbatim
    assert {q.type for q in d.questions} == set(QType)
    assert any(q.sources for q in d.questions)


def test_docs_state_the_limits_in_force() -> None:
    doc = (REPO / "docs" / "deck-format.md").read_text(encoding="utf-8")
    for name, shown in [
        ("MAX_FILE_BYTES", f"{limits.MAX_FILE_BYTES // 2**20} MiB"),
        ("MAX_QUESTIONS", f"{deck.MAX_QUESTIONS:,}"),
        ("MAX_TEXT", f"{deck.MAX_TEXT:,}"),
        ("MAX_CHOICES", f"2 to {deck.MAX_CHOICES}"),
        ("MAX_ALIASES", f"{deck.MAX_ALIASES}"),
        ("MAX_SOURCES", f"1 to {deck.MAX_SOURCES}"),
        ("MAX_DEPTH", f"{yamlguard.MAX_DEPTH} levels"),
        ("MAX_NODES", f"{yamlguard.MAX_NODES:,}"),
        ("MAX_ERRORS", f"{deck.MAX_ERRORS}"),
    ]:
        assert f"| {shown} (`{name}`)" in doc


# -- sources checked against their articles (deck validate only) ------------------------------------------

ARTICLE = "A Title\n\nLegs grow when\n  trained hard. Calves don’t shrink.\n"
QUOTING = HEAD.replace("title: Mine\n", "title: Mine\narticle: art.txt\n") + (
    "  - id: q1\n    type: flashcard\n    question: Q?\n    answer: A\n"  # lines 6-9
    '    source: "Legs grow when trained hard."\n'  # 10: across the article's line break: fine
    "    sources:\n"
    '      - {article: other.txt, text: "Other sentence."}\n'  # 12
    '      - {article: other.txt, text: "A sentence nobody wrote."}\n'  # 13
    '      - {article: gone.txt, text: "Whatever."}\n'  # 14
    '      - text: "Calves don\'t shrink."\n'  # 15: the deck's article, straight apostrophe
    '      - text: "legs grow when trained hard."\n'  # 16
    "  - id: q2\n    type: flashcard\n    question: Q?\n    answer: A\n    article: nope.txt\n"  # 17-21
)


def test_validate_checks_every_source_against_its_article(in_tmp: Path) -> None:
    write(in_tmp, ARTICLE, "art.txt")
    write(in_tmp, "Other\n\nOther sentence.\n", "other.txt")
    write(in_tmp, QUOTING)
    missing = (
        "next to the deck, in the articles folder of your legquiz directory or among the articles shipped with legquiz"
    )
    assert validate("bad.yaml") == (
        1,
        "",
        "bad.yaml:13: questions[0].sources[1].text: is not in other.txt (a source is a sentence copied exactly from its article)\n"
        f"bad.yaml:14: questions[0].sources[2].article: no article 'gone.txt' {missing}\n"
        "bad.yaml:15: questions[0].sources[3].text: differs from art.txt only in quote marks, apostrophes or dashes; copy them exactly\n"
        "bad.yaml:16: questions[0].sources[4].text: differs from art.txt only in capital letters; copy it exactly\n"
        f"bad.yaml:21: questions[1].article: no article 'nope.txt' {missing}\n",
    )
    assert len(deck.load(in_tmp / "bad.yaml").questions) == 2  # studying reads no article: the deck still loads


def test_a_missing_deck_article_is_reported_once_at_the_deck_s_article(in_tmp: Path) -> None:
    write(in_tmp, HEAD.replace("title: Mine\n", "title: Mine\narticle: gone.txt\n") + TYPED + '    source: "A."\n')
    code, out, err = validate("bad.yaml")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "bad.yaml:4: article: no article 'gone.txt' next to the deck, in the articles folder of your legquiz "
        "directory or among the articles shipped with legquiz"
    ]


def test_sources_found_next_to_the_deck_at_home_or_shipped_validate(in_tmp: Path, legquiz_home: Path) -> None:
    """Found next to the deck, in LEGQUIZ_HOME/articles, or shipped; the deck's own article for an item without one."""
    (legquiz_home / "articles").mkdir(parents=True)
    write(legquiz_home / "articles", "Home\n\nFrom the home folder.\n", "home.txt")
    write(in_tmp, ARTICLE, "art.txt")
    text = (
        HEAD.replace("title: Mine\n", "title: Mine\narticle: art.txt\n")
        + TYPED
        + (
            "    sources:\n"
            '      - text: "Calves don’t shrink."\n'
            '      - {article: home.txt, text: "From the home folder."}\n'
            "      - article: does-jogging-make-your-legs-bigger.txt\n"
            '        text: "Over time, this repair process leads to muscle growth and increased strength."\n'
        )
    )
    write(in_tmp, text, "good.yaml")
    assert validate("good.yaml") == (0, "good.yaml: ok: deck 'mine', 1 question (1 typed)\n", "")
    d = deck.load(in_tmp / "good.yaml")
    assert d.citations(d.questions[0]) == (
        ("art.txt", "Calves don’t shrink."),
        ("home.txt", "From the home folder."),
        ("does-jogging-make-your-legs-bigger.txt", "Over time, this repair process leads to muscle growth and increased strength."),
    )  # fmt: skip

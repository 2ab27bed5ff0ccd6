"""Class 3 of issue 15: odd names. A file name is data, like a deck's text.

A name that is not UTF-8 (Linux allows any bytes but '/' and NUL) must not
crash a command, and a name holding ESC, BEL, a newline or a bidirectional
override must reach the terminal as visible codes, on one line, in warnings,
errors and ordinary output alike. Each test creates such files for real and
runs the real command in a process of its own.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
from pathlib import Path

import pexpect
from realcli import RAW, clean, run
from sessionkit import CFG, ENTER, UTC_DAYS, Clock, Scripted, q

from legquiz.core.model import Deck, QType
from legquiz.core.queue import Item
from legquiz.core.session import Session
from legquiz.deckfile import catalog
from legquiz.deckfile.articles import ArticleIndex
from legquiz.storage.store import Store
from legquiz.text import inert, one_line, shown_path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "legquiz" / "articles" / "does-jogging-make-your-legs-bigger.txt"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: the text after it reads backwards


def deck_yaml(deck_id: str, title: str = "T") -> bytes:
    return (
        f"format: 1\nid: {deck_id}\ntitle: {json.dumps(title)}\nquestions:\n"
        "  - id: q1\n    type: flashcard\n    question: What is the question?\n    answer: A\n"
    ).encode()


# name on disk -> what it holds. The valid ones load; the broken and clashing ones are skipped with a warning.
ODD = {
    b"bad\xff.yaml": deck_yaml("latin"),  # not UTF-8: a valid deck, it loads
    b"esc\x1b[31m.yaml": b"format: 1\nid: [broken\n",  # colours the terminal red if printed raw
    b"title\x1b]0;pwned\x07.yaml": deck_yaml("good"),  # an OSC title sequence; clashes with good.yaml's id
    b"nl\n.yaml": b"not: a deck\n",  # a newline would split a warning in two
    f"bidi{RLO}lmay.yaml".encode(): b"format: 1\n",  # shown as it is written, not reversed
    b"good.yaml": deck_yaml("good"),
}


def odd_decks(home: Path) -> Path:
    folder = home / "decks"
    folder.mkdir(parents=True)
    for name, data in ODD.items():
        (folder / os.fsdecode(name)).write_bytes(data)
    return folder


def test_shown_path_is_inert_on_one_line_and_shows_bad_bytes() -> None:
    assert shown_path(b"/d/bad\xff.yaml") == "/d/bad\\xff.yaml"
    assert shown_path(os.fsdecode(b"/d/bad\xff.yaml")) == "/d/bad\\xff.yaml"
    assert shown_path(Path("esc\x1b[31m\a\n.yaml")) == "esc\\x1b[31m\\x07\\n.yaml"
    assert shown_path(f"a{RLO}b\u2066c\u200fd\u061ce") == "a\\u202eb\\u2066c\\u200fd\\u061ce"
    assert shown_path("plain/émigré-走る.yaml") == "plain/émigré-走る.yaml"
    assert one_line("x\ud800y\udcffz") == inert("x\ud800y\udcffz") == "x\\ud800y\\xffz"  # printable, always


def test_inert_shows_every_bidirectional_control() -> None:
    bidi = "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
    for text in (inert(bidi), one_line(bidi)):
        assert not RAW.search(text) and text.count("\\u") == len(bidi), text
    assert inert(f"abc{RLO}fed") == "abc\\u202efed"


def test_every_command_that_loads_decks_survives_odd_names(legquiz_home: Path, tmp_path: Path) -> None:
    folder = odd_decks(legquiz_home)
    for args in (("deck", "list"), ("stats",), ("stats", "--json")):
        r = run(*args)
        assert r.code == 0, r.err
        clean(r)
        warnings = [line for line in r.err.splitlines() if line.startswith("legquiz: warning: skipping deck")]
        assert len(warnings) == len(r.err.splitlines()) == 4, r.err  # one line per skipped file
        assert any(f"{shown_path(folder)}/esc\\x1b[31m.yaml: " in w for w in warnings), warnings
        assert any(f"/nl\\n.yaml: {shown_path(folder)}/nl\\n.yaml:1: " in w for w in warnings), warnings
        assert any("/bidi\\u202elmay.yaml:" in w for w in warnings), warnings
        assert any("title\\x1b]0;pwned\\x07.yaml: id 'good' is already used by" in w for w in warnings), warnings
    listed = run("deck", "list", "--json")
    clean(listed)
    rows = {row["id"]: row for row in json.loads(listed.out)}
    assert {"latin", "good"} <= rows.keys()  # the other decks still load, the one named in Latin-1 too
    assert os.fsencode(rows["latin"]["path"]) == os.fsencode(folder) + b"/bad\xff.yaml"  # the exact name, in JSON
    r = run("export", "apkg", "--deck", "latin", "-o", tmp_path / "latin.apkg")
    assert r.code == 0 and (tmp_path / "latin.apkg").stat().st_size > 0, r.err
    clean(r)


def test_deck_validate_shows_each_name_inert(tmp_path: Path) -> None:
    names = [b"bad\xff.yaml", b"esc\x1b[31m.yaml", b"nl\n.yaml", f"bidi{RLO}lmay.yaml".encode()]
    for name in names:
        (tmp_path / os.fsdecode(name)).write_bytes(deck_yaml("fine"))
    r = run("deck", "validate", *names, cwd=tmp_path)
    assert r.code == 0, r.err
    clean(r)
    assert r.out.splitlines() == [f"{shown_path(name)}: ok: deck 'fine', 1 question (1 flashcard)" for name in names], (
        r.out
    )
    assert "bad\\xff.yaml: ok:" in r.out and "esc\\x1b[31m.yaml: ok:" in r.out and "nl\\n.yaml: ok:" in r.out
    for name in names:  # and a broken one: its FILE:LINE: FIELD: message line
        (tmp_path / os.fsdecode(name)).write_bytes(b"format: 1\nid: Bad Id\n")
    r = run("deck", "validate", *names, cwd=tmp_path)
    assert r.code == 1
    clean(r)
    lines = r.err.splitlines()
    assert len(lines) >= len(names) and {line.split(":", 1)[0] for line in lines} == {shown_path(n) for n in names}


def test_deck_add_and_import_anki_with_odd_names(legquiz_home: Path, tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"mine\xff\x1b[2J.yaml")).write_bytes(deck_yaml("mine"))
    r = run("deck", "add", b"mine\xff\x1b[2J.yaml", cwd=tmp_path)
    assert r.code == 0, r.err
    clean(r)
    (tmp_path / os.fsdecode(b"notes\xff\x1b[31m\n.txt")).write_bytes(b"front\tback\nA question?\tAn answer\n")
    r = run("import", "anki", b"notes\xff\x1b[31m\n.txt", cwd=tmp_path)
    assert r.code == 0, r.err
    clean(r)
    imported = [d for d in catalog.load(legquiz_home).decks if d.origin == "user" and d.id != "mine"]
    assert [d.title for d in imported] == ["notes\\xff\\x1b[31m\\n"]  # the title made from the name is inert
    assert "# Imported from notes\\xff\\x1b[31m\\n.txt by" in Path(imported[0].path).read_text("utf-8")
    r = run("export", "apkg", "--deck", "mine", "-o", "pkg.apkg", cwd=tmp_path)
    assert r.code == 0, r.err
    os.rename(tmp_path / os.fsdecode(b"pkg.apkg"), tmp_path / os.fsdecode(b"pkg\xff\x07.apkg"))
    r = run("import", "anki", b"pkg\xff\x07.apkg", "--deck-id", "from-pkg", cwd=tmp_path)
    assert r.code == 0, r.err
    clean(r)
    assert "Added deck 'from-pkg'" in r.out


def test_generate_with_odd_names(tmp_path: Path) -> None:
    for name in (b"art\x1b[31m.txt", b"art\n.txt", f"art{RLO}.txt".encode()):
        shutil.copyfile(ARTICLE, tmp_path / os.fsdecode(name))
        r = run("generate", name, cwd=tmp_path)
        assert r.code == 0, r.err
        clean(r)
        made = name[: -len(b".txt")] + b".yaml"
        assert f"to {shown_path(made)}." in " ".join(r.out.split())  # wrapped to the width: read as text
        check = run("deck", "validate", made, cwd=tmp_path)  # the draft names its article: still found
        assert check.code == 0, check.err
    shutil.copyfile(ARTICLE, tmp_path / os.fsdecode(b"art\xff.txt"))
    r = run("generate", b"art\xff.txt", cwd=tmp_path)
    assert r.code == 1
    clean(r)
    assert r.err == (
        "legquiz: art\\xff.txt: the file name is not valid UTF-8, and a deck names its article by file name; "
        "rename the file\n"
    )


def test_start_in_a_terminal_with_odd_names(legquiz_home: Path) -> None:
    """`start` shows the same inert warnings in a real terminal, then asks the deck that loaded."""
    import io

    folder = odd_decks(legquiz_home)
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "legquiz", "start", "--deck", "good"], env=env, timeout=30)
    screen = io.BytesIO()
    child.logfile_read = screen
    child.expect("What is the question")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    log = screen.getvalue().decode("utf-8")  # strict: a raw byte 0xff from a name would fail here
    assert f"skipping deck {shown_path(folder)}/esc\\x1b[31m.yaml" in log
    assert "/nl\\n.yaml" in log and "/bidi\\u202elmay.yaml" in log
    assert "\x1b]0;pwned" not in log and "/nl\n" not in log and "/nl\r\n" not in log  # (a terminal adds \r)
    assert RLO not in log and "Traceback" not in log


def test_bidi_overrides_in_deck_and_imported_text_are_shown_inert(legquiz_home: Path, tmp_path: Path) -> None:
    deck = Deck(
        id="bidi",
        title=f"Title{RLO}eltit",
        article=None,
        questions=(
            q("mc", QType.MULTIPLE_CHOICE, question=f"Which{RLO}?", choices=("red\u2066x\u2069", "blue"),
              answer="red\u2066x\u2069", explanation=f"because{RLO}"),
            q("typed", QType.TYPED, question="Type\u200f it", answer=f"word{RLO}", explanation="\u061c"),
        ),
    )  # fmt: skip
    p = Scripted([lambda a: a.choices[0].value, ENTER, f"typed{RLO}back", ENTER])
    with Store.open(legquiz_home) as store:
        items = [Item(deck, qq) for qq in deck.questions]
        Session(items, CFG, UTC_DAYS, p, Clock(), store, ArticleIndex(legquiz_home), random.Random(1)).run()
    assert "\\u202e" in p.text and "\\u2066" in p.text and "\\u200f" in p.text
    assert not RAW.search(p.text), sorted({repr(m.group()) for m in RAW.finditer(p.text)})
    # text imported from Anki keeps the override as data, and shows it inert
    export = tmp_path / "notes.txt"
    export.write_text(f"front\tback\nWhich way{RLO} is this?\tforwards{RLO}\n", "utf-8")
    r = run("import", "anki", export, "--deck-id", "imported", "--title", f"From{RLO}Anki")
    assert r.code == 0, r.err
    clean(r)
    imported = catalog.load(legquiz_home).get("imported")
    assert imported is not None and RLO in imported.questions[0].question  # kept as data
    r = run("deck", "list")
    clean(r)
    assert re.search(r"From\\u202eAnki", r.out), r.out

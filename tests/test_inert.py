"""Deck text is shown inert: escapes in a deck cannot clear the screen, retitle the terminal or colour it.

A deck is data someone else may have written. Every control character in it
(ESC, BEL, CR, backspace, the C1 CSI) must reach the terminal as a visible
code, whether it sits in a question, a choice, an explanation, a title, or in
what the person typed back.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
from datetime import datetime
from pathlib import Path

import pexpect
from clikit import legquiz
from sessionkit import CFG, ENTER, UTC_DAYS, Clock, Scripted, q

from legquiz.core.model import Deck, QType
from legquiz.core.queue import Item
from legquiz.core.session import Session
from legquiz.deckfile.articles import ArticleIndex
from legquiz.storage.store import Store
from legquiz.text import inert, one_line

CLEAR = "\x1b[2J"  # erase the screen
TITLE = "\x1b]0;pwned\x07"  # OSC: set the terminal title, ended by BEL
EVIL = f"A{CLEAR}B{TITLE}C\x07D\rE\x08F\x9b2JG\x1b[31mH\x7fI"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # any control character but newline (and tab, made a space)


def test_inert_makes_every_control_character_visible() -> None:
    shown = inert(EVIL)
    assert not RAW.search(shown) and "\t" not in inert("a\tb")
    assert shown == "A\\x1b[2JB\\x1b]0;pwned\\x07C\\x07D\\x0dE\\x08F\\x9b2JG\\x1b[31mH\\x7fI"
    assert inert("plain text, “quotes”, émigré, 走る\nnext line") == "plain text, “quotes”, émigré, 走る\nnext line"


def test_one_line_also_keeps_it_on_one_line() -> None:
    assert one_line(f"a\nb{CLEAR}\u2028c") == "a\\nb\\x1b[2J\\u2028c"


def evil_deck() -> Deck:
    return Deck(
        id="evil",
        title=f"Evil{TITLE} deck",
        article=None,
        questions=(
            q("mc", QType.MULTIPLE_CHOICE, question=f"Which{CLEAR}?", choices=(f"red{EVIL}", "blue"),
              answer=f"red{EVIL}", explanation=f"because{EVIL}", source=f"the article{EVIL}"),
            q("tf", QType.TRUE_FALSE, question=f"True{EVIL}?", answer=True, explanation=EVIL),
            q("typed", QType.TYPED, question=f"Type{EVIL}", answer=f"word{EVIL}", explanation=EVIL),
            q("flash", QType.FLASHCARD, question=f"Think{EVIL}", answer=f"this{EVIL}", explanation=EVIL),
            q("cloze", QType.CLOZE, text=f"Fill {{{{gap}}}} in{EVIL}", explanation=EVIL, source=EVIL),
        ),
    )  # fmt: skip


def test_nothing_a_session_shows_holds_a_raw_control_character(legquiz_home: Path) -> None:
    deck = evil_deck()
    answers = [
        lambda a: a.choices[0].value, ENTER,  # multiple choice
        "true", ENTER,  # true/false
        f"typed back{CLEAR}{TITLE}", ENTER,  # the person's own answer is echoed back too
        "", "3",  # flashcard
        f"gap{TITLE}", ENTER,  # cloze
    ]  # fmt: skip
    p = Scripted(answers)
    items = [Item(deck, qq) for qq in deck.questions]
    with Store.open(legquiz_home) as store:
        summary = Session(items, CFG, UTC_DAYS, p, Clock(), store, ArticleIndex(legquiz_home), random.Random(1)).run()
    assert summary.answered == 5 and not p.answers
    shown = p.text  # every message, choice title and block of text the prompter got
    assert "\\x1b[2J" in shown and "\\x1b]0;pwned\\x07" in shown and "\\x9b2J" in shown
    bad = sorted({repr(m.group()) for m in RAW.finditer(shown)})
    assert bad == [], bad
    assert [c.value for a in p.asked for c in a.choices if c.value.startswith("red")] == [f"red{EVIL}"]  # kept as data


EVIL_YAML = """\
format: 1
id: evil
title: "Evil \\e]0;pwned\\a deck"
questions:
  - id: q1
    type: true_false
    question: "Clear \\e[2J the screen, ring \\a, return \\r, retitle \\e]0;owned\\a, C1 \\x9b2J"
    answer: true
    explanation: "Because \\e[5mblinking\\e[0m"
"""


def test_a_real_terminal_never_receives_the_deck_escapes(legquiz_home: Path) -> None:
    (legquiz_home / "decks").mkdir(parents=True)
    (legquiz_home / "decks" / "evil.yaml").write_text(EVIL_YAML)
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    far = (datetime.now().hour + 12) % 24  # the study day turns over far from now: the step falls today
    (legquiz_home / "config.json").write_text(f'{{"learn_ahead_minutes": 0, "day_start": {far}}}')  # one answer
    child = pexpect.spawn(
        sys.executable, ["-m", "legquiz", "start", "--deck", "evil"], env=env, dimensions=(40, 160), timeout=20
    )
    screen = io.BytesIO()
    child.logfile_read = screen
    child.expect(rb"Clear .{0,20}the screen")
    child.send("\r")  # True
    child.expect([b"Correct", b"Not quite"])
    child.send("\r")
    child.expect(rb"Wait for it")  # the step is due within the hour: end now rather than wait
    child.send("e")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    transcript = screen.getvalue()
    assert b"Clear \\x1b[2J the screen, ring \\x07, return \\x0d, retitle \\x1b]0;owned\\x07" in transcript
    for raw in (b"\x1b[2J", b"\x1b]0;", b"\x07", b"\x1b[5m", b"\xc2\x9b"):
        assert raw not in transcript, raw
    stats = legquiz("stats")  # rich renders the deck title in the per-deck table
    assert stats.code == 0 and "Evil" in stats.out
    assert not RAW.search(stats.out), "stats printed a raw control character"
    assert json.loads(legquiz("stats", "--json").out)["totals"]["reviews_total"] == 1

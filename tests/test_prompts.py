"""The real questionary prompts, fed keystrokes through prompt_toolkit's pipe input.

Keys as a terminal sends them: "\\r" Enter, "\\x1b[B" down arrow, "\\x03" Ctrl-C,
"\\x04" Ctrl-D, "\\x1a" Ctrl-Z (as questionary's own tests do).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from sessionkit import T0, UTC_DAYS, Clock, every_kind_deck

from legquiz.core.queue import Item
from legquiz.core.session import Session
from legquiz.core.settings import Config
from legquiz.deckfile.articles import ArticleIndex
from legquiz.storage.store import LOG, Store
from legquiz.ui.ask import UNDO, Ask, Choice, Quit
from legquiz.ui.render import wrap
from legquiz.ui.terminal import QuestionaryPrompter

ENTER, DOWN, UP, CTRL_C, CTRL_D, CTRL_Z = "\r", "\x1b[B", "\x1b[A", "\x03", "\x04", "\x1a"

ABC = Ask("select", "Pick one", (Choice("Apple", "a"), Choice("Banana", "b"), Choice("Cherry", "c")))


@pytest.fixture
def pipe() -> Iterator[object]:
    with create_pipe_input() as inp:
        yield inp


def prompter(inp: object, stream: io.StringIO | None = None) -> QuestionaryPrompter:
    return QuestionaryPrompter(input=inp, output=DummyOutput(), stream=stream or io.StringIO(), colour=False)


def ask_with(pipe: object, ask: Ask, keys: str) -> str:
    pipe.send_text(keys)  # type: ignore[attr-defined]
    return prompter(pipe).ask(ask)


# -- one prompt at a time ------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "value"),
    [
        (ENTER, "a"),
        (DOWN + ENTER, "b"),
        (DOWN + DOWN + ENTER, "c"),
        (DOWN + DOWN + DOWN + ENTER, "a"),  # wraps round
        (UP + ENTER, "c"),
        ("2" + ENTER, "b"),  # number shortcut
        ("3" + UP + ENTER, "b"),
    ],
)
def test_select(pipe: object, keys: str, value: str) -> None:
    assert ask_with(pipe, ABC, keys) == value


def test_select_starts_on_the_default(pipe: object) -> None:
    ask = Ask("select", ABC.message, ABC.choices, default="c")
    assert ask_with(pipe, ask, ENTER) == "c"
    assert ask_with(pipe, ask, UP + ENTER) == "b"


@pytest.mark.parametrize(
    ("keys", "value"), [("Hypertrophy" + ENTER, "Hypertrophy"), (ENTER, ""), ("ab\x7fc" + ENTER, "ac")]
)
def test_text(pipe: object, keys: str, value: str) -> None:
    assert ask_with(pipe, Ask("text", "Type it"), keys) == value


@pytest.mark.parametrize("key", ["x", " ", ENTER, "1"])
def test_reveal_any_key(pipe: object, key: str) -> None:
    assert ask_with(pipe, Ask("reveal", "Think, then press a key"), key) == ""


KINDS = [ABC, Ask("text", "Type it"), Ask("reveal", "Press a key")]


@pytest.mark.parametrize("ask", KINDS, ids=lambda a: a.kind)
@pytest.mark.parametrize("key", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_and_ctrl_d_quit(pipe: object, ask: Ask, key: str) -> None:
    with pytest.raises(Quit):
        ask_with(pipe, ask, key)


@pytest.mark.parametrize("ask", KINDS, ids=lambda a: a.kind)
def test_ctrl_z_asks_for_undo(pipe: object, ask: Ask) -> None:
    assert ask_with(pipe, ask, CTRL_Z) == UNDO


def test_ctrl_d_with_text_typed_still_quits(pipe: object) -> None:
    with pytest.raises(Quit):
        ask_with(pipe, Ask("text", "Type it"), "abc" + CTRL_D)


def test_keys_typed_ahead_go_to_the_next_prompt(pipe: object) -> None:
    pipe.send_text(DOWN + ENTER + "hello" + ENTER + "x" + "3" + ENTER)  # type: ignore[attr-defined]
    p = prompter(pipe)
    assert [p.ask(ABC), p.ask(Ask("text", "T")), p.ask(Ask("reveal", "R")), p.ask(ABC)] == ["b", "hello", "", "c"]


def test_long_messages_are_wrapped_not_cut(pipe: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    seen: list[str] = []
    import questionary

    real = questionary.text

    def spy(message: str, **kw: object) -> object:
        seen.append(message)
        return real(message, **kw)

    monkeypatch.setattr(questionary, "text", spy)
    long = "It is important to recognize that individual factors play a significant role here"
    assert ask_with(pipe, Ask("text", f"{long}\n  Fill in the blank:"), "factors" + ENTER) == "factors"
    lines = seen[0].split("\n")
    assert len(lines) > 3 and len(lines[0]) + len("? ") <= 39 and all(len(line) <= 39 for line in lines[1:])
    assert " ".join(x.strip() for x in lines[:-1]) == long
    assert lines[-1] == "  Fill in the blank:"


# -- wrap, say, style ------------------------------------------------------------


def test_wrap_keeps_words_and_indents() -> None:
    text = "  Why: " + "word " * 30 + "\nshort\n\n  Source: “" + "x" * 50 + "”"
    out = wrap(text, 40)
    lines = out.split("\n")
    assert all(len(line) <= 40 or len(line.split()) == 1 for line in lines)  # a longer word: whole, on its own
    assert "    “" + "x" * 50 + "”" in lines
    assert lines[0].startswith("  Why: word") and lines[1].startswith("    word")
    assert "short" in lines and "" in lines
    assert "".join(out.split()) == "".join(text.split())  # nothing lost, only line breaks added


def test_wrap_ignores_colour_codes_for_indent() -> None:
    out = wrap("\x1b[2m  Source: " + "long words here " * 8 + "\x1b[0m", 40)
    assert all(line.startswith("    ") and line[4] != " " for line in out.split("\n")[1:])


def test_say_and_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = io.StringIO()
    plain = QuestionaryPrompter(input=None, output=DummyOutput(), stream=out, colour=False)
    plain.say(plain.style("✓ Correct.", "good"))
    assert out.getvalue() == "✓ Correct.\n"
    coloured = QuestionaryPrompter(input=None, output=DummyOutput(), stream=out, colour=True)
    green = coloured.style("ok", "good")
    assert green.startswith("\x1b[32m\x1b[1m") and green.endswith("ok\x1b[0m")
    assert "\x1b[2m" in coloured.style("dim", "dim")
    assert "\x1b[3" not in coloured.style("plain", "nonsense")  # an unknown kind gets no colour


def test_colour_follows_the_stream_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert QuestionaryPrompter(stream=io.StringIO()).colour is False  # not a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    assert QuestionaryPrompter(stream=io.StringIO()).colour is False


# -- a whole session through the real prompts ---------------------------------------


class Driven(QuestionaryPrompter):
    """The real prompter; before each prompt, ``keys(ask)`` is typed into the pipe."""

    def __init__(self, inp: object, keys: list[Callable[[Ask], str] | str]) -> None:
        super().__init__(input=inp, output=DummyOutput(), stream=io.StringIO(), colour=False)
        self.inp = inp
        self.keys = keys
        self.asked: list[Ask] = []

    def ask(self, ask: Ask) -> str:
        self.asked.append(ask)
        k = self.keys.pop(0)
        self.inp.send_text(k(ask) if callable(k) else k)  # type: ignore[attr-defined]
        return super().ask(ask)


def pick(value: str) -> Callable[[Ask], str]:
    """Arrow down to the choice with this value, then Enter (the choices may be shuffled)."""

    def keys(ask: Ask) -> str:
        values = [c.value for c in ask.choices]
        start = values.index(ask.default) if ask.default in values else 0
        return DOWN * ((values.index(value) - start) % len(values)) + ENTER

    return keys


def test_a_whole_session_through_the_real_prompts(legquiz_home: Path) -> None:
    deck = every_kind_deck()
    items = [Item(deck, q) for q in deck.questions]
    keys: list[Callable[[Ask], str] | str] = [
        pick("Neck"),  # mc: wrong
        "u",  # menu: Undo this answer (one key, no Enter)
        pick("Quads"),  # mc again: right
        ENTER,  # accept Good
        pick("true"),  # tf: right
        "4",  # change the rating to Easy (one key)
        CTRL_Z,  # at the typed question: take back the tf
        pick("false"),  # tf again: wrong
        ENTER,  # accept Again
        "hypertrofy" + ENTER,  # typed: a typo
        ENTER,  # accept Hard
        " ",  # flashcard: reveal
        "1",  # self-grade Again (one key)
        "Aerobic" + ENTER,  # cloze
        ENTER,
        "squats" + ENTER,  # two-gap cloze, first gap...
        CTRL_C,  # ...and stop
    ]
    with create_pipe_input() as inp, Store.open(legquiz_home) as store:
        p = Driven(inp, keys)
        summary = Session(
            items, Config(fuzz=False, learn_ahead_minutes=0), UTC_DAYS, p, Clock(), store, ArticleIndex(),
            random.Random(5),
        ).run()  # fmt: skip
    assert keys == []
    assert summary.quit and (summary.answered, summary.correct) == (5, 3)
    recs = [json.loads(line) for line in (legquiz_home / LOG).read_text().splitlines()]
    got = [
        (r["op"], r.get("card", "").split("/")[-1], r.get("rating"), r.get("verdict"), r.get("replaces")) for r in recs
    ]
    assert got == [
        ("review", "mc", 1, "wrong", None),
        ("undo", "", None, None, None),
        ("review", "mc", 3, "right", None),
        ("review", "tf", 3, "right", None),
        ("review", "tf", 4, "right", 4),
        ("undo", "", None, None, None),
        ("review", "tf", 1, "wrong", None),
        ("review", "typed", 2, "typo", None),
        ("review", "flash", 1, "self", None),
        ("review", "cloze", 3, "right", None),
    ]
    shown = p.stream.getvalue()  # type: ignore[attr-defined]
    assert "Answer taken back" in shown and "Took back your last answer" in shown
    assert "✓ Correct, with a typo" in shown and "Source: “Jogging is primarily an aerobic exercise.”" in shown
    assert [a.kind for a in p.asked].count("reveal") == 1


def test_ctrl_c_at_the_first_question_saves_nothing(legquiz_home: Path) -> None:
    deck = every_kind_deck()
    with create_pipe_input() as inp, Store.open(legquiz_home) as store:
        p = Driven(inp, [CTRL_C])
        s = Session([Item(deck, deck.questions[0])], Config(), UTC_DAYS, p, Clock(T0), store, ArticleIndex())
        summary = s.run()
    assert summary.quit and summary.answered == 0
    assert (legquiz_home / LOG).read_bytes() == b""


def test_wrap_does_not_count_colour_codes() -> None:
    header = "\x1b[1m1/20\x1b[0m  \x1b[1mDoes jogging make your legs bigger?\x1b[0m   \x1b[2mctrl-z undo · ctrl-c stop\x1b[0m"
    assert len(header) > 80 and wrap(header, 70) == header  # 69 columns on screen: fits
    assert wrap(header, 60).split("\n")[1] == "  ctrl-c stop\x1b[0m"  # 58 + 2 + 4 > 60


@pytest.mark.parametrize(
    ("keys", "expected"),
    [("f", "false"), ("t", "true"), ("n", "false"), ("y", "true"), (ENTER, "true"), (DOWN + " ", "false")],
)
def test_true_false_takes_one_key(keys: str, expected: str) -> None:
    ask = Ask(
        "select", "True or false? x", (Choice("True", "true", "t", ("y",)), Choice("False", "false", "f", ("n",)))
    )
    with create_pipe_input() as inp:
        p = QuestionaryPrompter(input=inp, output=DummyOutput(), stream=io.StringIO(), colour=False)
        inp.send_text(keys)
        assert p.ask(ask) == expected


def test_a_rating_or_an_answer_is_one_key() -> None:
    rating = Ask(
        "select", "Rate it and go on:", tuple(Choice(n, n, n) for n in "1234") + (Choice("Undo", UNDO, "u"),), "3"
    )
    mc = Ask("select", "Which?", (Choice("a", "A", "1"), Choice("b", "B", "2"), Choice("c", "C", "3")))
    with create_pipe_input() as inp:
        p = QuestionaryPrompter(input=inp, output=DummyOutput(), stream=io.StringIO(), colour=False)
        for keys, ask, expected in [("2", rating, "2"), (" ", rating, "3"), ("u", rating, UNDO), ("3", mc, "C")]:
            inp.send_text(keys)
            assert p.ask(ask) == expected, keys


def test_ctrl_z_in_a_half_typed_answer_keeps_the_text() -> None:
    with create_pipe_input() as inp:
        p = QuestionaryPrompter(input=inp, output=DummyOutput(), stream=io.StringIO(), colour=False)
        inp.send_text("hyper" + CTRL_Z + "trophy" + ENTER)
        assert p.ask(Ask("text", "Name it:")) == "hypertrophy"
        inp.send_text(CTRL_Z)
        assert p.ask(Ask("text", "Name it:")) == UNDO  # with nothing typed, Ctrl-Z still takes back the last answer

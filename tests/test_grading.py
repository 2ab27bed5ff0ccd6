"""Grading typed answers: forgiving about form, strict about substance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legquiz.core.grading import Verdict, allowed_typos, grade, normalize

R, T, W = Verdict.RIGHT, Verdict.TYPO, Verdict.WRONG


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hypertrophy", "hypertrophy"),
        ("  Resistance   Training. ", "resistance training"),
        ("The quadriceps", "quadriceps"),
        ("a lunge", "lunge"),
        ("an apple", "apple"),
        ("theory", "theory"),  # "the" only as a whole word
        ("Micro-tears!", "micro tears"),
        ("CAFÉ", "cafe"),
        ("Straße", "strasse"),
        ("“quoted”", "quoted"),
        ("5 km", "5 km"),
        ("", ""),
        ("?!.", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("answer", "typos"),
    [
        ("leg", 0),
        ("calf", 0),  # 4 letters: strict
        ("lunge", 1),  # 5
        ("aerobic", 1),
        ("anaerobic", 1),  # 9: still 1
        ("hypertrophy", 2),  # 11
        ("resistance", 2),  # 10
        ("leg press", 1),  # 8 letters, spaces do not count
        ("10 km", 0),
        ("quadriceps 2", 0),  # any digit: strict
    ],
)
def test_allowed_typos(answer: str, typos: int) -> None:
    assert allowed_typos(answer) == typos


@pytest.mark.parametrize(
    ("given", "accepted", "verdict"),
    [
        # form never matters
        ("hypertrophy", ["Hypertrophy"], R),
        ("  HYPERTROPHY.  ", ["Hypertrophy"], R),
        ("the hypertrophy", ["Hypertrophy"], R),
        ("micro tears", ["Micro-tears"], R),
        ("microtears", ["Micro-tears"], R),
        ("deadlifts", ["dead lifts"], R),
        # aliases
        ("cardio", ["Cardiovascular", "cardiovascular exercise", "cardio"], R),
        ("muscle hypertrophy", ["Hypertrophy", "muscle hypertrophy"], R),
        # small typos in long enough words
        ("hypertrophi", ["Hypertrophy"], T),
        ("hypretrophy", ["Hypertrophy"], T),  # a transposition is one typo
        ("hipertrophi", ["Hypertrophy"], T),  # 11 letters: two
        ("hipertrofy", ["Hypertrophy"], W),  # three is too many
        ("lunge", ["Lunges"], T),
        ("factor", ["factors"], T),
        ("resistence training", ["Resistance training"], T),
        ("resistance trainig", ["Resistance training"], T),
        ("resistancetrainin", ["Resistance training"], T),  # run together and a slip
        # meaning, not form: these are wrong
        ("aerobic", ["anaerobic"], W),
        ("anaerobic", ["aerobic"], W),
        ("decreased strength", ["Increased strength"], W),  # two typos in one word of a long phrase
        ("leg", ["log"], W),  # short: strict
        ("calf", ["half"], W),
        ("15 km", ["16 km"], W),  # numbers: strict
        ("10", ["100"], W),
        ("", ["anything"], W),
        ("   ", ["anything"], W),
        ("strength", ["Increased strength"], W),
        ("anything", [], W),
    ],
)
def test_grade(given: str, accepted: list[str], verdict: Verdict) -> None:
    assert grade(given, accepted).verdict is verdict


def test_grade_says_which_answer_matched() -> None:
    assert grade("cardio", ["Cardiovascular", "cardio"]).matched == "cardio"
    assert grade("cardiovasculer", ["Cardiovascular", "cardio"]).matched == "Cardiovascular"
    assert grade("nope", ["Cardiovascular"]).matched == ""


def test_an_exact_alias_beats_a_typo_of_the_main_answer() -> None:
    assert grade("lunge", ["Lunges", "lunge"]).verdict is R


@given(st.text(max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@given(st.text(alphabet="abcdefghij -.", min_size=1, max_size=30))
def test_every_answer_accepts_itself_in_any_case(answer: str) -> None:
    expected = R if normalize(answer) else W
    assert grade(answer.upper(), [answer]).verdict is expected

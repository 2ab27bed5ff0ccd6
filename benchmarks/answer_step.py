"""One answer, end to end, as a person sees it: keypress to the next screen, in a pseudo-terminal.

Drives a real ``legquiz start`` on a store made by ``scale.py``: each question
is answered correctly with one key (a choice's number, ``t``/``f``, Space for a
flashcard; a typed word or gap is typed first and Enter is the timed key), and
rated Good with ``3``, which saves at once. Two times per step, both from the
key being sent until the screen shows what follows:

* the answer: until the rating menu is drawn (grading, the durable save of an
  objective answer, the feedback, the menu's four schedules);
* the rating: until the next question's text is on screen (a flashcard's
  save, the learning-step check, the header, the next prompt).

A step is their sum. The pauses between steps (a person reading) are not timed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import measure
import scale

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
_QUESTION = re.compile(rb"BQ-(\d{5})")
_DRAWN = {  # the end of each prompt as questionary draws it
    "multiple_choice": rb"4\) [^\x1b\r\n]+\x1b",
    "true_false": rb"f\) False",
    "typed": rb"Your answer:",
    "flashcard": rb"press Space\)",
    "cloze": rb"Fill in the blank:",
}
_MENU_DRAWN = re.compile(rb"u\) Undo")
THINK = 0.02  # seconds between a screen being drawn and the next key: everything settles, as for a person


def _answer(index: int, screen: bytes) -> tuple[str, str]:
    """(text typed first, the timed key) that answers generated question ``index`` correctly."""
    kind = scale.TYPES[index % len(scale.TYPES)]
    word = scale.WORDS[(index * 7 + 3) % len(scale.WORDS)]  # the answer scale.write_deck gives it
    if kind == "multiple_choice":
        found = re.search(rb"(\d)\) " + word.encode() + rb"\b", _ANSI.sub(b"", screen))
        if found is None:
            raise SystemExit(f"benchmark: the right choice ({word}) of BQ-{index:05d} is not on screen")
        return "", found.group(1).decode()
    if kind == "true_false":
        return "", "t" if index % 2 else "f"
    if kind == "flashcard":
        return "", " "
    return word, "\r"  # typed and cloze


def steps(argv: Sequence[str], env: dict[str, str], count: int, warmup: int = 2) -> list[tuple[float, float]]:
    """(answer, rating) seconds of ``count`` steps of one ``legquiz start``, after ``warmup`` unrecorded ones."""
    import pexpect

    child = measure._spawn(argv, env)
    child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
    out: list[tuple[float, float]] = []
    try:
        child.expect(_QUESTION)
        for n in range(warmup + count):
            index = int(child.match.group(1))
            kind = scale.TYPES[index % len(scale.TYPES)]
            child.expect(re.compile(_DRAWN[kind]))
            screen = child.before + child.after
            time.sleep(THINK)
            typed, key = _answer(index, screen)
            if typed:
                child.send(typed)
                time.sleep(THINK)
            t0 = time.perf_counter()
            child.send(key)
            child.expect(_MENU_DRAWN)
            answered = time.perf_counter() - t0
            time.sleep(THINK)
            t0 = time.perf_counter()
            child.send("3")  # Good: the automatic rating of a right answer, saved at once
            child.expect(_QUESTION)
            rated = time.perf_counter() - t0
            if n >= warmup:
                out.append((answered, rated))
        child.sendcontrol("c")
        child.expect(pexpect.EOF, timeout=30)
    except pexpect.ExceptionPexpect as e:
        tail = _ANSI.sub(b"", (child.before or b"")[-1500:]).decode(errors="replace")
        raise SystemExit(f"benchmark: {' '.join(argv)}: {e.__class__.__name__} while answering; screen:\n{tail}")
    finally:
        child.close(force=True)
    return out

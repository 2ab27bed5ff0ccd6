"""What the session says after an answer: right or wrong, where a typo is, the answer, why, the source.

Text only, built from the question and the verdict; styling goes through the
prompter's ``style`` (``mark`` is a differing character, shown underlined in
colour and in brackets without it), so the wording is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from legquiz.core.grading import Verdict, normalize
from legquiz.core.model import CLOZE_GAP, Question
from legquiz.text import inert

Style = Callable[[str, str], str]


@dataclass(frozen=True)
class GapResult:
    """One blank of a cloze: what was typed, what was expected, and the verdict."""

    given: str
    expected: str
    verdict: Verdict
    matched: str = ""  # the accepted answer a typo was closest to


def marked_diff(given: str, expected: str, style: Style) -> tuple[str, str]:
    """``given`` and ``expected`` with the characters that differ marked (rapidfuzz's edit operations).

    As Anki shows a typed answer: the person's text with what is wrong marked,
    and the answer with what was missing marked. Case never counts (grading ignores it too).
    """
    from rapidfuzz.distance import Levenshtein

    same_shape = len(given.casefold()) == len(given) and len(expected.casefold()) == len(expected)
    a_cmp, b_cmp = (given.casefold(), expected.casefold()) if same_shape else (given, expected)
    left: list[str] = []
    right: list[str] = []
    wrong_a = wrong_b = ""  # a run of differing characters, marked as one
    for op in Levenshtein.opcodes(a_cmp, b_cmp):
        a, b = given[op.src_start : op.src_end], expected[op.dest_start : op.dest_end]
        if op.tag != "equal":
            wrong_a, wrong_b = wrong_a + a, wrong_b + b
            continue
        left.append(style(inert(wrong_a), "mark") if wrong_a else "")
        right.append(style(inert(wrong_b), "mark") if wrong_b else "")
        wrong_a = wrong_b = ""
        left.append(inert(a))
        right.append(inert(b))
    left.append(style(inert(wrong_a), "mark") if wrong_a else "")
    right.append(style(inert(wrong_b), "mark") if wrong_b else "")
    return "".join(left), "".join(right)


def cloze_prompt(q: Question, filled: list[str]) -> str:
    """The cloze text with the gaps answered so far filled in (quoted), the current one marked, hints beside blanks.

    Plain text: it is a prompt's message, and prompts show no colour codes.
    """
    current = len(filled)
    total = len(q.gaps)
    hints = list(q.hints) + [""] * total
    out: list[str] = []
    last = 0
    for n, m in enumerate(CLOZE_GAP.finditer(q.text)):
        out.append(inert(q.text[last : m.start()]))
        if n < current:
            out.append(f"“{inert(filled[n]) or '…'}”")  # plain marks: prompts show no colour
        elif n == current:
            out.append(f"[ {n + 1} ]" if total > 1 else "_____")
        else:
            out.append(f"__{n + 1}__" if total > 1 else "_____")
        if n >= current and hints[n]:
            out.append(f" ({inert(hints[n])})")
        last = m.end()
    out.append(inert(q.text[last:]))
    return "".join(out)


def verdict_lines(verdict: Verdict, given: str, matched: str, style: Style) -> list[str]:
    """The first lines of the feedback: right, right with a typo (marked), or wrong."""
    if verdict is Verdict.RIGHT:
        return [style("✓ Correct.", "good")]
    if verdict is Verdict.TYPO:
        wrote, answer = marked_diff(given.strip(), matched, style)
        return [
            style("✓ Correct, with a typo:", "warn"),
            f"    you wrote  {wrote}",
            f"    answer     {answer}",
        ]
    shown = f" You answered “{inert(given)}”." if given.strip() else " (no answer)"
    return [style(f"✗ Not quite.{shown}", "bad")]


def gap_lines(results: list[GapResult], style: Style) -> list[str]:
    """One line per blank of a cloze with several: which were right, which were not."""
    worst = max((r.verdict for r in results), key=[Verdict.RIGHT, Verdict.TYPO, Verdict.WRONG].index)
    head = {
        Verdict.RIGHT: style("✓ Correct.", "good"),
        Verdict.TYPO: style("✓ Correct, with a typo.", "warn"),
        Verdict.WRONG: style("✗ Not quite.", "bad"),
    }[worst]
    lines = [head]
    for n, r in enumerate(results, 1):
        if r.verdict is Verdict.RIGHT:
            lines.append(f"    blank {n}: {style('✓', 'good')} {inert(r.expected)}")
        elif r.verdict is Verdict.TYPO:
            wrote, answer = marked_diff(r.given.strip(), r.matched or r.expected, style)
            lines.append(f"    blank {n}: {style('✓', 'warn')} you wrote {wrote}, answer {answer}")
        else:
            typed = f"you wrote “{inert(r.given)}”" if r.given.strip() else "no answer"
            lines.append(f"    blank {n}: {style('✗', 'bad')} {typed}; answer {style(inert(r.expected), 'title')}")
    return lines


def cloze_sentence_differs(q: Question) -> bool:
    """Whether the cloze filled in reads differently from its source (then it is shown too)."""
    full = q.text.replace("{{", "").replace("}}", "")
    return normalize(full) != normalize(q.source)

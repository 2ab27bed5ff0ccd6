"""Asking one question and showing what follows: the prompts of every question type, and the feedback.

Split from the session so that the loop (what to ask next, saving, learning steps) reads on its own.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from legquiz.core import feedback
from legquiz.core.grading import Verdict, grade
from legquiz.core.model import QType, Question
from legquiz.core.queue import Item
from legquiz.text import inert
from legquiz.ui.ask import UNDO, Ask, Choice, Prompter

if TYPE_CHECKING:
    from legquiz.deckfile.articles import ArticleIndex


def ask_objective(p: Prompter, q: Question, rng: random.Random) -> tuple[str, Verdict, list[str]] | None:
    """(what was answered, the verdict, the feedback's first lines), or None for Ctrl-Z."""
    style = p.style
    if q.type is QType.MULTIPLE_CHOICE:
        options = list(q.choices)
        rng.shuffle(options)
        keys = [str(n) for n in range(1, 10)]
        choices = tuple(Choice(inert(c), c, keys[n] if n < 9 else None) for n, c in enumerate(options))
        got = p.ask(Ask("select", inert(q.question), choices))
        if got == UNDO:
            return None
        verdict = Verdict.RIGHT if got == q.answer else Verdict.WRONG
        return got, verdict, feedback.verdict_lines(verdict, got, got, style)
    if q.type is QType.TRUE_FALSE:
        tf = (Choice("True", "true", "t", ("y",)), Choice("False", "false", "f", ("n",)))
        got = p.ask(Ask("select", f"True or false? {inert(q.question)}", tf))
        if got == UNDO:
            return None
        given = "True" if got == "true" else "False"
        verdict = Verdict.RIGHT if (got == "true") == q.answer else Verdict.WRONG
        return given, verdict, feedback.verdict_lines(verdict, given, given, style)
    if q.type is QType.TYPED:
        got = p.ask(Ask("text", f"{inert(q.question)}\n  Your answer:"))
        if got == UNDO:
            return None
        g = grade(got, [str(q.answer), *q.aliases])
        return got, g.verdict, feedback.verdict_lines(g.verdict, got, g.matched, style)
    return ask_cloze(p, q)


def ask_cloze(p: Prompter, q: Question) -> tuple[str, Verdict, list[str]] | None:
    gaps = q.gaps
    results: list[feedback.GapResult] = []
    for n, gap in enumerate(gaps):
        label = f"Fill in blank {n + 1} of {len(gaps)}:" if len(gaps) > 1 else "Fill in the blank:"
        text = feedback.cloze_prompt(q, [r.given for r in results])
        got = p.ask(Ask("text", f"{text}\n  {label}"))
        if got == UNDO:
            return None
        accepted = [gap, *q.aliases] if len(gaps) == 1 else [gap]
        g = grade(got, accepted)
        results.append(feedback.GapResult(got, gap, g.verdict, g.matched))
    order = [Verdict.RIGHT, Verdict.TYPO, Verdict.WRONG]
    worst = max((r.verdict for r in results), key=order.index)
    given = " / ".join(r.given for r in results)
    if len(results) == 1:
        r = results[0]
        return given, worst, feedback.verdict_lines(worst, r.given, r.matched or r.expected, p.style)
    return given, worst, feedback.gap_lines(results, p.style)


def explain(p: Prompter, articles: ArticleIndex, item: Item, lines: list[str]) -> None:
    """After an answer: the verdict lines, the answer, why, and every source with its article's title."""
    q = item.question
    lines = list(lines)
    lines.append(f"  Answer: {p.style(inert(q.answer_text), 'title')}")
    if q.type is QType.CLOZE and feedback.cloze_sentence_differs(q):
        lines.append(f"  {inert(q.text.replace('{{', '').replace('}}', ''))}")
    if q.explanation:
        lines.append(f"  Why: {inert(q.explanation)}")
    for art, quote in item.deck.citations(q):  # each with its article's title: a question may quote two
        where = f" — {inert(articles.title(art, item.deck.path))}" if art else ""
        lines.append(p.style(f"  Source: “{inert(quote.strip())}”{where}", "dim"))
    p.say("\n".join(lines))

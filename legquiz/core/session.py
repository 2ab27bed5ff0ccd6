"""The study session: which questions to ask, asking them, grading, saving.

Pure logic. It talks to the person only through a :class:`Prompter` (see
ui/terminal.py for the questionary one) and reads time only through the ``clock``
callable it is given, so tests drive whole sessions with a scripted prompter
and a fake clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from legquiz.core.cards import NEW, as_dict, due_of, state_of, utc_text
from legquiz.core.grading import Verdict, grade, normalize
from legquiz.core.model import Deck, QType, Question, card_key
from legquiz.core.queue import Item
from legquiz.core.records import ReviewRecord, review_record, undo_record
from legquiz.core.settings import Config, DayClock
from legquiz.errors import StoreError
from legquiz.srs.scheduler import CardState, Rating, review
from legquiz.text import inert
from legquiz.ui.ask import UNDO, Ask, Choice, Prompter, Quit
from legquiz.ui.render import span

if TYPE_CHECKING:  # handed in by the CLI; the session only calls them
    from legquiz.deckfile.articles import ArticleIndex
    from legquiz.storage.store import Store


@dataclass
class Answered:
    """One answer given in this session (for undo at the next question, and the summary)."""

    index: int
    key: str
    correct: bool
    rating: Rating
    rec: ReviewRecord | None


class Back(Enum):
    """A question that ended without an answer to keep: Ctrl-Z or the menu's Undo."""

    PREVIOUS = "take back the previous answer and ask it again"
    THIS = "this answer was taken back: ask the same question again"


@dataclass
class Summary:
    """What the session did, for the closing lines."""

    answered: int = 0
    correct: int = 0
    seconds: float = 0.0
    due_tomorrow: int = 0
    quit: bool = False
    error: str | None = None
    log: list[Answered] = field(default_factory=list)


_RATING_NOTE = {Rating.AGAIN: "I didn't know it / guessed", Rating.HARD: "", Rating.GOOD: "", Rating.EASY: "too easy"}


class Session:
    def __init__(
        self,
        items: list[Item],
        cfg: Config,
        days: DayClock,
        prompter: Prompter,
        clock: Callable[[], datetime],
        store: Store | None,
        articles: ArticleIndex,
        rng: random.Random | None = None,
        decks: list[Deck] | None = None,
    ) -> None:
        self.items = items
        self.decks = decks  # what the session was started on: "due tomorrow" counts all of it
        self.cfg = cfg
        self.sched = cfg.scheduler()
        self.days = days
        self.p = prompter
        self.clock = clock
        self.store = store  # None: cram, nothing is saved
        self.articles = articles
        self.rng = rng or random.Random()
        self.summary = Summary()
        self._previews: dict[Rating, tuple[CardState, datetime]] = {}  # this question's schedule per rating

    # -- the loop ----------------------------------------------------------
    def run(self) -> Summary:
        started = self.clock()
        done: list[Answered] = []
        i = 0
        try:
            while i < len(self.items):
                item = self.items[i]
                self._header(i, item)
                outcome = self._one(i, item)
                if outcome is Back.PREVIOUS:
                    if done:
                        last = done.pop()
                        self._take_back(last)
                        i = last.index
                        self.p.say(self.p.style("↶ Took back your last answer; here it is again.", "warn"))
                    else:
                        self.p.say(self.p.style("Nothing to undo yet.", "dim"))
                    continue
                if outcome is Back.THIS:
                    continue
                done.append(outcome)
                i += 1
        except (Quit, KeyboardInterrupt):  # Ctrl-C between prompts too: keep what was saved
            self.summary.quit = True
        except StoreError as e:
            self.summary.error = str(e)
        self.summary.log = done
        self.summary.answered = len(done)
        self.summary.correct = sum(a.correct for a in done)
        end = self.clock()
        self.summary.seconds = (end - started).total_seconds()
        self.summary.due_tomorrow = self._due_by(self.days.next_start(end, 2))
        return self.summary

    def _header(self, i: int, item: Item) -> None:
        n = f"{i + 1}/{len(self.items)}"
        title = inert(item.deck.title)
        mode = self.p.style(" · cram", "dim") if self.store is None else ""
        self.p.say(f"\n{self.p.style(n, 'title')} · {self.p.style(title, 'title')}{mode}")

    def _one(self, i: int, item: Item) -> Answered | Back:
        q = item.question
        shown_at = self.clock()
        before = self._state(item.key)
        self._previews = {}
        if q.type is QType.FLASHCARD:
            got = self.p.ask(Ask("reveal", f"{inert(q.question)}\n  (think of the answer, then press any key)"))
            if got == UNDO:
                return Back.PREVIOUS
            self._explain(item, None)
            return self._rate(i, item, before, shown_at, Rating.GOOD, None, "self", None)
        given, verdict = self._ask_objective(q)
        if given == UNDO:
            return Back.PREVIOUS
        auto = {Verdict.RIGHT: Rating.GOOD, Verdict.TYPO: Rating.HARD, Verdict.WRONG: Rating.AGAIN}[verdict]
        rec = self._save(item, before, auto, shown_at, answer=given, verdict=verdict.value)
        self._explain(item, (verdict, given))
        if self.store is None:  # cram: no schedule to rate; Ctrl-Z at the next question still undoes
            return Answered(i, item.key, verdict is not Verdict.WRONG, auto, None)
        return self._rate(i, item, before, shown_at, auto, given, verdict.value, rec)

    def _rate(
        self,
        i: int,
        item: Item,
        before: CardState | None,
        shown_at: datetime,
        auto: Rating,
        given: str | None,
        verdict: str,
        saved: ReviewRecord | None,
    ) -> Answered | Back:
        """The rating menu and the save it leads to, for every kind of question.

        ``saved`` is the answer already saved with the automatic rating (objective questions are saved
        before their feedback shows); a flashcard is saved only once the person rates it.
        """
        objective = saved is not None
        prompt = "Rate it and go on:" if objective else "How well did you know it?"
        choice = self.p.ask(Ask("select", prompt, self._rating_choices(before, auto, undo=objective), str(int(auto))))
        if choice == UNDO:
            if saved is None:
                return Back.PREVIOUS
            if self.store is not None:
                self.store.append(undo_record(saved["seq"]))
            self.p.say(self.p.style("↶ Answer taken back; try again.", "warn"))
            return Back.THIS
        rating = Rating(int(choice))
        rec = saved
        if saved is None or rating != auto:
            rec = self._save(item, before, rating, shown_at, answer=given, verdict=verdict, replaces=saved)
            self._after_note(rating, rec)
        correct = rating > Rating.AGAIN if verdict == "self" else verdict != Verdict.WRONG.value
        return Answered(i, item.key, correct, rating, rec)

    def _ask_objective(self, q: Question) -> tuple[str, Verdict]:
        if q.type is QType.MULTIPLE_CHOICE:
            options = list(q.choices)
            self.rng.shuffle(options)
            got = self.p.ask(Ask("select", inert(q.question), tuple(Choice(inert(c), c) for c in options)))
            return got, Verdict.RIGHT if got == q.answer else Verdict.WRONG
        if q.type is QType.TRUE_FALSE:
            got = self.p.ask(
                Ask("select", f"True or false? {inert(q.question)}", (Choice("True", "true"), Choice("False", "false")))
            )
            if got == UNDO:
                return got, Verdict.WRONG
            return ("True" if got == "true" else "False"), Verdict.RIGHT if (
                got == "true"
            ) == q.answer else Verdict.WRONG
        if q.type is QType.TYPED:
            got = self.p.ask(Ask("text", f"{inert(q.question)}\n  Your answer:"))
            if got == UNDO:
                return got, Verdict.WRONG
            return got, grade(got, [str(q.answer), *q.aliases]).verdict
        gaps = q.gaps
        answers: list[str] = []
        verdicts: list[Verdict] = []
        for n, gap in enumerate(gaps):
            label = f"Fill in the blank{f' {n + 1} of {len(gaps)}' if len(gaps) > 1 else ''}:"
            got = self.p.ask(Ask("text", f"{inert(q.prompt_text)}\n  {label}"))
            if got == UNDO:
                return got, Verdict.WRONG
            answers.append(got)
            accepted = [gap, *q.aliases] if len(gaps) == 1 else [gap]
            verdicts.append(grade(got, accepted).verdict)
        worst = (
            Verdict.WRONG if Verdict.WRONG in verdicts else Verdict.TYPO if Verdict.TYPO in verdicts else Verdict.RIGHT
        )
        return " / ".join(answers), worst

    # -- feedback ----------------------------------------------------------
    def _explain(self, item: Item, result: tuple[Verdict, str] | None) -> None:
        q = item.question
        lines = []
        if result is not None:
            verdict, given = result
            if verdict is Verdict.RIGHT:
                lines.append(self.p.style("✓ Correct.", "good"))
            elif verdict is Verdict.TYPO:
                lines.append(self.p.style(f"✓ Correct, with a typo: you wrote “{inert(given)}”.", "warn"))
            else:
                shown = f" You answered “{inert(given)}”." if given.strip() else " (no answer)"
                lines.append(self.p.style(f"✗ Not quite.{shown}", "bad"))
        lines.append(f"  Answer: {self.p.style(inert(q.answer_text), 'title')}")
        if q.type is QType.CLOZE:
            full = q.text.replace("{{", "").replace("}}", "")
            if normalize(full) != normalize(q.source):
                lines.append(f"  {inert(full)}")
        if q.explanation:
            lines.append(f"  Why: {inert(q.explanation)}")
        for art, quote in item.deck.citations(q):  # each with its article's title: a question may quote two
            where = f" — {inert(self.articles.title(art, item.deck.path))}" if art else ""
            lines.append(self.p.style(f"  Source: “{inert(quote.strip())}”{where}", "dim"))
        self.p.say("\n".join(lines))

    def _rating_choices(self, before: CardState | None, auto: Rating, undo: bool) -> tuple[Choice, ...]:
        now = self.clock()
        out = []
        for r in Rating:
            note = _RATING_NOTE[r]
            mark = " (automatic)" if undo and r == auto else ""
            if self.store is None:  # cram: nothing is rescheduled
                text = f"{r.label:<6}{mark}" + (f" · {note}" if note else "")
            else:
                after, at = self._previews.setdefault(r, (review(self.sched, before, r, now), now))
                text = f"{r.label:<6} next in {span(after.due - at)}{mark}" + (f" · {note}" if note else "")
            out.append(Choice(text, str(int(r))))
        if undo:
            out.append(Choice("Undo   take back this answer and answer again", UNDO))
        return tuple(out)

    def _after_note(self, rating: Rating, rec: ReviewRecord | None) -> None:
        if rec is None:
            return
        after = CardState.from_dict(rec["after"])
        saved = datetime.fromisoformat(rec["at"])  # not the clock now: "10 minutes" must not read "9"
        self.p.say(self.p.style(f"  Saved as {rating.label}; next in {span(after.due - saved)}.", "dim"))

    # -- store -------------------------------------------------------------
    def _state(self, key: str) -> CardState | None:
        if self.store is None:
            return None
        raw = self.store.state.cards.get(key)
        return CardState.from_dict(as_dict(raw)) if raw else None

    def _save(
        self,
        item: Item,
        before: CardState | None,
        rating: Rating,
        shown_at: datetime,
        answer: str | None,
        verdict: str,
        replaces: ReviewRecord | None = None,
    ) -> ReviewRecord | None:
        if self.store is None:
            return None
        # Save exactly the schedule the menu showed (fuzz makes a second call differ).
        after, now = self._previews.get(rating) or (None, self.clock())
        if after is None:
            after = review(self.sched, before, rating, now)
        self._previews = {rating: (after, now)}
        ms = max(0, int((now - shown_at).total_seconds() * 1000))
        rec = review_record(item.key, before, after, rating, now, self.days.day, ms=ms, verdict=verdict, answer=answer)
        if replaces is not None:
            rec["replaces"] = replaces["seq"]
            rec["ms"] = replaces["ms"]
        saved = self.store.append(rec)
        assert saved["op"] == "review"
        return saved

    def _take_back(self, last: Answered) -> None:
        if self.store is not None and last.rec is not None:
            self.store.append(undo_record(last.rec["seq"]))

    def _due_by(self, until: datetime) -> int:
        if self.store is None:
            return 0
        decks = self.decks if self.decks is not None else list({it.deck.id: it.deck for it in self.items}.values())
        keys = {it.key for it in self.items}
        for d in decks:
            keys.update(card_key(d.id, qid) for qid in d.question_ids())
        until_key = utc_text(until)
        rows = map(self.store.state.cards.get, keys)
        return sum(1 for raw in rows if raw is not None and state_of(raw) != NEW and due_of(raw) < until_key)

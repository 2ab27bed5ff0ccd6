"""The study session: asking, grading, saving, and bringing failed questions back, as Anki does.

Pure logic. It talks to the person only through a :class:`Prompter` (see
ui/terminal.py for the questionary one) and reads time only through the ``clock``
callable it is given, so tests drive whole sessions with a scripted prompter
and a fake clock.

The queue is the day's plan (due reviews, then new questions); a question
answered into a learning step (rated Again, or new and not yet graduated)
comes back when its step is due. When nothing else is left, a learning
question due within ``learn_ahead_minutes`` is asked at once, as Anki's
learn-ahead limit does; one due later ends the session, which says when.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from legquiz.core import asking
from legquiz.core.cards import LEARNING, NEW, RELEARNING, as_dict, deck_rows, due_of, iso_time, state_of, utc_text
from legquiz.core.grading import Verdict
from legquiz.core.model import Deck, QType
from legquiz.core.queue import Item
from legquiz.core.records import ReviewRecord, review_record, undo_record
from legquiz.core.settings import Config, DayClock
from legquiz.core.studyqueue import KINDS, StudyQueue
from legquiz.errors import StoreError
from legquiz.srs.scheduler import CardState, Rating, answer_seed, review
from legquiz.text import inert, one_line, shortened
from legquiz.ui.ask import UNDO, Ask, Choice, Quit, StudyPrompter
from legquiz.ui.render import clock as at_time
from legquiz.ui.render import span

if TYPE_CHECKING:  # handed in by the CLI; the session only calls them
    from legquiz.deckfile.articles import ArticleIndex
    from legquiz.storage.store import Store


@dataclass
class Answered:
    """One answer kept in this session (for undo at the next question, and the summary)."""

    item: Item
    correct: bool
    rating: Rating
    rec: ReviewRecord | None
    requeued: bool = False  # cram: a miss put at the back of the queue (taken out again by undo)

    @property
    def key(self) -> str:
        return self.item.key


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
    later_today: int = 0  # questions due after now and before the next study day starts
    tomorrow: int = 0  # questions due during the next study day
    learning_left: int = 0  # questions still in a learning step when the session ended
    next_learning: datetime | None = None
    quit: bool = False
    error: str | None = None
    log: list[Answered] = field(default_factory=list)

    @property
    def due_tomorrow(self) -> int:
        """Kept for scripts that read it: due by the end of tomorrow, as before."""
        return self.later_today + self.tomorrow


_RATING_NOTE = {Rating.AGAIN: "I didn't know it / guessed", Rating.HARD: "", Rating.GOOD: "", Rating.EASY: "too easy"}
_AUTO = {Verdict.RIGHT: Rating.GOOD, Verdict.TYPO: Rating.HARD, Verdict.WRONG: Rating.AGAIN}
WAIT_OFFER = timedelta(hours=1)  # a learning step due sooner than this: offer to wait for it


class Session:
    def __init__(
        self,
        items: list[Item],
        cfg: Config,
        days: DayClock,
        prompter: StudyPrompter,
        clock: Callable[[], datetime],
        store: Store | None,
        articles: ArticleIndex,
        rng: random.Random | None = None,
        decks: list[Deck] | None = None,
        learning: list[tuple[datetime, Item]] | None = None,
    ) -> None:
        self.decks = decks if decks is not None else list({it.deck.id: it.deck for it in items}.values())
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
        self._pending: Answered | None = None  # saved with its automatic rating, not yet rated at the menu
        self.q = StudyQueue(items, self._kind_of, timedelta(minutes=cfg.learn_ahead_minutes))
        for due, it in learning or []:
            self.q.relearn(it, due)
        self.asked = 0

    # -- the loop ----------------------------------------------------------
    def run(self) -> Summary:
        started = self.clock()
        done: list[Answered] = []
        try:
            while (nxt := self.q.next(self.clock())) is not None or self._waited():
                if nxt is None:
                    continue
                item, kind = nxt
                self._header(item, kind)
                outcome = self._one(item)
                if outcome is Back.THIS:
                    self.q.put_back(item, kind)
                    continue
                if outcome is Back.PREVIOUS:
                    self.q.put_back(item, kind)
                    self._undo_previous(done)
                    continue
                done.append(outcome)
                self._after(outcome)
        except (Quit, KeyboardInterrupt):  # Ctrl-C between prompts too: keep what was saved
            self.summary.quit = True
        except StoreError as e:
            self.summary.error = str(e)
        if self._pending is not None:  # stopped at the rating menu: the answer was saved with its automatic rating
            done.append(self._pending)
            self._pending = None
        self.summary.log = done
        self.summary.answered = len(done)
        self.summary.correct = sum(a.correct for a in done)
        end = self.clock()
        self.summary.seconds = (end - started).total_seconds()
        self._closing_counts(end)
        return self.summary

    def _waited(self) -> bool:
        """Nothing left but a learning step due within the hour: offer to wait for it, counting down."""
        due = self.q.next_learning
        if due is None:
            return False
        now = self.clock()
        if due - now > WAIT_OFFER:
            return False
        choices = (
            Choice("End the session (run legquiz start again then)", "end", "e"),
            Choice("Wait for it, with a countdown (Ctrl-C stops waiting)", "wait", "w"),
        )
        message = f"The next question in a learning step is due in {span(due - now)}, at {at_time(due)[-5:]}."
        if self.p.ask(Ask("select", message, choices, "end")) != "wait":
            return False
        return self.p.wait((due - self.clock()).total_seconds(), "Next question in")

    def _after(self, a: Answered) -> None:
        """Bring the question back in this session when its answer left it in a learning step."""
        if self.store is None:
            if a.rating == Rating.AGAIN:  # cram: a miss is asked again after the rest
                self.q.again_later(a.item)
                a.requeued = True
            return
        raw = self.store.state.cards.get(a.key)
        if raw is not None and state_of(raw) in (LEARNING, RELEARNING):
            due = iso_time(due_of(raw))
            if due < self.days.next_start(self.clock()):
                self.q.relearn(a.item, due)

    def _undo_previous(self, done: list[Answered]) -> None:
        if done:
            last = done.pop()
            self._take_back(last)
            self.q.forget_learning(last.key)
            if last.requeued:
                self.q.drop_again_later(last.item)
            self.q.put_back(last.item, self.q.kind(last.key, "review"))
            self.p.say(self.p.style("↶ Took back your last answer; here it is again.", "warn"))
            return
        earlier = self.store.last_undoable() if self.store is not None else None
        if self.store is None or earlier is None or earlier["op"] != "review":  # a rescheduling: `legquiz undo`
            self.p.say(self.p.style("Nothing to undo yet.", "dim"))
            return
        self.store.append(undo_record(earlier["seq"]))
        item = self._find(earlier["card"])
        if item is not None:
            self.q.forget_learning(item.key)
            self.q.put_back(item, self._kind_of(item.key))
            self.p.say(self.p.style("↶ Took back your last answer from before this session; here it is again.", "warn"))
        else:
            self.p.say(
                self.p.style(f"↶ Took back your last answer from before this session ({earlier['card']}).", "warn")
            )

    def _find(self, key: str) -> Item | None:
        deck_id, _, qid = key.partition("/")
        for d in self.decks:
            if d.id == deck_id and qid in d.question_ids():
                return Item(d, index=list(d.question_ids()).index(qid), qid=qid)
        return None

    def _kind_of(self, key: str) -> str:
        raw = self.store.state.cards.get(key) if self.store is not None else None
        if raw is None or state_of(raw) == NEW:
            return "new"
        return "learning" if state_of(raw) in (LEARNING, RELEARNING) else "review"

    def _header(self, item: Item, kind: str) -> None:
        self.asked += 1
        counts = self.q.counts(kind)
        colours = {"new": "new", "learning": "bad", "review": "good"}
        left = " · ".join(self.p.style(f"{counts[k]} {k}", colours[k]) for k in KINDS)
        mode = " · cram" if self.store is None else ""
        self.p.say(f"\n{self.p.style(inert(item.deck.title), 'title')}{mode} · {left}")

    # -- one question --------------------------------------------------------
    def _one(self, item: Item) -> Answered | Back:
        q = item.question
        shown_at = self.clock()
        before = self._state(item.key)
        self._previews = {}
        if q.type is QType.FLASHCARD:
            got = self.p.ask(Ask("reveal", f"{inert(q.question)}\n  (think of the answer, then press Space)"))
            if got == UNDO:
                return Back.PREVIOUS
            asking.explain(self.p, self.articles, item, [])
            return self._rate(item, before, shown_at, Rating.GOOD, None, "self", None)
        answer = asking.ask_objective(self.p, q, self.rng)
        if answer is None:
            return Back.PREVIOUS
        given, verdict, lines = answer
        auto = _AUTO[verdict]
        rec = self._save(item, before, auto, shown_at, answer=given, verdict=verdict.value)
        if rec is not None:
            self._pending = Answered(item, verdict is not Verdict.WRONG, auto, rec)
        asking.explain(self.p, self.articles, item, lines)
        if self.store is None:  # cram: no schedule to rate; Ctrl-Z at the next question still undoes
            return Answered(item, verdict is not Verdict.WRONG, auto, None)
        return self._rate(item, before, shown_at, auto, given, verdict.value, rec)

    def _rate(
        self,
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
        choices = self._rating_choices(item.key, before, auto, objective)
        choice = self.p.ask(Ask("select", prompt, choices, str(int(auto))))
        self._pending = None
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
            if saved is not None:  # re-rated: the saved answer stands until the new one replaces it
                self._pending = Answered(item, verdict != Verdict.WRONG.value, auto, saved)
            rec = self._save(item, before, rating, shown_at, answer=given, verdict=verdict, replaces=saved)
            self._pending = None
            self._after_note(rating, rec)
        return Answered(item, rating > Rating.AGAIN, rating, rec)  # "correct" as stats counts it: passed

    def _rating_choices(self, key: str, before: CardState | None, auto: Rating, objective: bool) -> tuple[Choice, ...]:
        now = self.clock()
        out = []
        for r in Rating:
            note = _RATING_NOTE[r]
            mark = " (automatic)" if objective and r == auto else ""
            if self.store is None:  # cram: nothing is rescheduled
                text = f"{r.label:<6}{mark}" + (f" · {note}" if note else "")
            else:
                after, at = self._previews.setdefault(
                    r, (review(self.sched, before, r, now, answer_seed(key, now, r)), now)
                )
                text = f"{r.label:<6} next in {span(after.due - at)}{mark}" + (f" · {note}" if note else "")
            out.append(Choice(text, str(int(r)), str(int(r))))
        what = "take back this answer and answer again" if objective else "take back the previous answer"
        out.append(Choice(f"Undo   {what}", UNDO, "u"))
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
            after = review(self.sched, before, rating, now, answer_seed(item.key, now, rating))
        self._previews = {rating: (after, now)}
        ms = max(0, int((now - shown_at).total_seconds() * 1000))
        rec = review_record(item.key, before, after, rating, now, self.days.day, ms=ms, verdict=verdict, answer=answer)
        if replaces is not None:
            rec["replaces"] = replaces["seq"]
            rec["ms"] = replaces["ms"]
        try:
            saved = self.store.append(rec)
        except StoreError as e:  # say which answer was lost: "everything before this" alone leaves people guessing
            what = "your new rating of" if replaces is not None else "your answer to"
            short = shortened(one_line(inert(item.question.prompt_text)), 60)  # a cloze: its gaps blank
            raise StoreError(f"{e} (not saved: {what} {item.key}, “{short}”)") from None
        assert saved["op"] == "review"
        return saved

    def _take_back(self, last: Answered) -> None:
        if self.store is not None and last.rec is not None:
            self.store.append(undo_record(last.rec["seq"]))

    def _closing_counts(self, end: datetime) -> None:
        s = self.summary
        s.learning_left = self.q.learning
        s.next_learning = self.q.next_learning
        if self.store is None:
            return
        cards = self.store.state.cards
        today_end = utc_text(self.days.next_start(end, 1))
        tomorrow_end = utc_text(self.days.next_start(end, 2))
        seen: set[int] = set()
        rows = [cards.get(it.key) for it in self.q.queue]
        for d in self.decks:
            rows.extend(deck_rows(cards, d.id, d.question_ids()))
        for raw in rows:
            if raw is None or id(raw) in seen or state_of(raw) == NEW:
                continue
            seen.add(id(raw))
            due = due_of(raw)
            if due < today_end:  # due now (not reached this time) or later today
                s.later_today += 1
            elif today_end <= due < tomorrow_end:
                s.tomorrow += 1

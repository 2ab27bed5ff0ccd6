"""The study loop as Anki runs it (issue 14): failed questions come back, new ones are mixed, honest closing counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sessionkit import CFG, ENTER, QUIT, T0, UTC_DAYS, Clock, Scripted, every_kind_deck, run_session

from legquiz.core.progress import StoreState
from legquiz.core.queue import Item, plan
from legquiz.core.session import Session
from legquiz.core.settings import Config
from legquiz.deckfile.articles import ArticleIndex
from legquiz.storage.store import Store

DECK = every_kind_deck()
BY_ID = {qq.id: Item(DECK, qq) for qq in DECK.questions}
LEARN_AHEAD = Config(fuzz=False, new_order="deck")  # the default 20 minutes


def one(*ids: str) -> list[Item]:
    return [BY_ID[i] for i in ids]


def messages(p: Scripted) -> list[str]:
    return [a.message for a in p.asked if not a.message.startswith(("Rate it", "How well"))]


def test_a_failed_question_comes_back_when_its_step_is_due(legquiz_home: Path) -> None:
    """Failed at t=0 (Again: 1 minute); it comes back once a minute has passed, after the others."""
    clock = Clock(tick=timedelta(seconds=6))  # every clock reading is 6 s later
    script = ["Neck", ENTER, "true", ENTER, "x", ENTER, "Quads", ENTER]
    summary, p = run_session(legquiz_home, one("mc", "tf", "typed"), script, clock=clock, cfg=CFG)
    assert messages(p) == ["Which muscles?", "True or false? Running builds legs.", "Name the growth of muscle.\n  Your answer:",
                           "Which muscles?"]  # fmt: skip
    assert summary.answered == 4 and summary.correct == 2


def test_learning_questions_are_asked_at_once_under_learn_ahead_when_nothing_else_is_left(legquiz_home: Path) -> None:
    # Neck is wrong (1 minute), then Good twice on the same question graduates it (10 minutes, then days).
    script = ["Neck", ENTER, "Quads", ENTER, "Quads", ENTER]
    summary, p = run_session(legquiz_home, one("mc"), script, cfg=LEARN_AHEAD)
    assert messages(p) == ["Which muscles?"] * 3
    assert summary.answered == 3 and summary.learning_left == 0


def test_without_learn_ahead_the_session_ends_and_says_when_the_next_is_due(legquiz_home: Path) -> None:
    summary, _ = run_session(legquiz_home, one("mc"), ["Neck", ENTER], cfg=CFG)
    assert summary.learning_left == 1 and summary.next_learning is not None
    assert timedelta(seconds=50) < summary.next_learning - T0 < timedelta(minutes=2)


def test_a_later_start_picks_up_the_learning_question(legquiz_home: Path) -> None:
    run_session(legquiz_home, one("mc"), ["Neck", ENTER], cfg=CFG)
    with Store.open(legquiz_home) as store:
        p = plan([DECK], store.state, LEARN_AHEAD, UTC_DAYS, T0 + timedelta(seconds=30), limit=None, new=0)
        assert p.items == [] and [it.qid for _, it in p.learning] == ["mc"]
        assert p.learn_ahead(T0 + timedelta(seconds=30), LEARN_AHEAD.learn_ahead_minutes)
        s = Scripted(["Quads", ENTER, "Quads", ENTER])  # step 2 (10 minutes) is within the learn-ahead too
        summary = Session(p.items, LEARN_AHEAD, UTC_DAYS, s, Clock(T0 + timedelta(seconds=30)), store,
                          ArticleIndex(legquiz_home), learning=p.learning).run()  # fmt: skip
    assert summary.answered == 2 and s.asked[0].message == "Which muscles?" and summary.learning_left == 0


def test_limit_caps_questions_introduced_not_the_re_asks(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as store:
        p = plan([DECK], store.state, LEARN_AHEAD, UTC_DAYS, T0, limit=1)
        assert len(p.items) == 1
        s = Scripted(["Neck", ENTER, "Quads", ENTER, "Quads", ENTER])
        summary = Session(p.items, LEARN_AHEAD, UTC_DAYS, s, Clock(), store, ArticleIndex(legquiz_home)).run()
    assert summary.answered == 3


def test_ctrl_c_at_the_rating_menu_counts_the_saved_answer(legquiz_home: Path) -> None:
    summary, _ = run_session(legquiz_home, one("mc", "tf"), ["Quads", QUIT])
    assert summary.quit and (summary.answered, summary.correct) == (1, 1)
    summary, _ = run_session(legquiz_home, one("tf"), ["true", ENTER, QUIT] if False else [QUIT])
    assert summary.answered == 0  # Ctrl-C at a question: nothing was answered


def test_closing_counts_split_later_today_from_tomorrow(legquiz_home: Path) -> None:
    summary, _ = run_session(legquiz_home, one("mc", "tf"), ["Quads", ENTER, "true", "4"], cfg=CFG)
    # mc: Good while new, 10 minutes (later today); tf: Easy while new, 8 days (neither)
    assert (summary.later_today, summary.tomorrow) == (1, 0)


def _order(cfg: Config, day_offset: int, st: StoreState | None = None) -> list[str]:
    other = every_kind_deck("other", "Other deck")
    p = plan([DECK, other], st or StoreState(), cfg, UTC_DAYS, T0 + timedelta(days=day_offset), new=7)
    return [it.key for it in p.items]


def test_new_questions_are_mixed_across_decks_and_stable_within_a_day() -> None:
    mixed = Config(fuzz=False)
    today = _order(mixed, 0)
    assert today == _order(mixed, 0)  # a restart deals the same hand
    assert {k.split("/")[0] for k in today} == {"mix", "other"}  # both decks, not one deck first
    assert today != _order(Config(fuzz=False, new_order="deck"), 0)
    assert _order(Config(fuzz=False, new_order="deck"), 0)[:6] == [f"mix/{q.id}" for q in DECK.questions[:6]]
    assert today != _order(mixed, 1)  # another day, another order


def test_answering_some_new_questions_keeps_the_order_of_the_rest() -> None:
    from legquiz.core.cards import row
    from legquiz.srs.scheduler import Rating, SchedulerConfig, review

    mixed = Config(fuzz=False)
    before = _order(mixed, 0)
    st = StoreState()
    st.cards[before[0]] = row(review(SchedulerConfig(fuzz=False), None, Rating.EASY, T0).to_dict())
    after = _order(mixed, 0, st)
    assert after[:6] == before[1:7]


def test_the_person_can_wait_for_a_learning_step_with_a_countdown(legquiz_home: Path) -> None:
    """Nothing left but a step due in a minute: 'w' waits (the countdown moves the clock), then it is asked."""
    script = ["Neck", ENTER, "wait", "Quads", ENTER]
    summary, p = run_session(legquiz_home, one("mc"), script, cfg=CFG)
    offers = [x for kind, x in p.events if kind == "ask" and x.choices and x.choices[-1].value == "wait"]
    assert len(offers) == 1 and "due in less than a minute" in offers[0].message
    waits = [x for kind, x in p.events if kind == "wait"]
    assert len(waits) == 1 and 0 < waits[0] <= 60
    assert messages(p) == ["Which muscles?", offers[0].message, "Which muscles?"] and summary.answered == 2


def test_no_offer_to_wait_for_a_step_more_than_an_hour_away(legquiz_home: Path) -> None:
    steps = Config(fuzz=False, learn_ahead_minutes=0, new_order="deck", learning_steps=(120.0,))
    summary, p = run_session(legquiz_home, one("mc"), ["Neck", ENTER], cfg=steps)
    assert not [kind for kind, _ in p.events if kind == "offer"] and summary.learning_left == 1


def test_the_terminal_countdown_counts_and_ctrl_c_only_stops_waiting() -> None:
    import io
    import os
    import signal
    import threading

    from legquiz.ui.terminal import QuestionaryPrompter

    out = io.StringIO()
    assert QuestionaryPrompter(stream=out, colour=False).wait(0.3, "Next question in") is True
    assert "Next question in 0:01  (Ctrl-C stops waiting)" in out.getvalue()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    assert QuestionaryPrompter(stream=io.StringIO(), colour=False).wait(30, "Next question in") is False
    timer.join()

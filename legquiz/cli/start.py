"""``legquiz start`` and ``legquiz undo``."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from legquiz.cli import common
from legquiz.cli.common import EXIT_INTERRUPTED, chosen_decks, data_dir_option, resolve_home, say, warn
from legquiz.errors import LegquizError, UsageError
from legquiz.speed.gcpause import loaded, loading

if TYPE_CHECKING:
    from collections.abc import Callable

    from legquiz.core.queue import Plan
    from legquiz.core.records import RescheduleRecord
    from legquiz.core.session import Summary


@click.command()
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Study only this deck (repeat for several).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N", help="Ask at most N questions in all.")
@click.option(
    "--new",
    "new",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Introduce up to N new questions this session (default: the daily limit, 20).",
)
@click.option(
    "--cram", is_flag=True, help="Practise any questions; answers are shown but nothing is saved or rescheduled."
)
@data_dir_option
@click.pass_context
@loading  # no garbage collection while decks and store load (docs/performance.md)
def start(
    ctx: click.Context, decks: tuple[str, ...], limit: int | None, new: int | None, cram: bool, data_dir: Path | None
) -> None:
    """Start a study session: due reviews first, then new questions.

    After each answer you see whether it was right, the correct answer, why,
    and the sentence of the article it comes from. Press Enter to accept the
    automatic rating, or pick another (Again if you guessed, Easy if it was
    too easy). Ctrl-Z takes back the last answer; Ctrl-C stops, keeping every
    answer given.

    \b
    Example:
      legquiz start
      legquiz start --deck running-bigger-legs --limit 10
      legquiz start --cram --deck running-vs-jogging
    """
    if not common.stdin_is_terminal():  # a pipe, a file or a closed stdin
        raise UsageError("start needs an interactive terminal, but stdin is not a terminal")
    from legquiz.core import settings as config
    from legquiz.core.queue import plan
    from legquiz.core.session import Session
    from legquiz.deckfile.articles import ArticleIndex
    from legquiz.errors import StoreError
    from legquiz.storage.store import Store

    home = resolve_home(ctx, data_dir)
    cfg = config.load(home)
    chosen = chosen_decks(home, decks)
    days = cfg.days()
    now = common.utcnow()
    store = None if cram else Store.open(home)
    closing_problem = ""
    syncing = store is not None and bool(cfg.sync_dir)  # docs/sync.md: before the first question, after the last
    try:
        if store is not None:
            for w in store.warnings:
                warn(w)
            if syncing:
                from legquiz.cli.sync import around_session

                if around_session(store, cfg, after=False):
                    chosen = chosen_decks(home, decks)  # decks came in from another device
                cfg = config.load(home)  # the scheduler settings may have come from another device
        from legquiz.core.progress import StoreState

        state = store.state if store is not None else StoreState()
        p = plan(chosen, state, cfg, days, now, limit=limit, new=new, cram=cram)
        if not p.items and not p.learn_ahead(now, cfg.learn_ahead_minutes):
            common.say(_nothing_message(p, now))
            return
        from legquiz.ui.terminal import QuestionaryPrompter

        prompter = QuestionaryPrompter()
        if cram:
            head = f"legquiz · cram · {len(p.items)} to practise · nothing is saved"
            keys = "Keys: 1-9 pick a choice · t/f true or false · Ctrl-C stops"
        else:
            learning = f", {len(p.learning)} in learning" if p.learning else ""
            head = f"legquiz · {p.due} due, {p.new} new{learning}"
            keys = (
                "Keys: 1-9 pick a choice · t/f true or false · 1-4 rate · Enter accepts the automatic rating · "
                "u or Ctrl-Z undoes · Ctrl-C stops (answers are kept)"
            )
        common.say(prompter.style(head, "title"))
        common.say(prompter.style(keys, "dim"))
        session = Session(
            p.items, cfg, days, prompter, common.utcnow, store, ArticleIndex(home), decks=chosen, learning=p.learning
        )
        loaded()
        summary = session.run()
    finally:
        if store is not None:
            if syncing:
                from legquiz.cli.sync import around_session

                around_session(store, cfg, after=True)
            try:
                store.close()
            except StoreError as e:  # said after the summary: the answers themselves are in the log
                closing_problem = str(e)
    if summary.error:  # the answer that could not be saved: first, so it is not missed
        click.echo(f"legquiz: {summary.error}", err=True)
    common.say("\n".join(_closing_lines(summary, cram, prompter.style)))
    if closing_problem:
        warn(closing_problem)
    if summary.error or closing_problem:
        sys.exit(1)
    if summary.quit:
        sys.exit(EXIT_INTERRUPTED)


def _closing_lines(summary: Summary, cram: bool, style: Callable[[str, str], str]) -> list[str]:
    from legquiz.ui.render import clock, duration

    pct = f" ({round(100 * summary.correct / summary.answered)}%)" if summary.answered else ""
    lines = [
        "",
        style("Session " + ("stopped" if summary.quit or summary.error else "finished"), "title"),
        f"  answered {summary.answered}, correct {summary.correct}{pct}, time {duration(summary.seconds)}",
    ]
    if cram:
        lines.append("  cram: nothing was saved")
        return lines
    lines.append(f"  due later today: {summary.later_today} · tomorrow: {summary.tomorrow}")
    if summary.next_learning is not None:
        n = summary.learning_left
        lines.append(
            f"  {n} question{'s' if n != 1 else ''} in a learning step, the next due at "
            f"{clock(summary.next_learning)[-5:]}: run legquiz start again then"
        )
    return lines


def _nothing_message(p: Plan, now: datetime) -> str:
    from legquiz.ui.render import clock as fmt_clock
    from legquiz.ui.render import span as fmt_span

    lines = ["Nothing to study right now."]
    if p.new_waiting:
        lines.append(
            f"You have met today's limit of new questions; {p.new_waiting} new wait (use --new N to learn some now)."
        )
    if p.next_due is not None:
        lines.append(f"Next question due in {fmt_span(p.next_due - now)} ({fmt_clock(p.next_due)}).")
    elif not p.new_waiting:
        lines.append("No questions are scheduled.")
    return "\n".join(lines)


@click.command()
@data_dir_option
@click.pass_context
def undo(ctx: click.Context, data_dir: Path | None) -> None:
    """Take back the last answer you gave (even after the session ended).

    The question's schedule and your history return exactly to what they were
    before that answer. Run it again to take back the answer before that.

    \b
    Example:
      legquiz undo
    """
    from legquiz.core.records import undo_record
    from legquiz.srs.scheduler import Rating
    from legquiz.storage.store import Store

    home = resolve_home(ctx, data_dir)
    if not home.exists():  # nothing was ever answered here: no folder is made just to say so
        raise LegquizError("nothing to undo")
    with Store.open(home) as store:
        for w in store.warnings:
            warn(w)
        last = store.last_undoable()
        if last is None:
            raise LegquizError("nothing to undo")
        store.append(undo_record(last["seq"]))
        from legquiz.core import settings
        from legquiz.sync.run import remerge

        remerge(store, settings.load(home), common.utcnow())  # a card others answered too: their replay
    when = datetime.fromisoformat(str(last["at"])).astimezone().strftime("%Y-%m-%d %H:%M")
    if last["op"] == "reschedule":
        _undo_reschedule(home, last, when)
        return
    say(
        f"Took back your answer to {last['card']} ({Rating(int(last['rating'])).label}, {when}); its schedule is as it was before."
    )
    text = _question_text(home, str(last["card"]))
    if text:
        say(f"  “{text}”")


def _undo_reschedule(home: Path, last: RescheduleRecord, when: str) -> None:
    """After `optimize --apply` is taken back: the FSRS parameters it saved go back too."""
    from legquiz.core import settings

    previous = last["previous"]
    settings.save(home, "parameters", None if previous is None else tuple(float(w) for w in previous))
    say(
        f"Took back the rescheduling of {len(last['cards']):,} questions by 'legquiz optimize --apply' ({when}):"
        f" their due dates are as they were, and the FSRS parameters are back to"
        f" {'the defaults' if previous is None else 'the ones before'}."
    )


def _question_text(home: Path, key: str) -> str:
    """The start of the question a card key names, so people see what they took back ('' if it is gone)."""
    from legquiz.deckfile import catalog
    from legquiz.text import inert

    deck_id, _, qid = key.partition("/")
    d = catalog.load(home).get(deck_id)
    q = next((q for q in d.questions if q.id == qid), None) if d is not None else None
    if q is None:
        return ""
    text = " ".join(inert(q.prompt_text).split())
    return text if len(text) <= 100 else text[:99] + "…"

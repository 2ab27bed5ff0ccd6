"""``legquiz optimize``: fit FSRS-6 to your own history and show, on later reviews, whether it predicts better."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from legquiz.cli.common import data_dir_option, resolve_home, say, utcnow, warn
from legquiz.text import counted, shown_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from legquiz.core.settings import Config
    from legquiz.srs.fitting import Result


@click.command()
@click.option(
    "--reviews",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="CSV",
    help="Use this review history (card_id,review_rating,review_time[,review_duration]) instead of yours.",
)
@click.option(
    "--split",
    type=click.FloatRange(0.1, 0.95),
    default=0.8,
    show_default=True,
    metavar="F",
    help="Fit on the first F of the reviews (by time), score on the rest.",
)
@click.option(
    "--day-start",
    type=click.IntRange(0, 23),
    default=None,
    metavar="H",
    help="A study day starts at H o'clock (default: the configured day_start, 4).",
)
@click.option(
    "--apply",
    is_flag=True,
    help="Save the fitted parameters if they beat the defaults, and reschedule the questions in review (undoable).",
)
@click.option("--force", is_flag=True, help="With --apply: save them even if they do not beat the defaults.")
@click.option(
    "--card-split",
    is_flag=True,
    help="Also fit on the odd-numbered cards and score the even ones (a second, independent check).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (fields: docs/optimize.md).")
@data_dir_option
@click.pass_context
def optimize(
    ctx: click.Context,
    csv_path: Path | None,
    split: float,
    day_start: int | None,
    apply: bool,
    force: bool,
    card_split: bool,
    as_json: bool,
    data_dir: Path | None,
) -> None:
    """Fit the FSRS parameters to your review history, and prove it on later reviews.

    Reviews are sorted by time; the first 80% fit the 21 FSRS-6 weights, and
    the later reviews judge them: each is predicted from the card's earlier
    history, once with the default weights and once with the fitted ones.
    Lower log loss and RMSE(bins) mean better predictions (the public
    srs-benchmark's metrics; docs/optimize.md). With --apply the fitted
    weights are saved only if they beat the defaults on both, and the
    questions in review are rescheduled with them (one line says how many due
    dates move); 'legquiz undo' takes that back. The fit (numpy and scipy) makes its own
    choices by validation on the last fifth of the fitting reviews; with
    --card-split it is also fitted on half the cards and scored on the other
    half.

    \b
    Example:
      legquiz optimize
      legquiz optimize --apply
      legquiz optimize --reviews anki-review-log.csv --json
    """
    import os
    import time

    # One BLAS thread, set before numpy loads: the fit's work is element-wise, and L-BFGS-B's tiny BLAS calls
    # would otherwise wake OpenBLAS's worker threads, which spin and, on a busy 2-core machine, double the time.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from legquiz.core import settings as config
    from legquiz.errors import LegquizError, UsageError
    from legquiz.srs import fitting as optimize
    from legquiz.storage import store

    if force and not apply:
        raise UsageError("--force only means something with --apply")
    home = resolve_home(ctx, data_dir, reading=csv_path is None)
    cfg = config.load(home)
    hour = cfg.day_start if day_start is None else day_start
    if csv_path is not None:
        reviews = optimize.load_csv(csv_path)
        source = str(csv_path)
    else:
        from legquiz.sync.answers import standing
        from legquiz.sync.device import device_id

        answers = standing(home, Path(cfg.sync_dir) if cfg.sync_dir else None)  # every device's (sync)
        reviews = optimize.from_answers(((at, rec) for at, _dev, _seq, rec in answers), cfg.days().tz)
        others = len({dev for _at, dev, _seq, _rec in answers} - {"", device_id(home, create=False)})
        also = f" and the answers of {counted(others, 'other device')}" if others else ""
        source = f"your review log ({home / store.LOG}{also})"
    p = optimize.plan(reviews, split, hour)

    def say(text: str) -> None:
        click.echo(text, err=True)

    say(
        f"Fitting FSRS-6 to the first {p.cut:,} of {len(p.reviews):,} reviews from {shown_path(source)}"
        f" (study days start at {hour}:00) ..."
    )

    def progress(line: str) -> None:
        say(f"  {line}")

    result = optimize.run(p, progress=progress, clock=time.perf_counter, card_split=card_split)

    if as_json:
        click.echo(json.dumps(result.to_json()))
    else:
        _report(result)
    if not apply:
        return
    better = result.beats_default()
    if not better and not force:
        raise LegquizError(
            f"not applied: the fitted parameters do not beat the defaults on the {result.n_scored:,} scored reviews"
            f" (log loss {result.optimized.log_loss:.4f} vs {result.default.log_loss:.4f},"
            f" RMSE(bins) {result.optimized.rmse_bins:.4f} vs {result.default.rmse_bins:.4f});"
            " --apply --force saves them anyway"
        )
    recorded = _reschedule(home, cfg, result.parameters, say)
    config.save(home, "parameters", result.parameters)
    undo = " 'legquiz undo' takes this back," if recorded else ""
    say(
        f"Saved the fitted parameters in {home / config.FILENAME}"
        f"{'' if better else ' (forced: they do not beat the defaults)'};{undo}"
        " 'legquiz config reset parameters' goes back to the defaults."
    )


def _reschedule(home: Path, cfg: Config, parameters: tuple[float, ...], say: Callable[[str], None]) -> bool:
    """Move the due dates of the questions in review to what the new weights give, as one undoable log record.

    The record is written even when no date moves, so that `legquiz undo` always
    takes back the whole --apply (parameters included). False: no store yet.
    """
    from legquiz.core.cards import REVIEW, STATE
    from legquiz.srs import reschedule
    from legquiz.storage import store
    from legquiz.storage.store import Store
    from legquiz.sync.answers import standing

    if not (home / store.LOG).exists():
        say("Rescheduling: no questions in review yet.")
        return False
    with Store.open(home) as st:
        for w in st.warnings:
            warn(w)
        every = standing(home, Path(cfg.sync_dir) if cfg.sync_dir else None)  # the cards' states are their replay
        answers = reschedule.by_card((at, rec["card"], rec["rating"]) for at, _dev, _seq, rec in every)
        changes = reschedule.moves(st.state.cards, answers, cfg.scheduler(), parameters)
        in_review = sum(1 for values in st.state.cards.values() if values[STATE] == REVIEW)
        say(reschedule.preview(changes, in_review))
        st.append(reschedule.record(changes, parameters, cfg.parameters, utcnow()))
    return True


def _report(r: Result) -> None:
    click.echo("")
    say(
        f"Scored {r.n_scored:,} later reviews (those a day or more after the card's previous one),"
        f" after fitting on {r.n_train:,} of {r.n_reviews:,}:"
    )
    click.echo("")
    click.echo(f"  {'':<12} {'log loss':>10} {'RMSE(bins)':>12}")
    click.echo(f"  {'default':<12} {r.default.log_loss:>10.4f} {r.default.rmse_bins:>12.4f}")
    click.echo(f"  {'optimized':<12} {r.optimized.log_loss:>10.4f} {r.optimized.rmse_bins:>12.4f}")
    click.echo("")
    verdict = (
        "The fitted parameters predict better (lower is better for both)."
        if r.beats_default()
        else "The fitted parameters do not beat the defaults on both metrics (lower is better)."
    )
    say(f"{verdict} The fit took {r.fit_seconds:.1f} s; validation kept: {r.choice}.")
    say("Parameters: " + " ".join(f"{w:.4f}" for w in r.parameters))
    c = r.card_split
    if c is not None:
        click.echo("")
        say(
            f"Second evaluation: fitted on the {c.n_fit_cards:,} odd-numbered cards,"
            f" scored on {c.n_scored:,} reviews of the {c.n_scored_cards:,} even ones:"
        )
        click.echo(f"  {'default':<12} {c.default.log_loss:>10.4f} {c.default.rmse_bins:>12.4f}")
        click.echo(f"  {'optimized':<12} {c.optimized.log_loss:>10.4f} {c.optimized.rmse_bins:>12.4f}")

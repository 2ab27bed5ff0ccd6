"""How long `legquiz optimize`'s fit takes: the real log (12,580 reviews) and 100,000 reviews resampled from it.

The larger history is the real one resampled by card (seeded): whole card
histories drawn with replacement, each copy under a new card id and moved by
a whole number of days, until there are 100,000 reviews. Per-card patterns
stay real, only their number grows. Timed is what ``fit_seconds`` reports:
the fit alone (legquiz.srs.train.fit on the reviews before the 0.8 cut),
including its validation step, not the re-scoring with the fsrs package.

    python benchmarks/fit_bench.py            # both sizes, printed
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as `legquiz optimize` sets it (legquiz/cli/optimize.py)

from legquiz.srs import fitting, scheduler, train  # noqa: E402
from legquiz.srs.fitting import Review  # noqa: E402

LOG = REPO / "tests" / "data" / "anki-review-log.csv"


def resampled(reviews: list[Review], n: int, seed: int = 18) -> list[Review]:
    """At least ``n`` reviews: whole card histories drawn with replacement, each moved by 0-59 days."""
    rng = random.Random(seed)
    by_card: dict[str, list[Review]] = {}
    for r in reviews:
        by_card.setdefault(r.card, []).append(r)
    cards = sorted(by_card)
    out: list[Review] = []
    copy = 0
    while len(out) < n:
        history = by_card[rng.choice(cards)]
        shift = timedelta(days=rng.randrange(60))
        out.extend(replace(r, card=f"r{copy}", at=r.at + shift) for r in history)
        copy += 1
    return out


def fit_seconds(reviews: list[Review], runs: int) -> float:
    """Median wall-clock seconds of the fit on the first 80% of these reviews."""
    p = fitting.plan(reviews, 0.8, 4)
    histories = [[x for x in seq if x[0] < p.cut] for seq in p.cards.values() if seq[0][0] < p.cut]
    defaults = scheduler.default_parameters()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        train.fit(histories, defaults)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(big: int, runs: int) -> tuple[float, float, int]:
    """(seconds for the real log, seconds for ``big`` resampled reviews, how many reviews that was)."""
    real = fitting.load_csv(LOG)
    many = resampled(real, big)
    return fit_seconds(real, runs), fit_seconds(many, max(1, runs // 3)), len(many)


def rows(quick: bool) -> list[tuple[str, str, float, float | None, bool | None]]:
    """The benchmark table's rows: (number, what, seconds, limit in seconds, within it; None when quick)."""
    big = 20_000 if quick else 100_000
    small_s, big_s, n = measure(big, 1 if quick else 3)
    return [
        (
            "7",
            "legquiz optimize's fit, 12,580 real reviews (wall clock)",
            small_s,
            10.0,
            None if quick else small_s <= 10,
        ),
        ("7b", f"  the same, {n:,} reviews resampled from them", big_s, 60.0, None if quick else big_s <= 60),
    ]


if __name__ == "__main__":
    small_s, big_s, n = measure(100_000, 3)
    print(f"fit, 12,580 reviews: {small_s:.1f} s; fit, {n:,} reviews: {big_s:.1f} s; ratio {big_s / small_s:.2f}")

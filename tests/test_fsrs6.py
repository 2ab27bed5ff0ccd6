"""The golden test: the numpy pass predicts what the ``fsrs`` package's own Scheduler computes, to 1e-6.

On the shared real log (../shared/data/anki-review-log.csv from a checkout),
every review of every card is replayed through ``fsrs.Scheduler.review_card``
one by one, and the retrievability ``get_card_retrievability`` gives just
before each review is compared with the vectorised pass, for the default
weights and for weight sets far from them (the bounds' corners included).
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import fsrs
import numpy as np
import pytest

from legquiz.srs import fitting, fsrs6, train

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "anki-review-log.csv"


def package_retrievabilities(weights: tuple[float, ...], history: list[tuple[int, int]]) -> list[float]:
    """R before each review, by the fsrs package alone (0 before the first), reviews at midnight UTC of their day."""
    sched = fsrs.Scheduler(parameters=weights, enable_fuzzing=False)
    day = lambda d: datetime.fromordinal(d).replace(tzinfo=timezone.utc)  # noqa: E731
    card = fsrs.Card(card_id=1, due=day(history[0][0]))
    out = []
    for d, rating in history:
        out.append(float(sched.get_card_retrievability(card, day(d))) if card.last_review else 0.0)
        card, _log = sched.review_card(card, fsrs.Rating(rating), day(d))
    return out


def weight_sets() -> list[tuple[float, ...]]:
    rng = random.Random(18)
    defaults = tuple(fsrs.Scheduler().parameters)
    out = [defaults]
    for _ in range(2):  # anywhere inside the bounds
        out.append(tuple(rng.uniform(lo, hi) for lo, hi in train.BOUNDS))
    out.append(tuple(lo for lo, _hi in train.BOUNDS))
    out.append(tuple(hi for _lo, hi in train.BOUNDS))
    return out


def check(histories: list[list[tuple[int, int]]], tolerance: float) -> int:
    packed = fsrs6.pack(histories)
    sets = weight_sets()
    ours = fsrs6.retrievabilities(np.array(sets), packed)
    compared = 0
    for n, weights in enumerate(sets):
        for col, i in enumerate(packed.order):
            want = package_retrievabilities(weights, histories[i])
            got = ours[n, : len(want), col]
            assert np.max(np.abs(got - np.array(want))) <= tolerance, (n, i)
            compared += len(want)
    return compared


@pytest.mark.skipif(not SHARED.exists(), reason="the shared real log ../shared/data/anki-review-log.csv is absent")
def test_every_retrievability_on_the_real_log_equals_the_fsrs_scheduler() -> None:
    reviews = sorted(fitting.load_csv(SHARED), key=lambda r: r.at)
    cards = fitting.by_card(reviews, 4)
    histories = [[(day, rating) for _pos, day, rating in seq] for seq in cards.values()]
    assert check(histories, 1e-6) == 12580 * len(weight_sets())


def test_same_day_reviews_easy_and_hard_follow_the_package() -> None:
    """Every branch on a small made-up history: all four ratings, same-day steps, long gaps."""
    rng = random.Random(7)
    histories = []
    for _ in range(60):
        day = 738000 + rng.randrange(30)
        h = []
        for _ in range(rng.randrange(1, 14)):
            h.append((day, rng.randrange(1, 5)))
            day += rng.choice([0, 0, 1, 2, 5, 30, 400])
        histories.append(h)
    assert check(histories, 1e-9) == sum(map(len, histories)) * len(weight_sets())


def test_pack_orders_cards_longest_first_and_counts_the_active_ones() -> None:
    p = fsrs6.pack([[(5, 3)], [], [(1, 1), (1, 3), (4, 3)], [(2, 4), (9, 2)]])
    assert p.order == (2, 3, 0) and p.lengths == (3, 2, 1)
    assert p.active == (3, 2, 1)
    assert p.delta[:, 0].tolist() == [0, 0, 3] and p.delta[:, 1].tolist() == [0, 7, 0]
    assert p.rating[:, 2].tolist() == [3, 0, 0]

"""The fit itself (legquiz.srs.train, legquiz.srs.pretrain): fsrs-rs's rules, bounds, and honest selection."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from legquiz.srs import fitting, pretrain, scheduler, train
from legquiz.srs.pretrain import FirstInterval

DATA = Path(__file__).parent / "data" / "anki-review-log.csv"
DEFAULTS = scheduler.default_parameters()


def histories(n_cards: int, reviews_per_card: int, seed: int = 1) -> list[train.History]:
    """Cards answered Good once, then every few days (each review a day or more after the previous one)."""
    rng = random.Random(seed)
    out, pos = [], 0
    for _ in range(n_cards):
        day, h = 739000, []
        for k in range(reviews_per_card):
            h.append((pos, day, 3 if k == 0 else rng.choice([1, 3, 3, 3])))
            pos += 1
            day += rng.choice([1, 2, 3])
        out.append(h)
    return out


# -- too little data: fsrs-rs's rule ----------------------------------------------------------------


def test_fewer_than_8_reviews_to_learn_from_keep_the_defaults() -> None:
    few = histories(7, 2)  # 7 cards, one later review each
    assert set(train.candidates(few, DEFAULTS, [0])) == {"defaults"}
    assert train.fit(few, DEFAULTS).parameters == DEFAULTS


def test_fewer_than_64_fit_only_the_initial_stabilities() -> None:
    some = histories(30, 2)  # 30 items, all first later reviews
    got = train.candidates(some, DEFAULTS, [0])
    assert set(got) == {"defaults", "initial stabilities only"}
    assert list(got["initial stabilities only"][4:]) == list(DEFAULTS[4:])
    assert got["initial stabilities only"][2] != DEFAULTS[2]  # Good's stability was estimated


def test_enough_reviews_fit_every_weight_within_the_bounds() -> None:
    got = train.candidates(histories(120, 6), DEFAULTS, [0])
    fitted = [k for k in got if k.startswith("fitted")]
    assert len(fitted) == len(train.PULLS) * len(train.CHECKPOINTS)
    for name in fitted:
        assert all(lo <= w <= hi for w, (lo, hi) in zip(got[name], train.BOUNDS, strict=True)), name


def test_no_history_at_all_keeps_the_defaults() -> None:
    assert train.fit([], DEFAULTS).parameters == DEFAULTS


# -- the loss and the search -----------------------------------------------------------------------


def test_the_search_lowers_the_training_loss_and_a_pull_keeps_it_nearer_the_start() -> None:
    kept, start, _n = train.prepare(histories(150, 6), DEFAULTS)
    d = train.data(kept)
    free = train.minimise(d, start, 0.0, [40], [0])[40]
    pulled = train.minimise(d, start, 100.0, [40], [0])[40]
    before, after = train.log_losses(np.vstack([start, free]), d)
    assert after < before
    spread = np.array(train.SPREAD)
    assert np.sum(((pulled - start) / spread) ** 2) < np.sum(((free - start) / spread) ** 2)


def test_recency_weights_run_from_a_quarter_to_one_in_time_order() -> None:
    d = train.data(histories(10, 3))
    assert d.weights[0] == pytest.approx(0.25) and d.weights[-1] == pytest.approx(1.0)
    assert list(d.weights) == sorted(d.weights)
    assert np.all(train.data(histories(10, 3), recency=False).weights == 1.0)


# -- pre-training of w0-w3 ---------------------------------------------------------------------------


def test_initial_stability_is_read_off_the_first_intervals() -> None:
    """First intervals drawn from a forgetting curve with S = 6 give back an estimate near 6."""
    rng = random.Random(3)
    factor = 0.9 ** (-1 / pretrain.DECAY) - 1
    items = []
    for _ in range(3000):
        t = rng.choice([1, 3, 7, 14])
        recalled = rng.random() < (1 + factor * t / 6.0) ** -pretrain.DECAY
        items.append(FirstInterval(3, t, recalled))
    recall = sum(i.recalled for i in items) / len(items)
    (s1, s2, s3, s4), counts = pretrain.initial_stabilities(items, recall, DEFAULTS)
    assert s3 == pytest.approx(6.0, rel=0.15)
    assert counts == {3: 3000}
    assert s1 < s2 < s3 < s4  # the other three scaled with the defaults


def test_fill_orders_the_estimates_and_fills_the_gaps_from_the_neighbour_relations() -> None:
    s = pretrain.fill({1: 0.5, 3: 4.0}, {1: 100, 3: 300}, DEFAULTS)
    assert (s[0], s[2]) == (0.5, 4.0)
    a, b = pretrain.A, pretrain.B
    assert math.log(s[1]) == pytest.approx(a * math.log(s[0]) + (1 - a) * math.log(s[2]))
    assert math.log(s[2]) == pytest.approx((1 - b) * math.log(s[1]) + b * math.log(s[3]))
    # a worse first rating with a longer stability gives way to the rating with more cards behind it
    assert pretrain.fill({1: 9.0, 3: 4.0}, {1: 10, 3: 300}, DEFAULTS)[0] == 4.0
    assert pretrain.fill({1: 9.0, 3: 4.0}, {1: 500, 3: 300}, DEFAULTS)[2] == 9.0
    assert pretrain.fill({}, {}, DEFAULTS) == DEFAULTS[:4]


def test_rare_first_intervals_are_outliers() -> None:
    items = [FirstInterval(3, 1, True)] * 400 + [FirstInterval(3, 2, True)] * 50
    items += [FirstInterval(3, 9, True)] * 3 + [FirstInterval(3, 150, True)] * 30
    assert pretrain.outliers(items) == {(3, 9), (3, 150)}  # the 3 rarest, and one past 100 days


# -- honest selection --------------------------------------------------------------------------------


@pytest.mark.slow
def test_shuffling_the_scored_part_does_not_change_the_chosen_parameters() -> None:
    """The fit and every choice in it see only the reviews before the cut: scramble what comes after, same result."""
    reviews = sorted(fitting.load_csv(DATA), key=lambda r: r.at)
    cut = int(len(reviews) * 0.8)
    rng = random.Random(18)
    late = reviews[cut:]
    ratings = [r.rating for r in late]
    cards = [r.card for r in late]
    rng.shuffle(ratings)
    rng.shuffle(cards)
    scrambled = reviews[:cut] + [replace(r, rating=g, card=c) for r, g, c in zip(late, ratings, cards, strict=True)]
    assert scrambled != reviews
    a = fitting.run(fitting.plan(reviews, 0.8, 4))
    b = fitting.run(fitting.plan(scrambled, 0.8, 4))
    assert (a.parameters, a.choice) == (b.parameters, b.choice)
    assert a.default != b.default  # the scored part did change, and with it the scores

"""The fit's exact gradient (legquiz.srs.gradient) against the numpy pass and a central difference."""

from __future__ import annotations

import random

import numpy as np
import pytest

from legquiz.srs import gradient, scheduler, train
from tests.test_train import histories


def weight_sets() -> list[np.ndarray]:
    rng = random.Random(5)
    inside = [
        np.array([rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo)) for lo, hi in train.BOUNDS])
        for _ in range(3)
    ]
    return [np.array(scheduler.default_parameters()), *inside]


def mixed() -> list[train.History]:
    """Every branch: same-day steps, all four ratings, lapses, long gaps."""
    rng = random.Random(9)
    out, pos = [], 0
    for _ in range(80):
        day, h = 739000, []
        for _ in range(rng.randrange(2, 12)):
            h.append((pos, day, rng.choice([1, 1, 2, 3, 3, 3, 4])))
            pos += 1
            day += rng.choice([0, 0, 1, 2, 4, 9, 30])
        out.append(h)
    return out


@pytest.mark.parametrize("n", range(4))
def test_loss_matches_the_pass_and_gradient_matches_a_central_difference(n: int) -> None:
    w = weight_sets()[n]
    d = train.data(mixed())
    weight, label = d.dense()
    loss, grad = gradient.loss_and_grad(w, d.packed, weight, label)
    assert loss == pytest.approx(float(train.log_losses(w[None], d)[0]), abs=1e-12)
    h = 1e-6
    numeric = np.array(
        [
            (train.log_losses((w + h * e)[None], d)[0] - train.log_losses((w - h * e)[None], d)[0]) / (2 * h)
            for e in np.eye(21)
        ]
    )
    assert np.max(np.abs(grad - numeric)) < 1e-6, np.round(grad - numeric, 8)
    assert np.any(np.abs(numeric) > 1e-3)  # the check compares something


def test_hard_penalty_and_easy_bonus_at_zero_still_have_a_gradient() -> None:
    w = np.array(scheduler.default_parameters())
    w[15] = 0.0
    d = train.data(mixed())
    _loss, grad = gradient.loss_and_grad(w, d.packed, *d.dense())
    h = 1e-6
    e = np.eye(21)[15]
    numeric = (train.log_losses((w + h * e)[None], d)[0] - train.log_losses(w[None], d)[0]) / h
    assert grad[15] == pytest.approx(numeric, abs=1e-5) and abs(grad[15]) > 1e-4


def test_no_reviews_no_loss() -> None:
    d = train.data(histories(3, 1))
    assert gradient.loss_and_grad(np.array(scheduler.default_parameters()), d.packed, *d.dense())[0] == 0.0

"""FSRS-6's memory model as one vectorised numpy pass over many cards and many weight sets at once.

Why a second implementation of what the ``fsrs`` package computes: fitting needs
the retrievability of every review for hundreds of candidate weight sets, and a
review-by-review Python replay costs about a second per set. Here the cards are
packed longest first, so step ``k`` of the pass touches only the cards with more
than ``k`` reviews (a prefix of the arrays), and each numpy call updates every
such card, for every weight set in a ``(P, 21)`` array, at once. The golden test
(tests/test_fsrs6.py) holds this pass to the ``fsrs`` scheduler's own numbers.

The formulas are FSRS-6's as py-fsrs writes them (the scheduler legquiz uses):
the same clamps (stability >= 0.001, difficulty in [1, 10]), the short-term
update when a review falls on the same study day as the previous one, and the
long-term recall and forget updates otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

S_MIN = 0.001
D_MIN, D_MAX = 1.0, 10.0


@dataclass(frozen=True)
class Packed:
    """Card histories as step-major arrays: column ``c`` is card ``order[c]``, longest card first."""

    delta: Floats  # (max_len, n_cards): whole days since the card's previous review (0 for its first)
    rating: Ints  # (max_len, n_cards): 1-4, 0 past the card's end
    active: tuple[int, ...]  # active[k]: how many cards have more than k reviews
    order: tuple[int, ...]  # the index in the caller's list of each column's card
    lengths: tuple[int, ...]  # reviews per column


def pack(histories: list[list[tuple[int, int]]]) -> Packed:
    """Pack histories of (study day, rating) in time order; empty histories are left out."""
    order = sorted((i for i, h in enumerate(histories) if h), key=lambda i: -len(histories[i]))
    lengths = [len(histories[i]) for i in order]
    max_len = lengths[0] if lengths else 0
    delta = np.zeros((max_len, len(order)))
    rating = np.zeros((max_len, len(order)), dtype=np.int64)
    for c, i in enumerate(order):
        days = np.array([d for d, _r in histories[i]], dtype=np.float64)
        delta[1 : len(days), c] = np.diff(days)
        rating[: len(days), c] = [r for _d, r in histories[i]]
    counts = np.bincount(np.array(lengths, dtype=np.int64), minlength=max_len + 1) if lengths else np.zeros(1, np.int64)
    active = tuple(int(n) for n in (len(order) - np.cumsum(counts))[:max_len])
    return Packed(delta, rating, active, tuple(order), tuple(lengths))


def forgetting_curve(w: Floats, t: Floats | float, s: Floats) -> Floats:
    """R = (1 + factor * t / S) ** -w20, with factor chosen so that R = 0.9 when t = S."""
    decay = -w[..., 20, None]
    factor = 0.9 ** (1.0 / decay) - 1.0
    result: Floats = (1.0 + factor * t / s) ** decay
    return result


def _init_difficulty(w: Floats, rating: Floats | float) -> Floats:
    result: Floats = w[:, 4, None] - np.exp(w[:, 5, None] * (rating - 1.0)) + 1.0
    return result


def retrievabilities(weights: Floats, p: Packed) -> Floats:
    """Retrievability just before every review, shape ``(P, max_len, n_cards)`` (0 at first reviews and padding).

    ``weights`` is one weight set ``(21,)`` or many ``(P, 21)``.
    """
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    n_sets = w.shape[0]
    max_len, n_cards = p.delta.shape
    out = np.zeros((n_sets, max_len, n_cards))
    if max_len == 0:
        return out

    def col(j: int) -> Floats:
        """Weight j of every set, as a column that broadcasts over the cards."""
        return w[:, j, None]

    first = p.rating[0].astype(np.float64)
    s = np.maximum(w[:, p.rating[0] - 1], S_MIN)
    d = np.clip(_init_difficulty(w, first), D_MIN, D_MAX)
    d_easy = _init_difficulty(w, 4.0)  # mean reversion's target, unclamped
    decay = -col(20)
    factor = 0.9 ** (1.0 / decay) - 1.0
    short_forget = np.exp(col(17) * col(18))
    recall_scale = np.exp(col(8))
    for k in range(1, max_len):
        n = p.active[k]
        if n == 0:
            break
        s, d = s[:, :n], d[:, :n]
        t = p.delta[k, :n]
        r_int = p.rating[k, :n]
        r = r_int.astype(np.float64)
        # powers written as exp(log): the pass is dominated by them, and exp is the cheaper call
        log_s = np.log(s)
        retr = np.exp(decay * np.log1p(factor * t / s))  # the forgetting curve
        out[:, k, :n] = retr
        forgotten = 1.0 - retr
        bonus = np.where(r_int == 2, col(15), np.where(r_int == 4, col(16), 1.0))
        recall = s * (1.0 + recall_scale * (11.0 - d) * np.exp(-col(9) * log_s) * np.expm1(forgotten * col(10)) * bonus)
        forget = np.minimum(
            col(11) * np.exp(-col(12) * np.log(d) + forgotten * col(14)) * np.expm1(col(13) * np.log1p(s)),
            s / short_forget,
        )
        sinc = np.exp(col(17) * (r - 3.0 + col(18)) - col(19) * log_s)
        sinc = np.where(r_int >= 2, np.maximum(sinc, 1.0), sinc)
        s = np.maximum(np.where(t == 0.0, s * sinc, np.where(r_int == 1, forget, recall)), S_MIN)
        damped = d + (10.0 - d) * (-col(6) * (r - 3.0)) / 9.0
        d = np.clip(col(7) * d_easy + (1.0 - col(7)) * damped, D_MIN, D_MAX)
    return out

"""Initial stabilities (w0-w3) estimated from each card's first rating and how its first later review went.

The recipe is fsrs-rs's (``parameter_initialization.rs``, ``dataset.rs``; BSD-3),
re-derived here rather than copied (docs/optimize.md): the four initial
stabilities have a direct, nearly closed-form estimate, so the main fit starts
from them instead of from population defaults, and cards with a rare first
interval (an outlier for their first rating) are left out of both steps.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from legquiz.srs.fsrs6 import S_MIN

INIT_S_MAX = 100.0  # fsrs-rs's and py-fsrs's bound on w0-w3
DECAY = 0.1542  # FSRS-6's default w20: the curve the first interval is read with
PULL_TO_DEFAULT = 1.0 / 16  # the L1 pull of each estimate towards its default (fsrs-rs's loss)
# log S(2) = A log S(1) + (1-A) log S(3); log S(3) = (1-B) log S(2) + B log S(4) (fsrs-rs's smoothing)
A, B = 0.41, 0.54


@dataclass(frozen=True)
class FirstInterval:
    """A card's first rating and its first review on a later study day: the data of this estimate."""

    first_rating: int
    delta_t: int
    recalled: bool


def outliers(items: list[FirstInterval]) -> set[tuple[int, int]]:
    """(first rating, first interval) pairs too rare to learn from.

    Per first rating, the rarest intervals are dropped until about 5% of the
    cards (at least 20) are gone, and so are intervals seen fewer than 6 times
    or longer than 100 days (365 after Easy): fsrs-rs's rule, because a
    handful of cards on an odd interval would otherwise pull a whole stability.
    """
    groups: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for it in items:
        groups[it.first_rating][it.delta_t] += 1
    dropped: set[tuple[int, int]] = set()
    for rating, by_delta in groups.items():
        total = sum(by_delta.values())
        budget = max(20, total // 20)
        removed = 0
        # rarest first; among equally rare, the shortest interval first
        for delta, n in sorted(by_delta.items(), key=lambda kv: (kv[1], kv[0])):
            if removed + n < budget:
                removed += n
                dropped.add((rating, delta))
            elif n < 6 or delta > (365 if rating == 4 else 100):
                dropped.add((rating, delta))
    return dropped


def _estimate(points: list[tuple[int, float, int]], default: float) -> float:
    """The stability whose forgetting curve best fits (delta_t, smoothed recall, count) points."""
    import numpy as np
    from scipy.optimize import minimize_scalar

    t, y, n = (np.array(col, dtype=np.float64) for col in zip(*points, strict=True))
    factor = 0.9 ** (-1.0 / DECAY) - 1.0

    def loss(s: float) -> float:
        p = np.clip((1.0 + factor * t / s) ** -DECAY, 1e-12, 1 - 1e-12)
        return float(-np.sum(n * (y * np.log(p) + (1 - y) * np.log(1 - p)))) + abs(s - default) * PULL_TO_DEFAULT

    res = minimize_scalar(loss, bounds=(S_MIN, INIT_S_MAX), method="bounded", options={"xatol": 1e-6})
    return float(res.x)


def fill(stability: dict[int, float], counts: dict[int, int], defaults: tuple[float, ...]) -> tuple[float, ...]:
    """All four initial stabilities from those estimated: ordered, and the missing ones filled in.

    A better first rating must not start with a smaller stability (the estimate
    with fewer cards gives way). Missing ones follow from the two log-linear
    relations between neighbours (A, B above) solved by least squares; with a
    single estimate, the defaults are scaled to pass through it.
    """
    import numpy as np

    s = {r: v for r, v in stability.items() if counts.get(r, 0) > 0}
    if not s:
        return tuple(defaults[:4])
    for small, big in ((1, 2), (2, 3), (3, 4), (1, 3), (2, 4), (1, 4)):
        if small in s and big in s and s[small] > s[big]:
            if counts[small] > counts[big]:
                s[big] = s[small]
            else:
                s[small] = s[big]
    if len(s) == 1:
        (r, v), *_ = s.items()
        out = [defaults[i] * v / defaults[r - 1] for i in range(4)]
    else:
        # unknowns x_r = log S(r) for the missing ratings; equations: the two relations
        rel = np.array([[A, -1.0, 1 - A, 0.0], [0.0, 1 - B, -1.0, B]])
        missing = [r for r in (1, 2, 3, 4) if r not in s]
        known = np.array([math.log(s[r]) if r in s else 0.0 for r in (1, 2, 3, 4)])
        if missing:
            cols = [r - 1 for r in missing]
            lhs = rel[:, cols]
            rhs = -rel @ known
            x, *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
            for r, v in zip(missing, x, strict=False):
                s[r] = math.exp(float(v))
        out = [s[r] for r in (1, 2, 3, 4)]
    return tuple(min(max(v, S_MIN), INIT_S_MAX) for v in out)


def initial_stabilities(
    items: list[FirstInterval], average_recall: float, defaults: tuple[float, ...]
) -> tuple[tuple[float, ...], dict[int, int]]:
    """w0-w3 estimated from first intervals (outliers already removed), and the cards behind each rating."""
    by_rating: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for it in items:
        cell = by_rating[it.first_rating][it.delta_t]
        cell[0] += 1
        cell[1] += it.recalled
    estimates: dict[int, float] = {}
    counts: dict[int, int] = {}
    for rating, cells in by_rating.items():
        # each interval's recall is shrunk towards the average recall by one pseudo-review
        points = [(t, (k + average_recall) / (n + 1), n) for t, (n, k) in sorted(cells.items())]
        estimates[rating] = _estimate(points, defaults[rating - 1])
        counts[rating] = sum(n for n, _k in cells.values())
    return fill(estimates, counts, defaults), counts

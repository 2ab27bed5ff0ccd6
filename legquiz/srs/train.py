"""Fit FSRS-6's 21 weights to review histories with scipy's L-BFGS-B, and choose honestly what to keep.

The recipe (docs/optimize.md) follows fsrs-rs, the optimizer inside Anki:
initial stabilities pre-fitted from first ratings (legquiz.srs.pretrain), a
recency-weighted log loss over every review a day or more after the card's
previous one, an L2 pull towards the starting weights scaled by each weight's
spread across users, and fsrs-rs's bounds. Where fsrs-rs runs five epochs of
Adam, this minimises the same objective with a maintained quasi-Newton method
(L-BFGS-B, exact gradient), and lets a validation split *inside the training
history* (its last fifth, in time order) choose how many iterations, how hard
to pull towards the start, or to keep the defaults altogether.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from legquiz.srs import fsrs6, gradient, pretrain
from legquiz.srs.fsrs6 import Floats, Ints

# fsrs-rs's bounds (parameter_clipper.rs) with one relearning step and short-term memory on;
# each lies inside py-fsrs's, so any fitted set is accepted by the scheduler.
BOUNDS = (
    *[(fsrs6.S_MIN, pretrain.INIT_S_MAX)] * 4,
    (1.0, 10.0), (0.001, 4.0), (0.001, 4.0), (0.001, 0.75), (0.0, 4.5), (0.0, 0.8), (0.001, 3.5),
    (0.001, 5.0), (0.001, 0.25), (0.001, 0.9), (0.0, 4.0), (0.0, 1.0), (1.0, 6.0),
    (0.0, 2.0), (0.0, 2.0), (0.01, 0.8), (0.1, 0.8),
)  # fmt: skip
# How much each weight varies between users (fsrs-rs's PARAMS_STDDEV): the L2 pull's scale.
SPREAD = (
    6.43, 9.66, 17.58, 27.85, 0.57, 0.28, 0.6, 0.12, 0.39, 0.18, 0.33, 0.3, 0.09, 0.16, 0.57, 0.25,
    1.03, 0.31, 0.32, 0.14, 0.27,
)  # fmt: skip
BATCH = 512  # fsrs-rs's batch size: its L2 term weighs gamma * BATCH / n per mean-loss unit
PULLS = (1.0, 0.0)  # gamma: fsrs-rs's pull towards the start, and none
CHECKPOINTS = (5, 10, 20, 40)  # L-BFGS-B iterations after which a fit is a candidate (early stopping)
VALIDATION = 0.2  # the last fifth of the training reviews chooses
MIN_ITEMS, MIN_ITEMS_TO_TRAIN = 8, 64  # fsrs-rs: fewer items keep the defaults / fit only w0-w3
EPS = 1e-12

History = list[tuple[int, int, int]]  # one card's reviews: (position in time order, study day, rating)


@dataclass(frozen=True)
class Data:
    """Histories packed for the pass, and the reviews the loss is taken over."""

    packed: fsrs6.Packed
    steps: Ints
    cols: Ints
    labels: Floats
    weights: Floats  # fsrs-rs's recency weights, 0.25 (oldest) to 1 (newest)

    def dense(self) -> tuple[Floats, Floats]:
        """Weights (summing to 1) and labels as ``(max_len, n_cards)`` arrays, 0 off the loss's reviews."""
        weight = np.zeros(self.packed.delta.shape)
        label = np.zeros(self.packed.delta.shape)
        weight[self.steps, self.cols] = self.weights / max(float(self.weights.sum()), EPS)
        label[self.steps, self.cols] = self.labels
        return weight, label


@dataclass(frozen=True)
class Outcome:
    """The weights kept, why, and the validation log loss of each candidate (for the report and docs)."""

    parameters: tuple[float, ...]
    choice: str
    validation: dict[str, float] = field(default_factory=dict)
    evaluations: int = 0


def _items(histories: Sequence[History], start: int = 0) -> list[tuple[int, int, int, int]]:
    """(card, step, position, label) of every review a day or more after the card's previous one."""
    out = []
    for c, h in enumerate(histories):
        for k in range(1, len(h)):
            if h[k][1] > h[k - 1][1] and h[k][0] >= start:
                out.append((c, k, h[k][0], int(h[k][2] > 1)))
    return out


def data(histories: Sequence[History], start: int = 0, recency: bool = True) -> Data:
    """The loss's reviews: those at position >= start, weighted by recency (fsrs-rs) unless told not to."""
    packed = fsrs6.pack([[(d, r) for _p, d, r in h] for h in histories])
    column = {card: c for c, card in enumerate(packed.order)}
    items = sorted(_items(histories, start), key=lambda it: it[2])
    n = len(items)
    x = np.arange(n) / max(n - 1, 1)
    weights = 0.25 + 0.75 * x**3 if recency else np.ones(n)
    return Data(
        packed,
        np.array([it[1] for it in items], dtype=np.int64),
        np.array([column[it[0]] for it in items], dtype=np.int64),
        np.array([it[3] for it in items], dtype=np.float64),
        weights,
    )


def log_losses(weight_sets: Floats, d: Data) -> Floats:
    """The weighted mean log loss of each weight set (rows of ``weight_sets``)."""
    r = fsrs6.retrievabilities(weight_sets, d.packed)[:, d.steps, d.cols]
    r = np.clip(r, EPS, 1 - EPS)
    bce = -(d.labels * np.log(r) + (1 - d.labels) * np.log(1 - r))
    result: Floats = bce @ d.weights / d.weights.sum()
    return result


def minimise(d: Data, start: Floats, gamma: float, checkpoints: Sequence[int], counter: list[int]) -> dict[int, Floats]:
    """The L-BFGS-B iterates, at each checkpoint, of log loss + gamma * BATCH/n * sum(((w - start) / SPREAD)^2).

    Bounds are BOUNDS; the gradient is exact (legquiz.srs.gradient). A search
    that converges early gives its last point to the later checkpoints.
    """
    from scipy.optimize import minimize

    spread = np.array(SPREAD)
    lo = np.array([b[0] for b in BOUNDS])
    hi = np.array([b[1] for b in BOUNDS])
    scale = gamma * BATCH / max(len(d.labels), 1)
    weight, label = d.dense()

    def objective(w: Floats) -> tuple[float, Floats]:
        loss, grad = gradient.loss_and_grad(w, d.packed, weight, label)
        counter[0] += 1
        pull = (w - start) / spread
        return loss + scale * float(np.sum(pull**2)), grad + 2 * scale * pull / spread

    seen: dict[int, Floats] = {}

    def record(w: Floats) -> None:
        seen[len(seen) + 1] = np.clip(np.array(w), lo, hi)

    x0 = np.clip(start, lo, hi)
    res = minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lo, hi, strict=False)),
        callback=record,
        options={"maxiter": max(checkpoints), "ftol": 1e-12, "gtol": 1e-9},
    )
    last = np.clip(res.x, lo, hi)
    return {n: seen.get(n, last) for n in checkpoints}


def _first_intervals(histories: Sequence[History]) -> list[tuple[History, pretrain.FirstInterval]]:
    """Each card with a review on a later study day than its first, and that first interval."""
    out = []
    for h in histories:
        later = next((k for k in range(1, len(h)) if h[k][1] > h[k - 1][1]), None)
        if later is not None:
            out.append((h, pretrain.FirstInterval(h[0][2], h[later][1] - h[0][1], h[later][2] > 1)))
    return out


def prepare(histories: Sequence[History], defaults: tuple[float, ...]) -> tuple[list[History], Floats, int]:
    """fsrs-rs's preparation: cards with a rare first interval left out, w0-w3 pre-fitted.

    Returns the histories kept, the starting weights and how many reviews the loss has.
    """
    firsts = _first_intervals(histories)
    rare = pretrain.outliers([f for _h, f in firsts])
    kept = [(h, f) for h, f in firsts if (f.first_rating, f.delta_t) not in rare]
    cards = [h for h, _f in kept]
    items = _items(cards)
    start = np.array(defaults, dtype=np.float64)
    if not items:
        return cards, start, 0
    average = float(np.mean([it[3] for it in items]))
    init, _counts = pretrain.initial_stabilities([f for _h, f in kept], average, defaults)
    start[:4] = init
    return cards, start, len(items)


def candidates(
    histories: Sequence[History], defaults: tuple[float, ...], counter: list[int], only: str | None = None
) -> dict[str, Floats]:
    """The weight sets worth considering: defaults, pre-fit only, and each pull at each checkpoint.

    fsrs-rs's rule for too little data: fewer than MIN_ITEMS reviews to learn
    from keep the defaults; fewer than MIN_ITEMS_TO_TRAIN (or only cards' first
    later reviews) fit the initial stabilities alone. ``only``: compute just
    the candidate of that name.
    """
    out = {"defaults": np.array(defaults, dtype=np.float64)}
    if only == "defaults":
        return out
    kept, start, n = prepare(histories, defaults)
    if n < MIN_ITEMS:
        return out
    out["initial stabilities only"] = start
    if n < MIN_ITEMS_TO_TRAIN or all(len(_items([h])) <= 1 for h in kept):
        return out
    d = data(kept)
    for gamma in PULLS:
        names = {n: f"fitted: pull {gamma:g}, {n} iterations" for n in CHECKPOINTS}
        if only is not None and only not in names.values():
            continue
        wanted = [n for n in CHECKPOINTS if only is None or names[n] == only]
        for n, w in minimise(d, start, gamma, wanted, counter).items():
            out[names[n]] = w
    return out


def fit(
    histories: Sequence[History], defaults: tuple[float, ...], progress: Callable[[str], None] | None = None
) -> Outcome:
    """The weights to use for these histories (positions all before the scored part), chosen by validation.

    Step 1: every candidate is fitted on the first 80% of these reviews (by
    position) and scored on the scorable reviews of the last 20%, each
    predicted from its card's whole earlier history. Step 2: the winner's
    recipe is re-run on all the histories. Nothing outside ``histories`` is seen.
    """
    counter = [0]
    positions = sorted(p for h in histories for p, _d, _r in h)
    if not positions:
        return Outcome(tuple(defaults), "defaults (no history)")
    cut = positions[int(len(positions) * (1 - VALIDATION))]
    inner = [h for h in ([x for x in h if x[0] < cut] for h in histories) if h]
    check = data(histories, start=cut, recency=False)
    if len(check.labels) == 0:
        return Outcome(tuple(defaults), "defaults (nothing later to validate on)")
    if progress:
        progress(f"choosing on the last {VALIDATION:.0%} of the training reviews ({len(check.labels):,} scorable)")
    trial = candidates(inner, defaults, counter)
    names = list(trial)
    scores = log_losses(np.vstack([trial[k] for k in names]), check)
    validation = {k: float(v) for k, v in zip(names, scores, strict=False)}
    best = min(names, key=lambda k: (validation[k], names.index(k)))  # a tie keeps the simpler
    if progress:
        progress(f"chose {best}; re-running it on all the training reviews")
    final = candidates(histories, defaults, counter, only=best)
    chosen = final.get(best, final["defaults"])
    return Outcome(tuple(float(v) for v in chosen), best, validation, counter[0])

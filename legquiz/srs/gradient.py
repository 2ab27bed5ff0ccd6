"""The fit's loss and its exact gradient in one forward pass (forward-mode differentiation by hand).

Why by hand: the fit needs the gradient of the log loss with respect to all 21
weights hundreds of times. A finite difference costs 22 passes' worth of
transcendental functions per step; here each card carries the derivatives of
its stability and difficulty with respect to the weights, ``(21, n)`` arrays
updated with a few multiply-adds per review, and the transcendental functions
are computed once. The values are those of legquiz.srs.fsrs6 (the same
formulas, in the same order); tests/test_gradient.py checks both the loss and
the gradient against fsrs6 and a finite difference.

Where a clamp is active (stability at its floor, difficulty at 1 or 10, a
same-day Hard/Good/Easy that may not lower stability), the derivative through
it is zero, as automatic differentiation would give.
"""

from __future__ import annotations

import math

import numpy as np

from legquiz.srs.fsrs6 import D_MAX, D_MIN, S_MIN, Floats, Packed

LN09 = math.log(0.9)


def loss_and_grad(w: Floats, p: Packed, weight: Floats, label: Floats) -> tuple[float, Floats]:
    """Σ weight · BCE(label, R) over the reviews, and its gradient; ``weight``/``label`` are ``(max_len, n_cards)``.

    ``weight`` is 0 where a review is not in the loss (and should sum to 1 for a mean).
    """
    max_len, n_cards = p.delta.shape
    grad = np.zeros(21)
    if max_len == 0:
        return 0.0, grad
    r0 = p.rating[0]
    s = w[r0 - 1].copy()
    js: Floats = np.zeros((21, n_cards))
    js[r0 - 1, np.arange(n_cards)] = 1.0
    js[:, s < S_MIN] = 0.0
    s = np.maximum(s, S_MIN)
    e0 = np.exp(w[5] * (r0 - 1.0))
    d_raw = w[4] - e0 + 1.0
    jd: Floats = np.zeros((21, n_cards))
    jd[4] = 1.0
    jd[5] = -(r0 - 1.0) * e0
    jd[:, (d_raw < D_MIN) | (d_raw > D_MAX)] = 0.0
    d = np.clip(d_raw, D_MIN, D_MAX)
    c = w[20]
    f = math.exp(-LN09 / c) - 1.0
    df_dc = (f + 1.0) * LN09 / c**2
    e_easy = math.exp(3.0 * w[5])
    d_easy = w[4] - e_easy + 1.0
    short_forget = math.exp(w[17] * w[18])
    recall_scale = math.exp(w[8])
    # everything that depends on the rating alone, for all steps at once (fewer numpy calls per step)
    rating3 = p.rating - 3.0
    bonus = 1.0 + (w[15] - 1.0) * (p.rating == 2) + (w[16] - 1.0) * (p.rating == 4)
    sinc_exp = w[17] * (rating3 + w[18])
    damp = 1.0 + w[6] * rating3 / 9.0  # dD'/dD before mean reversion
    pos, neg = weight * label, weight * (1.0 - label)
    retr_all = np.full(p.delta.shape, 0.5)
    for k in range(1, max_len):
        n = p.active[k]
        if n == 0:
            break
        s, d, js, jd = s[:n], d[:n], js[:, :n], jd[:, :n]
        t = p.delta[k, :n]
        r = p.rating[k, :n]
        b = bonus[k, :n]
        same_day = t == 0.0
        again = r == 1
        # retrievability and its partials (by S, and by w20 through decay and factor)
        u = f * t / s
        log1p_u = np.log1p(u)
        retr = np.exp(-c * log1p_u)
        retr_all[k, :n] = retr
        dr_ds = c * f * t * retr / (s * (s + f * t))
        dr_dc = retr * (-log1p_u - c * (t / s) / (1.0 + u) * df_dc)
        rc = np.clip(retr, 1e-12, 1 - 1e-12)
        g = neg[k, :n] / (1.0 - rc) - pos[k, :n] / rc  # dLoss/dR per card
        # sums, not matrix products: BLAS would start threads that, on a busy machine, cost more than they save
        grad += (js * (g * dr_ds)).sum(axis=1)
        grad[20] += float((g * dr_dc).sum())
        # long-term success: S' = S (1 + K E B), K = e^w8 (11-D) S^-w9, E = e^((1-R) w10) - 1
        log_s = np.log(s)
        k0 = recall_scale * (11.0 - d) * np.exp(-w[9] * log_s)
        kb = k0 * b
        e_ = np.expm1((1.0 - retr) * w[10])
        grow = kb * e_
        # long-term lapse: min(F1, S / e^(w17 w18)), F1 = w11 D^-w12 ((S+1)^w13 - 1) e^((1-R) w14)
        log_d = np.log(d)
        log1p_s = np.log1p(s)
        dq = np.exp((1.0 - retr) * w[14] - w[12] * log_d)
        pw = np.expm1(w[13] * log1p_s)
        f1 = w[11] * dq * pw
        f2 = s / short_forget
        use_f1 = f1 <= f2
        # same day: S' = S · e^(w17 (G - 3 + w18)) · S^-w19, not below S for Hard/Good/Easy
        sinc = np.exp(sinc_exp[k, :n] - w[19] * log_s)
        floor1 = (sinc < 1.0) & ~again
        short = s * np.where(floor1, 1.0, sinc)
        is_f1 = again & use_f1
        s_new = np.where(same_day, short, np.where(again, np.where(use_f1, f1, f2), s * (1.0 + grow)))
        # dS'/dS (through R too), dS'/dD, dS'/dR
        ds_dr = np.where(again, np.where(use_f1, -w[14] * f1, 0.0), -s * kb * w[10] * (e_ + 1.0))
        a_long = np.where(
            again,
            np.where(use_f1, w[11] * dq * w[13] * (pw + 1.0) / (s + 1.0), 1.0 / short_forget),
            1.0 + grow * (1.0 - w[9]),
        )
        a = np.where(same_day, np.where(floor1, 1.0, (1.0 - w[19]) * sinc), a_long + ds_dr * dr_ds)
        bd = np.where(same_day, 0.0, np.where(again, np.where(use_f1, -w[12] * f1 / d, 0.0), -s * grow / (11.0 - d)))
        new_js = a * js
        new_js += bd * jd
        new_js[20] += ds_dr * dr_dc  # dr_dc is 0 on the same day (t = 0)
        # each branch's own weights; masks pick the cards on that branch
        succ_mask = ~(same_day | again)
        sg = np.where(succ_mask, s * grow, 0.0)
        new_js[8] += sg
        new_js[9] -= sg * log_s
        new_js[10] += np.where(succ_mask, s * kb * (1.0 - retr) * (e_ + 1.0), 0.0)
        plain = np.where(succ_mask, s * k0 * e_, 0.0)  # dS'/dB: the Hard penalty and Easy bonus rows
        new_js[15] += np.where(r == 2, plain, 0.0)
        new_js[16] += np.where(r == 4, plain, 0.0)
        f1_long = np.where(is_f1 & ~same_day, f1, 0.0)
        new_js[11] += f1_long / w[11]
        new_js[12] -= f1_long * log_d
        new_js[13] += np.where(is_f1 & ~same_day, w[11] * dq * (pw + 1.0) * log1p_s, 0.0)
        new_js[14] += f1_long * (1.0 - retr)
        f2_long = np.where(again & ~use_f1 & ~same_day, f2, 0.0)
        st = np.where(same_day & ~floor1, short, 0.0)
        new_js[17] += st * (rating3[k, :n] + w[18]) - w[18] * f2_long
        new_js[18] += st * w[17] - w[17] * f2_long
        new_js[19] -= st * log_s
        floor = s_new < S_MIN
        if floor.any():
            new_js[:, floor] = 0.0
        s = np.maximum(s_new, S_MIN)
        js = new_js
        # difficulty: linear damping, then mean reversion towards D0(Easy), clipped to [1, 10]
        damped = d + (10.0 - d) * (-w[6] * rating3[k, :n]) / 9.0
        d_new = w[7] * d_easy + (1.0 - w[7]) * damped
        jd = ((1.0 - w[7]) * damp[k, :n]) * jd
        jd[6] -= (1.0 - w[7]) * (10.0 - d) * rating3[k, :n] / 9.0
        jd[7] += d_easy - damped
        jd[4] += w[7]
        jd[5] -= w[7] * 3.0 * e_easy
        clipped = (d_new < D_MIN) | (d_new > D_MAX)
        if clipped.any():
            jd[:, clipped] = 0.0
        d = np.clip(d_new, D_MIN, D_MAX)
    rc_all = np.clip(retr_all, 1e-12, 1 - 1e-12)
    total = -float(np.sum(pos * np.log(rc_all) + neg * np.log(1.0 - rc_all)))
    return total, grad

"""Jitted settling loop of :class:`ei_maps.models.ActivationModel`.

One call runs the whole fixed-point iteration for a batch. Each update is a
parallel loop over the batch; inside it, for one stimulus, the lateral input
of both sheets is summed with the row-separable form of the kernels (see
:mod:`ei_maps.sheet`) and fused with the soft-threshold update. The stopping
rule needs the change of the *whole batch*, so each stimulus leaves its
squared change and squared size in a per-stimulus slot and the serial part
adds them in a fixed order (the result does not depend on the thread count).

State arrays are padded by ``pad = max(r_exc, r_inh)`` on every side: with a
zero boundary the halo is never written and stays 0, with a periodic boundary
it is refreshed from the opposite edge before each update. Either way the
inner loops need no bounds tests and vectorise.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def _wrap_halo(a, pad, side):
    n = a.shape[0]
    for i in range(n):
        si = pad + (i - pad) % side
        inner_row = pad <= i < pad + side
        for j in range(n):
            if inner_row and pad <= j < pad + side:
                continue
            a[i, j] = a[si, pad + (j - pad) % side]


# Inner loops index 1-D views with the bare loop counter: numba then knows
# the index is non-negative, drops its negative-index wraparound test, and
# LLVM vectorises. 'reassoc' lets the squared-change sums vectorise too; NaN
# and inf semantics are kept because divergence is detected through them.
_FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True, fastmath=_FAST)
def _row_separable_sum(a, pad, side, radius, vertical, horizontal, levels, level_of_row, h, out):
    """out[y, x] = sum over the disk of vertical[dy] * horizontal[|dx|] * a[y+dy, x+dx].

    ``levels`` are the distinct row half-widths in increasing order and
    ``h[k, i, x]`` the horizontal sum of padded row ``i`` out to half-width
    ``levels[k]``; each level is the previous one plus its extra tap pairs, so
    a row costs one pass per tap pair. The kernel is symmetric in ``dy``, so
    the vertical pass adds mirrored rows before multiplying.
    """
    n_levels = levels.shape[0]
    g0 = horizontal[0]
    for i in range(pad - radius, pad + side + radius):
        centre = a[i, pad:pad + side]
        for k in range(n_levels):
            hk = h[k, i]
            first = 1
            if k == 0:
                for x in range(side):
                    hk[x] = g0 * centre[x]
            else:
                prev = h[k - 1, i]
                d = levels[k - 1] + 1
                gd = horizontal[d]
                right = a[i, pad + d:pad + d + side]
                left = a[i, pad - d:pad - d + side]
                for x in range(side):
                    hk[x] = prev[x] + gd * (right[x] + left[x])
                first = d + 1
            for d in range(first, levels[k] + 1):
                gd = horizontal[d]
                right = a[i, pad + d:pad + d + side]
                left = a[i, pad - d:pad - d + side]
                for x in range(side):
                    hk[x] += gd * (right[x] + left[x])
    for y in range(side):
        o = out[y]
        mid = h[level_of_row[radius], pad + y]
        c = vertical[radius]
        for x in range(side):
            o[x] = c * mid[x]
        for r in range(radius):
            c = vertical[r]
            lev = level_of_row[r]
            up = h[lev, pad + y + r - radius]
            down = h[lev, pad + y + radius - r]
            for x in range(side):
                o[x] += c * (up[x] + down[x])


@njit(cache=True, nogil=True, fastmath=_FAST)
def _update(s, a_e, a_i, new_e, new_i, exc, inh, pad, side, lam, eta, leak):
    """Soft-thresholded E/I update of one stimulus; returns (squared change, squared size)."""
    # typed like the state so float32 runs stay float32 in the vector loop;
    # per-stimulus sums of 1600 squares lose nothing the stopping rule sees
    zero = lam * 0
    change = zero
    size = zero
    for y in range(side):
        ae_row = a_e[pad + y, pad:pad + side]
        ai_row = a_i[pad + y, pad:pad + side]
        ne_row = new_e[pad + y, pad:pad + side]
        ni_row = new_i[pad + y, pad:pad + side]
        s_row = s[y]
        e_row = exc[y]
        i_row = inh[y]
        for x in range(side):
            ae = ae_row[x]
            ai = ai_row[x]
            e = e_row[x]
            ue = ae + eta * (-leak * ae + s_row[x] + e - i_row[x])
            ui = ai + eta * (-leak * ai + e)
            # two-sided soft threshold, branch-free so the loop vectorises
            ne = max(ue - lam, zero) - max(-ue - lam, zero)
            ni = max(ui - lam, zero) - max(-ui - lam, zero)
            ne_row[x] = ne
            ni_row[x] = ni
            de = ne - ae
            di = ni - ai
            change += de * de + di * di
            size += ae * ae + ai * ai
    return np.float64(change), np.float64(size)


@njit(cache=True, parallel=True)
def settle_batch(s, state_e, state_i, pad, periodic,
                 exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row,
                 inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row,
                 h_exc, h_inh, exc, inh, change2, size2,
                 lam, eta, leak, eps, max_iter):
    """Iterate the E/I dynamics of a batch to the fixed point.

    Parameters
    ----------
    s : (B, L, L)
        Feed-forward drive of the excitatory sheet.
    state_e, state_i : (2, B, L + 2 pad, L + 2 pad)
        Double-buffered padded activations; slot 0 holds the start state
        (zeros). After ``n`` updates the result is in slot ``n % 2``.
    h_exc, h_inh, exc, inh, change2, size2
        Per-stimulus scratch.

    Returns
    -------
    int
        Number of updates ``n``; ``-n`` if the state became non-finite at
        update ``n`` (the dynamics diverged).
    """
    batch = s.shape[0]
    side = s.shape[1]
    for it in range(1, max_iter + 1):
        src = (it - 1) % 2
        dst = it % 2
        for b in prange(batch):
            a_e = state_e[src, b]
            a_i = state_i[src, b]
            if periodic:
                _wrap_halo(a_e, pad, side)
                _wrap_halo(a_i, pad, side)
            _row_separable_sum(a_e, pad, side, exc_radius, exc_vertical, exc_horizontal,
                               exc_levels, exc_level_of_row, h_exc[b], exc[b])
            _row_separable_sum(a_i, pad, side, inh_radius, inh_vertical, inh_horizontal,
                               inh_levels, inh_level_of_row, h_inh[b], inh[b])
            c, z = _update(s[b], a_e, a_i, state_e[dst, b], state_i[dst, b], exc[b], inh[b],
                           pad, side, lam, eta, leak)
            change2[b] = c
            size2[b] = z
        change = 0.0
        size = 0.0
        for b in range(batch):
            change += change2[b]
            size += size2[b]
        if not (np.isfinite(change) and np.isfinite(size)):
            return -it
        if np.sqrt(change) / (eps + np.sqrt(size)) < eps:
            return it
    return max_iter

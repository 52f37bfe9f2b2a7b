"""Jitted settling loop of :class:`ei_maps.models.ActivationModel`.

One call runs the whole fixed-point iteration for a batch. Each update is a
parallel loop over the batch; inside it, for one stimulus, the lateral input
of both sheets is summed with the row-separable form of the kernels (see
:mod:`ei_maps.sheet`) and fused with the soft-threshold update. The stopping
rule needs the change of the *whole batch*, so each stimulus leaves its
squared change and squared size in a per-stimulus slot and the serial part
adds them in a fixed order (the result does not depend on the thread count).

Layout: the batch is cut into tiles of ``TILE`` stimuli stored innermost,
``(tile, y, x, lane)``. Every stencil operation is then a fixed-length loop
over the lanes of contiguous memory, which LLVM unrolls into whole SIMD
vectors with no remainder loop (the sheet's own rows, 40 long, vectorise
badly). A partial last tile is filled with zero stimuli, whose activity stays
exactly zero and adds nothing to the stopping rule.

State arrays are padded by ``pad = max(r_exc, r_inh)`` on every side: with a
zero boundary the halo is never written and stays 0, with a periodic boundary
it is refreshed from the opposite edge before each update. Either way the
inner loops need no bounds tests.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


#: Stimuli per tile (lanes).
TILE = 8

# Inner loops index 1-D views with the bare loop counter: numba then knows
# the index is non-negative, drops its negative-index wraparound test, and
# LLVM vectorises them. 'reassoc' lets the per-lane sums vectorise too; NaN
# and inf semantics are kept because divergence is detected through them.
_FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True)
def _wrap_halo(a, pad, side):
    """Refresh the halo of one padded tile, shape (n, n * TILE), from the opposite edges."""
    n = a.shape[0]
    for i in range(n):
        src_row = a[pad + (i - pad) % side]
        row = a[i]
        inner_row = pad <= i < pad + side
        for j in range(n):
            if inner_row and pad <= j < pad + side:
                continue
            sj = (pad + (j - pad) % side) * TILE
            dst = row[j * TILE:(j + 1) * TILE]
            src = src_row[sj:sj + TILE]
            for t in range(TILE):
                dst[t] = src[t]


@njit(cache=True, nogil=True, fastmath=_FAST)
def _row_separable_sum(a, pad, side, radius, vertical, horizontal, levels, level_of_row, h, out):
    """out[y, x] = sum over the disk of vertical[dy] * horizontal[|dx|] * a[y+dy, x+dx], per lane.

    Rows are flat ``(x, lane)`` runs of ``side * TILE`` values, so a shift by
    ``d`` columns is a shift by ``d * TILE`` in memory. ``levels`` are the
    distinct row half-widths in increasing order and ``h[k, i]`` the
    horizontal sum of padded row ``i`` out to half-width ``levels[k]``; each
    level is the previous one plus its extra tap pairs, so a row costs one pass
    per tap pair. The kernel is symmetric in ``dy``, so the vertical pass adds
    mirrored rows before multiplying.
    """
    n_levels = levels.shape[0]
    g0 = horizontal[0]
    width = side * TILE
    for i in range(pad - radius, pad + side + radius):
        row = a[i]
        centre = row[pad * TILE:pad * TILE + width]
        for k in range(n_levels):
            hk = h[k, i]
            first = 1
            if k == 0:
                for x in range(width):
                    hk[x] = g0 * centre[x]
            else:
                prev = h[k - 1, i]
                d = levels[k - 1] + 1
                gd = horizontal[d]
                right = row[(pad + d) * TILE:(pad + d) * TILE + width]
                left = row[(pad - d) * TILE:(pad - d) * TILE + width]
                for x in range(width):
                    hk[x] = prev[x] + gd * (right[x] + left[x])
                first = d + 1
            for d in range(first, levels[k] + 1):
                gd = horizontal[d]
                right = row[(pad + d) * TILE:(pad + d) * TILE + width]
                left = row[(pad - d) * TILE:(pad - d) * TILE + width]
                for x in range(width):
                    hk[x] += gd * (right[x] + left[x])
    c_mid = vertical[radius]
    mid_level = level_of_row[radius]
    for y in range(side):
        o = out[y]
        mid = h[mid_level, pad + y]
        for x in range(width):
            o[x] = c_mid * mid[x]
        for r in range(radius):
            c = vertical[r]
            lev = level_of_row[r]
            up = h[lev, pad + y + r - radius]
            down = h[lev, pad + y + radius - r]
            for x in range(width):
                o[x] += c * (up[x] + down[x])


@njit(cache=True, nogil=True, fastmath=_FAST)
def _update(s, a_e, a_i, new_e, new_i, exc, inh, pad, side, lam, eta, leak, sums, change, size):
    """Soft-thresholded E/I update of one tile.

    The per-lane squared change and size go to ``change`` and ``size``
    (TILE,); ``sums`` (2, side * TILE) is scratch that accumulates them per
    ``(x, lane)`` position so the main loop stays one vector loop.
    """
    # typed like the state so float32 runs stay float32 in the vector loop
    zero = lam * 0
    width = side * TILE
    acc_change = sums[0]
    acc_size = sums[1]
    for x in range(width):
        acc_change[x] = 0
        acc_size[x] = 0
    for y in range(side):
        ae_row = a_e[pad + y, pad * TILE:pad * TILE + width]
        ai_row = a_i[pad + y, pad * TILE:pad * TILE + width]
        ne_row = new_e[pad + y, pad * TILE:pad * TILE + width]
        ni_row = new_i[pad + y, pad * TILE:pad * TILE + width]
        s_row = s[y]
        e_row = exc[y]
        i_row = inh[y]
        for x in range(width):
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
            acc_change[x] += de * de + di * di
            acc_size[x] += ae * ae + ai * ai
    for t in range(TILE):
        change[t] = 0
        size[t] = 0
    for x0 in range(0, width, TILE):
        for t in range(TILE):
            change[t] += acc_change[x0 + t]
            size[t] += acc_size[x0 + t]


@njit(cache=True, parallel=True)
def settle_batch(s, state_e, state_i, pad, periodic,
                 exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row,
                 inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row,
                 h_exc, h_inh, exc, inh, sums, change2, size2,
                 lam, eta, leak, eps, max_iter):
    """Iterate the E/I dynamics of a tiled batch to the fixed point.

    Parameters
    ----------
    s : (tiles, L, L * TILE)
        Feed-forward drive of the excitatory sheet, lanes innermost.
    state_e, state_i : (2, tiles, L + 2 pad, (L + 2 pad) * TILE)
        Double-buffered padded activations; slot 0 holds the start state
        (zeros). After ``n`` updates the result is in slot ``n % 2``.
    h_exc, h_inh, exc, inh, sums : per-tile scratch
    change2, size2 : (tiles, TILE)
        Per-stimulus squared change and size of the last update (state dtype).

    Returns
    -------
    int
        Number of updates ``n``; ``-n`` if the state became non-finite at
        update ``n`` (the dynamics diverged).
    """
    tiles = s.shape[0]
    side = s.shape[1]
    for it in range(1, max_iter + 1):
        src = (it - 1) % 2
        dst = it % 2
        for b in prange(tiles):
            a_e = state_e[src, b]
            a_i = state_i[src, b]
            if periodic:
                _wrap_halo(a_e, pad, side)
                _wrap_halo(a_i, pad, side)
            _row_separable_sum(a_e, pad, side, exc_radius, exc_vertical, exc_horizontal,
                               exc_levels, exc_level_of_row, h_exc[b], exc[b])
            _row_separable_sum(a_i, pad, side, inh_radius, inh_vertical, inh_horizontal,
                               inh_levels, inh_level_of_row, h_inh[b], inh[b])
            _update(s[b], a_e, a_i, state_e[dst, b], state_i[dst, b], exc[b], inh[b],
                    pad, side, lam, eta, leak, sums[b], change2[b], size2[b])
        # fixed summation order: the result does not depend on the thread count
        change = 0.0
        size = 0.0
        for b in range(tiles):
            for t in range(TILE):
                change += np.float64(change2[b, t])
                size += np.float64(size2[b, t])
        if not (np.isfinite(change) and np.isfinite(size)):
            return -it
        if np.sqrt(change) / (eps + np.sqrt(size)) < eps:
            return it
    return max_iter

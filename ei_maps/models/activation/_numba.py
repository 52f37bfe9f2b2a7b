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
vectors with no remainder loop (the sheet's own rows, 40 long, vectorize
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
TILE = 16

# Inner loops index 1-D views with the bare loop counter: numba then knows
# the index is non-negative, drops its negative-index wraparound test, and
# LLVM vectorizes them. 'reassoc' lets the per-lane sums vectorize too; NaN
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
def _horizontal(a, i, pad, side, horizontal, levels, h):
    """Horizontal sums of padded row ``i`` of ``a`` for every level into ``h`` (levels, side * TILE).

    Rows are flat ``(x, lane)`` runs, so a shift by ``d`` columns is a shift by
    ``d * TILE`` in memory. Level ``k`` sums ``horizontal[|dx|] * a[i, x+dx]``
    out to half-width ``levels[k]``; each level is the previous one plus its
    extra tap pairs, so a row costs one pass per tap pair.
    """
    width = side * TILE
    row = a[i]
    center = row[pad * TILE:pad * TILE + width]
    g0 = horizontal[0]
    for k in range(levels.shape[0]):
        hk = h[k]
        first = 1
        if k == 0:
            for x in range(width):
                hk[x] = g0 * center[x]
        else:
            prev = h[k - 1]
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


@njit(cache=True, nogil=True, fastmath=_FAST)
def _vertical(ring, i, radius, vertical, level_of_row, out):
    """out = sum over dy of vertical[dy] * (level sums of padded row i + dy), mirrored rows added first.

    ``ring[j % (2 radius + 1)]`` holds the level sums of padded row ``j``.
    """
    n = 2 * radius + 1
    mid = ring[i % n, level_of_row[radius]]
    c = vertical[radius]
    for x in range(out.shape[0]):
        out[x] = c * mid[x]
    for r in range(radius):
        c = vertical[r]
        lev = level_of_row[r]
        up = ring[(i + r - radius) % n, lev]
        down = ring[(i + radius - r) % n, lev]
        for x in range(out.shape[0]):
            out[x] += c * (up[x] + down[x])


@njit(cache=True, nogil=True, fastmath=_FAST)
def _sweep(s, a_e, a_i, new_e, new_i, pad, side,
           exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row, ring_e,
           inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row, ring_i,
           exc, inh, sums, change, size, lam, eta, leak):
    """One update of one tile, row by row.

    The lateral input of output row ``y`` needs the horizontal sums of rows
    ``y - r .. y + r``; they are kept in ring buffers of ``2 r + 1`` rows, so
    each row is summed once and the tile's working set stays in cache. The
    soft-thresholded update of both sheets follows at once, with the squared
    change and size of each ``(x, lane)`` accumulated in ``sums`` and folded
    into per-lane ``change`` and ``size`` (TILE,) at the end.
    """
    width = side * TILE
    n_e = 2 * exc_radius + 1
    n_i = 2 * inh_radius + 1
    for i in range(pad - exc_radius, pad + exc_radius):
        _horizontal(a_e, i, pad, side, exc_horizontal, exc_levels, ring_e[i % n_e])
    for i in range(pad - inh_radius, pad + inh_radius):
        _horizontal(a_i, i, pad, side, inh_horizontal, inh_levels, ring_i[i % n_i])
    # typed like the state so float32 runs stay float32 in the vector loop
    zero = lam * 0
    acc_change = sums[0]
    acc_size = sums[1]
    for x in range(width):
        acc_change[x] = 0
        acc_size[x] = 0
    for y in range(side):
        i = pad + y
        _horizontal(a_e, i + exc_radius, pad, side, exc_horizontal, exc_levels,
                    ring_e[(i + exc_radius) % n_e])
        _horizontal(a_i, i + inh_radius, pad, side, inh_horizontal, inh_levels,
                    ring_i[(i + inh_radius) % n_i])
        _vertical(ring_e, i, exc_radius, exc_vertical, exc_level_of_row, exc)
        _vertical(ring_i, i, inh_radius, inh_vertical, inh_level_of_row, inh)
        ae_row = a_e[i, pad * TILE:pad * TILE + width]
        ai_row = a_i[i, pad * TILE:pad * TILE + width]
        ne_row = new_e[i, pad * TILE:pad * TILE + width]
        ni_row = new_i[i, pad * TILE:pad * TILE + width]
        s_row = s[y]
        for x in range(width):
            ae = ae_row[x]
            ai = ai_row[x]
            e = exc[x]
            ue = ae + eta * (-leak * ae + s_row[x] + e - inh[x])
            ui = ai + eta * (-leak * ai + e)
            # two-sided soft threshold, branch-free so the loop vectorizes
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
                 ring_e, ring_i, exc, inh, sums, change2, size2,
                 lam, eta, leak, eps, max_iter, last_ratio):
    """Iterate the E/I dynamics of a tiled batch to the fixed point.

    Parameters
    ----------
    s : (tiles, L, L * TILE)
        Feed-forward drive of the excitatory sheet, lanes innermost.
    state_e, state_i : (2, tiles, L + 2 pad, (L + 2 pad) * TILE)
        Double-buffered padded activations; slot 0 holds the start state
        (zeros). After ``n`` updates the result is in slot ``n % 2``.
    ring_e, ring_i, exc, inh, sums : per-tile scratch
    change2, size2 : (tiles, TILE)
        Per-stimulus squared change and size of the last update (state dtype).
    last_ratio : (1,) float64
        Output: the stopping rule's ratio at the last update (large when the
        activity is still growing at ``max_iter``).

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
            _sweep(s[b], a_e, a_i, state_e[dst, b], state_i[dst, b], pad, side,
                   exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row, ring_e[b],
                   inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row, ring_i[b],
                   exc[b], inh[b], sums[b], change2[b], size2[b], lam, eta, leak)
        # fixed summation order: the result does not depend on the thread count
        change = 0.0
        size = 0.0
        for b in range(tiles):
            for t in range(TILE):
                change += np.float64(change2[b, t])
                size += np.float64(size2[b, t])
        if not (np.isfinite(change) and np.isfinite(size)):
            last_ratio[0] = np.inf
            return -it
        last_ratio[0] = np.sqrt(change) / (eps + np.sqrt(size))
        if last_ratio[0] < eps:
            return it
    return max_iter


@njit(cache=True)
def to_tiles(s, drive):
    """Copy a batch (B, L, L) into lanes-innermost tiles (tiles, L, L * TILE); spare lanes get 0."""
    batch, side = s.shape[0], s.shape[1]
    for k in range(drive.shape[0]):
        for y in range(side):
            row = drive[k, y]
            for x in range(side):
                for t in range(TILE):
                    b = k * TILE + t
                    row[x * TILE + t] = s[b, y, x] if b < batch else 0


@njit(cache=True)
def from_tiles(state, slot, pad, out):
    """Copy the interior of a padded tiled state (2, tiles, n, n * TILE) slot into out (B, L, L)."""
    batch, side = out.shape[0], out.shape[1]
    for k in range(state.shape[1]):
        for y in range(side):
            row = state[slot, k, pad + y]
            for x in range(side):
                for t in range(TILE):
                    b = k * TILE + t
                    if b < batch:
                        out[b, y, x] = row[(pad + x) * TILE + t]


@njit(cache=True)
def clear_slot(state, slot):
    """Zero one slot of a tiled state in parallel."""
    for k in range(state.shape[1]):
        tile = state[slot, k]
        for i in range(tile.shape[0]):
            row = tile[i]
            for j in range(row.shape[0]):
                row[j] = 0

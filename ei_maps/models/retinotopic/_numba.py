"""Jitted feed-forward and learning kernels of :class:`~ei_maps.models.retinotopic.RetinotopicModel`.

Unit ``u`` of the sheet sees the ``W x W`` window of the image region whose
top-left pixel is ``(origin_y[u], origin_x[u])``; the region is
a torus of ``R x R`` pixels, so a window may wrap around its edges. The
settling of the E/I sheets is the activation model's own (the drive is all
that differs); these kernels compute

- the drive ``s[u, b] = sum_w field[u, w] x[b, window(u) + w]``
  (:func:`gather_drive`, all stimuli of a batch in the innermost loop);
- the reconstruction ``c sum_u a[b, u] field[u]`` scattered into each unit's
  window, and the residual ``x - reconstruction`` (:func:`scatter_residual`,
  one stimulus per thread, active units only);
- the learning step ``field[u] += lr sum_b a[b, u] residual[b, window(u)]``,
  then mean removal (optional) and unit norm (:func:`update_fields`, one unit
  per thread, active stimuli only).

Rows of the residual are stored with their first ``W`` columns repeated
after the last (``(B, C, R, R + W)``), so every window row is one contiguous
run; rows wrap through the ``wrap`` table (``wrap[p] = p % R``). The NumPy
reference the tests check these against is in :mod:`.model`.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

_FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, parallel=True, fastmath=_FAST)
def gather_drive(x_t, fields, origin_y, origin_x, wrap, out):
    """``out[u, b] = sum_{c, dy, dx} fields[u, c, dy, dx] x_t[c, wrap[oy + dy], wrap[ox + dx], b]``.

    Parameters
    ----------
    x_t : (C, R, R, B)
        Stimuli, batch innermost.
    fields : (U, C, W, W)
    origin_y, origin_x : (U,) int64
        Top-left pixel of each unit's window, in ``[0, R)``.
    wrap : (R + W,) int64
    out : (U, B)
        Output.
    """
    n_units, channels, window = fields.shape[0], fields.shape[1], fields.shape[2]
    batch = x_t.shape[3]
    for u in prange(n_units):
        acc = out[u]
        for b in range(batch):
            acc[b] = 0
        oy = origin_y[u]
        ox = origin_x[u]
        for c in range(channels):
            for dy in range(window):
                plane = x_t[c, wrap[oy + dy]]
                frow = fields[u, c, dy]
                for dx in range(window):
                    w = frow[dx]
                    v = plane[wrap[ox + dx]]
                    for b in range(batch):
                        acc[b] += w * v[b]


@njit(cache=True, parallel=True, fastmath=_FAST)
def scatter_residual(x, a, fields, origin_y, origin_x, wrap, code_scale, residual):
    """``residual[b] = x[b] - code_scale * sum_u a[b, u] fields[u]`` (each field placed in its window).

    Parameters
    ----------
    x : (B, C, R, R)
    a : (B, U)
        Settled activity (mostly zeros: silent units are skipped).
    fields : (U, C, W, W)
    residual : (B, C, R, R + W)
        Output; columns ``R .. R + W - 1`` repeat columns ``0 .. W - 1``.
    """
    batch, channels, region = x.shape[0], x.shape[1], x.shape[2]
    n_units, window = fields.shape[0], fields.shape[2]
    for b in prange(batch):
        rb = residual[b]
        for c in range(channels):
            for y in range(region):
                row = rb[c, y]
                for k in range(region + window):
                    row[k] = 0
        ab = a[b]
        for u in range(n_units):
            v = ab[u] * code_scale
            if v == 0:
                continue
            oy = origin_y[u]
            ox = origin_x[u]
            for c in range(channels):
                for dy in range(window):
                    row = rb[c, wrap[oy + dy], ox:ox + window]
                    frow = fields[u, c, dy]
                    for dx in range(window):
                        row[dx] += v * frow[dx]
        # fold the columns written past the edge back, subtract from x, then repeat the first W columns
        for c in range(channels):
            for y in range(region):
                row = rb[c, y]
                xrow = x[b, c, y]
                for k in range(window):
                    row[k] += row[region + k]
                for k in range(region):
                    row[k] = xrow[k] - row[k]
                for k in range(window):
                    row[region + k] = row[k]


@njit(cache=True, parallel=True, fastmath=_FAST)
def update_fields(fields, a_t, residual, origin_y, origin_x, wrap, lr, zero_mean, mask):
    """In place: ``fields[u] += lr sum_b a[b, u] residual[b, window(u)]``, kept to the window's ``mask``,
    then per-channel mean removal over the mask (``zero_mean``) and unit norm over all of a unit's weights.

    Parameters
    ----------
    fields : (U, C, W, W)
    a_t : (U, B)
        Settled activity, transposed.
    residual : (B, C, R, R + W)
        From :func:`scatter_residual`.
    mask : (W, W)
        1 on the window's pixels a field may use (the whole square, or a disk), 0 elsewhere.
    """
    n_units, channels, window = fields.shape[0], fields.shape[1], fields.shape[2]
    batch = a_t.shape[1]
    area = 0.0
    for dy in range(window):
        for dx in range(window):
            area += mask[dy, dx]
    inv_area = 1.0 / area
    means = np.zeros((n_units, channels))
    for u in prange(n_units):
        f = fields[u]
        au = a_t[u]
        oy = origin_y[u]
        ox = origin_x[u]
        for b in range(batch):
            v = au[b]
            if v == 0:
                continue
            g = lr * v
            rb = residual[b]
            for c in range(channels):
                for dy in range(window):
                    row = rb[c, wrap[oy + dy], ox:ox + window]
                    frow = f[c, dy]
                    for dx in range(window):
                        frow[dx] += g * row[dx]
        # mask, mean and norm in one pass (sums in float64), then one pass to centre and scale
        norm2 = 0.0
        for c in range(channels):
            s1 = 0.0
            s2 = 0.0
            for dy in range(window):
                frow = f[c, dy]
                mrow = mask[dy]
                for dx in range(window):
                    v = frow[dx] * mrow[dx]
                    frow[dx] = v
                    s1 += np.float64(v)
                    s2 += np.float64(v) * np.float64(v)
            means[u, c] = s1 * inv_area if zero_mean else 0.0
            # sum over the mask of (v - mean)^2
            norm2 += s2 - s1 * means[u, c]
        scale = 1.0 / max(np.sqrt(max(norm2, 0.0)), 1e-8)
        for c in range(channels):
            m = f.dtype.type(means[u, c])
            k = f.dtype.type(scale)
            for dy in range(window):
                frow = f[c, dy]
                mrow = mask[dy]
                for dx in range(window):
                    frow[dx] = (frow[dx] - m * mrow[dx]) * k

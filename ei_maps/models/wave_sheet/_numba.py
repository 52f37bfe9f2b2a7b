"""Jitted spike propagation for :class:`ei_maps.models.wave_sheet.WaveSheet` (``engine="kernel"``).

On the torus every neuron's outgoing weights are the same disk of offsets, so
a spike needs no stored synapse list: its weights are scattered straight onto
the targets' synaptic traces. Brian2's ``Synapses`` path (``engine="synapses"``)
does the same arithmetic and is kept to check this one.

The inner loop does no integer division: wrapping round the torus and mapping
a site to a target on a coarser grid are table look-ups, and offsets that miss
a coarser target grid are removed in advance for each parity class of source.
"""
from __future__ import annotations

import numpy as np
from numba import njit


def offset_tables(dy: np.ndarray, dx: np.ndarray, weight: np.ndarray, spacing: int, skip_self: bool,
                  side: int):
    """Per-source-class offset lists and the wrap tables used by :func:`scatter_spikes`.

    Sources are classed by the parity of their site (for ``spacing`` 2: which
    offsets land on the target grid depends on it). Returns ``(start, cdy,
    cdx, cw, row, col)``: offsets of class ``c`` are ``start[c]:start[c+1]``;
    ``row[y + r] + col[x + r]`` is the target index of site ``(y, x)`` shifted
    by an offset, with ``r`` the largest offset.
    """
    keep = ~((dy == 0) & (dx == 0)) if skip_self else np.ones(dy.shape, bool)
    starts, cdy, cdx, cw = [0], [], [], []
    for cls in range(spacing * spacing):
        py, px = divmod(cls, spacing)
        ok = keep & ((py + dy) % spacing == 0) & ((px + dx) % spacing == 0)
        cdy.append(dy[ok])
        cdx.append(dx[ok])
        cw.append(weight[ok])
        starts.append(starts[-1] + int(ok.sum()))
    r = int(max(np.abs(dy).max(), np.abs(dx).max()))
    sites = (np.arange(-r, side + r) % side) // spacing
    target_side = side // spacing
    return (np.asarray(starts, np.int64), np.concatenate(cdy).astype(np.int64),
            np.concatenate(cdx).astype(np.int64), np.concatenate(cw).astype(np.float64),
            (sites * target_side).astype(np.int64), sites.astype(np.int64), r)


@njit(cache=True, nogil=True)
def scatter_spikes(spiking, src_x, src_y, src_class, start, dy, dx, weight, row, col, r, trace):
    """Add each spiking source's weights to its targets' trace (see :func:`offset_tables`)."""
    for a in range(spiking.shape[0]):
        n = spiking[a]
        y = src_y[n] + r
        x = src_x[n] + r
        c = src_class[n]
        for k in range(start[c], start[c + 1]):
            trace[row[y + dy[k]] + col[x + dx[k]]] += weight[k]

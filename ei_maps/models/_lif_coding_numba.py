"""Jitted kernels for the spiking sparse-coding sheet (:mod:`ei_maps.models.lif_coding`).

The sheet is small (30 x 30 sites) and a batch holds hundreds of independent
copies of it, one per stimulus. ``scatter_batch`` adds every spike's one-step
conductance to its targets in the copy it belongs to; Brian2 calls it from a
network operation. ``simulate_batch`` runs the whole stimulus window itself
(one copy per parallel lane) and is used to check the Brian2 engine and as a
fast engine.

Targets are found through a coordinate table: ``coord[p + r]`` is the site
coordinate reached at padded position ``p`` (wrapped on a torus, ``-1``
outside an open sheet), so the inner loop does no division and no branch on
the boundary kind.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, inline="always")
def _scatter_one(src, base, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx, i_w, g_e, g_i):
    y = site_y[src] + r
    x = site_x[src] + r
    if is_exc[src]:
        for k in range(e_w.shape[0]):
            ty = coord[y + e_dy[k]]
            tx = coord[x + e_dx[k]]
            if ty >= 0 and tx >= 0:
                g_e[base + ty * side + tx] += e_w[k]
    else:
        for k in range(i_w.shape[0]):
            ty = coord[y + i_dy[k]]
            tx = coord[x + i_dx[k]]
            if ty >= 0 and tx >= 0:
                g_i[base + ty * side + tx] += i_w[k]


@njit(cache=True, nogil=True)
def scatter_batch(spiking, n_sites, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w,
                  i_dy, i_dx, i_w, g_e, g_i):
    """Set ``g_e``, ``g_i`` to this step's lateral conductances from the spiking neurons.

    Neuron ``b * n_sites + site`` is site ``site`` of copy ``b``.
    """
    g_e[:] = 0.0
    g_i[:] = 0.0
    for a in range(spiking.shape[0]):
        n = spiking[a]
        site = n % n_sites
        _scatter_one(site, n - site, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w,
                     i_dy, i_dx, i_w, g_e, g_i)


@njit(cache=True, parallel=True)
def simulate_batch(v0, g_ff, v_threshold, n_steps, site_y, site_x, is_exc, coord, r, side,
                   e_dy, e_dx, e_w, i_dy, i_dx, i_w, g_leak, v_leak, v_exc, v_inh, v_reset,
                   dt, counts):
    """One stimulus window for every copy; adds each neuron's spikes to ``counts``.

    Parameters
    ----------
    v0 : (batch, n_sites) initial membrane potentials (mV)
    g_ff : (batch, n_sites) constant external excitatory conductance (1/ms)
    counts : (batch, n_sites) int, incremented in place

    Each step: neurons above threshold spike and are reset (and held there for
    the rest of the step); spikes set this step's lateral conductances; every
    other neuron takes one exponential-Euler step (exact for conductances
    constant over the step).
    """
    batch, n_sites = v0.shape
    for b in prange(batch):
        v = v0[b].copy()
        g_e = np.zeros(n_sites)
        g_i = np.zeros(n_sites)
        spiked = np.zeros(n_sites, np.bool_)
        for _ in range(n_steps):
            g_e[:] = 0.0
            g_i[:] = 0.0
            for i in range(n_sites):
                spiked[i] = v[i] > v_threshold
                if spiked[i]:
                    v[i] = v_reset
                    counts[b, i] += 1
                    _scatter_one(i, 0, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w,
                                 i_dy, i_dx, i_w, g_e, g_i)
            for i in range(n_sites):
                if not spiked[i]:
                    ge = g_ff[b, i] + g_e[i]
                    g_total = g_leak + ge + g_i[i]
                    v_inf = (g_leak * v_leak + ge * v_exc + g_i[i] * v_inh) / g_total
                    v[i] = v_inf + (v[i] - v_inf) * math.exp(-g_total * dt)

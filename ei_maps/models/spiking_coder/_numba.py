"""Jitted kernels for the spiking sparse-coding sheet (:mod:`ei_maps.models.spiking_coder`).

The sheet is small (30 x 30 sites) and a batch holds hundreds of independent
copies of it, one per stimulus. Neuron ``b * n_sites + site`` is site ``site``
of copy ``b``.

Every neuron takes the exact exponential step of its membrane equation at
the step's conductances, written ``v <- v + dt * ((v_inf - v) * relax)``
with ``relax = (1 - exp(-g_total dt)) / dt`` (:func:`relaxation`), the form
Brian2's forward Euler takes for ``dv/dt = (v_inf - v) * relax``. Most
neurons receive no lateral input in a given step (a few percent of the sheet
fires per window), so their ``v_inf`` and ``relax`` are those of their
constant conductances, computed once per window, and the step is one
vectorized pass. Only the neurons a spike reaches in a step, the *touched*
ones, get factors from their full conductances. The NumPy reference computes
the same factors from the full conductances of every neuron every step;
adding a zero lateral conductance is exact, so the engines agree bit for bit
(Brian2 up to the fused multiply-add its C compiler may use).

- ``simulate_batch`` runs whole windows (one copy per parallel lane): the
  ``numba`` engine.
- ``lateral_step`` and ``apply_lateral`` serve the ``brian2`` engine's two
  network operations: before Brian2's own bulk update, the touched neurons'
  exact steps are computed from this step's spikes; after it, they are
  written over the bulk result.

Targets are found through a coordinate table: ``coord[p + r]`` is the site
coordinate reached at padded position ``p`` (wrapped on a torus, ``-1``
outside an open sheet), so the inner loop does no division and no branch on
the boundary kind.
"""
from __future__ import annotations

import math

from collections import namedtuple

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, inline="always")
def _scatter(src, base, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx, i_w,
             g_e, g_i, touched, touched_list, n_touched):
    """Add a spike's one-step conductances to its targets; list new targets; returns the list's length.

    ``touched[t]`` holds 1 + the target's position in ``touched_list`` (0: not touched yet).
    """
    y = site_y[src] + r
    x = site_x[src] + r
    if is_exc[src]:
        dys, dxs, ws, g = e_dy, e_dx, e_w, g_e
    else:
        dys, dxs, ws, g = i_dy, i_dx, i_w, g_i
    for m in range(ws.shape[0]):
        ty = coord[y + dys[m]]
        tx = coord[x + dxs[m]]
        if ty >= 0 and tx >= 0:
            t = base + ty * side + tx
            g[t] += ws[m]
            if touched[t] == 0:
                touched_list[n_touched] = t
                n_touched += 1
                touched[t] = n_touched
    return n_touched


@njit(cache=True, nogil=True, inline="always")
def relaxation(ge, gi, g_leak, v_leak, v_exc, v_inh, dt):
    """(v_inf, relax) of the membrane at conductances ``ge``, ``gi``: the exact step is
    ``v + dt * ((v_inf - v) * relax)``."""
    g_total = g_leak + ge + gi
    v_inf = (g_leak * v_leak + ge * v_exc + gi * v_inh) / g_total
    return v_inf, -math.expm1(-g_total * dt) / dt


@njit(cache=True, nogil=True, inline="always")
def _full_step(v, ge, gi, g_leak, v_leak, v_exc, v_inh, dt):
    """One exact exponential step at conductances ``ge``, ``gi`` (constant over the step)."""
    v_inf, relax = relaxation(ge, gi, g_leak, v_leak, v_exc, v_inh, dt)
    return v + dt * ((v_inf - v) * relax)


@njit(cache=True, parallel=True)
def fill_bulk_factors_parallel(ge0, gi0, g_rest, g_leak, v_leak, v_exc, v_inh, dt, v_inf, relax, chunk):
    """:func:`fill_bulk_factors` over chunks of ``chunk`` neurons in parallel (Brian2's one big group)."""
    n = ge0.shape[0]
    for c in prange((n + chunk - 1) // chunk):
        lo = c * chunk
        hi = min(n, lo + chunk)
        fill_bulk_factors(ge0[lo:hi], gi0, g_rest, g_leak, v_leak, v_exc, v_inh, dt, v_inf[lo:hi], relax[lo:hi])


@njit(cache=True, nogil=True)
def fill_bulk_factors(ge0, gi0, g_rest, g_leak, v_leak, v_exc, v_inh, dt, v_inf, relax):
    """Fill (v_inf, relax) for constant excitatory conductances ``ge0`` and inhibitory ``gi0`` (scalar).

    About half the neurons get no stimulus (``x . phi <= 0``) and share the
    conductance ``g_rest``: their factors are computed once.
    """
    rest_inf, rest_relax = relaxation(g_rest, gi0, g_leak, v_leak, v_exc, v_inh, dt)
    for i in range(ge0.shape[0]):
        if ge0[i] == g_rest:
            v_inf[i] = rest_inf
            relax[i] = rest_relax
        else:
            v_inf[i], relax[i] = relaxation(ge0[i], gi0, g_leak, v_leak, v_exc, v_inh, dt)


@njit(cache=True, nogil=True)
def _window(v, ge0, gi0, v_inf0, relax0, v_threshold, n_steps, site_y, site_x, is_exc, coord, r, side,
            e_dy, e_dx, e_w, i_dy, i_dx, i_w, g_leak, v_leak, v_exc, v_inh, v_reset, dt,
            g_e, g_i, touched, touched_list, spiked_list, v_new, counts):
    """One copy's window, in place on ``v`` (n_sites,); adds its spikes to ``counts`` (n_sites,)."""
    n_sites = v.shape[0]
    above = 0
    for i in range(n_sites):
        above += v[i] > v_threshold
    for _ in range(n_steps):
        n_spiked = 0
        n_touched = 0
        # most steps of a copy have no spike: the count kept by the last update skips the scan
        if above:
            for i in range(n_sites):
                if v[i] > v_threshold:
                    spiked_list[n_spiked] = i
                    n_spiked += 1
        for k in range(n_spiked):
            i = spiked_list[k]
            v[i] = v_reset
            counts[i] += 1
            n_touched = _scatter(i, 0, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx, i_w,
                                 g_e, g_i, touched, touched_list, n_touched)
        for k in range(n_touched):
            t = touched_list[k]
            v_new[k] = _full_step(v[t], ge0[t] + g_e[t], gi0 + g_i[t], g_leak, v_leak, v_exc, v_inh, dt)
        above = 0
        for i in range(n_sites):
            u = v[i] + dt * ((v_inf0[i] - v[i]) * relax0[i])
            v[i] = u
            above += u > v_threshold
        for k in range(n_touched):
            t = touched_list[k]
            above += (v_new[k] > v_threshold) - (v[t] > v_threshold)
            v[t] = v_new[k]
            g_e[t] = 0.0
            g_i[t] = 0.0
            touched[t] = 0
        # a neuron that spiked is held at reset for the rest of its step
        for k in range(n_spiked):
            i = spiked_list[k]
            above += (v_reset > v_threshold) - (v[i] > v_threshold)
            v[i] = v_reset


#: The sheet's sites and lateral offsets as the loops read them (:class:`SheetGeometry`; ``r`` the padding).
Lattice = namedtuple("Lattice", "site_y site_x is_exc coord r side e_dy e_dx e_w i_dy i_dx i_w")
#: The membrane constants, in the caller's units (ms and mV here, SI inside Brian2).
MembraneConstants = namedtuple("MembraneConstants", "g_leak v_leak v_exc v_inh v_reset dt")
#: Scratch of :func:`lateral_step` and :func:`apply_lateral`.
LateralScratch = namedtuple("LateralScratch", "g_e g_i touched touched_list n_touched v_next")


@njit(cache=True)
def simulate_batch(v0, g_ff, g_tonic_inh, g_rest, v_threshold, n_steps, lattice, membrane, counts):
    """One stimulus window for every copy; adds each neuron's spikes to ``counts``.

    Parameters
    ----------
    v0 : (batch, n_sites) initial membrane potentials (mV)
    g_ff : (batch, n_sites) constant external conductance of the excitatory channel (1/ms)
    g_tonic_inh : float
        Constant conductance of every neuron's inhibitory channel (1/ms).
    g_rest : float
        The excitatory-channel conductance of a neuron without stimulus (F_E).
    lattice : Lattice
    membrane : MembraneConstants
    counts : (batch, n_sites) int, incremented in place

    Each step: neurons above threshold spike and are reset (and held there for
    the rest of the step); spikes set this step's lateral conductances; every
    other neuron takes one exponential-Euler step (exact for conductances
    constant over the step).
    """
    # unpacked outside the parallel loop (see lateral_step)
    site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx, i_w = lattice
    g_leak, v_leak, v_exc, v_inh, v_reset, dt = membrane
    _simulate_batch(v0, g_ff, g_tonic_inh, g_rest, v_threshold, n_steps, site_y, site_x, is_exc, coord, r, side,
                    e_dy, e_dx, e_w, i_dy, i_dx, i_w, g_leak, v_leak, v_exc, v_inh, v_reset, dt, counts)


@njit(cache=True, parallel=True)
def _simulate_batch(v0, g_ff, g_tonic_inh, g_rest, v_threshold, n_steps, site_y, site_x, is_exc, coord, r, side,
                    e_dy, e_dx, e_w, i_dy, i_dx, i_w, g_leak, v_leak, v_exc, v_inh, v_reset, dt, counts):
    """:func:`simulate_batch` on its arrays one by one (the parallel loop)."""
    batch, n_sites = v0.shape
    for b in prange(batch):
        v = v0[b].copy()
        v_inf0 = np.empty(n_sites)
        relax0 = np.empty(n_sites)
        fill_bulk_factors(g_ff[b], g_tonic_inh, g_rest, g_leak, v_leak, v_exc, v_inh, dt, v_inf0, relax0)
        _window(v, g_ff[b], g_tonic_inh, v_inf0, relax0, v_threshold, n_steps, site_y, site_x, is_exc,
                coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx, i_w, g_leak, v_leak, v_exc, v_inh, v_reset, dt,
                np.zeros(n_sites), np.zeros(n_sites), np.zeros(n_sites, np.int64), np.empty(n_sites, np.int64),
                np.empty(n_sites, np.int64), np.empty(n_sites), counts[b])


@njit(cache=True)
def lateral_step(spiking, n_copies, n_sites, lattice, v, ge0, g_tonic_inh, membrane, scratch, counts):
    """Reset and count this step's spikes; compute the exact step of every neuron a spike reaches.

    Called after Brian2's threshold and before its bulk update. Spiking
    neurons are reset and held there for the rest of the step. ``spiking``
    is in increasing order (Brian2's), so each copy's spikes are one run of
    it; copies are handled in parallel, copy ``b`` listing its touched
    neurons in ``touched_list[b * n_sites:]``, their values in ``v_next`` at
    the same places and their number in ``n_touched[b]``, for
    :func:`apply_lateral` to write after the bulk update. Units are the
    caller's (Brian2's SI). ``lattice`` is a :data:`Lattice`, ``membrane`` a
    :data:`MembraneConstants`, ``scratch`` a :data:`LateralScratch`.
    """
    # unpacked outside the parallel loop: numba's parallel passes treat an array unpacked from a tuple as the
    # function's own and dropped the write n_touched[b] = n there (the Brian2 engine's lateral spikes vanished)
    site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx, i_w = lattice
    g_leak, v_leak, v_exc, v_inh, v_reset, dt = membrane
    g_e, g_i, touched, touched_list, n_touched, v_next = scratch
    _lateral_step(spiking, n_copies, n_sites, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx,
                  i_w, v, ge0, g_tonic_inh, g_leak, v_leak, v_exc, v_inh, v_reset, dt,
                  g_e, g_i, touched, touched_list, n_touched, v_next, counts)


@njit(cache=True, parallel=True)
def _lateral_step(spiking, n_copies, n_sites, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w, i_dy, i_dx,
                  i_w, v, ge0, g_tonic_inh, g_leak, v_leak, v_exc, v_inh, v_reset, dt,
                  g_e, g_i, touched, touched_list, n_touched, v_next, counts):
    """:func:`lateral_step` on its arrays one by one (the parallel loop)."""
    bounds = np.searchsorted(spiking, np.arange(n_copies + 1) * n_sites)
    for b in prange(n_copies):
        lo, hi = bounds[b], bounds[b + 1]
        base = b * n_sites
        n = 0
        if lo < hi:
            for a in range(lo, hi):
                neuron = spiking[a]
                v[neuron] = v_reset
                counts[neuron] += 1
                n = _scatter(neuron - base, base, site_y, site_x, is_exc, coord, r, side, e_dy, e_dx, e_w,
                             i_dy, i_dx, i_w, g_e, g_i, touched, touched_list[base:], n)
            for k in range(n):
                t = touched_list[base + k]
                v_next[base + k] = _full_step(v[t], ge0[t] + g_e[t], g_tonic_inh + g_i[t], g_leak, v_leak, v_exc,
                                              v_inh, dt)
            for a in range(lo, hi):
                neuron = spiking[a]
                if touched[neuron] == 0:
                    touched_list[base + n] = neuron
                    n += 1
                    touched[neuron] = n
                v_next[base + touched[neuron] - 1] = v_reset
        n_touched[b] = n


@njit(cache=True, parallel=True)
def apply_lateral(v, touched_list, n_touched, v_next, g_e, g_i, touched, n_sites):
    """Write the exact values of :func:`lateral_step` over the bulk update, and clear the scratch arrays."""
    for b in prange(n_touched.shape[0]):
        base = b * n_sites
        for k in range(n_touched[b]):
            t = touched_list[base + k]
            v[t] = v_next[base + k]
            g_e[t] = 0.0
            g_i[t] = 0.0
            touched[t] = 0
        n_touched[b] = 0


@njit(cache=True)
def split_counts(counts, is_exc, exc_counts, inh_counts):
    """Spike counts (batch, n_sites) split by neuron type, in one pass.

    Fills ``exc_counts`` (float, the code the dictionary learns from; 0 at
    inhibitory sites) and ``inh_counts`` (int, 0 at excitatory sites); returns
    (excitatory spikes, inhibitory spikes, excitatory neurons that fired).
    """
    total_exc = 0
    total_inh = 0
    active = 0
    batch, n_sites = counts.shape
    for b in range(batch):
        for i in range(n_sites):
            k = counts[b, i]
            if is_exc[i]:
                exc_counts[b, i] = k
                inh_counts[b, i] = 0
                total_exc += k
                active += k > 0
            else:
                exc_counts[b, i] = 0.0
                inh_counts[b, i] = k
                total_inh += k
    return total_exc, total_inh, active

"""Jitted dictionary update that skips silent units.

Settled activity is sparse (about a fifth of the units are active on natural
images), so ``a @ Phi.T`` and ``residual.T @ a`` touch only the active
entries. The dictionary is held transposed, ``phi_t`` (units, inputs), so
every unit's weights are one contiguous vector. Same arithmetic as
:func:`ei_maps.models.learning.dictionary_update`, in another summation order.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from ._atomics import atomic_add, atomic_cas, atomic_load

#: The free scheme's shared claim state of the update: chunk counters (2,), each chunk's owner, and how
#: many idle checks a thread waits before redoing a chunk still unpublished.
Claims = namedtuple("Claims", "counter owner patience")

_FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True, fastmath=_FAST)
def _residual_row(out, xb, ab, phi_t, code_scale):
    """``out = xb - code_scale * (ab @ phi_t)``, visiting only the active units of ``ab``."""
    n_inputs = xb.shape[0]
    for d in range(n_inputs):
        out[d] = xb[d]
    for j in range(ab.shape[0]):
        v = ab[j] * code_scale
        if v != 0:
            pj = phi_t[j]
            for d in range(n_inputs):
                out[d] -= v * pj[d]


@njit(cache=True, nogil=True, fastmath=_FAST)
def _update_unit(pj, aj, lr, residual):
    """The learning rule for one unit, in place: ``pj += lr * sum_b aj[b] residual[b]``, then unit norm.

    Every scheme (the fused parallel update, the claimed chunks of the free
    scheme) applies the rule through this function, so it is written once.
    """
    n_inputs = pj.shape[0]
    for b in range(aj.shape[0]):
        v = aj[b]
        if v != 0:
            c = lr * v
            rb = residual[b]
            for d in range(n_inputs):
                pj[d] += c * rb[d]
    norm2 = 0.0
    for d in range(n_inputs):
        norm2 += np.float64(pj[d]) * np.float64(pj[d])
    scale = 1.0 / max(np.sqrt(norm2), 1e-8)
    for d in range(n_inputs):
        pj[d] = pj[d] * scale


@njit(cache=True, parallel=True, fastmath=_FAST)
def sparse_dictionary_update(phi_t, x, a, lr, residual, code_scale=1.0):
    """In place: ``phi_t[j] += lr * sum_b a[b, j] * residual[b]``, then unit-norm rows.

    Parameters
    ----------
    phi_t : (n_units, n_inputs)
        Transposed dictionary, updated in place.
    x : (batch, n_inputs)
    a : (batch, n_units)
        Settled activations.
    lr : float
        The step as the rule takes it (:class:`~ei_maps.models.learning.GradientRule` scales it).
    residual : (batch, n_inputs)
        Output: ``x - code_scale * (a @ phi_t)`` before the update.
    code_scale : float
        Scale of the code in the reconstruction (1: the plain gradient step).
    """
    batch, n_units = a.shape
    for b in prange(batch):
        _residual_row(residual[b], x[b], a[b], phi_t, code_scale)
    a_t = a.T.copy()
    for j in prange(n_units):
        _update_unit(phi_t[j], a_t[j], lr, residual)


# ----------------------------------------------------------------------------- the same update, in claimed pieces
@njit(cache=True, nogil=True, fastmath=_FAST)
def residual_rows(phi_t, x, a, code_scale, residual, first, stop, acc):
    """``residual[b] = x[b] - code_scale * (a[b] @ phi_t)`` for ``first <= b < stop``, as in
    :func:`sparse_dictionary_update`.

    Each row is summed in ``acc`` (n_inputs,), this thread's scratch, and
    then stored: two threads computing the same rows store the same values
    and never add into each other's partial sums.
    """
    n_inputs = x.shape[1]
    for b in range(first, stop):
        _residual_row(acc, x[b], a[b], phi_t, code_scale)
        r = residual[b]
        for d in range(n_inputs):
            r[d] = acc[d]


@njit(cache=True, nogil=True, fastmath=_FAST)
def _update_chunk(phi_t, a, lr, residual, first, stop, a_t, out):
    """``out[j - first]`` = unit-norm ``phi_t[j] + lr * sum_b a[b, j] residual[b]`` for
    ``first <= j < stop``; the arithmetic of :func:`sparse_dictionary_update`, out of place."""
    batch = a.shape[0]
    n_inputs = residual.shape[1]
    for j in range(first, stop):
        row = a_t[j - first]
        for b in range(batch):
            row[b] = a[b, j]
    for j in range(first, stop):
        pj = out[j - first]
        src = phi_t[j]
        for d in range(n_inputs):
            pj[d] = src[d]
        _update_unit(pj, a_t[j - first, :batch], lr, residual)  # a_t holds whole tiles; the batch is shorter


@njit(cache=True, nogil=True)
def update_worker(phi_t, a, lr, residual, phi_new, chunk, a_t, scratch, claims):
    """Write the updated, renormalized dictionary into ``phi_new``, ``chunk`` units at a time.

    Each thread computes a chunk into its own ``scratch`` (chunk, n_inputs)
    and copies it into ``phi_new`` only if it is the first to claim the
    chunk's ``claims.owner`` entry, so a thread that was paused mid-chunk
    (and whose chunk another thread took over after ``claims.patience``
    checks) never writes into a dictionary in use. ``claims.counter[0]``
    hands out chunks, ``claims.counter[1]`` counts those copied; ``a_t``
    (chunk, batch) is this thread's transposed slice of ``a``. Returns once
    every chunk is copied. Not a parallel function, so its arrays may come
    in a tuple (:class:`Claims`).
    """
    counter, owner, patience = claims
    n_units = a.shape[1]
    chunks = -(-n_units // chunk)
    c = atomic_add(counter, 0, 1)
    idle = 0
    while atomic_load(counter, 1) < chunks:
        if c >= chunks:  # none left to hand out: after a while, redo one still unpublished
            if idle < patience:
                idle += 1
                continue
            for k in range(chunks):
                if atomic_load(owner, k) < 0:
                    c = k
                    break
            if c >= chunks:
                continue
        idle = 0
        first = c * chunk
        stop = min(first + chunk, n_units)
        _update_chunk(phi_t, a, lr, residual, first, stop, a_t, scratch)
        if atomic_cas(owner, c, -1, 0):
            for j in range(first, stop):
                phi_new[j] = scratch[j - first]
            atomic_add(counter, 1, 1)
        c = atomic_add(counter, 0, 1)
    return True

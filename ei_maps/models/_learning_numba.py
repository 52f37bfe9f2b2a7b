"""Jitted dictionary update that skips silent units.

Settled activity is sparse (about a fifth of the units are active on natural
images), so ``a @ Phi.T`` and ``residual.T @ a`` touch only the active
entries. The dictionary is held transposed, ``phi_t`` (units, inputs), so
every unit's weights are one contiguous vector. Same arithmetic as
:func:`ei_maps.models.learning.dictionary_update`, in another summation order.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

_FAST = {"reassoc", "contract", "nsz"}


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
    residual : (batch, n_inputs)
        Output: ``x - code_scale * (a @ phi_t)`` before the update.
    code_scale : float
        Scale of the code in the reconstruction (1: the plain gradient step).
    """
    batch, n_units = a.shape
    n_inputs = x.shape[1]
    for b in prange(batch):
        r = residual[b]
        xb = x[b]
        for d in range(n_inputs):
            r[d] = xb[d]
        ab = a[b]
        for j in range(n_units):
            v = ab[j] * code_scale
            if v != 0:
                pj = phi_t[j]
                for d in range(n_inputs):
                    r[d] -= v * pj[d]
    a_t = a.T.copy()
    for j in prange(n_units):
        pj = phi_t[j]
        aj = a_t[j]
        for b in range(batch):
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

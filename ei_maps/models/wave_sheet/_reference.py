"""Plain NumPy steps of the wave sheet: the reference the jitted loop (``engine="numba"``) is tested against.

The same model and schedule as :func:`ei_maps.models.wave_sheet._numba.run_steps`
with ``fused=False``, written directly from the equations: targets come from
modular arithmetic on the disk offsets rather than from the band tables, and
every neuron is updated with whole-array operations. Only for tiny sheets.
"""
from __future__ import annotations

import numpy as np

from ...sheet import disk_offsets


def reference_steps(config, x: np.ndarray, y: np.ndarray, n_exc: int, params: np.ndarray, ref_steps: int,
                    state: dict, pending: np.ndarray, step0: int, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Simulate ``n_steps`` steps from ``step0`` in place; returns the spikes ``(neuron, step)`` detected.

    ``state`` holds ``v, s_e, s_i, q_e, q_i, last`` over all neurons (SI
    units, as the numba engine holds them); ``pending`` the spikes of
    ``step0`` (already reset), ascending. The returned spikes include those
    of step ``step0 + n_steps``, which are pending at the end.
    """
    c = config
    g_leak, v_leak, v_exc, v_inh, g_exc, g_inh, v_thr, v_reset, dt = params[:9]
    a_d_e, a_r_e, a_d_i, a_r_i, c_e, c_i = params[9:15]
    side, sp = c.side, c.inh_spacing
    dy, dx = disk_offsets(c.radius, side)
    d2 = (dy * dy + dx * dx).astype(float)
    weight = {True: c.w_exc * (np.exp(-d2 / c.exc_width) if c.exc_width > 0 else np.ones_like(d2)),
              False: np.full(d2.shape, float(c.w_inh))}
    v, s_e, s_i, q_e, q_i, last = (state[k] for k in ("v", "s_e", "s_i", "q_e", "q_i", "last"))
    neurons, steps = [], []
    pending = np.asarray(pending, np.int64)
    for step in range(step0, step0 + n_steps):
        for n in pending:  # ascending: each target gets its additions in that order
            source_exc = n < n_exc
            trace = q_e if source_exc else q_i
            ty, tx = (y[n] + dy) % side, (x[n] + dx) % side
            for target_exc in (True, False):
                self_offset = (dy == 0) & (dx == 0) & (source_exc == target_exc)
                if target_exc:
                    ok, index = ~self_offset, ty * side + tx
                else:
                    ok = (ty % sp == 0) & (tx % sp == 0) & ~self_offset
                    index = n_exc + (ty // sp) * (side // sp) + tx // sp
                np.add.at(trace, index[ok], weight[source_exc][ok])
        s_e[:] = a_d_e * s_e + c_e * q_e
        s_i[:] = a_d_i * s_i + c_i * q_i
        q_e *= a_r_e
        q_i *= a_r_i
        free = step - last >= ref_steps
        v_new = dt * ((g_leak * (v_leak - v) - (v - v_exc) * (g_exc + s_e)) - (v - v_inh) * (g_inh + s_i)) + v
        v[free] = v_new[free]
        pending = np.flatnonzero((v > v_thr) & free)
        v[pending] = v_reset
        last[pending] = step + 1
        neurons.append(pending)
        steps.append(np.full(pending.size, step + 1))
    return np.concatenate(neurons), np.concatenate(steps)

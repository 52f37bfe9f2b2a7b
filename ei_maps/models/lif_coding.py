"""Spiking sparse coding: a conductance LIF E/I sheet whose spike counts learn a dictionary.

The paper's appendix drives the same learning rule with a spiking sheet
instead of the activation model. One site holds one neuron; one site in
``inh_every`` is inhibitory, on a regular sub-lattice. For a stimulus ``x``
(standardised, then multiplied by ``input_scale``) excitatory neuron ``j``
receives the constant conductance ``drive_exc + ff_scale * max(0, x . phi_j)``;
inhibitory neurons get ``drive_inh`` and no feed-forward input. Each stimulus
is simulated for ``n_steps`` steps of ``dt`` from a fresh random membrane
state, and a neuron's activation is its spike count. Each step:

1. neurons above threshold spike, are reset, and are held at reset for the
   rest of the step (a refractory period of one step);
2. every spike opens its targets' conductance for this step only (the
   postsynaptic conductance lasts one step): excitatory sources through a
   Gaussian disk of radius ``r_exc``, inhibitory ones through a flat disk of
   radius ``r_inh``;
3. every other neuron takes one exponential-Euler step (exact while the
   conductances are constant, which they are within a step; forward Euler
   would overshoot the reversal potentials when a burst opens a large
   conductance).

After each batch the threshold moves towards the target rate, and the
dictionary takes the activation model's gradient step unless the sheet fires
too much. Three engines run the same window: ``"brian2"`` (the copies of the
sheet as one ``NeuronGroup``, one Brian2 ``run`` per batch), ``"numba"`` (one
jitted loop) and ``"numpy"`` (plain arrays, the check for the other two).
"""
from __future__ import annotations

import gc
import math
from dataclasses import asdict
from typing import Any

import numpy as np

from ..config import LIFCodingConfig
from . import learning
from .lif import SCHEDULE, configure_brian, disk_offsets

ENGINES = ("brian2", "numba", "numpy")


def inhibitory_lattice_shift(inh_every: int) -> int:
    """The shift ``k`` for which sites with ``(x + k y) % inh_every == 0`` are most evenly spread.

    That set is a lattice with one site in ``inh_every``; ``k`` is chosen to
    maximise its shortest vector (ties: smallest ``k``), e.g. 2 for 5, giving
    the lattice spanned by (2, -1) and (1, 2).
    """
    best, best_len = 1, -1
    span = np.arange(-inh_every, inh_every + 1)
    dy, dx = np.meshgrid(span, span, indexing="ij")
    nonzero = (dy != 0) | (dx != 0)
    for k in range(1, inh_every):
        on = ((dx + k * dy) % inh_every == 0) & nonzero
        shortest = int((dy[on] ** 2 + dx[on] ** 2).min())
        if shortest > best_len:
            best, best_len = k, shortest
    return best


class SheetGeometry:
    """Sites, neuron types and the two lateral kernels of a :class:`LIFCodingConfig`.

    Attributes
    ----------
    site_y, site_x : int64 arrays (n_sites,)
    is_exc : bool array (n_sites,)
    exc_offsets, inh_offsets : (dy, dx, weight) arrays; weights in 1/ms
    coord : int64 array: ``coord[p + pad]`` is the site coordinate at padded
        position ``p`` (wrapped on a torus, -1 off an open sheet)
    """

    def __init__(self, config: LIFCodingConfig) -> None:
        c = config
        self.side = c.side
        self.site_y, self.site_x = (a.astype(np.int64) for a in np.divmod(np.arange(c.n_sites), c.side))
        k = inhibitory_lattice_shift(c.inh_every)
        self.is_exc = (self.site_x + k * self.site_y) % c.inh_every != 0
        inh_fraction = 1.0 / c.inh_every
        self.exc_offsets = self._kernel(c.r_exc, c.w_exc, 1.0 - inh_fraction, c.sigma2, c.side, c.boundary)
        self.inh_offsets = self._kernel(c.r_inh, c.w_inh, inh_fraction, None, c.side, c.boundary)
        self.pad = int(math.floor(max(c.r_exc, c.r_inh)))
        positions = np.arange(-self.pad, c.side + self.pad)
        if c.boundary == "periodic":
            self.coord = (positions % c.side).astype(np.int64)
        else:
            self.coord = np.where((positions >= 0) & (positions < c.side), positions, -1).astype(np.int64)

    @staticmethod
    def _kernel(radius: float, total: float, fraction: float, sigma2: float | None, side: int, boundary: str):
        # on a torus smaller than the disk, each pair is connected once
        dy, dx = disk_offsets(radius, side if boundary == "periodic" else None)
        keep = (dy != 0) | (dx != 0)  # a spiking neuron is held at reset, so a self-synapse would do nothing
        dy, dx = dy[keep].astype(np.int64), dx[keep].astype(np.int64)
        d2 = (dy * dy + dx * dx).astype(float)
        profile = np.exp(-d2 / (2.0 * sigma2)) if sigma2 else np.ones_like(d2)
        # only a fraction of the disk's sites hold sources of this type
        weight = total * profile / (profile.sum() * fraction)
        return dy, dx, weight

    def lateral_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """Dense (source, target) conductance matrices for excitatory and inhibitory sources."""
        n = self.site_y.size
        mats = []
        for (dy, dx, w), sources in ((self.exc_offsets, self.is_exc), (self.inh_offsets, ~self.is_exc)):
            m = np.zeros((n, n))
            for src in np.nonzero(sources)[0]:
                ty = self.coord[self.site_y[src] + self.pad + dy]
                tx = self.coord[self.site_x[src] + self.pad + dx]
                ok = (ty >= 0) & (tx >= 0)
                m[src, ty[ok] * self.side + tx[ok]] += w[ok]
            mats.append(m)
        return mats[0], mats[1]


def simulate_window_numpy(v0: np.ndarray, g_ff: np.ndarray, v_threshold: float, config: LIFCodingConfig,
                          geometry: SheetGeometry) -> np.ndarray:
    """One stimulus window in plain NumPy; returns spike counts (batch, n_sites).

    Same arithmetic as the jitted engine: lateral conductances are summed
    over sources in index order, so the two agree to the last bit.
    """
    c = config
    # the per-step sum below holds (copies, sources, targets): a few copies at a time keep it small
    chunk = max(1, 2**22 // max(1, c.n_sites * c.n_sites))
    if v0.shape[0] > chunk:
        return np.concatenate([simulate_window_numpy(v0[i:i + chunk], g_ff[i:i + chunk], v_threshold, c, geometry)
                               for i in range(0, v0.shape[0], chunk)])
    w_exc, w_inh = geometry.lateral_matrices()
    exc, inh = geometry.is_exc, ~geometry.is_exc
    v = np.array(v0, dtype=float)
    counts = np.zeros(v.shape, np.int64)
    for _ in range(c.n_steps):
        spiking = v > v_threshold
        counts += spiking
        v[spiking] = c.v_reset
        # a sequential sum over sources (axis 1), in the jitted loop's order
        s = spiking.astype(float)
        g_e = np.add.reduce((s[:, exc, None] * w_exc[exc][None]), axis=1) if exc.any() else 0.0
        g_i = np.add.reduce((s[:, inh, None] * w_inh[inh][None]), axis=1) if inh.any() else 0.0
        ge = g_ff + g_e
        g_total = c.g_leak + ge + g_i
        v_inf = (c.g_leak * c.v_leak + ge * c.v_exc + g_i * c.v_inh) / g_total
        stepped = v_inf + (v - v_inf) * np.exp(-g_total * c.dt)
        v = np.where(spiking, v, stepped)
    return counts


class _Brian2Window:
    """The batch as ``batch`` copies of the sheet in one Brian2 ``NeuronGroup``.

    Spikes reach their targets through a jitted scatter called from a network
    operation in the synapses slot (as in the wave sheet), so a spike's
    one-step conductance acts in the step it is fired.
    """

    EQUATIONS = """
    dv/dt = -g_leak * (v - v_leak) - (g_ff + g_e) * (v - v_exc) - g_i * (v - v_inh) : volt (unless refractory)
    g_ff : Hz
    g_e : Hz
    g_i : Hz
    count : integer
    v_threshold : volt (shared)
    """

    def __init__(self, batch: int, config: LIFCodingConfig, geometry: SheetGeometry) -> None:
        from ._lif_coding_numba import scatter_batch

        configure_brian()  # first, so a missing Brian2 gets a clear error
        import brian2 as b2

        c, g = config, geometry
        self.batch = batch
        ms, mV = b2.ms, b2.mV
        namespace = {"g_leak": c.g_leak / ms, "v_leak": c.v_leak * mV, "v_exc": c.v_exc * mV,
                     "v_inh": c.v_inh * mV, "v_reset": c.v_reset * mV}
        self.clock = b2.Clock(dt=c.dt * ms, name="lif_coding_clock")
        group = b2.NeuronGroup(batch * c.n_sites, self.EQUATIONS, threshold="v > v_threshold",
                               reset="v = v_reset\ncount += 1", refractory=c.dt * ms,
                               method="exponential_euler", namespace=namespace, clock=self.clock,
                               name="lif_coding_sheet")
        spikespace = group.variables["_spikespace"].get_value()
        g_e = group.variables["g_e"].get_value()
        g_i = group.variables["g_i"].get_value()
        n_sites = c.n_sites
        # Brian2 holds conductances in Hz, the kernels are in 1/ms
        e_dy, e_dx, e_w = g.exc_offsets
        i_dy, i_dx, i_w = g.inh_offsets
        args = (n_sites, g.site_y, g.site_x, g.is_exc, g.coord, g.pad, c.side, e_dy, e_dx, e_w * 1e3,
                i_dy, i_dx, i_w * 1e3)

        def propagate():
            n = spikespace[-1]  # Brian2 keeps the number of spikes in the last slot
            scatter_batch(spikespace[:n], *args, g_e, g_i)

        op = b2.NetworkOperation(propagate, when="synapses", clock=self.clock, name="lif_coding_propagation")
        self.group = group
        self.net = b2.Network(group, op)
        self.net.schedule = SCHEDULE
        self.duration = c.n_steps * c.dt * ms
        self._arrays = {name: group.variables[name].get_value()
                        for name in ("v", "g_ff", "count", "lastspike", "not_refractory")}

    def run(self, v0: np.ndarray, g_ff: np.ndarray, v_threshold: float) -> np.ndarray:
        import brian2 as b2

        a = self._arrays
        a["v"][:] = (v0 * 1e-3).ravel()  # volts
        a["g_ff"][:] = (g_ff * 1e3).ravel()  # 1/ms -> Hz
        a["count"][:] = 0
        a["lastspike"][:] = -1e9  # no neuron is refractory at the start of a window
        a["not_refractory"][:] = True
        self.group.v_threshold = v_threshold * b2.mV
        # Brian2 starts every run with a full gc.collect() (85 of its ~100 ms fixed cost here, with
        # NumPy, Numba and xarray loaded); freezing the existing objects makes that scan only new ones
        gc.freeze()
        try:
            self.net.run(self.duration, namespace={})
        finally:
            gc.unfreeze()
        return a["count"].reshape(self.batch, -1).astype(np.int64)


class LIFCodingModel:
    """A spiking E/I sheet that learns a sparse code from its spike counts.

    Parameters
    ----------
    config : LIFCodingConfig, optional
        Defaults: the paper's appendix settings adapted as documented there.
    engine : {"brian2", "numba", "numpy"}
        ``"brian2"`` (default) simulates the batch as copies of the sheet in
        one ``NeuronGroup``; ``"numba"`` is a jitted loop, several times
        faster; ``"numpy"`` is the plain check path.
    dictionary : ndarray (n_inputs, n_sites), optional
        Initial dictionary, used as given except that inhibitory columns are
        zeroed; default random normal with unit-norm columns.
    **overrides
        Any :class:`LIFCodingConfig` field.

    Attributes
    ----------
    threshold : float
        Current firing threshold (mV), adapted after every :meth:`learn`.
    inh_counts : ndarray (batch, n_sites)
        Spike counts of the inhibitory neurons in the last window (zero at
        excitatory sites).
    last_record : dict
        ``loss``, ``rate``, ``active``, ``threshold`` (used for the step) and
        ``updated`` of the last :meth:`learn`.

    Examples
    --------
    >>> m = LIFCodingModel(side=30, engine="numba")
    >>> counts = m.settle(x)         # x (batch, 256) standardised patches
    >>> counts = m.learn(x, lr=1e-6)
    """

    RECORD = ("loss", "rate", "active", "threshold", "updated")

    def __init__(self, config: LIFCodingConfig | None = None, engine: str = "brian2",
                 dictionary: np.ndarray | None = None, **overrides) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        config = config or LIFCodingConfig()
        self._config = config.replace(**overrides) if overrides else config
        self.engine = engine
        self.geometry = SheetGeometry(self._config)
        self.threshold = float(self._config.threshold_init)
        self._rng = np.random.default_rng([self._config.seed, 1])
        if dictionary is None:
            rng = np.random.default_rng(self._config.seed)
            dictionary = learning.init_dictionary(self._config.n_inputs, self._config.n_sites, rng)
            learning.normalise_columns(dictionary)
        self.dictionary = dictionary
        self.inh_counts: np.ndarray | None = None
        self.last_record: dict[str, float] = {}
        self._windows: dict[int, _Brian2Window] = {}

    # ------------------------------------------------------------------ state
    @property
    def config(self) -> LIFCodingConfig:
        return self._config

    @property
    def side(self) -> int:
        return self._config.side

    @property
    def is_exc(self) -> np.ndarray:
        """True at excitatory sites, (n_sites,)."""
        return self.geometry.is_exc

    @property
    def dictionary(self) -> np.ndarray:
        """(n_inputs, n_sites); unit-norm columns at excitatory sites, zero at inhibitory ones."""
        return self._phi

    @dictionary.setter
    def dictionary(self, value: np.ndarray) -> None:
        c = self._config
        # C order always: BLAS takes another path (and rounds differently) on a transposed layout,
        # which would break bit-exact resumption from a saved run
        value = np.array(value, dtype=float, order="C")
        if value.shape != (c.n_inputs, c.n_sites):
            raise ValueError(f"dictionary must have shape (n_inputs, n_sites) = ({c.n_inputs}, {c.n_sites}), "
                             f"got {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError("dictionary holds NaN or infinite values")
        value[:, ~self.is_exc] = 0.0  # inhibitory neurons get no feed-forward input
        self._phi = value

    def get_state(self) -> dict[str, Any]:
        """Threshold and random-generator state, JSON-ready (for exact resumption)."""
        return {"threshold": self.threshold, "rng": self._rng.bit_generator.state}

    def set_state(self, state: dict[str, Any]) -> None:
        self.threshold = float(state["threshold"])
        self._rng.bit_generator.state = state["rng"]

    def __repr__(self) -> str:
        c = self._config
        return (f"LIFCodingModel(side={c.side}, n_inputs={c.n_inputs}, inh_every={c.inh_every}, "
                f"engine={self.engine!r}, threshold={self.threshold:.3g} mV)")

    # -------------------------------------------------------------- dynamics
    def check_stimuli(self, x: np.ndarray) -> np.ndarray:
        """Validate a batch of stimuli, shape (batch, n_inputs); returns it as float64."""
        x = np.asarray(x)
        if x.ndim == 1:
            x = x[None]
        if x.ndim != 2 or x.shape[1] != self._config.n_inputs:
            raise ValueError(f"stimuli must have shape (batch, {self._config.n_inputs}), got {x.shape}")
        if np.iscomplexobj(x) or not np.issubdtype(x.dtype, np.number):
            raise ValueError(f"stimuli must be real numbers, got dtype {x.dtype}")
        x = x.astype(float)
        if not np.all(np.isfinite(x)):
            raise ValueError("stimuli hold NaN or infinite values")
        return x

    def feedforward(self, x: np.ndarray) -> np.ndarray:
        """Constant external conductance of every neuron (1/ms), (batch, n_sites)."""
        c = self._config
        x = self.check_stimuli(x) * c.input_scale
        g = c.drive_exc + c.ff_scale * np.maximum(0.0, x @ self._phi)
        g[:, ~self.is_exc] = c.drive_inh
        return g

    def initial_potentials(self, batch: int) -> np.ndarray:
        """Fresh membrane potentials (mV), uniform between reset and the current threshold."""
        return self._rng.uniform(self._config.v_reset, self.threshold, (batch, self._config.n_sites))

    def simulate(self, g_ff: np.ndarray, v0: np.ndarray) -> np.ndarray:
        """Spike counts (batch, n_sites) of one window from given conductances and potentials."""
        c, g = self._config, self.geometry
        if self.engine == "numpy":
            return simulate_window_numpy(v0, g_ff, self.threshold, c, g)
        if self.engine == "numba":
            from ._lif_coding_numba import simulate_batch

            counts = np.zeros(v0.shape, np.int64)
            simulate_batch(np.ascontiguousarray(v0, float), np.ascontiguousarray(g_ff, float), self.threshold,
                           c.n_steps, g.site_y, g.site_x, g.is_exc, g.coord, g.pad, c.side, *g.exc_offsets,
                           *g.inh_offsets, c.g_leak, c.v_leak, c.v_exc, c.v_inh, c.v_reset, c.dt, counts)
            return counts
        batch = v0.shape[0]
        if batch not in self._windows:
            self._windows[batch] = _Brian2Window(batch, c, g)
        return self._windows[batch].run(v0, g_ff, self.threshold)

    def settle(self, x: np.ndarray) -> np.ndarray:
        """Present each stimulus for one window; returns excitatory spike counts (batch, n_sites).

        Inhibitory sites read 0 here; their counts are in :attr:`inh_counts`.
        The name matches :meth:`ActivationModel.settle`, so probing and
        training code serve both models.
        """
        x = self.check_stimuli(x)
        counts = self.simulate(self.feedforward(x), self.initial_potentials(x.shape[0]))
        self.inh_counts = np.where(self.is_exc, 0, counts)
        return np.where(self.is_exc, counts, 0)

    def rate(self, counts: np.ndarray) -> float:
        """Spikes per excitatory neuron per step."""
        return float(counts[:, self.is_exc].mean() / self._config.n_steps)

    # -------------------------------------------------------------- learning
    def learn(self, x: np.ndarray, lr: float = 1e-6) -> np.ndarray:
        """One batch: simulate, update the dictionary (unless firing too much), adapt the threshold.

        Returns the excitatory spike counts (batch, n_sites).
        """
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        c = self._config
        x = self.check_stimuli(x)
        threshold = self.threshold
        counts = self.settle(x)
        a = counts.astype(float)
        xs = x * c.input_scale
        rate = self.rate(counts)
        updated = rate <= c.skip_factor * c.target_rate
        if updated:
            loss = learning.dictionary_update(self._phi, xs, a, lr)
        else:
            loss = learning.reconstruction_loss(xs - a @ self._phi.T)
        if not np.all(np.isfinite(self._phi)):
            raise FloatingPointError("the dictionary became non-finite: lower lr")
        self.threshold = float(np.clip(threshold + c.threshold_step * (rate - c.target_rate), c.v_reset, c.v_exc))
        self.last_record = {"loss": loss / c.input_scale**2, "rate": rate,
                            "active": float(np.mean(counts[:, self.is_exc] > 0)),
                            "threshold": threshold, "updated": float(updated)}
        return counts

    def params(self) -> dict[str, Any]:
        """The configuration as a plain dict."""
        return asdict(self._config)

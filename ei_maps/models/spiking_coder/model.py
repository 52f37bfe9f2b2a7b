"""Spiking sparse coding: a conductance LIF E/I sheet whose spike counts learn a dictionary.

The paper's appendix drives the same learning rule with a spiking sheet
instead of the activation model. One site holds one neuron; one site in
``inh_every`` is inhibitory, on a regular sub-lattice. For a stimulus ``x``
(a standardized patch) every neuron ``j`` receives the constant conductance
``drive_exc + ff_scale * max(0, x . phi_j)`` on its excitatory channel (F_E
plus the stimulus; inhibitory columns of the dictionary are zero) and
``drive_inh`` (F_I, tonic inhibition) on its inhibitory channel. Each stimulus
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

After each batch the threshold moves towards the target rate (spikes per
neuron per window, over all neurons), and unless the sheet fires too much
the dictionary takes the paper's step ``Phi += lr * (x - a Phi^T)^T a / batch``
on the raw spike counts ``a``, followed by unit-norm columns. Three engines
run the same window and give the same spikes: ``"numba"`` (one jitted loop
over the copies of the sheet, the default), ``"brian2"`` (the copies as one
``NeuronGroup``; many windows per Brian2 ``run`` when training) and
``"numpy"`` (plain arrays, the check for the other two).
"""
from __future__ import annotations

import gc
import itertools
import math
from dataclasses import asdict
from typing import Any

import numpy as np

from ... import seeds
from ...sheet import disk_offsets, inhibitory_sites, padded_coordinates
from .. import learning
from .._blas import single_threaded_blas
from ..contract import configured
from .._brian2 import SCHEDULE, brian2_prefs, configure_brian
from .config import LIFCodingConfig

ENGINES = ("brian2", "numba", "numpy")


class SheetGeometry:
    """Sites, neuron types and the two lateral kernels of a :class:`LIFCodingConfig`.

    Parameters
    ----------
    config : LIFCodingConfig
        The sheet's parameters.

    Attributes
    ----------
    site_y, site_x : int64 arrays (n_sites,)
        Row and column of each site [grid units].
    is_exc : bool array (n_sites,)
        True at excitatory sites.
    exc_offsets, inh_offsets : tuple of arrays
        ``(dy, dx, weight)`` of each kernel: offsets [grid units], weights [1/ms].
    coord : int64 array
        ``coord[p + pad]`` is the site coordinate at padded position ``p``
        (wrapped on a torus, -1 off an open sheet).
    """

    def __init__(self, config: LIFCodingConfig) -> None:
        c = config
        self.side = c.side
        self.site_y, self.site_x = (a.astype(np.int64) for a in np.divmod(np.arange(c.n_sites), c.side))
        self.is_exc = ~inhibitory_sites(c.side, c.inh_every, c.inh_lattice).ravel()
        inh_fraction = 1.0 / c.inh_every
        self.exc_offsets = self._kernel(c.r_exc, c.w_exc, 1.0 - inh_fraction, c.sigma2, c.side, c.boundary)
        self.inh_offsets = self._kernel(c.r_inh, c.w_inh, inh_fraction, None, c.side, c.boundary)
        self.pad = int(math.floor(max(c.r_exc, c.r_inh)))
        self.coord = padded_coordinates(c.side, self.pad, c.boundary == "periodic")

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
        """Dense (source, target) conductance matrices for excitatory and inhibitory sources.

        Returns
        -------
        w_exc, w_inh : ndarray, shape (n_sites, n_sites)
            Conductance a spike of each source opens at each target for one step [1/ms].
        """
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

    Parameters
    ----------
    v0 : ndarray, shape (batch, n_sites)
        Membrane potentials at the start of the window [mV].
    g_ff : ndarray, shape (batch, n_sites)
        Constant excitatory-channel conductance of every neuron [1/ms].
    v_threshold : float
        Firing threshold [mV].
    config : LIFCodingConfig
        The sheet's parameters.
    geometry : SheetGeometry
        The sheet's sites and kernels (of the same config).

    Returns
    -------
    ndarray of int64, shape (batch, n_sites)
        Spike counts of every neuron [count].
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
    tonic = np.full(v.shape, c.drive_inh)
    for _ in range(c.n_steps):
        spiking = v > v_threshold
        counts += spiking
        v[spiking] = c.v_reset
        # a sequential sum over sources (axis 1), in the jitted loop's order
        s = spiking.astype(float)
        g_e = np.add.reduce((s[:, exc, None] * w_exc[exc][None]), axis=1) if exc.any() else 0.0
        g_i = np.add.reduce((s[:, inh, None] * w_inh[inh][None]), axis=1) if inh.any() else 0.0
        ge = g_ff + g_e
        gi = tonic + g_i
        g_total = c.g_leak + ge + gi
        v_inf = (c.g_leak * c.v_leak + ge * c.v_exc + gi * c.v_inh) / g_total
        # the exact exponential step, in the form every engine uses (see spiking_coder/_numba.py)
        relax = -np.expm1(-g_total * c.dt) / c.dt
        stepped = v + c.dt * ((v_inf - v) * relax)
        v = np.where(spiking, v, stepped)
    return counts


class _Brian2Window:
    """The batch as ``batch`` copies of the sheet in one Brian2 ``NeuronGroup``.

    Brian2 runs the threshold, the reset, the spike count and the membrane
    update of every neuron, as the exact exponential step at its constant
    conductances (``v <- v_inf + (v - v_inf) * decay``, factors set for each
    window). A spike's one-step lateral conductance changes that step only for
    the neurons it reaches: a jitted network operation after the reset
    computes their exact step (and holds the spiking neurons at reset), and a
    second one writes those values over Brian2's bulk update. Same
    arithmetic as the numba engine, in SI units.
    """

    EQUATIONS = """
    dv/dt = (v_inf - v) * relax : volt
    v_inf : volt
    relax : Hz
    v_threshold : volt (shared)
    """

    def __init__(self, batch: int, config: LIFCodingConfig, geometry: SheetGeometry) -> None:
        from ._numba import LateralScratch, Lattice, MembraneConstants, apply_lateral, lateral_step

        configure_brian()  # first, so a missing Brian2 gets a clear error
        import brian2 as b2

        c, g = config, geometry
        self.batch, self.config = batch, config
        n = batch * c.n_sites
        self.clock = b2.Clock(dt=c.dt * b2.ms, name="lif_coding_clock")
        # forward Euler of this equation is the exact exponential step when relax = (1 - decay) / dt
        group = b2.NeuronGroup(n, self.EQUATIONS, threshold="v > v_threshold", reset="", method="euler",
                               clock=self.clock, name="lif_coding_sheet")
        spikespace = group.variables["_spikespace"].get_value()
        self._arrays = {name: group.variables[name].get_value() for name in ("v", "v_inf", "relax")}
        v = self._arrays["v"]
        self.counts = np.zeros(n, np.int64)
        self._ge0 = np.zeros(n)
        scratch = {"g_e": np.zeros(n), "g_i": np.zeros(n), "touched": np.zeros(n, np.int64),
                   "touched_list": np.zeros(n, np.int64), "n_touched": np.zeros(batch, np.int64),
                   "v_next": np.zeros(n)}
        # SI inside Brian2: conductances over C in Hz (the kernels are in 1/ms), potentials in volts
        e_dy, e_dx, e_w = g.exc_offsets
        i_dy, i_dx, i_w = g.inh_offsets
        lattice = Lattice(g.site_y, g.site_x, g.is_exc, g.coord, g.pad, c.side, e_dy, e_dx, e_w * 1e3, i_dy, i_dx,
                          i_w * 1e3)
        membrane = MembraneConstants(c.g_leak * 1e3, c.v_leak * 1e-3, c.v_exc * 1e-3, c.v_inh * 1e-3,
                                     c.v_reset * 1e-3, c.dt * 1e-3)
        lateral = LateralScratch(scratch["g_e"], scratch["g_i"], scratch["touched"], scratch["touched_list"],
                                 scratch["n_touched"], scratch["v_next"])

        def before_update():
            spiking = spikespace[:spikespace[-1]]  # Brian2 keeps the number of spikes in the last slot
            lateral_step(spiking, batch, c.n_sites, lattice, v, self._ge0, c.drive_inh * 1e3, membrane, lateral,
                         self.counts)

        def after_update():
            apply_lateral(v, scratch["touched_list"], scratch["n_touched"], scratch["v_next"], scratch["g_e"],
                          scratch["g_i"], scratch["touched"], c.n_sites)

        # windows in one run: at the start of each window (after the first), the last one's
        # counts are handed over and the next window is set up (see stream)
        self._boundary = None

        def window_boundary():
            if self._boundary is not None:
                self._boundary()

        window = c.n_steps * c.dt * b2.ms
        ops = [b2.NetworkOperation(before_update, when="synapses", clock=self.clock, name="lif_coding_lateral"),
               b2.NetworkOperation(after_update, when="end", clock=self.clock, name="lif_coding_apply"),
               b2.NetworkOperation(window_boundary, when="start", dt=window, name="lif_coding_window")]
        self.group = group
        self.net = b2.Network(group, *ops)
        self.net.schedule = SCHEDULE
        self.duration = window

    def _load(self, v0: np.ndarray, g_ff: np.ndarray, v_threshold: float) -> None:
        """Set up one window: potentials, constant-conductance factors, threshold, counts."""
        from ._numba import fill_bulk_factors_parallel

        c, a = self.config, self._arrays
        ge0 = self._ge0
        ge0[:] = (g_ff * 1e3).ravel()  # 1/ms -> Hz
        fill_bulk_factors_parallel(ge0, c.drive_inh * 1e3, c.drive_exc * 1e3, c.g_leak * 1e3, c.v_leak * 1e-3,
                                   c.v_exc * 1e-3, c.v_inh * 1e-3, c.dt * 1e-3, a["v_inf"], a["relax"], c.n_sites)
        a["v"][:] = (v0 * 1e-3).ravel()  # volts
        self.counts[:] = 0
        self.group.variables["v_threshold"].set_value(v_threshold * 1e-3)

    def _run(self, duration) -> None:
        # Brian2 starts every run with a full gc.collect() (85 of its ~100 ms fixed cost here, with
        # NumPy, Numba and xarray loaded); freezing the existing objects makes that scan only new ones
        # a caller that froze objects itself keeps them frozen (unfreeze would thaw theirs too)
        ours = gc.get_freeze_count() == 0
        if ours:
            gc.freeze()
        try:
            with brian2_prefs():
                self.net.run(duration, namespace={})
        finally:
            if ours:
                gc.unfreeze()

    def run(self, v0: np.ndarray, g_ff: np.ndarray, v_threshold: float) -> np.ndarray:
        """One window; spike counts (batch, n_sites)."""
        self._load(v0, g_ff, v_threshold)
        self._run(self.duration)
        return self.counts.reshape(self.batch, -1).copy()

    def stream(self, windows: int, start, finish) -> None:
        """Up to ``windows`` windows in one Brian2 run, which has a fixed cost of ~25 ms per call.

        ``start()`` returns ``(v0, g_ff, v_threshold)`` of the next window;
        ``finish(counts)`` receives a finished window's counts and returns
        False to stop after it.
        """
        state = {"left": windows, "stopped": False}

        def boundary():
            if state["left"] < windows:  # a window has just ended
                if not finish(self.counts.reshape(self.batch, -1).copy()) or state["left"] == 0:
                    state["stopped"] = True
                    self.net.stop()
                    return
            self._load(*start())
            state["left"] -= 1

        self._boundary = boundary
        try:
            self._run(windows * self.duration)
        finally:
            self._boundary = None
        if not state["stopped"]:
            finish(self.counts.reshape(self.batch, -1).copy())


class LIFCodingModel:
    """A spiking E/I sheet that learns a sparse code from its spike counts.

    Parameters
    ----------
    config : LIFCodingConfig, optional
        Defaults: the paper's appendix settings adapted as documented there.
    engine : {"numba", "brian2", "numpy"}
        ``"numba"`` (default) is a jitted loop over the copies of the sheet;
        ``"brian2"`` simulates them as one ``NeuronGroup`` (the same spikes,
        about 2.6x slower, needs the ``lif`` extra); ``"numpy"`` is the
        plain check path.
    dictionary : ndarray (n_inputs, n_sites), optional
        Initial dictionary, used as given except that inhibitory columns are
        zeroed; default random normal with unit-norm columns [dimensionless].
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
    >>> m = LIFCodingModel(side=30)
    >>> counts = m.settle(x)         # x (batch, 256) standardized patches
    >>> counts = m.learn(x, lr=0.1)
    """

    RECORD = ("loss", "rate", "active", "threshold", "updated")
    #: The learning rule: the gradient averaged over the batch (the paper's appendix).
    RULE = learning.GradientRule(mean_over_batch=True)

    def __init__(self, config: LIFCodingConfig | None = None, engine: str = "numba",
                 dictionary: np.ndarray | None = None, **overrides) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        self._config = configured(LIFCodingConfig, config, overrides)
        self.engine = engine
        self.geometry = SheetGeometry(self._config)
        self.threshold = float(self._config.threshold_init)
        self._rng = seeds.generator(self._config.seed, "network")
        if dictionary is None:
            rng = seeds.generator(self._config.seed, "dictionary")
            dictionary = learning.init_dictionary(self._config.n_inputs, self._config.n_sites, rng)
            learning.normalize_columns(dictionary)
        self.dictionary = dictionary
        self.inh_counts: np.ndarray | None = None
        self.last_record: dict[str, float] = {}
        self._windows: dict[int, _Brian2Window] = {}
        self._streaming = False

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
        """(n_inputs, n_sites); unit-norm columns at excitatory sites, zero at inhibitory ones.

        A view of the model's array (held transposed, one contiguous row per
        neuron, for the sparse update): copy it to keep a snapshot.
        """
        return self._phi_t.T

    @dictionary.setter
    def dictionary(self, value: np.ndarray) -> None:
        c = self._config
        value = np.asarray(value, dtype=float)
        if value.shape != (c.n_inputs, c.n_sites):
            raise ValueError(f"dictionary must have shape (n_inputs, n_sites) = ({c.n_inputs}, {c.n_sites}), "
                             f"got {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError("dictionary holds NaN or infinite values")
        # one layout always: BLAS takes another path (and rounds differently) on another layout, which
        # would break bit-exact resumption from a saved run
        phi_t = np.array(value.T, dtype=float, order="C")
        phi_t[~self.is_exc] = 0.0  # inhibitory neurons get no feed-forward input
        self._phi_t = phi_t

    def get_state(self) -> dict[str, Any]:
        """Threshold and random-generator state, JSON-ready (for exact resumption).

        Returns
        -------
        dict
            ``threshold`` [mV] and ``rng`` (the network stream's bit-generator state).
        """
        return {"threshold": self.threshold, "rng": self._rng.bit_generator.state}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`get_state` returned (threshold and random-generator state).

        Parameters
        ----------
        state : dict
            ``threshold`` [mV] and ``rng``, as :meth:`get_state` gives them.
        """
        self.threshold = float(state["threshold"])
        self._rng.bit_generator.state = state["rng"]

    def __repr__(self) -> str:
        c = self._config
        return (f"LIFCodingModel(side={c.side}, n_inputs={c.n_inputs}, inh_every={c.inh_every}, "
                f"engine={self.engine!r}, threshold={self.threshold:.3g} mV)")

    # -------------------------------------------------------------- dynamics
    def check_stimuli(self, x: np.ndarray) -> np.ndarray:
        """Validate a batch of stimuli, shape (batch, n_inputs); returns it as float64.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli, e.g. standardized patches (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray of float64, shape (batch, n_inputs)
            The stimuli.

        Raises
        ------
        ValueError
            If the shape is wrong or a value is not a finite real number.
        """
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
        """Constant excitatory-channel conductance of every neuron (1/ms), (batch, n_sites).

        ``drive_exc + ff_scale * max(0, x . phi_j)``; inhibitory neurons, whose
        columns are zero, get ``drive_exc`` alone.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli, e.g. standardized patches (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_sites)
            The conductances [1/ms].
        """
        c = self._config
        g = self.check_stimuli(x) @ self.dictionary
        np.maximum(g, 0.0, out=g)
        g *= c.ff_scale
        g += c.drive_exc
        return g

    def initial_potentials(self, batch: int) -> np.ndarray:
        """Fresh membrane potentials (mV), uniform between reset and the current threshold.

        Drawn from the model's ``"network"`` stream.

        Parameters
        ----------
        batch : int
            Copies of the sheet (stimuli) [count].

        Returns
        -------
        ndarray, shape (batch, n_sites)
            The potentials [mV].
        """
        return self._rng.uniform(self._config.v_reset, self.threshold, (batch, self._config.n_sites))

    def simulate(self, g_ff: np.ndarray, v0: np.ndarray) -> np.ndarray:
        """Spike counts (batch, n_sites) of one window from given conductances and potentials.

        While a Brian2 stream is running (:meth:`learn_stream`), other windows
        (measurements taken between training steps) are simulated by the
        numba engine, which gives the same spikes.

        Parameters
        ----------
        g_ff : ndarray, shape (batch, n_sites)
            Constant excitatory-channel conductance of every neuron, as
            :meth:`feedforward` gives it [1/ms].
        v0 : ndarray, shape (batch, n_sites)
            Membrane potentials at the start of the window [mV].

        Returns
        -------
        ndarray of int64, shape (batch, n_sites)
            Spike counts of every neuron, excitatory and inhibitory [count].
        """
        c, g = self._config, self.geometry
        engine = "numba" if self._streaming else self.engine
        if engine == "numpy":
            return simulate_window_numpy(v0, g_ff, self.threshold, c, g)
        if engine == "numba":
            from ._numba import Lattice, MembraneConstants, simulate_batch

            counts = np.zeros(v0.shape, np.int64)
            lattice = Lattice(g.site_y, g.site_x, g.is_exc, g.coord, g.pad, c.side, *g.exc_offsets, *g.inh_offsets)
            membrane = MembraneConstants(c.g_leak, c.v_leak, c.v_exc, c.v_inh, c.v_reset, c.dt)
            simulate_batch(np.ascontiguousarray(v0, float), np.ascontiguousarray(g_ff, float), float(c.drive_inh),
                           float(c.drive_exc), self.threshold, c.n_steps, lattice, membrane, counts)
            return counts
        return self._brian2_window(v0.shape[0]).run(v0, g_ff, self.threshold)

    def _brian2_window(self, batch: int) -> _Brian2Window:
        if batch not in self._windows:
            self._windows[batch] = _Brian2Window(batch, self._config, self.geometry)
        return self._windows[batch]

    def _split(self, counts: np.ndarray) -> np.ndarray:
        """Keep the inhibitory counts in :attr:`inh_counts`; return the excitatory ones (0 at inhibitory sites)."""
        self.inh_counts = np.where(self.is_exc, 0, counts)
        return np.where(self.is_exc, counts, 0)

    def settle(self, x: np.ndarray) -> np.ndarray:
        """Present each stimulus for one window; returns excitatory spike counts (batch, n_sites).

        Inhibitory sites read 0 here; their counts are in :attr:`inh_counts`.
        The name matches :meth:`ActivationModel.settle`, so probing and
        training code serve both models.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli, e.g. standardized patches (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_sites)
            Excitatory spike counts, 0 at inhibitory sites [count].
        """
        x = self.check_stimuli(x)
        return self._split(self.simulate(self.feedforward(x), self.initial_potentials(x.shape[0])))

    def rate(self, counts: np.ndarray, inh_counts: np.ndarray | None = None) -> float:
        """Spikes per neuron per window, over all neurons (excitatory counts, plus inhibitory if given).

        Parameters
        ----------
        counts : ndarray, shape (batch, n_sites)
            Spike counts (e.g. the excitatory ones :meth:`settle` returns) [count].
        inh_counts : ndarray, shape (batch, n_sites), optional
            Inhibitory spike counts (:attr:`inh_counts`) [count].

        Returns
        -------
        float
            Total spikes over the number of entries of ``counts`` [spikes per neuron per window].
        """
        total = counts.sum() + (0 if inh_counts is None else inh_counts.sum())
        return float(total / counts.size)

    # -------------------------------------------------------------- learning
    @staticmethod
    def _check_lr(lr: float) -> None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")

    def _update(self, x: np.ndarray, counts: np.ndarray, threshold: float, lr: float) -> np.ndarray:
        """The learning step after a window: dictionary (unless firing too much), threshold, record."""
        from ._numba import split_counts

        c = self._config
        a = np.empty(counts.shape)
        self.inh_counts = np.empty_like(counts)
        n_exc_spikes, n_inh_spikes, n_active = split_counts(counts, self.is_exc, a, self.inh_counts)
        rate = (n_exc_spikes + n_inh_spikes) / counts.size
        updated = n_exc_spikes / counts.size <= c.skip_factor * c.target_rate
        residual = np.empty_like(x)
        with single_threaded_blas():
            if updated:
                # a few percent of the neurons spike: the update touches only their rows
                self.RULE.apply(self._phi_t, x, a, lr, residual)
            else:
                residual[:] = x - a @ self.dictionary.T
        if not np.all(np.isfinite(self._phi_t)):
            raise FloatingPointError("the dictionary became non-finite: lower lr")
        self._adapt(threshold, rate)
        self.last_record = {"loss": learning.reconstruction_loss(residual), "rate": float(rate),
                            "active": n_active / (counts.shape[0] * int(self.is_exc.sum())),
                            "threshold": threshold, "updated": float(updated)}
        return np.where(self.is_exc, counts, 0)

    def _start(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Conductances, starting potentials and threshold of the window for ``x``."""
        with single_threaded_blas():
            return self.feedforward(x), self.initial_potentials(x.shape[0]), self.threshold

    def learn(self, x: np.ndarray, lr: float = 0.1) -> np.ndarray:
        """One batch: simulate, update the dictionary (unless firing too much), adapt the threshold.

        The update is the paper's ``Phi += lr * (x - a Phi^T)^T a / batch`` on
        the raw spike counts, then unit-norm columns (inhibitory columns stay
        0); it is skipped while the excitatory spikes per neuron per window
        exceed ``skip_factor * target_rate``. The threshold then moves by
        ``threshold_step * (rate - target_rate)`` with the rate over all
        neurons.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli, e.g. standardized patches (a 1-D array is a batch of one) [dimensionless].
        lr : float
            Learning rate of the dictionary update [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_sites)
            Excitatory spike counts, 0 at inhibitory sites [count].
        """
        self._check_lr(lr)
        x = np.ascontiguousarray(self.check_stimuli(x))
        g_ff, v0, threshold = self._start(x)
        with single_threaded_blas():
            counts = self.simulate(g_ff, v0)
        return self._update(x, counts, threshold, lr)

    def adapt_threshold(self, x: np.ndarray) -> np.ndarray:
        """Present a batch and move the threshold towards the target rate; the dictionary is left as it is.

        For measuring a given dictionary (e.g. the authors' own) at the
        operating point the learning rule would hold it at.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli, e.g. standardized patches (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_sites)
            Excitatory spike counts, 0 at inhibitory sites [count].
        """
        x = np.ascontiguousarray(self.check_stimuli(x))
        g_ff, v0, threshold = self._start(x)
        with single_threaded_blas():
            counts = self._split(self.simulate(g_ff, v0))
        self._adapt(threshold, self.rate(counts, self.inh_counts))
        return counts

    def _adapt(self, threshold: float, rate: float) -> None:
        """``V_T <- V_T + threshold_step * (rate - target_rate)``, clamped to [v_reset, v_exc]."""
        c = self._config
        self.threshold = min(max(threshold + c.threshold_step * (rate - c.target_rate), c.v_reset), c.v_exc)

    def learn_stream(self, next_batch, steps: int, lr: float, after_step) -> None:
        """``steps`` calls of :meth:`learn` on ``next_batch()``, each followed by ``after_step()``.

        ``after_step()`` returning False stops the stream. Same result as the
        plain loop; the Brian2 engine runs many windows in one Brian2 run
        (each ``run`` call costs ~25 ms of set-up, a window ~30 ms).

        Parameters
        ----------
        next_batch : callable
            ``next_batch()`` returns the next batch of stimuli, (batch, n_inputs).
        steps : int
            Number of learning steps [count].
        lr : float
            Learning rate of the dictionary update [dimensionless].
        after_step : callable
            ``after_step()`` is called after every step; False stops the stream.
        """
        self._check_lr(lr)
        if self.engine != "brian2" or steps <= 0:
            for _ in range(steps):
                self.learn(next_batch(), lr)
                if not after_step():
                    return
            return
        first = self.check_stimuli(next_batch())  # the first batch fixes the size of the window

        def more():
            while True:
                yield next_batch()

        batches = itertools.chain([first], more())
        pending = {}

        def start():
            x = np.ascontiguousarray(self.check_stimuli(next(batches)))
            pending["x"] = x
            g_ff, v0, pending["threshold"] = self._start(x)
            return v0, g_ff, pending["threshold"]

        def finish(counts):
            self._update(pending["x"], counts, pending["threshold"], lr)
            return bool(after_step())

        window = self._brian2_window(first.shape[0])
        self._streaming = True
        try:
            window.stream(steps, start, finish)
        finally:
            self._streaming = False

    def params(self) -> dict[str, Any]:
        """The configuration as a plain dict.

        Returns
        -------
        dict
            The :class:`LIFCodingConfig` fields.
        """
        return asdict(self._config)

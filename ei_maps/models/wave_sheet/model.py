"""Spiking E/I sheet: conductance-based LIF neurons on a torus (Keane & Gong 2015), in Numba or Brian2.

    C dV/dt = -gL (V - VL) - gE (V - VE) - gI (V - VI)

with ``gE = gE_ext + sE`` and ``gI = gI_ext + sI``; each presynaptic spike adds
a difference of exponentials to ``s`` that integrates to ``C W(r)``. In units
of C everything is a rate (1/ms), which is how the parameters are given.

Time step, in this order (Brian2 schedule ``thresholds, resets, synapses,
groups``):

1. neurons whose V crossed threshold spike and are reset;
2. their spikes add their weight ``W(r)`` to a fast trace of each target;
3. the synaptic filters take one exact step (the conductance is a
   difference of exponentials of each spike, integrating to ``C W``);
4. V takes one forward-Euler step with the resulting conductances.

So a spike's conductance acts on V in the step it is fired, as in the
published model. Brian2's default schedule (``groups, thresholds, synapses``)
would first integrate V and only then propagate, delaying every conductance
by a step, which slows the waves markedly.

The ``numba`` engine runs the same schedule in one jitted loop
(``_numba.run_steps``) and reproduces Brian2's arithmetic, so it gives the
same spikes as the Brian2 engines without needing Brian2.
"""
from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from typing import Callable, Iterator

import numpy as np

from ..._lazy import DeferredModule
from ...sheet import connection_count, disk_offsets, torus_connections
from .._brian2 import SCHEDULE, brian2_prefs, configure_brian, import_brian2, stop_on_interrupt
from ..contract import configured
from .config import WaveSheetConfig

xr = DeferredModule("xarray")


# Each synaptic conductance s (difference of exponentials) is the output of a
# two-stage linear filter: spikes jump the fast trace q, which decays with the
# rise time; s decays with the decay time and is fed by q. Updated exactly per
# step, s_{n+1} = a_d s_n + c q_n and q_{n+1} = a_r q_n with a = exp(-dt/tau),
# c = (a_d - a_r) / (tau_d - tau_r): a spike of weight W then gives exactly
# s_n = W (exp(-n dt/tau_d) - exp(-n dt/tau_r)) / (tau_d - tau_r), which
# integrates to W, while a synaptic event touches one variable, not two.
_EQUATIONS = """
dv/dt = -g_leak * (v - v_leak) - (g_exc + s_e) * (v - v_exc) - (g_inh + s_i) * (v - v_inh) : volt (unless refractory)
s_e : Hz
s_i : Hz
q_e : 1
q_i : 1
"""


class SimulationStopped(KeyboardInterrupt):
    """A run stopped before its end (Ctrl-C): ``reached_ms`` of the ``target_ms`` were simulated."""

    def __init__(self, reached_ms: float, target_ms: float) -> None:
        super().__init__(f"simulation stopped at {reached_ms:.1f} of {target_ms:.1f} ms")
        self.reached_ms, self.target_ms = reached_ms, target_ms


def neuron_positions(config: WaveSheetConfig) -> xr.Dataset:
    """Site coordinates and types of every neuron: excitatory first, then inhibitory.

    Parameters
    ----------
    config : WaveSheetConfig
        The sheet's parameters (``side`` and ``inh_spacing`` are used).

    Returns
    -------
    xarray.Dataset
        On ``neuron``: ``neuron_x``, ``neuron_y`` (sites) and ``neuron_is_exc``.
    """
    x, y, n_exc = _sites(config)
    return xr.Dataset({"neuron_x": ("neuron", x), "neuron_y": ("neuron", y),
                       "neuron_is_exc": ("neuron", np.arange(x.size) < n_exc)})


def _sites(config: WaveSheetConfig) -> tuple[np.ndarray, np.ndarray, int]:
    """The sites ``x``, ``y`` of every neuron, excitatory first, and how many are excitatory.

    The arrays of :func:`neuron_positions` without xarray: a sheet is built before xarray is imported.
    """
    side, step = config.side, config.inh_spacing
    ey, ex = np.divmod(np.arange(side * side), side)
    iy, ix = np.divmod(np.arange((side // step) ** 2), side // step)
    return np.concatenate([ex, ix * step]), np.concatenate([ey, iy * step]), ex.size


def _si_parameters(c: WaveSheetConfig) -> np.ndarray:
    """The numba engine's constants (``_numba.PARAMS``) in SI units, computed as Brian2's namespace holds them."""
    ms = mV = 1e-3  # Brian2's ms and mV are these floats: the same products and quotients
    a = {"e": (np.exp(-c.dt / c.tau_decay_exc), np.exp(-c.dt / c.tau_rise_exc), c.tau_decay_exc - c.tau_rise_exc),
         "i": (np.exp(-c.dt / c.tau_decay_inh), np.exp(-c.dt / c.tau_rise_inh), c.tau_decay_inh - c.tau_rise_inh)}
    values = {"g_leak": c.g_leak / ms, "v_leak": c.v_leak * mV, "v_exc": c.v_exc * mV, "v_inh": c.v_inh * mV,
              "g_exc": c.drive_exc / ms, "g_inh": c.drive_inh / ms, "v_threshold": c.v_threshold * mV,
              "v_reset": c.v_reset * mV, "dt": c.dt * ms}
    for kind, (a_d, a_r, width) in a.items():
        values.update({f"a_d_{kind}": a_d, f"a_r_{kind}": a_r, f"c_{kind}": (a_d - a_r) / width / ms})
    from ._numba import PARAMS
    return np.array([values[name] for name in PARAMS], np.float64)


def _calc_timestep(t_s: float, dt_s: float) -> int:
    """The step Brian2's clock reaches for the time ``t_s`` (nearest, within 1e-4 of a step, else the next one)."""
    n = int(np.round(t_s / dt_s))
    if n * dt_s == t_s or abs(n * dt_s - t_s) / dt_s <= 1e-4:
        return n
    return int(np.ceil(t_s / dt_s))


@contextlib.contextmanager
def _stop_flag() -> Iterator[list]:
    """Around the numba engine's loop: the first Ctrl-C sets the flag (the run stops after the current
    chunk of steps), a second one raises KeyboardInterrupt at once.

    As :func:`ei_maps.models._brian2.stop_on_interrupt`, without Brian2: a
    process that ignores SIGINT keeps ignoring it, and outside the main
    thread nothing is installed.
    """
    flag = [False]
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (signal.SIG_IGN, None):
        yield flag
        return

    def handler(signum, frame):
        if flag[0]:
            raise KeyboardInterrupt
        flag[0] = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


class WaveSheet:
    """The spiking E/I sheet, simulated by a jitted loop (default) or by Brian2.

    Parameters
    ----------
    config : WaveSheetConfig, optional
        Published parameters by default (300 x 300 sheet).
    engine : {"numba", "kernel", "synapses"}
        ``"numba"`` (default) runs the whole time loop in Numba on all cores
        (the sheet cut into row bands, one parallel region per step), with
        Brian2's schedule and arithmetic: the same spikes as the Brian2
        engines, several times faster, in a tenth of the memory, and no
        Brian2 needed. ``"kernel"`` is Brian2 (one core) with each spike's
        disk of weights scattered by a jitted kernel from a network operation
        in the synapses slot: no synapse lists. ``"synapses"`` uses Brian2
        ``Synapses`` objects (99.6 million of them at 300 x 300) and is kept
        to check the kernel. All three give the same spikes.
    **overrides
        Any :class:`WaveSheetConfig` field, e.g. ``side=60, w_inh=0.1``.

    Examples
    --------
    >>> sheet = WaveSheet(side=100)
    >>> spikes = sheet.run(1000.0)          # xarray Dataset, times in ms
    """

    ENGINES = ("numba", "kernel", "synapses")

    #: Row bands per thread of the numba engine: more bands share a wave out more evenly between the threads.
    BANDS_PER_THREAD = 4

    #: Below this many neurons the numba engine runs on one thread: a step is then too short (~10 us at
    #: 100 x 100) for a parallel region to pay, and a thread waiting for a busy core stalls every step.
    MIN_NEURONS_PER_THREAD = 40000

    def __init__(self, config: WaveSheetConfig | None = None, engine: str = "numba", **overrides) -> None:
        if engine not in self.ENGINES:
            raise ValueError(f"engine must be one of {self.ENGINES}, got {engine!r}")
        self.engine = engine
        self.config = configured(WaveSheetConfig, config, overrides)
        self._site_x, self._site_y, self.n_exc = _sites(self.config)
        self.n_inh = self._site_x.size - self.n_exc
        self._net = None
        self._numba = None  # the numba engine's state and tables, once built
        self._threads: int | None = None  # the numba engine's threads, fixed (benchmarks, tests); None: chosen
        self._elapsed_ms = 0.0

    @property
    def positions(self) -> xr.Dataset:
        """Every neuron's site and type (:func:`neuron_positions` of the sheet's configuration)."""
        return neuron_positions(self.config)

    # ------------------------------------------------------------------ build
    @property
    def built(self) -> bool:
        """Whether :meth:`build` has run."""
        return self._net is not None or self._numba is not None

    @property
    def runs_serially(self) -> bool:
        """Whether every step runs on the calling thread with the GIL released (the numba engine's serial
        loop: a built sheet with one thread, or fixed to one): other Python threads then cost it nothing."""
        return self._numba is not None and self._fixed_threads() == 1

    def _fixed_threads(self) -> int | None:
        """The numba engine's thread count for every chunk of steps, or None while it is chosen chunk by chunk."""
        import numba

        most = min(numba.get_num_threads(), self._numba["threads"])
        if most == 1:
            return 1
        if self._threads is not None:
            return max(1, min(most, self._threads))
        return None

    def build(self) -> None:
        """Create the simulation: the numba engine's state and tables (and its compiled loop), or the Brian2
        network (neurons, spike propagation, monitors)."""
        if self.engine == "numba":
            self._build_numba()
        else:
            self._build_brian2()

    def _build_numba(self) -> None:
        import numba

        from . import _numba as kernels

        c = self.config
        n = self.n_exc + self.n_inh
        rng = np.random.default_rng(c.seed)
        # two draws, excitatory then inhibitory, as the Brian2 build makes them; mV is 1e-3
        v = np.concatenate([rng.uniform(c.v_reset, c.v_threshold, self.n_exc),
                            rng.uniform(c.v_reset, c.v_threshold, self.n_inh)]) * 1e-3
        params = _si_parameters(c)
        dt_s = float(params[kernels.PARAMS.index("dt")])
        dy, dx = disk_offsets(c.radius, c.side)
        d2 = (dy * dy + dx * dx).astype(float)
        w_exc = c.w_exc * (np.exp(-d2 / c.exc_width) if c.exc_width > 0 else np.ones_like(d2))
        threads = max(1, min(numba.get_num_threads(), n // self.MIN_NEURONS_PER_THREAD))
        tables = kernels.band_tables(self._site_x, self._site_y, self.n_exc, c.side, c.inh_spacing, w_exc,
                                     np.full(d2.shape, float(c.w_inh)), dy, dx, threads * self.BANDS_PER_THREAD,
                                     threads)
        state = {"v": v, "s_e": np.zeros(n), "s_i": np.zeros(n), "q_e": np.zeros(n), "q_i": np.zeros(n),
                 # Brian2 starts lastspike at -10 ks: far enough back never to be refractory
                 "last": np.full(n, -(1 << 40), np.int64)}
        # Brian2's refractory test is timestep(t - lastspike) >= timestep(refractory), timestep(x) = int(x / dt
        # + 1e-3): with t and lastspike both multiples of dt, that is a difference of steps
        ref_steps = int((c.refractory * 1e-3 + 1e-3 * dt_s) / dt_s)
        # step 0 starts with Brian2's threshold on the initial potentials
        first = np.flatnonzero(state["v"] > params[kernels.PARAMS.index("v_threshold")])
        pending = np.zeros(n, np.int64)
        pending_v = np.zeros(n)
        pending[:first.size] = first
        pending_v[:first.size] = state["v"][first]
        state["v"][first] = params[kernels.PARAMS.index("v_reset")]
        state["last"][first] = 0
        n_first_exc = int((first < self.n_exc).sum())
        capacity = max(4 * n, 1 << 16)
        self._numba = {
            "state": state, "tables": tables, "params": params, "ref_steps": ref_steps, "dt_s": dt_s,
            "pending": pending, "pending_v": pending_v,
            "counts": np.array([n_first_exc, first.size - n_first_exc, first.size], np.int64),
            "buf": np.zeros(n, np.int64), "vbuf": np.zeros(n), "band_count": np.zeros((tables["e_lo"].size, 2),
                                                                                       np.int64),
            "rec_neuron": np.empty(capacity, np.int32), "rec_step": np.empty(capacity, np.int32),
            "step": 0, "t_s": 0.0, "fused": True, "threads": threads,
        }
        self._numba["rec_neuron"][:first.size] = first
        self._numba["rec_step"][:first.size] = 0
        # counted from the tables (each source's class has its offsets, one of them itself in its own
        # population, weight 0): connection_count's per-source masks would cost ~100 MB at 300 x 300
        sizes = tables["gstart"][:, :, -1] - tables["gstart"][:, :, 0]
        cls = tables["src_class"]
        exc, inh = cls[:self.n_exc], cls[self.n_exc:]
        self.n_synapses = int(sizes[0][exc].sum() - self.n_exc + sizes[1][exc].sum() + sizes[2][inh].sum()
                              + sizes[3][inh].sum() - self.n_inh)
        # compiles the loops this sheet can run (one thread: the serial one only), or loads them from
        # Numba's cache, here rather than in run()
        self._warm_loops()

    def _warm_loops(self) -> None:
        from ._numba import run_steps, run_steps_serial

        e, st, tb = self._numba, self._numba["state"], self._numba["tables"]
        for loop in [run_steps_serial] + ([run_steps] if e["threads"] > 1 else []):
            self._call_run_steps(loop, 0, e, st, tb)

    def _run_steps(self, n_steps: int) -> int:
        """Run up to ``n_steps`` steps on as many threads as has been faster lately (all, or one).

        Each step ends at a barrier, so on a machine whose cores are busy with
        other work a paused thread stalls every step: beside outside load the
        published sheet took 80 s on two threads and 24 s on one. The bands
        are the same whatever the thread count (each is one thread's in a
        step), so the choice changes only the speed, never the spikes. One
        thread runs the serial loop: Numba takes the GIL to open each
        parallel region, so a busy Python thread in the process stalled every
        step of the parallel loop, even on one thread (100 x 100 for 1 s:
        112 s instead of 1.2 s); the serial loop holds no GIL.
        """
        import numba

        from .._workers import FastestOf
        from ._numba import run_steps, run_steps_serial

        e, st, tb = self._numba, self._numba["state"], self._numba["tables"]
        threads = numba.get_num_threads()
        use = self._fixed_threads()
        chooser = None
        if use is None:
            most = min(threads, e["threads"])
            if e.get("chooser_for") != most:
                # tried rarely when it is much slower: a try on an idle machine costs its extra time; at most
                # 50 chunks (~10 s) apart, so a run of seconds still finds the cores freed
                chooser = FastestOf((str(most), "1"), explore_every=25, warmup=3, max_spacing=2.0)
                e["chooser"], e["chooser_for"] = chooser, most
            chooser = e["chooser"]
            use = int(chooser.pick())
        numba.set_num_threads(use)
        try:
            started = time.perf_counter()
            done = self._call_run_steps(run_steps if use > 1 else run_steps_serial, n_steps, e, st, tb)
            if chooser is not None and done > 0:
                chooser.record(str(use), time.perf_counter() - started, done)
            return done
        finally:
            numba.set_num_threads(threads)

    def _call_run_steps(self, run_steps, n_steps, e, st, tb) -> int:
        from ._numba import BandTables, SpikeBuffers, WaveState

        state = WaveState(*(st[k] for k in WaveState._fields))
        tables = BandTables(*(tb[k] for k in BandTables._fields))
        spikes = SpikeBuffers(*(e[k] for k in SpikeBuffers._fields))
        return int(run_steps(e["step"], n_steps, e["fused"], state, e["params"], e["ref_steps"], self.n_exc, tables,
                             spikes))

    def _reserve(self, n_spikes: int) -> None:
        """Room for ``n_spikes`` more recorded spikes (untouched room costs no memory: pages are mapped on use)."""
        e = self._numba
        need = int(e["counts"][2]) + n_spikes
        if need > e["rec_neuron"].size:
            size = max(need, int(1.5 * e["rec_neuron"].size))
            for key in ("rec_neuron", "rec_step"):
                grown = np.empty(size, np.int32)
                grown[:e["counts"][2]] = e[key][:e["counts"][2]]
                e[key] = grown

    def _build_brian2(self) -> None:
        configure_brian()  # first, so a missing Brian2 gets a clear error
        import brian2 as b2

        c = self.config
        ms, mV = b2.ms, b2.mV
        # its own clock: Brian2's defaultclock is global state of the caller's
        self._clock = b2.Clock(dt=c.dt * ms, name="wave_sheet_clock")
        namespace = {
            "g_leak": c.g_leak / ms, "v_leak": c.v_leak * mV, "v_exc": c.v_exc * mV, "v_inh": c.v_inh * mV,
            "g_exc": c.drive_exc / ms, "g_inh": c.drive_inh / ms,
            "v_threshold": c.v_threshold * mV, "v_reset": c.v_reset * mV,
            # exact one-step propagators of the synaptic filters (see _EQUATIONS)
            "a_d_e": np.exp(-c.dt / c.tau_decay_exc), "a_r_e": np.exp(-c.dt / c.tau_rise_exc),
            "a_d_i": np.exp(-c.dt / c.tau_decay_inh), "a_r_i": np.exp(-c.dt / c.tau_rise_inh),
            "c_e": (np.exp(-c.dt / c.tau_decay_exc) - np.exp(-c.dt / c.tau_rise_exc))
                   / (c.tau_decay_exc - c.tau_rise_exc) / ms,
            "c_i": (np.exp(-c.dt / c.tau_decay_inh) - np.exp(-c.dt / c.tau_rise_inh))
                   / (c.tau_decay_inh - c.tau_rise_inh) / ms,
            "w_inh": c.w_inh,
        }
        rng = np.random.default_rng(c.seed)

        def population(n: int, name: str):
            group = b2.NeuronGroup(n, _EQUATIONS, threshold="v > v_threshold", reset="v = v_reset",
                                   refractory=c.refractory * ms, method="euler", namespace=namespace, name=name,
                                   clock=self._clock)
            # decay before the Euler step of the same slot: order -1 runs first
            group.run_regularly("s_e = a_d_e * s_e + c_e * q_e\nq_e *= a_r_e\n"
                                "s_i = a_d_i * s_i + c_i * q_i\nq_i *= a_r_i",
                                when="groups", order=-1, name=f"{name}_synaptic_filters")
            group.v = rng.uniform(c.v_reset, c.v_threshold, n) * mV
            return group

        exc = population(self.n_exc, "exc")
        inh = population(self.n_inh, "inh")
        ex, ey = self._site_x[:self.n_exc], self._site_y[:self.n_exc]
        ix, iy = self._site_x[self.n_exc:], self._site_y[self.n_exc:]
        pathway_specs = ((exc, ex, ey, exc, 1, "e"), (exc, ex, ey, inh, c.inh_spacing, "e"),
                         (inh, ix, iy, exc, 1, "i"), (inh, ix, iy, inh, c.inh_spacing, "i"))
        if self.engine == "synapses":
            pathways = self._synapse_pathways(b2, pathway_specs, namespace)
            self.n_synapses = int(sum(len(p) for p in pathways))
        else:
            pathways = [self._kernel_propagation(b2, exc, inh, pathway_specs)]
            self.n_synapses = int(sum(connection_count(sx, sy, spacing, c.radius, src is tgt, c.side)
                                      for src, sx, sy, tgt, spacing, _ in pathway_specs))
        self._exc, self._inh = exc, inh
        self._mon_exc, self._mon_inh = b2.SpikeMonitor(exc), b2.SpikeMonitor(inh)
        self._net = b2.Network(exc, inh, *pathways, self._mon_exc, self._mon_inh)
        self._net.schedule = SCHEDULE

    def _synapse_pathways(self, b2, specs, namespace) -> list:
        """The four pathways as Brian2 ``Synapses`` (engine "synapses")."""
        c = self.config
        pathways = []
        for source, sx, sy, target, spacing, kind in specs:
            pre, post, d2 = torus_connections(sx, sy, spacing, c.side, c.radius, source is target)
            if pre.size == 0:
                continue
            name = f"{source.name}_to_{target.name}"
            if kind == "e":
                # W_E depends on distance: one float32 weight per synapse
                syn = b2.Synapses(source, target, "w : 1", on_pre="q_e_post += w", name=name,
                                  dtype={"w": np.float32}, namespace=namespace, clock=self._clock)
                syn.connect(i=pre, j=post)
                syn.w_ = c.w_exc * (np.exp(-d2 / c.exc_width) if c.exc_width > 0 else 1.0)
            else:
                # W_I is flat: no per-synapse weight to store or read
                syn = b2.Synapses(source, target, on_pre="q_i_post += w_inh", name=name, namespace=namespace,
                                  clock=self._clock)
                syn.connect(i=pre, j=post)
            del pre, post, d2
            pathways.append(syn)
        return pathways

    def _kernel_propagation(self, b2, exc, inh, specs):
        """One network operation that scatters every spike's weights (engine "kernel")."""
        from ._numba import offset_tables, scatter_spikes

        c = self.config
        dy, dx = disk_offsets(c.radius, c.side)
        d2 = (dy * dy + dx * dx).astype(float)
        weights = {"e": c.w_exc * (np.exp(-d2 / c.exc_width) if c.exc_width > 0 else np.ones_like(d2)),
                   "i": np.full(d2.shape, float(c.w_inh))}
        # live views of Brian2's arrays (runtime device): this step's spikes and the traces
        spikespace = {g.name: g.variables["_spikespace"].get_value() for g in (exc, inh)}
        jobs = []
        for source, sx, sy, target, spacing, kind in specs:
            start, cdy, cdx, cw, row, col, r = offset_tables(dy, dx, weights[kind], spacing,
                                                             source is target, c.side)
            sx = np.asarray(sx, np.int64)
            sy = np.asarray(sy, np.int64)
            src_class = (sy % spacing) * spacing + sx % spacing
            jobs.append((spikespace[source.name], sx, sy, src_class, start, cdy, cdx, cw, row, col, r,
                         target.variables[f"q_{kind}"].get_value()))

        def propagate():
            for spikes, *job in jobs:
                n = spikes[-1]  # Brian2 keeps the number of spikes in the last slot
                if n:
                    scatter_spikes(spikes[:n], *job)

        return b2.NetworkOperation(propagate, when="synapses", clock=self._clock, name="spike_propagation")

    def _require_brian2_engine(self, what: str) -> None:
        if self.engine == "numba":
            raise AttributeError(f"{what} belongs to the Brian2 engines; engine 'numba' has no Brian2 network "
                                 "(WaveSheet.state() gives its variables)")

    @property
    def network(self):
        """The Brian2 ``Network`` (built on first use; Brian2 engines only)."""
        self._require_brian2_engine("network")
        if self._net is None:
            self.build()
        return self._net

    @property
    def groups(self):
        """The excitatory and inhibitory Brian2 ``NeuronGroup`` objects (built on first use; Brian2 engines only)."""
        self._require_brian2_engine("groups")
        if self._net is None:
            self.build()
        return self._exc, self._inh

    def state(self) -> dict[str, np.ndarray]:
        """Copies of the state variables over all neurons (excitatory first), in Brian2's SI units.

        The same for every engine between runs: the numba engine resets the
        neurons that spike at the next step early, and shows their potential
        from before that reset, as Brian2 still holds it.

        Returns
        -------
        dict of ndarray
            ``v`` [V], ``s_e``, ``s_i`` [1/s] (synaptic conductances over C)
            and ``q_e``, ``q_i`` [dimensionless] (their fast traces).
        """
        if not self.built:
            self.build()
        names = ("v", "s_e", "s_i", "q_e", "q_i")
        if self.engine != "numba":
            return {k: np.concatenate([np.asarray(g.variables[k].get_value(), float).copy()
                                       for g in (self._exc, self._inh)]) for k in names}
        e = self._numba
        out = {k: e["state"][k].copy() for k in names}
        n_pending = int(e["counts"][0] + e["counts"][1])
        out["v"][e["pending"][:n_pending]] = e["pending_v"][:n_pending]
        return out

    # -------------------------------------------------------------------- run
    def run(self, duration_ms: float, report: Callable[[float], None] | None = None) -> xr.Dataset:
        """Simulate ``duration_ms`` more milliseconds; returns all spikes so far.

        ``report(fraction_done)`` is called about once a second of wall time.
        The numba engine runs in chunks of a fraction of a second, so Ctrl-C
        stops it within that; a Brian2 run has a fixed start-up cost of about
        0.1 s, so it is one ``run`` call.

        Parameters
        ----------
        duration_ms : float
            Simulated time to add [ms].
        report : callable or None
            ``report(fraction_done)``, with ``fraction_done`` from 0 to 1 [dimensionless], for progress.

        Returns
        -------
        xarray.Dataset
            ``spike_neuron`` (int32) and ``spike_time`` (ms) on ``spike`` (time-ordered),
            the neuron positions and types on ``neuron``, and the configuration
            in attrs.

        Raises
        ------
        SimulationStopped
            If the run stopped before its end (Ctrl-C).
        """
        if not (isinstance(duration_ms, (int, float, np.integer, np.floating)) and math.isfinite(duration_ms)
                and duration_ms > 0):
            raise ValueError(f"duration must be a positive number of ms, got {duration_ms!r}")
        if self.engine == "numba":
            return self._run_numba(float(duration_ms), report)
        b2 = import_brian2()
        if self._net is None:
            self.build()
        kwargs = {}
        if report is not None:
            kwargs = {"report": lambda elapsed, complete, start, duration: report(float(complete)),
                      "report_period": 1 * b2.second}
        target_ms = self._elapsed_ms + duration_ms
        with stop_on_interrupt(), brian2_prefs():
            self._net.run(duration_ms * b2.ms, **kwargs)
        # the real simulated time: a stopped run ends early (Ctrl-C, or a stop from elsewhere)
        self._elapsed_ms = float(self._net.t / b2.ms)
        if self._elapsed_ms < target_ms - 0.5 * self.config.dt:
            raise SimulationStopped(self._elapsed_ms, target_ms)
        return self.spikes()

    #: Wall time one call of the jitted loop aims at [s]: short enough for Ctrl-C and progress, long enough
    #: that the calls cost nothing.
    CHUNK_SECONDS = 0.2

    def _run_numba(self, duration_ms: float, report) -> xr.Dataset:
        if self._numba is None:
            self.build()
        e = self._numba
        n = self.n_exc + self.n_inh
        dt_s = e["dt_s"]
        target_ms = self._elapsed_ms + duration_ms
        # the end step as Brian2's clock sets it (Network.run: t + duration, in seconds)
        t_end_s = e["t_s"] + duration_ms * 1e-3
        end_step = _calc_timestep(t_end_s, dt_s)
        start_step = e["step"]
        # room for the spikes at up to 60 Hz; pages never written cost nothing
        self._reserve(int(60.0 * n * (end_step - start_step) * dt_s) + n)
        chunk = 20
        last_report = time.perf_counter()
        with _stop_flag() as stopped:
            while e["step"] < end_step and not stopped[0]:
                if int(e["counts"][2]) + n > e["rec_neuron"].size:
                    self._reserve(max(n, int(e["counts"][2]) // 2))
                want = min(chunk, end_step - e["step"])
                started = time.perf_counter()
                done = self._run_steps(want)
                e["step"] += done
                spent = time.perf_counter() - started
                if done == want and spent > 0:
                    chunk = int(min(max(chunk * self.CHUNK_SECONDS / spent, 1), 4 * chunk + 1))
                if report is not None and started - last_report >= 1.0:
                    last_report = started
                    report((e["step"] - start_step) / max(1, end_step - start_step))
        if e["step"] >= end_step:
            e["t_s"] = t_end_s
            self._elapsed_ms = target_ms
            if report is not None:
                report(1.0)
            return self.spikes()
        e["t_s"] = e["step"] * dt_s
        self._elapsed_ms = e["t_s"] / 1e-3
        raise SimulationStopped(self._elapsed_ms, target_ms)

    def spikes(self) -> xr.Dataset:
        """All spikes recorded so far as a Dataset (see :meth:`run`)."""
        from ...io import config_attrs

        if not self.built:
            self.build()
        if self.engine == "numba":
            e = self._numba
            recorded = int(e["counts"][2])
            # the last entries are the spikes of the next step, detected ahead: not simulated yet
            m = int(np.searchsorted(e["rec_step"][:recorded], e["step"], side="left"))
            # recorded in time order, excitatory before inhibitory in a step, as the sort below leaves Brian2's
            # int32 as recorded (the sheet has fewer than 2**31 neurons): half the bytes of int64
            neuron = e["rec_neuron"][:m].copy()
            # in place: the same products and quotients as (step * dt) / 1e-3, without two temporaries of
            # 8 bytes a spike (36 MB each at 300 x 300 for 2 s) at the run's peak
            time_ms = e["rec_step"][:m].astype(np.float64)
            time_ms *= e["dt_s"]
            time_ms /= 1e-3
        else:
            me, mi = self._mon_exc, self._mon_inh
            neuron = np.concatenate([np.asarray(me.i[:], np.int64), np.asarray(mi.i[:], np.int64) + self.n_exc])
            time_ms = np.concatenate([np.asarray(me.t[:] / 1e-3), np.asarray(mi.t[:] / 1e-3)])
            order = np.argsort(time_ms, kind="stable")
            neuron, time_ms = neuron[order].astype(np.int32), time_ms[order]
        ds = self.positions
        ds["spike_neuron"] = ("spike", neuron)
        ds["spike_time"] = ("spike", time_ms)
        ds["spike_time"].attrs["units"] = "ms"
        ds.attrs.update(config_attrs("lif", self.config))
        ds.attrs.update(side=self.config.side, duration_ms=self._elapsed_ms, dt_ms=self.config.dt,
                        n_exc=self.n_exc, n_inh=self.n_inh)
        return ds

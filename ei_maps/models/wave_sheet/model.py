"""Spiking E/I sheet in Brian2: conductance-based LIF neurons on a torus (Keane & Gong 2015).

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
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ...sheet import connection_count, disk_offsets, torus_connections
from .._brian2 import SCHEDULE, brian2_prefs, configure_brian, import_brian2, stop_on_interrupt
from .config import WaveSheetConfig


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
    side, step = config.side, config.inh_spacing
    ey, ex = np.divmod(np.arange(side * side), side)
    iy, ix = np.divmod(np.arange((side // step) ** 2), side // step)
    x = np.concatenate([ex, ix * step])
    y = np.concatenate([ey, iy * step])
    is_exc = np.concatenate([np.ones(ex.size, bool), np.zeros(ix.size, bool)])
    return xr.Dataset({"neuron_x": ("neuron", x), "neuron_y": ("neuron", y),
                       "neuron_is_exc": ("neuron", is_exc)})


class WaveSheet:
    """The spiking E/I sheet, built in Brian2.

    Parameters
    ----------
    config : WaveSheetConfig, optional
        Published parameters by default (300 x 300 sheet).
    engine : {"kernel", "synapses"}
        How spikes reach their targets. ``"kernel"`` (default) scatters each
        spike's disk of weights with a jitted kernel from a Brian2 network
        operation in the synapses slot: no synapse lists, no synapse memory,
        about twice as fast. ``"synapses"`` uses Brian2 ``Synapses`` objects
        (99.6 million of them at 300 x 300) and is kept to check the kernel;
        both give the same spikes.
    **overrides
        Any :class:`WaveSheetConfig` field, e.g. ``side=60, w_inh=0.1``.

    Examples
    --------
    >>> sheet = WaveSheet(side=100)
    >>> spikes = sheet.run(1000.0)          # xarray Dataset, times in ms
    """

    ENGINES = ("kernel", "synapses")

    def __init__(self, config: WaveSheetConfig | None = None, engine: str = "kernel", **overrides) -> None:
        if engine not in self.ENGINES:
            raise ValueError(f"engine must be one of {self.ENGINES}, got {engine!r}")
        self.engine = engine
        self.config = (config or WaveSheetConfig()).replace(**overrides) if overrides else (config or WaveSheetConfig())
        self.positions = neuron_positions(self.config)
        self.n_exc = int(self.positions["neuron_is_exc"].sum())
        self.n_inh = self.positions.sizes["neuron"] - self.n_exc
        self._net = None
        self._elapsed_ms = 0.0

    # ------------------------------------------------------------------ build
    def build(self) -> None:
        """Create the Brian2 network (neurons, spike propagation, monitors)."""
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
        pos = self.positions
        ex, ey = pos["neuron_x"].values[:self.n_exc], pos["neuron_y"].values[:self.n_exc]
        ix, iy = pos["neuron_x"].values[self.n_exc:], pos["neuron_y"].values[self.n_exc:]
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

    @property
    def network(self):
        """The Brian2 ``Network`` (built on first use)."""
        if self._net is None:
            self.build()
        return self._net

    @property
    def groups(self):
        """The excitatory and inhibitory Brian2 ``NeuronGroup`` objects (built on first use)."""
        if self._net is None:
            self.build()
        return self._exc, self._inh

    # -------------------------------------------------------------------- run
    def run(self, duration_ms: float, report=None) -> xr.Dataset:
        """Simulate ``duration_ms`` more milliseconds; returns all spikes so far.

        ``report(fraction_done)`` is called about once a second of wall time
        (one ``run`` call: each Brian2 run has a fixed start-up cost of about
        0.1 s, so progress is not bought by splitting the run).

        Parameters
        ----------
        duration_ms : float
            Simulated time to add [ms].
        report : callable or None
            ``report(fraction_done)``, with ``fraction_done`` from 0 to 1, for progress.

        Returns
        -------
        xarray.Dataset
            ``spike_neuron`` and ``spike_time`` (ms) on ``spike`` (time-ordered),
            the neuron positions and types on ``neuron``, and the configuration
            in attrs.

        Raises
        ------
        SimulationStopped
            If the run stopped before its end (Ctrl-C).
        """
        b2 = import_brian2()
        if not (np.isfinite(duration_ms) and duration_ms > 0):
            raise ValueError(f"duration must be a positive number of ms, got {duration_ms!r}")
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

    def spikes(self) -> xr.Dataset:
        """All spikes recorded so far as a Dataset (see :meth:`run`)."""
        from ...io import config_attrs

        me, mi = self._mon_exc, self._mon_inh
        neuron = np.concatenate([np.asarray(me.i[:], np.int64), np.asarray(mi.i[:], np.int64) + self.n_exc])
        time_ms = np.concatenate([np.asarray(me.t[:] / 1e-3), np.asarray(mi.t[:] / 1e-3)])
        order = np.argsort(time_ms, kind="stable")
        ds = self.positions.copy()
        ds["spike_neuron"] = ("spike", neuron[order])
        ds["spike_time"] = ("spike", time_ms[order])
        ds["spike_time"].attrs["units"] = "ms"
        ds.attrs.update(config_attrs("lif", self.config))
        ds.attrs.update(side=self.config.side, duration_ms=self._elapsed_ms, dt_ms=self.config.dt,
                        n_exc=self.n_exc, n_inh=self.n_inh)
        return ds

"""Parameters of the spiking wave sheet (:class:`WaveSheetConfig`, Keane & Gong 2015)."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace
from typing import Any

from ...config import check_seed, is_int, require

@dataclass(frozen=True)
class WaveSheetConfig:
    """Parameters of the spiking E/I sheet (Keane & Gong 2015, published configuration).

    Units: conductances per capacitance in 1/ms, potentials in mV, times in
    ms, distances in grid units (sites). Weights are dimensionless: a presynaptic spike's
    conductance integrates to ``C * W(r)``.

    Parameters
    ----------
    side : int
        The sheet is a ``side x side`` torus with an excitatory neuron at every
        site and an inhibitory one every ``inh_spacing`` sites in x and y [grid units].
    radius : float
        Every pair within this distance is connected (no self-connections);
        on a torus smaller than the disk each pair is still connected once [grid units].
    w_exc : float
        Peak excitatory weight in ``W_E(r) = w_exc * exp(-r^2 / exc_width)`` [dimensionless].
    exc_width : float
        Width of the excitatory Gaussian in ``W_E(r)`` (it divides ``r^2``) [grid units^2].
    w_inh : float
        Flat inhibitory weight ``W_I`` [dimensionless].
    inh_spacing : int
        Spacing of the inhibitory neurons in x and y; ``side`` must be a multiple of it [grid units].
    g_leak : float
        Leak conductance over capacitance: ``tau_m = 1 / g_leak`` [1/ms].
    v_leak, v_reset, v_exc, v_inh, v_threshold : float
        Leak, reset, excitatory and inhibitory reversal, and threshold potentials [mV].
    refractory : float
        Refractory period [ms].
    tau_rise_exc, tau_decay_exc, tau_rise_inh, tau_decay_inh : float
        Difference-of-exponentials synaptic time constants [ms].
    drive_exc, drive_inh : float
        Constant external excitatory and inhibitory conductances over C [1/ms].
    dt : float
        Time step [ms].
    seed : int
        Seed of the initial membrane potentials (uniform in [v_reset, v_threshold]).
    """

    side: int = 300
    radius: float = 15.0
    w_exc: float = 0.23
    exc_width: float = 12.0
    w_inh: float = 0.30
    inh_spacing: int = 2
    g_leak: float = 0.05
    v_leak: float = -70.0
    v_reset: float = -70.0
    v_exc: float = 0.0
    v_inh: float = -80.0
    v_threshold: float = -55.0
    refractory: float = 5.0
    tau_rise_exc: float = 0.5
    tau_decay_exc: float = 2.0
    tau_rise_inh: float = 0.5
    tau_decay_inh: float = 7.0
    drive_exc: float = 0.015
    drive_inh: float = 0.002
    dt: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("side", "inh_spacing"):
            value = getattr(self, name)
            require(is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        require(self.side % self.inh_spacing == 0,
                 f"side ({self.side}) must be a multiple of inh_spacing ({self.inh_spacing}) on a torus")
        for f in fields(self):
            value = getattr(self, f.name)
            require(isinstance(value, numbers.Real) and math.isfinite(value),
                     f"{f.name} must be a finite number, got {value!r}")
        for name in ("radius", "g_leak", "dt", "tau_rise_exc", "tau_decay_exc", "tau_rise_inh", "tau_decay_inh"):
            require(getattr(self, name) > 0, f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("w_exc", "w_inh", "drive_exc", "drive_inh", "refractory", "exc_width"):
            require(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)!r}")
        require(self.tau_decay_exc > self.tau_rise_exc and self.tau_decay_inh > self.tau_rise_inh,
                 "synaptic decay times must exceed the rise times")
        require(self.v_reset < self.v_threshold, "v_reset must be below v_threshold")
        require(self.dt * self.g_leak < 1, f"dt * g_leak = {self.dt * self.g_leak} must be < 1 for forward Euler")
        check_seed(self.seed)
        # a disk wider than half the torus wraps onto itself (each pair is still connected once, see
        # sheet.disk_offsets); one larger than the whole sheet only repeats sites
        require(self.radius >= 1,
                f"radius ({self.radius:g} sites) must be at least 1: a smaller disk holds no neighbor, and the "
                "sheet would have no lateral connections")
        require(self.radius <= self.side,
                f"radius ({self.radius:g} sites) must be at most the side of the sheet ({self.side})")

    def memory_bytes(self, duration_ms: float, engine: str = "numba") -> float:
        """About how many bytes a run of ``duration_ms`` needs (the peak of ``ei-maps waves``).

        The larger of the simulation and the analysis after it (the
        simulation is freed first), plus the interpreter and libraries
        (about 250 MB with Numba), for spikes at up to 50 Hz. The Brian2
        engines hold about 10 kB per neuron (1.2 GB at 300 x 300), the numba
        engine a few hundred bytes; a spike takes 8 bytes as recorded, 16 in
        the Dataset and 8 more while that is built. The analysis holds the
        Dataset, a byte per (2 ms bin, 2 x 2 block) of the sheet, about 12
        bytes per spike for the active blocks' clusters and fronts, and
        chunks of a fixed size (about 50 MB). Measured on the published
        sheet for 2 s (20 Hz): 0.51 GB peak, after the simulation.

        Parameters
        ----------
        duration_ms : float
            Simulated time [ms].
        engine : {"numba", "kernel", "synapses"}
            The simulator (:class:`~ei_maps.models.wave_sheet.WaveSheet`).

        Returns
        -------
        float
            The estimate [bytes].
        """
        neurons = self.side ** 2 * (1 + 1 / self.inh_spacing ** 2)
        spikes = neurons * 50.0 * duration_ms / 1e3
        analysis = 16 * spikes + self.side ** 2 * duration_ms / 8 + 12 * spikes + 5e7
        if engine == "numba":
            return float(2.5e8 + max(500 * neurons + 32 * spikes, analysis))
        return float(2e8 + max(1e4 * neurons + 32 * spikes, analysis))

    def replace(self, **changes: Any) -> "WaveSheetConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

"""Parameters of the spiking wave sheet (:class:`WaveSheetConfig`, Keane & Gong 2015)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ...config import check_seed, require
from ...params import check_declared, declared, param
from .._membrane import Membrane


@declared
@dataclass(frozen=True)
class WaveSheetConfig(Membrane):
    """Parameters of the spiking E/I sheet (Keane & Gong 2015, published configuration).

    Units: conductances per capacitance in 1/ms, potentials in mV, times in
    ms, distances in grid units (sites). Weights are dimensionless: a
    presynaptic spike's conductance integrates to ``C * W(r)``, with
    ``W_E(r) = w_exc * exp(-r^2 / exc_width)`` and a flat ``W_I = w_inh``.
    The membrane parameters are the spiking models' shared ones
    (:class:`~ei_maps.models._membrane.Membrane`).
    """

    side: int = param(300, "the sheet is a side x side torus with an excitatory neuron at every site and an "
                           "inhibitory one every inh_spacing sites in x and y", "grid units", low=1)
    radius: float = param(15.0, "every pair within this distance (at least 1, at most the side) is connected (no "
                                "self-connections); on a torus smaller than the disk each pair is still connected "
                                "once", "grid units")
    w_exc: float = param(0.23, "peak excitatory weight in W_E(r)", "dimensionless", low=0)
    exc_width: float = param(12.0, "width of the excitatory Gaussian in W_E(r) (it divides r^2)", "grid units^2",
                             low=0)
    w_inh: float = param(0.30, "flat inhibitory weight W_I", "dimensionless", low=0)
    inh_spacing: int = param(2, "spacing of the inhibitory neurons in x and y; side must be a multiple of it",
                             "grid units", low=1)
    v_threshold: float = param(-55.0, "threshold potential", "mV")
    refractory: float = param(5.0, "refractory period", "ms", low=0)
    tau_rise_exc: float = param(0.5, "rise time of the excitatory difference of exponentials", "ms", low=0,
                                low_open=True)
    tau_decay_exc: float = param(2.0, "decay time of the excitatory difference of exponentials", "ms", low=0,
                                 low_open=True)
    tau_rise_inh: float = param(0.5, "rise time of the inhibitory difference of exponentials", "ms", low=0,
                                low_open=True)
    tau_decay_inh: float = param(7.0, "decay time of the inhibitory difference of exponentials", "ms", low=0,
                                 low_open=True)
    seed: int = param(0, "seed of the initial membrane potentials (uniform in [v_reset, v_threshold])", kind=int)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_declared(self)
        require(self.side % self.inh_spacing == 0,
                f"side ({self.side}) must be a multiple of inh_spacing ({self.inh_spacing}) on a torus")
        require(self.tau_decay_exc > self.tau_rise_exc and self.tau_decay_inh > self.tau_rise_inh,
                "synaptic decay times must exceed the rise times")
        require(self.v_reset < self.v_threshold, "v_reset must be below v_threshold")
        require(self.dt * self.g_leak < 1, f"dt * g_leak = {self.dt * self.g_leak} must be < 1 for forward Euler")
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

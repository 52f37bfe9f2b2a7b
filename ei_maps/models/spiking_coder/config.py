"""Parameters of the spiking sparse coder (:class:`LIFCodingConfig`), in the paper's units."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace
from typing import Any

from ...config import check_seed, is_int, require

@dataclass(frozen=True)
class LIFCodingConfig:
    """Parameters of the spiking sparse-coding sheet (the paper's appendix, adapted).

    Units as in :class:`~ei_maps.models.wave_sheet.WaveSheetConfig`: conductances over capacitance in 1/ms,
    potentials in mV, times in ms, distances in grid units (sites).

    Parameters
    ----------
    side : int
        The sheet has ``side x side`` sites, one neuron per site [grid units].
    n_inputs : int
        Input dimension (256 for 16 x 16 patches) [count].
    inh_every : int
        One site in ``inh_every`` holds an inhibitory neuron, on a regular
        sub-lattice; the others are excitatory [count].
    inh_lattice : {"spread", "paper"}
        ``"spread"``: the most evenly spread sub-lattice of one site in
        ``inh_every``. ``"paper"``: the one of the paper's code, the sites
        with even row and column and (row + column) % 4 == 0 (one in 8, so
        ``inh_every`` must be 8 and ``side`` a multiple of 4 on a torus), to
        run the authors' own dictionary on its own layout.
    boundary : {"periodic", "zero"}
        A torus, or an open sheet whose edge neurons have fewer partners.
    r_exc, r_inh : float
        Radii within which excitatory / inhibitory neurons act [grid units].
    w_exc, w_inh : float
        Kernel sums [1/ms]: the conductance a neuron receives for one step
        when every excitatory (inhibitory) neuron within the radius spikes in
        that step (averaged over positions on the sub-lattice). Excitation
        has a Gaussian profile, inhibition is flat.
    sigma2 : float
        Variance of the excitatory Gaussian [grid units^2].
    g_leak : float
        Leak conductance over C, as in the wave model (the paper's g_L:
        5e-5 S with C = 1 uF is 0.05 /ms) [1/ms].
    v_leak, v_reset, v_exc, v_inh : float
        Leak, reset, excitatory and inhibitory reversal potentials, as in the
        wave model [mV].
    drive_exc : float
        F_E: constant conductance of every neuron's excitatory channel (the
        paper's 15 uS with C = 1 uF) [1/ms].
    drive_inh : float
        F_I: constant conductance of every neuron's inhibitory channel, a
        tonic inhibition (the paper's 2 uS) [1/ms].
    ff_scale : float
        Stimulus conductance per unit of ``max(0, x . phi_j)`` [1/ms], added
        to the excitatory channel (inhibitory columns of the dictionary are
        zero, so inhibitory neurons get F_E only). The paper's 1e-4 S per unit
        with C = 1 uF is 100 /s = 0.1 /ms.
    dt : float
        Time step [ms].
    n_steps : int
        Steps per stimulus window (each from a fresh membrane state, uniform
        between ``v_reset`` and the threshold) [count].
    target_rate : float
        Target activity, counted over all neurons, excitatory and inhibitory
        (the paper: 0.03) [spikes per neuron per window].
    threshold_init : float
        Starting threshold [mV].
    threshold_step : float
        Threshold change per batch per unit of rate error [mV per spike per
        neuron per window]: ``V_T <- V_T + threshold_step * (rate -
        target_rate)``, clamped to ``[v_reset, v_exc]`` (the paper: 1 mV, its
        lr_VT of 0.001 V).
    skip_factor : float
        The dictionary is not updated while the excitatory spikes per neuron
        (all neurons counted) per window exceed ``skip_factor * target_rate``
        [dimensionless].
    seed : int
        Seed of the dictionary and of the initial membrane states, drawn
        from its independent ``"dictionary"`` and ``"network"`` streams
        (:func:`ei_maps.seeds.stream`).

    Notes
    -----
    The paper states its values in SI units with C = 1 uF; here every
    conductance is divided by C: ``g [1/ms] = g [S] / C [F] / 1000``.
    """

    side: int = 30
    n_inputs: int = 256
    inh_every: int = 5
    inh_lattice: str = "spread"
    boundary: str = "periodic"
    r_exc: float = 2.0
    r_inh: float = 5.0
    w_exc: float = 40.0
    w_inh: float = 10.0
    sigma2: float = 2.0
    g_leak: float = 0.05
    v_leak: float = -70.0
    v_reset: float = -70.0
    v_exc: float = 0.0
    v_inh: float = -80.0
    drive_exc: float = 0.015
    drive_inh: float = 0.002
    ff_scale: float = 0.1
    dt: float = 0.05
    n_steps: int = 50
    target_rate: float = 0.03
    threshold_init: float = -20.0
    threshold_step: float = 1.0
    skip_factor: float = 1.1
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("side", "n_inputs", "n_steps"):
            value = getattr(self, name)
            require(is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        require(is_int(self.inh_every) and self.inh_every >= 2,
                 f"inh_every must be an integer >= 2 (one site in inh_every is inhibitory), got {self.inh_every!r}")
        require(self.boundary in ("zero", "periodic"),
                 f"boundary must be 'zero' or 'periodic', got {self.boundary!r}")
        require(self.inh_lattice in ("spread", "paper"),
                 f"inh_lattice must be 'spread' or 'paper', got {self.inh_lattice!r}")
        if self.inh_lattice == "paper":
            require(self.inh_every == 8, f"inh_lattice 'paper' has one inhibitory site in 8: set inh_every=8, "
                                          f"got {self.inh_every}")
        if self.boundary == "periodic":
            period = 4 if self.inh_lattice == "paper" else self.inh_every
            require(self.side % period == 0,
                     f"on a torus side ({self.side}) must be a multiple of {period} so the inhibitory "
                     "sub-lattice closes; use boundary='zero' or another side")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("boundary", "inh_lattice"):
                require(isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value),
                         f"{f.name} must be a finite number, got {value!r}")
        for name in ("r_exc", "r_inh"):
            require(getattr(self, name) >= 1, f"{name} must be >= 1 site, got {getattr(self, name)!r}")
        for name in ("sigma2", "g_leak", "dt", "ff_scale", "threshold_step"):
            require(getattr(self, name) > 0, f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("w_exc", "w_inh", "drive_exc", "drive_inh"):
            require(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)!r}")
        require(0 < self.target_rate < self.n_steps,
                 f"target_rate must lie in (0, n_steps) spikes per neuron per window, got {self.target_rate}")
        require(self.skip_factor >= 1, f"skip_factor must be >= 1, got {self.skip_factor}")
        require(self.v_inh < self.v_reset < self.v_exc,
                 f"need v_inh < v_reset < v_exc, got {self.v_inh}, {self.v_reset}, {self.v_exc}")
        require(self.v_reset <= self.threshold_init <= self.v_exc,
                 f"threshold_init must lie in [v_reset, v_exc], got {self.threshold_init}")
        check_seed(self.seed)

    @property
    def n_sites(self) -> int:
        return self.side * self.side

    def memory_bytes(self, batch: int) -> float:
        """About how many bytes the coder needs for batches of ``batch``.

        Counts the float64 state, conductances and counts per neuron and
        stimulus, and the dictionary three times; an estimate for refusing
        what cannot fit.

        Parameters
        ----------
        batch : int
            Stimuli per batch [count].

        Returns
        -------
        float
            The estimate [bytes].
        """
        sites = self.side ** 2
        return float(8 * (3 * self.n_inputs * sites + 12 * batch * sites))

    def replace(self, **changes: Any) -> "LIFCodingConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

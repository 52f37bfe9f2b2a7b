"""Parameters of the spiking sparse coder (:class:`LIFCodingConfig`), in the paper's units."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ...config import check_seed, require
from ...params import check_declared, declared, param
from .._membrane import Membrane


@declared
@dataclass(frozen=True)
class LIFCodingConfig(Membrane):
    """Parameters of the spiking sparse-coding sheet (the paper's appendix, adapted).

    Units as in :class:`~ei_maps.models.wave_sheet.WaveSheetConfig`: conductances over capacitance in 1/ms,
    potentials in mV, times in ms, distances in grid units (sites); the membrane parameters are the spiking
    models' shared ones (:class:`~ei_maps.models._membrane.Membrane`). ``inh_lattice`` ``"spread"`` is the
    most evenly spread sub-lattice of one site in ``inh_every``; ``"paper"`` the one of the paper's code,
    the sites with even row and column and (row + column) % 4 == 0 (one in 8, so ``inh_every`` must be 8 and
    ``side`` a multiple of 4 on a torus), to run the authors' own dictionary on its own layout. ``w_exc``,
    ``w_inh``: the conductance a neuron receives for one step when every excitatory (inhibitory) neuron
    within the radius spikes in that step (averaged over positions on the sub-lattice); excitation has a
    Gaussian profile, inhibition is flat. The paper states its values in SI units with C = 1 uF; here every
    conductance is divided by C: ``g [1/ms] = g [S] / C [F] / 1000``.
    """

    side: int = param(30, "the sheet has side x side sites, one neuron per site", "grid units", low=1)
    n_inputs: int = param(256, "input dimension (256 for 16 x 16 patches)", "count", low=1)
    inh_every: int = param(5, "one site in inh_every holds an inhibitory neuron, on a regular sub-lattice; the "
                              "others are excitatory", "count", low=2)
    inh_lattice: str = param("spread", "which sub-lattice holds the inhibitory neurons (see above)",
                             choices=("spread", "paper"))
    boundary: str = param("periodic", "a torus, or an open sheet whose edge neurons have fewer partners",
                          choices=("periodic", "zero"))
    r_exc: float = param(2.0, "radius within which excitatory neurons act", "grid units", low=1)
    r_inh: float = param(5.0, "radius within which inhibitory neurons act", "grid units", low=1)
    w_exc: float = param(40.0, "excitatory kernel sum", "1/ms", low=0)
    w_inh: float = param(10.0, "inhibitory kernel sum", "1/ms", low=0)
    sigma2: float = param(2.0, "variance of the excitatory Gaussian", "grid units^2", low=0, low_open=True)
    ff_scale: float = param(0.1, "stimulus conductance per unit of max(0, x . phi_j), added to the excitatory "
                                 "channel (the paper's 1e-4 S per unit with C = 1 uF)", "1/ms", low=0,
                            low_open=True)
    n_steps: int = param(50, "steps per stimulus window, each window from a fresh membrane state uniform "
                             "between v_reset and the threshold", "count", low=1)
    target_rate: float = param(0.03, "target activity, counted over all neurons, excitatory and inhibitory (the "
                                     "paper: 0.03)", "spikes per neuron per window", low=0, low_open=True)
    threshold_init: float = param(-20.0, "starting threshold", "mV")
    threshold_step: float = param(1.0, "threshold change per batch per unit of rate error, V_T <- V_T + "
                                       "threshold_step (rate - target_rate), clamped to [v_reset, v_exc] (the "
                                       "paper: 1 mV)", "mV per spike per neuron per window", low=0, low_open=True)
    skip_factor: float = param(1.1, "the dictionary is not updated while the excitatory spikes per neuron per "
                                    "window exceed skip_factor * target_rate", "dimensionless", low=1)
    seed: int = param(0, "seed of the dictionary and of the initial membrane states, drawn from its independent "
                         "'dictionary' and 'network' streams (ei_maps.seeds.stream)", kind=int)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_declared(self)
        if self.inh_lattice == "paper":
            require(self.inh_every == 8, f"inh_lattice 'paper' has one inhibitory site in 8: set inh_every=8, "
                                         f"got {self.inh_every}")
        if self.boundary == "periodic":
            period = 4 if self.inh_lattice == "paper" else self.inh_every
            require(self.side % period == 0,
                    f"on a torus side ({self.side}) must be a multiple of {period} so the inhibitory "
                    "sub-lattice closes; use boundary='zero' or another side")
        require(self.target_rate < self.n_steps,
                f"target_rate must lie in (0, n_steps) spikes per neuron per window, got {self.target_rate}")
        require(self.v_inh < self.v_reset < self.v_exc,
                f"need v_inh < v_reset < v_exc, got {self.v_inh}, {self.v_reset}, {self.v_exc}")
        require(self.v_reset <= self.threshold_init <= self.v_exc,
                f"threshold_init must lie in [v_reset, v_exc], got {self.threshold_init}")

    @property
    def n_sites(self) -> int:
        """Sites of the sheet, ``side**2`` [count]."""
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

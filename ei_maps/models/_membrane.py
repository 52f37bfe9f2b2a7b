"""The conductance-based LIF membrane both spiking models share (Keane & Gong 2015; the paper's appendix).

Declared once here (:func:`ei_maps.params.param`) and inherited by
:class:`~ei_maps.models.wave_sheet.WaveSheetConfig` and
:class:`~ei_maps.models.spiking_coder.LIFCodingConfig`. Units: conductances
over capacitance in 1/ms, potentials in mV, times in ms.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..params import param


@dataclass(frozen=True)
class Membrane:
    """The membrane and time step of a conductance-based LIF neuron (conductances over C)."""

    g_leak: float = param(0.05, "leak conductance over capacitance: tau_m = 1 / g_leak (the paper's g_L: 5e-5 S "
                                "with C = 1 uF)", "1/ms", low=0, low_open=True)
    v_leak: float = param(-70.0, "leak potential", "mV")
    v_reset: float = param(-70.0, "reset potential", "mV")
    v_exc: float = param(0.0, "excitatory reversal potential", "mV")
    v_inh: float = param(-80.0, "inhibitory reversal potential", "mV")
    drive_exc: float = param(0.015, "F_E: constant external conductance of every neuron's excitatory channel "
                                    "(the paper's 15 uS with C = 1 uF)", "1/ms", low=0)
    drive_inh: float = param(0.002, "F_I: constant external conductance of every neuron's inhibitory channel, a "
                                    "tonic inhibition (the paper's 2 uS)", "1/ms", low=0)
    dt: float = param(0.05, "time step", "ms", low=0, low_open=True)

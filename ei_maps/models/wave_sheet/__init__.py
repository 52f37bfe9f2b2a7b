"""The spiking wave sheet: conductance LIF neurons on a torus that carry propagating waves (Keane & Gong 2015).

Its parameters (:class:`WaveSheetConfig`), the Brian2 model
(:class:`WaveSheet`) and the jitted spike propagation of its "kernel" engine.
"""
from .._brian2 import MissingBrian2Error, configure_brian, import_brian2
from .config import WaveSheetConfig
from .model import WaveSheet, neuron_positions

__all__ = ["MissingBrian2Error", "WaveSheet", "WaveSheetConfig", "configure_brian", "import_brian2",
           "neuron_positions"]

"""ei-maps: topographic maps from networks of excitatory and inhibitory neurons."""
from .config import TextTrainConfig, TouchTrainConfig, TrainConfig
from .models import (ActivationModel, LIFCodingConfig, LIFCodingModel, ModelConfig, UnstableDynamicsError, WaveSheet,
                     WaveSheetConfig)
from .runs import load_model, load_run

from ._version import __version__


def sweep(*args, **kwargs):
    """Parameter sweeps on Dask; see :func:`ei_maps.experiments.sweep.sweep` (imported on first use)."""
    from .experiments.sweep import sweep as _sweep

    return _sweep(*args, **kwargs)


__all__ = ["ActivationModel", "LIFCodingConfig", "LIFCodingModel", "ModelConfig", "TextTrainConfig",
           "TouchTrainConfig", "TrainConfig", "UnstableDynamicsError", "WaveSheet", "WaveSheetConfig", "__version__",
           "load_model", "load_run", "sweep"]

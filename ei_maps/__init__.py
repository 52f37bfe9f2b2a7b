"""ei-maps: topographic maps from networks of excitatory and inhibitory neurons."""
from .config import LIFCodingConfig, ModelConfig, TrainConfig
from .models import ActivationModel, LIFCodingModel, UnstableDynamicsError
from .runs import load_model, load_run

__version__ = "0.1.0"


def sweep(*args, **kwargs):
    """Parameter sweeps on Dask; see :func:`ei_maps.experiments.sweep.sweep` (imported on first use)."""
    from .experiments.sweep import sweep as _sweep

    return _sweep(*args, **kwargs)
__all__ = ["ActivationModel", "LIFCodingConfig", "LIFCodingModel", "ModelConfig", "TrainConfig", "UnstableDynamicsError",
           "__version__", "load_model", "load_run", "sweep"]

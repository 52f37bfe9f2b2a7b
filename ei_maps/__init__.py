"""ei-maps: topographic maps from networks of excitatory and inhibitory neurons."""
from __future__ import annotations

from ._lazy import by_module, lazy_exports
from ._version import __version__

# the models pull in xarray, SciPy and Numba, which ``ei-maps --version`` or a script using one submodule
# should not pay for
_LAZY = by_module({
    ".config": ("RetinotopicTrainConfig", "TextTrainConfig", "TouchTrainConfig", "TrainConfig"),
    ".models": ("ActivationModel", "LIFCodingConfig", "LIFCodingModel", "ModelConfig", "UnstableDynamicsError",
                "WaveSheet", "WaveSheetConfig"),
    ".models.retinotopic": ("RetinotopicConfig", "RetinotopicModel"),
    ".models.estimator": ("TopographicCoder",),
    ".framework.results": ("load_model", "load_run"),
})
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


def sweep(*args, **kwargs):
    """Parameter sweeps on Dask; see :func:`ei_maps.framework.sweep.sweep` (imported on first use)."""
    from .framework.sweep import sweep as _sweep

    return _sweep(*args, **kwargs)


__all__ = ["ActivationModel", "LIFCodingConfig", "LIFCodingModel", "ModelConfig", "RetinotopicConfig",
           "RetinotopicModel", "RetinotopicTrainConfig", "TextTrainConfig",
           "TopographicCoder", "TouchTrainConfig", "TrainConfig", "UnstableDynamicsError", "WaveSheet", "WaveSheetConfig", "__version__",
           "load_model", "load_run", "sweep"]

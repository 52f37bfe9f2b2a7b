"""The activation model on a retinotopic sheet: its parameters, the model and its jitted kernels."""
from .config import RetinotopicConfig
from .model import RetinotopicModel, unit_origins, window_index, window_mask, window_origins

__all__ = ["RetinotopicConfig", "RetinotopicModel", "unit_origins", "window_index", "window_mask",
           "window_origins"]

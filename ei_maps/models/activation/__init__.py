"""The E/I activation model: its parameters, the paper's presets, the model and its jitted kernels."""
from .config import DTYPES, ENGINES, PAPER_SIDE, ModelConfig
from .model import ActivationModel, UnstableDynamicsError, settle_numpy
from .presets import PAPER_IMAGES_MODEL, PAPER_TEXT_MODEL, PAPER_TOUCH_MODEL
from .._blas import single_threaded_blas

__all__ = ["DTYPES", "ENGINES", "PAPER_IMAGES_MODEL", "PAPER_SIDE", "PAPER_TEXT_MODEL", "PAPER_TOUCH_MODEL",
           "ActivationModel", "ModelConfig", "UnstableDynamicsError", "settle_numpy", "single_threaded_blas"]

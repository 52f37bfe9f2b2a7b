"""ei-maps: topographic maps from networks of excitatory and inhibitory neurons."""
from .config import LIFCodingConfig, ModelConfig, TrainConfig
from .models import ActivationModel, LIFCodingModel, UnstableDynamicsError

__version__ = "0.1.0"
__all__ = ["ActivationModel", "LIFCodingConfig", "LIFCodingModel", "ModelConfig", "TrainConfig", "UnstableDynamicsError", "__version__"]

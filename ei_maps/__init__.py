"""ei-maps: topographic maps from networks of excitatory and inhibitory neurons."""
from .config import ModelConfig, TrainConfig
from .models import ActivationModel, UnstableDynamicsError

__version__ = "0.1.0"
__all__ = ["ActivationModel", "ModelConfig", "TrainConfig", "UnstableDynamicsError", "__version__"]

"""Network models: the E/I activation model, and the spiking sheet that learns the same code."""
from .activation import ActivationModel, UnstableDynamicsError
from .lif_coding import LIFCodingModel

__all__ = ["ActivationModel", "LIFCodingModel", "UnstableDynamicsError"]

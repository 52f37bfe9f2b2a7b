"""Network models: the E/I activation model (and later the spiking LIF sheet)."""
from .activation import ActivationModel, UnstableDynamicsError

__all__ = ["ActivationModel", "UnstableDynamicsError"]

"""The spiking sparse coder: a conductance LIF sheet that learns the activation model's code.

Its parameters (:class:`LIFCodingConfig`), the model (:class:`LIFCodingModel`,
engines numba, brian2 and numpy) and its jitted kernels (``_numba.py``).
"""
from .config import LIFCodingConfig
from .model import ENGINES, LIFCodingModel, SheetGeometry, simulate_window_numpy

__all__ = ["ENGINES", "LIFCodingConfig", "LIFCodingModel", "SheetGeometry", "simulate_window_numpy"]

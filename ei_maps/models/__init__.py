"""Network models, one folder each: its parameters, presets, the model and its jitted kernels.

- :mod:`~ei_maps.models.activation`: the E/I activation model (rate sheets settled to a fixed point);
- :mod:`~ei_maps.models.retinotopic`: the same model on a retinotopic sheet (each unit sees its own window);
- :mod:`~ei_maps.models.spiking_coder`: the spiking sheet that learns the same sparse code;
- :mod:`~ei_maps.models.wave_sheet`: the spiking sheet of propagating waves (Numba, or Brian2);
- :mod:`~ei_maps.models.learning`: the dictionary update and the training loop they share;
- :mod:`~ei_maps.models.contract`: what a learning model is (:class:`LearningModel`) and how every model is built.
"""
from .activation import (PAPER_IMAGES_MODEL, PAPER_TEXT_MODEL, PAPER_TOUCH_MODEL, ActivationModel, ModelConfig,
                         UnstableDynamicsError)
from .contract import LearningModel, configured
from .learning import Trainer
from .retinotopic import RetinotopicConfig, RetinotopicModel
from .spiking_coder import LIFCodingConfig, LIFCodingModel
from .wave_sheet import MissingBrian2Error, WaveSheet, WaveSheetConfig

__all__ = ["PAPER_IMAGES_MODEL", "PAPER_TEXT_MODEL", "PAPER_TOUCH_MODEL", "ActivationModel", "LIFCodingConfig",
           "LIFCodingModel", "LearningModel", "MissingBrian2Error", "ModelConfig", "RetinotopicConfig",
           "RetinotopicModel", "Trainer", "UnstableDynamicsError", "WaveSheet",
           "WaveSheetConfig", "configured"]

"""The paper's settings of the activation model for each experiment."""
from __future__ import annotations

from .config import ModelConfig

__all__ = ["PAPER_IMAGES_MODEL", "PAPER_TEXT_MODEL", "PAPER_TOUCH_MODEL"]

#: Paper settings for word maps: the model (n_inputs is set from the vectors).
PAPER_TEXT_MODEL = ModelConfig(side=40, r_exc=3, r_inh=5, w_exc=30.0, w_inh=5.0, sigma2=3.0, eta=0.01,
                               target_sparsity=0.2)


#: Paper settings for the touch experiment (n_inputs: 5 fingers x 51 receptors + 1).
PAPER_TOUCH_MODEL = ModelConfig(side=40, n_inputs=256, r_exc=5, r_inh=7, w_exc=20.0, w_inh=5.0, sigma2=4.0,
                                lam=0.002, eta=0.025, target_sparsity=0.3)


#: Paper settings for natural images (Fig. 2): model and training.
PAPER_IMAGES_MODEL = ModelConfig()

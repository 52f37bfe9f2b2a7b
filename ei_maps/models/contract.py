"""What every model of the package is, and how every one is built.

A model is built from its parameter object plus overrides by name
(``ActivationModel(config, w_inh=8)``, ``LIFCodingModel(side=20)``,
``WaveSheet(config, engine="kernel")``); :func:`configured` is that rule.

A *learning* model (the activation model, its retinotopic form, the spiking
coder) is what the :class:`~ei_maps.models.learning.Trainer` trains and the
experiments save: :class:`LearningModel` states it, and
``tests/models/test_contract.py`` checks every one of them against it.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["LearningModel", "configured"]


def configured(kind: type, config: Any, overrides: dict[str, Any]) -> Any:
    """``config`` (default ``kind()``) with ``overrides`` applied and checked.

    Parameters
    ----------
    kind : type
        The model's parameter class (a frozen dataclass with ``replace``).
    config : kind instance or None
        The parameters given.
    overrides : dict
        Parameters by name that replace the config's.

    Returns
    -------
    kind instance
        The parameters the model is built from.

    Raises
    ------
    TypeError
        If ``config`` is not a ``kind`` (e.g. a number given positionally).
    """
    if config is None:
        config = kind()
    elif not isinstance(config, kind):
        raise TypeError(f"config must be a {kind.__name__}, got {type(config).__name__} (parameters go by name, "
                        f"e.g. side=40)")
    return config.replace(**overrides) if overrides else config


@runtime_checkable
class LearningModel(Protocol):
    """A model that settles stimuli to a code and learns a dictionary from them.

    Attributes
    ----------
    RECORD : tuple of str
        The quantities :meth:`learn` reports in ``last_record`` (the Trainer's history).
    last_record : dict
        Those quantities for the last :meth:`learn`, each a number.
    config
        The model's parameters (a frozen dataclass; ``config.replace(...)``
        gives a changed copy, ``type(model)(config)`` an equal model).
    dictionary : ndarray, shape (n_inputs, n_units)
        The feed-forward weights, one column per unit.
    engine : str
        The compute engine (a choice of the object, not a saved parameter).
    """

    RECORD: tuple[str, ...]
    last_record: dict[str, float]
    engine: str

    @property
    def config(self) -> Any: ...

    @property
    def dictionary(self) -> np.ndarray: ...

    def settle(self, x: np.ndarray) -> np.ndarray:
        """The code of a batch of stimuli; the dictionary is left as it is.

        Parameters
        ----------
        x : ndarray, shape (batch, n_inputs)
            Stimuli [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_units)
            The code (activations or spike counts).
        """

    def learn(self, x: np.ndarray, lr: float) -> np.ndarray:
        """One learning step on a batch; sets ``last_record``.

        Parameters
        ----------
        x : ndarray, shape (batch, n_inputs)
            Stimuli [dimensionless].
        lr : float
            Learning rate (each model states how it scales with the batch) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_units)
            The code the step learned from.
        """

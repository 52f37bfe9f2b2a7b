"""``TopographicCoder``: the activation model as a scikit-learn transformer (the ``sklearn`` extra).

It learns a dictionary whose atoms lie on an L x L sheet with local
excitation and broader inhibition, so that neighbouring units code for
similar inputs, and codes samples by settling the E/I dynamics: the
``fit`` / ``partial_fit`` / ``transform`` / ``components_`` of
:class:`sklearn.decomposition.MiniBatchDictionaryLearning`, usable in a
``Pipeline``, ``clone``-d and searched by ``GridSearchCV``.

Its model parameters are those declared by
:class:`~ei_maps.models.ModelConfig` (the same names, defaults, bounds and
units, read from the one declaration), plus the training's:
``n_steps``, ``batch_size``, ``learning_rate``, ``random_state`` and the
compute ``engine``. ``n_inputs`` is the data's number of features.
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..params import _entry, specs
from .activation import ActivationModel, ModelConfig

__all__ = ["EXPECTED_FAILED_CHECKS", "TopographicCoder"]

#: The scikit-learn estimator checks that do not apply, with the reason (for ``check_estimator``).
EXPECTED_FAILED_CHECKS = {
    "check_methods_subset_invariance": "a batch settles until all of it has converged (the published algorithm), "
                                       "so a code depends on its batch within the settling tolerance eps, not 1e-7",
}

#: The model parameters the estimator takes, as declared by ModelConfig (n_inputs comes from the data, the seed
#: from random_state).
MODEL_PARAMETERS = tuple(name for name in specs(ModelConfig) if name not in ("n_inputs", "seed"))
#: The training's parameters and their defaults.
TRAINING_PARAMETERS = {"n_steps": 1000, "batch_size": 128, "learning_rate": 0.03, "random_state": None,
                       "engine": "numba"}
_TRAINING_DOCS = """n_steps : int
    Learning steps of :meth:`fit`, each on a minibatch drawn with replacement from ``X`` [count].
batch_size : int
    Samples per learning step (at most the number of samples) [count].
learning_rate : float
    Step size of the dictionary update (the gradient is summed over the batch, as published) [dimensionless].
random_state : int, RandomState or None
    Seeds the dictionary's initialization and the minibatches [seed].
engine : {"numba", "numpy"}
    The jitted engine or the plain NumPy reference (the same codes within rounding)."""


class TopographicCoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Sparse coding on an E/I sheet: a topographic dictionary, codes from the settled dynamics.

    Attributes
    ----------
    components_ : ndarray, shape (side * side, ``n_features_in_``)
        The dictionary, one unit-norm atom per unit of the sheet (row-major on the sheet).
    model_ : ActivationModel
        The trained model (its ``dictionary`` is ``components_.T``).
    n_features_in_ : int
        Number of features seen by :meth:`fit`.
    n_steps_, n_iter_ : int
        Learning steps taken so far (:meth:`fit` and :meth:`partial_fit`).

    Notes
    -----
    A batch settles until the whole batch has converged (the published
    algorithm), so a sample's code depends on the other samples of its
    :meth:`transform` call within the settling tolerance ``eps`` (about
    1e-4 on standardized data): scikit-learn's
    ``check_methods_subset_invariance`` (1e-7) is the one check of
    :data:`EXPECTED_FAILED_CHECKS`.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> coder = make_pipeline(StandardScaler(), TopographicCoder(side=10, n_steps=200))
    >>> codes = coder.fit_transform(X)          # (n_samples, 100), sparse
    """

    def __init__(self, **parameters: Any) -> None:  # the signature is set below, from the declarations
        unknown = sorted(set(parameters) - set(_DEFAULTS))
        if unknown:
            raise TypeError(f"TopographicCoder got unexpected parameter(s) {', '.join(unknown)}")
        for name, default in _DEFAULTS.items():  # scikit-learn's rule: __init__ only stores
            setattr(self, name, parameters.get(name, default))

    # ---------------------------------------------------------------- fitting
    def _config(self, n_features: int, seed: int) -> ModelConfig:
        return ModelConfig(**{name: getattr(self, name) for name in MODEL_PARAMETERS}, n_inputs=n_features,
                           seed=seed)

    def _start(self, n_features: int) -> np.random.RandomState:
        rng = check_random_state(self.random_state)
        self.model_ = ActivationModel(self._config(n_features, int(rng.randint(2**31 - 1))), engine=self.engine)
        self.n_steps_ = self.n_iter_ = 0
        return rng

    def fit(self, X, y=None) -> "TopographicCoder":
        """Learn the dictionary from ``X`` with ``n_steps`` minibatch steps.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Training data [the data's units; standardize it first: the threshold ``lam`` is in them].
        y : None
            Ignored.

        Returns
        -------
        TopographicCoder
            ``self``.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self._check_training()
        rng = self._start(X.shape[1])
        batch = min(self.batch_size, X.shape[0])
        for _ in range(self.n_steps):
            self.model_.learn(X[rng.randint(0, X.shape[0], batch)], self.learning_rate)
        self.n_steps_ = self.n_iter_ = self.n_steps
        return self

    def partial_fit(self, X, y=None) -> "TopographicCoder":
        """One learning step on the batch ``X`` (the first call sets the model up).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            One batch [the data's units].
        y : None
            Ignored.

        Returns
        -------
        TopographicCoder
            ``self``.
        """
        first = not hasattr(self, "model_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=first)
        self._check_training()
        if first:
            self._start(X.shape[1])
        self.model_.learn(X, self.learning_rate)
        self.n_steps_ += 1
        self.n_iter_ = self.n_steps_
        return self

    def _check_training(self) -> None:
        for name in ("n_steps", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.learning_rate, bool) or not (isinstance(self.learning_rate, (int, float))
                                                        and np.isfinite(self.learning_rate)
                                                        and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {self.learning_rate!r}")

    # ---------------------------------------------------------------- coding
    def transform(self, X) -> np.ndarray:
        """The settled excitatory activity of the sheet for each sample: its code.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Samples [the data's units].

        Returns
        -------
        ndarray, shape (n_samples, side * side)
            Sparse codes (row-major on the sheet).
        """
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return np.asarray(self.model_.settle(X), dtype=np.float64)

    def inverse_transform(self, X) -> np.ndarray:
        """The reconstruction ``X @ components_ * code_scale`` of samples from their codes ``X``.

        Parameters
        ----------
        X : array-like, shape (n_samples, side * side)
            Codes from :meth:`transform` [activation units].

        Returns
        -------
        ndarray, shape (n_samples, ``n_features_in_``)
        """
        check_is_fitted(self, "model_")
        codes = np.asarray(X, dtype=np.float64)
        return codes @ self.components_ * self.model_.config.effective_code_scale

    @property
    def components_(self) -> np.ndarray:
        """The dictionary, one atom per unit: (side * side, ``n_features_in_``)."""
        return np.asarray(self.model_.dictionary).T

    @property
    def _n_features_out(self) -> int:
        return int(self.side) ** 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # codes are float64 whatever the input's float type
        return tags


#: Every parameter with its default: the model's from ModelConfig(), then the training's.
_DEFAULTS = {**{name: getattr(ModelConfig(), name) for name in MODEL_PARAMETERS}, **TRAINING_PARAMETERS}
TopographicCoder.__init__.__signature__ = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default) for name, default in _DEFAULTS.items()])
TopographicCoder.__doc__ = TopographicCoder.__doc__.replace("    Attributes\n", "    Parameters\n    ----------\n" + "\n".join(
    "    " + line for name, spec in specs(ModelConfig).items() if name in MODEL_PARAMETERS
    for line in _entry(name, spec).splitlines()) + "\n" + "\n".join("    " + line for line in _TRAINING_DOCS.splitlines())
    + "\n\n    Attributes\n", 1)

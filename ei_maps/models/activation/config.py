"""Parameters of the E/I activation model (:class:`ModelConfig`).

``dtype`` stays a model parameter: float32 and float64 settle to different
fixed points within ``eps`` and so train measurably different dictionaries,
which makes the precision part of what a run computed. The engine (numba or
numpy) gives the same result within rounding and is an argument of
:class:`~ei_maps.models.activation.ActivationModel`, not a saved parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ...config import check_seed, require
from ...params import check_declared, declared, param

DTYPES = ("float32", "float64")


#: The paper's sheet side; larger sheets scale the reconstruction (ModelConfig.code_scale).
PAPER_SIDE = 40


#: Compute engines of :class:`ActivationModel` (a call-time choice, not a saved parameter).
ENGINES = ("numba", "numpy")


@declared
@dataclass(frozen=True)
class ModelConfig:
    """Parameters of the E/I activation model (names as in DESIGN.md).

    ``code_scale``: the learning step reconstructs a stimulus as
    ``code_scale * Phi a``. A sheet larger than the paper's 40 x 40 activates
    ``(side / 40)^2`` times as many units per stimulus at the same active
    fraction, and with the published ``code_scale = 1`` their summed
    reconstruction overshoots the stimulus and drives every column to the
    same field (the map collapses); ``min(1, (40 / side)^2)`` keeps the
    reconstruction at the paper's scale and leaves sheets up to 40 x 40
    unchanged. The Parameters section is written from the declarations
    (:func:`ei_maps.params.declared`).
    """

    side: int = param(40, "grid side L; the sheet has L*L excitatory and L*L inhibitory units", "grid units",
                      low=1)
    n_inputs: int = param(256, "input dimension D (256 for 16 x 16 patches)", "count", low=1, flag=False)
    r_exc: int = param(3, "radius of the excitatory kernel", "grid units", low=1)
    r_inh: int = param(5, "radius of the inhibitory kernel", "grid units", low=1)
    w_exc: float = param(30.0, "sum of the excitatory kernel", "dimensionless", low=0)
    w_inh: float = param(5.0, "sum of the inhibitory kernel", "dimensionless", low=0)
    sigma2: float = param(3.0, "variance of the excitatory Gaussian", "grid units^2", low=0, low_open=True)
    lam: float = param(0.05, "soft threshold (its starting value when target_sparsity is set)", "dimensionless",
                       low=0)
    eta: float = param(0.025, "step size of the dynamics", "dimensionless", low=0, low_open=True)
    leak: float | None = param(None, "leak of both sheets", "dimensionless", kind=float, low=0, low_open=True,
                               optional=True, none_means="w_exc + w_inh (the published choice)")
    eps: float = param(5e-3, "relative-change tolerance of the stopping rule", "dimensionless", low=0,
                       low_open=True)
    max_iter: int = param(49, "most settling updates per stimulus", "count", low=1)
    dtype: str = param("float32", "floating type of the state and dictionary", choices=DTYPES)
    boundary: str = param("zero", "sheet edges: silent padding (zero, published) or a torus (periodic)",
                          choices=("zero", "periodic"))
    target_sparsity: float | None = param(None, "fraction of active units lam is adapted towards after every "
                                                "learning step", "dimensionless", kind=float, low=0, high=1,
                                          low_open=True, high_open=True, optional=True, none_means="a fixed lam")
    seed: int | None = param(0, "seed of the dictionary initialization 0.3 N(0, 1), drawn from its "
                                "'dictionary' stream", kind=int, optional=True, flag=False,
                             none_means="fresh entropy")
    code_scale: float | None = param(None, "scale of the code in the learning step's reconstruction",
                                     "dimensionless", kind=float, low=0, low_open=True, optional=True,
                                     none_means="min(1, (40 / side)^2)")

    def __post_init__(self) -> None:
        if isinstance(self.dtype, type) or hasattr(self.dtype, "name"):  # np.float32 or np.dtype("float32")
            object.__setattr__(self, "dtype", str(np.dtype(self.dtype)))
        check_declared(self)
        for name in ("r_exc", "r_inh"):
            value = getattr(self, name)
            require(value <= self.side,
                    f"{name} must be a positive integer at most the side ({self.side} grid units), got {value!r}")
        largest = float(np.finfo(self.dtype).max)
        for name in ("w_exc", "w_inh", "sigma2", "lam", "eta", "leak"):
            value = getattr(self, name)
            if value is not None and abs(value) > largest:
                raise ValueError(f"{name} ({value:g}) does not fit in {self.dtype} (largest {largest:.3g})")
        if self.seed is not None:
            check_seed(self.seed, "seed (the dictionary's, --model-seed or --seed)")
        require(self.effective_leak > 0,
                "leak is 0 (w_exc + w_inh = 0 and no leak given): activity would grow without "
                "bound; pass leak > 0")
        # The leak alone maps a -> (1 - eta*leak) a each update: beyond 2 it
        # oscillates with growing amplitude, so the dynamics cannot settle.
        require(self.eta * self.effective_leak < 2,
                f"unstable dynamics: eta * leak = {self.eta} * {self.effective_leak} = "
                f"{self.eta * self.effective_leak:.4g} must be < 2 (lower eta, or w_exc + w_inh / leak)")

    def memory_bytes(self, batch: int, threads: int | None = None) -> float:
        """About how many bytes a model of these parameters needs to settle and learn batches of ``batch``.

        The dictionary three times (and its transpose), per stimulus the
        padded state of both sheets in the buffers of both parallel schemes
        (two slots for the barrier scheme, four per thread for the free one),
        the drive and the residual; an estimate (within a factor of about 2),
        for refusing runs that cannot fit before anything is allocated.

        Parameters
        ----------
        batch : int
            Stimuli per batch [count].
        threads : int or None
            Threads of the jitted loops; default Numba's current setting [count].

        Returns
        -------
        float
            The estimate [bytes].
        """
        if threads is None:
            import numba

            threads = numba.get_num_threads()
        item = np.dtype(self.dtype).itemsize
        units = self.side ** 2
        padded = (self.side + 2 * max(self.r_exc, self.r_inh)) ** 2
        lanes = -(-int(batch) // 16) * 16  # the jitted loops work on whole tiles of 16 stimuli
        state = 2 * (3 + 4 * max(1, int(threads))) * padded
        return float(item * (4 * self.n_inputs * units + lanes * (6 * units + state + 3 * self.n_inputs)))

    @property
    def effective_leak(self) -> float:
        """The leak actually used: ``leak`` or ``w_exc + w_inh``."""
        return float(self.w_exc + self.w_inh) if self.leak is None else float(self.leak)

    @property
    def effective_code_scale(self) -> float:
        """The code scale actually used: ``code_scale`` or ``min(1, (40 / side)^2)``."""
        if self.code_scale is not None:
            return float(self.code_scale)
        return min(1.0, (PAPER_SIDE / self.side) ** 2)

    def replace(self, **changes: Any) -> "ModelConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

"""Parameters of the E/I activation model (:class:`ModelConfig`).

``dtype`` stays a model parameter: float32 and float64 settle to different
fixed points within ``eps`` and so train measurably different dictionaries,
which makes the precision part of what a run computed. The engine (numba or
numpy) gives the same result within rounding and is an argument of
:class:`~ei_maps.models.activation.ActivationModel`, not a saved parameter.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ...config import check_seed, is_int, require

DTYPES = ("float32", "float64")


#: The paper's sheet side; larger sheets scale the reconstruction (ModelConfig.code_scale).
PAPER_SIDE = 40


#: Compute engines of :class:`ActivationModel` (a call-time choice, not a saved parameter).
ENGINES = ("numba", "numpy")


@dataclass(frozen=True)
class ModelConfig:
    """Parameters of the E/I activation model (names as in DESIGN.md).

    Parameters
    ----------
    side : int
        Grid side L; the sheet has L*L excitatory and L*L inhibitory units [grid units].
    n_inputs : int
        Input dimension D (256 for 16 x 16 patches) [count].
    r_exc, r_inh : int
        Radii of the excitatory and inhibitory kernels [grid units].
    w_exc, w_inh : float
        Sums of the excitatory and inhibitory kernels [dimensionless].
    sigma2 : float
        Variance of the excitatory Gaussian [grid units^2].
    lam : float
        Soft threshold [dimensionless].
    eta : float
        Step size of the dynamics [dimensionless].
    leak : float or None
        Leak; ``None`` means ``w_exc + w_inh`` (the published choice) [dimensionless].
    eps : float
        Relative-change tolerance of the stopping rule [dimensionless].
    max_iter : int
        Maximum number of updates per settle [count].
    dtype : {"float32", "float64"}
        Floating type of the state and dictionary.
    boundary : {"zero", "periodic"}
        ``"zero"`` pads the sheet with silent units (published); ``"periodic"``
        makes it a torus.
    target_sparsity : float or None
        If set, ``lam`` is adapted after every learning step towards this
        fraction of active units [dimensionless].
    seed : int or None
        Seed of the dictionary initialization ``0.3 * N(0, 1)``, drawn from
        its ``"dictionary"`` stream (:func:`ei_maps.seeds.stream`).
    code_scale : float or None
        The learning step reconstructs a stimulus as ``code_scale * Phi a``.
        A sheet larger than the paper's 40 x 40 activates ``(side / 40)^2``
        times as many units per stimulus at the same active fraction, and
        with the published ``code_scale = 1`` their summed reconstruction
        overshoots the stimulus and drives every column to the same field
        (the map collapses). ``None`` (default) means ``min(1, (40 / side)^2)``,
        which keeps the reconstruction at the paper's scale and leaves
        sheets up to 40 x 40 unchanged [dimensionless].
    """

    side: int = 40
    n_inputs: int = 256
    r_exc: int = 3
    r_inh: int = 5
    w_exc: float = 30.0
    w_inh: float = 5.0
    sigma2: float = 3.0
    lam: float = 0.05
    eta: float = 0.025
    leak: float | None = None
    eps: float = 5e-3
    max_iter: int = 49
    dtype: str = "float32"
    boundary: str = "zero"
    target_sparsity: float | None = None
    seed: int | None = 0
    code_scale: float | None = None

    def __post_init__(self) -> None:
        if self.code_scale is not None:
            require(isinstance(self.code_scale, numbers.Real) and not isinstance(self.code_scale, bool)
                     and math.isfinite(self.code_scale) and self.code_scale > 0,
                     f"code_scale must be a finite number > 0, got {self.code_scale!r}")
        for name in ("side", "n_inputs", "max_iter"):
            value = getattr(self, name)
            require(is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        for name in ("r_exc", "r_inh"):
            value = getattr(self, name)
            require(is_int(value) and 1 <= value <= self.side,
                     f"{name} must be a positive integer at most the side ({self.side} grid units), got {value!r}")
        for name in ("w_exc", "w_inh", "sigma2", "lam", "eta", "eps"):
            value = getattr(self, name)
            require(isinstance(value, numbers.Real) and math.isfinite(value),
                     f"{name} must be a finite number, got {value!r}")
        require(self.w_exc >= 0, f"w_exc must be >= 0, got {self.w_exc}")
        require(self.w_inh >= 0, f"w_inh must be >= 0, got {self.w_inh}")
        require(self.sigma2 > 0, f"sigma2 must be > 0 (grid units squared), got {self.sigma2}")
        require(self.lam >= 0, f"lam must be >= 0, got {self.lam}")
        require(self.eta > 0, f"eta must be > 0, got {self.eta}")
        require(self.eps > 0, f"eps must be > 0, got {self.eps}")
        if self.leak is not None:
            require(math.isfinite(self.leak) and self.leak > 0, f"leak must be > 0, got {self.leak}")
        require(self.dtype in DTYPES, f"dtype must be one of {DTYPES}, got {self.dtype!r}")
        largest = float(np.finfo(self.dtype).max)
        for name in ("w_exc", "w_inh", "sigma2", "lam", "eta", "leak"):
            value = getattr(self, name)
            if value is not None and abs(value) > largest:
                raise ValueError(f"{name} ({value:g}) does not fit in {self.dtype} (largest {largest:.3g})")
        if self.seed is not None:
            check_seed(self.seed, "seed (the dictionary's, --model-seed or --seed)")
        require(self.boundary in ("zero", "periodic"),
                 f"boundary must be 'zero' or 'periodic', got {self.boundary!r}")
        if self.target_sparsity is not None:
            require(0 < self.target_sparsity < 1,
                     f"target_sparsity must lie in (0, 1), got {self.target_sparsity}")
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

"""Parameters of the retinotopic E/I sheet (:class:`RetinotopicConfig`)."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...config import inherit_parameter_docs, is_int, require
from ..activation.config import PAPER_SIDE, ModelConfig


@dataclass(frozen=True)
class RetinotopicConfig(ModelConfig):
    """The activation model on a retinotopic sheet: each unit sees a window of the image at its own place.

    Every parameter of :class:`~ei_maps.models.activation.ModelConfig` keeps
    its meaning (their entries follow this class's own); the defaults differ
    for ``side`` (64), ``boundary`` ("periodic") and ``target_sparsity``
    (0.2). The stimulus is a whole ``region x region`` image region
    (``region = side / units_per_pixel`` pixels a side, periodic), and unit
    ``(i, j)`` sees the ``window x window`` pixels centered at
    ``(i / units_per_pixel, j / units_per_pixel)``. The sheet is a torus
    over a periodic region, so ``boundary`` must be ``"periodic"``.

    Parameters
    ----------
    window : int
        Side of each unit's window (its receptive field's extent) [pixels].
    units_per_pixel : float
        Units per image pixel along each axis, the magnification ``M``
        (0.5: neighbouring units' windows are 2 pixels apart) [units per pixel].
        ``side / units_per_pixel`` must be a whole number of pixels.
    window_jitter : float
        Standard deviation of a fixed random displacement of each unit's
        window from its place, along each axis, rounded to whole pixels: the
        receptive-field scatter of cortex. The square lattice of windows
        otherwise favours horizontal and vertical fields (0: none) [pixels].
    window_shape : {"square", "disk"}
        The pixels of the window a field may use: the whole square, or the
        disk of diameter ``window`` (a square window favours horizontal and
        vertical fields; a disk treats every orientation alike).
    channels : int
        Input channels per pixel: 1 (whitened or band-passed luminance) or 2
        (ON and OFF) [count].
    zero_mean : bool
        Remove each field's mean (per channel) after every learning step, so
        fields cannot follow the local luminance.
    homeostasis_rate : float
        Per-unit thresholds (GCAL-like homeostasis): after every learning
        step each excitatory unit's threshold offset moves by
        ``homeostasis_rate * (its active fraction in the batch -
        target_sparsity)``; the offsets are kept at mean 0, so ``lam`` carries
        the sheet's overall threshold. 0 disables it (needs
        ``target_sparsity`` otherwise) [dimensionless].
    n_inputs : int or None
        Stimulus width ``channels * region**2``, derived: leave it ``None`` [count].
    code_scale : float or None
        As for the activation model; ``None`` means ``min(1, (40 / (window *
        units_per_pixel))^2)``: each pixel is seen by ``(window *
        units_per_pixel)^2`` units, the paper's patch pixels by 40 x 40 [dimensionless].
    """

    side: int = 64
    boundary: str = "periodic"
    target_sparsity: float | None = 0.2
    window: int = 16
    units_per_pixel: float = 1.0
    window_jitter: float = 0.0
    window_shape: str = "square"
    channels: int = 1
    zero_mean: bool = True
    homeostasis_rate: float = 0.0
    n_inputs: int | None = None  # type: ignore[assignment]  # derived from the region

    def __post_init__(self) -> None:
        m = self.units_per_pixel
        require(isinstance(m, numbers.Real) and not isinstance(m, bool) and math.isfinite(m) and m > 0,
                f"units_per_pixel must be a finite number > 0, got {m!r}")
        require(is_int(self.side) and self.side >= 1, f"side must be a positive integer, got {self.side!r}")
        region = self.side / m
        require(abs(region - round(region)) < 1e-9 and round(region) >= 1,
                f"side / units_per_pixel must be a whole number of pixels (the image region's side), got "
                f"{self.side} / {m:g} = {region:g}")
        require(is_int(self.window) and 2 <= self.window <= round(region),
                f"window must be an integer from 2 to the region's side ({round(region)} pixels), got "
                f"{self.window!r}")
        require(self.channels in (1, 2), f"channels must be 1 or 2 (ON/OFF), got {self.channels!r}")
        jitter = self.window_jitter
        require(isinstance(jitter, numbers.Real) and not isinstance(jitter, bool) and math.isfinite(jitter)
                and 0 <= jitter <= self.side / m, f"window_jitter must be a number from 0 to the region's side "
                                                  f"(pixels), got {jitter!r}")
        require(self.window_shape in ("square", "disk"),
                f"window_shape must be 'square' or 'disk', got {self.window_shape!r}")
        require(isinstance(self.zero_mean, bool), f"zero_mean must be True or False, got {self.zero_mean!r}")
        rate = self.homeostasis_rate
        require(isinstance(rate, numbers.Real) and not isinstance(rate, bool) and math.isfinite(rate) and rate >= 0,
                f"homeostasis_rate must be a finite number >= 0, got {rate!r}")
        require(rate == 0 or self.target_sparsity is not None,
                "homeostasis_rate > 0 needs target_sparsity (the active fraction every unit is held to)")
        require(self.boundary == "periodic",
                f"a retinotopic sheet is a torus over a periodic image region: boundary must be 'periodic', "
                f"got {self.boundary!r}")
        derived = self.channels * round(region) ** 2
        require(self.n_inputs is None or self.n_inputs == derived,
                f"n_inputs is derived from the region (channels * (side / units_per_pixel)^2 = {derived}); "
                f"got {self.n_inputs!r}: leave it unset")
        object.__setattr__(self, "n_inputs", derived)
        super().__post_init__()

    @property
    def region(self) -> int:
        """Side of the image region the sheet covers [pixels]."""
        return int(round(self.side / self.units_per_pixel))

    @property
    def n_weights(self) -> int:
        """Feed-forward weights per unit, ``channels * window**2`` [count]."""
        return self.channels * self.window ** 2

    @property
    def effective_code_scale(self) -> float:
        """``code_scale``, or ``min(1, (40 / (window * units_per_pixel))^2)``."""
        if self.code_scale is not None:
            return float(self.code_scale)
        return min(1.0, (PAPER_SIDE / (self.window * self.units_per_pixel)) ** 2)

    def memory_bytes(self, batch: int, threads: int | None = None) -> float:
        """About how many bytes a model of these parameters needs to settle and learn batches of ``batch``.

        The settling buffers as for the activation model (whose dictionary
        term is replaced by the fields: ``n_weights`` per unit, three times),
        plus the stimuli and residual in the kernels' layouts.

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
        item = np.dtype(self.dtype).itemsize
        units = self.side ** 2
        plain = ModelConfig.memory_bytes(self.replace_base(n_inputs=1), batch, threads)
        region = self.channels * self.region * (self.region + self.window)
        return float(plain + item * (3 * self.n_weights * units + 4 * int(batch) * region))

    def replace_base(self, **changes: Any) -> ModelConfig:
        """The same parameters as a plain :class:`ModelConfig` (for what does not depend on the windows)."""
        base = {f: getattr(self, f) for f in ModelConfig.__dataclass_fields__}
        base.update(changes)
        return ModelConfig(**base)

    def replace(self, **changes: Any) -> "RetinotopicConfig":
        """A copy with some parameters changed (validated again; ``n_inputs`` derived again)."""
        from dataclasses import replace

        changes.setdefault("n_inputs", None)
        return replace(self, **changes)


inherit_parameter_docs(RetinotopicConfig, ModelConfig)

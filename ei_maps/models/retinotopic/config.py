"""Parameters of the retinotopic E/I sheet (:class:`RetinotopicConfig`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...config import require
from ...params import check_declared, declare, declared, param, specs
from ..activation.config import PAPER_SIDE, ModelConfig


_BASE = specs(ModelConfig)


@declared
@dataclass(frozen=True)
class RetinotopicConfig(ModelConfig):
    """The activation model on a retinotopic sheet: each unit sees a window of the image at its own place.

    Every parameter of :class:`~ei_maps.models.activation.ModelConfig` keeps
    its meaning; the defaults differ for ``side`` (64), ``boundary``
    ("periodic") and ``target_sparsity`` (0.2). The stimulus is a whole
    ``region x region`` image region (``region = side / units_per_pixel``
    pixels a side, periodic), and unit ``(i, j)`` sees the ``window x
    window`` pixels centered at ``(i / units_per_pixel, j /
    units_per_pixel)``. The sheet is a torus over a periodic region, so
    ``boundary`` must be ``"periodic"``. A square window favours horizontal
    and vertical fields; a disk treats every orientation alike, and so does,
    in part, a jittered window (cortex's receptive-field scatter).
    Homeostasis: after every learning step each excitatory unit's threshold
    offset moves by ``homeostasis_rate * (its active fraction in the batch -
    target_sparsity)``; the offsets are kept at mean 0, so ``lam`` carries
    the sheet's overall threshold.
    """

    side: int = declare(_BASE["side"], 64)
    boundary: str = declare(_BASE["boundary"], "periodic")
    target_sparsity: float | None = declare(_BASE["target_sparsity"], 0.2)
    window: int = param(16, "side of each unit's window (its receptive field's extent), from 2 to the region's "
                            "side", "pixels")
    units_per_pixel: float = param(1.0, "units per image pixel along each axis, the magnification M (0.5: "
                                        "neighbouring units' windows are 2 pixels apart); side / units_per_pixel "
                                        "must be a whole number of pixels", "units per pixel", low=0, low_open=True)
    window_jitter: float = param(0.0, "standard deviation of a fixed random displacement of each unit's window "
                                      "from its place, along each axis, rounded to whole pixels (0: none)",
                                 "pixels", low=0)
    window_shape: str = param("square", "the pixels of the window a field may use: the whole square, or the "
                                        "disk of diameter window", choices=("square", "disk"))
    channels: int = param(1, "input channels per pixel: 1 (whitened or band-passed luminance) or 2 (ON and OFF)",
                          "count", choices=(1, 2))
    zero_mean: bool = param(True, "remove each field's mean (per channel) after every learning step, so fields "
                                  "cannot follow the local luminance")
    homeostasis_rate: float = param(0.0, "rate of the per-unit thresholds (GCAL-like homeostasis; needs "
                                         "target_sparsity; 0 disables it)", "dimensionless", low=0)
    n_inputs: int | None = declare(_BASE["n_inputs"], None, optional=True,  # type: ignore[assignment]
                                   help="stimulus width channels * region**2, derived: leave it None")
    code_scale: float | None = declare(_BASE["code_scale"], None,
                                       none_means="min(1, (40 / (window * units_per_pixel))^2): each pixel is "
                                                  "seen by (window * units_per_pixel)^2 units, the paper's patch "
                                                  "pixels by 40 x 40")

    def __post_init__(self) -> None:
        check_declared(self)
        m = self.units_per_pixel
        region = self.side / m
        require(abs(region - round(region)) < 1e-9 and round(region) >= 1,
                f"side / units_per_pixel must be a whole number of pixels (the image region's side), got "
                f"{self.side} / {m:g} = {region:g}")
        require(2 <= self.window <= round(region),
                f"window must be an integer from 2 to the region's side ({round(region)} pixels), got "
                f"{self.window!r}")
        require(self.window_jitter <= region,
                f"window_jitter must be a number from 0 to the region's side (pixels), got {self.window_jitter!r}")
        require(self.homeostasis_rate == 0 or self.target_sparsity is not None,
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

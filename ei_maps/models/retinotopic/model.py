"""The activation model on a retinotopic sheet, and the plain NumPy reference of its kernels.

For a batch of image regions ``x`` (B, C, R, R), periodic, and fields
``F`` (U, C, W, W), unit ``u`` at sheet position ``(i, j)`` sees the window
``x[:, :, oy(u) + dy, ox(u) + dx]`` (indices modulo ``R``) with
``oy(u) = floor(i R / L) - W // 2`` (plus a fixed random jitter, if any), the
window centered at ``i / M`` for ``M = L / R`` units per pixel. Then::

    s[b, u]  = sum_{c, dy, dx} F[u, c, dy, dx] x[b, c, oy + dy, ox + dx]     drive
    a        = settle(s)                                 the activation model's E/I dynamics
    r[b]     = x[b] - code_scale sum_u a[b, u] F[u]      each field placed in its window
    F[u]    += lr sum_b a[b, u] r[b, window(u)]          the activation model's rule, read through the window
    F[u]    *= mask            (the whole square, or a disk)
    F[u]    -= mean(F[u, c])   (zero_mean, over the mask),  F[u] /= ||F[u]||

This is exactly the activation model whose dictionary column ``u`` is ``F[u]``
in unit ``u``'s window and zero elsewhere, with the learning step's update
kept to the window (tested).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import learning
from .._blas import single_threaded_blas
from ..contract import configured
from ..activation.model import ActivationModel
from .config import RetinotopicConfig


def window_origins(side: int, region: int, window: int) -> np.ndarray:
    """Top-left pixel of the window of each unit row (or column): ``floor(i region / side) - window // 2`` mod region.

    Parameters
    ----------
    side : int
        Sheet side L [units].
    region : int
        Image region side R [pixels].
    window : int
        Window side W [pixels].

    Returns
    -------
    ndarray of int64, shape (side,)
        Origins in ``[0, region)`` [pixels].
    """
    i = np.arange(side, dtype=np.int64)
    return (i * region // side - window // 2) % region


def unit_origins(side: int, region: int, window: int, jitter: float = 0.0,
                 seed: int | np.random.SeedSequence | None = 0) -> np.ndarray:
    """Top-left pixel of every unit's window: its place (:func:`window_origins`) plus a fixed random jitter.

    Parameters
    ----------
    side : int
        Sheet side L [units].
    region : int
        Image region side R [pixels].
    window : int
        Window side W [pixels].
    jitter : float
        Standard deviation of each unit's displacement along each axis, rounded to whole pixels (0: none) [pixels].
    seed : int, SeedSequence or None
        Seed of the displacements (their ``"retinotopy"`` stream, :func:`ei_maps.seeds.stream`).

    Returns
    -------
    ndarray of int64, shape (side*side, 2)
        ``(origin_y, origin_x)`` of each unit in ``[0, region)`` [pixels].
    """
    from ... import seeds

    o = window_origins(side, region, window)
    yx = np.stack(np.broadcast_arrays(o[:, None], o[None, :]), axis=-1).reshape(side * side, 2)
    if jitter > 0:
        rng = np.random.default_rng(seeds.stream(seed, "retinotopy"))
        yx = yx + np.rint(jitter * rng.standard_normal(yx.shape)).astype(np.int64)
    return yx % region


def window_index(origins: np.ndarray, region: int, window: int) -> np.ndarray:
    """Flat pixel index ``y * region + x`` of every unit's window.

    Parameters
    ----------
    origins : ndarray of int, shape (units, 2)
        Each unit's window's top-left pixel (:func:`unit_origins`) [pixels].
    region : int
        Image region side R [pixels].
    window : int
        Window side W [pixels].

    Returns
    -------
    ndarray of int64, shape (units, window*window)
        Row ``u`` lists unit ``u``'s window row by row, wrapped around the region [pixel index].
    """
    d = np.arange(window)
    rows = (origins[:, 0, None] + d[None, :]) % region  # (U, W)
    cols = (origins[:, 1, None] + d[None, :]) % region
    return (rows[:, :, None] * region + cols[:, None, :]).reshape(origins.shape[0], window * window)


# ----------------------------------------------------------------------------- NumPy reference
def drive_numpy(x: np.ndarray, fields: np.ndarray, index: np.ndarray, channels: int) -> np.ndarray:
    """Drive ``s[b, u] = sum_{c, w} fields[u, c, w] x[b, c, index[u, w]]``, (B, U).

    Parameters
    ----------
    x : (B, channels * R * R)
        Stimuli [dimensionless].
    fields : (U, channels * W * W)
        Each unit's weights [dimensionless].
    index : (U, W * W)
        From :func:`window_index`.
    channels : int
        Input channels [count].

    Returns
    -------
    ndarray, shape (B, U)
        The drive [dimensionless].
    """
    b = x.shape[0]
    xc = x.reshape(b, channels, -1)[:, :, index]  # (B, C, U, W*W)
    f = fields.reshape(fields.shape[0], channels, -1)  # (U, C, W*W)
    return np.einsum("bcuw,ucw->bu", xc, f)


def reconstruction_numpy(a: np.ndarray, fields: np.ndarray, index: np.ndarray, channels: int, n_pixels: int
                         ) -> np.ndarray:
    """``sum_u a[b, u] fields[u]`` with each field placed in its window, (B, channels * n_pixels)."""
    b = a.shape[0]
    f = fields.reshape(fields.shape[0], channels, -1)
    out = np.zeros((b, channels, n_pixels), dtype=np.result_type(a, fields))
    flat = np.broadcast_to(index, f[:, 0].shape).ravel()
    for c in range(channels):
        contrib = a[:, :, None] * f[None, :, c, :]  # (B, U, W*W)
        for k in range(b):
            out[k, c] = np.bincount(flat, weights=contrib[k].ravel(), minlength=n_pixels)
    return out.reshape(b, -1)


def window_mask(window: int, shape: str) -> np.ndarray:
    """The pixels of a ``window x window`` window a field may use.

    Parameters
    ----------
    window : int
        Window side W [pixels].
    shape : {"square", "disk"}
        All pixels, or those within ``window / 2`` of the window's centre.

    Returns
    -------
    ndarray, shape (window, window)
        1 on the pixels a field may use, 0 elsewhere [dimensionless].
    """
    if shape == "square":
        return np.ones((window, window))
    d = np.arange(window) - (window - 1) / 2
    return ((d[:, None] ** 2 + d[None, :] ** 2) <= (window / 2) ** 2).astype(float)


def update_numpy(fields: np.ndarray, x: np.ndarray, a: np.ndarray, index: np.ndarray, channels: int, lr: float,
                 code_scale: float, zero_mean: bool, mask: np.ndarray | None = None) -> np.ndarray:
    """One learning step on the fields, in place; returns the residual ``x - code_scale * reconstruction``.

    Parameters
    ----------
    fields : (U, channels * W * W)
        Updated in place [dimensionless].
    x : (B, channels * R * R)
        Stimuli [dimensionless].
    a : (B, U)
        Settled activations [dimensionless].
    index : (U, W * W)
        From :func:`window_index`.
    channels : int
        Input channels [count].
    lr : float
        Learning rate (the gradient is summed over the batch) [dimensionless].
    code_scale : float
        Scale of the code in the reconstruction [dimensionless].
    zero_mean : bool
        Remove each field's per-channel mean (over the mask) after the step.
    mask : (W * W,) array of 0 and 1, optional
        The window's pixels a field may use (:func:`window_mask`); default all.

    Returns
    -------
    ndarray, shape (B, channels * R * R)
        The residual before the step [dimensionless].
    """
    n_pixels = x.shape[1] // channels
    residual = x - reconstruction_numpy(a * code_scale, fields, index, channels, n_pixels)
    windows = residual.reshape(x.shape[0], channels, -1)[:, :, index]  # (B, C, U, W*W)
    grad = np.einsum("bu,bcuw->ucw", a, windows)
    f = fields.reshape(fields.shape[0], channels, -1)
    f += lr * grad
    m = np.ones(f.shape[2]) if mask is None else np.asarray(mask, float).ravel()
    f *= m
    if zero_mean:
        f -= f.sum(axis=2, keepdims=True) / m.sum() * m
    learning.normalize_columns(fields.T)
    return residual


# ----------------------------------------------------------------------------- the model
class RetinotopicModel(ActivationModel):
    """The E/I activation model on a retinotopic sheet (each unit sees its own window of an image region).

    Parameters
    ----------
    config : RetinotopicConfig, optional
        The parameters (default ``RetinotopicConfig()``).
    fields : ndarray, shape (channels * window**2, side*side), optional
        Weights to start from, one column per unit; default ``0.3 * N(0, 1)``
        from the config's seed (weights outside a disk-shaped window are
        set to 0) [dimensionless].
    engine : {"numba", "numpy"}
        Compute engine (same results within rounding).
    **overrides
        Parameters that replace the config's (e.g. ``window=12``).

    Attributes
    ----------
    dictionary : ndarray, shape (channels * window**2, side*side)
        Each unit's field (its window's weights), unit norm after every learning step.
    threshold_offsets : ndarray (side, side) or None
        Per-unit threshold offsets from ``lam`` (homeostasis), None when off.

    Examples
    --------
    >>> m = RetinotopicModel(RetinotopicConfig(side=32, window=8))
    >>> x = np.random.default_rng(0).standard_normal((4, m.n_inputs))
    >>> a = m.learn(x, lr=0.03)     # (4, 1024)
    """

    _weights_name = "channels * window**2"

    def __init__(self, config: RetinotopicConfig | None = None, *, fields: np.ndarray | None = None,
                 engine: str = "numba", **overrides: Any) -> None:
        config = configured(RetinotopicConfig, config, overrides)
        self._build(config, fields, engine)
        c = config
        #: Top-left pixel of each unit's window, (side*side, 2) [pixels].
        self.origins = unit_origins(c.side, c.region, c.window, c.window_jitter, c.seed)
        self._origin_y = np.ascontiguousarray(self.origins[:, 0])
        self._origin_x = np.ascontiguousarray(self.origins[:, 1])
        self._wrap = np.arange(c.region + c.window, dtype=np.int64) % c.region
        self._index: np.ndarray | None = None
        #: The window's pixels a field may use, (window, window) of 0 and 1 (all, or a disk).
        self.mask = window_mask(c.window, c.window_shape).astype(self.dtype)
        if c.window_shape != "square":
            self.fields[...] *= self.mask
        if c.homeostasis_rate > 0:
            self.threshold_offsets = np.zeros((c.side, c.side), self.dtype)

    @classmethod
    def from_config(cls, config: RetinotopicConfig, **overrides: Any) -> "RetinotopicModel":
        """Build a model from a config (``overrides``, including ``fields`` or ``dictionary``, win).

        Parameters
        ----------
        config : RetinotopicConfig
            The parameters.
        **overrides
            Parameters, ``fields`` (or ``dictionary``) and ``engine``.

        Returns
        -------
        RetinotopicModel
            The model.
        """
        if "dictionary" in overrides:
            overrides["fields"] = overrides.pop("dictionary")
        return cls(config, **overrides)

    @property
    def n_weights(self) -> int:
        """Feed-forward weights per unit, ``channels * window**2``."""
        return self._config.n_weights

    @property
    def fields(self) -> np.ndarray:
        """The fields as (side, side, channels, window, window), a view of ``dictionary``."""
        c = self._config
        return self._phi_t.reshape(c.side, c.side, c.channels, c.window, c.window)

    @property
    def index(self) -> np.ndarray:
        """Flat pixel index of every unit's window, (side*side, window*window) (:func:`window_index`)."""
        if self._index is None:
            c = self._config
            self._index = window_index(self.origins, c.region, c.window)
        return self._index

    def dense_dictionary(self) -> np.ndarray:
        """The equivalent plain dictionary (n_inputs, side*side): each field in its window, zero elsewhere.

        Returns
        -------
        ndarray, shape (n_inputs, side*side)
            The dictionary of the activation model this sheet is [dimensionless].
        """
        c = self._config
        dense = np.zeros((c.side**2, c.channels, c.region**2), self.dtype)
        f = self._phi_t.reshape(c.side**2, c.channels, -1)
        units = np.arange(c.side**2)[:, None]
        for ch in range(c.channels):
            dense[units, ch, self.index] = f[:, ch, :]
        return dense.reshape(c.side**2, -1).T

    def __repr__(self) -> str:
        c = self.config
        return (f"RetinotopicModel(side={c.side}, window={c.window}, units_per_pixel={c.units_per_pixel:g}, "
                f"channels={c.channels}, r_exc={c.r_exc}, r_inh={c.r_inh}, w_exc={c.w_exc}, w_inh={c.w_inh}, "
                f"lam={c.lam:.4g}, homeostasis_rate={c.homeostasis_rate:g}, engine={self.engine!r})")

    # ---------------------------------------------------------------- dynamics
    def drive(self, x: np.ndarray) -> np.ndarray:
        """Feed-forward drive of the excitatory sheet, each unit's field against its window, (batch, side*side).

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Image regions, flattened (channel, y, x) (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, side*side)
            The drive [dimensionless].
        """
        return self._drive(self.check_stimuli(x))

    def _drive(self, x: np.ndarray) -> np.ndarray:
        c = self._config
        if self.engine == "numpy":
            return drive_numpy(x, self._phi_t, self.index, c.channels)
        from ._numba import gather_drive

        x_t = np.ascontiguousarray(x.reshape(-1, c.channels, c.region, c.region).transpose(1, 2, 3, 0))
        out = np.empty((c.side**2, x.shape[0]), self.dtype)
        gather_drive(x_t, self.fields.reshape(-1, c.channels, c.window, c.window), self._origin_y, self._origin_x,
                     self._wrap, out)
        return np.ascontiguousarray(out.T)

    def _update(self, x: np.ndarray, a: np.ndarray, lr: float) -> np.ndarray:
        """The learning step on the fields, in place; returns the residual (B, n_inputs)."""
        c = self._config
        scale = c.effective_code_scale
        if self.engine == "numpy":
            return update_numpy(self._phi_t, x, a, self.index, c.channels, lr, scale, c.zero_mean, self.mask)
        from ._numba import scatter_residual, update_fields

        t = self.dtype.type
        b, r, w = x.shape[0], c.region, c.window
        residual = np.empty((b, c.channels, r, r + w), self.dtype)
        fields = self.fields.reshape(-1, c.channels, w, w)
        scatter_residual(x.reshape(b, c.channels, r, r), a, fields, self._origin_y, self._origin_x, self._wrap,
                         t(scale), residual)
        update_fields(fields, np.ascontiguousarray(a.T), residual, self._origin_y, self._origin_x, self._wrap, t(lr),
                      c.zero_mean, self.mask)
        return residual[..., :r].reshape(b, -1)

    def learn(self, x: np.ndarray, lr: float = 0.03) -> np.ndarray:
        """One learning step on a batch of image regions: settle, update the fields, adapt the thresholds.

        ``lam`` moves towards ``target_sparsity`` as in the activation model;
        with ``homeostasis_rate`` each unit's threshold offset moves towards
        the same target by its own active fraction.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Image regions [dimensionless].
        lr : float
            Learning rate [dimensionless].

        Returns
        -------
        a_exc : ndarray, shape (batch, side*side)
            The settled activations used for the update [dimensionless].
        """
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        x = self.check_stimuli(x)
        lam_used = self.lam
        with single_threaded_blas(self.engine == "numba"):
            a = self._settle_drive(self._drive(x), self.lam)
            residual = self._update(x, np.ascontiguousarray(a), self.RULE.step(lr, x.shape[0]))
        self.last_loss = learning.reconstruction_loss(residual)
        self.last_sparsity = learning.active_fraction(a)
        c = self._config
        if self.threshold_offsets is not None:
            active = np.mean(np.abs(a) > learning.ACTIVE_THRESHOLD, axis=0).reshape(c.side, c.side)
            offsets = self.threshold_offsets + c.homeostasis_rate * (active - c.target_sparsity)
            self.threshold_offsets = (offsets - offsets.mean()).astype(self.dtype)
        if c.target_sparsity is not None:
            self.lam = learning.adapt_lam(self.lam, self.last_sparsity, c.target_sparsity)
        self.last_record = {"loss": self.last_loss, "sparsity": self.last_sparsity,
                            "iterations": self.iterations, "lam": lam_used}
        return a

"""Sine gratings for mapping orientation preference.

Angles follow the patch's array layout: ``x`` runs along columns (to the
right), ``y`` along rows (downwards). A grating of orientation ``theta`` has
stripes running along the direction ``(cos theta, sin theta)``, so
``theta = 0`` gives horizontal stripes (it varies along ``y`` only) and
``theta = pi/2`` vertical ones. Orientation is defined modulo pi.
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from .._lazy import DeferredModule

xr = DeferredModule("xarray")

#: Default spatial frequencies (cycles/pixel) for 16 x 16 patches: periods of
#: 12, 8, 6 and 4 pixels cover the edge detectors the model learns.
DEFAULT_FREQUENCIES = (1 / 12, 1 / 8, 1 / 6, 1 / 4)


def orientations(n_orientations: int) -> np.ndarray:
    """``n`` equally spaced orientations in [0, pi) (radians)."""
    if n_orientations < 2:
        raise ValueError(f"need at least 2 orientations, got {n_orientations}")
    return np.arange(n_orientations) * np.pi / n_orientations


def _carrier(patch_shape: tuple[int, int], theta: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """Phase ``2 pi f (-x sin theta + y cos theta)`` on the patch, centered; shape (..., py, px)."""
    py, px = patch_shape
    y = np.arange(py) - (py - 1) / 2
    x = np.arange(px) - (px - 1) / 2
    th = theta[..., None, None]
    f = frequency[..., None, None]
    return 2 * np.pi * f * (-x[None, :] * np.sin(th) + y[:, None] * np.cos(th))


def sine_gratings(patch_shape: tuple[int, int] = (16, 16), n_orientations: int = 16,
                  n_phases: int = 8, frequencies: Sequence[float] = DEFAULT_FREQUENCIES,
                  standardize: bool = True, standardise: bool | None = None) -> xr.DataArray:
    """Full-field sine gratings over orientation, phase and spatial frequency.

    Parameters
    ----------
    patch_shape : (int, int)
        Patch size (rows, columns) [pixels].
    n_orientations, n_phases : int
        Equally spaced orientations in [0, pi) and phases in [0, 2 pi) [count].
    frequencies : sequence of float
        Spatial frequencies (below the Nyquist limit 0.5) [cycles per pixel].
    standardize : bool
        Scale every grating to mean 0 and standard deviation 1, like the
        training patches.
    standardise : bool, optional
        The old spelling of ``standardize``, deprecated; when given it
        overrides ``standardize`` and warns.

    Returns
    -------
    DataArray (orientation, phase, frequency, patch_y, patch_x) with the
    angle coordinates in radians and frequency in cycles/pixel.
    """
    freqs = np.asarray(frequencies, dtype=float)
    if freqs.ndim != 1 or freqs.size == 0 or np.any(freqs <= 0) or np.any(freqs >= 0.5):
        raise ValueError(f"frequencies must be in (0, 0.5) cycles/pixel, got {list(frequencies)}")
    if n_phases < 1:
        raise ValueError(f"need at least 1 phase, got {n_phases}")
    theta = orientations(n_orientations)
    phase = np.arange(n_phases) * 2 * np.pi / n_phases
    arg = _carrier(patch_shape, theta[:, None, None], freqs[None, None, :]) + phase[None, :, None, None, None]
    g = np.sin(arg)
    if standardise is not None:
        warnings.warn("sine_gratings(standardise=...) is now standardize=...; the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        standardize = standardise
    if standardize:
        g = g - g.mean(axis=(-2, -1), keepdims=True)
        std = g.std(axis=(-2, -1), keepdims=True)
        g = np.divide(g, std, out=np.zeros_like(g), where=std > 1e-12)
    return xr.DataArray(g, dims=("orientation", "phase", "frequency", "patch_y", "patch_x"),
                        coords={"orientation": theta, "phase": phase, "frequency": freqs},
                        name="gratings", attrs={"units_orientation": "rad", "units_frequency": "cycles/pixel"})


def quadrature_pairs(patch_shape: tuple[int, int] = (16, 16), n_orientations: int = 16,
                     frequencies: Sequence[float] = DEFAULT_FREQUENCIES) -> xr.DataArray:
    """Cosine and sine gratings of unit norm, for energy (phase-invariant) responses.

    Returns
    -------
    DataArray (orientation, frequency, quadrature, patch_y, patch_x), quadrature = ["cos", "sin"].
    """
    freqs = np.asarray(frequencies, dtype=float)
    theta = orientations(n_orientations)
    arg = _carrier(patch_shape, theta[:, None], freqs[None, :])
    pair = np.stack([np.cos(arg), np.sin(arg)], axis=2)
    pair = pair - pair.mean(axis=(-2, -1), keepdims=True)
    norm = np.sqrt(np.sum(pair**2, axis=(-2, -1), keepdims=True))
    pair = np.divide(pair, norm, out=np.zeros_like(pair), where=norm > 1e-12)
    return xr.DataArray(pair, dims=("orientation", "frequency", "quadrature", "patch_y", "patch_x"),
                        coords={"orientation": theta, "frequency": freqs, "quadrature": ["cos", "sin"]},
                        name="quadrature_gratings")

"""Geometry of the cortical sheet: grid coordinates and the lateral E/I kernels.

Both sheets (excitatory and inhibitory) are ``side x side`` grids at the same
positions. A unit's flat index is ``unit = unit_y * side + unit_x``.

The lateral kernels are "row-separable on a disk": the weight at offset
``(dy, dx)`` is ``vertical[dy] * horizontal[|dx|]`` when ``|dx| <= half_width[dy]``
and zero outside the disk. The Gaussian excitatory kernel and the flat
inhibitory disk both have this form, which lets the jitted model sum each
kernel as a few horizontal running sums followed by one vertical pass instead
of a full 2-D stencil.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

@dataclass(frozen=True)
class RowSeparableKernel:
    """A disk-shaped kernel stored as per-row horizontal weights.

    Attributes
    ----------
    radius : int
        Disk radius ``r`` in grid units; offsets run over ``-r..r``.
    vertical : ndarray, shape (2r+1,)
        Row factor for ``dy = -r..r``.
    horizontal : ndarray, shape (r+1,)
        Column factor for ``|dx| = 0..r``.
    half_width : ndarray of int, shape (2r+1,)
        Largest ``|dx|`` inside the disk on row ``dy``.
    """

    radius: int
    vertical: np.ndarray
    horizontal: np.ndarray
    half_width: np.ndarray

    def dense(self) -> np.ndarray:
        """The full ``(2r+1, 2r+1)`` kernel."""
        r = self.radius
        dx = np.arange(-r, r + 1)
        inside = np.abs(dx)[None, :] <= self.half_width[:, None]
        return self.vertical[:, None] * self.horizontal[np.abs(dx)][None, :] * inside


def _disk_half_widths(radius: int) -> np.ndarray:
    # integer square root: exact at perfect squares, where float sqrt may round down
    return np.array([math.isqrt(radius * radius - d * d) for d in range(-radius, radius + 1)])


def _check_radius(name: str, radius: int) -> int:
    if int(radius) != radius or radius < 1:
        raise ValueError(f"{name} must be a positive integer (grid units), got {radius!r}")
    return int(radius)


def excitatory_kernel(r_exc: int, w_exc: float, sigma2: float) -> RowSeparableKernel:
    """Gaussian excitatory kernel truncated to a disk, summing to ``w_exc``.

    Parameters
    ----------
    r_exc : int
        Disk radius (grid units).
    w_exc : float
        Sum of all kernel weights.
    sigma2 : float
        Variance of the Gaussian (grid units squared), not its standard deviation.
    """
    r = _check_radius("r_exc", r_exc)
    if not sigma2 > 0:
        raise ValueError(f"sigma2 must be positive (grid units squared), got {sigma2!r}")
    d = np.arange(-r, r + 1, dtype=float)
    g = np.exp(-(d**2) / (2.0 * sigma2))
    half = _disk_half_widths(r)
    horizontal = g[r:]
    # total of the truncated Gaussian: sum over rows of g(dy) * sum_{|dx|<=h} g(dx)
    row_sums = np.array([horizontal[0] + 2.0 * horizontal[1:h + 1].sum() for h in half])
    total = float(np.sum(g * row_sums))
    vertical = w_exc * g / total
    return RowSeparableKernel(r, vertical, horizontal, half)


def inhibitory_kernel(r_inh: int, w_inh: float) -> RowSeparableKernel:
    """Flat inhibitory disk of radius ``r_inh`` whose weights sum to ``w_inh``."""
    r = _check_radius("r_inh", r_inh)
    half = _disk_half_widths(r)
    n_inside = int(np.sum(2 * half + 1))
    vertical = np.full(2 * r + 1, w_inh / n_inside)
    horizontal = np.ones(r + 1)
    return RowSeparableKernel(r, vertical, horizontal, half)

"""Geometry of the cortical sheet, shared by every model: kernels, disks, sub-lattices, the torus.

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

#: The dims of every per-unit array on the sheet (results, analyses, figures).
SHEET_DIMS = ("unit_y", "unit_x")

@dataclass(frozen=True)
class RowSeparableKernel:
    """A disk-shaped kernel stored as per-row horizontal weights.

    Parameters
    ----------
    radius : int
        Disk radius ``r``; offsets run over ``-r..r`` [grid units].
    vertical : ndarray, shape (2r+1,)
        Row factor for ``dy = -r..r`` (the product with ``horizontal`` is the
        weight, in the model's weight unit) [dimensionless].
    horizontal : ndarray, shape (r+1,)
        Column factor for ``|dx| = 0..r`` [dimensionless].
    half_width : ndarray of int, shape (2r+1,)
        Largest ``|dx|`` inside the disk on row ``dy`` [grid units].
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
        Disk radius [grid units].
    w_exc : float
        Sum of all kernel weights [dimensionless].
    sigma2 : float
        Variance of the Gaussian, not its standard deviation [grid units^2].

    Returns
    -------
    RowSeparableKernel
        The kernel.
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
    """Flat inhibitory disk of radius ``r_inh`` whose weights sum to ``w_inh``.

    Parameters
    ----------
    r_inh : int
        Disk radius [grid units].
    w_inh : float
        Sum of all kernel weights [dimensionless].

    Returns
    -------
    RowSeparableKernel
        The kernel.
    """
    r = _check_radius("r_inh", r_inh)
    half = _disk_half_widths(r)
    n_inside = int(np.sum(2 * half + 1))
    vertical = np.full(2 * r + 1, w_inh / n_inside)
    horizontal = np.ones(r + 1)
    return RowSeparableKernel(r, vertical, horizontal, half)


# ---------------------------------------------------------------- offsets on a torus
def disk_offsets(radius: float, side: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer offsets ``(dy, dx)`` with ``dy^2 + dx^2 <= radius^2`` (including 0, 0).

    With ``side``, offsets that reach the same site round a torus that small
    (e.g. +15 and -15 on a 30-site side) are kept once, so no pair of neurons
    is connected twice.

    Parameters
    ----------
    radius : float
        Disk radius [grid units].
    side : int or None
        Side of the torus, or ``None`` for an unbounded plane [grid units].

    Returns
    -------
    dy, dx : ndarray of int
        The offsets, in raster order [grid units].
    """
    r = int(np.floor(radius))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    inside = dy**2 + dx**2 <= radius**2
    dy, dx = dy[inside], dx[inside]
    if side is not None and 2 * r >= side:
        # keep the first offset (in raster order) of each wrapped site
        _, first = np.unique((dy % side) * side + dx % side, return_index=True)
        first.sort()
        dy, dx = dy[first], dx[first]
    return dy, dx


def _offset_masks(src_x: np.ndarray, src_y: np.ndarray, target_spacing: int, radius: float,
                  same_population: bool, side: int):
    """Disk offsets, and per offset the sources whose shifted site lands on the target grid."""
    dy, dx = disk_offsets(radius, side)
    if same_population:  # no self-connections
        keep = (dy != 0) | (dx != 0)
        dy, dx = dy[keep], dx[keep]
    sy_mod = src_y % target_spacing
    sx_mod = src_x % target_spacing
    masks = [((sy_mod + oy) % target_spacing == 0) & ((sx_mod + ox) % target_spacing == 0)
             for oy, ox in zip(dy, dx)]
    return dy, dx, masks


def connection_count(src_x: np.ndarray, src_y: np.ndarray, target_spacing: int, radius: float,
                     same_population: bool, side: int) -> int:
    """Number of pairs :func:`torus_connections` would list, without listing them.

    Parameters
    ----------
    src_x, src_y : ndarray of int
        Site coordinates of the source neurons [grid units].
    target_spacing : int
        Spacing of the target grid (1: every site, 2: every second site) [grid units].
    radius : float
        Connection radius [grid units].
    same_population : bool
        Sources and targets are the same neurons (no self-connections).
    side : int
        Side of the torus [grid units].

    Returns
    -------
    int
        The number of (source, target) pairs.
    """
    return int(sum(int(m.sum()) for m in _offset_masks(src_x, src_y, target_spacing, radius, same_population,
                                                        side)[2]))


def torus_connections(src_x: np.ndarray, src_y: np.ndarray, target_spacing: int, side: int,
                      radius: float, same_population: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (source, target) pairs within ``radius`` on a torus, without a per-pair loop.

    Targets sit on a grid of ``target_spacing`` sites (1: every site, 2: every
    second site in x and y) and are numbered row-major on that grid. The
    output arrays are allocated once (a 300 x 300 sheet has 10^8 synapses, so
    concatenating per-offset pieces would double the peak memory).

    Parameters
    ----------
    src_x, src_y : ndarray of int
        Site coordinates of the source neurons [grid units].
    target_spacing : int
        Spacing of the target grid (1: every site, 2: every second site) [grid units].
    side : int
        Side of the torus [grid units].
    radius : float
        Connection radius [grid units].
    same_population : bool
        Sources and targets are the same neurons (no self-connections).

    Returns
    -------
    pre : ndarray of int32
        Source index of each pair.
    post : ndarray of int32
        Target index of each pair, row-major on the target grid.
    dist2 : ndarray of float32
        Squared distance of each pair [grid units^2].
    """
    dy, dx, masks = _offset_masks(src_x, src_y, target_spacing, radius, same_population, side)
    n_side = side // target_spacing
    total = int(sum(int(m.sum()) for m in masks))
    pre = np.empty(total, np.int32)
    post = np.empty(total, np.int32)
    dist2 = np.empty(total, np.float32)
    at = 0
    for oy, ox, on_grid in zip(dy, dx, masks):
        src = np.nonzero(on_grid)[0]
        n = src.size
        if n == 0:
            continue
        ty = (src_y[src] + oy) % side
        tx = (src_x[src] + ox) % side
        pre[at:at + n] = src
        post[at:at + n] = (ty // target_spacing) * n_side + tx // target_spacing
        dist2[at:at + n] = oy * oy + ox * ox
        at += n
    return pre, post, dist2


def inhibitory_lattice_shift(inh_every: int) -> int:
    """The shift ``k`` for which sites with ``(x + k y) % inh_every == 0`` are most evenly spread.

    That set is a lattice with one site in ``inh_every``; ``k`` is chosen to
    maximize its shortest vector (ties: smallest ``k``), e.g. 2 for 5, giving
    the lattice spanned by (2, -1) and (1, 2).

    Parameters
    ----------
    inh_every : int
        One site in ``inh_every`` is on the lattice [count].

    Returns
    -------
    int
        The shift ``k``.
    """
    best, best_len = 1, -1
    span = np.arange(-inh_every, inh_every + 1)
    dy, dx = np.meshgrid(span, span, indexing="ij")
    nonzero = (dy != 0) | (dx != 0)
    for k in range(1, inh_every):
        on = ((dx + k * dy) % inh_every == 0) & nonzero
        shortest = int((dy[on] ** 2 + dx[on] ** 2).min())
        if shortest > best_len:
            best, best_len = k, shortest
    return best


def inhibitory_sites(side: int, inh_every: int, lattice: str = "spread") -> np.ndarray:
    """Which sites of a one-sheet model hold inhibitory neurons, as a (side, side) bool array.

    ``lattice="paper"``: the published spiking code's choice, sites with even
    y and x and ``(y + x) % 4 == 0`` (one in 8). Otherwise the most evenly
    spread sub-lattice with one site in ``inh_every``
    (:func:`inhibitory_lattice_shift`).

    Parameters
    ----------
    side : int
        Side of the sheet [grid units].
    inh_every : int
        One site in ``inh_every`` holds an inhibitory neuron (ignored for
        ``lattice="paper"``) [count].
    lattice : str
        ``"paper"`` or ``"spread"`` (any other value is treated as ``"spread"``).

    Returns
    -------
    ndarray of bool, shape (side, side)
        ``True`` at the inhibitory sites.
    """
    y, x = np.divmod(np.arange(side * side, dtype=np.int64), side)
    if lattice == "paper":
        inh = (y % 2 == 0) & (x % 2 == 0) & ((y + x) % 4 == 0)
    else:
        inh = (x + inhibitory_lattice_shift(inh_every) * y) % inh_every == 0
    return inh.reshape(side, side)


def padded_coordinates(side: int, pad: int, periodic: bool) -> np.ndarray:
    """Site coordinate of each padded position ``p`` (at index ``p + pad``).

    Wrapped on a torus, -1 off an open sheet. Lets kernels index neighbors
    without a per-offset boundary test.

    Parameters
    ----------
    side : int
        Side of the sheet [grid units].
    pad : int
        Padding on each end [grid units].
    periodic : bool
        Wrap round a torus rather than mark positions off the sheet with -1.

    Returns
    -------
    ndarray of int64, shape (side + 2 * pad,)
        The site coordinate of each padded position.
    """
    positions = np.arange(-pad, side + pad)
    if periodic:
        return (positions % side).astype(np.int64)
    return np.where((positions >= 0) & (positions < side), positions, -1).astype(np.int64)

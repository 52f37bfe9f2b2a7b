"""Activation maps of the rate sheet: a single map on a symmetric diverging
color range, and a saccade frame by frame (input patches above, responses
below, with the bump centroid and its path, broken where it wraps around the
periodic sheet).
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure, SubFigure
from matplotlib.axes import Axes

from .style import _axes, _figure, _finite_abs_max, _hide_ticks, _require_dims, _root

__all__ = ["plot_saccade", "plot_activation_map"]

_ACTIVATION_CMAP = "RdBu_r"
_ACTIVATION_LABEL = "activation (a.u.)"


def _symmetric_limit(values: np.ndarray) -> float:
    # A zero range would give a degenerate norm; any positive limit draws an
    # all-zero map as uniform mid-color, which is the honest picture.
    vlim = _finite_abs_max(values)
    return vlim if vlim > 0 else 1.0


def _centroid_yx(centroids: xr.DataArray, n_frames: int) -> np.ndarray:
    """Centroids as an (n_frames, 2) array of (y, x)."""
    centroids = _require_dims(centroids, ("frame", "coord"), "centroids")
    if centroids.sizes["frame"] != n_frames:
        raise ValueError(
            f"centroids has {centroids.sizes['frame']} frames, activity has {n_frames}"
        )
    if "coord" in centroids.coords:
        labels = [str(v) for v in centroids["coord"].values]
        if not {"y", "x"} <= set(labels):
            raise ValueError(f"centroids coord must contain 'y' and 'x', got {labels}")
        centroids = centroids.sel(coord=["y", "x"])
    elif centroids.sizes["coord"] != 2:
        raise ValueError(f"centroids coord must have length 2 (y, x), got {centroids.sizes['coord']}")
    return np.asarray(centroids.values, dtype=float)


def _path_with_wrap_breaks(yx: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Insert NaN rows where the path jumps by more than half the sheet.

    On a periodic sheet a bump leaving one edge reappears at the other; a line
    drawn straight across the map would suggest a movement that never
    happened, so the path is broken there instead.
    """
    if len(yx) < 2:
        return yx
    jump = np.abs(np.diff(yx, axis=0)) > np.asarray(shape, dtype=float) / 2
    out = [yx[0]]
    for i, wraps in enumerate(jump.any(axis=1)):
        if wraps:
            out.append(np.array([np.nan, np.nan]))
        out.append(yx[i + 1])
    return np.vstack(out)


def plot_saccade(
    activity: xr.DataArray,
    patches: xr.DataArray,
    centroids: xr.DataArray | None = None, fig: Figure | SubFigure | None = None) -> Figure:
    """Show input patches and sheet responses frame by frame.

    Parameters
    ----------
    activity : xr.DataArray
        Dims (``frame``, ``unit_y``, ``unit_x``): settled excitatory
        activation for each frame.
    patches : xr.DataArray
        Dims (``frame``, ``patch_y``, ``patch_x``): the input patch of each
        frame; same number of frames as ``activity``.
    centroids : xr.DataArray, optional
        Dims (``frame``, ``coord``) with ``coord`` labelled ``["y", "x"]``
        (unlabelled: taken in that order): bump centroid in grid-index units,
        i.e. ``(0, 0)`` is the center of unit ``(0, 0)``. NaN centroids (no
        bump) are skipped.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        Two rows, one column per frame, headed "t=0", "t=1", .... Top: the
        patches in grey on one color range shared by all frames (so
        brightness changes are real). Bottom: activation maps on one shared
        symmetric range with a diverging colormap and one colorbar labelled
        "activation (a.u.)". With centroids, each map marks its frame's
        centroid and shows the whole path faintly; the path is broken where
        it jumps by more than half the sheet (periodic wrap-around).

    Raises
    ------
    ValueError
        If dims are wrong or frame counts differ.
    """
    activity = _require_dims(activity, ("frame", "unit_y", "unit_x"), "activity")
    patches = _require_dims(patches, ("frame", "patch_y", "patch_x"), "patches")
    n = activity.sizes["frame"]
    if patches.sizes["frame"] != n:
        raise ValueError(f"patches has {patches.sizes['frame']} frames, activity has {n}")
    yx = _centroid_yx(centroids, n) if centroids is not None else None

    act = np.asarray(activity.values, dtype=float)
    pat = np.asarray(patches.values, dtype=float)
    vlim = _symmetric_limit(act)
    finite_pat = pat[np.isfinite(pat)]
    pmin, pmax = (float(finite_pat.min()), float(finite_pat.max())) if finite_pat.size else (0.0, 1.0)
    if pmin == pmax:
        # A constant patch would give a zero-width norm; center it instead.
        pmin, pmax = pmin - 1.0, pmax + 1.0

    sheet_shape = (activity.sizes["unit_y"], activity.sizes["unit_x"])
    path = _path_with_wrap_breaks(yx, sheet_shape) if yx is not None else None

    fig = _figure((1.7 * n + 1.2, 4.0), fig, layout="constrained")
    axes = fig.subplots(2, n, squeeze=False)
    image = None
    for t in range(n):
        top, bottom = axes[0, t], axes[1, t]
        top.imshow(pat[t], cmap="gray", vmin=pmin, vmax=pmax, interpolation="nearest")
        top.set_title(f"t={t}")
        image = bottom.imshow(act[t], cmap=_ACTIVATION_CMAP, vmin=-vlim, vmax=vlim,
                              interpolation="nearest")
        if path is not None:
            # Fix the limits first so the markers cannot rescale the map.
            bottom.set_xlim(bottom.get_xlim())
            bottom.set_ylim(bottom.get_ylim())
            bottom.plot(path[:, 1], path[:, 0], color="k", alpha=0.35, lw=1.0,
                        marker=".", ms=3)
            cy, cx = yx[t]
            if np.isfinite(cy) and np.isfinite(cx):
                bottom.plot(cx, cy, marker="x", color="k", ms=8, mew=2)
        _hide_ticks(top)
        _hide_ticks(bottom)
    axes[0, 0].set_ylabel("input patch")
    axes[1, 0].set_ylabel("E activation")
    fig.colorbar(image, ax=list(axes[1, :]), label=_ACTIVATION_LABEL, shrink=0.9)
    return _root(fig)


def plot_activation_map(activity: xr.DataArray, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Draw one sheet activation map with a colorbar.

    Parameters
    ----------
    activity : xr.DataArray
        Dims (``unit_y``, ``unit_x``).
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

    Returns
    -------
    Figure
        Diverging colormap on a range symmetric about 0 (so 0 is white),
        colorbar labelled "activation (a.u.)".
    """
    activity = _require_dims(activity, ("unit_y", "unit_x"), "activity")
    act = np.asarray(activity.values, dtype=float)
    vlim = _symmetric_limit(act)
    fig, ax = _axes((5.0, 4.2), ax)
    image = ax.imshow(act, cmap=_ACTIVATION_CMAP, vmin=-vlim, vmax=vlim, interpolation="nearest")
    ax.set_xlabel("unit_x")
    ax.set_ylabel("unit_y")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, label=_ACTIVATION_LABEL)
    return _root(fig)

"""Figures for receptive fields, training curves and saccade responses.

Plotting only: every function takes already-computed xarray results and
returns a :class:`matplotlib.figure.Figure`. The only arithmetic done here is
for display (tiling, per-tile normalisation, running means of curves).

Figures are built with :class:`~matplotlib.figure.Figure` and an explicit Agg
canvas rather than :mod:`matplotlib.pyplot`, so nothing needs a display, no
figure is registered with pyplot's global figure manager (no leaks in long
runs or tests), and the global backend is never switched.

Conventions
-----------
* Sheets are drawn with ``unit_y = 0`` at the top and ``unit_x = 0`` at the
  left (image orientation), and likewise ``patch_y = 0`` at the top of a
  patch.
* Arrays are matched by dimension *name*, not position; any order of the
  required dims is accepted, and missing or extra dims raise ``ValueError``.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .io import atomic_write

__all__ = [
    "MOSAIC_SEPARATOR",
    "save_figure",
    "receptive_field_mosaic",
    "plot_receptive_fields",
    "plot_training",
    "plot_saccade",
    "plot_activation_map",
]

#: Value written into the mosaic's separator pixels. It lies below the tiles'
#: colour range [-1, 1], so the colormap's "under" colour draws the separators
#: while the array stays finite and tile values keep their meaning.
MOSAIC_SEPARATOR = -2.0

_ACTIVATION_CMAP = "RdBu_r"
_ACTIVATION_LABEL = "activation (a.u.)"

# Sheet-size -> figure-size scaling for the mosaic: 0.25 in per unit gives the
# ~10 in figure of the paper's 40 x 40 sheet; the clamp keeps tiny sheets
# legible and huge ones from producing unmanageable PNGs.
_INCHES_PER_UNIT = 0.25
_MOSAIC_MIN_INCHES = 3.0
_MOSAIC_MAX_INCHES = 16.0
_TITLE_BAND_INCHES = 0.45

# (variable, panel title, y-axis label) in panel order for plot_training.
_TRAINING_PANELS: tuple[tuple[str, str, str], ...] = (
    ("loss", "loss", "loss (a.u.)"),
    ("sparsity", "sparsity", "fraction active"),
    ("iterations", "settling", "iterations"),
    ("lam", "soft threshold", "\u03bb (a.u.)"),
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _new_figure(figsize: tuple[float, float], **kwargs) -> Figure:
    fig = Figure(figsize=figsize, **kwargs)
    # An explicit Agg canvas makes rendering independent of the global
    # backend and of whether a display exists.
    FigureCanvasAgg(fig)
    return fig


def _require_dims(obj: xr.DataArray, required: Sequence[str], name: str) -> xr.DataArray:
    """Check ``obj`` has exactly the dims ``required`` and return it in that order."""
    if not isinstance(obj, xr.DataArray):
        raise TypeError(f"{name} must be an xarray.DataArray, got {type(obj).__name__}")
    have = tuple(obj.dims)
    missing = [d for d in required if d not in have]
    extra = [d for d in have if d not in required]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing dims {missing}")
        if extra:
            parts.append(f"unexpected dims {extra}")
        raise ValueError(
            f"{name} has {' and '.join(parts)}: expected dims {tuple(required)}, got {have}"
        )
    empty = [d for d in required if obj.sizes[d] == 0]
    if empty:
        raise ValueError(f"{name} has zero-length dims {empty}")
    return obj.transpose(*required)


def _finite_abs_max(values: np.ndarray) -> float:
    """Largest finite |value|, 0.0 when there is none."""
    finite = np.isfinite(values)
    if not finite.any():
        return 0.0
    return float(np.max(np.abs(values[finite])))


def _symmetric_limit(values: np.ndarray) -> float:
    # A zero range would give a degenerate norm; any positive limit draws an
    # all-zero map as uniform mid-colour, which is the honest picture.
    vlim = _finite_abs_max(values)
    return vlim if vlim > 0 else 1.0


def _running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over up to ``window`` samples, ignoring non-finite ones.

    The first ``window - 1`` points average over the samples available so the
    curve covers every step; points whose whole window is non-finite are NaN.
    """
    finite = np.isfinite(values)
    csum = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(finite)])
    stop = np.arange(1, values.size + 1)
    start = np.maximum(stop - window, 0)
    counts = ccount[stop] - ccount[start]
    sums = csum[stop] - csum[start]
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _hide_ticks(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


# --------------------------------------------------------------------------
# saving
# --------------------------------------------------------------------------
def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` as a PNG, atomically.

    The figure is rendered into a uniquely named temporary file in the target
    directory and then moved into place with :func:`os.replace`, so a reader
    never sees a half-written file and an existing file is only replaced by a
    complete one. Missing parent directories are created.

    Parameters
    ----------
    fig : Figure
        Figure to save.
    path : str or PathLike
        Destination; must end in ``.png``.
    dpi : int, default 150
        Resolution. The PNG is ``figsize * dpi`` pixels (no tight bounding
        box, so the pixel size is predictable from the figure size).

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.png`` or ``dpi`` is not positive.
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"save_figure writes PNG; path must end in .png, got {str(path)!r}")
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}")
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi))


# --------------------------------------------------------------------------
# receptive fields
# --------------------------------------------------------------------------
def receptive_field_mosaic(fields: xr.DataArray) -> np.ndarray:
    """Tile a sheet of receptive fields into one display array.

    Parameters
    ----------
    fields : xr.DataArray
        Dims (``unit_y``, ``unit_x``, ``patch_y``, ``patch_x``), any order.

    Returns
    -------
    ndarray, shape (ny * (py + 1) - 1, nx * (px + 1) - 1)
        Field ``(iy, ix)`` occupies rows ``iy*(py+1) : iy*(py+1)+py`` and
        columns ``ix*(px+1) : ix*(px+1)+px``, divided by its own largest
        finite |value| so it spans at most [-1, 1] with 0 unchanged. All-zero
        fields stay 0. Separator rows/columns hold :data:`MOSAIC_SEPARATOR`.
        Non-finite input values stay NaN, so a diverged field is visible
        rather than silently painted grey.
    """
    fields = _require_dims(fields, ("unit_y", "unit_x", "patch_y", "patch_x"), "fields")
    data = np.asarray(fields.values, dtype=float)
    ny, nx, py, px = data.shape

    finite = np.isfinite(data)
    scale = np.max(np.where(finite, np.abs(data), 0.0), axis=(2, 3), keepdims=True)
    # Dividing an all-zero field by 1 keeps it at 0 (mid-grey) instead of NaN.
    scale = np.where(scale > 0, scale, 1.0)
    tiles = np.where(finite, data / scale, np.nan)

    # Lay out one extra separator row/column so the array reshapes into a
    # grid of (py+1) x (px+1) cells, fill each cell's top-left block, then
    # drop the trailing separators.
    padded = np.full((ny * (py + 1), nx * (px + 1)), MOSAIC_SEPARATOR)
    cells = padded.reshape(ny, py + 1, nx, px + 1)
    cells[:, :py, :, :px] = tiles.transpose(0, 2, 1, 3)
    return padded[:-1, :-1].copy()


def plot_receptive_fields(
    fields: xr.DataArray,
    title: str | None = None,
    max_side: int | None = None,
    separator_color: str = "black",
) -> Figure:
    """Draw a sheet of receptive fields as one tiled grey-scale image.

    Parameters
    ----------
    fields : xr.DataArray
        Dims (``unit_y``, ``unit_x``, ``patch_y``, ``patch_x``), any order,
        e.g. a 40 x 40 sheet of 16 x 16 fields.
    title : str, optional
        Figure title.
    max_side : int, optional
        Show only the top-left ``max_side x max_side`` units (for sheets too
        large to read at figure resolution).
    separator_color : str, default "black"
        Colour of the 1-pixel lines between fields.

    Returns
    -------
    Figure
        One axes holding a single ``AxesImage`` whose array is
        :func:`receptive_field_mosaic` of the (cropped) sheet, drawn with a
        grey colormap on ``vmin=-1, vmax=1``: each field is scaled to its own
        max |value|, so 0 is mid-grey and each field's extreme is white or
        black. Figure size is ~0.25 in per unit along the longer sheet side
        (10 in for 40 units), clamped to [3, 16] in, with the aspect of the
        mosaic plus a title band.

    Raises
    ------
    ValueError
        If dims are wrong or ``max_side`` is not a positive integer.
    """
    fields = _require_dims(fields, ("unit_y", "unit_x", "patch_y", "patch_x"), "fields")
    if max_side is not None:
        if isinstance(max_side, bool) or int(max_side) != max_side or max_side < 1:
            raise ValueError(f"max_side must be a positive integer, got {max_side!r}")
        fields = fields.isel(unit_y=slice(0, int(max_side)), unit_x=slice(0, int(max_side)))
    ny, nx = fields.sizes["unit_y"], fields.sizes["unit_x"]
    mosaic = receptive_field_mosaic(fields)
    rows, cols = mosaic.shape

    long_side = float(np.clip(max(ny, nx) * _INCHES_PER_UNIT, _MOSAIC_MIN_INCHES, _MOSAIC_MAX_INCHES))
    inches_per_px = long_side / max(rows, cols)
    img_w, img_h = cols * inches_per_px, rows * inches_per_px
    band = _TITLE_BAND_INCHES if title else 0.0
    fig = _new_figure((img_w, img_h + band))
    # Axes placed by hand to fill the figure exactly: the figure already has
    # the mosaic's aspect, so no whitespace and no layout engine needed.
    ax = fig.add_axes((0.0, 0.0, 1.0, img_h / (img_h + band)))

    cmap: Colormap = colormaps["gray"].with_extremes(under=separator_color, bad="red")
    ax.imshow(mosaic, cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest", aspect="equal")
    _hide_ticks(ax)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------
# training curves
# --------------------------------------------------------------------------
def plot_training(history: xr.Dataset, title: str | None = None) -> Figure:
    """Plot training curves, one panel per available variable.

    Parameters
    ----------
    history : xr.Dataset
        1-D variables on dim ``step``; any of ``loss``, ``sparsity``
        (fraction of active units), ``iterations`` (settling iterations) and
        ``lam`` (soft threshold). Absent variables are skipped. The x axis is
        the ``step`` coordinate if present, else 0..n-1.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
        Stacked panels sharing x. Raw values are drawn faintly and a trailing
        running mean over ``max(1, n // 50)`` steps solidly; when the window
        is 1 only the raw curve is drawn (solid). Short runs (<= 20 steps)
        get point markers so a single step is visible.

    Raises
    ------
    ValueError
        If none of the known variables is present, or one is not 1-D on
        ``step``.
    """
    if not isinstance(history, xr.Dataset):
        raise TypeError(f"history must be an xarray.Dataset, got {type(history).__name__}")
    panels = [p for p in _TRAINING_PANELS if p[0] in history.data_vars]
    if not panels:
        known = [p[0] for p in _TRAINING_PANELS]
        raise ValueError(
            f"history has none of the variables {known}; got {list(history.data_vars)}"
        )
    for var, _, _ in panels:
        _require_dims(history[var], ("step",), f"history[{var!r}]")

    n = history.sizes["step"]
    if "step" in history.coords:
        steps = np.asarray(history["step"].values)
    else:
        steps = np.arange(n)
    window = max(1, n // 50)
    marker = "o" if n <= 20 else None

    fig = _new_figure((7.0, 0.6 + 1.8 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (var, panel_title, ylabel) in zip(axes, panels):
        raw = np.asarray(history[var].values, dtype=float)
        finite = raw[np.isfinite(raw)]
        constant = finite.size > 0 and np.ptp(finite) <= 1e-9 * max(1.0, np.abs(finite).max())
        # no offset notation: a constant lam would otherwise show "1e-14 + 5e-2"
        ax.ticklabel_format(axis="y", useOffset=False)
        if constant:
            ax.plot(steps, raw, color="C0", lw=1.6, marker=marker, ms=4)
            ax.text(0.99, 0.9, f"constant: {finite[0]:.4g}", transform=ax.transAxes, ha="right",
                    va="top", fontsize="small")
        elif window > 1:
            ax.plot(steps, raw, color="C0", alpha=0.3, lw=0.8, label="raw")
            ax.plot(steps, _running_mean(raw, window), color="C0", lw=1.6,
                    label=f"running mean ({window} steps)")
        else:
            ax.plot(steps, raw, color="C0", lw=1.6, marker=marker, ms=4)
        ax.set_ylabel(ylabel)
        ax.set_title(panel_title, loc="left", fontsize="medium")
        ax.grid(True, alpha=0.3)
    if window > 1:
        axes[0].legend(loc="best", fontsize="small", frameon=False)
    axes[-1].set_xlabel("training step")
    if np.issubdtype(steps.dtype, np.integer):
        # Steps are counts; fractional ticks (e.g. for a single step) mislead.
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        if n == 1:
            # matplotlib pads a single point by +-5%, leaving no integer tick
            # but the point itself; give it neighbours.
            axes[-1].set_xlim(steps[0] - 1, steps[0] + 1)
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------
# saccade / activation maps
# --------------------------------------------------------------------------
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
    centroids: xr.DataArray | None = None,
) -> Figure:
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
        i.e. ``(0, 0)`` is the centre of unit ``(0, 0)``. NaN centroids (no
        bump) are skipped.

    Returns
    -------
    Figure
        Two rows, one column per frame, headed "t=0", "t=1", .... Top: the
        patches in grey on one colour range shared by all frames (so
        brightness changes are real). Bottom: activation maps on one shared
        symmetric range with a diverging colormap and one colourbar labelled
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
        # A constant patch would give a zero-width norm; centre it instead.
        pmin, pmax = pmin - 1.0, pmax + 1.0

    sheet_shape = (activity.sizes["unit_y"], activity.sizes["unit_x"])
    path = _path_with_wrap_breaks(yx, sheet_shape) if yx is not None else None

    fig = _new_figure((1.7 * n + 1.2, 4.0), layout="constrained")
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
    return fig


def plot_activation_map(activity: xr.DataArray, title: str | None = None) -> Figure:
    """Draw one sheet activation map with a colourbar.

    Parameters
    ----------
    activity : xr.DataArray
        Dims (``unit_y``, ``unit_x``).
    title : str, optional
        Axes title.

    Returns
    -------
    Figure
        Diverging colormap on a range symmetric about 0 (so 0 is white),
        colourbar labelled "activation (a.u.)".
    """
    activity = _require_dims(activity, ("unit_y", "unit_x"), "activity")
    act = np.asarray(activity.values, dtype=float)
    vlim = _symmetric_limit(act)
    fig = _new_figure((5.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(act, cmap=_ACTIVATION_CMAP, vmin=-vlim, vmax=vlim, interpolation="nearest")
    ax.set_xlabel("unit_x")
    ax.set_ylabel("unit_y")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, label=_ACTIVATION_LABEL)
    return fig

"""Figures for receptive fields, training curves, saccade responses and maps.

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
* Positions on the sheet (centroids, pinwheels) are in grid-index units:
  ``(0, 0)`` is the centre of unit ``(0, 0)``, which is where ``imshow``
  draws it.
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
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, ListedColormap, Normalize, hsv_to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FormatStrFormatter, MaxNLocator

from .io import atomic_write

__all__ = [
    "MOSAIC_SEPARATOR",
    "save_figure",
    "receptive_field_mosaic",
    "plot_receptive_fields",
    "plot_training",
    "plot_saccade",
    "plot_activation_map",
    "orientation_colors",
    "plot_orientation_map",
    "plot_selectivity",
    "plot_power_spectrum",
    "plot_similarity_by_distance",
    "plot_wave_snapshots",
    "save_wave_gif",
    "plot_raster",
    "plot_population_rate",
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
    ("rate", "firing rate", "spikes / neuron / step"),
    ("active", "active neurons", "fraction spiking"),
    ("threshold", "firing threshold", "V_T (mV)"),
    ("updated", "dictionary updated", "fraction of steps"),
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
    blank=None,
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
    blank : bool array or DataArray (unit_y, unit_x), optional
        Units drawn as solid separator-coloured tiles (e.g. the inhibitory
        sites of a spiking sheet, which have no field).

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
    if blank is not None:
        blank = np.asarray(blank.transpose("unit_y", "unit_x").values if isinstance(blank, xr.DataArray)
                           else blank, bool)[:ny, :nx]
        if blank.shape != (ny, nx):
            raise ValueError(f"blank must have the sheet's shape {(ny, nx)}, got {blank.shape}")
        py, px = fields.sizes["patch_y"], fields.sizes["patch_x"]
        cells = np.pad(mosaic, ((0, 1), (0, 1)), constant_values=MOSAIC_SEPARATOR).reshape(ny, py + 1, nx, px + 1)
        cells[blank.nonzero()[0], :, blank.nonzero()[1], :] = MOSAIC_SEPARATOR
        mosaic = cells.reshape(ny * (py + 1), nx * (px + 1))[:-1, :-1]

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
def plot_training(history: xr.Dataset, title: str | None = None,
                  markers: dict[float, str] | None = None) -> Figure:
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
    markers : dict of {step: label}, optional
        Steps to mark with a dashed vertical line (e.g. where the input
        changed), labelled in the top panel.

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
        if finite.size and finite.min() > 0 and finite.max() > 20 * np.median(finite):
            # the first steps' error (random dictionary) would flatten the rest of the curve
            ax.set_yscale("log")
        for step in (markers or {}):
            ax.axvline(step, color="0.3", ls="--", lw=1)
    for step, label in (markers or {}).items():
        axes[0].annotate(label, (step, 1), xycoords=("data", "axes fraction"), xytext=(3, -3),
                         textcoords="offset points", ha="left", va="top", fontsize="small")
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


def plot_learning_curves(curves: xr.Dataset, title: str | None = None) -> Figure:
    """Measures of a code against training steps, one panel each (similarities share one).

    Parameters
    ----------
    curves : Dataset on ``eval_step``
        Any of ``explained_variance``, ``spatial_spread``,
        ``adjacent_similarity`` with ``random_similarity``,
        ``orientation_strength``, ``spikes_per_patch``.
    """
    if not isinstance(curves, xr.Dataset) or "eval_step" not in curves.dims:
        raise ValueError("curves must be a Dataset on dim 'eval_step'")
    panels = [(["explained_variance"], "explained variance (held-out patches)", "fraction"),
              (["spatial_spread"], "spatial spread of the fields (1 = unlocalised)", "median"),
              (["adjacent_similarity", "random_similarity"], "dictionary similarity", "|cos|"),
              (["orientation_strength"], "orientation strength", "median"),
              (["spikes_per_patch"], "spikes per patch", "excitatory spikes")]
    panels = [(names, t, y) for names, t, y in panels if all(n in curves for n in names)]
    if not panels:
        raise ValueError(f"curves hold none of the known measures; got {list(curves.data_vars)}")
    steps = np.asarray(curves["eval_step"].values)
    fig = _new_figure((7.0, 0.6 + 1.7 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (names, panel_title, ylabel) in zip(axes, panels):
        for k, name in enumerate(names):
            ax.plot(steps, np.asarray(curves[name].values, float), marker="o", ms=3, color=f"C{k}",
                    label=name.replace("_", " "))
        if len(names) > 1:
            ax.legend(fontsize="small", frameon=False)
        ax.set_title(panel_title, loc="left", fontsize="medium")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    axes[-1].set_xlabel("training step")
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


# --------------------------------------------------------------------------
# orientation maps
# --------------------------------------------------------------------------
_ORIENTATION_LABEL = "preferred orientation (deg)"
_SELECTIVITY_LABEL = "orientation selectivity"
_SELECTIVITY_CMAP = "viridis"
#: Colour of units whose preference or selectivity is not finite.
_BAD_RGB = (0.5, 0.5, 0.5)
_KEY_TICKS_DEG = (0, 45, 90, 135, 180)
# The map is at most ~5.5 in on its longer side in a 6 in wide figure; the
# figure height follows the sheet's aspect plus bands for the title and colour
# key, the pinwheel legend and the selectivity caption (7 in for a square sheet
# with all three).
_ORIENTATION_FIG_WIDTH = 6.0
_ORIENTATION_MAP_INCHES = 5.5
_ORIENTATION_BASE_BAND = 1.0
_ORIENTATION_LEGEND_BAND = 0.3
_ORIENTATION_CAPTION_BAND = 0.25
_PINWHEEL_MS = 5.0

# Wavelengths (grid units) offered as ticks on the power spectrum's top axis.
_WAVELENGTH_TICKS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80,
                     100, 150, 200, 300, 400, 500, 1000)
# Minimum gap between top-axis ticks, as a fraction of the x range.
_WAVELENGTH_TICK_GAP = 0.08


def _hue_colormap(n: int = 256) -> ListedColormap:
    """The orientation hue cycle (saturation and value 1) as a colormap on [0, 1]."""
    hue = (np.arange(n) + 0.5) / n
    return ListedColormap(hsv_to_rgb(np.stack([hue, np.ones(n), np.ones(n)], axis=-1)),
                          name="orientation_hue")


def _percentile_scale(values: np.ndarray, q: float = 99.0) -> float:
    """``q``-th percentile of the finite values, or 1.0 when that is not positive."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 1.0
    scale = float(np.percentile(finite, q))
    # An all-zero (or negative) map stays black rather than dividing by 0.
    return scale if scale > 0 else 1.0


def orientation_colors(
    preference: xr.DataArray, selectivity: xr.DataArray | None = None
) -> np.ndarray:
    """Colour a sheet by preferred orientation (hue) and selectivity (brightness).

    Parameters
    ----------
    preference : xr.DataArray
        Dims (``unit_y``, ``unit_x``), any order: preferred orientation in
        radians in [0, pi). Values outside are wrapped modulo pi.
    selectivity : xr.DataArray, optional
        Same dims and sizes as ``preference``, values in [0, 1].

    Returns
    -------
    ndarray, shape (ny, nx, 3)
        RGB in [0, 1] from HSV with hue ``preference / pi`` (cyclic: 0 and
        pi give the same colour), saturation 1, and value ``selectivity``
        divided by its 99th percentile (over finite values) and clipped to
        [0, 1]; value is 1 everywhere when ``selectivity`` is None. Units with
        a non-finite preference or selectivity are mid-grey.

    Raises
    ------
    ValueError
        If dims are wrong or the two arrays differ in size.
    """
    preference = _require_dims(preference, ("unit_y", "unit_x"), "preference")
    pref = np.asarray(preference.values, dtype=float)
    bad = ~np.isfinite(pref)
    hue = np.mod(np.where(bad, 0.0, pref) / np.pi, 1.0)
    if selectivity is None:
        value = np.ones_like(pref)
    else:
        selectivity = _require_dims(selectivity, ("unit_y", "unit_x"), "selectivity")
        if selectivity.shape != preference.shape:
            raise ValueError(
                f"selectivity has shape {dict(selectivity.sizes)}, preference has "
                f"{dict(preference.sizes)}"
            )
        sel = np.asarray(selectivity.values, dtype=float)
        bad |= ~np.isfinite(sel)
        scale = _percentile_scale(sel)
        value = np.clip(np.where(np.isfinite(sel), sel, 0.0) / scale, 0.0, 1.0)
    rgb = hsv_to_rgb(np.stack([hue, np.ones_like(hue), value], axis=-1))
    rgb[bad] = _BAD_RGB
    return rgb


def _pinwheel_arrays(pinwheels: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(y, x, charge)`` of a pinwheel dataset as float arrays (possibly empty)."""
    if not isinstance(pinwheels, xr.Dataset):
        raise TypeError(f"pinwheels must be an xarray.Dataset, got {type(pinwheels).__name__}")
    missing = [v for v in ("y", "x", "charge") if v not in pinwheels.variables]
    if missing:
        raise ValueError(
            f"pinwheels is missing variables {missing}: expected 'y', 'x' and 'charge' on "
            f"dim 'pinwheel', got {list(pinwheels.variables)}"
        )
    out = []
    for name in ("y", "x", "charge"):
        dims = tuple(pinwheels[name].dims)
        if dims != ("pinwheel",):
            raise ValueError(f"pinwheels[{name!r}] must have dims ('pinwheel',), got {dims}")
        out.append(np.asarray(pinwheels[name].values, dtype=float))
    return out[0], out[1], out[2]


def plot_orientation_map(
    preference: xr.DataArray,
    selectivity: xr.DataArray | None = None,
    pinwheels: xr.Dataset | None = None,
    title: str | None = None,
) -> Figure:
    """Draw an orientation preference map, optionally with selectivity and pinwheels.

    Parameters
    ----------
    preference : xr.DataArray
        Dims (``unit_y``, ``unit_x``), any order: preferred orientation in
        radians in [0, pi).
    selectivity : xr.DataArray, optional
        Same dims and sizes, values in [0, 1]; shown as brightness.
    pinwheels : xr.Dataset, optional
        Variables ``y``, ``x`` (position in grid-index units, so unit
        ``(iy, ix)`` is centred at ``(iy, ix)``) and ``charge`` (+0.5 or
        -0.5) on dim ``pinwheel``, which may be empty. Pinwheels are split by
        the sign of ``charge``; zero or NaN charges and NaN positions are not
        drawn.
    title : str, optional
        Figure title; default "orientation preference".

    Returns
    -------
    Figure
        The map is one ``AxesImage`` holding :func:`orientation_colors` of
        the inputs (RGB, nearest interpolation, equal aspect, no ticks,
        ``unit_y = 0`` at the top), ~5.5 in on its longer side in a 6 in wide
        figure whose height follows the sheet's aspect. Below it a horizontal colour key maps hue
        to orientation 0-180 deg, labelled "preferred orientation (deg)".
        With selectivity, a caption says that brightness is selectivity and
        gives the 99th-percentile value that is drawn at full brightness.
        With pinwheels, +1/2 pinwheels are white circles with black edges and
        -1/2 pinwheels black squares with white edges (one ``Line2D`` each,
        labelled "pinwheel +1/2" / "pinwheel -1/2"), and a legend above the
        map gives their counts, e.g. "pinwheel +1/2 (12)".

    Raises
    ------
    ValueError
        If dims are wrong, the arrays differ in size, or ``pinwheels`` lacks a
        variable or has one not on dim ``pinwheel``.
    """
    rgb = orientation_colors(preference, selectivity)
    pw = _pinwheel_arrays(pinwheels) if pinwheels is not None else None

    ny, nx = rgb.shape[:2]
    height = (_ORIENTATION_MAP_INCHES * float(np.clip(ny / nx, 0.2, 1.0)) + _ORIENTATION_BASE_BAND
              + (_ORIENTATION_LEGEND_BAND if pw is not None else 0.0)
              + (_ORIENTATION_CAPTION_BAND if selectivity is not None else 0.0))
    fig = _new_figure((_ORIENTATION_FIG_WIDTH, height), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(rgb, interpolation="nearest", aspect="equal")
    _hide_ticks(ax)

    if pw is not None:
        y, x, charge = pw
        # Fix the limits first so markers near an edge cannot rescale the map.
        ax.set_xlim(ax.get_xlim())
        ax.set_ylim(ax.get_ylim())
        for sign, name, marker, face, edge in ((1, "+1/2", "o", "white", "black"),
                                              (-1, "\u22121/2", "s", "black", "white")):
            sel = (np.sign(charge) == sign) & np.isfinite(y) & np.isfinite(x)
            ax.plot(x[sel], y[sel], linestyle="none", marker=marker, ms=_PINWHEEL_MS,
                    mfc=face, mec=edge, mew=1.0, label=f"pinwheel {name} ({int(sel.sum())})")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False,
                  fontsize="small", handletextpad=0.3, columnspacing=1.5, borderaxespad=0.2)

    key = ScalarMappable(norm=Normalize(0.0, 180.0), cmap=_hue_colormap())
    cbar = fig.colorbar(key, ax=ax, location="bottom", shrink=0.55, aspect=25, pad=0.03)
    cbar.set_ticks(list(_KEY_TICKS_DEG))
    cbar.set_label(_ORIENTATION_LABEL)
    cbar.outline.set_linewidth(0.5)

    if selectivity is not None:
        sel = np.asarray(selectivity.values, dtype=float)
        fig.supxlabel(
            f"brightness = {_SELECTIVITY_LABEL} (full brightness at its 99th percentile, "
            f"{_percentile_scale(sel):.2g}); grey = undefined",
            fontsize="small",
        )
    fig.suptitle(title if title is not None else "orientation preference")
    return fig


def plot_selectivity(selectivity: xr.DataArray, title: str | None = None) -> Figure:
    """Draw an orientation selectivity map with a colourbar.

    Parameters
    ----------
    selectivity : xr.DataArray
        Dims (``unit_y``, ``unit_x``), any order, values in [0, 1].
    title : str, optional
        Axes title.

    Returns
    -------
    Figure
        One ``AxesImage`` (viridis, nearest interpolation, equal aspect) on
        ``vmin = 0, vmax = 1``, widened to the data's finite extremes only if
        they lie outside; non-finite units are light grey. Colourbar labelled
        "orientation selectivity".
    """
    selectivity = _require_dims(selectivity, ("unit_y", "unit_x"), "selectivity")
    sel = np.asarray(selectivity.values, dtype=float)
    finite = sel[np.isfinite(sel)]
    vmin = min(0.0, float(finite.min())) if finite.size else 0.0
    vmax = max(1.0, float(finite.max())) if finite.size else 1.0
    fig = _new_figure((5.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    cmap = colormaps[_SELECTIVITY_CMAP].with_extremes(bad="lightgrey")
    image = ax.imshow(sel, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest",
                      aspect="equal")
    ax.set_xlabel("unit_x")
    ax.set_ylabel("unit_y")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, label=_SELECTIVITY_LABEL)
    return fig


# --------------------------------------------------------------------------
# map statistics
# --------------------------------------------------------------------------
def _require_coord(obj: xr.DataArray, dim: str, name: str) -> np.ndarray:
    """The values of coordinate ``dim`` of ``obj`` as floats; ValueError if absent."""
    if dim not in obj.coords:
        raise ValueError(f"{name} needs a {dim!r} coordinate (the x-axis values)")
    return np.asarray(obj[dim].values, dtype=float)


def _inverse(values):
    """``1 / values`` with 0 mapped to inf (wavenumber <-> wavelength)."""
    values = np.array(values, dtype=float)
    near_zero = np.isclose(values, 0.0)
    out = np.full_like(values, np.inf)
    out[~near_zero] = 1.0 / values[~near_zero]
    return out


def _wavelength_ticks(kmin: float, kmax: float) -> list[float]:
    """Round wavelengths whose wavenumbers lie in [kmin, kmax], spaced for legibility."""
    span = kmax - kmin
    if not (np.isfinite(span) and span > 0):
        return []
    ticks: list[float] = []
    last_k = np.inf
    # Short wavelengths first: they sit far apart at high wavenumber; long
    # ones crowd towards k = 0 and are dropped once closer than the gap.
    for lam in _WAVELENGTH_TICKS:
        k = 1.0 / lam
        if kmin <= k <= kmax and last_k - k >= _WAVELENGTH_TICK_GAP * span:
            ticks.append(lam)
            last_k = k
    return ticks


def plot_power_spectrum(spectrum: xr.Dataset, title: str | None = None) -> Figure:
    """Plot a radially averaged power spectrum and its column spacing.

    Parameters
    ----------
    spectrum : xr.Dataset
        Variable ``power`` on dim ``wavenumber`` whose coordinate is in cycles
        per grid unit; optional variable ``fit`` on the same dim (a fitted
        curve); attr ``column_spacing`` (grid units; NaN or absent when no
        peak was found).
    title : str, optional
        Axes title.

    Returns
    -------
    Figure
        Power as markers joined by a line; the fit, if present, as a line;
        when ``column_spacing`` is finite and positive, a vertical dashed line
        at ``1 / column_spacing`` labelled "Λ = {column_spacing:.2f} units".
        The y axis is logarithmic when every finite power is positive. The
        x axis is labelled "spatial frequency (cycles / unit)" and the y axis
        "power (a.u.)"; a top axis shows the matching wavelength in units.

    Raises
    ------
    ValueError
        If ``power`` is missing, a variable is not 1-D on ``wavenumber``, or
        there is no ``wavenumber`` coordinate.
    """
    if not isinstance(spectrum, xr.Dataset):
        raise TypeError(f"spectrum must be an xarray.Dataset, got {type(spectrum).__name__}")
    if "power" not in spectrum.data_vars:
        raise ValueError(
            f"spectrum is missing variable 'power'; got {list(spectrum.data_vars)}"
        )
    power_da = _require_dims(spectrum["power"], ("wavenumber",), "spectrum['power']")
    k = _require_coord(power_da, "wavenumber", "spectrum")
    power = np.asarray(power_da.values, dtype=float)
    fit = None
    if "fit" in spectrum.data_vars:
        fit = np.asarray(
            _require_dims(spectrum["fit"], ("wavenumber",), "spectrum['fit']").values, dtype=float
        )
    spacing = float(spectrum.attrs.get("column_spacing", np.nan))

    fig = _new_figure((6.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(k, power, color="C0", marker="o", ms=4, lw=1.2, label="power")
    if fit is not None and np.isfinite(fit).any():
        ax.plot(k, fit, color="C1", lw=1.6, label="fit")
    finite_power = power[np.isfinite(power)]
    if finite_power.size and np.all(finite_power > 0):
        ax.set_yscale("log")
    if np.isfinite(spacing) and spacing > 0:
        ax.axvline(1.0 / spacing, color="k", ls="--", lw=1.0,
                   label=f"\u039b = {spacing:.2f} units")
    ax.set_xlabel("spatial frequency (cycles / unit)")
    ax.set_ylabel("power (a.u.)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small", frameon=False)

    kmin, kmax = ax.get_xlim()
    top = ax.secondary_xaxis("top", functions=(_inverse, _inverse))
    top.xaxis.set_major_locator(FixedLocator(_wavelength_ticks(max(kmin, 0.0), kmax)))
    top.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    top.set_xlabel("wavelength (units)")
    if title:
        ax.set_title(title)
    return fig


def plot_similarity_by_distance(similarity: xr.DataArray, title: str | None = None) -> Figure:
    """Plot tuning similarity against cortical distance, relative to chance.

    Parameters
    ----------
    similarity : xr.DataArray
        1-D on dim ``distance`` with a coordinate in grid units; values are
        tuning similarity divided by a shuffled baseline (1 = chance).
    title : str, optional
        Axes title.

    Returns
    -------
    Figure
        Similarity as markers joined by a line, a horizontal dashed line at 1
        labelled "shuffled baseline", axes labelled "cortical distance
        (units)" and "similarity / shuffled".

    Raises
    ------
    ValueError
        If dims are wrong or there is no ``distance`` coordinate.
    """
    similarity = _require_dims(similarity, ("distance",), "similarity")
    distance = _require_coord(similarity, "distance", "similarity")
    values = np.asarray(similarity.values, dtype=float)

    fig = _new_figure((5.5, 4.0), layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(1.0, color="0.4", ls="--", lw=1.0, label="shuffled baseline")
    ax.plot(distance, values, color="C0", marker="o", ms=4, lw=1.2)
    ax.set_xlabel("cortical distance (units)")
    ax.set_ylabel("similarity / shuffled")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small", frameon=False)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------
# spiking waves
# --------------------------------------------------------------------------
def plot_wave_snapshots(movie: xr.DataArray, n_frames: int = 8, title: str | None = None) -> Figure:
    """A row of activity snapshots of the sheet.

    Parameters
    ----------
    movie : DataArray (frame, y, x)
        Spike counts per site and frame, with a ``time_ms`` coordinate on
        ``frame`` if available.
    n_frames : int
        Snapshots, evenly spaced through the movie.
    """
    movie = _require_dims(movie, ("frame", "y", "x"), "movie")
    total = movie.sizes["frame"]
    if total == 0:
        raise ValueError("movie has no frames")
    picks = np.unique(np.linspace(0, total - 1, min(n_frames, total)).round().astype(int))
    vmax = max(float(movie.max()), 1.0)
    cols = len(picks)
    fig = _new_figure((2.0 * cols + 0.8, 2.6), layout="constrained")
    axes = fig.subplots(1, cols, squeeze=False)[0]
    image = None
    for ax, k in zip(axes, picks):
        frame = movie.isel(frame=int(k))
        image = ax.imshow(frame.values, cmap="inferno", vmin=0, vmax=vmax, interpolation="nearest")
        label = f"t = {float(frame['time_ms']):.0f} ms" if "time_ms" in frame.coords else f"frame {k}"
        ax.set_title(label, fontsize="small")
        _hide_ticks(ax)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="spikes per site and frame")
    if title:
        fig.suptitle(title)
    return fig


def save_wave_gif(movie: xr.DataArray, path: str | os.PathLike[str], fps: int = 20,
                  scale: int = 2) -> Path:
    """Write an animated GIF of the sheet's activity (atomically).

    Each frame is the spike count per site, coloured with a fixed scale for
    the whole movie; ``scale`` enlarges small sheets (nearest neighbour).
    """
    from PIL import Image

    movie = _require_dims(movie, ("frame", "y", "x"), "movie")
    if movie.sizes["frame"] == 0:
        raise ValueError("movie has no frames")
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_wave_gif writes GIF; path must end in .gif, got {str(path)!r}")
    values = np.asarray(movie.values, dtype=float)
    vmax = max(values.max(), 1.0)
    rgb = (colormaps["inferno"](np.clip(values / vmax, 0, 1))[..., :3] * 255).astype(np.uint8)
    if scale > 1:
        rgb = rgb.repeat(scale, axis=1).repeat(scale, axis=2)
    frames = [Image.fromarray(f) for f in rgb]

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            frames[0].save(fh, format="GIF", save_all=True, append_images=frames[1:],
                           duration=max(1, int(1000 / fps)), loop=0)

    return atomic_write(path, write)


def plot_raster(times_ms: np.ndarray, neurons: np.ndarray, is_exc: np.ndarray | None = None,
                start_ms: float | None = None, stop_ms: float | None = None,
                max_neurons: int = 400, seed: int = 0, title: str | None = None) -> Figure:
    """Spike raster of a random subset of neurons (excitatory red, inhibitory blue).

    Parameters
    ----------
    times_ms, neurons : 1-D arrays
        Spike times (ms) and neuron indices.
    is_exc : bool array over neurons, optional
        Neuron types, for colour.
    max_neurons : int
        Neurons shown (a seeded random subset, sorted by index).
    """
    times_ms = np.asarray(times_ms, float)
    neurons = np.asarray(neurons)
    if times_ms.shape != neurons.shape:
        raise ValueError("times_ms and neurons must have the same length")
    n_total = int(neurons.max()) + 1 if neurons.size else 0
    if is_exc is not None:
        n_total = max(n_total, len(is_exc))
    rng = np.random.default_rng(seed)
    shown = np.sort(rng.choice(n_total, min(max_neurons, n_total), replace=False)) if n_total else np.array([], int)
    row = np.full(max(n_total, 1), -1)
    row[shown] = np.arange(shown.size)
    keep = row[neurons] >= 0 if neurons.size else np.zeros(0, bool)
    if start_ms is not None:
        keep &= times_ms >= start_ms
    if stop_ms is not None:
        keep &= times_ms < stop_ms
    fig = _new_figure((8.0, 4.0), layout="constrained")
    ax = fig.subplots()
    t, n = times_ms[keep], neurons[keep]
    exc = np.ones(n.size, bool) if is_exc is None else np.asarray(is_exc)[n]
    ax.scatter(t[exc], row[n[exc]], s=1.5, c="tab:red", marker="|", label="excitatory")
    if (~exc).any():
        ax.scatter(t[~exc], row[n[~exc]], s=1.5, c="tab:blue", marker="|", label="inhibitory")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"neuron ({shown.size} of {n_total})")
    ax.legend(loc="upper right", fontsize="small", markerscale=6)
    if title:
        ax.set_title(title)
    return fig


def plot_population_rate(rates: xr.Dataset, title: str | None = None) -> Figure:
    """Population firing rates over time.

    ``rates`` has ``rate_exc_hz`` and/or ``rate_inh_hz`` on dim ``time_ms``.
    """
    names = [v for v in ("rate_exc_hz", "rate_inh_hz") if v in rates]
    if not names:
        raise ValueError("rates needs rate_exc_hz or rate_inh_hz")
    fig = _new_figure((8.0, 3.0), layout="constrained")
    ax = fig.subplots()
    for name, colour, label in (("rate_exc_hz", "tab:red", "excitatory"), ("rate_inh_hz", "tab:blue", "inhibitory")):
        if name in rates:
            da = _require_dims(rates[name], ("time_ms",), name)
            ax.plot(da["time_ms"].values, da.values, color=colour, lw=1, label=label)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("population rate (Hz)")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------
# word maps
# --------------------------------------------------------------------------
def plot_word_map(colors: xr.DataArray, labels: xr.DataArray, every: int = 3,
                  title: str | None = None) -> Figure:
    """A word map: units coloured by their fields' principal components, some labelled with their word.

    Parameters
    ----------
    colors : DataArray (unit_y, unit_x, rgb)
        RGB in [0, 1] (see :func:`ei_maps.analysis.semantic.principal_component_colors`).
    labels : DataArray (unit_y, unit_x) of str
        A word per unit ("" for none).
    every : int
        Label every ``every``-th unit in y and x, so the words stay legible.
    """
    colors = _require_dims(colors, ("unit_y", "unit_x", "rgb"), "colors")
    labels = _require_dims(labels, ("unit_y", "unit_x"), "labels")
    if isinstance(every, bool) or int(every) != every or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    rgb = np.clip(np.asarray(colors.transpose("unit_y", "unit_x", "rgb").values, float), 0, 1)
    words = np.asarray(labels.transpose("unit_y", "unit_x").values)
    ny, nx = rgb.shape[:2]
    size = float(np.clip(0.3 * max(ny, nx), 6, 16))
    fig = _new_figure((size, size + (0.5 if title else 0)), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(rgb, interpolation="nearest")
    fontsize = float(np.clip(90.0 / max(ny, nx) * every, 4, 10))
    for y in range(every // 2, ny, every):
        for x in range(every // 2, nx, every):
            if words[y, x]:
                # dark text on light colours and light text on dark ones
                light = rgb[y, x] @ np.array([0.299, 0.587, 0.114]) > 0.5
                ax.text(x, y, str(words[y, x]), ha="center", va="center", fontsize=fontsize,
                        color="black" if light else "white")
    _hide_ticks(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def word_map_html(colors: xr.DataArray, words: xr.DataArray, title: str = "word map") -> str:
    """A self-contained HTML page of the word map: hover a unit to list its best words.

    Parameters
    ----------
    colors : DataArray (unit_y, unit_x, rgb) in [0, 1]
    words : DataArray (unit_y, unit_x, rank) of str
        Each unit's words, best first ("" entries are skipped).
    """
    import html

    colors = _require_dims(colors, ("unit_y", "unit_x", "rgb"), "colors")
    words = _require_dims(words, ("unit_y", "unit_x", "rank"), "words")
    rgb = np.clip(np.asarray(colors.transpose("unit_y", "unit_x", "rgb").values, float), 0, 1)
    w = np.asarray(words.transpose("unit_y", "unit_x", "rank").values)
    ny, nx = rgb.shape[:2]
    cells = []
    for y in range(ny):
        for x in range(nx):
            listed = ", ".join(str(v) for v in w[y, x] if v)
            r, g, b = (int(round(255 * c)) for c in rgb[y, x])
            cells.append(f'<div style="background:rgb({r},{g},{b})" '
                         f'title="unit ({y}, {x}): {html.escape(listed or "(silent)")}"></div>')
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; }}
#map {{ display: grid; grid-template-columns: repeat({nx}, 1fr); width: min(90vw, 90vh); aspect-ratio: {nx} / {ny}; }}
#map div {{ border: 1px solid rgba(255,255,255,0.15); }}
#map div:hover {{ outline: 2px solid black; }}
#words {{ margin-top: 0.5em; min-height: 1.5em; }}
</style></head>
<body><h3>{html.escape(title)}</h3>
<p>Colour: the top three principal components of the units' receptive fields. Hover a unit to list its
preferred words.</p>
<div id="map">{''.join(cells)}</div>
<div id="words"></div>
<script>
for (const cell of document.querySelectorAll('#map div')) {{
  cell.addEventListener('mouseenter', () => {{ document.getElementById('words').textContent = cell.title; }});
}}
</script>
</body></html>
"""


def plot_group_activations(groups: xr.DataArray, title: str | None = None, cmap: str = "jet",
                           columns: int = 4) -> Figure:
    """Small multiples of mean activation maps, one per group, each with its colourbar.

    Parameters
    ----------
    groups : DataArray (group, unit_y, unit_x)
        E.g. the mean activation of each word group, or of each stimulus class.
    cmap : str
        Colormap (the paper's maps use jet). Each panel's colour range is its
        5th to 95th percentile; values beyond it saturate.
    """
    groups = _require_dims(groups, ("group", "unit_y", "unit_x"), "groups")
    n = groups.sizes["group"]
    if n == 0:
        raise ValueError("groups is empty")
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    fig = _new_figure((3.2 * cols, 3.0 * rows + (0.4 if title else 0)), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_visible(False)
            continue
        data = np.asarray(groups.isel(group=k).transpose("unit_y", "unit_x").values, float)
        # a few units with extreme responses would otherwise flatten the rest of the map
        lo, hi = np.nanpercentile(data, [5, 95]) if np.isfinite(data).any() else (0.0, 1.0)
        image = ax.imshow(data, cmap=cmap, interpolation="nearest", vmin=lo, vmax=hi if hi > lo else lo + 1e-12)
        ax.set_title(str(groups["group"].values[k]) if "group" in groups.coords else f"group {k}", fontsize=9)
        _hide_ticks(ax)
        fig.colorbar(image, ax=ax, shrink=0.8, extend="both")
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------
# touch maps
# --------------------------------------------------------------------------
def plot_class_maps(responses: xr.DataArray, territory: xr.DataArray | None = None, floor: float = 0.0,
                    title: str | None = None, cmap: str = "jet") -> Figure:
    """Signed mean response to every stimulus class, one row per phase, on one symmetric colour range.

    As the paper draws its touch maps: each class's mean settled response
    (jet), plus the sum over the single-finger classes, every panel on the
    same range so weakened responses look weaker.

    Parameters
    ----------
    responses : DataArray (phase, stimulus_class, unit_y, unit_x)
        With a ``class_finger`` coordinate on ``stimulus_class``: the finger
        of a single-finger class, 0 for pairs.
    territory : DataArray (phase, finger, unit_y, unit_x) of bool, optional
        Territories to outline (black) on their class's panel and on the sum.
    floor : float
        The colour range is +- max(floor, largest |response|), so small maps
        are not blown up to look like strong ones (the paper used +-0.125).
    """
    responses = _require_dims(responses, ("phase", "stimulus_class", "unit_y", "unit_x"), "responses")
    if "class_finger" not in responses.coords:
        raise ValueError("responses need a 'class_finger' coordinate on stimulus_class (0 for pair classes)")
    fingers = np.asarray(responses["class_finger"].values)
    single = fingers > 0
    phases = [str(p) for p in responses["phase"].values]
    names = [str(n) for n in responses["stimulus_class"].values] + ["sum of single fingers"]
    values = np.asarray(responses.values, float)
    sums = values[:, single].sum(axis=1) if single.any() else np.zeros_like(values[:, 0])
    vlim = max(float(floor), _finite_abs_max(values), _finite_abs_max(sums))
    vlim = vlim if vlim > 0 else 1.0
    n_rows, n_cols = len(phases), len(names)
    fig = _new_figure((2.1 * n_cols + 1.0, 2.2 * n_rows + (0.5 if title else 0.2)), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    image = None
    for r, phase in enumerate(phases):
        for c, name in enumerate(names):
            ax = axes[r, c]
            data = sums[r] if c == len(names) - 1 else values[r, c]
            image = ax.imshow(data, cmap=cmap, vmin=-vlim, vmax=vlim, interpolation="nearest")
            outline = []
            if territory is not None and "finger" in territory.dims:
                have = set(int(f) for f in territory["finger"].values)
                if c == len(names) - 1:
                    outline = sorted(have)
                elif fingers[c] in have:
                    outline = [int(fingers[c])]
            for f in outline:
                mask = np.asarray(territory.sel(phase=phase, finger=f).transpose("unit_y", "unit_x").values, float)
                if mask.any():
                    ax.contour(mask, levels=[0.5], colors="black", linewidths=0.8)
            ax.set_title(name if r == 0 else "", fontsize=8)
            if c == 0:
                ax.set_ylabel(phase)
            _hide_ticks(ax)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="mean response (a.u.)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_finger_maps(preferred: xr.DataArray, n_fingers: int, title: str | None = None) -> Figure:
    """Maps of each unit's preferred finger, one panel per entry of the first dim (e.g. phase).

    Parameters
    ----------
    preferred : DataArray (phase, unit_y, unit_x) of int
        Finger 1..n_fingers, 0 for unresponsive units (drawn black).
    n_fingers : int
    """
    if not isinstance(preferred, xr.DataArray) or not {"unit_y", "unit_x"} <= set(preferred.dims):
        raise ValueError("preferred must be a DataArray with dims unit_y and unit_x")
    lead = [d for d in preferred.dims if d not in ("unit_y", "unit_x")]
    if len(lead) > 1:
        raise ValueError(f"preferred must have at most one dim besides unit_y, unit_x; got {preferred.dims}")
    panels = preferred.transpose(*lead, "unit_y", "unit_x") if lead else preferred.expand_dims(panel=[""])
    dim = panels.dims[0]
    colors = ["black"] + [colormaps["tab10"](k % 10) for k in range(n_fingers)]
    cmap = ListedColormap(colors)
    n = panels.sizes[dim]
    fig = _new_figure((3.6 * n + 1.2, 3.9 + (0.3 if title else 0)), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for k, ax in enumerate(axes):
        image = ax.imshow(np.asarray(panels.isel({dim: k}).values, float), cmap=cmap, vmin=-0.5,
                          vmax=n_fingers + 0.5, interpolation="nearest")
        label = panels[dim].values[k] if dim in panels.coords else k
        ax.set_title(str(label))
        _hide_ticks(ax)
    bar = fig.colorbar(image, ax=list(axes), ticks=range(n_fingers + 1), shrink=0.8)
    bar.ax.set_yticklabels(["none"] + [f"finger {f}" for f in range(1, n_fingers + 1)])
    if title:
        fig.suptitle(title)
    return fig


def plot_regime_spectra(rows: Sequence[dict], columns: int = 3) -> Figure:
    """Predicted linear gain against the learned map's spectrum, one panel per configuration.

    Parameters
    ----------
    rows : sequence of dict
        Each with ``spec`` (:func:`ei_maps.analysis.wavelength.lateral_spectrum`),
        ``power`` (the map's radially averaged power spectrum on
        ``wavenumber``), ``w_inh``, ``leak`` and ``predicted_wavelength``.
        Both curves are drawn normalised to their maximum (the map's as
        amplitude, without its lowest bin).
    """
    if not rows:
        raise ValueError("no configurations to draw")
    n = len(rows)
    cols = min(columns, n)
    nrows = int(np.ceil(n / cols))
    fig = _new_figure((3.3 * cols, 2.5 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, cols, squeeze=False, sharex=True)
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_visible(False)
            continue
        r = rows[k]
        spec, power = r["spec"], r["power"]
        gain = np.where(np.isfinite(spec["gain"].values), spec["gain"].values, np.nan)
        ax.plot(spec["wavenumber"].values, gain / np.nanmax(gain), color="C0", label="predicted gain G(k)")
        kw = power["wavenumber"].values[1:]
        amp = np.sqrt(np.asarray(power.values, float)[1:])
        ax.plot(kw, amp / amp.max(), color="C3", label="learned map (amplitude)")
        lam = r["predicted_wavelength"]
        if np.isfinite(lam):
            ax.axvline(1 / lam, color="C0", ls="--", lw=0.8)
        ax.set_title(f"w_inh {r['w_inh']:g}, leak {r['leak']:g}", fontsize=9)
        ax.set_xlim(0, 0.5)
        ax.set_ylim(0, 1.05)
        ax.grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize=7, frameon=False)
    for ax in axes[-1]:
        ax.set_xlabel("wavenumber (cycles per unit)")
    fig.suptitle("E/I interactions' preferred wavelength (dashed) vs the learned orientation maps", fontsize=10)
    return fig


def plot_sweep_lines(sweep: xr.Dataset, x: str, variables: Sequence[str], title: str | None = None) -> Figure:
    """One panel per variable against the swept parameter ``x``, one line per value of the other dims."""
    if x not in sweep.dims:
        raise ValueError(f"{x!r} is not a dim of the sweep; dims are {list(sweep.dims)}")
    missing = [v for v in variables if v not in sweep]
    if missing:
        raise ValueError(f"sweep lacks {missing}")
    fig = _new_figure((3.6 * len(variables), 3.2 + (0.3 if title else 0)), layout="constrained")
    axes = fig.subplots(1, len(variables), squeeze=False)[0]
    for ax, var in zip(axes, variables):
        da = sweep[var]
        others = [d for d in da.dims if d != x]
        stacked = da.stack(line=others) if others else da.expand_dims(line=[0])
        for k in range(stacked.sizes["line"]):
            series = stacked.isel(line=k)
            label = ", ".join(f"{d} {series[d].item():g}" for d in others) if others else None
            ax.plot(sweep[x].values, series.transpose(x).values, marker="o", label=label)
        ax.set_xlabel(x)
        ax.set_title(var.replace("_", " "), fontsize=9)
        if others and stacked.sizes["line"] > 1:
            ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------
# sweeps
# --------------------------------------------------------------------------
def plot_sweep_heatmaps(result: xr.Dataset, x: str, y: str, variables: Sequence[str],
                        title: str | None = None) -> Figure:
    """Heatmaps of sweep measures over two parameters, averaged over every other dim (failures left out)."""
    for d in (x, y):
        if d not in result.dims:
            raise ValueError(f"{d!r} is not a dim of the sweep; dims are {list(result.dims)}")
    variables = [v for v in variables if v in result]
    if not variables:
        raise ValueError("none of the variables is in the sweep")
    fig = _new_figure((3.6 * len(variables), 3.4 + (0.3 if title else 0)), layout="constrained")
    axes = fig.subplots(1, len(variables), squeeze=False)[0]
    for ax, var in zip(axes, variables):
        da = result[var]
        others = [d for d in da.dims if d not in (x, y)]
        mean = (da.mean(others) if others else da).transpose(y, x)
        image = ax.imshow(np.asarray(mean.values, float), origin="lower", cmap="viridis", aspect="auto")
        ax.set_xticks(range(result.sizes[x]), [f"{v}" for v in result[x].values])
        ax.set_yticks(range(result.sizes[y]), [f"{v}" for v in result[y].values])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(var.replace("_", " "), fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


def plot_receptive_field_pair(panels: dict[str, xr.DataArray]) -> Figure:
    """Receptive-field grids side by side (e.g. the best and worst configurations of a sweep)."""
    if not panels:
        raise ValueError("no receptive fields to draw")
    fig = _new_figure((6.0 * len(panels), 6.4), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    cmap = colormaps["gray"].with_extremes(under="black", bad="red")
    for ax, (label, fields) in zip(axes, panels.items()):
        ax.imshow(receptive_field_mosaic(fields), cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
        ax.set_title(label, fontsize=9)
        _hide_ticks(ax)
    return fig

"""Receptive-field figures: a sheet's fields tiled into one grey-scale mosaic
(each field scaled to its own largest absolute value), optionally with blanked units,
and several such mosaics side by side (e.g. the best and worst configurations
of a sweep).
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.colors import Colormap
from matplotlib.figure import Figure, SubFigure

from .style import _figure, _hide_ticks, _require_dims, _root

__all__ = ["MOSAIC_SEPARATOR", "receptive_field_mosaic", "plot_receptive_fields", "plot_receptive_field_pair"]

#: Value written into the mosaic's separator pixels. It lies below the tiles'
#: color range [-1, 1], so the colormap's "under" color draws the separators
#: while the array stays finite and tile values keep their meaning.
MOSAIC_SEPARATOR = -2.0

# Sheet-size -> figure-size scaling for the mosaic: 0.25 in per unit gives the
# ~10 in figure of the paper's 40 x 40 sheet; the clamp keeps tiny sheets
# legible and huge ones from producing unmanageable PNGs.
_INCHES_PER_UNIT = 0.25
_MOSAIC_MIN_INCHES = 3.0
_MOSAIC_MAX_INCHES = 16.0
_TITLE_BAND_INCHES = 0.45


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
        finite absolute value so it spans at most [-1, 1] with 0 unchanged. All-zero
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
    blank=None, fig: Figure | SubFigure | None = None) -> Figure:
    """Draw a sheet of receptive fields as one tiled grey-scale image.

    Parameters
    ----------
    fields : xr.DataArray
        Dims (``unit_y``, ``unit_x``, ``patch_y``, ``patch_x``), any order,
        e.g. a 40 x 40 sheet of 16 x 16 fields.
    title : str, optional
        Figure title.
    max_side : int, optional
        Show only the top-left ``max_side x max_side`` units [count] (for
        sheets too large to read at figure resolution).
    separator_color : str, default "black"
        Color of the 1-pixel lines between fields.
    blank : bool array or DataArray (unit_y, unit_x), optional
        Units drawn as solid [flag] separator-colored tiles (e.g. the inhibitory
        sites of a spiking sheet, which have no field).
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        One axes holding a single ``AxesImage`` whose array is
        :func:`receptive_field_mosaic` of the (cropped) sheet, drawn with a
        grey colormap on ``vmin=-1, vmax=1``: each field is scaled to its own
        largest absolute value, so 0 is mid-grey and each field's extreme is white or
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
    fig = _figure((img_w, img_h + band), fig)
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
    return _root(fig)


def plot_receptive_field_pair(panels: dict[str, xr.DataArray], fig: Figure | SubFigure | None = None) -> Figure:
    """Receptive-field grids side by side (e.g. the best and worst configurations of a sweep).

    Parameters
    ----------
    panels : dict of {str: xr.DataArray}
        Panel title to fields with dims (``unit_y``, ``unit_x``,
        ``patch_y``, ``patch_x``), each drawn as
        :func:`receptive_field_mosaic` in grey on ``vmin=-1, vmax=1``, in
        the dict's order.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        One row of panels.

    Raises
    ------
    ValueError
        If ``panels`` is empty.
    """
    if not panels:
        raise ValueError("no receptive fields to draw")
    fig = _figure((6.0 * len(panels), 6.4), fig, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    cmap = colormaps["gray"].with_extremes(under="black", bad="red")
    for ax, (label, fields) in zip(axes, panels.items()):
        ax.imshow(receptive_field_mosaic(fields), cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
        ax.set_title(label, fontsize=9)
        _hide_ticks(ax)
    return _root(fig)

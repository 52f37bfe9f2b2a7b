"""Retinotopy of a retinotopic sheet: where each receptive field sits in the visual field.

A unit of :class:`~ei_maps.models.retinotopic.RetinotopicModel` sees a fixed
window of the image region; its receptive field's *centre* is the window's
top-left pixel plus the energy centroid of its field inside the window
(``sum p |f(p)|^2 / sum |f(p)|^2``). The measures are those of cortical
retinotopy:

- **scatter**: the RMS distance of the centres from the window centres (the
  local jitter of the map, the "receptive-field scatter" of cortex) [pixels];
- **smoothness**: the correlation of neighbouring units' offsets from their
  window centres, along ``unit_y`` and ``unit_x`` (1: the offsets vary
  smoothly across the sheet; 0: independent jitter) [dimensionless];
- **magnification**: units per pixel, globally the sheet's side over the
  centres' summed neighbour steps around the torus (the model's
  ``units_per_pixel`` when the map winds once around the region), and
  locally ``1 / sqrt(|det J|)`` of the centres' Jacobian, whose spread shows
  how unevenly the sheet covers the visual field [units per pixel];
- **size**: the RMS radius of each field's energy around its centre [pixels].

Positions are in pixels of the (periodic) image region, sheet positions in
grid units.
"""
from __future__ import annotations

import numpy as np

from .._lazy import DeferredModule
from ..sheet import SHEET_DIMS

xr = DeferredModule("xarray")

__all__ = ["receptive_field_centers"]


def _wrapped(d: np.ndarray, period: float) -> np.ndarray:
    return (d + period / 2) % period - period / 2


def _neighbor_correlation(v: np.ndarray, axis: int) -> float:
    a = v - v.mean()
    b = np.roll(a, -1, axis=axis)
    den = np.sqrt(np.sum(a * a) * np.sum(b * b))
    return float(np.sum(a * b) / den) if den > 0 else float("nan")


def receptive_field_centers(fields: xr.DataArray, region: int) -> xr.Dataset:
    """Receptive-field centres of a retinotopic sheet, and the retinotopy measures.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, [channel,] patch_y, patch_x)
        Each unit's weights on its window [dimensionless], with coords
        ``window_origin_y`` and ``window_origin_x`` on (unit_y, unit_x), or
        on unit_y and unit_x alone: the windows' top-left pixels [pixels].
        Channels (ON/OFF) add their energies.
    region : int
        Side of the periodic image region [pixels].

    Returns
    -------
    xarray.Dataset
        On (unit_y, unit_x): ``center_y``, ``center_x`` (pixels, in
        ``[0, region)``), ``offset_y``, ``offset_x`` (from the window centre,
        pixels), ``size`` (pixels) and ``local_magnification`` (units per
        pixel). Attrs: ``scatter``, ``smoothness_y``, ``smoothness_x``,
        ``magnification_y``, ``magnification_x``,
        ``local_magnification_median``, ``local_magnification_iqr``,
        ``size_median``.
    """
    for dim in (*SHEET_DIMS, "patch_y", "patch_x"):
        if dim not in fields.dims:
            raise ValueError(f"fields need the dims unit_y, unit_x, patch_y, patch_x; got {fields.dims}")
    for coord in ("window_origin_y", "window_origin_x"):
        if coord not in fields.coords:
            raise ValueError(f"fields need the coord {coord!r} (the windows' top-left pixels); is this a "
                             "retinotopic run?")
    if not (isinstance(region, (int, np.integer)) and region >= 2):
        raise ValueError(f"region must be an integer >= 2 (pixels), got {region!r}")
    extra = [d for d in fields.dims if d not in (*SHEET_DIMS, "patch_y", "patch_x")]
    energy = (fields.astype(float) ** 2).sum(extra) if extra else fields.astype(float) ** 2
    e = energy.transpose(*SHEET_DIMS, "patch_y", "patch_x").values
    if not np.all(np.isfinite(e)):
        raise ValueError("fields contain NaN or inf")
    ny, nx, wy, wx = e.shape
    total = e.sum(axis=(2, 3))
    total = np.where(total > 0, total, 1.0)
    py = np.arange(wy, dtype=float)[None, None, :, None]
    px = np.arange(wx, dtype=float)[None, None, None, :]
    cy = (e * py).sum(axis=(2, 3)) / total
    cx = (e * px).sum(axis=(2, 3)) / total
    size = np.sqrt((e * ((py - cy[..., None, None]) ** 2 + (px - cx[..., None, None]) ** 2)).sum(axis=(2, 3)) / total)
    sheet = energy.isel(patch_y=0, patch_x=0, drop=True)
    oy = fields["window_origin_y"].broadcast_like(sheet).transpose(*SHEET_DIMS).values.astype(float)
    ox = fields["window_origin_x"].broadcast_like(sheet).transpose(*SHEET_DIMS).values.astype(float)
    offset_y = cy - (wy - 1) / 2
    offset_x = cx - (wx - 1) / 2
    center_y = (oy + cy) % region
    center_x = (ox + cx) % region
    # the Jacobian of the centres on the torus: neighbour differences, unwrapped
    d_yy = _wrapped(np.roll(center_y, -1, 0) - center_y, region)
    d_xy = _wrapped(np.roll(center_x, -1, 0) - center_x, region)
    d_yx = _wrapped(np.roll(center_y, -1, 1) - center_y, region)
    d_xx = _wrapped(np.roll(center_x, -1, 1) - center_x, region)
    det = np.abs(d_yy * d_xx - d_xy * d_yx)
    local = np.where(det > 0, 1 / np.sqrt(np.where(det > 0, det, 1)), np.inf)
    finite = local[np.isfinite(local)]
    q25, q50, q75 = np.percentile(finite, [25, 50, 75]) if finite.size else (np.nan,) * 3
    ds = xr.Dataset({
        "center_y": (SHEET_DIMS, center_y), "center_x": (SHEET_DIMS, center_x),
        "offset_y": (SHEET_DIMS, offset_y), "offset_x": (SHEET_DIMS, offset_x),
        "size": (SHEET_DIMS, size), "local_magnification": (SHEET_DIMS, local)})
    for name, long_name, units in (
            ("center_y", "receptive-field centre, row", "pixel"), ("center_x", "receptive-field centre, column", "pixel"),
            ("offset_y", "centre minus window centre, row", "pixel"),
            ("offset_x", "centre minus window centre, column", "pixel"),
            ("size", "RMS radius of the field's energy", "pixel"),
            ("local_magnification", "1 / sqrt|det J| of the centres", "unit per pixel")):
        ds[name].attrs.update(long_name=long_name, units=units)
    # around the torus the centres advance by the summed neighbour steps (region pixels for a map that winds once)
    ds.attrs.update(
        scatter=float(np.sqrt(np.mean(offset_y**2 + offset_x**2))),
        smoothness_y=_neighbor_correlation(offset_y, 0), smoothness_x=_neighbor_correlation(offset_x, 1),
        magnification_y=float(ny / d_yy.sum(axis=0).mean()), magnification_x=float(nx / d_xx.sum(axis=1).mean()),
        local_magnification_median=float(q50), local_magnification_iqr=float(q75 - q25),
        size_median=float(np.median(size)), region=int(region))
    return ds

"""Summaries of settled activity patterns on the sheet."""
from __future__ import annotations

import numpy as np

from .._lazy import DeferredModule

xr = DeferredModule("xarray")


def activity_centroid(activity: xr.DataArray, boundary: str = "zero") -> xr.DataArray:
    """Center of the activity bump, weighting units by squared activation.

    Parameters
    ----------
    activity : DataArray with dims ``unit_y`` and ``unit_x`` (and any others)
        Settled activations.
    boundary : {"zero", "periodic"}
        On a periodic sheet the centroid is a circular mean, so a bump that
        straddles the edge is located correctly.

    Returns
    -------
    DataArray with the other dims plus ``coord`` = ["y", "x"], in grid units;
    NaN where the sheet is silent.
    """
    for d in ("unit_y", "unit_x"):
        if d not in activity.dims:
            raise ValueError(f"activity needs dims unit_y and unit_x; got {activity.dims}")
    w = activity.astype(float) ** 2
    total = w.sum(("unit_y", "unit_x"))
    out = []
    for dim in ("unit_y", "unit_x"):
        n = activity.sizes[dim]
        pos = xr.DataArray(np.arange(n, dtype=float), dims=dim)
        if boundary == "periodic":
            angle = 2 * np.pi * pos / n
            c = (w * np.cos(angle)).sum(("unit_y", "unit_x"))
            s = (w * np.sin(angle)).sum(("unit_y", "unit_x"))
            center = (np.arctan2(s, c) % (2 * np.pi)) * n / (2 * np.pi)
            out.append(center.where(total > 0))
        else:
            out.append((w * pos).sum(("unit_y", "unit_x")) / total.where(total > 0))
    return xr.concat(out, dim=xr.DataArray(["y", "x"], dims="coord", name="coord")).rename("centroid")

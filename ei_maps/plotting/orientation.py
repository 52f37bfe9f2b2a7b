"""Orientation-map figures: preferred orientation as hue with selectivity as
brightness and a hue key in degrees, +1/2 and -1/2 pinwheels marked and
counted, and the selectivity map on its own.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize, hsv_to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.axes import Axes

from .style import _axes, _figure, _hide_ticks, _require_dims, _root

__all__ = ["orientation_colors", "plot_cortical_map", "plot_orientation_map", "plot_selectivity"]

_ORIENTATION_LABEL = "preferred orientation (deg)"
_SELECTIVITY_LABEL = "orientation selectivity"
_SELECTIVITY_CMAP = "viridis"
#: Color of units whose preference or selectivity is not finite.
_BAD_RGB = (0.5, 0.5, 0.5)
_KEY_TICKS_DEG = (0, 45, 90, 135, 180)
# The map is at most ~5.5 in on its longer side in a 6 in wide figure; the
# figure height follows the sheet's aspect plus bands for the title and color
# key, the pinwheel legend and the selectivity caption (7 in for a square sheet
# with all three).
_ORIENTATION_FIG_WIDTH = 6.0
_ORIENTATION_MAP_INCHES = 5.5
_ORIENTATION_BASE_BAND = 1.0
_ORIENTATION_LEGEND_BAND = 0.3
_ORIENTATION_CAPTION_BAND = 0.25
_PINWHEEL_MS = 5.0


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
    """Color a sheet by preferred orientation (hue) and selectivity (brightness).

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
        pi give the same color), saturation 1, and value ``selectivity``
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
    title: str | None = None, ax: Axes | None = None) -> Figure:
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
        ``(iy, ix)`` is centered at ``(iy, ix)``) and ``charge`` (+0.5 or
        -0.5) on dim ``pinwheel``, which may be empty. Pinwheels are split by
        the sign of ``charge``; zero or NaN charges and NaN positions are not
        drawn.
    title : str, optional
        Figure title; default "orientation preference".
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

    Returns
    -------
    Figure
        The map is one ``AxesImage`` holding :func:`orientation_colors` of
        the inputs (RGB, nearest interpolation, equal aspect, no ticks,
        ``unit_y = 0`` at the top), ~5.5 in on its longer side in a 6 in wide
        figure whose height follows the sheet's aspect. Below it a horizontal color key maps hue
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
    own = ax is None  # a figure of its own gets the figure-wide title and caption; the caller's axes their own
    fig, ax = _axes((_ORIENTATION_FIG_WIDTH, height), ax)
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
        (fig.supxlabel if own else ax.set_xlabel)(
            f"brightness = {_SELECTIVITY_LABEL} (full brightness at its 99th percentile, "
            f"{_percentile_scale(sel):.2g}); grey = undefined",
            fontsize="small",
        )
    (fig.suptitle if own else ax.set_title)(title if title is not None else "orientation preference")
    return _root(fig)


def plot_selectivity(selectivity: xr.DataArray, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Draw an orientation selectivity map with a colorbar.

    Parameters
    ----------
    selectivity : xr.DataArray
        Dims (``unit_y``, ``unit_x``), any order, values in [0, 1].
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

    Returns
    -------
    Figure
        One ``AxesImage`` (viridis, nearest interpolation, equal aspect) on
        ``vmin = 0, vmax = 1``, widened to the data's finite extremes only if
        they lie outside; non-finite units are light grey. Colorbar labelled
        "orientation selectivity".
    """
    selectivity = _require_dims(selectivity, ("unit_y", "unit_x"), "selectivity")
    sel = np.asarray(selectivity.values, dtype=float)
    finite = sel[np.isfinite(sel)]
    vmin = min(0.0, float(finite.min())) if finite.size else 0.0
    vmax = max(1.0, float(finite.max())) if finite.size else 1.0
    fig, ax = _axes((5.0, 4.2), ax)
    cmap = colormaps[_SELECTIVITY_CMAP].with_extremes(bad="lightgrey")
    image = ax.imshow(sel, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest",
                      aspect="equal")
    ax.set_xlabel("unit_x")
    ax.set_ylabel("unit_y")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, label=_SELECTIVITY_LABEL)
    return _root(fig)


def _draw_pinwheels(ax, pinwheels: xr.Dataset, ms: float) -> None:
    y, x, charge = _pinwheel_arrays(pinwheels)
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    for sign, name, marker, face, edge in ((1, "+1/2", "o", "white", "black"),
                                          (-1, "\u22121/2", "s", "black", "white")):
        sel = (np.sign(charge) == sign) & np.isfinite(y) & np.isfinite(x)
        ax.plot(x[sel], y[sel], linestyle="none", marker=marker, ms=ms, mfc=face, mec=edge, mew=0.6,
                label=f"pinwheel {name} ({int(sel.sum())})")


def plot_cortical_map(analysis: xr.Dataset, title: str | None = None, mesh_every: int = 2,
                      mesh_units: int = 32, fig: Figure | SubFigure | None = None) -> Figure:
    """The four views of a retinotopic sheet's map: orientation, its spectrum, pinwheel counts, RF centres.

    Parameters
    ----------
    analysis : xr.Dataset
        What ``ei-maps analyze`` writes for a retinotopic run: ``preference``
        and ``selectivity`` (unit_y, unit_x), ``pinwheel_y``, ``pinwheel_x``,
        ``pinwheel_charge`` (pinwheel), ``power`` (wavenumber, cycles per
        unit), optionally ``filtered_pinwheel_count`` (cutoff) and
        ``rf_center_y``, ``rf_center_x`` (unit_y, unit_x, pixels); attrs
        ``column_spacing`` and ``summary`` (JSON).
    title : str, optional
        Figure title; default names the density and Lambda.
    mesh_every : int
        The receptive-field mesh joins every ``mesh_every``-th unit [count].
    mesh_units : int
        ... over the first ``mesh_units`` x ``mesh_units`` units [count].
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        (a) the orientation map (hue: preference, brightness: selectivity)
        with its pinwheels and a bar one column spacing long; (b) the
        radially averaged power spectrum on log axes with the ring's Lambda
        and the lowest-wavenumber power marked; (c) the pinwheel density per
        Lambda^2 of the map low-pass filtered at each cutoff, with cortex's
        pi; (d) the receptive-field centres of a block of units as a mesh in
        the visual field (pixels).
    """
    import json

    summary = json.loads(analysis.attrs.get("summary", "{}"))
    spacing = float(analysis.attrs.get("column_spacing", np.nan))
    fig = _figure((11.0, 9.6), fig, layout="constrained")
    axes = fig.subplots(2, 2)
    ax = axes[0, 0]
    rgb = orientation_colors(analysis["preference"], analysis["selectivity"])
    ax.imshow(rgb, interpolation="nearest", aspect="equal")
    _hide_ticks(ax)
    pins = xr.Dataset({"y": analysis["pinwheel_y"], "x": analysis["pinwheel_x"], "charge": analysis["pinwheel_charge"]})
    _draw_pinwheels(ax, pins, ms=2.5 if rgb.shape[0] > 64 else _PINWHEEL_MS)
    if np.isfinite(spacing):
        ny = rgb.shape[0]
        ax.plot([2, 2 + spacing], [ny - 3, ny - 3], color="white", lw=3, solid_capstyle="butt")
        ax.plot([2, 2 + spacing], [ny - 3, ny - 3], color="black", lw=1, solid_capstyle="butt",
                label=f"\u039b = {spacing:.1f} units")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize="small")
    ax.set_title("(a) orientation map (hue), selectivity (brightness)", fontsize="medium", pad=22)

    ax = axes[0, 1]
    k = analysis["wavenumber"].values
    power = analysis["power"].values
    ax.loglog(k[1:], power[1:], "o-", ms=3, lw=1, color="C0", label="power")
    from matplotlib.ticker import NullFormatter

    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.plot(k[1], power[1], "s", ms=7, mfc="none", mec="C3", label="lowest wavenumber")
    if np.isfinite(spacing):
        ax.axvline(1 / spacing, color="k", ls="--", lw=1, label=f"ring: \u039b = {spacing:.1f} units")
    contrast = summary.get("column_spacing_ring_contrast")
    ax.set_xlabel("spatial frequency (cycles / unit)")
    ax.set_ylabel("power (a.u.)")
    ax.grid(True, which="both", alpha=0.2)
    ax.legend(loc="lower left", fontsize="small", frameon=False)
    ax.set_title("(b) spectrum of the map" + (f": ring {contrast:.1f}x the lowest wavenumber's power"
                                               if contrast is not None else ""), fontsize="medium")

    ax = axes[1, 0]
    if "filtered_pinwheel_count" in analysis and np.isfinite(spacing):
        fc = analysis["filtered_pinwheel_count"]
        area = float(summary["pinwheels"]["area"])
        cut = fc["cutoff"].values / spacing
        ax.plot(cut, fc.values * spacing**2 / area, "o-", color="C0", label="filtered map, spectral \u039b")
        ax.axhline(summary["pinwheels"]["density"], color="C0", ls=":", label="raw map, spectral \u039b")
        local = summary.get("column_spacing_wavelet", {}).get("mean")
        if local is not None and np.isfinite(local):
            ax.plot(cut, fc.values * local**2 / area, "s-", color="C1",
                    label=f"filtered map, mean local \u039b ({local:.1f}; Kaschube 2010)")
        ax.axhspan(np.pi - 0.3, np.pi + 0.3, color="C2", alpha=0.2, label="cortex, 3.1 \u00b1 0.3")
        ax.axhline(np.pi, color="C2", lw=1)
        lo, hi = summary["pinwheels"].get("plateau_cutoffs") or (np.nan, np.nan)
        ax.axvspan(lo / spacing, hi / spacing, facecolor="none", edgecolor="0.8", hatch="//", lw=0,
                   label="plateau (counts within 10%)")
        ax.set_xlabel("low-pass cutoff (fraction of \u039b)")
        ax.set_ylabel("pinwheels per \u039b\u00b2")
        ax.legend(fontsize="x-small", loc="best", framealpha=0.8)
    else:
        ax.text(0.5, 0.5, "no column spacing:\nno density per \u039b\u00b2", ha="center", va="center",
                transform=ax.transAxes)
        _hide_ticks(ax)
    ax.set_title("(c) pinwheel density of the filtered map", fontsize="medium")

    ax = axes[1, 1]
    if "rf_center_y" in analysis:
        region = float(summary.get("retinotopy", {}).get("region", np.nan))
        n = min(mesh_units, analysis.sizes["unit_y"], analysis.sizes["unit_x"])
        cy = analysis["rf_center_y"].transpose("unit_y", "unit_x").values[:n:mesh_every, :n:mesh_every]
        cx = analysis["rf_center_x"].transpose("unit_y", "unit_x").values[:n:mesh_every, :n:mesh_every]
        if np.isfinite(region):  # unwrap the torus so the mesh does not jump across the region
            cy = cy[0, 0] + np.unwrap(np.unwrap(cy - cy[0, 0], period=region, axis=0), period=region, axis=1)
            cx = cx[0, 0] + np.unwrap(np.unwrap(cx - cx[0, 0], period=region, axis=1), period=region, axis=0)
            # the first unit's window may start across the seam: draw the block where it begins, near 0
            cy, cx = cy - region * (cy[0, 0] > region / 2), cx - region * (cx[0, 0] > region / 2)
        ax.plot(cx, cy, color="C0", lw=0.7)
        ax.plot(cx.T, cy.T, color="C0", lw=0.7)
        ax.plot(cx, cy, ".", color="k", ms=2)
        ax.set_aspect("equal")
        ax.invert_yaxis()
        ax.set_xlabel("visual field x (pixels)")
        ax.set_ylabel("visual field y (pixels)")
        r = summary.get("retinotopy", {})
        if r:
            ax.set_title(f"(d) receptive-field centres (one unit in {mesh_every}): scatter {r['scatter']:.1f} px",
                         fontsize="medium")
    else:
        _hide_ticks(ax)
    if title is None:
        p = summary.get("pinwheels", {})
        nan = float("nan")
        local = summary.get("column_spacing_wavelet", {}).get("mean") or nan
        title = (f"{p.get('count', '?')} pinwheels; per spectral \u039b\u00b2 (\u039b = {spacing:.1f} units): "
                 f"{p.get('density', nan):.2f} raw, {p.get('density_plateau') or nan:.2f} filtered\n"
                 f"per mean local \u039b\u00b2 ({local:.1f} units), filtered map as in Kaschube et al. 2010: "
                 f"{p.get('density_plateau_wavelet') or nan:.2f} (cortex 3.1 \u00b1 0.3)"
                 if np.isfinite(spacing) else "no column spacing (no ring in the spectrum)")
    fig.suptitle(title)
    return _root(fig)

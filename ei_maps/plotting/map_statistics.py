"""Figures of a map's spatial statistics: the radially averaged power spectrum
with its column spacing (and a wavelength axis on top), tuning similarity
against cortical distance relative to a shuffled baseline, and the E/I
interactions' predicted gain against the learned maps' spectra.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import FixedLocator, FormatStrFormatter
from matplotlib.axes import Axes

from .style import _axes, _figure, _require_dims, _root

__all__ = ["plot_power_spectrum", "plot_similarity_by_distance", "plot_regime_spectra"]

# Wavelengths (grid units) offered as ticks on the power spectrum's top axis.
_WAVELENGTH_TICKS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80,
                     100, 150, 200, 300, 400, 500, 1000)
# Minimum gap between top-axis ticks, as a fraction of the x range.
_WAVELENGTH_TICK_GAP = 0.08


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


def plot_power_spectrum(spectrum: xr.Dataset, title: str | None = None, ax: Axes | None = None) -> Figure:
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
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

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

    fig, ax = _axes((6.0, 4.2), ax)
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
    return _root(fig)


def plot_similarity_by_distance(similarity: xr.DataArray, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Plot tuning similarity against cortical distance, relative to chance.

    Parameters
    ----------
    similarity : xr.DataArray
        1-D on dim ``distance`` with a coordinate in grid units; values are
        tuning similarity divided by a shuffled baseline (1 = chance).
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

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

    fig, ax = _axes((5.5, 4.0), ax)
    ax.axhline(1.0, color="0.4", ls="--", lw=1.0, label="shuffled baseline")
    ax.plot(distance, values, color="C0", marker="o", ms=4, lw=1.2)
    ax.set_xlabel("cortical distance (units)")
    ax.set_ylabel("similarity / shuffled")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small", frameon=False)
    if title:
        ax.set_title(title)
    return _root(fig)


def plot_regime_spectra(rows: Sequence[dict], columns: int = 3, fig: Figure | SubFigure | None = None) -> Figure:
    """Predicted linear gain against the learned map's spectrum, one panel per configuration.

    Parameters
    ----------
    rows : sequence of dict
        Each with ``spec`` (:func:`ei_maps.analysis.wavelength.lateral_spectrum`),
        ``power`` (the map's radially averaged power spectrum on
        ``wavenumber``), ``w_inh``, ``leak`` and ``predicted_wavelength``.
        Both curves are drawn normalized to their maximum (the map's as
        amplitude, without its lowest bin).
    columns : int
        Panels per row [count].
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        One panel per row of ``rows``, the predicted wavelength dashed.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    if not rows:
        raise ValueError("no configurations to draw")
    n = len(rows)
    cols = min(columns, n)
    nrows = int(np.ceil(n / cols))
    fig = _figure((3.3 * cols, 2.5 * nrows + 0.4), fig, layout="constrained")
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
    return _root(fig)

"""Training figures: per-step curves of a run (loss, sparsity, settling,
thresholds, rates), raw and as a running mean, with optional markers where the
input changed; and measures of the code (explained variance, spread,
similarity, orientation strength, spikes) against evaluation steps.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MaxNLocator

from .style import _figure, _require_dims, _root

__all__ = ["plot_training", "plot_learning_curves"]

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


def plot_training(history: xr.Dataset, title: str | None = None,
                  markers: dict[float, str] | None = None, fig: Figure | SubFigure | None = None) -> Figure:
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
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

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

    fig = _figure((7.0, 0.6 + 1.8 * len(panels)), fig, layout="constrained")
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
            # but the point itself; give it neighbors.
            axes[-1].set_xlim(steps[0] - 1, steps[0] + 1)
    if title:
        fig.suptitle(title)
    return _root(fig)


def plot_learning_curves(curves: xr.Dataset, title: str | None = None, fig: Figure | SubFigure | None = None) -> Figure:
    """Measures of a code against training steps, one panel each (similarities share one).

    Parameters
    ----------
    curves : Dataset on ``eval_step``
        Any of ``explained_variance``, ``spatial_spread``,
        ``adjacent_similarity`` with ``random_similarity``,
        ``orientation_strength``, ``spikes_per_patch``.
    title : str, optional
        Figure title.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        Stacked panels sharing the training-step axis.

    Raises
    ------
    ValueError
        If ``curves`` is not a Dataset on ``eval_step`` or holds none of the
        measures.
    """
    if not isinstance(curves, xr.Dataset) or "eval_step" not in curves.dims:
        raise ValueError("curves must be a Dataset on dim 'eval_step'")
    panels = [(["explained_variance"], "explained variance (held-out patches)", "fraction"),
              (["spatial_spread"], "spatial spread of the fields (1 = unlocalized)", "median"),
              (["adjacent_similarity", "random_similarity"], "dictionary similarity", "|cos|"),
              (["orientation_strength"], "orientation strength", "median"),
              (["spikes_per_patch"], "spikes per patch", "excitatory spikes")]
    panels = [(names, t, y) for names, t, y in panels if all(n in curves for n in names)]
    if not panels:
        raise ValueError(f"curves hold none of the known measures; got {list(curves.data_vars)}")
    steps = np.asarray(curves["eval_step"].values)
    fig = _figure((7.0, 0.6 + 1.7 * len(panels)), fig, layout="constrained")
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
    return _root(fig)

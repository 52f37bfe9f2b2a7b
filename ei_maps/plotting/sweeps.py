"""Parameter-sweep figures: each measure against one swept parameter (a line
per value of the other dims), and heatmaps of measures over two parameters
averaged over the rest.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure, SubFigure

from .style import _figure, _root

__all__ = ["plot_sweep_lines", "plot_sweep_heatmaps"]


def plot_sweep_lines(sweep: xr.Dataset, x: str, variables: Sequence[str], title: str | None = None, fig: Figure | SubFigure | None = None) -> Figure:
    """One panel per variable against the swept parameter ``x``, one line per value of the other dims.

    Parameters
    ----------
    sweep : Dataset
        Sweep results with one dim per swept parameter.
    x : str
        The dim on the x axis.
    variables : sequence of str
        Variables of ``sweep`` to plot, one panel each.
    title : str, optional
        Figure title.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        If ``x`` is not a dim of ``sweep`` or a variable is missing.
    """
    if x not in sweep.dims:
        raise ValueError(f"{x!r} is not a dim of the sweep; dims are {list(sweep.dims)}")
    missing = [v for v in variables if v not in sweep]
    if missing:
        raise ValueError(f"sweep lacks {missing}")
    fig = _figure((3.6 * len(variables), 3.2 + (0.3 if title else 0)), fig, layout="constrained")
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
    return _root(fig)


def plot_sweep_heatmaps(result: xr.Dataset, x: str, y: str, variables: Sequence[str],
                        title: str | None = None, fig: Figure | SubFigure | None = None) -> Figure:
    """Heatmaps of sweep measures over two parameters, averaged over every other dim (failures left out).

    Parameters
    ----------
    result : Dataset
        Sweep results with one dim per swept parameter.
    x, y : str
        The dims on the x and y axes.
    variables : sequence of str
        Variables to plot, one panel each; those not in ``result`` are skipped.
    title : str, optional
        Figure title.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is not a dim of ``result``, or no variable is in it.
    """
    for d in (x, y):
        if d not in result.dims:
            raise ValueError(f"{d!r} is not a dim of the sweep; dims are {list(result.dims)}")
    variables = [v for v in variables if v in result]
    if not variables:
        raise ValueError("none of the variables is in the sweep")
    fig = _figure((3.6 * len(variables), 3.4 + (0.3 if title else 0)), fig, layout="constrained")
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
    return _root(fig)

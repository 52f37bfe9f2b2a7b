"""Touch-map figures of the hand: the signed mean response to every stimulus
class per phase on one color range, with finger territories outlined, and
maps of each unit's preferred finger.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure, SubFigure

from .style import _figure, _finite_abs_max, _hide_ticks, _require_dims, _root

__all__ = ["plot_class_maps", "plot_finger_maps"]


def plot_class_maps(responses: xr.DataArray, territory: xr.DataArray | None = None, floor: float = 0.0,
                    title: str | None = None, cmap: str = "jet", fig: Figure | SubFigure | None = None) -> Figure:
    """Signed mean response to every stimulus class, one row per phase, on one symmetric color range.

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
        The color range is +- max(floor, largest absolute response) [activation
        units], so small maps are not blown up to look like strong ones (the
        paper used +-0.125).
    title : str, optional
        Figure title.
    cmap : str
        Colormap of the panels.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        One row per phase, one column per class plus the sum, with a shared
        colorbar.
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
    fig = _figure((2.1 * n_cols + 1.0, 2.2 * n_rows + (0.5 if title else 0.2)), fig, layout="constrained")
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
    return _root(fig)


def plot_finger_maps(preferred: xr.DataArray, n_fingers: int, title: str | None = None, fig: Figure | SubFigure | None = None) -> Figure:
    """Maps of each unit's preferred finger, one panel per entry of the first dim (e.g. phase).

    Parameters
    ----------
    preferred : DataArray (phase, unit_y, unit_x) of int
        Finger 1..n_fingers, 0 for unresponsive units (drawn black) [finger
        number].
    n_fingers : int
        Fingers of the hand, for the colors and the colorbar [count].
    title : str, optional
        Figure title.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
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
    fig = _figure((3.6 * n + 1.2, 3.9 + (0.3 if title else 0)), fig, layout="constrained")
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
    return _root(fig)

"""Word-map figures: units colored by their fields' principal components and
labelled with their words, the same map as a self-contained interactive HTML
page (hover a unit to list its words), and small multiples of the mean
activation of each word group.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure, SubFigure
from matplotlib.axes import Axes

from .style import _axes, _figure, _hide_ticks, _require_dims, _root

__all__ = ["plot_word_map", "word_map_html", "plot_group_activations"]


def plot_word_map(colors: xr.DataArray, labels: xr.DataArray, every: int = 3,
                  title: str | None = None, ax: Axes | None = None) -> Figure:
    """A word map: units colored by their fields' principal components, some labelled with their word.

    Parameters
    ----------
    colors : DataArray (unit_y, unit_x, rgb)
        RGB in [0, 1] (see :func:`ei_maps.analysis.semantic.principal_component_colors`).
    labels : DataArray (unit_y, unit_x) of str
        A word per unit ("" for none).
    every : int
        Label every ``every``-th unit in y and x, so the words stay legible
        [count].
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

    Returns
    -------
    Figure
    """
    colors = _require_dims(colors, ("unit_y", "unit_x", "rgb"), "colors")
    labels = _require_dims(labels, ("unit_y", "unit_x"), "labels")
    if isinstance(every, bool) or int(every) != every or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    rgb = np.clip(np.asarray(colors.transpose("unit_y", "unit_x", "rgb").values, float), 0, 1)
    words = np.asarray(labels.transpose("unit_y", "unit_x").values)
    ny, nx = rgb.shape[:2]
    size = float(np.clip(0.3 * max(ny, nx), 6, 16))
    fig, ax = _axes((size, size + (0.5 if title else 0)), ax)
    ax.imshow(rgb, interpolation="nearest")
    fontsize = float(np.clip(90.0 / max(ny, nx) * every, 4, 10))
    for y in range(every // 2, ny, every):
        for x in range(every // 2, nx, every):
            if words[y, x]:
                # dark text on light colors and light text on dark ones
                light = rgb[y, x] @ np.array([0.299, 0.587, 0.114]) > 0.5
                ax.text(x, y, str(words[y, x]), ha="center", va="center", fontsize=fontsize,
                        color="black" if light else "white")
    _hide_ticks(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return _root(fig)


def word_map_html(colors: xr.DataArray, words: xr.DataArray, title: str = "word map") -> str:
    """A self-contained HTML page of the word map: hover a unit to list its best words.

    Parameters
    ----------
    colors : DataArray (unit_y, unit_x, rgb) in [0, 1]
        Color of every unit.
    words : DataArray (unit_y, unit_x, rank) of str
        Each unit's words, best first ("" entries are skipped).
    title : str
        Page title and heading.

    Returns
    -------
    str
        The HTML page.
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
<p>Color: the top three principal components of the units' receptive fields. Hover a unit to list its
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
                           columns: int = 4, fig: Figure | SubFigure | None = None) -> Figure:
    """Small multiples of mean activation maps, one per group, each with its colorbar.

    Parameters
    ----------
    groups : DataArray (group, unit_y, unit_x)
        E.g. the mean activation of each word group, or of each stimulus class.
    title : str, optional
        Figure title.
    cmap : str
        Colormap (the paper's maps use jet). Each panel's color range is its
        5th to 95th percentile; values beyond it saturate.
    columns : int
        Panels per row [count].
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
    """
    groups = _require_dims(groups, ("group", "unit_y", "unit_x"), "groups")
    n = groups.sizes["group"]
    if n == 0:
        raise ValueError("groups is empty")
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    fig = _figure((3.2 * cols, 3.0 * rows + (0.4 if title else 0)), fig, layout="constrained")
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
    return _root(fig)

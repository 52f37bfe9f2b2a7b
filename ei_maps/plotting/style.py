"""Shared helpers for every figure: creation, saving, input checks and color ranges.

Figures are built with :class:`~matplotlib.figure.Figure` and an explicit Agg
canvas rather than :mod:`matplotlib.pyplot`, so nothing needs a display, no
figure is registered with pyplot's global figure manager (no leaks in long
runs or tests), and the global backend is never switched. Arrays are checked
by dimension *name* (:func:`_require_dims`), and :func:`save_figure` writes
PNGs atomically; the domain modules of :mod:`ei_maps.plotting` import these
and never each other.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..io import atomic_write

__all__ = ["save_figure"]


class NotebookFigure(Figure):
    """A Figure that shows itself in Jupyter as the value of a cell, with no pyplot and no ``%matplotlib``.

    Figures made without pyplot are unknown to the inline backend, so a
    notebook would print their ``repr``; IPython asks an object for
    ``_repr_png_`` before falling back to text.
    """

    def _repr_png_(self) -> bytes:
        import io

        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def _new_figure(figsize: tuple[float, float], **kwargs) -> Figure:
    fig = NotebookFigure(figsize=figsize, **kwargs)
    # An explicit Agg canvas makes rendering independent of the global
    # backend and of whether a display exists.
    FigureCanvasAgg(fig)
    return fig


def _figure(figsize: tuple[float, float], fig=None, **kwargs):
    """A new figure of ``figsize`` [inches] (``kwargs``: its layout), or the caller's ``fig`` to draw the panels in.

    Matplotlib's convention for library plotting functions: the caller may
    pass where to draw (a Figure, or a SubFigure of a larger one).
    """
    from matplotlib.figure import SubFigure

    if fig is None:
        return _new_figure(figsize, **kwargs)
    if not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(f"fig must be a matplotlib Figure or SubFigure, got {type(fig).__name__}")
    if fig.axes:
        raise ValueError("fig already holds axes: give an empty figure or subfigure (fig.subfigures() makes some)")
    return fig


def _axes(figsize: tuple[float, float], ax=None):
    """(figure, axes) to draw one panel in: a new constrained-layout figure of ``figsize``, or ``ax``'s."""
    if ax is None:
        fig = _new_figure(figsize, layout="constrained")
        return fig, fig.add_subplot()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax.figure, ax


def _root(fig) -> Figure:
    """The top-level Figure of ``fig`` (itself, or the figure a SubFigure belongs to): what a function returns."""
    from matplotlib.figure import SubFigure

    while isinstance(fig, SubFigure):
        fig = fig.figure
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


def _hide_ticks(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


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
        Resolution [dots per inch]. The PNG is ``figsize * dpi`` pixels (no tight bounding
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

"""Figures of the spiking sheet's activity: snapshots of spike counts across
the sheet, an animated GIF of the whole movie, a spike raster (excitatory red,
inhibitory blue) and the population firing rates over time.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.figure import Figure, SubFigure
from matplotlib.axes import Axes

from ..io import atomic_write
from .style import _axes, _figure, _hide_ticks, _require_dims, _root

__all__ = ["plot_wave_snapshots", "save_wave_gif", "plot_raster", "plot_population_rate"]


def plot_wave_snapshots(movie: xr.DataArray, n_frames: int = 8, title: str | None = None, fig: Figure | SubFigure | None = None) -> Figure:
    """A row of activity snapshots of the sheet.

    Parameters
    ----------
    movie : DataArray (frame, y, x)
        Spike counts per site and frame, with a ``time_ms`` coordinate on
        ``frame`` if available.
    n_frames : int
        Snapshots, evenly spaced through the movie [count].
    title : str, optional
        Figure title.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Lay the panels out in this (empty) figure or subfigure of yours (default: a new figure).

    Returns
    -------
    Figure
        One row of panels on one color scale, with a shared colorbar.
    """
    movie = _require_dims(movie, ("frame", "y", "x"), "movie")
    total = movie.sizes["frame"]
    if total == 0:
        raise ValueError("movie has no frames")
    picks = np.unique(np.linspace(0, total - 1, min(n_frames, total)).round().astype(int))
    vmax = max(float(movie.max()), 1.0)
    cols = len(picks)
    fig = _figure((2.0 * cols + 0.8, 2.6), fig, layout="constrained")
    axes = fig.subplots(1, cols, squeeze=False)[0]
    image = None
    for ax, k in zip(axes, picks):
        frame = movie.isel(frame=int(k))
        image = ax.imshow(frame.values, cmap="inferno", vmin=0, vmax=vmax, interpolation="nearest")
        label = f"t = {float(frame['time_ms']):.0f} ms" if "time_ms" in frame.coords else f"frame {k}"
        ax.set_title(label, fontsize="small")
        _hide_ticks(ax)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="spikes per site and frame")
    if title:
        fig.suptitle(title)
    return _root(fig)


def save_wave_gif(movie: xr.DataArray, path: str | os.PathLike[str], fps: int = 20,
                  scale: int = 2) -> Path:
    """Write an animated GIF of the sheet's activity (atomically).

    Each frame is the spike count per site, colored with a fixed scale for
    the whole movie; ``scale`` enlarges small sheets (nearest neighbor).

    Parameters
    ----------
    movie : DataArray (frame, y, x)
        Spike counts per site and frame, e.g. from
        :func:`ei_maps.analysis.spikes.activity_movie`.
    path : str or PathLike
        Destination; must end in ``.gif``.
    fps : int
        Frames per second of the animation [Hz].
    scale : int
        Enlargement of each site [pixels per site].

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If ``movie`` has no frames or wrong dims, or ``path`` does not end in
        ``.gif``.
    """
    from PIL import Image

    movie = _require_dims(movie, ("frame", "y", "x"), "movie")
    if movie.sizes["frame"] == 0:
        raise ValueError("movie has no frames")
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_wave_gif writes GIF; path must end in .gif, got {str(path)!r}")
    cmap = colormaps["inferno"]
    # the colormap's own table as the GIF palette, and each site's index into it as matplotlib picks it
    # (x * N, the top end folded into the last entry): the same colors as the RGB frames, without PIL
    # quantizing every frame (nine tenths of the time) or float and RGB copies of the whole movie
    palette = (cmap(np.arange(cmap.N))[:, :3] * 255).astype(np.uint8)
    vmax = max(float(movie.max()), 1.0)
    counts = movie.values
    flat_palette = palette.ravel().tolist()

    def frame(k: int) -> Image.Image:
        x = np.clip(counts[k] / vmax, 0, 1) * cmap.N
        x[x == cmap.N] = cmap.N - 1
        index = x.astype(np.uint8)
        if scale > 1:
            index = index.repeat(scale, axis=0).repeat(scale, axis=1)
        image = Image.fromarray(index)
        image.putpalette(flat_palette)  # makes the "L" image a "P" one
        return image

    def write(tmp: Path) -> None:
        # the frames after the first are made as Pillow takes them, so only its own copies are held at once
        with open(tmp, "wb") as fh:
            frame(0).save(fh, format="GIF", save_all=True,
                          append_images=(frame(k) for k in range(1, counts.shape[0])),
                          duration=max(1, int(1000 / fps)), loop=0)

    return atomic_write(path, write)


def plot_raster(times_ms: np.ndarray, neurons: np.ndarray, is_exc: np.ndarray | None = None,
                start_ms: float | None = None, stop_ms: float | None = None,
                max_neurons: int = 400, seed: int = 0, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Spike raster of a random subset of neurons (excitatory red, inhibitory blue).

    Parameters
    ----------
    times_ms, neurons : 1-D arrays
        Spike times [ms] and neuron indices [index].
    is_exc : bool array over neurons, optional
        Neuron types, for color [flag].
    start_ms, stop_ms : float, optional
        Only spikes in ``[start_ms, stop_ms)`` are drawn [ms]; no limit by
        default.
    max_neurons : int
        Neurons shown (a seeded random subset, sorted by index) [count].
    seed : int
        Seed of the subset.
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

    Returns
    -------
    Figure
    """
    times_ms = np.asarray(times_ms, float)
    neurons = np.asarray(neurons)
    if times_ms.shape != neurons.shape:
        raise ValueError("times_ms and neurons must have the same length")
    n_total = int(neurons.max()) + 1 if neurons.size else 0
    if is_exc is not None:
        n_total = max(n_total, len(is_exc))
    rng = np.random.default_rng(seed)
    shown = np.sort(rng.choice(n_total, min(max_neurons, n_total), replace=False)) if n_total else np.array([], int)
    row = np.full(max(n_total, 1), -1)
    row[shown] = np.arange(shown.size)
    # boolean masks over the spikes, one byte each: an integer look-up of every spike's row would cost 8 bytes
    # a spike (36 MB for the published 2 s sheet) to keep a few percent of them
    is_shown = row >= 0
    keep = is_shown[neurons] if neurons.size else np.zeros(0, bool)
    if start_ms is not None:
        keep &= times_ms >= start_ms
    if stop_ms is not None:
        keep &= times_ms < stop_ms
    idx = np.flatnonzero(keep)
    del keep
    fig, ax = _axes((8.0, 4.0), ax)
    t, n = times_ms[idx], neurons[idx]
    exc = np.ones(n.size, bool) if is_exc is None else np.asarray(is_exc)[n]
    ax.scatter(t[exc], row[n[exc]], s=1.5, c="tab:red", marker="|", label="excitatory")
    if (~exc).any():
        ax.scatter(t[~exc], row[n[~exc]], s=1.5, c="tab:blue", marker="|", label="inhibitory")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"neuron ({shown.size} of {n_total})")
    ax.legend(loc="upper right", fontsize="small", markerscale=6)
    if title:
        ax.set_title(title)
    return _root(fig)


def plot_population_rate(rates: xr.Dataset, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Population firing rates over time.

    Parameters
    ----------
    rates : Dataset
        ``rate_exc_hz`` and/or ``rate_inh_hz`` on dim ``time_ms``, e.g. from
        :func:`ei_maps.analysis.spikes.population_rate`.
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes of a figure of yours (default: a new figure).

    Returns
    -------
    Figure
    """
    names = [v for v in ("rate_exc_hz", "rate_inh_hz") if v in rates]
    if not names:
        raise ValueError("rates needs rate_exc_hz or rate_inh_hz")
    fig, ax = _axes((8.0, 3.0), ax)
    for name, color, label in (("rate_exc_hz", "tab:red", "excitatory"), ("rate_inh_hz", "tab:blue", "inhibitory")):
        if name in rates:
            da = _require_dims(rates[name], ("time_ms",), name)
            ax.plot(da["time_ms"].values, da.values, color=color, lw=1, label=label)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("population rate (Hz)")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    return _root(fig)

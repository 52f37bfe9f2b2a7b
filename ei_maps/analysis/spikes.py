"""Spike lists of the E/I sheet: validation, the spike Dataset, binning and rates.

The spiking sheet (conductance-based LIF, Keane & Gong 2015) lives on a torus of ``side x side`` sites, and
its output is a spike list held in an :class:`xarray.Dataset` built by :func:`spikes_dataset` (spike
neurons and times on dim ``spike``, neuron positions and types on dim ``neuron``, attrs ``side``,
``duration_ms`` and ``dt_ms``; the format is described in :mod:`ei_maps.analysis.waves`). This module
checks and loads that Dataset into plain arrays (:class:`_Spikes`) for the other spiking diagnostics,
holds the helpers they share (analysis window, population masks, bin checks, torus displacement, time
bins), and bins spikes into mean firing rates, population rates over time and activity movies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["spikes_dataset", "firing_rates", "population_rate", "activity_movie"]

POPULATIONS = ("exc", "inh", "all")


# --------------------------------------------------------------------------- input
@dataclass(frozen=True)
class _Spikes:
    """Validated spike list as plain arrays (times in ms, positions in sites)."""

    neuron: np.ndarray   # (n_spikes,) int32 or int64
    time: np.ndarray     # (n_spikes,) float64, ms
    x: np.ndarray        # (n_neurons,) float64, sites
    y: np.ndarray        # (n_neurons,) float64, sites
    is_exc: np.ndarray   # (n_neurons,) bool
    side: int
    duration_ms: float
    dt_ms: float

    @property
    def n_neurons(self) -> int:
        return self.x.size


def _as_is_exc(is_exc) -> np.ndarray:
    a = np.asarray(is_exc)
    if a.dtype == bool:
        return a
    if a.dtype.kind in "USO":
        labels = np.char.upper(a.astype(str))
        bad = ~np.isin(labels, ["E", "I"])
        if bad.any():
            raise ValueError(f"neuron types must be 'E' or 'I'; got {sorted(set(a[bad].tolist()))[:5]}")
        return labels == "E"
    if a.dtype.kind in "iu" and a.size and np.isin(a, [0, 1]).all():
        return a.astype(bool)
    if a.size == 0:
        return a.astype(bool)
    raise ValueError(f"is_exc must be booleans or 'E'/'I' labels, got dtype {a.dtype}")


def _as_index(i) -> np.ndarray:
    a = np.asarray(i)
    if a.ndim != 1:
        raise ValueError(f"spike neuron indices must be 1-D, got shape {a.shape}")
    if a.dtype == np.int32:
        # kept as is (the sheet records int32): a copy as int64 would cost 8 bytes a spike in every diagnostic
        return a
    if a.dtype.kind in "iu":
        return a.astype(np.int64, copy=False)
    if a.dtype.kind == "f":
        # an empty list arrives as float64; integral floats are accepted for the same reason
        if not np.all(np.isfinite(a)):
            raise ValueError("spike neuron indices contain NaN or inf")
        if np.any(a != np.round(a)):
            raise ValueError("spike neuron indices must be integers")
        return a.astype(np.int64)
    raise ValueError(f"spike neuron indices must be integers, got dtype {a.dtype}")


def _validate(i, t, x, y, is_exc, side, duration_ms, dt_ms) -> _Spikes:
    neuron = _as_index(i)
    time = np.asarray(t, dtype=float)
    if time.ndim != 1 or time.shape != neuron.shape:
        raise ValueError(f"spike times must be 1-D and match the neuron indices: "
                         f"{time.shape} vs {neuron.shape}")
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    exc = _as_is_exc(is_exc)
    if xs.ndim != 1 or xs.size == 0 or xs.shape != ys.shape or xs.shape != exc.shape:
        raise ValueError(f"neuron x, y and is_exc must be non-empty 1-D arrays of one length; "
                         f"got {xs.shape}, {ys.shape}, {exc.shape}")
    try:
        ok = np.ndim(side) == 0 and float(side) == int(side) and int(side) >= 1
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"side must be a positive integer number of sites, got {side!r}")
    side = int(side)
    duration_ms, dt_ms = float(duration_ms), float(dt_ms)
    if not (np.isfinite(duration_ms) and duration_ms > 0):
        raise ValueError(f"duration_ms must be positive and finite, got {duration_ms}")
    if not (np.isfinite(dt_ms) and 0 < dt_ms <= duration_ms):
        raise ValueError(f"dt_ms must be positive and at most duration_ms, got {dt_ms}")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("neuron positions contain NaN or inf")
    if xs.min() < 0 or ys.min() < 0 or xs.max() >= side or ys.max() >= side:
        raise ValueError(f"neuron positions must lie in [0, side) = [0, {side}); got x in "
                         f"[{xs.min()}, {xs.max()}], y in [{ys.min()}, {ys.max()}]")
    if time.size:
        if not np.all(np.isfinite(time)):
            raise ValueError("spike times contain NaN or inf")
        # a little slack for times converted from seconds (k * dt rounds either way)
        slack = 1e-9 * max(duration_ms, 1.0)
        if time.min() < -slack or time.max() > duration_ms + slack:
            raise ValueError(f"spike times must lie in the run [0, {duration_ms}] ms; got "
                             f"[{time.min()}, {time.max()}] ms")
        if neuron.min() < 0 or neuron.max() >= xs.size:
            raise ValueError(f"spike neuron indices must be in [0, {xs.size}) (the number of neurons); "
                             f"got [{neuron.min()}, {neuron.max()}]")
    return _Spikes(neuron, time, xs, ys, exc, side, duration_ms, dt_ms)


def spikes_dataset(i, t, x, y, is_exc, side: int, duration_ms: float, dt_ms: float,
                   attrs: dict[str, Any] | None = None) -> xr.Dataset:
    """Validate a spike list and pack it as the Dataset every diagnostic takes.

    Parameters
    ----------
    i : array of int, shape (n_spikes,)
        Index of the neuron behind each spike, in ``[0, n_neurons)`` [index].
    t : array of float, shape (n_spikes,)
        Spike times, in ``[0, duration_ms]`` [ms]. Need not be sorted.
    x, y : array of float, shape (n_neurons,)
        Site coordinates of each neuron, in ``[0, side)`` [sites].
    is_exc : array of bool or of 'E'/'I', shape (n_neurons,)
        Neuron type, True or 'E' for excitatory [flag].
    side : int
        Side of the torus [sites].
    duration_ms : float
        Length of the run [ms].
    dt_ms : float
        Integration step [ms]; bins finer than this are refused later.
    attrs : dict, optional
        Extra attributes (model parameters, seed...) stored on the Dataset.

    Returns
    -------
    Dataset with ``spike_neuron``, ``spike_time`` (dim ``spike``),
    ``neuron_x``, ``neuron_y``, ``neuron_is_exc`` (dim ``neuron``) and attrs
    ``side``, ``duration_ms``, ``dt_ms`` plus ``attrs``.

    Raises
    ------
    ValueError
        On NaN, mismatched shapes, times outside the run, indices out of
        range or positions off the torus. An empty spike list is allowed.
    """
    s = _validate(i, t, x, y, is_exc, side, duration_ms, dt_ms)
    ds = xr.Dataset(
        {"spike_neuron": ("spike", s.neuron), "spike_time": ("spike", s.time),
         "neuron_x": ("neuron", s.x), "neuron_y": ("neuron", s.y), "neuron_is_exc": ("neuron", s.is_exc)},
        attrs={**(attrs or {}), "side": s.side, "duration_ms": s.duration_ms, "dt_ms": s.dt_ms})
    ds["spike_time"].attrs.update(units="ms")
    ds["neuron_x"].attrs.update(units="sites")
    ds["neuron_y"].attrs.update(units="sites")
    return ds


def _load(spikes: xr.Dataset) -> _Spikes:
    if not isinstance(spikes, xr.Dataset):
        raise ValueError(f"spikes must be an xr.Dataset (see spikes_dataset), got {type(spikes).__name__}")
    dims = {"spike_neuron": "spike", "spike_time": "spike", "neuron_x": "neuron",
            "neuron_y": "neuron", "neuron_is_exc": "neuron"}
    missing = [v for v in dims if v not in spikes.variables]
    if missing:
        raise ValueError(f"spikes Dataset lacks variables {missing}")
    for v, d in dims.items():
        if spikes[v].dims != (d,):
            raise ValueError(f"spikes[{v!r}] must have the single dim {d!r}, got {spikes[v].dims}")
    lacking = [a for a in ("side", "duration_ms", "dt_ms") if a not in spikes.attrs]
    if lacking:
        raise ValueError(f"spikes Dataset lacks attrs {lacking}")
    a = spikes.attrs
    return _validate(spikes["spike_neuron"].values, spikes["spike_time"].values, spikes["neuron_x"].values,
                     spikes["neuron_y"].values, spikes["neuron_is_exc"].values, a["side"], a["duration_ms"],
                     a["dt_ms"])


def _window(s: _Spikes, transient_ms: float) -> tuple[float, float]:
    """The analyzed window [transient_ms, duration_ms] in ms."""
    transient_ms = float(transient_ms)
    if not (np.isfinite(transient_ms) and 0 <= transient_ms < s.duration_ms):
        raise ValueError(f"transient_ms must be in [0, duration_ms) = [0, {s.duration_ms}); "
                         f"got {transient_ms}")
    return transient_ms, s.duration_ms


def _population(s: _Spikes, population: str) -> np.ndarray:
    if population == "exc":
        return s.is_exc
    if population == "inh":
        return ~s.is_exc
    if population == "all":
        return np.ones(s.n_neurons, bool)
    raise ValueError(f"population must be one of {POPULATIONS}, got {population!r}")


def _check_bin(value: float, name: str, s: _Spikes) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive and finite, got {value}")
    if value < s.dt_ms * (1 - 1e-9):
        raise ValueError(f"{name}={value} ms is finer than the integration step dt_ms={s.dt_ms}")
    return value


def _wrap(d: np.ndarray, side: float) -> np.ndarray:
    """Signed shortest displacement on a ring of length ``side``, in [-side/2, side/2)."""
    return (d + side / 2) % side - side / 2


# --------------------------------------------------------------------------- rates
def firing_rates(spikes: xr.Dataset, transient_ms: float = 200.0) -> xr.Dataset:
    """Mean firing rates after the transient.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    transient_ms : float
        Initial stretch left out [ms].

    Returns
    -------
    Dataset with ``rate_hz`` (dim ``neuron``, Hz, with an ``is_exc``
    coordinate) and scalars ``rate_exc_hz``, ``rate_inh_hz`` (mean over the
    neurons of each population, NaN for a population without neurons) and
    ``n_spikes`` (spikes in the window).
    """
    s = _load(spikes)
    start, stop = _window(s, transient_ms)
    sel = s.time >= start
    counts = np.zeros(s.n_neurons, np.int64)
    # a chunk of spikes at a time: bincount copies int32 indices to int64, 8 bytes a spike at once otherwise
    for lo in range(0, sel.size, _CHUNK_SPIKES):
        counts += np.bincount(s.neuron[lo:lo + _CHUNK_SPIKES][sel[lo:lo + _CHUNK_SPIKES]], minlength=s.n_neurons)
    rate = counts / ((stop - start) / 1000.0)
    mean_exc = float(rate[s.is_exc].mean()) if s.is_exc.any() else np.nan
    mean_inh = float(rate[~s.is_exc].mean()) if (~s.is_exc).any() else np.nan
    ds = xr.Dataset({"rate_hz": ("neuron", rate), "rate_exc_hz": mean_exc, "rate_inh_hz": mean_inh,
                     "n_spikes": int(sel.sum())},
                    coords={"is_exc": ("neuron", s.is_exc)},
                    attrs={"transient_ms": start, "window_ms": stop - start})
    for v in ("rate_hz", "rate_exc_hz", "rate_inh_hz"):
        ds[v].attrs.update(units="Hz")
    return ds


def _span(s: _Spikes, start_ms: float | None, stop_ms: float | None) -> tuple[float, float]:
    start = 0.0 if start_ms is None else float(start_ms)
    stop = s.duration_ms if stop_ms is None else float(stop_ms)
    if not (np.isfinite(start) and np.isfinite(stop) and 0 <= start < stop <= s.duration_ms):
        raise ValueError(f"need 0 <= start_ms < stop_ms <= duration_ms={s.duration_ms}; got {start}, {stop}")
    return start, stop


#: Spikes handled at once by the functions that count over a whole run: their temporaries stay at a few MB
#: however long the run (the published 2 s sheet has 4.5 million spikes).
_CHUNK_SPIKES = 1 << 18


def _n_bins(start: float, stop: float, width: float) -> int:
    return max(int(np.ceil((stop - start) / width - 1e-9)), 1)


def _time_bins(s: _Spikes, start: float, stop: float, width: float, lo: int = 0, hi: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """The indices of the spikes ``lo:hi`` that fall in the bins of ``width`` ms from ``start``, and their bins.

    Only the selected spikes get an index and a bin: a short window of a long
    run (a movie's 300 ms of 2 s) costs memory in proportion to its own spikes.
    """
    t = s.time[lo:hi]
    idx = np.flatnonzero((t >= start) & (t < stop))
    k = np.floor((t[idx] - start) / width).astype(np.int64)
    keep = k < _n_bins(start, stop, width)
    if not keep.all():
        idx, k = idx[keep], k[keep]
    return idx + lo, k


def population_rate(spikes: xr.Dataset, bin_ms: float = 1.0, start_ms: float | None = None,
                    stop_ms: float | None = None) -> xr.Dataset:
    """Population firing rate over time (spikes per neuron per second in each bin).

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    bin_ms : float
        Bin length [ms].
    start_ms, stop_ms : float, optional
        Stretch covered, ``[start_ms, stop_ms)`` [ms]; the whole run by
        default (the transient included, since this is for looking at it).
        The last bin may run past ``stop_ms``.

    Returns
    -------
    Dataset on ``time_ms`` (center of each bin, ms) with ``rate_exc_hz`` and
    ``rate_inh_hz`` (Hz; NaN for a population without neurons).
    """
    s = _load(spikes)
    bin_ms = _check_bin(bin_ms, "bin_ms", s)
    start, stop = _span(s, start_ms, stop_ms)
    n_bins = _n_bins(start, stop, bin_ms)
    counts = np.zeros((2, n_bins), np.int64)  # excitatory, inhibitory
    for lo in range(0, s.time.size, _CHUNK_SPIKES):
        sel, k = _time_bins(s, start, stop, bin_ms, lo, lo + _CHUNK_SPIKES)
        exc = s.is_exc[s.neuron[sel]]
        counts[0] += np.bincount(k[exc], minlength=n_bins)
        counts[1] += np.bincount(k[~exc], minlength=n_bins)
    out = {}
    n_exc = int(s.is_exc.sum())
    for name, c, n in (("rate_exc_hz", counts[0], n_exc), ("rate_inh_hz", counts[1], s.n_neurons - n_exc)):
        out[name] = ("time_ms", c / (n * bin_ms / 1000.0) if n else np.full(n_bins, np.nan))
    ds = xr.Dataset(out, coords={"time_ms": start + bin_ms * (np.arange(n_bins) + 0.5)},
                    attrs={"bin_ms": bin_ms})
    ds["time_ms"].attrs.update(units="ms", long_name="center of the bin")
    for v in ("rate_exc_hz", "rate_inh_hz"):
        ds[v].attrs.update(units="Hz")
    return ds


# --------------------------------------------------------------------------- movie
def activity_movie(spikes: xr.Dataset, frame_ms: float = 2.0, start_ms: float | None = None,
                   stop_ms: float | None = None, population: str = "exc", dtype: str | np.dtype = "int32"
                   ) -> xr.DataArray:
    """Spike counts per site in consecutive frames, for snapshots and animations.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    frame_ms : float
        Frame length [ms].
    start_ms, stop_ms : float, optional
        Stretch shown, ``[start_ms, stop_ms)`` [ms]; the whole run by default
        (the transient included). The last frame may run past ``stop_ms``.
    population : {"exc", "inh", "all"}
        Neurons counted; a neuron at ``(x, y)`` counts in site ``(floor(y), floor(x))``.
    dtype : str or numpy dtype
        Integer type of the counts. A 300 x 300 movie of 300 frames is 108 MB
        in int32 and 27 MB in uint8, which holds any count of one neuron per
        site in frames up to 255 steps long.

    Returns
    -------
    DataArray ``spike_count`` (frame, y, x) of ``dtype`` with coordinate
    ``time_ms`` (start of each frame, ms).

    Raises
    ------
    ValueError
        If ``dtype`` is not an integer type or a count does not fit in it.
    """
    s = _load(spikes)
    frame_ms = _check_bin(frame_ms, "frame_ms", s)
    start, stop = _span(s, start_ms, stop_ms)
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu":
        raise ValueError(f"dtype must be an integer type, got {dtype}")
    n_frames = _n_bins(start, stop, frame_ms)
    in_pop = _population(s, population)
    movie = np.zeros((n_frames, s.side, s.side), dtype)
    flat, limit = movie.reshape(-1), np.iinfo(dtype).max
    # a chunk of spikes at a time: the window's indices, frames and keys in int64 all alive at once took
    # 45 MB for the published movie's 300 ms, and the heap they leave behind stays with the process
    for lo in range(0, s.time.size, _CHUNK_SPIKES):
        sel, f = _time_bins(s, start, stop, frame_ms, lo, lo + _CHUNK_SPIKES)
        nid = s.neuron[sel]
        keep = in_pop[nid]
        nid, f = nid[keep], f[keep]
        iy = np.floor(s.y[nid]).astype(np.int64) % s.side
        ix = np.floor(s.x[nid]).astype(np.int64) % s.side
        # counting through unique keys keeps memory at the spikes', not frames x sites in int64
        keys, counts = np.unique((f * s.side + iy) * s.side + ix, return_counts=True)
        if not keys.size:
            continue
        total = flat[keys] + counts  # int64: a count past the dtype is seen before it is stored
        if total.max() > limit:
            raise ValueError(f"a site has {int(total.max())} or more spikes in one frame, more than {dtype} "
                             "holds; use a wider dtype")
        flat[keys] = total
    out = xr.DataArray(movie, dims=("frame", "y", "x"), name="spike_count",
                       coords={"frame": np.arange(n_frames),
                               "time_ms": ("frame", start + frame_ms * np.arange(n_frames)),
                               "y": np.arange(s.side), "x": np.arange(s.side)},
                       attrs={"frame_ms": frame_ms, "population": population})
    out["time_ms"].attrs.update(units="ms", long_name="start of the frame")
    return out

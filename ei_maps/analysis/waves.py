"""Diagnostics of spiking activity on the E/I sheet: rates, irregularity, correlations, waves.

The spiking sheet (conductance-based LIF, Keane & Gong 2015) lives on a torus
of ``side x side`` sites, with an excitatory neuron at every site and an
inhibitory neuron at every second site in x and y. Its output is a spike list
held in an :class:`xarray.Dataset` (build one with :func:`spikes_dataset`):

- ``spike_neuron`` (dim ``spike``): index of the neuron that fired;
- ``spike_time`` (dim ``spike``): time of the spike in ms, in ``[0, duration_ms]``;
- ``neuron_x``, ``neuron_y`` (dim ``neuron``): site coordinates in ``[0, side)``
  (floats allowed; a neuron belongs to site ``(floor(y), floor(x))``);
- ``neuron_is_exc`` (dim ``neuron``): True for excitatory neurons;
- attrs ``side`` (sites), ``duration_ms`` and ``dt_ms`` (the integration step).

Every diagnostic analyses the window ``[transient_ms, duration_ms]`` so that
the start-up transient does not count. Distances are shortest paths on the
torus, in sites. A silent run (no spikes) is valid input: rates are 0 and
quantities that need spikes are NaN (``None`` in :func:`wave_diagnostics`).

Waves are found as connected clusters of active space-time bins, with the
periodic edges joined, and measured front by front (the part of a wave in
one time bin); see :func:`detect_waves`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import xarray as xr
from scipy import ndimage, sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..io import json_safe

__all__ = ["spikes_dataset", "firing_rates", "population_rate", "cv_isi", "fano_factor",
           "correlation_by_distance", "detect_waves", "wave_diagnostics", "activity_movie"]

POPULATIONS = ("exc", "inh", "all")
_CONNECTIVITY = {6: 1, 18: 2, 26: 3}  # neighbours in 3-D -> rank of scipy's binary structure


# --------------------------------------------------------------------------- input
@dataclass(frozen=True)
class _Spikes:
    """Validated spike list as plain arrays (times in ms, positions in sites)."""

    neuron: np.ndarray   # (n_spikes,) int64
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
        Index of the neuron behind each spike, in ``[0, n_neurons)``.
    t : array of float, shape (n_spikes,)
        Spike times in ms, in ``[0, duration_ms]``. Need not be sorted.
    x, y : array of float, shape (n_neurons,)
        Site coordinates of each neuron, in ``[0, side)`` sites.
    is_exc : array of bool or of 'E'/'I', shape (n_neurons,)
        Neuron type (True or 'E' for excitatory).
    side : int
        Side of the torus in sites.
    duration_ms : float
        Length of the run in ms.
    dt_ms : float
        Integration step in ms; bins finer than this are refused later.
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
    """The analysed window [transient_ms, duration_ms] in ms."""
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


# --------------------------------------------------------------------------- rates and irregularity
def firing_rates(spikes: xr.Dataset, transient_ms: float = 200.0) -> xr.Dataset:
    """Mean firing rates after the transient.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    transient_ms : float
        Initial stretch (ms) left out.

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
    counts = np.bincount(s.neuron[sel], minlength=s.n_neurons)
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


def _time_bins(s: _Spikes, start: float, stop: float, width: float) -> tuple[int, np.ndarray, np.ndarray]:
    """Number of bins of ``width`` ms from ``start``, each spike's bin, and which spikes fall in them."""
    n_bins = max(int(np.ceil((stop - start) / width - 1e-9)), 1)
    k = np.floor((s.time - start) / width).astype(np.int64)
    return n_bins, k, (s.time >= start) & (s.time < stop) & (k < n_bins)


def population_rate(spikes: xr.Dataset, bin_ms: float = 1.0, start_ms: float | None = None,
                    stop_ms: float | None = None) -> xr.Dataset:
    """Population firing rate over time (spikes per neuron per second in each bin).

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    bin_ms : float
        Bin length in ms.
    start_ms, stop_ms : float, optional
        Stretch covered, ``[start_ms, stop_ms)`` in ms; the whole run by
        default (the transient included, since this is for looking at it).
        The last bin may run past ``stop_ms``.

    Returns
    -------
    Dataset on ``time_ms`` (centre of each bin, ms) with ``rate_exc_hz`` and
    ``rate_inh_hz`` (Hz; NaN for a population without neurons).
    """
    s = _load(spikes)
    bin_ms = _check_bin(bin_ms, "bin_ms", s)
    start, stop = _span(s, start_ms, stop_ms)
    n_bins, k, sel = _time_bins(s, start, stop, bin_ms)
    exc = s.is_exc[s.neuron[sel]]
    out = {}
    n_exc = int(s.is_exc.sum())
    for name, mask, n in (("rate_exc_hz", exc, n_exc), ("rate_inh_hz", ~exc, s.n_neurons - n_exc)):
        counts = np.bincount(k[sel][mask], minlength=n_bins)
        out[name] = ("time_ms", counts / (n * bin_ms / 1000.0) if n else np.full(n_bins, np.nan))
    ds = xr.Dataset(out, coords={"time_ms": start + bin_ms * (np.arange(n_bins) + 0.5)},
                    attrs={"bin_ms": bin_ms})
    ds["time_ms"].attrs.update(units="ms", long_name="centre of the bin")
    for v in ("rate_exc_hz", "rate_inh_hz"):
        ds[v].attrs.update(units="Hz")
    return ds


def _sorted_by_neuron(neuron: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spikes ordered by neuron, then time."""
    if time.size > 1 and np.all(time[1:] >= time[:-1]):
        # simulators emit spikes in time order; a stable sort by neuron alone keeps it and is faster
        order = np.argsort(neuron, kind="stable")
    else:
        order = np.lexsort((time, neuron))
    return neuron[order], time[order]


def cv_isi(spikes: xr.Dataset, transient_ms: float = 200.0, min_spikes: int = 3) -> xr.Dataset:
    """Coefficient of variation of the inter-spike intervals of each neuron.

    ``CV = std(ISI) / mean(ISI)`` (population standard deviation) over the
    intervals between consecutive spikes inside the window; 1 for a Poisson
    process, 0 for a clock.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    transient_ms : float
        Initial stretch (ms) left out.
    min_spikes : int
        Neurons with fewer spikes in the window get NaN (at least 3, i.e. two
        intervals).

    Returns
    -------
    Dataset with ``cv_isi`` (dim ``neuron``, with an ``is_exc`` coordinate)
    and scalars ``cv_isi_mean`` (mean over neurons with a value),
    ``cv_isi_mean_exc``, ``cv_isi_mean_inh`` and ``n_neurons_used``.
    """
    s = _load(spikes)
    start, _ = _window(s, transient_ms)
    if int(min_spikes) != min_spikes or min_spikes < 3:
        raise ValueError(f"min_spikes must be an integer >= 3 (two intervals), got {min_spikes}")
    sel = s.time >= start
    neuron, time = _sorted_by_neuron(s.neuron[sel], s.time[sel])
    same = neuron[1:] == neuron[:-1]
    isi = np.diff(time)[same]
    owner = neuron[1:][same]
    n_isi = np.bincount(owner, minlength=s.n_neurons)
    total = np.bincount(owner, weights=isi, minlength=s.n_neurons)
    mean = np.divide(total, n_isi, out=np.zeros(s.n_neurons), where=n_isi > 0)
    # two-pass variance: the one-pass formula loses digits for long, regular trains
    ss = np.bincount(owner, weights=(isi - mean[owner]) ** 2, minlength=s.n_neurons)
    std = np.sqrt(np.divide(ss, n_isi, out=np.zeros(s.n_neurons), where=n_isi > 0))
    ok = (n_isi + 1 >= min_spikes) & (mean > 0)
    cv = np.full(s.n_neurons, np.nan)
    cv[ok] = std[ok] / mean[ok]

    def mean_of(mask: np.ndarray) -> float:
        m = ok & mask
        return float(cv[m].mean()) if m.any() else np.nan

    return xr.Dataset({"cv_isi": ("neuron", cv), "cv_isi_mean": mean_of(np.ones_like(ok)),
                       "cv_isi_mean_exc": mean_of(s.is_exc), "cv_isi_mean_inh": mean_of(~s.is_exc),
                       "n_neurons_used": int(ok.sum())},
                      coords={"is_exc": ("neuron", s.is_exc)},
                      attrs={"transient_ms": start, "min_spikes": int(min_spikes)})


def fano_factor(spikes: xr.Dataset, windows_ms: Sequence[float] = (50, 100, 500), transient_ms: float = 200.0,
                population: str = "exc") -> xr.Dataset:
    """Fano factor of spike counts against counting window.

    For each window length the analysed stretch is cut into as many
    consecutive, non-overlapping windows as fit (the remainder at the end is
    left out), each neuron's counts give ``var / mean`` (unbiased variance,
    so a Poisson train gives 1 whatever the number of windows), and the
    factors are averaged over the neurons that fired at all.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    windows_ms : sequence of float
        Counting windows in ms.
    transient_ms : float
        Initial stretch (ms) left out.
    population : {"exc", "inh", "all"}
        Neurons analysed.

    Returns
    -------
    Dataset on ``window_ms`` with ``fano`` (NaN where fewer than 2 windows
    fit or no neuron fired), ``n_neurons_used`` and ``n_windows``.
    """
    s = _load(spikes)
    start, stop = _window(s, transient_ms)
    windows = np.atleast_1d(np.asarray(windows_ms, dtype=float))
    if windows.ndim != 1 or windows.size == 0:
        raise ValueError(f"windows_ms must be a non-empty 1-D sequence, got {windows_ms!r}")
    for w in windows:
        _check_bin(w, "windows_ms", s)
    members = np.flatnonzero(_population(s, population))
    row = np.full(s.n_neurons, -1)
    row[members] = np.arange(members.size)
    in_pop = row[s.neuron] >= 0
    r, t = row[s.neuron[in_pop]], s.time[in_pop]
    fano, used, n_windows = [], [], []
    for w in windows:
        n_win = int(np.floor((stop - start) / w + 1e-9))
        n_windows.append(n_win)
        if n_win < 2 or members.size == 0:
            fano.append(np.nan)
            used.append(0)
            continue
        k = np.floor((t - start) / w).astype(np.int64)
        sel = (k >= 0) & (k < n_win)
        counts = np.bincount(r[sel] * n_win + k[sel], minlength=members.size * n_win)
        counts = counts.reshape(members.size, n_win)
        mean = counts.mean(axis=1)
        var = counts.var(axis=1, ddof=1)
        fired = mean > 0
        fano.append(float(np.mean(var[fired] / mean[fired])) if fired.any() else np.nan)
        used.append(int(fired.sum()))
    ds = xr.Dataset({"fano": ("window_ms", np.array(fano)), "n_neurons_used": ("window_ms", np.array(used)),
                     "n_windows": ("window_ms", np.array(n_windows))},
                    coords={"window_ms": windows}, attrs={"transient_ms": start, "population": population})
    ds["window_ms"].attrs.update(units="ms")
    return ds


# --------------------------------------------------------------------------- correlations
def _binned_counts(s: _Spikes, members: np.ndarray, start: float, bin_ms: float,
                   n_bins: int) -> sparse.csr_matrix:
    """(member, time bin) spike counts as a sparse matrix: memory grows with spikes, not neurons x bins."""
    row = np.full(s.n_neurons, -1)
    row[members] = np.arange(members.size)
    r = row[s.neuron]
    k = np.floor((s.time - start) / bin_ms).astype(np.int64)
    sel = (r >= 0) & (k >= 0) & (k < n_bins)
    m = sparse.coo_matrix((np.ones(int(sel.sum())), (r[sel], k[sel])), shape=(members.size, n_bins)).tocsr()
    m.sum_duplicates()
    return m


def _sample_pairs(pos: np.ndarray, side: int, lo: float, hi: float, n_pairs: int,
                  rng: np.random.Generator, tree: cKDTree,
                  max_rounds: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs of points whose torus distance lies in [lo, hi).

    For a finite shell, a random point is paired with the point nearest to a
    random location in the shell around it (uniform over the shell's area),
    so nearby pairs are found without scanning all pairs; for ``hi = inf``
    uniform random pairs are filtered.
    """
    n = len(pos)
    if n < 2 or lo > side / math.sqrt(2):
        return np.zeros(0, int), np.zeros(0, int)
    got_a, got_b, total = [], [], 0
    for _ in range(max_rounds):
        m = max(2 * (n_pairs - total), 256)
        a = rng.integers(n, size=m)
        if np.isfinite(hi):
            r = np.sqrt(rng.uniform(lo ** 2, hi ** 2, m))
            phi = rng.uniform(0, 2 * np.pi, m)
            target = np.mod(pos[a] + r[:, None] * np.stack([np.cos(phi), np.sin(phi)], axis=1), side)
            target[target >= side] = 0.0  # -1e-17 % side rounds to side, outside cKDTree's box
            b = tree.query(target)[1]
        else:
            b = rng.integers(n, size=m)
        d = np.hypot(_wrap(pos[a, 0] - pos[b, 0], side), _wrap(pos[a, 1] - pos[b, 1], side))
        ok = (a != b) & (d >= lo) & (d < hi)
        got_a.append(a[ok])
        got_b.append(b[ok])
        total += int(ok.sum())
        if total >= n_pairs:
            break
    return np.concatenate(got_a)[:n_pairs], np.concatenate(got_b)[:n_pairs]


def correlation_by_distance(spikes: xr.Dataset, bin_ms: float = 10.0,
                            distances: Sequence[float] = (1, 2, 4, 8, 16), transient_ms: float = 200.0,
                            max_pairs_per_distance: int = 2000, seed: int = 0,
                            population: str = "exc") -> xr.DataArray:
    """Mean pairwise spike-count correlation against distance on the torus.

    Spike counts in consecutive ``bin_ms`` bins; for each distance ``d`` but
    the last, random pairs of neurons at torus distance in ``[d - 0.5, d + 0.5)``
    sites; for the last, pairs at distance ``>= d``. The value is the mean
    Pearson correlation over the pairs. Neurons whose counts do not vary
    (silent ones included) are left out.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    bin_ms : float
        Counting bin in ms.
    distances : sequence of float
        Increasing distances in sites; the last one means "at least".
    transient_ms : float
        Initial stretch (ms) left out.
    max_pairs_per_distance : int
        Pairs drawn per distance (fewer where fewer exist).
    seed : int
        Seed of the pair sampling.
    population : {"exc", "inh", "all"}
        Neurons analysed.

    Returns
    -------
    DataArray ``correlation`` on ``distance`` (sites) with coordinate
    ``n_pairs``; NaN where no pair was found or fewer than 2 bins fit.
    """
    s = _load(spikes)
    start, stop = _window(s, transient_ms)
    bin_ms = _check_bin(bin_ms, "bin_ms", s)
    dist = np.atleast_1d(np.asarray(distances, dtype=float))
    if dist.ndim != 1 or dist.size == 0 or not np.all(np.isfinite(dist)) or dist.min() <= 0 \
            or np.any(np.diff(dist) <= 0):
        raise ValueError(f"distances must be positive, finite and increasing, got {distances!r}")
    if int(max_pairs_per_distance) != max_pairs_per_distance or max_pairs_per_distance < 1:
        raise ValueError(f"max_pairs_per_distance must be a positive integer, got {max_pairs_per_distance}")
    members = np.flatnonzero(_population(s, population))
    n_bins = int(np.floor((stop - start) / bin_ms + 1e-9))
    values = np.full(dist.size, np.nan)
    n_pairs = np.zeros(dist.size, int)
    if n_bins >= 2 and members.size >= 2:
        counts = _binned_counts(s, members, start, bin_ms, n_bins)
        mean = np.asarray(counts.sum(axis=1)).ravel() / n_bins
        var = np.asarray(counts.multiply(counts).sum(axis=1)).ravel() / n_bins - mean ** 2
        # the one-pass variance of a constant train is round-off, not zero
        varies = var > 1e-12 * np.maximum(mean ** 2, 1.0)
        rows = np.flatnonzero(varies)
        pos = np.stack([s.x[members[rows]], s.y[members[rows]]], axis=1)
        tree = cKDTree(pos, boxsize=s.side) if rows.size else None
        rng = np.random.default_rng(seed)
        for j, d in enumerate(dist):
            last = j == dist.size - 1
            lo, hi = (d, np.inf) if last else (max(d - 0.5, 0.0), d + 0.5)
            a, b = _sample_pairs(pos, s.side, lo, hi, int(max_pairs_per_distance), rng, tree) \
                if rows.size else (np.zeros(0, int), np.zeros(0, int))
            if a.size == 0:
                continue
            ra, rb = rows[a], rows[b]
            s_ab = np.asarray(counts[ra].multiply(counts[rb]).sum(axis=1)).ravel() / n_bins
            r = (s_ab - mean[ra] * mean[rb]) / np.sqrt(var[ra] * var[rb])
            values[j] = float(r.mean())
            n_pairs[j] = a.size
    out = xr.DataArray(values, dims="distance", name="correlation",
                       coords={"distance": dist, "n_pairs": ("distance", n_pairs)},
                       attrs={"bin_ms": bin_ms, "transient_ms": start, "population": population,
                              "last_distance": "at least", "seed": seed,
                              "shell_half_width": 0.5})
    out["distance"].attrs.update(units="sites")
    return out


# --------------------------------------------------------------------------- waves
def _structure(connectivity: int) -> np.ndarray:
    if connectivity not in _CONNECTIVITY:
        raise ValueError(f"connectivity must be 6, 18 or 26, got {connectivity!r}")
    return ndimage.generate_binary_structure(3, _CONNECTIVITY[connectivity])


def _label_periodic(active: np.ndarray, structure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of a (t, y, x) boolean volume, periodic in y and x.

    Returns ``(labels, component)``: the label of cell ``(t, y, x)`` is
    ``component[labels[t, y + 1, x + 1]]`` (0 = inactive; the others are
    positive but not contiguous). Keeping the padded int32 volume and the
    small map spares a second volume-sized array.
    """
    # a one-cell wrapped frame puts every pair of cells that touch across an
    # edge next to each other in the padded volume; ndimage.label then joins
    # them through the copies, and the copies are tied back to their originals
    padded = np.pad(active, ((0, 0), (1, 1), (1, 1)), mode="wrap")
    labels = np.empty(padded.shape, np.int32)
    n = ndimage.label(padded, structure=structure, output=labels)
    del padded
    ny, nx = active.shape[1:]
    pairs = [(labels[:, 0, :], labels[:, ny, :]), (labels[:, ny + 1, :], labels[:, 1, :]),
             (labels[:, :, 0], labels[:, :, nx]), (labels[:, :, nx + 1], labels[:, :, 1])]
    a = np.concatenate([p.ravel() for p, _ in pairs])
    b = np.concatenate([q.ravel() for _, q in pairs])
    keep = (a > 0) & (a != b)
    graph = sparse.coo_matrix((np.ones(int(keep.sum()), bool), (a[keep], b[keep])), shape=(n + 1, n + 1))
    _, component = connected_components(graph, directed=False)
    # label 0 never appears in an edge, so it stays a component of its own
    component = component.astype(np.int64) + 1
    component[0] = 0
    return labels, component


def _weighted_group_median(values: np.ndarray, weights: np.ndarray, groups: np.ndarray,
                           n_groups: int) -> np.ndarray:
    """Weighted (lower) median of ``values`` within each group 0..n_groups-1; NaN for empty groups."""
    out = np.full(n_groups, np.nan)
    if values.size == 0:
        return out
    order = np.lexsort((values, groups))
    v, w, g = values[order], weights[order].astype(float), groups[order]
    total = np.bincount(g, weights=w, minlength=n_groups)
    before = np.concatenate([[0.0], np.cumsum(total)[:-1]])
    within = np.cumsum(w) - before[g]
    # cumulative weights rise within a group, so the first index past half is the median
    idx = np.flatnonzero(within >= total[g] / 2 * (1 - 1e-12))
    first = np.unique(g[idx], return_index=True)[1]
    out[g[idx[first]]] = v[idx[first]]
    return out


def _link_fronts(front_of, cells: tuple[np.ndarray, np.ndarray, np.ndarray], cell_wave: np.ndarray,
                 active: np.ndarray, structure: np.ndarray, n_fronts: int) -> np.ndarray:
    """Parent of each front (-1: none), the front of the previous time bin touching it most.

    "Most" counts the pairs of active blocks, one in each front, that are
    neighbours under ``structure``.
    """
    k, y, x = cells
    n_cells = active.shape[1]
    later = k > 0
    k, y, x, wv = k[later], y[later], x[later], cell_wave[later]
    cur = front_of(k, y, x, wv)
    children, parents = [], []
    for dy, dx in zip(*np.nonzero(structure[0])):
        py, px = (y + dy - 1) % n_cells, (x + dx - 1) % n_cells
        touching = active[k - 1, py, px]
        # an active block next to one of a wave belongs to the same cluster, hence the same wave
        prev = front_of(k[touching] - 1, py[touching], px[touching], wv[touching])
        ok = prev >= 0
        children.append(cur[touching][ok])
        parents.append(prev[ok])
    child, parent = np.concatenate(children), np.concatenate(parents)
    links = np.full(n_fronts, -1)
    if child.size == 0:
        return links
    pair, count = np.unique(child * n_fronts + parent, return_counts=True)
    child, parent = np.divmod(pair, n_fronts)
    best = np.lexsort((-count, child))
    child, parent = child[best], parent[best]
    first = np.unique(child, return_index=True)[1]
    links[child[first]] = parent[first]
    return links


def _empty_waves(attrs: dict[str, Any]) -> xr.Dataset:
    empty = np.zeros(0)
    none = np.zeros(0, int)
    ds = _wave_dataset(none, empty, empty, empty, empty, np.nan, np.nan, 0.0, attrs)
    ds["fronts_per_bin_mean"] = 0.0
    return ds


def _wave_dataset(n_spikes, duration, diameter, speed, start_ms, diameter_median, speed_median, fraction,
                  attrs) -> xr.Dataset:
    n = len(n_spikes)
    ds = xr.Dataset(
        {"n_spikes": ("wave", np.asarray(n_spikes, int)), "duration_ms": ("wave", duration),
         "diameter": ("wave", diameter), "speed": ("wave", speed), "start_ms": ("wave", start_ms),
         "wave_count": n,
         "wave_diameter_median": diameter_median, "wave_speed_median": speed_median,
         "fraction_spikes_in_waves": fraction},
        coords={"wave": np.arange(n)}, attrs=attrs)
    for v in ("duration_ms", "start_ms"):
        ds[v].attrs.update(units="ms")
    for v in ("diameter", "wave_diameter_median"):
        ds[v].attrs.update(units="sites", long_name="spike-weighted median over fronts of 2 sqrt(2) x "
                                                    "radius of gyration")
    for v in ("speed", "wave_speed_median"):
        ds[v].attrs.update(units="sites/ms", long_name="spike-weighted median over fronts of the "
                                                       "centroid's displacement from its parent front / bin_ms")
    return ds


def detect_waves(spikes: xr.Dataset, bin_ms: float = 2.0, cell: int = 2, min_count: int = 1,
                 min_spikes: int = 20, min_duration_ms: float = 4.0, connectivity: int = 26,
                 front_gap: int = 1, transient_ms: float = 200.0, population: str = "exc",
                 min_front_spikes: int = 10) -> xr.Dataset:
    """Propagating waves as space-time clusters of spikes on the torus.

    Spikes are binned into ``bin_ms`` time bins and ``cell x cell`` blocks of
    sites; a bin is active with at least ``min_count`` spikes. Active bins
    that touch (``connectivity`` neighbours in (t, y, x), across the periodic
    edges too) form one cluster; clusters with at least ``min_spikes`` spikes
    lasting at least ``min_duration_ms`` are waves.

    Size and speed are measured on fronts: a front is a set of active blocks
    of one time bin and one wave, each within ``front_gap + 1`` blocks
    (along y and x) of another, so a cluster in which several waves meet,
    split or follow each other still has one front per wave and time bin,
    while a wave in which only some neurons fire does not crumble. For each
    front, its spikes give a centroid (circular mean per axis, so a front on
    the edge is placed correctly) and a radius of gyration ``r_g`` about it
    (torus displacements); its diameter is ``2 sqrt(2) r_g``, the diameter of
    a uniformly filled disc with the same second moment, which unlike the
    occupied area does not shrink when only some of the neurons fire. A
    front's parent is the front of the previous time bin that it touches
    through the most pairs of blocks, and its speed is the shortest distance
    between their centroids divided by ``bin_ms``. A wave's ``diameter`` and
    ``speed`` are medians over its fronts weighted by their spikes (so stray
    spikes at a wave's rim, which form tiny fronts, barely count); with one
    front per time bin this is the median over the wave's lifetime. The
    motion within one time bin smears a front along its path by
    ``speed * bin_ms``, which inflates the diameter a little (about 5 % for
    a 10-site disc moving 4 sites per bin).

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    bin_ms : float
        Time bin in ms.
    cell : int
        Side of the spatial blocks in sites (1 = site resolution). When
        ``side`` is not a multiple of ``cell`` the last block is narrower.
    min_count : int
        Spikes needed to make a (time bin, block) active.
    min_spikes : int
        Smallest wave, in spikes.
    min_duration_ms : float
        Shortest wave in ms (a wave lasts its number of time bins x ``bin_ms``).
    connectivity : {6, 18, 26}
        Neighbourhood of a bin in (t, y, x).
    front_gap : int
        Empty blocks allowed between two blocks of one front (0: the blocks
        must touch). Waves closer than this in one time bin share fronts.
    transient_ms : float
        Initial stretch (ms) left out; time bins start there.
    population : {"exc", "inh", "all"}
        Neurons whose spikes are used.

    min_front_spikes : int
        Smallest front (spikes in one time bin) counted by ``fronts_per_bin_mean``.
    Returns
    -------
    Dataset on ``wave`` (ordered by start) with ``n_spikes``,
    ``duration_ms``, ``start_ms`` (start of the first time bin, ms),
    ``diameter`` (sites) and ``speed`` (sites/ms; NaN for a wave without
    linked fronts), and scalars ``wave_count``,
    ``wave_diameter_median`` and ``wave_speed_median`` (spike-weighted
    medians over the fronts of all waves, so a long cluster of many merged
    waves counts by its fronts rather than as one wave; NaN without waves)
    and ``fraction_spikes_in_waves`` (of the population's spikes in the
    window).

    Notes
    -----
    In a sheet where waves keep colliding, clusters grow over the whole run
    and ``wave_count`` says little; the front-based diameter and speed stay
    meaningful. Background spikes make bins active at random, and with 26
    neighbours random active bins chain into clusters once about 10 % of bins
    are active (percolation). With the defaults, a background of 5 Hz per
    excitatory neuron already yields occasional false waves (a 2 x 2 block
    fires in 4 % of 2-ms bins) and 10 Hz yields many; raise ``min_count`` to
    2, or use ``connectivity=6`` (threshold about 31 %, but sparse waves then
    break up), when the background is busy.
    """
    s = _load(spikes)
    start, stop = _window(s, transient_ms)
    bin_ms = _check_bin(bin_ms, "bin_ms", s)
    if int(cell) != cell or not 1 <= cell <= s.side:
        raise ValueError(f"cell must be an integer in [1, side={s.side}], got {cell}")
    cell = int(cell)
    for name, value in (("min_count", min_count), ("min_spikes", min_spikes)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value}")
    if not np.isfinite(min_duration_ms) or min_duration_ms < 0:
        raise ValueError(f"min_duration_ms must be finite and >= 0, got {min_duration_ms}")
    if int(front_gap) != front_gap or front_gap < 0:
        raise ValueError(f"front_gap must be an integer >= 0, got {front_gap}")
    front_gap = int(front_gap)
    structure = _structure(connectivity)
    attrs = {"bin_ms": bin_ms, "cell": cell, "min_count": int(min_count), "min_spikes": int(min_spikes),
             "min_duration_ms": float(min_duration_ms), "connectivity": int(connectivity),
             "front_gap": front_gap, "transient_ms": start, "population": population}
    in_pop = _population(s, population)
    n_t = max(int(np.ceil((stop - start) / bin_ms - 1e-9)), 1)
    sel = in_pop[s.neuron] & (s.time >= start)
    if not sel.any():
        return _empty_waves(attrs)
    t = s.time[sel]
    nid = s.neuron[sel]
    x, y = s.x[nid], s.y[nid]
    # a spike at exactly duration_ms belongs to the last bin, not a new one
    tb = np.minimum(np.floor((t - start) / bin_ms).astype(np.int64), n_t - 1)
    n_cells = -(-s.side // cell)
    cy = (np.floor(y).astype(np.int64) % s.side) // cell
    cx = (np.floor(x).astype(np.int64) % s.side) // cell
    flat = (tb * n_cells + cy) * n_cells + cx
    if min_count <= 1:
        active = np.zeros(n_t * n_cells * n_cells, bool)
        active[flat] = True
    else:
        active = np.bincount(flat, minlength=n_t * n_cells * n_cells) >= min_count
    active = active.reshape(n_t, n_cells, n_cells)

    # clusters in space-time -> waves
    labels, component = _label_periodic(active, structure)
    comp = component[labels[tb, cy + 1, cx + 1]]  # 0 for spikes in inactive bins (min_count > 1)
    del labels, component
    n_comp = int(comp.max()) + 1
    size = np.bincount(comp, minlength=n_comp)
    first = np.full(n_comp, n_t, np.int64)
    last = np.full(n_comp, -1, np.int64)
    np.minimum.at(first, comp, tb)
    np.maximum.at(last, comp, tb)
    n_bins_c = last - first + 1
    is_wave = (size >= min_spikes) & (n_bins_c * bin_ms >= min_duration_ms - 1e-9)
    is_wave[0] = False
    ids = np.flatnonzero(is_wave)
    if ids.size == 0:
        return _empty_waves(attrs)
    ids = ids[np.argsort(first[ids], kind="stable")]
    wave_of = np.full(n_comp, -1)
    wave_of[ids] = np.arange(ids.size)
    w_all = wave_of[comp]
    fraction = float(np.mean(w_all >= 0))
    keep = w_all >= 0
    w, tb, x, y, cy, cx, flat = (a[keep] for a in (w_all, tb, x, y, cy, cx, flat))
    n_waves = ids.size
    w_first, w_bins = first[ids], n_bins_c[ids]

    # fronts: blocks of one time bin at most front_gap + 1 blocks apart
    # (Chebyshev), found as the in-bin components of the blocks grown by
    # front_gap towards +y and +x; a front shared by two waves is split
    grown = active.copy()
    for dy in range(front_gap + 1):
        for dx in range(front_gap + 1):
            if dy or dx:
                grown |= np.roll(active, (dy, dx), axis=(1, 2))
    in_bin = structure.copy()
    in_bin[[0, 2]] = False
    flabels, fcomponent = _label_periodic(grown, in_bin)
    del grown
    front_keys, front = np.unique(fcomponent[flabels[tb, cy + 1, cx + 1]] * n_waves + w, return_inverse=True)
    n_fronts = front_keys.size

    def front_of(k, iy, ix, wave):
        key = fcomponent[flabels[k, iy + 1, ix + 1]] * n_waves + wave
        at = np.minimum(np.searchsorted(front_keys, key), n_fronts - 1)
        return np.where(front_keys[at] == key, at, -1)

    f_count = np.bincount(front, minlength=n_fronts)
    f_wave = front_keys % n_waves
    ang = 2 * np.pi / s.side
    centre = []
    for p in (x, y):
        c = np.bincount(front, weights=np.cos(ang * p), minlength=n_fronts)
        sn = np.bincount(front, weights=np.sin(ang * p), minlength=n_fronts)
        centre.append(np.mod(np.arctan2(sn, c) / ang, s.side))
    fx, fy = centre
    r2 = np.bincount(front, weights=_wrap(x - fx[front], s.side) ** 2 + _wrap(y - fy[front], s.side) ** 2,
                     minlength=n_fronts)
    f_diameter = 2 * np.sqrt(2 * r2 / f_count)

    cells, first_spike = np.unique(flat, return_index=True)
    ck, rest = np.divmod(cells, n_cells * n_cells)
    parent = _link_fronts(front_of, (ck, *np.divmod(rest, n_cells)), w[first_spike], active, structure,
                          n_fronts)
    del flabels, fcomponent, active
    linked = np.flatnonzero(parent >= 0)
    f_speed = np.hypot(_wrap(fx[linked] - fx[parent[linked]], s.side),
                       _wrap(fy[linked] - fy[parent[linked]], s.side)) / bin_ms

    diameter = _weighted_group_median(f_diameter, f_count, f_wave, n_waves)
    speed = _weighted_group_median(f_speed, f_count[linked], f_wave[linked], n_waves)
    one = np.zeros(n_fronts, np.int64)
    diameter_median = _weighted_group_median(f_diameter, f_count, one, 1)[0]
    speed_median = _weighted_group_median(f_speed, f_count[linked], one[linked], 1)[0]
    ds = _wave_dataset(size[ids], w_bins * bin_ms, diameter, speed, start + w_first * bin_ms,
                       float(diameter_median), float(speed_median), fraction, attrs)
    # how many separate wave fronts (of at least min_front_spikes spikes) are on
    # the sheet at once: colliding waves merge into one space-time cluster, but
    # their fronts in a single time bin stay apart
    f_bin = np.zeros(n_fronts, np.int64)
    f_bin[front] = tb
    big = f_count >= min_front_spikes
    ds["fronts_per_bin_mean"] = float(np.bincount(f_bin[big], minlength=n_t).mean())
    ds["fronts_per_bin_mean"].attrs["long_name"] = (f"mean number of simultaneous wave fronts with >= "
                                                   f"{min_front_spikes} spikes per {bin_ms} ms bin")
    return ds


# --------------------------------------------------------------------------- summary and movie
def _distance_key(d: float) -> str:
    return str(int(d)) if float(d).is_integer() else repr(float(d))


def wave_diagnostics(spikes: xr.Dataset, transient_ms: float = 200.0, seed: int = 0) -> dict[str, Any]:
    """All the diagnostics of one run as a JSON-ready dict.

    Calls :func:`firing_rates`, :func:`cv_isi`, :func:`fano_factor` (50, 100
    and 500 ms windows, excitatory neurons), :func:`detect_waves` and
    :func:`correlation_by_distance` with their defaults.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    transient_ms : float
        Initial stretch (ms) left out.
    seed : int
        Seed of the pair sampling for correlations.

    Returns
    -------
    dict with ``rate_exc_hz``, ``rate_inh_hz`` (Hz), ``cv_isi_mean``,
    ``fano_50ms``, ``fano_100ms``, ``fano_500ms``, ``wave_count``,
    ``wave_diameter_median`` (sites), ``wave_speed_median`` (sites/ms),
    ``fraction_spikes_in_waves``, ``waves_simultaneous_mean`` (mean number
    of separate wave fronts in a 2 ms bin), ``correlation_by_distance`` (dict from
    distance in sites, as a string such as ``"16"``, to the mean correlation;
    the last distance means "at least"), ``transient_ms`` and
    ``analysed_ms``. NaN becomes None.

    Notes
    -----
    ``wave_count`` counts space-time clusters: where waves keep colliding
    they merge into a few long clusters (on the published sheet one cluster
    holds most spikes of the run), so prefer the front-based diameter and
    speed, and ``fraction_spikes_in_waves``, to compare runs.
    """
    rates = firing_rates(spikes, transient_ms)
    cv = cv_isi(spikes, transient_ms)
    fano = fano_factor(spikes, (50, 100, 500), transient_ms)
    waves = detect_waves(spikes, transient_ms=transient_ms)
    corr = correlation_by_distance(spikes, transient_ms=transient_ms, seed=seed)
    out = {
        "rate_exc_hz": rates["rate_exc_hz"].item(), "rate_inh_hz": rates["rate_inh_hz"].item(),
        "cv_isi_mean": cv["cv_isi_mean"].item(),
        **{f"fano_{int(w)}ms": fano["fano"].sel(window_ms=w).item() for w in (50, 100, 500)},
        "wave_count": int(waves["wave_count"]),
        "wave_diameter_median": waves["wave_diameter_median"].item(),
        "wave_speed_median": waves["wave_speed_median"].item(),
        "fraction_spikes_in_waves": waves["fraction_spikes_in_waves"].item(),
        "waves_simultaneous_mean": waves["fronts_per_bin_mean"].item(),
        "correlation_by_distance": {_distance_key(d): v
                                    for d, v in zip(corr["distance"].values, corr.values)},
        "transient_ms": float(transient_ms), "analysed_ms": float(rates.attrs["window_ms"]),
    }
    return json_safe(out)


def activity_movie(spikes: xr.Dataset, frame_ms: float = 2.0, start_ms: float | None = None,
                   stop_ms: float | None = None, population: str = "exc") -> xr.DataArray:
    """Spike counts per site in consecutive frames, for snapshots and animations.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    frame_ms : float
        Frame length in ms.
    start_ms, stop_ms : float, optional
        Stretch shown, ``[start_ms, stop_ms)`` in ms; the whole run by default
        (the transient included). The last frame may run past ``stop_ms``.
    population : {"exc", "inh", "all"}
        Neurons counted; a neuron at ``(x, y)`` counts in site ``(floor(y), floor(x))``.

    Returns
    -------
    DataArray ``spike_count`` (frame, y, x) of int32 with coordinate
    ``time_ms`` (start of each frame, ms).
    """
    s = _load(spikes)
    frame_ms = _check_bin(frame_ms, "frame_ms", s)
    start, stop = _span(s, start_ms, stop_ms)
    n_frames, f, in_frames = _time_bins(s, start, stop, frame_ms)
    in_pop = _population(s, population)
    movie = np.zeros((n_frames, s.side, s.side), np.int32)
    sel = in_pop[s.neuron] & in_frames
    nid = s.neuron[sel]
    iy = np.floor(s.y[nid]).astype(np.int64) % s.side
    ix = np.floor(s.x[nid]).astype(np.int64) % s.side
    # counting through unique keys keeps memory at the spikes', not frames x sites in int64
    keys, counts = np.unique((f[sel] * s.side + iy) * s.side + ix, return_counts=True)
    movie.reshape(-1)[keys] = counts
    out = xr.DataArray(movie, dims=("frame", "y", "x"), name="spike_count",
                       coords={"frame": np.arange(n_frames),
                               "time_ms": ("frame", start + frame_ms * np.arange(n_frames)),
                               "y": np.arange(s.side), "x": np.arange(s.side)},
                       attrs={"frame_ms": frame_ms, "population": population})
    out["time_ms"].attrs.update(units="ms", long_name="start of the frame")
    return out

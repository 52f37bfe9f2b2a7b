"""Statistics of spike trains: irregularity (CV of ISI), count variability (Fano factor), correlations.

Each function takes the spike Dataset of :func:`ei_maps.analysis.spikes.spikes_dataset`, analyses the
window ``[transient_ms, duration_ms]`` and returns an xarray object: :func:`cv_isi` gives the coefficient
of variation of each neuron's inter-spike intervals, :func:`fano_factor` the Fano factor of spike counts
against counting window, and :func:`correlation_by_distance` the mean pairwise spike-count correlation
against torus distance, from pairs sampled at random in distance shells. A silent run is valid input;
quantities that need spikes are then NaN.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import xarray as xr
from scipy import sparse
from scipy.spatial import cKDTree

from .spikes import _Spikes, _check_bin, _load, _population, _window, _wrap

__all__ = ["cv_isi", "fano_factor", "correlation_by_distance"]

#: Spikes per chunk of neurons: the diagnostics sort, bin and count a range of neurons at a time, so their
#: temporaries take a few tens of MB however long the run (each neuron's numbers come from one chunk, so
#: they are the same as from all spikes at once).
_CHUNK_SPIKES = 1 << 20


def _neuron_ranges(neuron: np.ndarray, members: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive ranges ``[a, b)`` of ``members`` (sorted neuron indices) holding about ``_CHUNK_SPIKES``
    spikes each."""
    n_chunks = max(1, min(members.size, -(-neuron.size // _CHUNK_SPIKES)))
    edges = np.linspace(0, members.size, n_chunks + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _in_range(neuron: np.ndarray, members: np.ndarray, a: int, b: int) -> np.ndarray:
    """Mask of the spikes of neurons ``members[a:b]`` (any neuron between them when the members are contiguous)."""
    return (neuron >= members[a]) & (neuron <= members[b - 1])


# --------------------------------------------------------------------------- irregularity
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
        Initial stretch left out [ms].
    min_spikes : int
        Neurons with fewer spikes in the window get NaN (at least 3, i.e. two
        intervals) [count].

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
    n_isi = np.zeros(s.n_neurons, np.int64)
    mean = np.zeros(s.n_neurons)
    std = np.zeros(s.n_neurons)
    everyone = np.arange(s.n_neurons)
    for a, b in _neuron_ranges(s.neuron, everyone):
        part = sel & _in_range(s.neuron, everyone, a, b)
        neuron, time = _sorted_by_neuron(s.neuron[part], s.time[part])
        del part
        same = neuron[1:] == neuron[:-1]
        isi = np.diff(time)[same]
        owner = neuron[1:][same]
        del neuron, time, same
        n_c = np.bincount(owner, minlength=s.n_neurons)
        total = np.bincount(owner, weights=isi, minlength=s.n_neurons)
        mean_c = np.divide(total, n_c, out=np.zeros(s.n_neurons), where=n_c > 0)
        # two-pass variance: the one-pass formula loses digits for long, regular trains
        ss = np.bincount(owner, weights=(isi - mean_c[owner]) ** 2, minlength=s.n_neurons)
        std_c = np.sqrt(np.divide(ss, n_c, out=np.zeros(s.n_neurons), where=n_c > 0))
        mine = slice(a, b)
        n_isi[mine], mean[mine], std[mine] = n_c[mine], mean_c[mine], std_c[mine]
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

    For each window length the analyzed stretch is cut into as many
    consecutive, non-overlapping windows as fit (the remainder at the end is
    left out), each neuron's counts give ``var / mean`` (unbiased variance,
    so a Poisson train gives 1 whatever the number of windows), and the
    factors are averaged over the neurons that fired at all.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    windows_ms : sequence of float
        Counting windows [ms].
    transient_ms : float
        Initial stretch left out [ms].
    population : {"exc", "inh", "all"}
        Neurons analyzed.

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
    ranges = _neuron_ranges(s.neuron, members) if members.size else []
    fano, used, n_windows = [], [], []
    for w in windows:
        n_win = int(np.floor((stop - start) / w + 1e-9))
        n_windows.append(n_win)
        if n_win < 2 or members.size == 0:
            fano.append(np.nan)
            used.append(0)
            continue
        ratios = []
        for a, b in ranges:
            part = _in_range(s.neuron, members, a, b)
            r = row[s.neuron[part]]
            t = s.time[part]
            del part
            keep = r >= 0
            r, t = r[keep] - a, t[keep]
            k = np.floor((t - start) / w).astype(np.int64)
            sel = (k >= 0) & (k < n_win)
            counts = np.bincount(r[sel] * n_win + k[sel], minlength=(b - a) * n_win)
            counts = counts.reshape(b - a, n_win)
            mean = counts.mean(axis=1)
            var = counts.var(axis=1, ddof=1)
            fired = mean > 0
            ratios.append(var[fired] / mean[fired])
        ratio = np.concatenate(ratios)
        fano.append(float(np.mean(ratio)) if ratio.size else np.nan)
        used.append(int(ratio.size))
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
    blocks = []
    for a, b in _neuron_ranges(s.neuron, members):
        part = _in_range(s.neuron, members, a, b)
        r = row[s.neuron[part]]
        k = np.floor((s.time[part] - start) / bin_ms).astype(np.int64)
        del part
        sel = (r >= 0) & (k >= 0) & (k < n_bins)
        # int32 counts: sums over them are exact integers, as over float64, in half the memory
        m = sparse.coo_matrix((np.ones(int(sel.sum()), np.int32), (r[sel] - a, k[sel])),
                              shape=(b - a, n_bins)).tocsr()
        m.sum_duplicates()
        blocks.append(m)
    return sparse.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]


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
        Counting bin [ms].
    distances : sequence of float
        Increasing distances [sites]; the last one means "at least".
    transient_ms : float
        Initial stretch left out [ms].
    max_pairs_per_distance : int
        Pairs drawn per distance (fewer where fewer exist) [count].
    seed : int
        Seed of the pair sampling.
    population : {"exc", "inh", "all"}
        Neurons analyzed.

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
        # sums of counts and of squared counts over blocks of rows: over the whole matrix, scipy's copies
        # (the squares, int64 sums) would take 24 bytes a spike; the sums are exact integers either way
        total = np.zeros(members.size, np.int64)
        total_sq = np.zeros(members.size, np.int64)
        step = max(1, _CHUNK_SPIKES // max(1, n_bins))
        for a in range(0, members.size, step):
            block = counts[a:a + step]
            total[a:a + step] = np.asarray(block.sum(axis=1)).ravel()
            total_sq[a:a + step] = np.asarray(block.multiply(block).sum(axis=1)).ravel()
            del block
        mean = total / n_bins
        var = total_sq / n_bins - mean ** 2
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

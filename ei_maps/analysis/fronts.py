"""Wave fronts on the periodic sheet: space-time clusters of active bins, fronts, diameters and speeds.

:func:`detect_waves` bins the spikes of the Dataset of :func:`ei_maps.analysis.spikes.spikes_dataset`
into time bins and blocks of sites, labels the connected clusters of active bins with the periodic edges
of the torus joined (:func:`_label_periodic`, with the neighborhood of :func:`_structure`), keeps the
clusters big and long enough as waves, splits each wave into fronts (its part in one time bin), links
every front to its parent in the previous bin and measures front diameters and speeds, summarized per
wave and over the run by spike-weighted medians.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from scipy import ndimage, sparse
from scipy.sparse.csgraph import connected_components

from .spikes import _check_bin, _load, _population, _window, _wrap

__all__ = ["detect_waves"]

_CONNECTIVITY = {6: 1, 18: 2, 26: 3}  # neighbors in 3-D -> rank of scipy's binary structure


# --------------------------------------------------------------------------- clusters
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
    neighbors under ``structure``.
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
    that touch (``connectivity`` neighbors in (t, y, x), across the periodic
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
        Time bin [ms].
    cell : int
        Side of the spatial blocks [sites] (1 = site resolution). When
        ``side`` is not a multiple of ``cell`` the last block is narrower.
    min_count : int
        Spikes needed to make a (time bin, block) active [count].
    min_spikes : int
        Smallest wave [count of spikes].
    min_duration_ms : float
        Shortest wave [ms] (a wave lasts its number of time bins x ``bin_ms``).
    connectivity : {6, 18, 26}
        Neighborhood of a bin in (t, y, x).
    front_gap : int
        Empty blocks allowed between two blocks of one front (0: the blocks
        must touch) [count of blocks]. Waves closer than this in one time bin
        share fronts.
    transient_ms : float
        Initial stretch left out [ms]; time bins start there.
    population : {"exc", "inh", "all"}
        Neurons whose spikes are used.
    min_front_spikes : int
        Smallest front (spikes in one time bin) counted by
        ``fronts_per_bin_mean`` [count of spikes].

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
    neighbors random active bins chain into clusters once about 10 % of bins
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
    center = []
    for p in (x, y):
        c = np.bincount(front, weights=np.cos(ang * p), minlength=n_fronts)
        sn = np.bincount(front, weights=np.sin(ang * p), minlength=n_fronts)
        center.append(np.mod(np.arctan2(sn, c) / ang, s.side))
    fx, fy = center
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

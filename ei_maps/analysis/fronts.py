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


#: Spikes handled at once by the passes of :func:`detect_waves` and the other diagnostics: their
#: temporaries then take a few MB, whatever the length of the run. On the published run 2**16 instead
#: of 2**18 took detect_waves' extra memory from 96 to 52 MB at the same speed (1.9-2.0 s against 2.2-2.4 s)
_CHUNK_SPIKES = 1 << 16

#: Time bins labeled at once: the padded label volume of a chunk is small, while the cost per call of
#: ndimage.label stays negligible.
_CHUNK_BINS = 64


#: A lookup whose keys span at most this many times as many values as it has keys (and sorted keys)
#: goes through a dense table of that span: a gather instead of a binary search per key.
_DENSE_SPAN = 8


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of each of ``keys`` in ``sorted_keys`` (sorted, distinct), -1 where absent.

    The passes of :func:`detect_waves` look up a chunk of spikes, which are
    in time order, so a chunk's keys fall in a narrow band of the sorted
    keys. Only that band is searched, and through a dense table of its
    span when the span is small: a binary search of random keys over the
    whole array misses the cache at every step.
    """
    keys = np.asarray(keys)
    if sorted_keys.size == 0 or keys.size == 0:
        return np.full(keys.shape, -1, np.int64)
    lo, hi = int(keys.min()), int(keys.max())
    # the sorted keys in [lo, hi]
    i0, i1 = (int(i) for i in np.searchsorted(sorted_keys, [lo, hi], side="left"))
    i1 += int(i1 < sorted_keys.size and sorted_keys[i1] == hi)
    if i1 == i0:
        return np.full(keys.shape, -1, np.int64)
    band = sorted_keys[i0:i1]
    span = hi - lo + 1
    if span <= _DENSE_SPAN * (keys.size + band.size):
        table = np.full(span, -1, np.int64)
        table[band - lo] = np.arange(i0, i1)
        return table[keys - lo]
    at = np.minimum(np.searchsorted(band, keys), band.size - 1)
    return np.where(band[at] == keys, at + i0, -1)


def _plane_edges(previous: np.ndarray, current: np.ndarray, structure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label pairs joined across two consecutive padded time planes, as ndimage.label joins them in one volume."""
    h, w = current.shape
    a, b = [], []
    for dy, dx in zip(*np.nonzero(structure[0])):
        y0, y1 = max(0, 1 - dy), min(h, h + 1 - dy)
        x0, x1 = max(0, 1 - dx), min(w, w + 1 - dx)
        p = previous[y0 + dy - 1:y1 + dy - 1, x0 + dx - 1:x1 + dx - 1].ravel()
        c = current[y0:y1, x0:x1].ravel()
        ok = (p > 0) & (c > 0)
        a.append(p[ok])
        b.append(c[ok])
    return np.concatenate(a), np.concatenate(b)


def _wrap_edges(labels: np.ndarray, ny: int, nx: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (copy, original) of the one-cell wrapped frame of a padded (t, y, x) label volume."""
    pairs = [(labels[:, 0, :], labels[:, ny, :]), (labels[:, ny + 1, :], labels[:, 1, :]),
             (labels[:, :, 0], labels[:, :, nx]), (labels[:, :, nx + 1], labels[:, :, 1])]
    a = np.concatenate([p.ravel() for p, _ in pairs])
    b = np.concatenate([q.ravel() for _, q in pairs])
    keep = (a > 0) & (a != b)
    return a[keep], b[keep]


def _components(n_labels: int, edges_a: list, edges_b: list) -> np.ndarray:
    """Component of each label 0..n_labels (0 stays 0; the others are positive, ranked by their smallest label)."""
    a = np.concatenate(edges_a) if edges_a else np.zeros(0, np.int64)
    b = np.concatenate(edges_b) if edges_b else np.zeros(0, np.int64)
    graph = sparse.coo_matrix((np.ones(a.size, bool), (a, b)), shape=(n_labels + 1, n_labels + 1))
    _, component = connected_components(graph, directed=False)
    component = component.astype(np.int64) + 1
    component[0] = 0
    return component


def _active_cells(active: np.ndarray, structure: np.ndarray, front_gap: int,
                  in_bin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The active cells of a (t, y, x) volume (flat indices, sorted), their space-time cluster and their front.

    The volume is labeled ``_CHUNK_BINS`` time bins at a time, the chunks
    joined through their boundary planes, so only a chunk's label volume is
    ever held, and only the active cells' labels are kept. The numbering of
    clusters and fronts ranks them as :func:`_label_periodic` of the whole
    volume does (by their first cell in the padded volume's raster order,
    which is how ``ndimage.label`` numbers features and
    ``connected_components`` numbers components).
    """
    n_t, ny, nx = active.shape
    n_active = int(np.count_nonzero(active))
    # labels and components count features of the padded volume: int32 holds them unless it is huge
    small = n_t * (ny + 2) * (nx + 2) < np.iinfo(np.int32).max
    index = np.int32 if small else np.int64
    cells = np.empty(n_active, np.int64)
    cell_label = np.empty(n_active, index)
    cell_front = np.empty(n_active, index)
    edges_a, edges_b = [], []
    n_labels = 0
    front_base = 0
    done = 0
    previous = None
    for k0 in range(0, n_t, _CHUNK_BINS):
        sub = active[k0:k0 + _CHUNK_BINS]
        padded = np.pad(sub, ((0, 0), (1, 1), (1, 1)), mode="wrap")
        lab = np.empty(padded.shape, index)
        n = ndimage.label(padded, structure=structure, output=lab)
        del padded
        local = np.flatnonzero(sub)
        part = slice(done, done + local.size)
        done += local.size
        k, rest = np.divmod(local, ny * nx)
        y, x = np.divmod(rest, nx)
        del rest
        lab[lab > 0] += n_labels
        a, b = _wrap_edges(lab, ny, nx)
        edges_a.append(a)
        edges_b.append(b)
        if previous is not None:
            a, b = _plane_edges(previous, lab[0], structure)
            edges_a.append(a)
            edges_b.append(b)
        previous = lab[-1].copy()
        cells[part] = local + k0 * ny * nx
        cell_label[part] = lab[k, y + 1, x + 1]
        del lab, local
        n_labels += n
        # fronts have no links in time: a chunk's labels and components are those of the whole volume,
        # shifted by the ones before
        grown = sub.copy()
        for dy in range(front_gap + 1):
            for dx in range(front_gap + 1):
                if dy or dx:
                    grown |= np.roll(sub, (dy, dx), axis=(1, 2))
        flabels, fcomponent = _label_periodic(grown, in_bin)
        del grown
        cell_front[part] = fcomponent[flabels[k, y + 1, x + 1]] + front_base
        front_base += int(fcomponent.max()) if fcomponent.size else 0
        del flabels, fcomponent, k, y, x
    component = _components(n_labels, edges_a, edges_b).astype(index)
    return cells, component[cell_label], cell_front


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


def _link_fronts(cells: np.ndarray, cell_fc: np.ndarray, cell_wave: np.ndarray, cell_front: np.ndarray,
                 front_keys: np.ndarray, n_waves: int, n_cells: int, structure: np.ndarray) -> np.ndarray:
    """Parent of each front (-1: none), the front of the previous time bin touching it most.

    "Most" counts the pairs of active blocks, one in each front, that are
    neighbors under ``structure``. ``cells`` are the flat (time bin, y, x)
    indices of all active blocks, sorted, with their in-bin component
    ``cell_fc``, wave ``cell_wave`` and front ``cell_front`` (-1 outside
    waves).
    """
    n_fronts = front_keys.size
    pairs, counts = [], []
    # a chunk of blocks at a time, each chunk's (child, parent) pairs counted at once: the pairs of all
    # blocks and neighbors together would take about 20 bytes x 9 neighbors per active block
    for lo in range(0, cells.size, _CHUNK_SPIKES):
        cur = cell_front[lo:lo + _CHUNK_SPIKES]
        kk, rest = np.divmod(cells[lo:lo + _CHUNK_SPIKES], n_cells * n_cells)
        part = np.flatnonzero((cur >= 0) & (kk > 0))
        kk, cur, wv = kk[part], cur[part], cell_wave[lo:lo + _CHUNK_SPIKES][part]
        yy, xx = np.divmod(rest[part], n_cells)
        del rest
        for dy, dx in zip(*np.nonzero(structure[0])):
            py, px = (yy + dy - 1) % n_cells, (xx + dx - 1) % n_cells
            at = _lookup(cells, ((kk - 1) * n_cells + py) * n_cells + px)
            touching = at >= 0
            # an active block next to one of a wave belongs to the same cluster, hence the same wave
            prev = _lookup(front_keys, cell_fc[at[touching]].astype(np.int64) * n_waves + wv[touching])
            ok = prev >= 0
            pair, count = np.unique(cur[touching][ok].astype(np.int64) * n_fronts + prev[ok], return_counts=True)
            pairs.append(pair)
            counts.append(count)
        # merged after each chunk, so only the distinct pairs are held
        pair, where = np.unique(np.concatenate(pairs), return_inverse=True)
        pairs, counts = [pair], [np.bincount(where, weights=np.concatenate(counts)).astype(np.int64)]
    links = np.full(n_fronts, -1)
    if not pairs or pairs[0].size == 0:
        return links
    pair, count = pairs[0], counts[0]
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
    n_cells = -(-s.side // cell)
    per_bin = n_cells * n_cells
    # block of each neuron's site: per neuron, so the spike passes only gather
    block = ((np.floor(s.y).astype(np.int64) % s.side) // cell) * n_cells \
        + (np.floor(s.x).astype(np.int64) % s.side) // cell

    def spike_chunks():
        """(neuron, flat (time bin, block) index) of the analyzed spikes, in their order, a chunk at a time."""
        for lo in range(0, s.time.size, _CHUNK_SPIKES):
            t = s.time[lo:lo + _CHUNK_SPIKES]
            nid = s.neuron[lo:lo + _CHUNK_SPIKES]
            sel = in_pop[nid] & (t >= start)
            t, nid = t[sel], nid[sel]
            # a spike at exactly duration_ms belongs to the last bin, not a new one
            tb = np.minimum(np.floor((t - start) / bin_ms).astype(np.int64), n_t - 1)
            yield nid, tb * per_bin + block[nid]

    n_sel = 0
    if min_count <= 1:
        active = np.zeros(n_t * per_bin, bool)
        for _, flat in spike_chunks():
            active[flat] = True
            n_sel += flat.size
    else:
        # counts saturate at min_count: a small integer volume is enough
        dtype = np.uint8 if min_count < 255 else (np.uint16 if min_count < 65535 else np.int64)
        counts = np.zeros(n_t * per_bin, dtype)
        for _, flat in spike_chunks():
            u, c = np.unique(flat, return_counts=True)
            counts[u] = np.minimum(counts[u].astype(np.int64) + c, min_count)
            n_sel += flat.size
        active = counts >= min_count
        del counts
    if n_sel == 0:
        return _empty_waves(attrs)
    active = active.reshape(n_t, n_cells, n_cells)

    # clusters in space-time -> waves; fronts: blocks of one time bin at most front_gap + 1 blocks apart
    # (Chebyshev), found as the in-bin components of the blocks grown by front_gap towards +y and +x
    in_bin = structure.copy()
    in_bin[[0, 2]] = False
    cells, cell_comp, cell_fc = _active_cells(active, structure, front_gap, in_bin)
    del active
    cell_count = np.zeros(cells.size, np.int32)
    for _, flat in spike_chunks():
        at = _lookup(cells, flat)
        np.add.at(cell_count, at[at >= 0], 1)
    n_comp = int(cell_comp.max()) + 1 if cells.size else 1
    # spikes in inactive bins (min_count > 1) belong to no cluster
    size = np.bincount(cell_comp, weights=cell_count, minlength=n_comp).astype(np.int64)
    size[0] += n_sel - int(cell_count.sum(dtype=np.int64))
    first = np.full(n_comp, n_t, np.int64)
    last = np.full(n_comp, -1, np.int64)
    for lo in range(0, cells.size, _CHUNK_SPIKES):
        part = slice(lo, lo + _CHUNK_SPIKES)
        np.minimum.at(first, cell_comp[part], cells[part] // per_bin)
        np.maximum.at(last, cell_comp[part], cells[part] // per_bin)
    n_bins_c = last - first + 1
    is_wave = (size >= min_spikes) & (n_bins_c * bin_ms >= min_duration_ms - 1e-9)
    is_wave[0] = False
    ids = np.flatnonzero(is_wave)
    if ids.size == 0:
        return _empty_waves(attrs)
    ids = ids[np.argsort(first[ids], kind="stable")]
    wave_of = np.full(n_comp, -1, np.int32 if ids.size < np.iinfo(np.int32).max else np.int64)
    wave_of[ids] = np.arange(ids.size)
    cell_wave = wave_of[cell_comp]
    del cell_comp
    fraction = float(int(cell_count[cell_wave >= 0].sum(dtype=np.int64)) / n_sel)
    del cell_count
    n_waves = ids.size
    w_first, w_bins = first[ids], n_bins_c[ids]

    # a front shared by two waves is split; keys in chunks, as every per-block temporary below
    def keys(part: slice) -> np.ndarray:
        return cell_fc[part].astype(np.int64) * n_waves + cell_wave[part]

    parts = [slice(lo, lo + _CHUNK_SPIKES) for lo in range(0, cells.size, _CHUNK_SPIKES)]
    front_keys = np.unique(np.concatenate([np.unique(keys(p)[cell_wave[p] >= 0]) for p in parts]))
    n_fronts = front_keys.size
    cell_front = np.empty(cells.size, np.int32 if n_fronts < np.iinfo(np.int32).max else np.int64)
    for p in parts:
        cell_front[p] = np.where(cell_wave[p] >= 0, _lookup(front_keys, keys(p)), -1)
    f_wave = front_keys % n_waves

    # spike sums per front, added in the spikes' order (as one bincount over all spikes adds them)
    ang = 2 * np.pi / s.side
    cos_x, sin_x, cos_y, sin_y = np.cos(ang * s.x), np.sin(ang * s.x), np.cos(ang * s.y), np.sin(ang * s.y)
    f_count = np.zeros(n_fronts, np.int64)
    sums = [np.zeros(n_fronts) for _ in range(4)]

    def front_chunks():
        for nid, flat in spike_chunks():
            at = _lookup(cells, flat)
            f = np.where(at >= 0, cell_front[at], -1)
            ok = f >= 0
            yield nid[ok], f[ok]

    for nid, f in front_chunks():
        f_count += np.bincount(f, minlength=n_fronts)
        for total, table in zip(sums, (cos_x, sin_x, cos_y, sin_y)):
            np.add.at(total, f, table[nid])
    fx, fy = (np.mod(np.arctan2(sn, c) / ang, s.side) for c, sn in (sums[:2], sums[2:]))
    r2 = np.zeros(n_fronts)
    for nid, f in front_chunks():
        np.add.at(r2, f, _wrap(s.x[nid] - fx[f], s.side) ** 2 + _wrap(s.y[nid] - fy[f], s.side) ** 2)
    f_diameter = 2 * np.sqrt(2 * r2 / f_count)

    parent = _link_fronts(cells, cell_fc, cell_wave, cell_front, front_keys, n_waves, n_cells, structure)
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
    for p in parts:
        fronted = cell_front[p] >= 0
        f_bin[cell_front[p][fronted]] = cells[p][fronted] // per_bin
    big = f_count >= min_front_spikes
    ds["fronts_per_bin_mean"] = float(np.bincount(f_bin[big], minlength=n_t).mean())
    ds["fronts_per_bin_mean"].attrs["long_name"] = (f"mean number of simultaneous wave fronts with >= "
                                                   f"{min_front_spikes} spikes per {bin_ms} ms bin")
    return ds

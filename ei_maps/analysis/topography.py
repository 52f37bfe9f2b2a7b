"""Topography of a map: how similar neighboring units are.

Every function here takes per-unit features on the sheet (receptive fields,
tuning curves, word vectors, preferred orientations), so image, text and
touch maps share them.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._lazy import DeferredModule
from .receptive_fields import _unit_fields

xr = DeferredModule("xarray")


def _unit_mask(mask, shape: tuple[int, int]) -> np.ndarray:
    """Flat bool array of the units to analyze (all when ``mask`` is None)."""
    if mask is None:
        return np.ones(shape[0] * shape[1], bool)
    m = np.asarray(mask.transpose("unit_y", "unit_x").values if isinstance(mask, xr.DataArray) else mask)
    if m.shape != tuple(shape):
        raise ValueError(f"mask must have the sheet's shape {tuple(shape)}, got {m.shape}")
    return m.astype(bool).ravel()


def neighbor_similarity(fields: xr.DataArray, n_random: int = 20_000, seed: int = 0, mask=None) -> xr.Dataset:
    """Mean absolute cosine of adjacent units' fields against random pairs.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields or dictionary columns arranged on the sheet.
    n_random : int
        Number of random unit pairs (distinct units) for the baseline [count].
    seed : int
        Seed of the random pairs.
    mask : bool array (unit_y, unit_x), optional
        Units to include [flag] (e.g. the excitatory sites of a spiking sheet); a
        pair counts only if both of its units are included.

    Returns
    -------
    Dataset with scalars ``adjacent`` (mean over all horizontally and
    vertically adjacent pairs, no wrap-around), ``random`` and their ratio
    ``contrast = adjacent / random``. For the authors' Fig. 2 dictionary these
    are about 0.89 and 0.08.
    """
    f, (ny, nx) = _unit_fields(fields)
    valid = _unit_mask(mask, (ny, nx))
    v = f.reshape(ny * nx, -1)
    norms = np.linalg.norm(v, axis=1)
    unit = np.divide(v, norms[:, None], out=np.zeros_like(v), where=norms[:, None] > 0)
    grid = unit.reshape(ny, nx, -1)
    ok = valid.reshape(ny, nx)
    right = np.abs(np.sum(grid[:, 1:] * grid[:, :-1], axis=-1))[ok[:, 1:] & ok[:, :-1]]
    down = np.abs(np.sum(grid[1:] * grid[:-1], axis=-1))[ok[1:] & ok[:-1]]
    pairs = np.concatenate([right.ravel(), down.ravel()])
    units = np.nonzero(valid)[0]
    if pairs.size == 0 or units.size < 2:
        raise ValueError("neighbor_similarity needs at least one pair of adjacent (included) units")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, units.size, n_random)
    j = (i + rng.integers(1, units.size, n_random)) % units.size
    rand = np.abs(np.sum(unit[units[i]] * unit[units[j]], axis=1))
    adjacent, random = float(pairs.mean()), float(rand.mean())
    return xr.Dataset({"adjacent": adjacent, "random": random,
                       "contrast": adjacent / random if random > 0 else np.inf},
                      attrs={"measure": "mean |cosine similarity| of fields", "n_random": n_random})


def _sheet_features(features) -> tuple[np.ndarray, tuple[int, int]]:
    """(unit_y, unit_x, ...) DataArray or array -> (n_units, n_features) float array."""
    if isinstance(features, xr.DataArray):
        missing = [d for d in ("unit_y", "unit_x") if d not in features.dims]
        if missing:
            raise ValueError(f"features need dims unit_y and unit_x; missing {missing}")
        rest = [d for d in features.dims if d not in ("unit_y", "unit_x")]
        values = features.transpose("unit_y", "unit_x", *rest).values
    else:
        values = np.asarray(features)
    if values.ndim < 2:
        raise ValueError(f"features must be at least 2-D (unit_y, unit_x, ...), got shape {values.shape}")
    ny, nx = values.shape[:2]
    flat = values.reshape(ny * nx, -1).astype(float)
    if not np.all(np.isfinite(flat)):
        raise ValueError("features contain NaN or inf")
    return flat, (ny, nx)


def _similarity_matrix(v: np.ndarray, metric: str) -> np.ndarray:
    if metric == "correlation":
        v = v - v.mean(axis=1, keepdims=True)
    elif metric not in ("cosine", "abs_cosine"):
        raise ValueError(f"metric must be 'cosine', 'abs_cosine' or 'correlation', got {metric!r}")
    norms = np.linalg.norm(v, axis=1)
    unit = np.divide(v, norms[:, None], out=np.zeros_like(v), where=norms[:, None] > 0)
    sim = unit @ unit.T
    return np.abs(sim) if metric == "abs_cosine" else sim


def _cortical_distance(positions: np.ndarray, shape: tuple[int, int], periodic: bool) -> np.ndarray:
    dy = np.abs(positions[:, None, 0] - positions[None, :, 0]).astype(float)
    dx = np.abs(positions[:, None, 1] - positions[None, :, 1]).astype(float)
    if periodic:
        dy = np.minimum(dy, shape[0] - dy)
        dx = np.minimum(dx, shape[1] - dx)
    return np.hypot(dy, dx)


def _subsample(valid: np.ndarray, max_units: int | None, rng: np.random.Generator) -> np.ndarray:
    units = np.nonzero(valid)[0]
    if max_units is None or units.size <= max_units:
        return units
    return np.sort(rng.choice(units, max_units, replace=False))


def orientation_difference(a, b) -> np.ndarray:
    """Absolute difference of orientations (radians, period pi), in [0, pi/2]."""
    d = np.abs(np.asarray(a, float) - np.asarray(b, float)) % np.pi
    return np.minimum(d, np.pi - d)


def neighbor_orientation_difference(preference, periodic: bool = False, mask=None) -> float:
    """Mean absolute orientation difference of horizontally and vertically adjacent units, in degrees.

    45 degrees for a random map, 0 for a uniform one. With ``mask``, only
    pairs of included units count.

    Parameters
    ----------
    preference : 2-D array
        Preferred orientation of each unit, period pi [radians].
    periodic : bool
        Also pair the units across opposite edges of the sheet.
    mask : bool array (unit_y, unit_x), optional
        Units to include [flag].

    Returns
    -------
    float
        The mean difference in degrees, in [0, 90]; NaN without a pair.
    """
    p = np.asarray(preference, dtype=float)
    if p.ndim != 2:
        raise ValueError(f"preference must be a 2-D map, got shape {p.shape}")
    ok = _unit_mask(mask, p.shape).reshape(p.shape)
    if periodic:
        pairs = [(p, np.roll(p, -1, 0), ok & np.roll(ok, -1, 0)), (p, np.roll(p, -1, 1), ok & np.roll(ok, -1, 1))]
    else:
        pairs = [(p[1:], p[:-1], ok[1:] & ok[:-1]), (p[:, 1:], p[:, :-1], ok[:, 1:] & ok[:, :-1])]
    diffs = np.concatenate([orientation_difference(a, b)[both] for a, b, both in pairs])
    return float(np.degrees(np.mean(diffs))) if diffs.size else float("nan")


def similarity_by_distance(features, metric: str = "cosine", max_distance: float | None = None,
                           periodic: bool = False, n_shuffles: int = 20, max_units: int | None = 2000,
                           seed: int = 0, mask=None) -> xr.DataArray:
    """Tuning similarity against cortical distance, normalized by a shuffled baseline.

    Parameters
    ----------
    features : DataArray (unit_y, unit_x, ...) or array
        Anything per unit: receptive fields, tuning curves, word vectors
        [arbitrary units].
    metric : {"cosine", "abs_cosine", "correlation"}
        Similarity of two units' feature vectors.
    max_distance : float, optional
        Largest distance reported [grid units]; default half the sheet.
    periodic : bool
        Measure distances round the torus.
    n_shuffles : int
        Random permutations of unit positions for the baseline [count].
    max_units : int or None
        Analyze a random subset of at most this many units [count] (pairs
        grow as n^2).
    seed : int
        Seed of the unit subset and of the shuffles.
    mask : bool array (unit_y, unit_x), optional
        Units to include [flag].

    Returns
    -------
    DataArray on ``distance`` (bins of 1 grid unit, centered on integers):
    mean similarity at that distance divided by the mean over shuffles of the
    same quantity (1 = no topography). ``attrs`` holds the raw curve's
    baseline.
    """
    v, shape = _sheet_features(features)
    rng = np.random.default_rng(seed)
    idx = _subsample(_unit_mask(mask, shape), max_units, rng)
    positions = np.stack(np.divmod(idx, shape[1]), axis=1)
    sim = _similarity_matrix(v[idx], metric)
    dist = _cortical_distance(positions, shape, periodic)
    if max_distance is None:
        max_distance = min(shape) / 2
    bins = np.rint(dist).astype(int)
    upper = np.triu(np.ones_like(bins, bool), k=1)
    n_bins = int(np.floor(max_distance)) + 1

    def curve(b: np.ndarray) -> np.ndarray:
        sel = upper & (b < n_bins)
        total = np.bincount(b[sel], weights=sim[sel], minlength=n_bins)
        count = np.bincount(b[sel], minlength=n_bins)
        return np.divide(total, count, out=np.full(n_bins, np.nan), where=count > 0)

    # bin 0 holds only a unit with itself, which the upper triangle leaves out
    observed = curve(bins)[1:]
    shuffled = np.array([curve(bins[np.ix_(perm, perm)])[1:]
                         for perm in (rng.permutation(len(idx)) for _ in range(n_shuffles))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # distances no shuffle reached stay NaN
        baseline = np.nanmean(shuffled, axis=0)
    if np.nanmean(np.abs(baseline)) < 0.05:
        raise ValueError(f"the shuffled baseline of the {metric!r} similarity is near 0 "
                         f"({np.nanmean(baseline):.3g}), so a ratio to it is meaningless; use a "
                         "non-negative similarity (e.g. metric='abs_cosine', or 'cosine' for "
                         "non-negative features)")
    out = xr.DataArray(observed / baseline, dims="distance",
                       coords={"distance": np.arange(1, n_bins, dtype=float),
                               "raw_similarity": ("distance", observed)},
                       name="similarity_by_distance",
                       attrs={"metric": metric, "baseline": float(np.nanmean(baseline)),
                              "n_units": int(len(idx)), "n_shuffles": n_shuffles})
    return out


def distance_correlation(features, metric: str = "abs_cosine", n_permutations: int = 199,
                         periodic: bool = False, max_units: int | None = 900, seed: int = 0,
                         mask=None) -> xr.Dataset:
    """Spearman correlation of cortical distance with feature distance, and its Mantel p-value.

    Feature distance is ``1 - similarity`` (see :func:`similarity_by_distance`
    for the metrics); ``mask`` (unit_y, unit_x) restricts it to some units.
    The p-value is one-sided (positive correlation: nearby
    units are more alike), from permuting the units of one distance matrix:
    ``(1 + #{r_perm >= r}) / (1 + n_permutations)``.

    Parameters
    ----------
    features : DataArray (unit_y, unit_x, ...) or array
        Anything per unit: receptive fields, tuning curves, word vectors
        [arbitrary units].
    metric : {"abs_cosine", "cosine", "correlation"}
        Similarity of two units' feature vectors.
    n_permutations : int
        Permutations for the Mantel test [count].
    periodic : bool
        Measure cortical distances round the torus.
    max_units : int or None
        Analyze a random subset of at most this many units [count] (pairs
        grow as n^2).
    seed : int
        Seed of the unit subset and of the permutations.
    mask : bool array (unit_y, unit_x), optional
        Units to include [flag].

    Returns
    -------
    Dataset with scalars ``spearman``, ``mantel_p`` and attrs ``n_units``,
    ``n_permutations``, ``metric``.
    """
    v, shape = _sheet_features(features)
    rng = np.random.default_rng(seed)
    idx = _subsample(_unit_mask(mask, shape), max_units, rng)
    n = len(idx)
    if n < 4:
        raise ValueError(f"need at least 4 units for a distance correlation, got {n}")
    positions = np.stack(np.divmod(idx, shape[1]), axis=1)
    feature_dist = 1.0 - _similarity_matrix(v[idx], metric)
    cortical = _cortical_distance(positions, shape, periodic)
    iu = np.triu_indices(n, k=1)
    # Spearman = Pearson of ranks; a permutation of units permutes the rank
    # matrix, so ranks are computed once
    rank_c = np.zeros((n, n))
    rank_f = np.zeros((n, n))
    from scipy.stats import rankdata

    rank_c[iu] = rankdata(cortical[iu])
    rank_f[iu] = rankdata(feature_dist[iu])
    rank_c += rank_c.T
    rank_f += rank_f.T
    mean = (iu[0].size + 1) / 2
    rc = rank_c[iu] - mean
    denom = np.sqrt(np.sum(rc**2) * np.sum((rank_f[iu] - mean) ** 2))

    def corr(rf_matrix: np.ndarray) -> float:
        return float(np.sum(rc * (rf_matrix[iu] - mean)) / denom) if denom > 0 else float("nan")

    r = corr(rank_f)
    if not np.isfinite(r):  # constant features: no correlation, so no test either
        return xr.Dataset({"spearman": np.nan, "mantel_p": np.nan},
                          attrs={"n_units": n, "n_permutations": 0, "metric": metric})
    exceed = 0
    for _ in range(n_permutations):
        perm = rng.permutation(n)
        exceed += corr(rank_f[np.ix_(perm, perm)]) >= r
    p = (1 + exceed) / (1 + n_permutations)
    return xr.Dataset({"spearman": r, "mantel_p": p},
                      attrs={"n_units": n, "n_permutations": n_permutations, "metric": metric})

"""Finger maps of a touch sheet and how they reorganize after deprivation or syndactyly.

After training on a synthetic hand (Lufkin et al. 2022), each unit's signed
mean response to every stimulus class is the map the paper shows. The
primary measure here is the *territory* of each finger
(:func:`finger_territories`): the units whose mean response to that finger
has the class's dominant sign and exceeds a fraction of its peak, with their
size, connected components, centroid and sign; :func:`territory_change`
compares territories before and after a manipulation on one fixed criterion.

A secondary view gives every responsive unit its *preferred finger* (the
argmax over classes, :func:`preferred_finger`); the remaining functions
measure such a map's territories, contiguity and boundaries, and compare two
of them (which fingers took over a deprived finger's units, how much of the
map changed). A *preferred map* is an integer (unit_y, unit_x) DataArray or
2-D array: finger numbers 1..n, and 0 for unresponsive units.
"""
from __future__ import annotations

import re

import numpy as np
import xarray as xr
from scipy import ndimage

from ..sheet import SHEET_DIMS

_FINGER_NAME = re.compile(r"^\s*finger\s+(\d+)\s*$", re.IGNORECASE)


# ---------------------------------------------------------------- validation

def _class_fingers(class_responses: xr.DataArray) -> np.ndarray:
    """Finger number of every stimulus class (0 for pairs and other classes)."""
    if "finger" in class_responses.coords:
        coord = class_responses.coords["finger"]
        if coord.dims != ("stimulus_class",):
            raise ValueError(f"coordinate 'finger' must lie on dim 'stimulus_class', got dims {coord.dims}")
        values = np.asarray(coord.values)
        if not np.issubdtype(values.dtype, np.number) or np.any(values < 0) or np.any(values != np.round(values)):
            raise ValueError("coordinate 'finger' must hold non-negative integers (0 for pair classes)")
        return values.astype(int)
    if "stimulus_class" not in class_responses.coords:
        raise ValueError("class_responses need a 'finger' coordinate on 'stimulus_class' (or class names "
                         "'finger N' to read it from)")
    # without the coordinate, the finger is read from names like "finger 3";
    # pair classes ("fingers 1+2") do not match and get 0
    names = [str(s) for s in class_responses["stimulus_class"].values]
    return np.array([int(m.group(1)) if (m := _FINGER_NAME.match(s)) else 0 for s in names], dtype=int)


def _preferred_values(preferred, name: str = "preferred") -> np.ndarray:
    """(unit_y, unit_x) int array of a preferred map, validated."""
    if isinstance(preferred, xr.DataArray):
        if set(preferred.dims) != set(SHEET_DIMS):
            raise ValueError(f"{name} must have dims exactly {SHEET_DIMS}, got {preferred.dims}")
        values = preferred.transpose(*SHEET_DIMS).values
    else:
        values = np.asarray(preferred)
        if values.ndim != 2:
            raise ValueError(f"{name} must be a 2-D (unit_y, unit_x) map, got shape {values.shape}")
    if values.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.issubdtype(values.dtype, np.number) or values.dtype == bool:
        raise ValueError(f"{name} must hold integer finger numbers, got dtype {values.dtype}")
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)) or np.any(values < 0):
        raise ValueError(f"{name} must hold non-negative integer finger numbers (0 = unresponsive)")
    return values.astype(int)


def _map_fingers(preferred, values: np.ndarray, fingers=None) -> list[int]:
    """Fingers to report: ``fingers`` if given, else the map's ``fingers`` attr and the fingers present."""
    if fingers is not None:
        out = [int(f) for f in np.asarray(fingers).ravel()]
        if any(f <= 0 for f in out):
            raise ValueError(f"fingers must be positive integers, got {out}")
        if len(set(out)) != len(out):
            raise ValueError(f"fingers must not repeat, got {out}")
        return out
    found = set(int(f) for f in np.unique(values) if f > 0)
    if isinstance(preferred, xr.DataArray) and "fingers" in preferred.attrs:
        # the attr keeps fingers whose territory is empty (e.g. lost after deprivation)
        found |= set(int(f) for f in np.asarray(preferred.attrs["fingers"]).ravel())
    return sorted(found)


def _pair(before, after) -> tuple[np.ndarray, np.ndarray]:
    b = _preferred_values(before, "before")
    a = _preferred_values(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"before and after must have the same shape, got {b.shape} and {a.shape}")
    return b, a


def _sheet_coords(preferred) -> dict:
    if isinstance(preferred, xr.DataArray):
        return {d: preferred[d] for d in SHEET_DIMS if d in preferred.coords}
    return {}


# ------------------------------------------------------------------ the maps

def _single_finger_responses(class_responses: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """Validated (fingers sorted, responses (finger, unit_y, unit_x) float) of the single-finger classes."""
    if not isinstance(class_responses, xr.DataArray):
        raise ValueError("class_responses must be an xarray DataArray (stimulus_class, unit_y, unit_x)")
    needed = ("stimulus_class", *SHEET_DIMS)
    if set(class_responses.dims) != set(needed):
        raise ValueError(f"class_responses must have dims exactly {needed}, got {class_responses.dims}")
    if not np.issubdtype(class_responses.dtype, np.number):
        raise ValueError(f"class_responses must be numeric, got dtype {class_responses.dtype}")
    finger_of = _class_fingers(class_responses)
    single = np.nonzero(finger_of > 0)[0]
    if single.size == 0:
        raise ValueError("class_responses hold no single-finger class (all 'finger' values are 0)")
    fingers = finger_of[single]
    if len(set(fingers.tolist())) != fingers.size:
        raise ValueError(f"each finger needs exactly one single-finger class, got fingers {fingers.tolist()}")
    order = single[np.argsort(fingers)]
    return np.sort(fingers), class_responses.transpose(*needed).values[order].astype(float)


def preferred_finger(class_responses: xr.DataArray, threshold: float = 0.0,
                     responsive: float | None = None) -> xr.DataArray:
    """Each unit's preferred finger: the single-finger class with its largest mean response.

    Parameters
    ----------
    class_responses : DataArray (stimulus_class, unit_y, unit_x)
        Mean settled response of every unit to every stimulus class, with an
        integer coordinate ``finger`` on ``stimulus_class`` (the finger of a
        single-finger class, 0 for co-activation pairs). Without that
        coordinate the finger is read from class names ``"finger N"``.
        Pair classes are ignored. NaN responses (a class never presented)
        never win.
    threshold : float
        A unit whose largest single-finger response does not exceed this is
        unresponsive (0) [activation units]. Responses may be negative, so the default 0 marks
        units that no finger drives above rest.
    responsive : float, optional
        Also unresponsive: units whose largest absolute mean response to any single
        finger is below ``responsive`` times the largest on the sheet
        [dimensionless]. On a
        map of a few blobs most units respond at the noise level, and an
        argmax would give each of them a finger.

    Returns
    -------
    DataArray (unit_y, unit_x) of int: finger number, 0 for unresponsive
    units. ``attrs``: ``fingers`` (the single-finger classes' fingers, sorted),
    ``threshold`` and ``responsive`` (NaN when not given). Ties go to the
    lower finger number.
    """
    if responsive is not None and not (np.isfinite(responsive) and 0 <= responsive < 1):
        raise ValueError(f"responsive must be a fraction in [0, 1), got {responsive!r}")
    fingers, resp = _single_finger_responses(class_responses)
    resp = np.where(np.isnan(resp), -np.inf, resp)
    best = np.argmax(resp, axis=0)  # first maximum: ties go to the lower finger
    top = np.take_along_axis(resp, best[None], axis=0)[0]
    keep = top > threshold
    if responsive is not None:
        magnitude = np.nanmax(np.where(np.isfinite(resp), np.abs(resp), np.nan), axis=0)
        keep &= magnitude >= responsive * np.nanmax(magnitude)
    values = np.where(keep, fingers[best], 0).astype(int)
    return xr.DataArray(values, dims=SHEET_DIMS, coords=_sheet_coords(class_responses),
                        name="preferred_finger",
                        attrs={"fingers": fingers.tolist(), "threshold": float(threshold),
                               "responsive": float("nan") if responsive is None else float(responsive)})


# ------------------------------------------------------- territories (blobs)

#: Default territory criterion: half the class's peak |mean response| (a half-maximum contour).
TERRITORY_FRACTION = 0.5


def _circular_mean(positions: np.ndarray, side: int) -> float:
    """Mean of positions on a ring of ``side`` sites, in [0, side)."""
    angle = 2 * np.pi * positions / side
    mean = np.arctan2(np.mean(np.sin(angle)), np.mean(np.cos(angle)))
    return float((mean * side / (2 * np.pi)) % side)


def finger_territories(class_responses: xr.DataArray, fraction: float = TERRITORY_FRACTION,
                       reference: xr.DataArray | None = None, periodic: bool = False) -> xr.Dataset:
    """Each finger's territory: the units that respond to it, with the class's sign, above a criterion.

    For finger ``f`` with signed mean responses ``r_f`` (one value per unit),
    the *dominant sign* ``s_f`` is the sign of the reference map's response
    of largest magnitude, and its *peak* ``p_f`` that magnitude. A unit is in
    the territory when ``s_f * r_f > fraction * p_f``. The activation model's
    threshold is two-sided, so a finger may be coded by a negative blob; the
    sign keeps such a finger's territory, where an argmax over classes would
    lose it.

    Parameters
    ----------
    class_responses : DataArray (stimulus_class, unit_y, unit_x)
        Mean settled response of every unit to every stimulus class
        (activation units), with a ``finger`` coordinate on
        ``stimulus_class`` (0 for pair classes, which are ignored) or class
        names ``"finger N"``.
    fraction : float
        Criterion as a fraction of the peak, in (0, 1) [dimensionless]. The default 0.5 draws
        each territory at half its maximum response.
    reference : DataArray, optional
        Class responses whose signs and peaks set the criterion (same fingers
        and sheet), e.g. the map before a manipulation, so that two maps are
        measured on one scale: a finger whose responses weakened then loses
        territory. Default: ``class_responses`` itself.
    periodic : bool
        The sheet is a torus: components join across opposite edges and
        centroids are circular means.

    Returns
    -------
    Dataset on ``finger`` (and the sheet dims):

    - ``territory`` (finger, unit_y, unit_x) bool;
    - ``size`` (units), ``components`` (4-connected, 0 if empty),
      ``largest_component`` (units);
    - ``centroid_y``, ``centroid_x`` (grid units; NaN if empty);
    - ``sign`` (+1, -1, or 0 for a finger that drives nothing);
    - ``peak``: largest ``s_f * r_f`` in this map (activation units) and
      ``threshold``: the criterion ``fraction * p_f``;
    - ``label`` (unit_y, unit_x) int: the finger whose territory holds the
      unit, the one with the largest ``s_f * r_f / p_f`` where territories
      overlap, 0 outside every territory;
    - scalar ``overlap``: units in two or more territories.

    ``attrs``: ``fraction``, ``periodic``, ``n_units``, ``reference``
    (``"self"`` or ``"given"``).

    Raises
    ------
    ValueError
        For a bad fraction, responses without single-finger classes, or a
        reference over other fingers or another sheet.
    """
    if isinstance(fraction, bool) or not (np.isfinite(fraction) and 0 < fraction < 1):
        raise ValueError(f"fraction must lie in (0, 1), got {fraction!r}")
    fingers, resp = _single_finger_responses(class_responses)
    if reference is None:
        ref_resp = resp
    else:
        ref_fingers, ref_resp = _single_finger_responses(reference)
        if not np.array_equal(ref_fingers, fingers) or ref_resp.shape != resp.shape:
            raise ValueError(f"reference must cover the same fingers and sheet: fingers {ref_fingers.tolist()} "
                             f"on {ref_resp.shape[1:]} vs {fingers.tolist()} on {resp.shape[1:]}")
    resp = np.nan_to_num(resp, nan=0.0)
    ref_resp = np.nan_to_num(ref_resp, nan=0.0)
    n_f, side_y, side_x = resp.shape
    flat = np.abs(ref_resp).reshape(n_f, -1)
    at_peak = np.argmax(flat, axis=1)
    peak_ref = flat[np.arange(n_f), at_peak]
    sign = np.sign(ref_resp.reshape(n_f, -1)[np.arange(n_f), at_peak]).astype(int)
    threshold = fraction * peak_ref
    aligned = sign[:, None, None] * resp
    territory = aligned > threshold[:, None, None]
    size = territory.sum(axis=(1, 2)).astype(int)
    components, largest = [], []
    cy, cx = np.full(n_f, np.nan), np.full(n_f, np.nan)
    for k in range(n_f):
        sizes = _patch_sizes(territory[k], periodic)
        components.append(int(sizes.size))
        largest.append(int(sizes.max()) if sizes.size else 0)
        if size[k]:
            ys, xs = np.nonzero(territory[k])
            if periodic:
                cy[k], cx[k] = _circular_mean(ys, side_y), _circular_mean(xs, side_x)
            else:
                cy[k], cx[k] = ys.mean(), xs.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(territory, aligned / np.where(peak_ref > 0, peak_ref, 1.0)[:, None, None], -np.inf)
    label = np.where(territory.any(axis=0), fingers[np.argmax(relative, axis=0)], 0).astype(int)
    coords = {"finger": fingers, **_sheet_coords(class_responses)}
    return xr.Dataset(
        {"territory": (("finger", *SHEET_DIMS), territory),
         "size": ("finger", size),
         "components": ("finger", np.array(components, dtype=int)),
         "largest_component": ("finger", np.array(largest, dtype=int)),
         "centroid_y": ("finger", cy), "centroid_x": ("finger", cx),
         "sign": ("finger", sign),
         "peak": ("finger", aligned.reshape(n_f, -1).max(axis=1)),
         "threshold": ("finger", threshold),
         "label": (SHEET_DIMS, label),
         "overlap": int(np.count_nonzero(territory.sum(axis=0) > 1))},
        coords=coords,
        attrs={"fraction": float(fraction), "periodic": int(periodic), "n_units": int(side_y * side_x),
               "reference": "self" if reference is None else "given"})


def territory_summary(territories: xr.Dataset) -> dict[str, dict]:
    """JSON-ready ``{finger: {size, components, largest_component, centroid, sign, peak}}``.

    Parameters
    ----------
    territories : Dataset
        Territories from :func:`finger_territories`.

    Returns
    -------
    dict
        One entry per finger, keyed by the finger number as a string.
    """
    out = {}
    for f in territories["finger"].values:
        t = territories.sel(finger=f)
        centroid = [float(t["centroid_y"]), float(t["centroid_x"])]
        out[str(int(f))] = {"size": int(t["size"]), "components": int(t["components"]),
                            "largest_component": int(t["largest_component"]),
                            "centroid": None if np.isnan(centroid[0]) else [round(c, 2) for c in centroid],
                            "sign": int(t["sign"]), "peak": float(t["peak"])}
    return out


def territory_change(before: xr.Dataset, after: xr.Dataset, finger: int) -> dict:
    """How a manipulation changed the territories, centered on one finger (e.g. the deprived one).

    Parameters
    ----------
    before, after : Dataset
        :func:`finger_territories` of the same sheet before and after; for
        one scale, ``after`` should be measured with ``reference`` set to the
        responses before.
    finger : int
        The finger to follow [finger number].

    Returns
    -------
    dict with

    - ``finger``, ``size_before``, ``size_after`` (units), ``size_ratio``
      (after / before; None if it had no territory), ``components_after``,
      ``peak_ratio`` (peak response after / before);
    - ``growth``: ``{other finger: size after - size before}`` (units) and
      ``growth_ratio``: ``{other finger: size after / size before}``;
    - ``takeover``: of the units of the finger's former territory, the
      fraction that lie in each other finger's territory after, ``"0"`` for
      those in no territory, and ``retained``: the fraction still in its own
      (territories may overlap, so the fractions can sum to more than 1);
    - ``shifted``: how far its centroid moved (grid units; None if either is
      empty).
    """
    finger = _finger_number(finger)
    if finger not in before["finger"].values or finger not in after["finger"].values:
        raise ValueError(f"finger {finger} is not among the fingers {before['finger'].values.tolist()}")
    if before["territory"].shape != after["territory"].shape:
        raise ValueError("before and after territories must be on the same sheet")
    b, a = before.sel(finger=finger), after.sel(finger=finger)
    size_b, size_a = int(b["size"]), int(a["size"])
    former = b["territory"].values
    others = [int(f) for f in before["finger"].values if f != finger]
    takeover_frac: dict[str, float] = {}
    retained = None
    if size_b:
        takeover_frac = {str(f): float(np.mean(after["territory"].sel(finger=f).values[former])) for f in others}
        takeover_frac["0"] = float(np.mean(~after["territory"].values.any(axis=0)[former]))
        retained = float(np.mean(a["territory"].values[former]))
    growth = {str(f): int(after["size"].sel(finger=f)) - int(before["size"].sel(finger=f)) for f in others}
    growth_ratio = {str(f): (float(after["size"].sel(finger=f)) / int(before["size"].sel(finger=f))
                             if int(before["size"].sel(finger=f)) else None) for f in others}
    shifted = None
    if size_b and size_a:
        dy = float(a["centroid_y"] - b["centroid_y"])
        dx = float(a["centroid_x"] - b["centroid_x"])
        if before.attrs.get("periodic"):
            side_y, side_x = former.shape
            dy = (dy + side_y / 2) % side_y - side_y / 2
            dx = (dx + side_x / 2) % side_x - side_x / 2
        shifted = float(np.hypot(dy, dx))
    peak_b = float(b["peak"])
    return {"finger": finger, "size_before": size_b, "size_after": size_a,
            "size_ratio": size_a / size_b if size_b else None,
            "components_after": int(a["components"]),
            "peak_ratio": float(a["peak"]) / peak_b if peak_b > 0 else None,
            "growth": growth, "growth_ratio": growth_ratio,
            "takeover": takeover_frac, "retained": retained, "shifted": shifted}


def territory_reorganization(before: xr.Dataset, after: xr.Dataset) -> float:
    """Fraction of the units in some territory (before or after) whose territory label changed.

    Counted over units that belong to a territory in either map, since the
    background outside every territory would otherwise dominate; NaN when
    neither map has a territory.

    Parameters
    ----------
    before, after : Dataset
        :func:`finger_territories` of the same sheet before and after the
        manipulation.

    Returns
    -------
    float
        The fraction [dimensionless].
    """
    b, a = before["label"].values, after["label"].values
    if b.shape != a.shape:
        raise ValueError(f"before and after must be on the same sheet, got {b.shape} and {a.shape}")
    mapped = (b > 0) | (a > 0)
    return float(np.mean(b[mapped] != a[mapped])) if mapped.any() else float("nan")


def territories(preferred: xr.DataArray, fingers: list[int] | None = None) -> xr.DataArray:
    """Fraction of the sheet each finger's territory covers.

    Parameters
    ----------
    preferred : DataArray (unit_y, unit_x) of int, or 2-D array
        Preferred map [finger number] (0 = unresponsive), e.g. from
        :func:`preferred_finger`.
    fingers : list of int, optional
        Fingers to report [finger number]; default the map's ``fingers`` attr plus any finger
        present (so a finger that lost all territory still shows 0).

    Returns
    -------
    DataArray on ``finger``: units preferring the finger / all units
    (unresponsive units count in the denominator). ``attrs``:
    ``unresponsive`` (fraction of units with 0) and ``n_units``.
    """
    values = _preferred_values(preferred)
    fingers = _map_fingers(preferred, values, fingers)
    n = values.size
    frac = [float(np.count_nonzero(values == f)) / n for f in fingers]
    return xr.DataArray(np.array(frac, dtype=float), dims="finger", coords={"finger": fingers},
                        name="territory",
                        attrs={"unresponsive": float(np.count_nonzero(values == 0)) / n, "n_units": int(n)})


def _neighbor_pairs(values: np.ndarray, periodic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Values of the two units of every horizontally or vertically adjacent pair, each pair once."""
    firsts = [values[:, :-1].ravel(), values[:-1, :].ravel()]
    seconds = [values[:, 1:].ravel(), values[1:, :].ravel()]
    if periodic:
        # the wrap pair is new only for sides of 3 or more: with 2 it repeats the
        # interior pair, with 1 it pairs a unit with itself
        if values.shape[1] > 2:
            firsts.append(values[:, -1])
            seconds.append(values[:, 0])
        if values.shape[0] > 2:
            firsts.append(values[-1, :])
            seconds.append(values[0, :])
    return np.concatenate(firsts), np.concatenate(seconds)


def _patch_sizes(mask: np.ndarray, periodic: bool) -> np.ndarray:
    """Sizes of the 4-connected components of ``mask`` (joined across the edges if periodic)."""
    labels, n = ndimage.label(mask)  # default structure: 4-connectivity
    if n == 0:
        return np.zeros(0, dtype=int)
    parent = np.arange(n + 1)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if periodic:
        # ndimage.label has no wrap-around, so components touching opposite
        # edges are merged afterwards (union-find over their labels)
        edges = [(labels[:, 0], labels[:, -1]), (labels[0, :], labels[-1, :])]
        for a, b in edges:
            for i, j in zip(a, b):
                if i and j:
                    ri, rj = root(int(i)), root(int(j))
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([root(i) for i in range(n + 1)])
    sizes = np.bincount(roots[labels[mask]], minlength=n + 1)
    return sizes[sizes > 0]


def contiguity(preferred: xr.DataArray, periodic: bool = False, fingers: list[int] | None = None) -> xr.Dataset:
    """How contiguous each finger's territory is, and how fragmented the map.

    Parameters
    ----------
    preferred : DataArray (unit_y, unit_x) of int, or 2-D array
        Preferred map [finger number] (0 = unresponsive).
    periodic : bool
        The sheet wraps round (a torus): patches and neighbor pairs join
        across opposite edges.
    fingers : list of int, optional
        Fingers to report [finger number] (default as in :func:`territories`).

    Returns
    -------
    Dataset with, on ``finger``:

    - ``patches``: number of 4-connected components of the finger's territory
      (0 if it has none);
    - ``largest_patch_fraction``: largest component / territory size (NaN if
      the territory is empty);
    - ``territory_units``: territory size in units;

    and scalars ``mean_patches`` (mean of ``patches`` over fingers with a
    territory, so a lost finger does not lower it; NaN if none) and
    ``boundary_fraction`` (fraction of 4-neighbor pairs whose preferred
    fingers differ, among pairs of two responsive units; NaN if no such pair).
    A map of one stripe per finger has 1 patch each; a salt-and-pepper map
    of n equally likely fingers has a boundary fraction near 1 - 1/n.
    """
    values = _preferred_values(preferred)
    fingers = _map_fingers(preferred, values, fingers)
    patches, largest, size = [], [], []
    for f in fingers:
        sizes = _patch_sizes(values == f, periodic)
        patches.append(int(sizes.size))
        size.append(int(sizes.sum()))
        largest.append(float(sizes.max()) / sizes.sum() if sizes.size else np.nan)
    patches_arr = np.array(patches, dtype=int)
    occupied = np.array(size) > 0
    mean_patches = float(patches_arr[occupied].mean()) if occupied.any() else np.nan
    a, b = _neighbor_pairs(values, periodic)
    both = (a > 0) & (b > 0)
    boundary = float(np.mean(a[both] != b[both])) if both.any() else np.nan
    return xr.Dataset(
        {"patches": ("finger", patches_arr),
         "largest_patch_fraction": ("finger", np.array(largest, dtype=float)),
         "territory_units": ("finger", np.array(size, dtype=int)),
         "mean_patches": mean_patches,
         "boundary_fraction": boundary},
        coords={"finger": fingers},
        attrs={"periodic": int(periodic), "connectivity": 4, "n_pairs": int(np.count_nonzero(both))})


def boundaries(preferred: xr.DataArray, periodic: bool = False) -> xr.DataArray:
    """Units on a territory boundary: any 4-neighbor prefers a different finger.

    Unresponsive units (0) count as a territory of their own, so the edge of
    a finger's territory against unresponsive cortex is a boundary too
    (on both sides of it).

    Parameters
    ----------
    preferred : DataArray (unit_y, unit_x) of int, or 2-D array
        Preferred map [finger number] (0 = unresponsive).
    periodic : bool
        Units on opposite edges are neighbors.

    Returns
    -------
    DataArray (unit_y, unit_x) of bool.
    """
    values = _preferred_values(preferred)
    if periodic:
        shifted = [np.roll(values, s, axis=ax) for ax in (0, 1) for s in (1, -1)]
        edge = np.zeros(values.shape, bool)
        for other in shifted:
            edge |= other != values
    else:
        edge = np.zeros(values.shape, bool)
        dx = values[:, 1:] != values[:, :-1]
        dy = values[1:, :] != values[:-1, :]
        edge[:, 1:] |= dx
        edge[:, :-1] |= dx
        edge[1:, :] |= dy
        edge[:-1, :] |= dy
    return xr.DataArray(edge, dims=SHEET_DIMS, coords=_sheet_coords(preferred), name="boundary",
                        attrs={"periodic": int(periodic)})


# --------------------------------------------------------- before vs. after

def takeover(before: xr.DataArray, after: xr.DataArray, finger: int) -> xr.DataArray:
    """Where a finger's former territory went.

    Parameters
    ----------
    before, after : DataArray (unit_y, unit_x) of int, or 2-D arrays
        Preferred maps of the same sheet before and after the manipulation
        [finger number].
    finger : int
        The finger whose territory to follow (e.g. the deprived one) [finger
        number]; it must have a territory in ``before``.

    Returns
    -------
    DataArray on ``finger``: of the units that preferred ``finger`` before,
    the fraction that prefer each *other* finger after, with 0 for those that
    became unresponsive. The coordinate holds 0 and every finger of either
    map (and their ``fingers`` attrs) except ``finger`` itself, so the values
    plus ``retained`` sum to 1. ``attrs``: ``deprived_finger``,
    ``territory_before`` (count of units) and ``retained`` (fraction still
    preferring ``finger``).
    """
    b, a = _pair(before, after)
    finger = _finger_number(finger)
    territory = b == finger
    count = int(np.count_nonzero(territory))
    if count == 0:
        present = sorted(int(f) for f in np.unique(b) if f > 0)
        raise ValueError(f"finger {finger} has no territory in the 'before' map (fingers present: {present})")
    known = set(_map_fingers(before, b)) | set(_map_fingers(after, a))
    others = [0] + sorted(known - {finger})
    went = a[territory]
    frac = np.array([np.count_nonzero(went == f) / count for f in others], dtype=float)
    return xr.DataArray(frac, dims="finger", coords={"finger": others}, name="takeover",
                        attrs={"deprived_finger": finger, "territory_before": count,
                               "retained": float(np.count_nonzero(went == finger)) / count})


def _finger_number(finger) -> int:
    if isinstance(finger, (bool, np.bool_)) or not float(finger).is_integer() or int(finger) <= 0:
        raise ValueError(f"finger must be a positive integer, got {finger!r}")
    return int(finger)


def takeover_summary(before: xr.DataArray, after: xr.DataArray, finger: int, coactivated: list[int]) -> dict:
    """JSON-ready summary of which fingers took over a finger's territory.

    Parameters
    ----------
    before, after : DataArray (unit_y, unit_x) of int, or 2-D arrays
        Preferred maps before and after [finger number].
    finger : int
        The deprived finger [finger number].
    coactivated : list of int
        Fingers [finger number] that were co-activated with ``finger`` in training (e.g. the
        fused partner after syndactyly); must not include ``finger``.

    Returns
    -------
    dict with

    - ``finger``, ``territory_before`` (units), ``retained`` (fraction);
    - ``takeover``: ``{str(f): fraction of the former territory}`` as in
      :func:`takeover`, "0" meaning unresponsive;
    - ``taken_over``: fraction of the former territory now preferring another
      finger (unresponsive units are lost, not taken over);
    - ``coactivated_share``: share of the taken-over territory won by the
      co-activated fingers;
    - ``neighbor_share``: share won by fingers ``finger - 1`` and
      ``finger + 1``;
    - ``favors_coactivated``: whether the co-activated fingers won more per
      finger than the other fingers did (with no other finger: whether they
      won anything).

    Shares are ``None`` when nothing was taken over (``favors_coactivated``
    is then False).
    """
    finger = _finger_number(finger)
    coact = sorted(set(_finger_number(f) for f in np.asarray(coactivated).ravel()))
    if not coact:
        raise ValueError("coactivated must name at least one finger")
    if finger in coact:
        raise ValueError(f"coactivated must not include the deprived finger {finger}")
    t = takeover(before, after, finger)
    gains = {int(f): float(v) for f, v in zip(t["finger"].values, t.values)}
    won = {f: v for f, v in gains.items() if f != 0}
    # a co-activated finger with no territory in either map still counts
    # (with gain 0) in the per-finger comparison
    for f in coact:
        won.setdefault(f, 0.0)
        gains.setdefault(f, 0.0)
    taken = sum(won.values())
    coact_gain = sum(won[f] for f in coact)
    neighbor_gain = sum(won.get(f, 0.0) for f in (finger - 1, finger + 1))
    rest = [v for f, v in won.items() if f not in coact]
    per_coact = coact_gain / len(coact)
    if taken <= 0:
        favors = False
    elif rest:
        favors = per_coact > sum(rest) / len(rest)
    else:
        favors = per_coact > 0
    return {"finger": finger,
            "coactivated": coact,
            "territory_before": int(t.attrs["territory_before"]),
            "retained": float(t.attrs["retained"]),
            "takeover": {str(f): gains[f] for f in sorted(gains)},
            "taken_over": float(taken),
            "coactivated_share": float(coact_gain / taken) if taken > 0 else None,
            "neighbor_share": float(neighbor_gain / taken) if taken > 0 else None,
            "favors_coactivated": bool(favors)}


def reorganization(before: xr.DataArray, after: xr.DataArray) -> float:
    """Fraction of units whose preferred finger changed (to or from unresponsive included).

    Parameters
    ----------
    before, after : DataArray (unit_y, unit_x) of int, or 2-D arrays
        Preferred maps of the same sheet before and after [finger number].

    Returns
    -------
    float
        The fraction [dimensionless].
    """
    b, a = _pair(before, after)
    return float(np.mean(b != a))


from .._deprecated import forwarder  # noqa: E402  (deprecated names, one release)

__getattr__ = forwarder(__name__, {"reorganisation": (__name__, "reorganization")})

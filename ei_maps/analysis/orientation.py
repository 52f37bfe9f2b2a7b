"""Orientation maps: preference, selectivity, pinwheels, column spacing and density.

The methods are those used on optical-imaging maps of cortex:

- preference and selectivity from the vector sum of responses to gratings,
  ``z = sum_k r_k exp(2i theta_k)``: preference ``arg(z)/2`` in [0, pi),
  selectivity ``|z| / sum_k r_k`` in [0, 1];
- pinwheels as the points around which ``z`` winds once (charge +-1/2 in
  orientation), found per 2 x 2 plaquette and placed at the zero of the
  bilinear interpolant of ``z``;
- the column spacing Lambda from the peak of the radially averaged power
  spectrum of ``z`` (Gaussian peak on a linear background);
- the pinwheel density ``rho = count * Lambda^2 / area``, about pi in tree
  shrew, galago and ferret (3.1 +- 0.3; Kaschube et al. 2010), and the map
  quality score of Stevens et al. (2013), ``Q = (rho/pi)^0.8 exp(-0.8 (rho - pi)/pi)``.

Positions are in grid units with unit ``(iy, ix)`` at ``(y, x) = (iy, ix)``.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._lazy import DeferredModule
from ..stimuli.gratings import DEFAULT_FREQUENCIES, quadrature_pairs, sine_gratings
from ..sheet import SHEET_DIMS
from .receptive_fields import FIELD_DIMS, _check_fields
from .spacing import _as_map, _radial_spectrum, lowpass_map, spectral_column_spacing

xr = DeferredModule("xarray")


# --------------------------------------------------------------------------- maps
def _vector_sum(responses: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(..., orientation) responses -> (z, preference, selectivity)."""
    z = np.sum(responses * np.exp(2j * theta), axis=-1)
    total = np.sum(responses, axis=-1)
    preference = (np.angle(z) / 2) % np.pi
    selectivity = np.divide(np.abs(z), total, out=np.zeros_like(total, dtype=float), where=total > 0)
    return z, preference, selectivity


def _orientation_dataset(responses: np.ndarray, theta: np.ndarray, method: str,
                         attrs: dict[str, Any]) -> xr.Dataset:
    z, pref, sel = _vector_sum(responses, theta)
    ds = xr.Dataset(
        {"preference": (SHEET_DIMS, pref), "selectivity": (SHEET_DIMS, sel),
         "tuning": (SHEET_DIMS + ("orientation",), responses),
         "z_real": (SHEET_DIMS, z.real), "z_imag": (SHEET_DIMS, z.imag)},
        coords={"orientation": theta}, attrs={"method": method, **attrs})
    ds["preference"].attrs.update(units="rad", long_name="preferred orientation in [0, pi)")
    ds["selectivity"].attrs.update(long_name="|z| / sum_k r_k")
    ds["tuning"].attrs.update(long_name="response r_k per grating orientation")
    return ds


def orientation_map_gratings(model, n_orientations: int = 16, n_phases: int = 8,
                             frequencies=DEFAULT_FREQUENCIES, lam: float | None = None,
                             patch_shape: tuple[int, int] | None = None) -> xr.Dataset:
    """Orientation map by presenting sine gratings through the settled dynamics.

    For each unit and orientation, ``r_k`` is the peak over phase and
    frequency of its settled response (negative responses count as 0).

    Parameters
    ----------
    model : ActivationModel
        Trained model whose settled responses are measured.
    n_orientations, n_phases : int
        Grating orientations and phases [count]; at least 16 orientations
        and 8 phases as in optical imaging.
    frequencies : sequence of float
        Spatial frequencies [cycles per pixel].
    lam : float, optional
        Soft threshold while presenting gratings (default: the model's)
        [dimensionless].
    patch_shape : (int, int), optional
        Input layout (rows, columns) [pixels]; square by default.

    Returns
    -------
    Dataset on (unit_y, unit_x): ``preference`` (rad), ``selectivity``,
    ``tuning`` (unit_y, unit_x, orientation) and ``z_real``/``z_imag``.
    """
    from .receptive_fields import patch_shape_for

    shape = patch_shape_for(model.n_inputs, patch_shape)
    g = sine_gratings(shape, n_orientations, n_phases, frequencies)
    flat = g.values.reshape(-1, shape[0] * shape[1])
    # one batch: the stopping rule is shared by a batch, so the whole set settles together
    a = model.settle(flat, lam=lam).reshape(n_orientations, n_phases, len(g.frequency), model.side, model.side)
    responses = np.maximum(a, 0).max(axis=(1, 2))  # (orientation, y, x)
    return _orientation_dataset(np.moveaxis(responses, 0, -1).astype(float), g.orientation.values, "gratings",
                                {"n_phases": n_phases, "frequencies": np.asarray(frequencies, float),
                                 "lam": model.lam if lam is None else float(lam)})


def orientation_map_fields(fields: xr.DataArray, n_orientations: int = 16,
                           frequencies=DEFAULT_FREQUENCIES) -> xr.Dataset:
    """Fast orientation map from receptive fields, without running the dynamics.

    ``r_k`` is the peak over frequency of the quadrature energy amplitude
    ``sqrt((F . cos)^2 + (F . sin)^2)`` of each field ``F`` against unit-norm
    gratings of orientation ``theta_k``.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields (or dictionary columns) on the sheet.
    n_orientations : int
        Grating orientations, evenly spaced in [0, pi) [count].
    frequencies : sequence of float
        Spatial frequencies of the gratings [cycles per pixel].

    Returns
    -------
    Dataset on (unit_y, unit_x): ``preference`` (rad), ``selectivity``,
    ``tuning`` (unit_y, unit_x, orientation) and ``z_real``/``z_imag``.
    """
    _check_fields(fields)
    f = fields.transpose(*FIELD_DIMS).values.astype(float)
    ny, nx, py, px = f.shape
    q = quadrature_pairs((py, px), n_orientations, frequencies)
    proj = np.einsum("yxij,ofqij->yxofq", f, q.values)
    responses = np.sqrt(np.sum(proj**2, axis=-1)).max(axis=-1)  # (y, x, orientation)
    return _orientation_dataset(responses, q.orientation.values, "receptive-field energy",
                                {"frequencies": np.asarray(frequencies, float)})


def orientation_field(preference: np.ndarray, selectivity: np.ndarray | None = None) -> np.ndarray:
    """The complex map ``z = selectivity * exp(2i preference)`` (selectivity 1 if not given)."""
    preference = np.asarray(preference, dtype=float)
    z = np.exp(2j * preference)
    return z if selectivity is None else np.asarray(selectivity, dtype=float) * z


# ---------------------------------------------------------------------- pinwheels
def fill_masked_units(z: np.ndarray, mask: np.ndarray, periodic: bool = False) -> np.ndarray:
    """Give excluded units the mean of their included 4-neighbors' values, repeatedly until none is left.

    For sheets with sites that have no map value (the inhibitory sites of
    the spiking sheet): pinwheel and spectrum measures need a complete grid.
    The mean of ``z = s exp(2i theta)`` is the vector average of the
    neighbors' orientations.

    Parameters
    ----------
    z : complex 2-D array
        The orientation field, e.g. ``selectivity * exp(2i preference)``
        [dimensionless].
    mask : bool 2-D array
        Units that have a value [flag]; same shape as ``z``.
    periodic : bool
        The map is a torus: neighbors wrap around the edges.

    Returns
    -------
    complex 2-D array
        A copy of ``z`` with every excluded unit filled in.
    """
    z = np.array(z, dtype=complex)
    known = np.asarray(mask, bool).copy()
    if z.shape != known.shape:
        raise ValueError(f"mask must have the map's shape {z.shape}, got {known.shape}")
    if not known.any():
        raise ValueError("mask excludes every unit")
    while not known.all():
        total = np.zeros_like(z)
        count = np.zeros(z.shape)
        for axis in (0, 1):
            for shift in (1, -1):
                if periodic:
                    total += np.roll(np.where(known, z, 0), shift, axis)
                    count += np.roll(known, shift, axis)
                else:
                    src = [slice(None)] * 2
                    dst = [slice(None)] * 2
                    src[axis] = slice(None, -1) if shift == 1 else slice(1, None)
                    dst[axis] = slice(1, None) if shift == 1 else slice(None, -1)
                    total[tuple(dst)] += np.where(known, z, 0)[tuple(src)]
                    count[tuple(dst)] += known[tuple(src)]
        newly = ~known & (count > 0)
        z[newly] = total[newly] / count[newly]
        known |= newly
    return z


def _wrap_angle(d: np.ndarray) -> np.ndarray:
    return (d + np.pi) % (2 * np.pi) - np.pi


def _plaquette_corners(z: np.ndarray, periodic: bool):
    if periodic:
        z10 = np.roll(z, -1, axis=1)
        return z, z10, np.roll(z10, -1, axis=0), np.roll(z, -1, axis=0)
    return z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]


def _bilinear_zero(z00, z10, z11, z01):
    """Zero (u, v) in [0, 1]^2 of z00 (1-u)(1-v) + z10 u (1-v) + z01 (1-u) v + z11 u v.

    Writing z = a + b u + c v + d u v, z = 0 with real u needs
    Im[(a + c v) conj(b + d v)] = 0, a quadratic in v; then
    u = -Re[(a + c v) conj(b + d v)] / |b + d v|^2. Falls back to the
    plaquette center when no root lies in the square (numerically degenerate).
    """
    a, b, c, d = z00, z10 - z00, z01 - z00, z00 - z10 - z01 + z11
    q2 = np.imag(c * np.conj(d))
    q1 = np.imag(a * np.conj(d)) + np.imag(c * np.conj(b))
    q0 = np.imag(a * np.conj(b))
    u_best = np.full(a.shape, 0.5)
    v_best = np.full(a.shape, 0.5)
    err_best = np.full(a.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(np.maximum(q1**2 - 4 * q2 * q0, 0))
        linear = np.abs(q2) < 1e-12 * (np.abs(q1) + np.abs(q0) + 1e-300)
        candidates = [np.where(linear, -q0 / q1, (-q1 + disc) / (2 * q2)),
                      np.where(linear, -q0 / q1, (-q1 - disc) / (2 * q2))]
        for v in candidates:
            num = a + c * v
            den = b + d * v
            u = -np.real(num * np.conj(den)) / np.abs(den) ** 2
            inside = np.isfinite(u) & np.isfinite(v)
            err = np.maximum.reduce([np.maximum(-u, 0), np.maximum(u - 1, 0),
                                     np.maximum(-v, 0), np.maximum(v - 1, 0)])
            better = inside & (err < err_best)
            u_best = np.where(better, u, u_best)
            v_best = np.where(better, v, v_best)
            err_best = np.where(better, err, err_best)
    ok = err_best < 1e-6
    return np.clip(np.where(ok, u_best, 0.5), 0, 1), np.clip(np.where(ok, v_best, 0.5), 0, 1)


def _angle_fit(phases: np.ndarray, sign: np.ndarray, u: np.ndarray, v: np.ndarray, iterations: int = 20):
    """Refine pinwheel centers from the corner angles alone.

    Around an isotropic pinwheel at (u0, v0) the angle of ``z`` at a corner is
    ``sign * atan2(v - v0, u - u0) + psi``; the four corners fix the center and
    ``psi`` by least squares (Gauss-Newton from the bilinear estimate). Used
    when ``|z|`` carries no information (a preference map alone), where the
    bilinear zero of unit vectors is biased towards the plaquette center.
    """
    cu = np.array([0.0, 1.0, 1.0, 0.0])  # corner order 00, 10, 11, 01 as in _plaquette_corners
    cv = np.array([0.0, 0.0, 1.0, 1.0])
    u0, v0 = u.copy(), v.copy()
    s = sign[:, None]
    psi = np.angle(np.mean(np.exp(1j * (phases - s * np.arctan2(cv - v0[:, None], cu - u0[:, None]))), axis=1))
    for _ in range(iterations):
        du, dv = cu - u0[:, None], cv - v0[:, None]
        d2 = np.maximum(du**2 + dv**2, 1e-12)
        r = _wrap_angle(phases - (s * np.arctan2(dv, du) + psi[:, None]))
        jac = np.stack([s * dv / d2, -s * du / d2, np.ones_like(d2)], axis=2)  # d(pred)/d(u0, v0, psi)
        jtj = np.einsum("nki,nkj->nij", jac, jac) + 1e-9 * np.eye(3)
        step = np.linalg.solve(jtj, np.einsum("nki,nk->ni", jac, r)[..., None])[..., 0]
        u0 = np.clip(u0 + step[:, 0], 0, 1)
        v0 = np.clip(v0 + step[:, 1], 0, 1)
        psi = psi + step[:, 2]
    return u0, v0


def find_pinwheels(z: np.ndarray, mask: np.ndarray | None = None, periodic: bool = False) -> dict[str, Any]:
    """Pinwheels of a complex orientation field.

    Parameters
    ----------
    z : complex ndarray (ny, nx)
        ``exp(2i theta)`` (possibly weighted by selectivity) [dimensionless].
    mask : bool ndarray (ny, nx), optional
        Units to analyze [flag]; a plaquette counts only if its four corners
        are in it.
    periodic : bool
        The map is a torus: plaquettes wrap around and none is a border one.
        Otherwise the outermost ring of plaquettes is excluded.

    Returns
    -------
    dict with ``y``, ``x`` (sub-grid positions), ``charge`` (+0.5 / -0.5)
    and ``area`` (number of analyzed plaquettes, grid units squared).
    Positions are the zeros of the bilinear interpolant of ``z``; when
    ``|z|`` is constant (orientation alone) they are refined from the corner
    angles, exact for an isotropic linear pinwheel.
    """
    z = np.asarray(z)
    if z.ndim != 2 or min(z.shape) < (2 if periodic else 4):
        raise ValueError(f"need a 2-D map of at least {'2 x 2' if periodic else '4 x 4'} units, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("orientation map contains NaN or inf")
    corners = _plaquette_corners(z, periodic)
    phases = [np.angle(c) for c in corners]
    winding = sum(_wrap_angle(phases[(k + 1) % 4] - phases[k]) for k in range(4))
    charge_full = np.rint(winding / (2 * np.pi)) / 2  # z winds once per half turn of orientation
    valid = np.ones(corners[0].shape, bool)
    if not periodic:
        valid[0, :] = valid[-1, :] = valid[:, 0] = valid[:, -1] = False
    if mask is not None:
        mask = np.asarray(mask, bool)
        if mask.shape != z.shape:
            raise ValueError(f"mask shape {mask.shape} differs from the map's {z.shape}")
        valid &= np.logical_and.reduce(_plaquette_corners(mask, periodic))
    # a zero-magnitude corner has no orientation: no reliable winding there
    valid &= np.logical_and.reduce([np.abs(c) > 0 for c in corners])
    found = valid & (charge_full != 0)
    iy, ix = np.nonzero(found)
    at = [c[found] for c in corners]
    u, v = _bilinear_zero(*at)
    magnitude = np.abs(z)
    if u.size and np.ptp(magnitude) <= 1e-9 * magnitude.max():
        u, v = _angle_fit(np.stack([np.angle(c) for c in at], axis=1), np.sign(charge_full[found]), u, v)
    y, x = iy + v, ix + u
    if periodic:
        y, x = y % z.shape[0], x % z.shape[1]
    return {"y": y, "x": x, "charge": charge_full[found], "area": float(valid.sum())}


# ------------------------------------------------------------------ column spacing
def power_spectrum(z: np.ndarray, periodic: bool = False) -> xr.Dataset:
    """Radially averaged power spectrum of a (complex) map.

    The mean is removed; a map that is not periodic is tapered with a Hann
    window first so its edges do not leak power across the spectrum.

    Parameters
    ----------
    z : complex 2-D array
        The map, e.g. ``selectivity * exp(2i preference)`` [dimensionless].
    periodic : bool
        The map is a torus (otherwise it is tapered with a Hann window).

    Returns
    -------
    Dataset with ``power`` on ``wavenumber`` (cycles per grid unit, bins of
    width ``1 / max(ny, nx)``).
    """
    wavenumber, radial = _radial_spectrum(np.asarray(z, dtype=complex), periodic)
    return xr.Dataset({"power": ("wavenumber", radial)},
                      coords={"wavenumber": wavenumber},
                      attrs={"units_wavenumber": "cycles per grid unit"})


def column_spacing(z: np.ndarray, periodic: bool = False) -> tuple[float, xr.Dataset]:
    """Column spacing Lambda (grid units) from the map's spectrum.

    See :func:`ei_maps.analysis.spacing.spectral_column_spacing` (Kaschube
    et al. 2010's fit), called with its default thresholds.

    Parameters
    ----------
    z : complex 2-D array
        The orientation field, e.g. ``selectivity * exp(2i preference)``
        [dimensionless].
    periodic : bool
        The map is a torus (otherwise it is tapered with a Hann window).

    Returns
    -------
    tuple of (float, Dataset)
        Lambda (grid units; NaN when the spectrum has no peak) and the
        spectrum with its fit.
    """
    return spectral_column_spacing(z, periodic)


# ---------------------------------------------------------------------- statistics
def map_quality(density: float) -> float:
    """Stevens et al. (2013) map quality ``(rho/pi)^0.8 exp(-0.8 (rho - pi)/pi)``: 1 at rho = pi.

    Parameters
    ----------
    density : float
        Pinwheel density ``rho`` [pinwheels per column spacing squared].

    Returns
    -------
    float
        The quality, NaN for a negative or non-finite density.
    """
    if not np.isfinite(density) or density < 0:
        return float("nan")
    return float((density / np.pi) ** 0.8 * np.exp(-0.8 * (density - np.pi) / np.pi))


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval of a Poisson count."""
    from scipy import stats  # here, not at the top: importing scipy.stats takes about a second

    alpha = 1 - confidence
    lo = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    hi = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(lo), float(hi)


def pinwheel_stats(preference, mask=None, selectivity=None, periodic: bool = False,
                   column_spacing_value: float | None = None) -> dict[str, Any]:
    """Pinwheel count, column spacing, density, its interval and map quality.

    Parameters
    ----------
    preference : 2-D array or DataArray
        Preferred orientation, in [0, pi) [radians].
    mask : 2-D bool array, optional
        Units to analyze (e.g. a cortical region) [flag].
    selectivity : 2-D array, optional
        Magnitude of ``z = selectivity * exp(2i preference)`` [dimensionless]. Pinwheel
        charges depend only on the preference; positions are the zeros of
        the bilinear interpolant of ``z``, exact for a linear ``z`` when the
        magnitude is given; with the preference alone (``|z| = 1``) they are
        fitted to the corner angles instead. The spectrum uses the same ``z``.
    periodic : bool
        The map is a torus (no border plaquettes; no window on the spectrum).
    column_spacing_value : float, optional
        Use this Lambda instead of estimating it [grid units].

    Returns
    -------
    dict with ``count``, ``n_plus``, ``n_minus``, ``column_spacing`` (grid
    units; NaN when the spectrum has no peak), ``area`` (grid units
    squared), ``density`` (pinwheels per Lambda^2), ``density_interval`` (95%
    Poisson interval of the count, scaled), ``quality`` (Stevens et al.
    2013), ``density_mean_wavenumber`` (per squared 1 / mean wavenumber, a
    different scale defined for any map), the pinwheel ``y``, ``x``,
    ``charge`` arrays and ``spectrum`` (Dataset).
    """
    pref = np.asarray(preference, dtype=float)
    if pref.ndim != 2:
        raise ValueError(f"preference must be a 2-D map, got shape {pref.shape}")
    if not np.all(np.isfinite(pref)):
        raise ValueError("preference contains NaN or inf")
    if pref.min() < 0 or pref.max() >= np.pi + 1e-9:
        raise ValueError(f"preference must be in radians in [0, pi); got range "
                         f"[{pref.min():.3g}, {pref.max():.3g}] (degrees? use np.deg2rad)")
    if selectivity is not None:
        selectivity = np.asarray(selectivity, dtype=float)
        if selectivity.shape != pref.shape or not np.all(np.isfinite(selectivity)):
            raise ValueError(f"selectivity must be a finite map of shape {pref.shape}")
    z = orientation_field(pref, selectivity)
    pins = find_pinwheels(z, mask=mask, periodic=periodic)
    z_spec = z if mask is None else np.where(np.asarray(mask, bool), z, 0)
    estimated, spectrum = column_spacing(z_spec, periodic)
    spacing = estimated if column_spacing_value is None else float(column_spacing_value)
    count = int(pins["charge"].size)
    area = pins["area"]
    scale = spacing**2 / area if area > 0 and np.isfinite(spacing) else float("nan")
    density = count * scale
    lo, hi = poisson_interval(count)
    mean_spacing = float(spectrum.attrs["mean_wavenumber_spacing"])
    return {"count": count, "n_plus": int(np.sum(pins["charge"] > 0)),
            "n_minus": int(np.sum(pins["charge"] < 0)),
            "column_spacing": float(spacing), "area": area, "density": float(density),
            "density_interval": (lo * scale, hi * scale), "quality": map_quality(density),
            "density_mean_wavenumber": count * mean_spacing**2 / area if area > 0 else float("nan"),
            "y": pins["y"], "x": pins["x"], "charge": pins["charge"], "spectrum": spectrum}


def random_orientation_map(shape: tuple[int, int], column_spacing: float, n_waves: int = 64,
                           seed: int | None = 0) -> np.ndarray:
    """A map with a known answer: random plane waves of one wavenumber (ring spectrum).

    ``z(r) = sum_j exp(i (k_j . r + phi_j))`` with ``|k_j| = 2 pi / column_spacing``,
    random directions and phases; approximately a Gaussian random field,
    whose pinwheel density is pi in expectation (Wolf & Geisel 1998).

    Parameters
    ----------
    shape : (int, int)
        Map shape (ny, nx) [grid units].
    column_spacing : float
        Wavelength ``2 pi / |k_j|`` of the plane waves [grid units].
    n_waves : int
        Plane waves summed [count].
    seed : int or None
        Seed of the random directions and phases.

    Returns
    -------
    Preferred orientation ``arg(z) / 2`` in [0, pi), shape ``shape``.
    """
    rng = np.random.default_rng(seed)
    ny, nx = shape
    y, x = np.mgrid[0:ny, 0:nx].astype(float)
    k = 2 * np.pi / column_spacing
    angle = rng.uniform(0, 2 * np.pi, n_waves)
    phase = rng.uniform(0, 2 * np.pi, n_waves)
    z = np.zeros(shape, complex)
    for a, ph in zip(angle, phase):
        z += np.exp(1j * (k * (np.cos(a) * x + np.sin(a) * y) + ph))
    return (np.angle(z) / 2) % np.pi


# ------------------------------------------------------- densities that noise does not inflate
def filtered_pinwheel_counts(z: np.ndarray, spacing: float, periodic: bool = False,
                             fractions: Sequence[float] | None = None, tolerance: float = 0.1) -> xr.Dataset:
    """Pinwheel counts of the map low-pass filtered at cutoffs below the column spacing, and their plateau.

    Parameters
    ----------
    z : complex 2-D array
        The orientation field [dimensionless].
    spacing : float
        Column spacing Lambda [grid units].
    periodic : bool
        The map is a torus: pinwheels are counted without border plaquettes.
    fractions : sequence of float, optional
        Cutoff wavelengths as fractions of Lambda (each < 1) [dimensionless];
        default 8 from 0.25 to 0.6. Shorter cutoffs keep more noise, longer
        ones erase real pinwheels.
    tolerance : float
        The plateau is the longest run of consecutive cutoffs whose counts all
        lie within this relative distance of the run's median [dimensionless].

    Returns
    -------
    Dataset with ``count`` on ``cutoff`` (grid units) and attrs
    ``raw_count`` (unfiltered), ``plateau_count`` (median over the plateau),
    ``plateau_cutoffs`` ([shortest, longest] cutoff of the plateau) and
    ``area`` (analyzed plaquettes).
    """
    z = _as_map(z)
    if not (np.isfinite(spacing) and spacing > 0):
        raise ValueError(f"spacing must be a positive column spacing (grid units), got {spacing!r}")
    fr = np.linspace(0.25, 0.6, 8) if fractions is None else np.asarray(fractions, float)
    if fr.ndim != 1 or fr.size < 2 or np.any(fr <= 0) or np.any(fr >= 1):
        raise ValueError("fractions must hold at least two cutoffs, each in (0, 1) of the column spacing")
    fr = np.sort(fr)
    raw = find_pinwheels(z, periodic=periodic)
    counts = np.array([find_pinwheels(lowpass_map(z, f * spacing), periodic=periodic)["charge"].size for f in fr])
    best = (0, 0)
    for i in range(fr.size):
        for j in range(i, fr.size):
            run = counts[i:j + 1]
            med = np.median(run)
            if med > 0 and np.all(np.abs(run - med) <= tolerance * med) and j - i > best[1] - best[0]:
                best = (i, j)
    i, j = best
    ds = xr.Dataset({"count": ("cutoff", counts)}, coords={"cutoff": fr * spacing})
    ds["cutoff"].attrs["units"] = "grid units (shortest wavelength kept)"
    ds.attrs.update(raw_count=int(raw["charge"].size), plateau_count=float(np.median(counts[i:j + 1])),
                    plateau_cutoffs=[float(fr[i] * spacing), float(fr[j] * spacing)], area=float(raw["area"]),
                    column_spacing=float(spacing))
    return ds


def pooled_pinwheel_density(counts: Sequence[float], areas: Sequence[float], spacings: Sequence[float],
                            n_boot: int = 10_000, seed: int = 0) -> dict[str, float]:
    """Pinwheel density per Lambda^2 pooled over maps (e.g. seeds), with 95% intervals.

    ``density = sum(counts) / sum(areas / spacings^2)``. The bootstrap
    interval resamples whole maps (so it includes the spread between seeds);
    the Poisson interval treats the pooled count as Poisson.

    Parameters
    ----------
    counts : sequence of float
        Pinwheel count of each map [count].
    areas : sequence of float
        Analyzed area of each map [grid units squared].
    spacings : sequence of float
        Column spacing Lambda of each map [grid units].
    n_boot : int
        Bootstrap resamples [count].
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    dict
        ``density``, ``n_maps``, ``bootstrap_interval`` and
        ``poisson_interval`` (each [low, high]) and ``per_map`` densities.
    """
    c = np.asarray(counts, float)
    a = np.asarray(areas, float)
    s = np.asarray(spacings, float)
    if not (c.shape == a.shape == s.shape) or c.ndim != 1 or c.size == 0:
        raise ValueError("counts, areas and spacings must be 1-D and of the same length (one per map)")
    if np.any(~np.isfinite(s)) or np.any(s <= 0) or np.any(a <= 0) or np.any(c < 0):
        raise ValueError("every map needs a finite column spacing > 0, an area > 0 and a count >= 0")
    units = a / s**2
    density = float(c.sum() / units.sum())
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, c.size, (int(n_boot), c.size))
    boot = c[pick].sum(axis=1) / units[pick].sum(axis=1)
    lo, hi = poisson_interval(int(round(c.sum())))
    return {"density": density, "n_maps": int(c.size),
            "bootstrap_interval": [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))],
            "poisson_interval": [lo / units.sum(), hi / units.sum()],
            "per_map": [float(v) for v in c / units]}

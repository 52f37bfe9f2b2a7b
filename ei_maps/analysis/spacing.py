"""Column spacing of orientation maps, two ways, and pinwheel densities that noise does not inflate.

The headline measure of an orientation map is its pinwheel density per
squared column spacing, about pi in ferret, tree shrew and galago (Kaschube
et al. 2010). The spacing Lambda is estimated

- **globally** (:func:`spectral_column_spacing`, Kaschube et al. 2010,
  supplement): a Gaussian peak on a quadratic background fitted to the
  radially averaged *amplitude* spectrum of ``z = exp(2i theta)``;
- **locally** (:func:`wavelet_column_spacing`, Kaschube et al. 2002, 2003):
  complex Morlet wavelets ``exp(-|x|^2 / 2 l^2) exp(i k . x)`` minus their
  mean, with ``l = 7 Lambda / 2 pi`` and ``|k| = 2 pi / Lambda``, at 16
  orientations; each pixel's local Lambda is where the orientation-averaged
  modulus peaks over the scanned wavelengths, and pixels whose maximum sits
  at an end of the scan are rejected.

:func:`lowpass_map` removes the wavelengths shorter than a cutoff (the
pinwheel counts that noise does not inflate are in
:mod:`ei_maps.analysis.orientation`). Lengths are in grid units;
wavenumbers in cycles per grid unit unless named "per map".
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from .._lazy import DeferredModule

xr = DeferredModule("xarray")

__all__ = ["spectral_column_spacing", "wavelet_column_spacing", "lowpass_map"]


def _as_map(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z)
    if z.ndim != 2 or min(z.shape) < 4:
        raise ValueError(f"the map must be 2-D and at least 4 x 4, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("the map contains NaN or inf")
    return z.astype(complex)


def _radial_spectrum(z: np.ndarray, periodic: bool) -> tuple[np.ndarray, np.ndarray]:
    """(wavenumber, mean power) in bins of ``1 / max(ny, nx)``; the mean removed, a Hann taper if not periodic."""
    ny, nx = z.shape
    z = z - z.mean()
    if not periodic:
        z = z * np.outer(np.hanning(ny), np.hanning(nx))
    power = np.abs(np.fft.fft2(z)) ** 2
    k = np.hypot(np.fft.fftfreq(ny)[:, None], np.fft.fftfreq(nx)[None, :])
    dk = 1.0 / max(ny, nx)
    bins = np.rint(k / dk).astype(int)
    n_bins = int(max(ny, nx) // 2) + 1  # up to 0.5 cycles per unit along the longer side
    keep = bins < n_bins
    total = np.bincount(bins[keep], weights=power[keep], minlength=n_bins)
    count = np.bincount(bins[keep], minlength=n_bins)
    return np.arange(n_bins) * dk, np.divide(total, count, out=np.zeros(n_bins), where=count > 0)


#: A column spacing needs at least this many wavelengths across the map.
MIN_CYCLES_PER_MAP = 3.0


def _peak_on_quadratic(k, height, k0, width, c0, c1, c2):
    return height * np.exp(-0.5 * ((k - k0) / width) ** 2) + c0 + c1 * k + c2 * k * k


def spectral_column_spacing(z: np.ndarray, periodic: bool = False, min_prominence: float = 0.1,
                            min_rise: float = 1.25) -> tuple[float, xr.Dataset]:
    """Column spacing from a Gaussian peak on a quadratic background fitted to the amplitude spectrum.

    Parameters
    ----------
    z : complex 2-D array
        The orientation field, e.g. ``selectivity * exp(2i preference)``
        [dimensionless].
    periodic : bool
        The map is a torus (otherwise it is tapered with a Hann window).
    min_prominence : float
        The fitted peak must rise at least this fraction above the background
        at its center [dimensionless]. It must also lie inside the fitted range, at least
        ``MIN_CYCLES_PER_MAP`` wavelengths across the map, and on an interior
        maximum of the measured spectrum higher than its first fitted point
        (a spectrum that only falls from its lowest wavenumbers has no ring);
        otherwise the map has no column spacing (NaN, ``fit_ok`` 0).
    min_rise : float
        ... and that maximum must be at least this many times the mean
        amplitude of the first two fitted wavenumbers: a broad low-wavenumber
        plateau with small bumps (smoothed noise) is not a ring [dimensionless].

    Returns
    -------
    (Lambda, spectrum)
        Lambda in grid units (``1 / k0``). The Dataset on ``wavenumber``
        (cycles per grid unit) holds ``power``, ``amplitude`` and ``fit``
        (the fitted amplitude, squared to the power scale, NaN if none), with
        attrs ``column_spacing``, ``peak_wavenumber``, ``peak_cycles_per_map``
        (``k0 * side``), ``prominence``, ``fit_ok``,
        ``mean_wavenumber_spacing`` (1 / power-weighted mean wavenumber) and
        ``ring_contrast`` (the largest power above the lowest fitted
        wavenumber over the power at the lowest nonzero one: above 1 for a
        ring, below 1 for a spectrum that falls from its largest scales).
    """
    z = _as_map(z)
    k, p = _radial_spectrum(z, periodic)
    amp = np.sqrt(p)
    # the lowest wavenumber holds the map's mean and its largest scales; the fit starts above it
    use = k >= 2 * k[1]
    ku, au = k[use], amp[use]
    fit = np.full_like(p, np.nan)
    k0, prominence, fit_ok = float("nan"), float("nan"), 0
    if ku.size >= 7 and np.any(au > 0):
        from scipy import optimize  # here, not at the top: importing it costs a command a third of a second

        i = int(np.argmax(au))
        guesses = [ku[i]] + [float(g) for g in ku[np.argsort(au)[::-1][1:3]]]
        best = None
        for g in guesses:
            p0 = [max(au.max() - np.median(au), 1e-12), g, max(g / 4, k[1]), float(np.median(au)), 0.0, 0.0]
            lower = [0.0, ku[0], k[1] / 2, -np.inf, -np.inf, -np.inf]
            upper = [np.inf, ku[-1], ku[-1], np.inf, np.inf, np.inf]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    params, _ = optimize.curve_fit(_peak_on_quadratic, ku, au, p0=p0, bounds=(lower, upper),
                                                   maxfev=20000)
            except (RuntimeError, ValueError):
                continue
            err = float(np.sum((_peak_on_quadratic(ku, *params) - au) ** 2))
            if best is None or err < best[0]:
                best = (err, params)
        if best is not None:
            params = best[1]
            background = params[3] + params[4] * params[1] + params[5] * params[1] ** 2
            prominence = float(params[0] / background) if background > 0 else float("inf")
            inside = ku[0] < params[1] < ku[-1] and params[2] < (ku[-1] - ku[0])
            # the measured spectrum must itself peak near k0, above where the fit starts
            near = np.abs(ku - params[1]) <= 2 * k[1]
            j = int(np.argmax(np.where(near, au, -np.inf)))
            interior = (0 < j < ku.size - 1 and au[j] >= au[j - 1] and au[j] >= au[j + 1]
                        and au[j] >= min_rise * np.mean(au[:2]))
            enough = params[1] * max(z.shape) >= MIN_CYCLES_PER_MAP
            if params[0] > 0 and inside and interior and enough and prominence >= min_prominence:
                k0, fit_ok = float(params[1]), 1
                fit = _peak_on_quadratic(k, *params) ** 2
    spec = xr.Dataset({"power": ("wavenumber", p), "amplitude": ("wavenumber", amp), "fit": ("wavenumber", fit)},
                      coords={"wavenumber": k}, attrs={"units_wavenumber": "cycles per grid unit"})
    mean_k = float(np.sum(k[1:] * p[1:]) / np.sum(p[1:])) if np.sum(p[1:]) > 0 else float("nan")
    spacing = 1.0 / k0 if fit_ok else float("nan")
    # the ring's height over the largest scale the map holds (its lowest nonzero wavenumber)
    ring_contrast = float(np.max(p[use]) / p[1]) if p.size > 2 and p[1] > 0 else float("nan")
    spec.attrs.update(column_spacing=spacing, peak_wavenumber=k0, peak_cycles_per_map=k0 * max(z.shape),
                      prominence=prominence, fit_ok=fit_ok, mean_wavenumber_spacing=1.0 / mean_k,
                      ring_contrast=ring_contrast)
    return spacing, spec


def _wavelet_bank(shape: tuple[int, int], wavelength: float, n_orientations: int) -> np.ndarray:
    """Fourier transforms of the mean-free complex Morlet wavelets of one wavelength on a torus of ``shape``."""
    ny, nx = shape
    y = np.fft.fftfreq(ny) * ny  # wrapped offsets, 0, 1, ..., -1
    x = np.fft.fftfreq(nx) * nx
    yy, xx = np.meshgrid(y, x, indexing="ij")
    width = 7.0 * wavelength / (2 * np.pi)
    envelope = np.exp(-(yy**2 + xx**2) / (2 * width**2))
    envelope /= envelope.sum()  # unit response to a matching plane wave, whatever the scale
    k = 2 * np.pi / wavelength
    bank = []
    for theta in np.arange(n_orientations) * np.pi / n_orientations:
        carrier = np.exp(1j * k * (np.cos(theta) * xx + np.sin(theta) * yy))
        w = envelope * carrier
        w -= envelope * (w.sum() / envelope.sum())  # minus its mean: no response to a constant map
        bank.append(np.fft.fft2(w))
    return np.array(bank)


def wavelet_column_spacing(z: np.ndarray, wavelengths: Sequence[float] | None = None, periodic: bool = False,
                           n_orientations: int = 16) -> xr.Dataset:
    """Local column spacing from complex Morlet wavelets (Kaschube et al. 2002, 2003).

    Parameters
    ----------
    z : complex 2-D array
        The orientation field [dimensionless].
    wavelengths : sequence of float, optional
        Scanned Lambda [grid units], increasing; default from 3 to a ninth of
        the map's side in steps of 4%.
    periodic : bool
        A torus: the wavelets wrap round. Otherwise the map is zero-padded and
        pixels closer to an edge than the largest wavelet's reach (two
        envelope widths, ``2 l``) are left out (NaN).
    n_orientations : int
        Wavelet orientations in [0, pi) (the modulus is averaged over them) [count].

    Returns
    -------
    Dataset with ``local_spacing`` (unit_y, unit_x; NaN where rejected) and
    ``modulus`` (wavelength) (the mean orientation-averaged modulus), and
    attrs ``mean_spacing`` (mean over accepted pixels), ``median_spacing``,
    ``accepted_fraction``.
    """
    z = _as_map(z)
    ny, nx = z.shape
    if wavelengths is None:
        wavelengths = 3.0 * 1.04 ** np.arange(int(np.log(max(min(ny, nx) / 27.0, 1.09)) / np.log(1.04)) + 1)
    wl = np.asarray(wavelengths, float)
    if wl.ndim != 1 or wl.size < 3 or np.any(wl <= 0) or np.any(np.diff(wl) <= 0):
        raise ValueError("wavelengths must be at least 3 increasing positive values (grid units)")
    if isinstance(n_orientations, bool) or int(n_orientations) != n_orientations or n_orientations < 2:
        raise ValueError(f"n_orientations must be an integer >= 2, got {n_orientations!r}")
    z = z - z.mean()
    reach = int(np.ceil(2 * 7.0 * wl[-1] / (2 * np.pi)))
    if periodic:
        field, pad = z, 0
    else:
        # padded by the envelope's 3 widths, so the wrap-round of the FFT reaches no kept pixel
        pad = int(np.ceil(3 * 7.0 * wl[-1] / (2 * np.pi)))
        field = np.pad(z, pad)
    spectrum = np.fft.fft2(field)
    modulus = np.empty((wl.size, ny, nx))
    for i, lam in enumerate(wl):
        bank = _wavelet_bank(field.shape, lam, int(n_orientations))
        responses = np.abs(np.fft.ifft2(spectrum[None] * bank))
        modulus[i] = responses.mean(axis=0)[pad:pad + ny, pad:pad + nx]
    best = np.argmax(modulus, axis=0)
    local = wl[best]
    accepted = (best > 0) & (best < wl.size - 1)
    if not periodic:
        yy, xx = np.mgrid[0:ny, 0:nx]
        inner = ((yy >= reach) & (yy < ny - reach) & (xx >= reach) & (xx < nx - reach))
        accepted &= inner if inner.any() else np.ones_like(accepted)
    local = np.where(accepted, local, np.nan)
    ds = xr.Dataset({"local_spacing": (("unit_y", "unit_x"), local),
                     "modulus": ("wavelength", modulus.mean(axis=(1, 2)))},
                    coords={"wavelength": wl})
    good = local[np.isfinite(local)]
    ds.attrs.update(mean_spacing=float(good.mean()) if good.size else float("nan"),
                    median_spacing=float(np.median(good)) if good.size else float("nan"),
                    accepted_fraction=float(good.size / local.size), n_orientations=int(n_orientations))
    return ds


def lowpass_map(z: np.ndarray, cutoff_wavelength: float) -> np.ndarray:
    """The map with every Fourier component of wavelength shorter than ``cutoff_wavelength`` removed.

    A smooth (Gaussian-shouldered) cutoff at ``1 / cutoff_wavelength``,
    applied to the map's 2-D FFT (so the map is treated as a torus).

    Parameters
    ----------
    z : complex 2-D array
        The map, e.g. an orientation field ``exp(2i theta)`` [dimensionless].
    cutoff_wavelength : float
        Shortest wavelength kept [grid units].

    Returns
    -------
    complex 2-D array
        The filtered map, of the shape of ``z``.
    """
    z = _as_map(z)
    if not (np.isfinite(cutoff_wavelength) and cutoff_wavelength > 0):
        raise ValueError(f"cutoff_wavelength must be > 0 (grid units), got {cutoff_wavelength!r}")
    ny, nx = z.shape
    k = np.hypot(np.fft.fftfreq(ny)[:, None], np.fft.fftfreq(nx)[None, :])
    kc = 1.0 / cutoff_wavelength
    # a Gaussian shoulder of 10% of the cutoff: a hard edge would ring
    mask = np.where(k <= kc, 1.0, np.exp(-0.5 * ((k - kc) / (0.1 * kc)) ** 2))
    return np.fft.ifft2(np.fft.fft2(z) * mask)

"""The wavelength the E/I lateral interactions prefer, predicted from the kernels and measured on the model.

At the activation model's fixed point without threshold (``lam = 0``), the
inhibitory sheet is ``a_I = (K_E * a_E) / leak`` and the excitatory sheet
solves ``leak a_E = s + K_E * a_E - K_I * a_I``. In Fourier space, with
``K_E(k)`` and ``K_I(k)`` the kernels' transforms,

    a_E(k) = G(k) s(k),    G(k) = 1 / (leak - K_eff(k)),
    K_eff(k) = K_E(k) (1 - K_I(k) / leak).

The sheet amplifies a drive pattern of wavenumber ``k`` by ``G(k)``. When
``K_eff`` (hence ``G``) peaks at some ``k* > 0``, the lateral interactions
prefer patterns of wavelength ``Lambda = 1 / k*`` (grid units); when it peaks
at ``k = 0`` they prefer none. :func:`lateral_spectrum` computes this from any
model parameters; :func:`response_spectrum` measures the gain on the model
itself (the settled response to weak white-noise drive), which checks it.

Wavenumbers are in cycles per grid unit throughout.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

__all__ = ["lateral_spectrum", "response_spectrum", "radial_average"]


def _direction_averaged(kernel: np.ndarray, k: np.ndarray, n_directions: int = 48) -> np.ndarray:
    """Transform of a symmetric dense kernel along ``n_directions`` directions, averaged, at wavenumbers ``k``."""
    r = kernel.shape[0] // 2
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    keep = kernel != 0
    w, dy, dx = kernel[keep], dy[keep], dx[keep]
    theta = np.linspace(0.0, np.pi, n_directions, endpoint=False)
    proj = dx[None, :] * np.cos(theta)[:, None] + dy[None, :] * np.sin(theta)[:, None]  # (direction, tap)
    phase = 2 * np.pi * k[:, None, None] * proj[None]
    return np.mean(np.sum(w * np.cos(phase), axis=-1), axis=1)


def lateral_spectrum(config: Any, wavenumbers: np.ndarray | None = None, min_contrast: float = 1.01) -> xr.Dataset:
    """The lateral kernels' spectra, the effective kernel and the sheet's linear gain, with the preferred wavelength.

    Parameters
    ----------
    config : ModelConfig
        Activation-model parameters (``r_exc``, ``r_inh``, ``w_exc``,
        ``w_inh``, ``sigma2``, leak).
    wavenumbers : array, optional
        Wavenumbers to evaluate, increasing from 0 [cycles per grid unit];
        default 0 to 0.5 in steps of 1/1000.
    min_contrast : float
        The peak at ``k* > 0`` counts only if
        ``K_eff(k*) > min_contrast * K_eff(0)``, so a flat top is not called
        a wavelength [dimensionless].

    Returns
    -------
    Dataset on ``wavenumber`` with ``k_exc``, ``k_inh`` (direction-averaged
    kernel transforms, 1/iteration units like the weights), ``k_eff`` and
    ``gain`` (``1 / (leak - k_eff)``; inf where the linear sheet is
    unstable) and ``radius`` (the spectral radius of one update of the
    iteration, ``I + eta J(k)`` with
    ``J = [[K_E - leak, -K_I], [K_E, -leak]]``). ``attrs``: ``preferred_wavenumber`` and
    ``preferred_wavelength`` (grid units; NaN when the peak is at k = 0),
    ``peak_contrast`` (``K_eff(k*) / K_eff(0)``), ``gain_contrast``
    (``G(k*) / G(0)``), ``leak``, ``stable`` (1 if ``leak > K_eff(k)`` for
    every k: the fixed point exists and attracts the continuous dynamics),
    ``max_radius`` and ``converges`` (1 if the iteration with the model's
    ``eta`` contracts at every k, radius < 1).
    """
    from ..sheet import excitatory_kernel, inhibitory_kernel

    k = np.linspace(0.0, 0.5, 501) if wavenumbers is None else np.asarray(wavenumbers, float)
    if k.ndim != 1 or k.size < 2 or np.any(k < 0) or k[0] != 0 or np.any(np.diff(k) <= 0):
        raise ValueError("wavenumbers must be an increasing 1-D array from 0 (cycles per grid unit)")
    leak = float(config.effective_leak)
    k_exc = _direction_averaged(excitatory_kernel(config.r_exc, config.w_exc, config.sigma2).dense(), k)
    k_inh = _direction_averaged(inhibitory_kernel(config.r_inh, config.w_inh).dense(), k)
    k_eff = k_exc * (1.0 - k_inh / leak)
    margin = leak - k_eff
    with np.errstate(divide="ignore"):
        gain = np.where(margin > 0, 1.0 / np.where(margin > 0, margin, 1.0), np.inf)
    i = int(np.argmax(k_eff))
    contrast = float(k_eff[i] / k_eff[0]) if k_eff[0] > 0 else float("inf")
    has_peak = i > 0 and contrast > min_contrast and i < k.size - 1
    k_star = float(k[i]) if has_peak else float("nan")
    # one update multiplies each Fourier mode of (a_E, a_I) by I + eta J(k); its eigenvalues are
    # 1 + eta * (-leak + K_E/2 +- sqrt(K_E^2/4 - K_E K_I))
    eta = float(config.eta)
    disc = (k_exc**2 / 4 - k_exc * k_inh).astype(complex)
    lam_plus = 1 + eta * (-leak + k_exc / 2 + np.sqrt(disc))
    lam_minus = 1 + eta * (-leak + k_exc / 2 - np.sqrt(disc))
    radius = np.maximum(np.abs(lam_plus), np.abs(lam_minus))
    ds = xr.Dataset({"k_exc": ("wavenumber", k_exc), "k_inh": ("wavenumber", k_inh),
                     "k_eff": ("wavenumber", k_eff), "gain": ("wavenumber", gain),
                     "radius": ("wavenumber", radius)},
                    coords={"wavenumber": k})
    ds["wavenumber"].attrs["units"] = "cycles per grid unit"
    ds.attrs.update(preferred_wavenumber=k_star,
                    preferred_wavelength=1.0 / k_star if has_peak else float("nan"),
                    peak_contrast=contrast if has_peak else 1.0,
                    gain_contrast=float(gain[i] / gain[0]) if has_peak and np.isfinite(gain[i]) else 1.0,
                    leak=leak, stable=int(bool(np.all(margin > 0))), max_radius=float(radius.max()),
                    converges=int(bool(radius.max() < 1)))
    return ds


def radial_average(power: np.ndarray, n_bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Radial average of a 2-D power spectrum (unshifted FFT layout); returns (wavenumber, mean power).

    Bins are one frequency step wide (``1 / min(shape)`` cycles per grid
    unit), centered on multiples of it; bin 0 is the mean.

    Parameters
    ----------
    power : 2-D array
        Power spectrum in the layout of ``np.fft.fft2`` [squared units of the map].
    n_bins : int, optional
        Bins returned [count]; by default up to the largest radius.
    """
    ny, nx = power.shape
    ky = np.fft.fftfreq(ny)[:, None]
    kx = np.fft.fftfreq(nx)[None, :]
    radius = np.hypot(ky, kx)
    step = 1.0 / min(ny, nx)
    index = np.rint(radius / step).astype(int)
    n = int(index.max()) + 1 if n_bins is None else int(n_bins)
    sums = np.bincount(index.ravel(), weights=power.ravel(), minlength=n)[:n]
    counts = np.bincount(index.ravel(), minlength=n)[:n]
    with np.errstate(invalid="ignore"):
        return np.arange(n) * step, sums / np.maximum(counts, 1)


def response_spectrum(model, n_samples: int = 16, amplitude: float = 1e-3, seed: int = 0) -> xr.Dataset:
    """The gain of the model itself: settled response to weak white-noise drive, per wavenumber.

    The drive ``s`` is Gaussian white noise of standard deviation
    ``amplitude`` on every unit of the excitatory sheet; the model settles
    with ``lam = 0`` (its linear regime) to a tight tolerance. The gain is
    ``sqrt(<|a_E(k)|^2> / <|s(k)|^2>)``, radially averaged (bins one frequency
    step wide). Meaningful on a periodic sheet, where the Fourier modes are
    the model's own.

    Parameters
    ----------
    model : ActivationModel
        Model on a periodic sheet; its configuration and dictionary are used.
    n_samples : int
        White-noise drives averaged [count].
    amplitude : float
        Standard deviation of the drive on each unit [dimensionless].
    seed : int
        Seed of the drive.

    Returns
    -------
    Dataset on ``wavenumber`` with ``gain``; ``attrs`` ``iterations`` (of
    the last settle) and the drive amplitude.
    """
    from ..models import ActivationModel

    cfg = model.config
    if cfg.boundary != "periodic":
        raise ValueError("response_spectrum needs a periodic sheet (boundary='periodic'): on an open sheet the "
                         "Fourier modes are not the dynamics' eigenmodes")
    if not (np.isfinite(amplitude) and amplitude > 0):
        raise ValueError(f"amplitude must be > 0, got {amplitude!r}")
    linear = ActivationModel.from_config(cfg, lam=0.0, eps=1e-9, max_iter=20_000, dtype="float64",
                                         dictionary=np.asarray(model.dictionary, float))
    rng = np.random.default_rng(seed)
    side = cfg.side
    drive = amplitude * rng.standard_normal((n_samples, side * side))
    a = linear._settle_drive(drive, 0.0)
    power_a = np.mean(np.abs(np.fft.fft2(a.reshape(-1, side, side))) ** 2, axis=0)
    power_s = np.mean(np.abs(np.fft.fft2(drive.reshape(-1, side, side))) ** 2, axis=0)
    k, pa = radial_average(power_a)
    _, ps = radial_average(power_s)
    keep = k <= 0.5
    ds = xr.Dataset({"gain": ("wavenumber", np.sqrt(pa[keep] / ps[keep]))}, coords={"wavenumber": k[keep]})
    ds.attrs.update(iterations=int(linear.iterations), amplitude=float(amplitude), n_samples=int(n_samples))
    return ds

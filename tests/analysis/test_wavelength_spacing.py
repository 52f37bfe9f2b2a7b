"""The predicted E/I wavelength against the model itself; column spacing two ways; robust pinwheel density."""
from __future__ import annotations

import numpy as np
import pytest

from ei_maps.analysis.orientation import (filtered_pinwheel_counts, find_pinwheels, pooled_pinwheel_density,
                                          random_orientation_map)
from ei_maps.analysis.spacing import lowpass_map, spectral_column_spacing, wavelet_column_spacing
from ei_maps.analysis.wavelength import lateral_spectrum, radial_average, response_spectrum
from ei_maps.models import ModelConfig
from ei_maps.models import ActivationModel


def test_paper_settings_prefer_no_wavelength():
    # w_inh / w_exc = 1/6: the effective kernel is largest at k = 0 (the maps have no column spacing)
    spec = lateral_spectrum(ModelConfig())
    assert np.isnan(spec.attrs["preferred_wavelength"]) and spec.attrs["stable"] == 1
    k_eff = spec["k_eff"].values
    assert np.argmax(k_eff) == 0
    # K_eff(0) = w_exc (1 - w_inh / leak) = 30 * 30 / 35
    assert k_eff[0] == pytest.approx(30 * 30 / 35, rel=1e-9)
    assert spec["gain"].values[0] == pytest.approx(1 / (35 - 30 * 30 / 35), rel=1e-9)


def test_strong_inhibition_prefers_a_wavelength_near_the_disk_estimate():
    spec = lateral_spectrum(ModelConfig(w_exc=30, w_inh=60, r_inh=5, leak=30.0, eta=0.01))
    lam = spec.attrs["preferred_wavelength"]
    # the inhibitory disk's transform first vanishes at 2 pi k r = 3.83, so Lambda ~ 1.6 r_inh
    assert 6 < lam < 10 and spec.attrs["gain_contrast"] > 2
    assert spec.attrs["converges"] == 1 and spec.attrs["max_radius"] < 1


def _lattice_gain(cfg):
    """The exact gain of every Fourier mode of the torus, from the dense kernels, radially averaged as measured."""
    from ei_maps.sheet import excitatory_kernel, inhibitory_kernel

    side, leak = cfg.side, cfg.effective_leak

    def on_torus(kernel):
        out = np.zeros((side, side))
        r = kernel.shape[0] // 2
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                out[dy % side, dx % side] += kernel[dy + r, dx + r]
        return np.real(np.fft.fft2(out))

    k_e = on_torus(excitatory_kernel(cfg.r_exc, cfg.w_exc, cfg.sigma2).dense())
    k_i = on_torus(inhibitory_kernel(cfg.r_inh, cfg.w_inh).dense())
    gain2 = 1 / (leak - k_e * (1 - k_i / leak)) ** 2
    k, mean = radial_average(gain2)
    return np.sqrt(mean[k <= 0.5])


def test_predicted_gain_matches_the_settled_model():
    # the linear gain of the model itself (settled response to weak white noise, lam = 0) on a torus
    cfg = ModelConfig(side=32, w_exc=30, w_inh=60, r_inh=5, boundary="periodic", eta=0.01, leak=45.0)
    model = ActivationModel.from_config(cfg)
    measured = response_spectrum(model, n_samples=8)
    # mode by mode the response is the exact gain times the drive; radially averaged over 8 noise samples
    # (whose power varies from mode to mode) it matches the lattice's exact gain to 1% (measured 0.5%)
    np.testing.assert_allclose(measured["gain"].values, _lattice_gain(cfg), rtol=1e-2)
    # and the direction-averaged prediction, which smooths the lattice's anisotropy, to 6%
    predicted = lateral_spectrum(cfg, wavenumbers=measured["wavenumber"].values)
    np.testing.assert_allclose(measured["gain"].values[:12], predicted["gain"].values[:12], rtol=0.06)
    k_meas = measured["wavenumber"].values[np.argmax(measured["gain"].values)]
    assert abs(k_meas - predicted.attrs["preferred_wavenumber"]) <= 1.5 / 32
    with pytest.raises(ValueError, match="periodic"):
        response_spectrum(ActivationModel.from_config(cfg.replace(boundary="zero")))


def test_unstable_parameters_are_reported():
    spec = lateral_spectrum(ModelConfig(w_exc=30, w_inh=60, r_inh=7, leak=20.0, eta=0.005))
    assert spec.attrs["stable"] == 0 and np.isinf(spec["gain"].values).any()
    with pytest.raises(ValueError, match="wavenumbers"):
        lateral_spectrum(ModelConfig(), wavenumbers=np.array([0.1, 0.2]))


def test_radial_average_of_a_known_spectrum():
    power = np.zeros((16, 16))
    power[0, 4] = power[4, 0] = power[0, 12] = power[12, 0] = 4.0  # |k| = 4/16 on the axes
    k, mean = radial_average(power)
    assert k[4] == pytest.approx(0.25) and mean[4] > 0 and mean[3] == 0 and mean[5] == 0


@pytest.mark.parametrize("spacing, side", [(8.0, 96), (12.0, 144)])
def test_both_spacing_methods_recover_ring_maps(spacing, side):
    z = np.exp(2j * random_orientation_map((side, side), spacing, seed=1))
    lam, spec = spectral_column_spacing(z)
    assert spec.attrs["fit_ok"] == 1 and lam == pytest.approx(spacing, rel=0.03)
    assert spec.attrs["peak_cycles_per_map"] == pytest.approx(side / spacing, rel=0.03)
    wavelet = wavelet_column_spacing(z, wavelengths=spacing * 1.04 ** np.arange(-10, 11))
    assert wavelet.attrs["mean_spacing"] == pytest.approx(spacing, rel=0.05)
    # an open map: pixels within two envelope widths of an edge are left out
    assert wavelet.attrs["accepted_fraction"] > 0.1


def test_wavelet_local_spacing_follows_a_two_domain_map():
    # left half Lambda 6, right half Lambda 10 (periodic in y, seamed in x): the local estimate tells them apart
    side = 96
    left = np.exp(2j * random_orientation_map((side, side), 6.0, seed=3))
    right = np.exp(2j * random_orientation_map((side, side), 10.0, seed=4))
    z = np.where(np.arange(side)[None, :] < side // 2, left, right)
    local = wavelet_column_spacing(z, wavelengths=4.0 * 1.05 ** np.arange(22), periodic=True)["local_spacing"]
    assert np.nanmedian(local.values[:, 10:38]) == pytest.approx(6.0, rel=0.1)
    assert np.nanmedian(local.values[:, 58:86]) == pytest.approx(10.0, rel=0.1)


def test_no_ring_no_spacing():
    from scipy import ndimage

    rng = np.random.default_rng(0)
    noise = ndimage.gaussian_filter(rng.standard_normal((96, 96)), 2, mode="wrap") + 1j * ndimage.gaussian_filter(
        rng.standard_normal((96, 96)), 2, mode="wrap")
    lam, spec = spectral_column_spacing(np.exp(1j * np.angle(noise)), periodic=True)
    assert np.isnan(lam) and spec.attrs["fit_ok"] == 0


def test_filtering_removes_noise_pinwheels_and_finds_the_plateau():
    spacing, side = 10.0, 96
    z = np.exp(2j * random_orientation_map((side, side), spacing, seed=2))
    clean = find_pinwheels(z)["charge"].size
    noisy = z * np.exp(1j * np.random.default_rng(0).normal(0, 0.8, z.shape))
    counts = filtered_pinwheel_counts(noisy, spacing)
    # pixel noise nearly doubles the raw count; the plateau is back within 10% of the clean map's count
    assert counts.attrs["raw_count"] > 1.5 * clean
    assert counts.attrs["plateau_count"] == pytest.approx(clean, rel=0.1)
    assert counts["count"].values[0] >= counts["count"].values[-1]
    # a plane wave longer than the cutoff passes unchanged, a shorter one is removed
    y, x = np.mgrid[0:side, 0:side]
    wave = np.exp(2j * np.pi * x / 12)
    np.testing.assert_allclose(lowpass_map(wave, 6.0), wave, atol=1e-9)
    assert np.abs(lowpass_map(wave, 24.0)).max() < 1e-6
    with pytest.raises(ValueError, match="spacing"):
        filtered_pinwheel_counts(z, float("nan"))


def test_pooled_density_and_its_intervals():
    pooled = pooled_pinwheel_density([30, 34, 28], [900.0, 900.0, 900.0], [9.0, 9.0, 9.0])
    assert pooled["density"] == pytest.approx(92 / (3 * 900 / 81))
    lo, hi = pooled["bootstrap_interval"]
    assert lo <= pooled["density"] <= hi and lo >= 28 / (900 / 81) - 1e-9 and hi <= 34 / (900 / 81) + 1e-9
    plo, phi = pooled["poisson_interval"]
    assert plo < pooled["density"] < phi
    with pytest.raises(ValueError, match="column spacing"):
        pooled_pinwheel_density([3], [100.0], [float("nan")])


def test_wavelet_scan_around_the_spectral_spacing_on_a_small_torus():
    """A 96 x 96 torus with Lambda 11.2: the default scan stops at 10.7 and can only answer below Lambda;
    the scan around the spectral Lambda (orientation_maps.wavelet_scan) recovers it."""
    from ei_maps.experiments._orientation_maps import wavelet_scan

    side, spacing = 96, 11.2
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:side, 0:side]
    z = np.zeros((side, side), complex)
    n = side / spacing  # whole-number wave vectors on the ring: the map is periodic on the torus
    modes = [(a, b) for a in range(-10, 11) for b in range(-10, 11) if abs(np.hypot(a, b) - n) < 0.5]
    for a, b in modes:
        z += np.exp(1j * (2 * np.pi * (a * x + b * y) / side + rng.uniform(0, 2 * np.pi)))
    lam, _ = spectral_column_spacing(z, periodic=True)
    assert lam == pytest.approx(spacing, rel=0.05)
    default = wavelet_column_spacing(z, periodic=True)
    # every pixel peaks at the scan's end and is rejected (NaN), or what is accepted lies below Lambda
    assert default["wavelength"].values[-1] < spacing and not default.attrs["mean_spacing"] >= 0.97 * spacing
    scan = wavelet_scan(lam, z.shape, periodic=True)
    assert scan[0] == pytest.approx(lam / 2) and scan[-1] <= 2 * lam
    around = wavelet_column_spacing(z, wavelengths=scan, periodic=True)
    assert around.attrs["mean_spacing"] == pytest.approx(spacing, rel=0.05)
    assert around.attrs["accepted_fraction"] > 0.9
    assert wavelet_scan(float("nan"), z.shape, periodic=True) is None


def test_the_four_densities_of_gaussian_random_fields_are_pi():
    """Periodic Gaussian random fields with a ring spectrum have pi pinwheels per Lambda^2 (Wolf & Geisel 1998):
    all four densities ei-maps analyze reports come out near pi on them (measured over five 128 x 128 maps:
    3.14 per spectral Lambda^2, 3.02 per mean local Lambda^2, raw and filtered alike)."""
    from ei_maps.analysis.orientation import orientation_field, pinwheel_stats
    from ei_maps.experiments._orientation_maps import wavelet_scan

    side, spacing = 96, 10.6
    y, x = np.mgrid[0:side, 0:side]
    counts, plateaus, areas, spectral, local = [], [], [], [], []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        z = np.zeros((side, side), complex)
        for a in range(-12, 13):
            for b in range(-12, 13):
                if abs(np.hypot(a, b) - side / spacing) < 1.0:
                    z += rng.standard_normal() * np.exp(1j * (2 * np.pi * (a * x + b * y) / side
                                                               + rng.uniform(0, 2 * np.pi)))
        pref, sel = (np.angle(z) / 2) % np.pi, np.abs(z)
        pins = pinwheel_stats(pref, selectivity=sel, periodic=True)
        zz = orientation_field(pref, sel)
        lam = pins["column_spacing"]
        filtered = filtered_pinwheel_counts(zz, lam, periodic=True)
        wavelet = wavelet_column_spacing(zz, wavelengths=wavelet_scan(lam, zz.shape, True), periodic=True)
        counts.append(pins["count"])
        plateaus.append(filtered.attrs["plateau_count"])
        areas.append(pins["area"])
        spectral.append(lam)
        local.append(wavelet.attrs["mean_spacing"])
    for c, lams in ((counts, spectral), (plateaus, spectral), (counts, local), (plateaus, local)):
        density = pooled_pinwheel_density(c, areas, lams)["density"]
        assert density == pytest.approx(np.pi, rel=0.08)

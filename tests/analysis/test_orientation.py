"""Orientation maps and pinwheels, validated on maps whose answer is known."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ei_maps.analysis.orientation import (column_spacing, find_pinwheels, map_quality,
                                          orientation_map_fields, orientation_map_gratings, pinwheel_stats,
                                          poisson_interval, random_orientation_map)
from ei_maps.models import ActivationModel
from ei_maps.stimuli.gratings import quadrature_pairs, sine_gratings


def _grid(n=12):
    return np.mgrid[0:n, 0:n].astype(float)


# ---------------------------------------------------------------- gratings
def test_gratings_are_standardized_and_follow_the_angle_convention():
    g = sine_gratings((16, 16), n_orientations=16, n_phases=8)
    assert g.dims == ("orientation", "phase", "frequency", "patch_y", "patch_x")
    assert g.shape == (16, 8, 4, 16, 16)
    np.testing.assert_allclose(g.mean(("patch_y", "patch_x")), 0, atol=1e-12)
    np.testing.assert_allclose(g.std(("patch_y", "patch_x")), 1, atol=1e-12)
    horizontal = g.isel(orientation=0, phase=1, frequency=1).values   # theta = 0: horizontal stripes
    np.testing.assert_allclose(horizontal, horizontal[:, :1] * np.ones((1, 16)), atol=1e-12)
    vertical = g.isel(orientation=8, phase=1, frequency=1).values     # theta = pi/2: vertical stripes
    np.testing.assert_allclose(vertical, vertical[:1, :] * np.ones((16, 1)), atol=1e-12)
    with pytest.raises(ValueError, match="frequencies"):
        sine_gratings(frequencies=(0.6,))


def _oriented_fields(side, theta_of_unit, freq=1 / 6, p=16):
    """A sheet whose unit (y, x) holds a cosine grating of orientation theta_of_unit[y, x]."""
    q = quadrature_pairs((p, p), n_orientations=2, frequencies=(freq,))  # only for the pixel grid
    yy = np.arange(p) - (p - 1) / 2
    fields = np.empty((side, side, p, p))
    for iy in range(side):
        for ix in range(side):
            t = theta_of_unit[iy, ix]
            fields[iy, ix] = np.cos(2 * np.pi * freq * (-yy[None, :] * np.sin(t) + yy[:, None] * np.cos(t)))
    assert q.sizes["patch_y"] == p
    return xr.DataArray(fields, dims=("unit_y", "unit_x", "patch_y", "patch_x"))


def test_field_method_recovers_known_orientations():
    rng = np.random.default_rng(0)
    theta = rng.uniform(0, np.pi, (5, 5))
    ds = orientation_map_fields(_oriented_fields(5, theta))
    err = np.abs(ds["preference"].values - theta) % np.pi
    assert np.max(np.minimum(err, np.pi - err)) < np.radians(3)
    assert ds["selectivity"].min() > 0.5
    assert ds["preference"].dims == ("unit_y", "unit_x")
    # an isotropic blob has no orientation
    yy, xx = np.mgrid[0:16, 0:16] - 7.5
    blob = np.exp(-(xx**2 + yy**2) / 8)[None, None]
    iso = orientation_map_fields(xr.DataArray(blob, dims=("unit_y", "unit_x", "patch_y", "patch_x")))
    assert float(iso["selectivity"].squeeze()) < 0.05


def test_grating_method_recovers_the_dictionary_orientation():
    # no lateral interactions, no threshold: settled response = drive / leak
    side, p = 4, 16
    rng = np.random.default_rng(1)
    theta = rng.uniform(0, np.pi, (side, side))
    fields = _oriented_fields(side, theta).values.reshape(side * side, p * p)
    fields /= np.linalg.norm(fields, axis=1, keepdims=True)
    model = ActivationModel(side=side, n_inputs=p * p, w_exc=0.0, w_inh=0.0, leak=1.0, lam=0.0, eta=0.5,
                            eps=1e-9, max_iter=200, r_exc=1, r_inh=1, dtype="float64", dictionary=fields.T)
    ds = orientation_map_gratings(model, n_orientations=16, n_phases=8)
    err = np.abs(ds["preference"].values - theta) % np.pi
    assert np.max(np.minimum(err, np.pi - err)) < np.radians(4)
    assert ds.attrs["method"] == "gratings"
    assert ds["tuning"].dims == ("unit_y", "unit_x", "orientation")


# ---------------------------------------------------------------- pinwheels
@pytest.mark.parametrize("x0, y0", [(5.3, 6.7), (4.02, 7.9), (6.5, 6.5)])
def test_single_analytic_pinwheel_is_found_where_it_is(x0, y0):
    y, x = _grid()
    z = (x - x0) + 1j * (y - y0)
    for field, charge in ((z, 0.5), (np.conj(z), -0.5)):
        found = find_pinwheels(field)
        assert found["charge"].tolist() == [charge]
        assert abs(found["y"][0] - y0) < 0.05 and abs(found["x"][0] - x0) < 0.05
        stats = pinwheel_stats((np.angle(field) / 2) % np.pi, selectivity=np.abs(field))
        assert stats["count"] == 1 and stats["charge"].tolist() == [charge]
        assert np.hypot(stats["y"][0] - y0, stats["x"][0] - x0) < 0.05
        # from the preference alone the corner angles still pin it down
        alone = pinwheel_stats((np.angle(field) / 2) % np.pi)
        assert alone["count"] == 1 and np.hypot(alone["y"][0] - y0, alone["x"][0] - x0) < 0.05


def test_uniform_and_smoothly_varying_maps_have_no_pinwheels():
    assert pinwheel_stats(np.full((20, 20), 0.3))["count"] == 0
    y, x = _grid(20)
    assert pinwheel_stats((0.05 * x + 0.02 * y) % np.pi)["count"] == 0


def test_border_plaquettes_and_masks_are_excluded():
    y, x = _grid()
    z = (x - 0.5) + 1j * (y - 5.5)  # pinwheel in the first column of plaquettes
    assert find_pinwheels(z)["charge"].size == 0
    z = (x - 5.5) + 1j * (y - 5.5)
    mask = np.ones(z.shape, bool)
    mask[5, 5] = False
    assert find_pinwheels(z, mask=mask)["charge"].size == 0
    assert find_pinwheels(z)["area"] == 9 * 9


@pytest.mark.parametrize("side, spacing", [(256, 16.0), (200, 12.5)])
def test_ring_spectrum_maps_have_density_pi(side, spacing):
    densities, spacings = [], []
    for seed in range(4):
        stats = pinwheel_stats(random_orientation_map((side, side), spacing, seed=seed))
        densities.append(stats["density"])
        spacings.append(stats["column_spacing"])
        assert stats["n_plus"] > 0 and stats["n_minus"] > 0
    assert abs(np.mean(densities) - np.pi) < 0.25, densities
    assert abs(np.mean(spacings) / spacing - 1) < 0.05, spacings


def test_periodic_maps_have_zero_total_charge():
    # plane waves with whole numbers of periods across the sheet make a torus
    n = 64
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:n, 0:n]
    z = np.zeros((n, n), complex)
    for _ in range(30):
        ky, kx = rng.integers(-6, 7, 2)
        z += np.exp(2j * np.pi * (kx * x + ky * y) / n + 2j * np.pi * rng.random())
    stats = pinwheel_stats((np.angle(z) / 2) % np.pi, periodic=True)
    assert stats["count"] > 10 and stats["n_plus"] == stats["n_minus"]
    assert stats["area"] == n * n


def test_column_spacing_of_a_plane_wave_pair():
    n = 128
    y, x = np.mgrid[0:n, 0:n]
    z = np.exp(2j * np.pi * x / 10) + np.exp(2j * np.pi * y / 10)
    spacing, spectrum = column_spacing(z)
    assert spacing == pytest.approx(10, rel=0.03)
    assert spectrum.attrs["fit_ok"] == 1 and spectrum["power"].dims == ("wavenumber",)


def test_quality_and_interval():
    assert map_quality(np.pi) == pytest.approx(1.0)
    assert map_quality(1.0) < 0.7 and map_quality(6.0) < 0.82 and map_quality(3.0) > 0.99
    lo, hi = poisson_interval(0)
    assert lo == 0 and hi == pytest.approx(3.689, abs=1e-3)
    lo, hi = poisson_interval(100)
    assert 80 < lo < 100 < hi < 122
    stats = pinwheel_stats(random_orientation_map((64, 64), 10, seed=0))
    a, b = stats["density_interval"]
    assert a < stats["density"] < b


@pytest.mark.parametrize("bad, message", [
    (np.full((10, 10), 200.0), "radians"), (np.full((10, 10), np.nan), "NaN"), (np.zeros(10), "2-D")])
def test_bad_preference_maps_are_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        pinwheel_stats(bad)


def test_public_names_are_exported_and_are_the_module_functions():
    import ei_maps.analysis as analysis
    from ei_maps.analysis import orientation, topography

    for module, name in ((orientation, "pinwheel_stats"), (orientation, "find_pinwheels"),
                         (orientation, "column_spacing"), (orientation, "orientation_map_gratings"),
                         (orientation, "orientation_map_fields"), (topography, "distance_correlation"),
                         (topography, "similarity_by_distance")):
        assert getattr(analysis, name) is getattr(module, name)
    # and one known case through the exported name: a single +1/2 vortex has one pinwheel of charge +1/2
    y, x = np.mgrid[0:21, 0:21] - 10.3
    found = analysis.find_pinwheels(np.exp(1j * np.arctan2(y, x)))  # exp(2i theta), theta = angle / 2
    assert list(found["charge"]) == [0.5]


def test_maps_without_a_spectral_peak_have_no_column_spacing():
    # smoothed white noise: the spectrum only falls from k = 0, there is no ring
    from scipy import ndimage

    rng = np.random.default_rng(0)
    z = ndimage.gaussian_filter(rng.standard_normal((128, 128)), 2, mode="wrap") + 1j * ndimage.gaussian_filter(
        rng.standard_normal((128, 128)), 2, mode="wrap")
    stats = pinwheel_stats((np.angle(z) / 2) % np.pi, periodic=True)
    assert stats["count"] > 0 and stats["spectrum"].attrs["fit_ok"] == 0
    assert np.isnan(stats["column_spacing"]) and np.isnan(stats["density"]) and np.isnan(stats["quality"])
    assert np.isfinite(stats["density_mean_wavenumber"])


def test_non_square_maps_recover_the_spacing():
    for shape in ((60, 240), (240, 60)):
        stats = pinwheel_stats(random_orientation_map(shape, 8.0, seed=2))
        assert stats["column_spacing"] == pytest.approx(8.0, rel=0.05)
        assert abs(stats["density"] - np.pi) < 0.6


def test_fill_masked_units_takes_the_neighbors_vector_mean():
    from ei_maps.analysis.orientation import fill_masked_units

    z = np.exp(2j * np.full((5, 5), 0.4))
    mask = np.ones((5, 5), bool)
    mask[2, 2] = mask[0, 0] = False
    z[~mask] = 0
    filled = fill_masked_units(z, mask)
    np.testing.assert_allclose(filled, np.exp(2j * 0.4))
    # a pinwheel stays a pinwheel when one in five sites is refilled
    yy, xx = np.mgrid[0:9, 0:9] - 4.3
    pinwheel = np.exp(1j * np.arctan2(yy, xx))
    sparse = np.ones((9, 9), bool)
    sparse[(np.add.outer(np.arange(9), 2 * np.arange(9)) % 5) == 0] = False
    refilled = fill_masked_units(np.where(sparse, pinwheel, 0), sparse)
    assert find_pinwheels(refilled)["charge"].tolist() == [0.5]
    with pytest.raises(ValueError, match="every unit"):
        fill_masked_units(z, np.zeros((5, 5), bool))

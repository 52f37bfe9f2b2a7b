"""Whole-region stimuli of the retinotopic sheet: preprocessing, the periodic sampler, orientation balance."""
from __future__ import annotations

import numpy as np
import pytest

from ei_maps.stimuli.regions import (SCENE_NAMES, RegionSampler, difference_of_gaussians, orientation_power,
                                     prepare_scenes, rotated_copies)


def _stripes(theta_deg: float, period: float = 8.0, n: int = 128) -> np.ndarray:
    """Sine stripes whose bars run at ``theta_deg`` (0 = horizontal bars)."""
    y, x = np.mgrid[0:n, 0:n].astype(float)
    t = np.deg2rad(theta_deg)
    # the wave vector is perpendicular to the bars
    return np.sin(2 * np.pi * (-np.sin(t) * x + np.cos(t) * y) / period)


@pytest.mark.parametrize("theta", [0.0, 45.0, 90.0, 112.5])
def test_orientation_power_finds_the_orientation_of_stripes(theta):
    ds = orientation_power(_stripes(theta), n_bins=8)
    np.testing.assert_allclose(float(ds["fraction"].sum()), 1.0)
    assert ds.attrs["anisotropy"] > 0.9
    best = float(ds["orientation"].values[np.argmax(ds["fraction"].values)])
    assert abs((best - theta + 90) % 180 - 90) <= 180 / 8 / 2 + 1e-9
    assert ds.attrs["peak_ratio"] > 100 and abs(ds.attrs["peak_period"] - 8.0) < 0.5


def test_orientation_power_of_noise_is_balanced():
    ds = orientation_power(np.random.default_rng(0).standard_normal((256, 256)))
    assert ds.attrs["anisotropy"] < 0.05
    assert abs(ds.attrs["cardinal_excess"] - 1.0) < 0.1
    np.testing.assert_allclose(ds["fraction"].values, 1 / 8, atol=0.02)


def test_rotated_copies_balance_a_photograph():
    """Eight rotations even out the bundled scenes' orientations (mean anisotropy measured 0.062 -> 0.008;
    the horizontal bin holds 16% of the power unrotated, 13% rotated: 1/8 is balanced)."""
    def mean_anisotropy(images):
        fr = np.mean([orientation_power(im)["fraction"].values for im in images], axis=0)
        theta = np.deg2rad((np.arange(8) + 0.5) * 22.5)
        return float(np.abs(np.sum(fr * np.exp(2j * theta))))

    assert mean_anisotropy(prepare_scenes(rotations=1)) > 0.04
    assert mean_anisotropy(prepare_scenes(rotations=8)) < 0.015
    copies = rotated_copies(np.random.default_rng(0).standard_normal((100, 80)), 3)
    assert [c.shape for c in copies] == [(80, 80), (56, 56), (56, 56)]


def test_scene_choice_excludes_periodic_and_oriented_images():
    from ei_maps.stimuli.images import BUNDLED_NAMES

    powers = dict(zip(BUNDLED_NAMES, (orientation_power(im) for im in prepare_scenes(names=None))))
    for name, ds in powers.items():
        chosen = ds.attrs["peak_ratio"] < 40 and ds.attrs["anisotropy"] < 0.2
        assert chosen == (name in SCENE_NAMES), (name, ds.attrs["peak_ratio"], ds.attrs["anisotropy"])


def test_filters():
    raw = prepare_scenes(filter="dog", names=("chelsea",))
    onoff = prepare_scenes(filter="onoff", names=("chelsea",))
    assert raw[0].ndim == 2 and onoff[0].shape == (2, *raw[0].shape)
    assert np.all(onoff[0] >= 0) and np.all(onoff[0][0] * onoff[0][1] == 0)
    np.testing.assert_allclose(np.mean(raw[0] ** 2), 0.1)
    # a DoG is band-pass: it removes the mean and the finest grain
    img = np.random.default_rng(0).standard_normal((64, 64))
    out = difference_of_gaussians(img, 1.0, 3.0)
    assert abs(out.mean()) < 1e-12
    f = np.abs(np.fft.fft2(out)) / np.maximum(np.abs(np.fft.fft2(img - img.mean())), 1e-12)
    assert f[0, 8] > f[0, 1] and f[0, 8] > f[0, 32]
    with pytest.raises(ValueError, match="narrower than its surround"):
        difference_of_gaussians(img, 3.0, 1.0)
    with pytest.raises(ValueError, match="filter must be one of"):
        prepare_scenes(filter="sharpen")
    with pytest.raises(ValueError, match="unknown bundled image"):
        prepare_scenes(names=("lena",))


def test_region_sampler_standardizes_rolls_and_resumes():
    images = [np.random.default_rng(k).standard_normal((50, 60)) for k in range(3)]
    s = RegionSampler(images, 20, seed=4)
    x = s.sample(9)
    assert x.shape == (9, 400) and x.dtype == np.float32
    np.testing.assert_allclose(x.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=1), 1, atol=1e-4)
    state = s.get_state()
    a = s.sample(4)
    s.set_state(state)
    np.testing.assert_array_equal(a, s.sample(4))
    onoff = RegionSampler([np.abs(np.random.default_rng(0).standard_normal((2, 30, 30)))], 10, seed=0).sample(3)
    assert onoff.shape == (3, 200) and np.all(onoff >= 0)
    np.testing.assert_allclose(np.mean(onoff**2, axis=1), 1, rtol=1e-5)


def test_the_seam_falls_anywhere():
    """With roll, the place of the region's seam is uniform over the sheet; without, it is always at 0."""
    ramp = np.tile(np.arange(40.0), (40, 1))  # the seam of a region of a ramp is where it jumps back
    for roll, expect_uniform in ((True, True), (False, False)):
        s = RegionSampler([ramp], 16, seed=1, roll=roll)
        x = s.sample(2000).reshape(-1, 16, 16)
        jump = np.argmin(np.diff(x[:, 0, :], axis=1, append=x[:, 0, :1]), axis=1)
        counts = np.bincount(jump, minlength=16)
        if expect_uniform:
            assert counts.min() > 0.6 * counts.mean()
        else:
            assert counts[15] == 2000


def test_region_sampler_refuses_bad_input():
    img = np.zeros((30, 30))
    img[0, 0] = 1
    with pytest.raises(ValueError, match="smaller than the 40 x 40 region"):
        RegionSampler([img], 40)
    with pytest.raises(ValueError, match="region must be an integer"):
        RegionSampler([img], 1)
    with pytest.raises(ValueError, match="at least one image"):
        RegionSampler([], 8)
    with pytest.raises(ValueError, match="NaN or inf"):
        RegionSampler([np.full((20, 20), np.nan)], 8)
    with pytest.raises(ValueError, match="expected"):
        RegionSampler([img, np.zeros((2, 30, 30))], 8)
    with pytest.raises(ValueError, match="batch must be"):
        RegionSampler([img], 8).sample(0)

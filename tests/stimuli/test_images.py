"""Tests of ei_maps.stimuli.images: whitening, bundled data, loaders, patch sampling."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import scipy.io

from ei_maps.stimuli import (
    PatchSampler,
    bundled_images,
    extract_patch,
    find_edge_path,
    load_image_folder,
    load_images,
    load_images_mat,
    whiten,
)
from ei_maps.stimuli import images as images_mod


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test gets an empty cache dir and an empty in-process cache."""
    monkeypatch.setenv("EI_MAPS_CACHE", str(tmp_path / "cache"))
    images_mod._bundled_cached.cache_clear()
    yield
    images_mod._bundled_cached.cache_clear()


def _radial_freq(shape):
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.fftfreq(shape[1])[None, :]
    return np.hypot(fy, fx)


def _band_power(img, lo, hi):
    """Mean spectral power of ``img`` over lo <= |f| < hi (cycles/pixel)."""
    power = np.abs(np.fft.fft2(img)) ** 2
    rho = _radial_freq(img.shape)
    return power[(rho >= lo) & (rho < hi)].mean()


def _write_png(path, array):
    from skimage.io import imsave

    imsave(str(path), array, check_contrast=False)


# --------------------------------------------------------------------------
# whitening


def test_whitened_noise_has_the_filter_spectrum():
    noise = np.random.default_rng(0).standard_normal((256, 256))
    w = whiten(noise)
    rho = _radial_freq(w.shape)
    r2 = (rho * np.exp(-((rho / 0.4) ** 4))) ** 2
    low, mid = (0.04, 0.08), (0.20, 0.25)
    # white noise has a flat expected spectrum, so the output power follows R(f)^2
    expected = (r2[(rho >= low[0]) & (rho < low[1])].mean()
                / r2[(rho >= mid[0]) & (rho < mid[1])].mean())
    measured = _band_power(w, *low) / _band_power(w, *mid)
    assert measured == pytest.approx(expected, rel=0.06)


def test_whiten_variance_mean_and_dc():
    img = np.random.default_rng(1).uniform(3, 5, (64, 96))  # non-square, large offset
    w = whiten(img)
    assert w.shape == img.shape and w.dtype == np.float64
    assert w.var() == pytest.approx(0.1, rel=1e-12)
    assert abs(w.mean()) < 1e-12
    assert abs(np.fft.fft2(w)[0, 0]) < 1e-9
    assert whiten(img, variance=2.0).var() == pytest.approx(2.0, rel=1e-12)


def test_f0_sets_the_high_frequency_cutoff():
    noise = np.random.default_rng(2).standard_normal((128, 128))

    def high_fraction(f0):
        w = whiten(noise, f0=f0)
        return _band_power(w, 0.3, 0.5) / _band_power(w, 0.1, 0.2)

    assert high_fraction(0.2) < 0.1 * high_fraction(0.4)
    assert high_fraction(0.4) > 0.5


def test_natural_image_spectrum_is_flattened():
    import skimage.data

    cam = skimage.data.camera().astype(float)

    def tilt(img):
        return _band_power(img, 0.04, 0.06) / _band_power(img, 0.28, 0.32)

    before, after = tilt(cam - cam.mean()), tilt(whiten(cam))
    assert before > 20
    assert after < before / 10


@pytest.mark.parametrize("bad, message", [
    (np.ones((8, 8)), "constant"),
    (np.full((8, 8), np.nan), "NaN"),
    (np.zeros((4, 4, 3)), "2-D"),
])
def test_whiten_rejects_bad_images(bad, message):
    with pytest.raises(ValueError, match=message):
        whiten(bad)


def test_whiten_rejects_bad_f0():
    with pytest.raises(ValueError, match="f0"):
        whiten(np.eye(8), f0=0)


# --------------------------------------------------------------------------
# bundled images and their cache


def test_bundled_images_are_whitened_squares_and_cached(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    images = bundled_images()
    assert len(images) >= 8
    for img in images:
        assert img.ndim == 2 and img.shape[0] == img.shape[1] >= 256
        assert np.all(np.isfinite(img))
        assert img.var() == pytest.approx(0.1, rel=1e-9)
    files = os.listdir(cache)
    assert files == ["bundled_images_f00.4.npz"]  # no temp files left behind

    # a fresh process (empty lru cache) must read the file, not recompute
    images_mod._bundled_cached.cache_clear()

    def fail(f0):
        raise AssertionError("recomputed instead of reading the cache")

    monkeypatch.setattr(images_mod, "_prepare_bundled", fail)
    again = bundled_images()
    assert len(again) == len(images)
    for a, b in zip(images, again):
        np.testing.assert_array_equal(a, b)


def test_bundled_images_in_memory_cache_and_read_only():
    a, b = bundled_images(), bundled_images()
    assert a[0] is b[0]
    with pytest.raises(ValueError):
        a[0][0, 0] = 1.0


def test_corrupt_cache_is_recomputed(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "bundled_images_f00.4.npz").write_bytes(b"not a zip file")
    images = bundled_images()
    assert len(images) >= 8
    images_mod._bundled_cached.cache_clear()
    np.testing.assert_array_equal(bundled_images()[0], images[0])


def test_unwritable_cache_dir_only_recomputes(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    monkeypatch.setenv("EI_MAPS_CACHE", str(blocker / "cache"))  # cannot mkdir under a file
    with pytest.warns(RuntimeWarning, match="could not write"):
        images = bundled_images(f0=0.3)
    assert len(images) >= 8


def test_load_images_none_is_bundled():
    assert load_images(None)[0] is bundled_images()[0]
    raw = load_images(None, whiten_images=False)
    assert abs(raw[0].mean()) < 1e-12 and 0 < raw[0].std() < 0.5


# --------------------------------------------------------------------------
# loaders


def test_images_mat_round_trip(tmp_path):
    data = np.random.default_rng(3).standard_normal((64, 48, 3))
    path = tmp_path / "IMAGES.mat"
    scipy.io.savemat(path, {"IMAGES": data})
    images = load_images_mat(path)
    assert len(images) == 3
    for i, img in enumerate(images):
        assert img.dtype == np.float64
        np.testing.assert_array_equal(img, data[:, :, i])
    # dispatch through load_images, whitening flag ignored for .mat
    np.testing.assert_array_equal(load_images(str(path), whiten_images=True)[1], data[:, :, 1])


def test_images_mat_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.mat"):
        load_images_mat(tmp_path / "nope.mat")
    garbage = tmp_path / "garbage.mat"
    garbage.write_bytes(b"\x00\x01 definitely not matlab" * 10)
    with pytest.raises(ValueError, match="garbage.mat"):
        load_images_mat(garbage)
    other = tmp_path / "other.mat"
    scipy.io.savemat(other, {"X": np.zeros((4, 4, 2))})
    with pytest.raises(ValueError, match=r"other\.mat.*no variable 'IMAGES'.*X"):
        load_images_mat(other)
    flat = tmp_path / "flat.mat"
    scipy.io.savemat(flat, {"IMAGES": np.ones((4, 4))})
    with pytest.raises(ValueError, match="3-D"):
        load_images_mat(flat)


def test_nan_image_is_rejected_naming_it(tmp_path):
    data = np.random.default_rng(4).standard_normal((16, 16, 3))
    data[5, 5, 2] = np.nan
    path = tmp_path / "IMAGES.mat"
    scipy.io.savemat(path, {"IMAGES": data})
    with pytest.raises(ValueError, match=r"IMAGES\[:, :, 2\].*NaN"):
        load_images(path)


def test_constant_image_is_rejected(tmp_path):
    data = np.random.default_rng(4).standard_normal((16, 16, 2))
    data[:, :, 1] = 0.5
    path = tmp_path / "IMAGES.mat"
    scipy.io.savemat(path, {"IMAGES": data})
    with pytest.raises(ValueError, match=r"IMAGES\[:, :, 1\].*constant"):
        load_images_mat(path)


def test_image_folder(tmp_path):
    rng = np.random.default_rng(5)
    grey = rng.integers(0, 256, (40, 60), dtype=np.uint8)
    rgba = rng.integers(0, 256, (50, 50, 4), dtype=np.uint8)
    _write_png(tmp_path / "a.png", grey)
    _write_png(tmp_path / "b.PNG", rgba)  # upper-case extension
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "sub").mkdir()
    _write_png(tmp_path / "sub" / "c.png", grey)  # not recursive

    images = load_image_folder(tmp_path)
    assert [im.shape for im in images] == [(40, 40), (50, 50)]
    for im in images:
        assert im.var() == pytest.approx(0.1, rel=1e-9)

    raw = load_image_folder(tmp_path, whiten_images=False)
    expected = grey[:, 10:50] / 255.0  # centered square crop, scaled to [0, 1]
    np.testing.assert_allclose(raw[0], expected - expected.mean(), atol=1e-12)
    assert abs(raw[1].mean()) < 1e-12

    via_spec = load_images(tmp_path)
    np.testing.assert_array_equal(via_spec[0], images[0])


# imageio tries its deprecated plugins on the garbage file before giving up
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        load_image_folder(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="is empty"):
        load_image_folder(empty)
    (empty / "readme.txt").write_text("no images here")
    with pytest.raises(ValueError, match="holds 1 entries but no image files"):
        load_image_folder(empty)
    broken = tmp_path / "broken"
    broken.mkdir()
    _write_png(broken / "good.png", np.arange(64, dtype=np.uint8).reshape(8, 8))
    (broken / "bad.png").write_bytes(b"\x89PNG garbage bytes, not an image")
    with pytest.raises(ValueError, match="bad.png"):
        load_image_folder(broken)


def test_load_images_rejects_other_sources(tmp_path):
    txt = tmp_path / "images.txt"
    txt.write_text("x")
    with pytest.raises(ValueError, match=r"images\.txt.*unsupported"):
        load_images(txt)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_images(tmp_path / "nowhere")


# --------------------------------------------------------------------------
# patch sampler


def _images(seed=6, shapes=((40, 40), (32, 50), (20, 20))):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def test_sampler_shapes_dtype_and_standardization():
    sampler = PatchSampler(_images(), patch_size=8, seed=0)
    assert sampler.n_inputs == 64
    x = sampler.sample(128)
    assert x.shape == (128, 64) and x.dtype == np.float32
    np.testing.assert_allclose(x.mean(axis=1), 0, atol=1e-6)
    np.testing.assert_allclose(x.std(axis=1), 1, atol=1e-5)
    x64 = PatchSampler(_images(), patch_size=8, dtype="float64").sample(3)
    assert x64.dtype == np.float64


def test_sampler_patches_come_from_the_images():
    img = np.arange(100.0).reshape(10, 10) ** 1.5  # every patch distinct
    sampler = PatchSampler([img], patch_size=3, seed=1)
    patches = sampler.sample(50)
    allowed = np.stack([extract_patch(img, y, x, 3, dtype="float32")
                        for y in range(8) for x in range(8)])
    for row in patches:
        assert np.abs(allowed - row).max(axis=1).min() < 1e-5


def test_sampler_uses_images_equally_and_all_positions():
    # two images with distinguishable content: a ramp along y vs along x
    a = np.tile(np.arange(12.0)[:, None], (1, 12))
    b = np.tile(np.arange(30.0)[None, :], (30, 1))
    sampler = PatchSampler([a, b], patch_size=2, seed=3)
    x = sampler.sample(4000)
    from_a = np.isclose(x[:, 0], x[:, 1])  # a is constant along a row
    assert 0.45 < from_a.mean() < 0.55


def test_sampler_reproducible_and_seed_dependent():
    a = PatchSampler(_images(), patch_size=8, seed=42).sample(16)
    b = PatchSampler(_images(), patch_size=8, seed=42).sample(16)
    c = PatchSampler(_images(), patch_size=8, seed=43).sample(16)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sampler_state_round_trip_through_json():
    sampler = PatchSampler(_images(), patch_size=8, seed=7)
    sampler.sample(10)
    state = json.loads(json.dumps(sampler.get_state()))
    expected = sampler.sample(32)
    resumed = PatchSampler(_images(), patch_size=8, seed=999)
    resumed.set_state(state)
    np.testing.assert_array_equal(resumed.sample(32), expected)
    with pytest.raises(ValueError, match="state"):
        resumed.set_state({"bit_generator": "MT19937"})


def test_flat_patches_are_redrawn():
    img = np.zeros((32, 32))
    img[:, 16:] = np.random.default_rng(8).standard_normal((32, 16))  # left half constant
    sampler = PatchSampler([img], patch_size=8, seed=0)
    x = sampler.sample(500)
    assert np.all(np.isfinite(x))
    np.testing.assert_allclose(x.std(axis=1), 1, atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(images=[]), "empty"),
    (dict(images=[np.eye(20)], patch_size=0), "patch_size"),
    (dict(images=[np.eye(20)], patch_size=4.0), "patch_size"),
    (dict(images=[np.eye(20), np.eye(20)[:10]], patch_size=16), r"image 1 of shape \(10, 20\)"),
    (dict(images=[np.eye(20), np.full((20, 20), np.nan)], patch_size=4), "image 1.*NaN"),
    (dict(images=[np.eye(20)], dtype="int32"), "dtype"),
])
def test_sampler_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PatchSampler(**kwargs)


def test_image_smaller_than_patch_from_a_loader(tmp_path):
    path = tmp_path / "IMAGES.mat"
    scipy.io.savemat(path, {"IMAGES": np.random.default_rng(9).standard_normal((12, 12, 2))})
    with pytest.raises(ValueError, match=r"image 0 of shape \(12, 12\) is smaller"):
        PatchSampler(load_images(path), patch_size=16)


@pytest.mark.parametrize("batch", [0, -1, 2.5])
def test_sample_rejects_bad_batch(batch):
    with pytest.raises(ValueError, match="batch"):
        PatchSampler(_images(), patch_size=4).sample(batch)


def test_extract_patch():
    img = np.random.default_rng(10).standard_normal((20, 30))
    p = extract_patch(img, 3, 7, 5, dtype="float64")
    raw = img[3:8, 7:12].ravel()
    np.testing.assert_allclose(p, (raw - raw.mean()) / raw.std())
    with pytest.raises(ValueError, match="does not fit"):
        extract_patch(img, 16, 0, 5)
    with pytest.raises(ValueError, match="flat"):
        extract_patch(np.zeros((8, 8)), 0, 0, 4)


# --------------------------------------------------------------------------
# a path across an edge


def _edge_offsets(positions, p, edge_col):
    """Column of the edge inside each patch (must lie strictly inside)."""
    return [edge_col - x for _, x in positions]


@pytest.mark.parametrize("whitened", [False, True])
def test_find_edge_path_crosses_a_vertical_edge(whitened):
    rng = np.random.default_rng(11)
    img = np.zeros((96, 96))
    img[:, 50:] = 1.0  # the edge lies between columns 49 and 50
    img += 0.01 * rng.standard_normal(img.shape)
    if whitened:
        img = whiten(img)
    p, n = 16, 8
    pos = find_edge_path(img, p, n_frames=n, step=1)
    assert len(pos) == n and all(isinstance(v, int) for yx in pos for v in yx)
    ys, xs = np.array(pos).T
    assert np.ptp(ys) <= 1  # moves across (horizontally), not along the edge
    assert np.array_equal(np.diff(xs), np.ones(n - 1))
    offsets = _edge_offsets(pos, p, 50)
    assert 0 < offsets[-1] < offsets[0] < p  # inside the first and last patch, shifted
    assert abs((offsets[0] + offsets[-1]) / 2 - p / 2) <= 1.5  # centered on the edge
    for y, x in pos:
        assert 0 <= y <= 96 - p and 0 <= x <= 96 - p
        extract_patch(img, y, x, p)
    assert find_edge_path(img, p, n_frames=n) == pos  # deterministic


def test_find_edge_path_diagonal_edge_and_step():
    yy, xx = np.mgrid[:80, :80]
    img = (yy + xx > 80).astype(float)
    pos = find_edge_path(img, 12, n_frames=5, step=2)
    d = np.diff(np.array(pos), axis=0)
    # perpendicular to an anti-diagonal edge: both coordinates increase together
    assert np.all(d == 2)
    centers = np.array(pos) + 5.5
    side = centers.sum(axis=1) - 80
    assert side[0] < 0 < side[-1]


def test_find_edge_path_errors():
    with pytest.raises(ValueError, match="too small"):
        find_edge_path(np.eye(20), 16, n_frames=8)
    with pytest.raises(ValueError, match="constant"):
        find_edge_path(np.ones((64, 64)), 16)
    with pytest.raises(ValueError, match="n_frames"):
        find_edge_path(np.eye(64), 16, n_frames=0)


def test_find_edge_path_on_a_bundled_image():
    img = bundled_images()[0]
    pos = find_edge_path(img, 16)
    assert len(pos) == 8
    for y, x in pos:
        assert np.all(np.isfinite(extract_patch(img, y, x, 16)))


def test_find_edge_path_along_keeps_the_edge_in_place():
    img = np.zeros((96, 96))
    img[:, 50:] = 1.0  # a vertical edge between columns 49 and 50
    path = find_edge_path(img, 16, n_frames=6, step=2, direction="along")
    ys = [y for y, _ in path]
    xs = [x for _, x in path]
    assert len(set(xs)) == 1 and xs[0] <= 49 < xs[0] + 16  # same column, edge inside the patch
    assert np.all(np.abs(np.diff(ys)) == 2)
    with pytest.raises(ValueError, match="direction"):
        find_edge_path(img, 16, direction="diagonal")

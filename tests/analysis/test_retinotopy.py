"""Receptive-field centres of a retinotopic sheet: known positions, scatter, smoothness, magnification."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ei_maps.analysis.retinotopy import receptive_field_centers
from ei_maps.models.retinotopic import window_origins


def _fields(offsets_y, offsets_x, window=9, region=24, channels=False):
    """Gaussian blobs at the given offsets (pixels) from each window's centre."""
    side = offsets_y.shape[0]
    p = np.arange(window) - (window - 1) / 2
    blob = np.exp(-((p[None, None, :, None] - offsets_y[..., None, None]) ** 2
                    + (p[None, None, None, :] - offsets_x[..., None, None]) ** 2) / 2.0)
    o = window_origins(side, region, window)
    dims = ("unit_y", "unit_x", "patch_y", "patch_x")
    if channels:  # ON and OFF halves of the same blob add their energies
        blob = np.stack([0.6 * blob, 0.8 * blob], axis=2)
        dims = ("unit_y", "unit_x", "channel", "patch_y", "patch_x")
    return xr.DataArray(np.sqrt(blob), dims=dims,
                        coords={"window_origin_y": ("unit_y", o), "window_origin_x": ("unit_x", o)})


@pytest.mark.parametrize("channels", [False, True])
def test_centres_offsets_and_scatter(channels):
    rng = np.random.default_rng(0)
    oy, ox = rng.uniform(-2, 2, (2, 24, 24))
    ds = receptive_field_centers(_fields(oy, ox, channels=channels), region=24)
    # the energy centroid of a blob well inside the window is the blob's centre (to truncation at the edge)
    np.testing.assert_allclose(ds["offset_y"], oy, atol=0.05)
    np.testing.assert_allclose(ds["offset_x"], ox, atol=0.05)
    expected_y = (window_origins(24, 24, 9)[:, None] + 4 + oy) % 24
    np.testing.assert_allclose(ds["center_y"], expected_y, atol=0.05)
    assert ds.attrs["scatter"] == pytest.approx(np.sqrt(np.mean(oy**2 + ox**2)), rel=0.03)
    # independent jitter: neighbours' offsets are uncorrelated
    assert abs(ds.attrs["smoothness_y"]) < 0.15 and abs(ds.attrs["smoothness_x"]) < 0.15
    assert ds.attrs["magnification_y"] == pytest.approx(1.0) and ds.attrs["magnification_x"] == pytest.approx(1.0)
    assert ds["center_y"].attrs["units"] == "pixel"


def test_smooth_offsets_and_magnification():
    """Offsets that vary slowly over the sheet correlate between neighbours; two units per pixel give M = 2."""
    i = np.arange(24)
    oy = 1.5 * np.sin(2 * np.pi * i / 24)[:, None] * np.ones((1, 24))
    ox = 1.5 * np.cos(2 * np.pi * i / 24)[None, :] * np.ones((24, 1))
    ds = receptive_field_centers(_fields(oy, ox, region=12), region=12)
    assert ds.attrs["smoothness_y"] > 0.9 and ds.attrs["smoothness_x"] > 0.9
    assert ds.attrs["magnification_y"] == pytest.approx(2.0) and ds.attrs["magnification_x"] == pytest.approx(2.0)
    # energy exp(-r^2 / 2): a 2-D Gaussian of std 1 per axis, RMS radius sqrt(2)
    assert ds.attrs["size_median"] == pytest.approx(np.sqrt(2), rel=0.05)


def test_bad_input():
    f = _fields(np.zeros((6, 6)), np.zeros((6, 6)), region=6, window=3)
    with pytest.raises(ValueError, match="window_origin_y"):
        receptive_field_centers(f.drop_vars("window_origin_y"), 6)
    with pytest.raises(ValueError, match="region must be an integer"):
        receptive_field_centers(f, 1.5)
    with pytest.raises(ValueError, match="need the dims"):
        receptive_field_centers(f.rename(patch_y="py"), 6)

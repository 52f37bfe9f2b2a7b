"""Topography measures on maps with known structure."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ei_maps.analysis.orientation import random_orientation_map
from ei_maps.analysis.topography import (distance_correlation, neighbor_orientation_difference,
                                         neighbor_similarity, orientation_difference, similarity_by_distance)


def _smooth_features(side=20, n_features=6, seed=0):
    """Features that vary smoothly across the sheet (low-frequency sinusoids)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side]
    feats = [np.cos(2 * np.pi * (rng.uniform(-1, 1) * x + rng.uniform(-1, 1) * y) / side + rng.uniform(0, 6))
             for _ in range(n_features)]
    return xr.DataArray(np.stack(feats, axis=-1) + 0.1 * rng.standard_normal((side, side, n_features)),
                        dims=("unit_y", "unit_x", "feature"))


def test_orientation_difference_is_circular():
    assert orientation_difference(0.1, np.pi - 0.1) == pytest.approx(0.2)
    assert orientation_difference(0.0, np.pi / 2) == pytest.approx(np.pi / 2)


def test_neighbor_orientation_difference_known_cases():
    rng = np.random.default_rng(0)
    assert neighbor_orientation_difference(rng.uniform(0, np.pi, (60, 60))) == pytest.approx(45, abs=1.5)
    assert neighbor_orientation_difference(np.full((10, 10), 1.0)) == 0
    x = np.tile(np.arange(10) * 0.1, (10, 1))  # 0.1 rad per column, constant down columns
    assert neighbor_orientation_difference(x) == pytest.approx(np.degrees(0.1) * 90 / 180, rel=1e-9)
    smooth = random_orientation_map((40, 40), 12, seed=1)
    assert neighbor_orientation_difference(smooth) < 20


def test_similarity_by_distance_is_flat_for_random_and_falls_for_smooth_maps():
    rng = np.random.default_rng(1)
    random = xr.DataArray(rng.standard_normal((16, 16, 8)), dims=("unit_y", "unit_x", "feature"))
    flat = similarity_by_distance(random, metric="abs_cosine")
    assert np.all(np.abs(flat.values - 1) < 0.1)
    curve = similarity_by_distance(_smooth_features(), metric="cosine")
    assert curve.dims == ("distance",) and curve["distance"].values[0] == 1
    assert curve.sel(distance=1.0) > 1.5
    assert curve.values[0] > curve.values[5]
    assert curve.attrs["baseline"] < curve["raw_similarity"].values[0]


def test_distance_correlation_and_mantel_test():
    smooth = distance_correlation(_smooth_features(), metric="cosine", n_permutations=99)
    assert smooth["spearman"] > 0.3 and smooth["mantel_p"] <= 0.01
    rng = np.random.default_rng(2)
    noise = xr.DataArray(rng.standard_normal((12, 12, 6)), dims=("unit_y", "unit_x", "feature"))
    null = distance_correlation(noise, metric="cosine", n_permutations=99)
    assert abs(float(null["spearman"])) < 0.05 and null["mantel_p"] > 0.05
    with pytest.raises(ValueError, match="metric"):
        distance_correlation(noise, metric="manhattan")
    with pytest.raises(ValueError, match="unit_y"):
        distance_correlation(xr.DataArray(np.zeros((3, 3, 2)), dims=("a", "b", "c")))


def test_periodic_distances_wrap():
    # a feature that is periodic on the torus: units at opposite edges are neighbors
    side = 16
    x = np.tile(np.arange(side), (side, 1))
    feat = np.stack([np.cos(2 * np.pi * x / side), np.sin(2 * np.pi * x / side)], axis=-1)
    da = xr.DataArray(feat, dims=("unit_y", "unit_x", "feature"))
    torus = distance_correlation(da, metric="cosine", periodic=True, n_permutations=19)
    flat = distance_correlation(da, metric="cosine", periodic=False, n_permutations=19)
    assert torus["spearman"] > flat["spearman"] + 0.1


def test_neighbor_similarity_contrast():
    fields = xr.DataArray(_smooth_features(n_features=16).values.reshape(20, 20, 4, 4),
                          dims=("unit_y", "unit_x", "patch_y", "patch_x"))
    sim = neighbor_similarity(fields)
    assert sim["adjacent"] > 2 * sim["random"]


def test_published_dictionary_neighbor_similarity(published_dictionary):
    # the issue quotes about 0.89 for adjacent units against 0.08 for random pairs
    from ei_maps.analysis import as_fields

    sim = neighbor_similarity(as_fields(published_dictionary, 40))
    assert sim["adjacent"] == pytest.approx(0.89, abs=0.01)
    assert sim["random"] == pytest.approx(0.08, abs=0.01)


def test_degenerate_inputs_give_nan_or_clear_errors():
    constant = xr.DataArray(np.ones((6, 6, 3)), dims=("unit_y", "unit_x", "feature"))
    result = distance_correlation(constant, metric="cosine", n_permutations=9)
    assert np.isnan(result["spearman"]) and np.isnan(result["mantel_p"])
    rng = np.random.default_rng(0)
    noise = xr.DataArray(rng.standard_normal((12, 12, 5)), dims=("unit_y", "unit_x", "feature"))
    with pytest.raises(ValueError, match="baseline"):
        similarity_by_distance(noise, metric="correlation")


def test_mask_leaves_out_units_and_their_pairs():
    from ei_maps.analysis.topography import neighbor_orientation_difference, neighbor_similarity

    rng = np.random.default_rng(0)
    base = rng.standard_normal(16)
    fields = np.tile(base, (6, 6, 1)).reshape(6, 6, 4, 4)  # every unit has the same field ...
    mask = np.ones((6, 6), bool)
    mask[::2, ::2] = False
    fields[~mask] = rng.standard_normal((int((~mask).sum()), 4, 4))  # ... except the masked-out ones
    da = xr.DataArray(fields, dims=("unit_y", "unit_x", "patch_y", "patch_x"))
    sim = neighbor_similarity(da, mask=mask)
    assert float(sim["adjacent"]) == pytest.approx(1.0) and float(sim["random"]) == pytest.approx(1.0)
    assert float(neighbor_similarity(da)["adjacent"]) < 0.9
    pref = np.where(mask, 0.3, 1.5)
    assert neighbor_orientation_difference(pref, mask=mask) == pytest.approx(0.0)
    assert neighbor_orientation_difference(pref) > 10
    with pytest.raises(ValueError, match="shape"):
        neighbor_similarity(da, mask=np.ones((5, 6), bool))

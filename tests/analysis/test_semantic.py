"""Semantic measures of word maps on synthetic maps whose organization is known."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ei_maps.analysis.semantic import (WORD_GROUPS, _trustworthiness, distortion, group_activation,
                                       map_trustworthiness, preferred_words, principal_component_colors,
                                       region_words, semantic_neighbor_similarity, word_positions)

SIDE, N_WORDS = 12, 300


def _word_map(shuffle=False, periodic=False, seed=0):
    """Words with a hidden position on a 12 x 12 sheet.

    Embeddings are 20 cos/sin features of the position (wavelength twice the
    sheet, or the sheet itself on a torus, so embedding distance grows with
    distance on the sheet); each word's pattern is a Gaussian bump (sigma 1
    unit, small values cut to 0) at its position. ``shuffle`` hands the
    patterns to random words: a map with no semantic order.
    """
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, SIDE, (N_WORDS, 2)) if periodic else rng.uniform(0.5, SIDE - 1.5, (N_WORDS, 2))
    if periodic:  # integer wave vectors are periodic on the sheet
        wave = np.array([[1, 0], [0, 1], [1, 1], [1, -1], [2, 0], [0, 2], [2, 1], [1, 2], [2, -1], [1, -2]])
        wave = wave * 2 * np.pi / SIDE
    else:
        angle = rng.uniform(0, np.pi, 10)
        wave = np.stack([np.cos(angle), np.sin(angle)], axis=1) * 2 * np.pi / (2 * SIDE)
    phase = pos @ wave.T
    emb = np.concatenate([np.cos(phase), np.sin(phase)], axis=1) + 0.05 * rng.standard_normal((N_WORDS, 20))
    emb -= emb.mean(axis=0)
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    dy = np.abs(y[None] - pos[:, 0, None, None])
    dx = np.abs(x[None] - pos[:, 1, None, None])
    if periodic:
        dy, dx = np.minimum(dy, SIDE - dy), np.minimum(dx, SIDE - dx)
    act = np.exp(-(dy**2 + dx**2) / 2)
    act[act < 0.05] = 0
    if shuffle:
        act = act[rng.permutation(N_WORDS)]
    words = [f"w{i:03d}" for i in range(N_WORDS)]
    activations = xr.DataArray(act.astype(np.float32), dims=("word", "unit_y", "unit_x"), coords={"word": words})
    embeddings = xr.DataArray(emb.astype(np.float32), dims=("word", "embedding_dim"), coords={"word": words})
    return activations, embeddings, pos


@pytest.fixture(scope="module")
def topographic():
    return _word_map()


@pytest.fixture(scope="module")
def shuffled():
    return _word_map(shuffle=True)


def _same_word_fraction(activations):
    """Fraction of adjacent (non-periodic) unit pairs that prefer the same word."""
    best = preferred_words(activations, k=1)["word"].values[..., 0]
    same = np.concatenate([(best[1:] == best[:-1]).ravel(), (best[:, 1:] == best[:, :-1]).ravel()])
    return same.mean()


def test_topographic_map_is_semantically_ordered(topographic):
    activations, embeddings, pos = topographic
    sim = semantic_neighbor_similarity(activations, embeddings)
    assert float(sim["adjacent"]) > 0.9
    assert abs(float(sim["random"])) < 0.05
    assert sim.attrs["n_units"] == SIDE * SIDE and sim.attrs["n_adjacent_pairs"] == 2 * SIDE * (SIDE - 1)
    positions = word_positions(activations)
    assert positions.dims == ("word", "coord") and list(positions["coord"].values) == ["y", "x"]
    assert np.max(np.abs(positions.values - pos)) < 0.25
    assert map_trustworthiness(activations, embeddings) > 0.99


def test_shuffled_map_has_no_semantic_order(shuffled):
    activations, embeddings, _ = shuffled
    sim = semantic_neighbor_similarity(activations, embeddings)
    # adjacent units that share a preferred word score 1; all other pairs are
    # random words, so adjacent = f + (1 - f) * random
    f = _same_word_fraction(activations)
    assert 0 < f < 0.2
    expected = f + (1 - f) * float(sim["random"])
    assert float(sim["adjacent"]) == pytest.approx(expected, abs=0.04)
    assert abs(float(sim["random"])) < 0.05
    assert map_trustworthiness(activations, embeddings) == pytest.approx(0.5, abs=0.03)


def test_map_trustworthiness_equals_sklearn_without_wraparound(topographic, shuffled):
    manifold = pytest.importorskip("sklearn.manifold")
    for activations, embeddings, _ in (topographic, shuffled):
        positions = word_positions(activations).values
        for k in (1, 5, 10):
            ours = map_trustworthiness(activations, embeddings, n_neighbors=k)
            theirs = manifold.trustworthiness(embeddings.values.astype(float), positions, n_neighbors=k)
            assert ours == pytest.approx(theirs, abs=1e-12)
    rng = np.random.default_rng(3)
    high, low = rng.standard_normal((80, 7)), rng.standard_normal((80, 2))
    from scipy.spatial.distance import cdist

    assert _trustworthiness(cdist(high, high), cdist(low, low), 6) == pytest.approx(
        manifold.trustworthiness(high, low, n_neighbors=6), abs=1e-12)


def test_map_trustworthiness_subset_and_periodic_distance():
    activations, embeddings, _ = _word_map(periodic=True)
    # words near opposite edges are embedding neighbors only round the torus (measured: 0.9988 vs 0.9964;
    # the 0.001 margin is a regression pin on that measurement, not an analytic bound)
    periodic = map_trustworthiness(activations, embeddings, boundary="periodic")
    flat = map_trustworthiness(activations, embeddings, boundary="zero")
    assert periodic > 0.99 and periodic > flat + 0.001
    a = map_trustworthiness(activations, embeddings, max_words=100, seed=1, boundary="periodic")
    b = map_trustworthiness(activations, embeddings, max_words=100, seed=2, boundary="periodic")
    assert a != b and min(a, b) > 0.9
    with pytest.raises(ValueError, match="n_neighbors"):
        map_trustworthiness(activations, embeddings, n_neighbors=50, max_words=100)
    with pytest.raises(ValueError, match="boundary"):
        map_trustworthiness(activations, embeddings, boundary="reflect")


def test_distortion_separates_ordered_from_shuffled_maps(topographic, shuffled):
    threadpoolctl = pytest.importorskip("threadpoolctl")  # comes with scikit-learn
    pytest.importorskip("sklearn")
    # one thread: t-SNE is then deterministic, and BLAS/OpenMP threads that
    # spin on a busy 2-core machine can make a 0.5 s t-SNE take 30 s
    with threadpoolctl.threadpool_limits(1):
        ordered = distortion(topographic[0], topographic[1], max_words=150)
        control = distortion(shuffled[0], shuffled[1], max_words=150)
        euclidean = distortion(*topographic[:2], max_words=150, metric="euclidean")
    assert ordered.attrs["n_words"] == 150 and ordered.attrs["metric"] == "cosine"
    assert float(ordered["map_spearman"]) > 0.7
    assert abs(float(control["map_spearman"])) < 0.1
    assert float(ordered["position_spearman"]) > 0.7
    assert abs(float(control["position_spearman"])) < 0.1
    # the references see only the embeddings of the same seeded subset, so the
    # shuffle leaves them unchanged
    for ref in ("tsne_spearman", "pca_spearman"):
        assert float(ordered[ref]) > 0.7
        assert float(control[ref]) == float(ordered[ref])
    assert float(euclidean["map_spearman"]) > 0.6 and euclidean.attrs["metric"] == "euclidean"


def test_word_positions_ignore_negative_responses_and_wrap():
    act = np.zeros((3, 5, 6), np.float32)
    act[0, 2, 1] = 1.0
    act[0, 4, 5] = -3.0  # the lower branch of the threshold: not where the word is
    act[1, 1, 0] = act[1, 1, 5] = 1.0  # straddles the left/right edge
    act[2, 0, 0] = -1.0  # only negative responses: silent
    a = xr.DataArray(act, dims=("word", "unit_y", "unit_x"), coords={"word": ["a", "b", "c"]})
    flat = word_positions(a, method="centroid")
    np.testing.assert_allclose(flat.sel(word="a").values, [2, 1])
    np.testing.assert_allclose(flat.sel(word="b").values, [1, 2.5])
    assert np.all(np.isnan(flat.sel(word="c").values))
    for method in ("centroid", "peak"):
        wrapped = word_positions(a.transpose("unit_x", "word", "unit_y"), boundary="periodic", method=method)
        y, x = wrapped.sel(word="b").values
        assert y == pytest.approx(1) and min(x, 6 - x) == pytest.approx(0.5)
    # the peak method: the best unit, refined within its 3 x 3 neighborhood (none across an open edge)
    peak = word_positions(a)
    np.testing.assert_allclose(peak.sel(word="a").values, [2, 1])
    np.testing.assert_allclose(peak.sel(word="b").values, [1, 0])
    assert np.all(np.isnan(peak.sel(word="c").values))
    act2 = np.zeros((1, 5, 5))
    act2[0, 2, 2], act2[0, 2, 3] = 3.0, 1.0
    refined = word_positions(xr.DataArray(act2, dims=("word", "unit_y", "unit_x"), coords={"word": ["d"]}))
    np.testing.assert_allclose(refined.values[0], [2, 2.25])
    with pytest.raises(ValueError, match="method"):
        word_positions(a, method="mean")


def test_preferred_words_on_a_tiny_map():
    act = np.array([[[0.5, 0.0], [0.2, -1.0]],   # ant
                    [[0.9, 0.3], [0.2, -0.5]],   # bee
                    [[0.1, 0.0], [0.0, -0.1]]],  # cat
                   np.float32)
    a = xr.DataArray(act, dims=("word", "unit_y", "unit_x"),
                     coords={"word": ["ant", "bee", "cat"], "unit_y": [10, 11], "unit_x": [0, 1]})
    pw = preferred_words(a, k=4)
    assert pw["word"].dims == ("unit_y", "unit_x", "rank") and list(pw["rank"].values) == [1, 2, 3, 4]
    assert list(pw["unit_y"].values) == [10, 11]
    assert list(pw["word"].values[0, 0]) == ["bee", "ant", "cat", ""]
    np.testing.assert_allclose(pw["response"].values[0, 0, :3], [0.9, 0.5, 0.1], rtol=1e-6)
    assert np.isnan(pw["response"].values[0, 0, 3])
    assert list(pw["word"].values[0, 1]) == ["bee", "", "", ""]
    assert list(pw["word"].values[1, 0]) == ["ant", "bee", "", ""]  # a tie keeps vocabulary order
    assert list(pw["word"].values[1, 1]) == ["", "", "", ""]  # negative responses only
    assert list(preferred_words(a, k=1)["word"].values[:, :, 0].ravel()) == ["bee", "bee", "ant", ""]
    with pytest.raises(ValueError, match="k must"):
        preferred_words(a, k=0)


def test_semantic_neighbor_similarity_on_a_strip():
    # row 0: words w0..w3 preferred left to right; row 1 silent
    act = np.zeros((4, 2, 4), np.float32)
    for i in range(4):
        act[i, 0, i] = 1.0
    act[:, 1, :] = -0.5
    words = [f"w{i}" for i in range(4)]
    theta = np.array([0.0, 0.3, 0.9, 1.2])
    emb = xr.DataArray(np.stack([np.cos(theta), np.sin(theta)], axis=1) * [[1], [2], [3], [4]],
                       dims=("word", "dim"), coords={"word": words})
    a = xr.DataArray(act, dims=("word", "unit_y", "unit_x"), coords={"word": words})
    cos = np.cos(theta[:, None] - theta[None])
    flat = semantic_neighbor_similarity(a, emb)
    assert float(flat["adjacent"]) == pytest.approx(np.mean([cos[0, 1], cos[1, 2], cos[2, 3]]))
    assert flat.attrs["n_units"] == 4 and flat.attrs["n_adjacent_pairs"] == 3
    assert float(flat["random"]) == pytest.approx(cos[np.triu_indices(4, 1)].mean(), abs=0.01)
    assert float(flat["contrast"]) == pytest.approx(float(flat["adjacent"]) / float(flat["random"]))
    ring = semantic_neighbor_similarity(a, emb, periodic=True)
    assert float(ring["adjacent"]) == pytest.approx(np.mean([cos[0, 1], cos[1, 2], cos[2, 3], cos[3, 0]]))
    opposite = emb.copy(data=np.array([[1.0, 0], [-1, 0], [1, 0], [-1, 0]]))
    assert np.isnan(float(semantic_neighbor_similarity(a, opposite)["contrast"]))  # random < 0
    with pytest.raises(ValueError, match="adjacent"):
        semantic_neighbor_similarity(a.where(a["word"] == "w0", -1.0), emb)


def test_region_words_on_a_tiny_map():
    act = np.zeros((5, 4, 4), np.float32)
    act[0, :2, :2] = 1.0         # top left
    act[1, :2, 2:] = 0.5         # top right
    act[2, 2:, :2] = 0.25        # bottom left
    act[3, 3, 3] = 2.0           # one unit of the bottom right block: mean 0.5
    act[4, :2, :] = 0.2          # the whole top half, weaker
    a = xr.DataArray(act, dims=("word", "unit_y", "unit_x"), coords={"word": list("abcde")})
    rw = region_words(a, n_regions=2, k=2)
    assert rw["word"].dims == ("region_y", "region_x", "rank")
    assert rw["word"].values.tolist() == [[["a", "e"], ["b", "e"]], [["c", ""], ["d", ""]]]
    np.testing.assert_allclose(rw["response"].values[:, :, 0], [[1.0, 0.5], [0.25, 0.5]])
    assert list(rw["y_start"].values) == [0, 2] and list(rw["x_stop"].values) == [2, 4]
    uneven = region_words(a.isel(unit_x=slice(0, 3)), n_regions=2, k=1)
    assert list(uneven["x_start"].values) == [0, 1] and list(uneven["x_stop"].values) == [1, 3]
    with pytest.raises(ValueError, match="n_regions"):
        region_words(a, n_regions=5)


def test_group_activation_averages_found_words():
    act = np.arange(3 * 2 * 2, dtype=np.float32).reshape(3, 2, 2)
    a = xr.DataArray(act, dims=("word", "unit_y", "unit_x"), coords={"word": ["red", "blue", "dog"]})
    g = group_activation(a, ["red", "green", "blue", "red"])
    assert g.dims == ("unit_y", "unit_x")
    np.testing.assert_allclose(g.values, (act[0] + act[1]) / 2)
    assert g.attrs["found"] == ["red", "blue"] and g.attrs["missing"] == ["green"]
    np.testing.assert_allclose(group_activation(a, "dog").values, act[2])
    with pytest.raises(ValueError, match="none of the words"):
        group_activation(a, WORD_GROUPS["numbers"])


def test_word_groups():
    assert 8 <= len(WORD_GROUPS) <= 10
    for name, words in WORD_GROUPS.items():
        assert 8 <= len(words) <= 15, name
        assert len(set(words)) == len(words) and all(w.islower() and w.isalpha() for w in words)
    everything = [w for words in WORD_GROUPS.values() for w in words]
    assert len(set(everything)) == len(everything)


def test_principal_component_colors():
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:20, 0:16]
    noise = [0.01 * rng.standard_normal((20, 16)) for _ in range(5)]
    features = np.stack([3 * x, 0.5 * y, np.sin(x + y)] + noise, axis=-1)
    fields = xr.DataArray(features, dims=("unit_y", "unit_x", "embedding_dim"))
    rgb = principal_component_colors(fields)
    assert rgb.dims == ("unit_y", "unit_x", "rgb") and rgb.shape == (20, 16, 3)
    assert list(rgb["rgb"].values) == ["r", "g", "b"]
    assert rgb.min() >= 0 and rgb.max() <= 1 and rgb.max() == 1 and rgb.min() == 0
    red = rgb.sel(rgb="r").values
    assert np.all(np.diff(red.mean(axis=0)) > 0)  # the largest loading (on x) is positive
    assert np.ptp(red, axis=0).max() < 1e-3  # constant down each column
    green = rgb.sel(rgb="g").values
    assert np.all(np.diff(green.mean(axis=1)) > 0)
    ratios = rgb.attrs["explained_variance_ratio"]
    assert len(ratios) == 3 and ratios[0] > 0.9 and sum(ratios) <= 1 + 1e-12
    two = principal_component_colors(fields.isel(embedding_dim=[0, 1]))
    assert np.all(two.sel(rgb="b") == 0.5) and two.attrs["explained_variance_ratio"][2] == 0


def test_input_validation(topographic):
    activations, embeddings, _ = topographic
    with pytest.raises(ValueError, match="word' coordinates"):
        semantic_neighbor_similarity(activations, embeddings.isel(word=slice(None, None, -1)))
    with pytest.raises(ValueError, match="word' coordinates"):
        map_trustworthiness(activations, embeddings.isel(word=slice(1, None)))
    bad = activations.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        preferred_words(bad)
    bad_emb = embeddings.copy()
    bad_emb[3, 1] = np.inf
    with pytest.raises(ValueError, match="NaN"):
        map_trustworthiness(activations, bad_emb)
    with pytest.raises(ValueError, match="dims"):
        word_positions(activations.rename(unit_x="x"))
    with pytest.raises(ValueError, match="dims"):
        region_words(activations.expand_dims(trial=2))
    with pytest.raises(ValueError, match="DataArray"):
        preferred_words(activations.values)
    with pytest.raises(ValueError, match="dims"):
        semantic_neighbor_similarity(activations, embeddings.expand_dims(trial=1))
    with pytest.raises(ValueError, match="duplicate"):
        group_activation(activations.assign_coords(word=["w"] * N_WORDS), ["w"])
    with pytest.raises(ValueError, match="word' coordinate"):
        preferred_words(activations.drop_vars("word"))
    with pytest.raises(ValueError, match="silent"):
        distortion(activations.isel(word=slice(0, 3)), embeddings.isel(word=slice(0, 3)))

"""Finger-map measures on hand-made maps whose answers are known."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from ei_maps.analysis.plasticity import (boundaries, contiguity, preferred_finger, reorganization, takeover,
                                         takeover_summary, territories)


def _stripes(rows=6, width=3, fingers=(1, 2, 3, 4, 5)) -> xr.DataArray:
    """One vertical stripe of ``width`` columns per finger, left to right."""
    row = np.repeat(np.array(fingers), width)
    return xr.DataArray(np.tile(row, (rows, 1)), dims=("unit_y", "unit_x"), attrs={"fingers": list(fingers)})


def _class_responses(values: np.ndarray, fingers: list[int], names: list[str]) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, float), dims=("stimulus_class", "unit_y", "unit_x"),
                        coords={"stimulus_class": names, "finger": ("stimulus_class", fingers)})


# ------------------------------------------------------------ preferred finger

def test_preferred_finger_ignores_pairs_and_thresholds():
    # 1 x 4 sheet; classes: finger 2, pair 1+2, finger 1 (out of order on purpose)
    f2 = [[0.5, 0.1, -0.2, 0.3]]
    pair = [[9.0, 9.0, 9.0, 9.0]]  # pairs drive everything hardest but must be ignored
    f1 = [[0.2, 0.4, -0.1, 0.3]]
    resp = _class_responses([f2, pair, f1], [2, 0, 1], ["finger 2", "fingers 1+2", "finger 1"])
    pref = preferred_finger(resp)
    assert pref.dims == ("unit_y", "unit_x") and pref.dtype.kind == "i"
    # unit 2: both negative -> unresponsive; unit 3: tie -> lower finger
    np.testing.assert_array_equal(pref.values, [[2, 1, 0, 1]])
    assert pref.attrs["fingers"] == [1, 2]
    np.testing.assert_array_equal(preferred_finger(resp, threshold=0.35).values, [[2, 1, 0, 0]])
    # transposed input and finger read from the class names give the same map
    named = resp.drop_vars("finger").transpose("unit_x", "stimulus_class", "unit_y")
    np.testing.assert_array_equal(preferred_finger(named).values, pref.values)


def test_preferred_finger_recovers_stripes_from_noisy_responses():
    truth = _stripes()
    rng = np.random.default_rng(0)
    fingers = [1, 2, 3, 4, 5]
    singles = [np.where(truth.values == f, 1.0, 0.2) + 0.05 * rng.standard_normal(truth.shape) for f in fingers]
    pairs = [np.full(truth.shape, 3.0), np.full(truth.shape, 3.0)]
    resp = _class_responses(singles + pairs, fingers + [0, 0],
                            [f"finger {f}" for f in fingers] + ["fingers 1+2", "fingers 2+3"])
    pref = preferred_finger(resp)
    np.testing.assert_array_equal(pref.values, truth.values)
    assert pref.attrs["fingers"] == fingers


def test_preferred_finger_errors():
    ok = _class_responses(np.zeros((2, 2, 2)), [1, 2], ["finger 1", "finger 2"])
    with pytest.raises(ValueError, match="dims"):
        preferred_finger(ok.rename(unit_x="x"))
    with pytest.raises(ValueError, match="single-finger"):
        preferred_finger(ok.assign_coords(finger=("stimulus_class", [0, 0])))
    with pytest.raises(ValueError, match="exactly one"):
        preferred_finger(ok.assign_coords(finger=("stimulus_class", [1, 1])))
    with pytest.raises(ValueError, match="DataArray"):
        preferred_finger(np.zeros((2, 2, 2)))


# ---------------------------------------------------------------- stripes

def test_stripes_territories_and_contiguity():
    pref = _stripes()
    terr = territories(pref)
    assert terr.dims == ("finger",)
    np.testing.assert_array_equal(terr["finger"].values, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(terr.values, 0.2)
    assert terr.attrs["unresponsive"] == 0

    c = contiguity(pref)
    np.testing.assert_array_equal(c["patches"].values, [1, 1, 1, 1, 1])
    np.testing.assert_allclose(c["largest_patch_fraction"].values, 1.0)
    assert float(c["mean_patches"]) == 1.0
    # 6 x 15 sheet: 6*14 = 84 horizontal pairs, 4 stripe borders x 6 rows = 24
    # differ; 5*15 = 75 vertical pairs, none differ -> 24 / 159
    assert float(c["boundary_fraction"]) == pytest.approx(24 / 159, abs=1e-12)
    # periodic: 90 horizontal pairs (5 borders incl. finger 5 | finger 1) -> 30 differ; 90 vertical
    cp = contiguity(pref, periodic=True)
    assert float(cp["boundary_fraction"]) == pytest.approx(30 / 180, abs=1e-12)
    np.testing.assert_array_equal(cp["patches"].values, [1, 1, 1, 1, 1])


def test_stripes_boundaries_mask():
    pref = _stripes()
    on_edge = np.zeros(15, bool)
    on_edge[[2, 3, 5, 6, 8, 9, 11, 12]] = True  # columns either side of each stripe border
    b = boundaries(pref)
    assert b.dims == ("unit_y", "unit_x") and b.dtype == bool
    np.testing.assert_array_equal(b.values, np.tile(on_edge, (6, 1)))
    on_edge[[0, 14]] = True  # periodic: finger 5 meets finger 1 across the edge
    np.testing.assert_array_equal(boundaries(pref, periodic=True).values, np.tile(on_edge, (6, 1)))


def test_unresponsive_units_count_in_territories_but_not_in_boundary_fraction():
    pref = _stripes().copy()
    pref.values[:, 6:9] = 0  # finger 3's stripe goes silent
    terr = territories(pref)
    assert float(terr.sel(finger=3)) == 0  # still reported through the `fingers` attr
    np.testing.assert_allclose(terr.sel(finger=[1, 2, 4, 5]).values, 0.2)
    assert terr.attrs["unresponsive"] == pytest.approx(0.2)
    c = contiguity(pref)
    assert int(c["patches"].sel(finger=3)) == 0 and np.isnan(float(c["largest_patch_fraction"].sel(finger=3)))
    assert float(c["mean_patches"]) == 1.0  # the empty finger does not pull the mean down
    # responsive pairs: horizontal 6 rows x 10 (5 left and 5 right of the silent
    # stripe), of which borders 1|2 and 4|5 differ (12); vertical 5 x 12 columns = 60
    # none differ -> 12 / 120
    assert float(c["boundary_fraction"]) == pytest.approx(12 / 120, abs=1e-12)
    # fingers argument restricts the report; a finger absent everywhere reads 0
    sub = territories(pref, fingers=[2, 6])
    np.testing.assert_allclose(sub.values, [0.2, 0.0])


def test_salt_and_pepper_map_is_fragmented():
    rng = np.random.default_rng(3)
    pref = xr.DataArray(rng.integers(1, 6, (60, 60)), dims=("unit_y", "unit_x"))
    c = contiguity(pref)
    assert float(c["boundary_fraction"]) == pytest.approx(0.8, abs=0.02)
    assert np.all(c["patches"].values > 100)
    assert np.all(c["largest_patch_fraction"].values < 0.1)
    assert boundaries(pref).values.mean() > 0.95


# ---------------------------------------------------------------- periodic

def test_stripe_split_across_the_edges_is_one_patch_only_when_periodic():
    row = np.array([1, 1, 2, 2, 2, 3, 3, 3, 1])  # finger 1 at both ends
    pref = np.tile(row, (4, 1))
    assert int(contiguity(pref)["patches"].sel(finger=1)) == 2
    assert float(contiguity(pref)["largest_patch_fraction"].sel(finger=1)) == pytest.approx(8 / 12)
    wrapped = contiguity(pref, periodic=True)
    assert int(wrapped["patches"].sel(finger=1)) == 1
    assert float(wrapped["largest_patch_fraction"].sel(finger=1)) == 1.0
    # the same along unit_y, and a blob in all four corners is one patch on the torus
    assert int(contiguity(pref.T, periodic=True)["patches"].sel(finger=1)) == 1
    corners = np.full((6, 6), 2)
    corners[[0, 0, 5, 5], [0, 5, 0, 5]] = 1
    assert int(contiguity(corners)["patches"].sel(finger=1)) == 4
    assert int(contiguity(corners, periodic=True)["patches"].sel(finger=1)) == 1


# ---------------------------------------------------------------- takeover

def _deprived_stripes() -> tuple[xr.DataArray, xr.DataArray]:
    """Stripe 3 (columns 6-8 of 6 x 15) taken over: left half by finger 2, right half by finger 4."""
    before = _stripes()
    after = before.copy()
    after.values[:3, 6:9] = 2
    after.values[3:, 6:9] = 4
    return before, after


def test_takeover_of_a_deprived_stripe():
    before, after = _deprived_stripes()
    t = takeover(before, after, 3)
    assert t.dims == ("finger",)
    np.testing.assert_array_equal(t["finger"].values, [0, 1, 2, 4, 5])
    assert float(t.sel(finger=2)) == 0.5 and float(t.sel(finger=4)) == 0.5
    assert float(t.sel(finger=0)) == 0 and float(t.sel(finger=1)) == 0
    assert t.attrs["retained"] == 0 and t.attrs["territory_before"] == 18
    # unchanged map: everything retained
    same = takeover(before, before, 3)
    assert same.attrs["retained"] == 1 and float(same.sum()) == 0


def test_takeover_summary_shares():
    before, after = _deprived_stripes()
    s = takeover_summary(before, after, 3, coactivated=[2])
    json.dumps(s)  # JSON-ready
    assert s["finger"] == 3 and s["retained"] == 0
    assert s["takeover"] == {"0": 0.0, "1": 0.0, "2": 0.5, "4": 0.5, "5": 0.0}
    assert s["coactivated_share"] == 0.5
    assert s["neighbor_share"] == 1.0
    assert s["favors_coactivated"] is True  # 0.5 per co-activated finger vs 0.5 / 3 for the others
    # co-activated with finger 1, which won nothing
    s1 = takeover_summary(before, after, 3, coactivated=[1])
    assert s1["coactivated_share"] == 0 and s1["favors_coactivated"] is False
    # all of it to finger 4, co-activated with 2 and 4: per finger 0.5 vs 0
    after4 = before.copy()
    after4.values[:, 6:9] = 4
    s4 = takeover_summary(before, after4, 3, coactivated=[2, 4])
    assert s4["coactivated_share"] == 1.0 and s4["favors_coactivated"] is True


def test_takeover_summary_when_the_territory_goes_silent():
    before = _stripes()
    after = before.copy()
    after.values[:, 6:9] = 0
    s = takeover_summary(before, after, 3, coactivated=[2])
    json.dumps(s)
    assert s["takeover"]["0"] == 1.0 and s["taken_over"] == 0
    assert s["coactivated_share"] is None and s["favors_coactivated"] is False


def test_reorganization_fraction():
    before, after = _deprived_stripes()
    assert reorganization(before, after) == pytest.approx(18 / 90, abs=1e-15)
    assert reorganization(before, before) == 0
    # works on plain arrays, transposed DataArrays too
    assert reorganization(before.values, after.transpose("unit_x", "unit_y")) == pytest.approx(0.2)


# ---------------------------------------------------------------- errors

def test_errors():
    before, after = _deprived_stripes()
    with pytest.raises(ValueError, match="same shape"):
        takeover(before, after[:, :10], 3)
    with pytest.raises(ValueError, match="same shape"):
        reorganization(before, after[:5])
    with pytest.raises(ValueError, match="dims"):
        territories(before.rename(unit_x="x"))
    with pytest.raises(ValueError, match="dims"):
        contiguity(before.expand_dims("trial"))
    with pytest.raises(ValueError, match="2-D"):
        boundaries(np.zeros(5, int))
    with pytest.raises(ValueError, match="no territory"):
        takeover(before, after, 7)
    with pytest.raises(ValueError, match="no territory"):
        takeover(after, before, 3)  # finger 3 is absent from this 'before'
    with pytest.raises(ValueError, match="positive integer"):
        takeover(before, after, 0)
    with pytest.raises(ValueError, match="deprived"):
        takeover_summary(before, after, 3, coactivated=[3])
    with pytest.raises(ValueError, match="non-negative integer"):
        territories(np.array([[1, -1]]))
    with pytest.raises(ValueError, match="non-negative integer"):
        territories(np.array([[1.5, 2.0]]))


# ------------------------------------------------------- territories (blobs)

def _blob(side: int, cy: float, cx: float, radius: float, height: float) -> np.ndarray:
    """A cone of ``height`` at (cy, cx) falling to 0 at ``radius``: half its height within radius / 2."""
    y, x = np.mgrid[:side, :side]
    return height * np.clip(1 - np.hypot(y - cy, x - cx) / radius, 0, None)


def _blob_responses(blobs: dict[int, np.ndarray]) -> xr.DataArray:
    fingers = sorted(blobs)
    pair = sum(blobs.values())  # a pair class, ignored
    return _class_responses(np.stack([blobs[f] for f in fingers] + [pair]), fingers + [0],
                            [f"finger {f}" for f in fingers] + ["fingers 1+2"])


def test_territories_of_blobs_have_exact_sizes_centroids_and_signs():
    from ei_maps.analysis.plasticity import finger_territories, territory_summary

    side = 21
    blobs = {1: _blob(side, 5, 5, 4, 0.2), 2: _blob(side, 14, 12, 4, -0.1), 3: 0.001 * np.ones((side, side))}
    blobs[3][15, 3] = 0.002  # a finger at noise level still gets its peak unit
    t = finger_territories(_blob_responses(blobs), fraction=0.5)
    # above half of a cone of radius 4: distance < 2, the 9 lattice points with d^2 in {0, 1, 2}
    assert t["size"].sel(finger=1) == 9 and t["size"].sel(finger=2) == 9
    assert t["components"].sel(finger=1) == 1 and t["largest_component"].sel(finger=2) == 9
    np.testing.assert_allclose([t["centroid_y"].sel(finger=2), t["centroid_x"].sel(finger=2)], [14, 12])
    # finger 2 is coded by a negative blob: the sign keeps its territory
    assert t["sign"].sel(finger=1) == 1 and t["sign"].sel(finger=2) == -1
    np.testing.assert_allclose(t["peak"].sel(finger=2), 0.1)
    assert t["size"].sel(finger=3) == 1  # only the unit above half of 0.002
    label = t["label"].values
    assert (label == 1).sum() == 9 and label[14, 12] == 2 and label[0, side - 1] == 0
    assert int(t["overlap"]) == 0
    summary = territory_summary(t)
    assert summary["2"] == {"size": 9, "components": 1, "largest_component": 9, "centroid": [14.0, 12.0],
                            "sign": -1, "peak": pytest.approx(0.1)}
    # a lower criterion draws the same blobs wider: d < 3 holds the 25 lattice points with d^2 <= 8
    assert finger_territories(_blob_responses(blobs), fraction=0.25)["size"].sel(finger=1) == 25


def test_territory_components_and_torus():
    from ei_maps.analysis.plasticity import finger_territories

    side = 16
    two = _blob(side, 4, 4, 3, 1.0) + _blob(side, 11, 11, 3, 1.0)
    edge = _blob(side, 8, 0, 3, 1.0) + _blob(side, 8, side, 3, 1.0)  # one blob split by the edge
    resp = _blob_responses({1: two, 2: edge})
    flat = finger_territories(resp)
    assert flat["components"].sel(finger=1) == 2 and flat["components"].sel(finger=2) == 2
    torus = finger_territories(resp, periodic=True)
    assert torus["components"].sel(finger=1) == 2 and torus["components"].sel(finger=2) == 1
    # the split blob: 3 units each at x = 15, 0 and 1. Its circular centroid sits on the seam (x = 0),
    # the flat mean (3 * 0 + 3 * 1 + 3 * 15) / 9 far inside the sheet
    assert float(torus["centroid_x"].sel(finger=2)) % side == pytest.approx(0.0, abs=1e-9) or \
        float(torus["centroid_x"].sel(finger=2)) == pytest.approx(side, abs=1e-9)
    assert flat["centroid_x"].sel(finger=2) == pytest.approx(48 / 9)


def test_weakened_finger_loses_territory_on_the_reference_scale():
    from ei_maps.analysis.plasticity import finger_territories, territory_change, territory_reorganization

    side = 21
    before = _blob_responses({1: _blob(side, 5, 5, 4, 0.2), 2: _blob(side, 14, 14, 4, 0.2)})
    # after: finger 1 at a third of its strength, finger 2 wider (same peak)
    after = _blob_responses({1: _blob(side, 5, 5, 4, 0.2 / 3), 2: _blob(side, 14, 14, 6, 0.2)})
    tb = finger_territories(before)
    ta = finger_territories(after, reference=before)
    # on its own scale the weakened blob keeps its shape, on the reference scale it is gone
    assert finger_territories(after)["size"].sel(finger=1) == 9
    assert ta["size"].sel(finger=1) == 0 and ta["components"].sel(finger=1) == 0
    assert np.isnan(ta["centroid_y"].sel(finger=1))
    change = territory_change(tb, ta, 1)
    assert change["size_before"] == 9 and change["size_after"] == 0 and change["size_ratio"] == 0
    assert change["peak_ratio"] == pytest.approx(1 / 3)
    # d < 3 on the wider cone: 25 units, 16 more
    assert change["growth"] == {"2": 16} and change["growth_ratio"]["2"] == pytest.approx(25 / 9)
    assert change["retained"] == 0 and change["takeover"] == {"2": 0.0, "0": 1.0}
    assert change["shifted"] is None
    # 9 + 25 units in a territory before or after; finger 1's 9 lost it, finger 2 won 16 new ones
    assert territory_reorganization(tb, ta) == pytest.approx(25 / 34)
    assert territory_reorganization(tb, tb) == 0


def test_territory_takeover_counts_the_former_units():
    from ei_maps.analysis.plasticity import finger_territories, territory_change

    side = 21
    before = _blob_responses({1: _blob(side, 10, 6, 4, 0.2), 2: _blob(side, 10, 14, 4, 0.2)})
    # finger 2 moves onto finger 1's former place
    after = _blob_responses({1: _blob(side, 10, 6, 4, 0.01), 2: _blob(side, 10, 6, 4, 0.2)})
    change = territory_change(finger_territories(before), finger_territories(after, reference=before), 1)
    assert change["takeover"]["2"] == 1.0 and change["takeover"]["0"] == 0.0 and change["retained"] == 0.0


def test_territory_bad_inputs():
    from ei_maps.analysis.plasticity import finger_territories, territory_change

    resp = _blob_responses({1: _blob(9, 4, 4, 3, 1.0), 2: _blob(9, 2, 2, 3, 1.0)})
    for bad in (0, 1, -0.5, float("nan"), True):
        with pytest.raises(ValueError, match="fraction"):
            finger_territories(resp, fraction=bad)
    other = _blob_responses({1: _blob(9, 4, 4, 3, 1.0), 3: _blob(9, 2, 2, 3, 1.0)})
    with pytest.raises(ValueError, match="same fingers"):
        finger_territories(resp, reference=other)
    with pytest.raises(ValueError, match="dims"):
        finger_territories(resp.isel(unit_x=0))
    t = finger_territories(resp)
    with pytest.raises(ValueError, match="finger 4"):
        territory_change(t, t, 4)


def test_preferred_finger_counts_responsive_units_only():
    side = 11
    resp = _blob_responses({1: _blob(side, 3, 3, 3, 1.0) + 0.01, 2: _blob(side, 7, 7, 3, 1.0)})
    everything = preferred_finger(resp)
    responsive = preferred_finger(resp, responsive=0.25)
    # the 0.01 background gives finger 1 every unit of an argmax; counted over responsive units it keeps its blob
    assert (everything.values == 1).sum() > 60
    assert (responsive.values == 1).sum() == (_blob(side, 3, 3, 3, 1.0) + 0.01 >= 0.25 * 1.01).sum()
    assert responsive.attrs["responsive"] == 0.25
    with pytest.raises(ValueError, match="responsive"):
        preferred_finger(resp, responsive=1.5)

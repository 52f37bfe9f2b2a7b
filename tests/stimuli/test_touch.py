"""Tests of ei_maps.stimuli.touch: hand configuration, manipulations, touch sampling."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.stimuli.touch import HandConfig, HandSampler, Manipulation, class_names

QUIET = HandConfig(noise=0.0)


def _finger_active(x: np.ndarray, sampler: HandSampler) -> np.ndarray:
    """(batch, n_fingers) bool: which fingers have any non-zero receptor."""
    rf = sampler.receptor_finger()
    return np.stack([(x[:, rf == f] != 0).any(axis=1)
                     for f in range(1, sampler.config.n_fingers + 1)], axis=1)


# --------------------------------------------------------------------------
# configuration


def test_default_config():
    c = HandConfig()
    assert c.n_inputs == 256
    assert class_names(c) == ["finger 1", "finger 2", "finger 3", "finger 4", "finger 5",
                              "fingers 1+2", "fingers 1+3"]


@pytest.mark.parametrize("changes, match", [
    (dict(single_probability=0.2), "sum to 1.*1.2"),
    (dict(pairs=((1, 2),), single_probability=0.16), "sum to 1.*0.9"),
    (dict(pairs=((1, 6), (1, 3))), r"fingers must be in 1\.\.5"),
    (dict(pairs=((2, 2), (1, 3))), "two different fingers"),
    (dict(pairs=((1, 2), (2, 1))), "listed twice"),
    (dict(pairs=((1, 2, 3), (1, 3))), "two finger numbers"),
    (dict(noise=-0.1), "noise"),
    (dict(noise=float("nan")), "noise"),
    (dict(n_fingers=0), "n_fingers"),
    (dict(receptors_per_finger=2.5), "receptors_per_finger"),
    (dict(n_extra=-1), "n_extra"),
    (dict(pair_probability=1.5), "pair_probability"),
])
def test_config_validation(changes, match):
    with pytest.raises(ValueError, match=match):
        HandConfig(**changes)


def test_config_pairs_from_json_and_replace():
    c = HandConfig(**json.loads(json.dumps({"pairs": [[1, 2], [1, 3]]})))
    assert c.pairs == ((1, 2), (1, 3)) and c == HandConfig()
    hash(c)  # frozen and hashable once lists became tuples
    d = c.replace(receptors_per_finger=10, n_extra=0)
    assert d.n_inputs == 50 and c.n_inputs == 256
    with pytest.raises(ValueError, match="sum to 1"):
        c.replace(pairs=())


# --------------------------------------------------------------------------
# sampling


def test_class_frequencies_match_probabilities():
    s = HandSampler(seed=1)
    x, classes = s.sample_with_classes(20000)
    assert x.shape == (20000, 256) and x.dtype == np.float32 and classes.dtype == np.int64
    freq = np.bincount(classes, minlength=7) / len(classes)
    np.testing.assert_allclose(s.class_probabilities, [0.16] * 5 + [0.1] * 2)
    np.testing.assert_allclose(freq, s.class_probabilities, atol=0.01)


def test_stimuli_touch_exactly_the_class_fingers():
    s = HandSampler(QUIET, seed=2)
    x, classes = s.sample_with_classes(500)
    active = _finger_active(x, s)
    for k in range(7):
        want = np.zeros(5, dtype=bool)
        want[[f - 1 for f in s.class_fingers[k]]] = True
        assert (active[classes == k] == want).all(), s.class_names[k]
    rf = s.receptor_finger()
    assert np.all(x[:, rf == 0] == 0)
    assert x.min() >= 0 and x.max() <= 1


def test_single_finger_probe_activates_only_that_finger():
    s = HandSampler(QUIET)
    rf = s.receptor_finger()
    x = s.probe(2, 50)  # "finger 3"
    assert np.all(x[:, rf != 3] == 0)
    assert np.all(x[:, rf == 3] > 0) and x[:, rf == 3].std() > 0.2  # uniform intensities
    # deterministic and independent of the training stream
    np.testing.assert_array_equal(x, HandSampler(QUIET, seed=99).probe(2, 50))


def test_permutation_fixed_per_permutation_seed():
    a = HandSampler(QUIET, seed=0)
    b = HandSampler(QUIET, seed=5)
    np.testing.assert_array_equal(a.permutation, b.permutation)
    np.testing.assert_array_equal(a.receptor_finger(), b.receptor_finger())
    c = HandSampler(QUIET.replace(permutation_seed=1))
    assert not np.array_equal(a.permutation, c.permutation)
    assert not np.array_equal(a.receptor_finger(), c.receptor_finger())
    assert sorted(a.permutation) == list(range(256))
    # a real shuffle: finger 1 is not the first 51 inputs
    assert not np.all(a.receptor_finger()[:51] == 1)


def test_receptor_finger_consistent_with_permutation():
    s = HandSampler(QUIET)
    rf = s.receptor_finger()
    assert rf.shape == (256,) and rf.dtype == np.int64
    assert np.bincount(rf).tolist() == [1, 51, 51, 51, 51, 51]
    hand_order = np.r_[np.repeat(np.arange(1, 6), 51), 0]
    np.testing.assert_array_equal(rf, hand_order[s.permutation])
    for k in range(5):
        active = np.flatnonzero(s.probe(k, 3).any(axis=0))
        np.testing.assert_array_equal(np.sort(active), np.flatnonzero(rf == k + 1))


def test_noise_std_on_extra_inputs():
    s = HandSampler(HandConfig(n_extra=20), seed=3, dtype="float64")
    x = s.sample(5000)
    extra = x[:, s.receptor_finger() == 0]
    assert extra.shape == (5000, 20)
    assert abs(extra.std() - 0.3) < 0.005 and abs(extra.mean()) < 0.005
    noisy = s.probe(0, 2000, noise=True)[:, s.receptor_finger() == 2]
    assert abs(noisy.std() - 0.3) < 0.01


def test_same_seed_same_batches():
    a, b = HandSampler(seed=7), HandSampler(seed=7)
    np.testing.assert_array_equal(a.sample(64), b.sample(64))
    assert not np.array_equal(a.sample(64), HandSampler(seed=8).sample(64))


def test_get_state_set_state_resumes_exactly():
    s = HandSampler(seed=4)
    s.sample(10)
    state = json.loads(json.dumps(s.get_state()))
    want = s.sample_with_classes(32)
    s.sample(5)
    s.set_state(state)
    got = s.sample_with_classes(32)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    fresh = HandSampler(seed=None)
    fresh.set_state(state)
    np.testing.assert_array_equal(fresh.sample(32), want[0])
    with pytest.raises(ValueError, match="dict"):
        s.set_state("state")
    with pytest.raises(ValueError, match="invalid sampler state"):
        s.set_state({"bit_generator": "MT19937"})


def test_bad_arguments():
    s = HandSampler()
    with pytest.raises(ValueError, match="batch"):
        s.sample(0)
    with pytest.raises(ValueError, match="class_index"):
        s.probe(7, 3)
    with pytest.raises(ValueError, match="dtype"):
        HandSampler(dtype="int32")


# --------------------------------------------------------------------------
# manipulations


def test_silence_silences_finger_and_drops_its_class():
    s = HandSampler(QUIET, "silence:3", seed=5)
    x, classes = s.sample_with_classes(20000)
    rf = s.receptor_finger()
    assert np.all(x[:, rf == 3] == 0)
    assert not np.any(classes == 2)
    p = np.array([0.16, 0.16, 0.0, 0.16, 0.16, 0.1, 0.1]) / 0.84
    np.testing.assert_allclose(s.class_probabilities, p)
    np.testing.assert_allclose(np.bincount(classes, minlength=7) / 20000, p, atol=0.01)
    # the pair 1+3 still occurs, touching finger 1 only
    assert s.class_fingers[6] == (1,)
    assert np.all(s.probe(2, 10) == 0)  # probing the amputated finger: nothing


def test_deprive_removes_every_class_touching_the_finger():
    # the paper: the finger-3 and pair-(1,3) classes stop; the receptors stay intact
    s = HandSampler(QUIET, "deprive:3", seed=5)
    _, classes = s.sample_with_classes(20000)
    assert not np.any(np.isin(classes, [2, 6]))
    p = np.array([0.16, 0.16, 0.0, 0.16, 0.16, 0.1, 0.0]) / 0.74
    np.testing.assert_allclose(s.class_probabilities, p)
    np.testing.assert_allclose(np.bincount(classes, minlength=7) / 20000, p, atol=0.01)
    assert s.class_fingers[2] == (3,) and s.class_fingers[6] == (1, 3)
    rf = s.receptor_finger()
    probe = s.probe(2, 10)
    assert np.all(probe[:, rf == 3] > 0) and np.all(probe[:, rf != 3] == 0)


def test_touch_replaces_noise_by_default_and_adds_it_on_request():
    rf = HandSampler().receptor_finger()
    replaced = HandSampler(seed=1, dtype="float64").probe(1, 4000, noise=True)
    touched = replaced[:, rf == 2]
    assert touched.min() >= 0 and touched.max() < 1  # the touch intensity alone, U(0, 1)
    assert abs(touched.mean() - 0.5) < 0.01 and abs(touched.var() - 1 / 12) < 0.003
    assert abs(replaced[:, rf == 1].std() - 0.3) < 0.005  # untouched receptors: noise only
    added = HandSampler(HandConfig(touch_noise="add"), seed=1, dtype="float64").probe(1, 4000, noise=True)
    assert abs(added[:, rf == 2].var() - (1 / 12 + 0.09)) < 0.005
    with pytest.raises(ValueError, match="touch_noise"):
        HandConfig(touch_noise="mix")


def test_extra_input_is_not_permuted():
    # the paper permutes the 255 receptor inputs; the 256th carries noise only, always last
    s = HandSampler(QUIET)
    assert s.permutation[-1] == 255 and s.receptor_finger()[-1] == 0
    assert sorted(s.permutation[:255]) == list(range(255))
    assert np.all(HandSampler(seed=2).sample(64)[:, -1] != 0)  # noise, never a touch


def test_fixed_set_batches_come_from_one_set():
    s = HandSampler(seed=3, sample_set=200, set_seed=9)
    assert s.set_classes.shape == (200,)
    pool = {row.tobytes() for row in s._set}
    assert len(pool) == 200
    x, classes = s.sample_with_classes(1000)
    assert all(row.tobytes() in pool for row in x)
    # drawn with replacement: 1000 draws from 200 repeat stimuli
    assert len({row.tobytes() for row in x}) < 200
    np.testing.assert_allclose(np.bincount(s.set_classes, minlength=7) / 200,
                               [0.16] * 5 + [0.1, 0.1], atol=0.06)
    # the batch stream and the set have separate seeds
    other = HandSampler(seed=4, sample_set=200, set_seed=9)
    np.testing.assert_array_equal(other._set, s._set)
    assert not np.array_equal(other.sample(50), HandSampler(seed=3, sample_set=200, set_seed=9).sample(50))


def test_deprivation_of_a_fixed_set_removes_its_stimuli():
    before = HandSampler(seed=0, sample_set=500, set_seed=1)
    after = HandSampler(manipulation="deprive:3", seed=0, sample_set=500, set_seed=1)
    kept = ~np.isin(before.set_classes, [2, 6])
    np.testing.assert_array_equal(after._set, before._set[kept])
    np.testing.assert_array_equal(after.set_classes, before.set_classes[kept])
    fused = HandSampler(manipulation="syndactyly:2,3", seed=0, sample_set=500, set_seed=1)
    # fingers 2 and 3 alone become the fused class, with the same intensities redrawn on both fingers
    assert fused.set_classes.size == 500 and not np.any(np.isin(fused.set_classes, [1, 2]))
    np.testing.assert_array_equal(fused.set_classes == 7, np.isin(before.set_classes, [1, 2]))
    # a set of one stimulus that touches finger 3: nothing is left to train on
    seed = next(k for k in range(100) if HandSampler(sample_set=1, set_seed=k).set_classes[0] in (2, 6))
    with pytest.raises(ValueError, match="every stimulus of the fixed set of 1"):
        HandSampler(manipulation="deprive:3", sample_set=1, set_seed=seed)


def test_fixed_set_resumes_exactly():
    s = HandSampler(seed=4, sample_set=100)
    s.sample(10)
    state = s.get_state()
    want = s.sample(32)
    fresh = HandSampler(seed=None, sample_set=100, set_seed=4)
    fresh.set_state(state)
    np.testing.assert_array_equal(fresh.sample(32), want)


def test_remove_pair_never_drawn():
    s = HandSampler(QUIET, Manipulation.parse("remove_pair:2,1"), seed=6)
    _, classes = s.sample_with_classes(20000)
    assert not np.any(classes == 5)
    np.testing.assert_allclose(s.class_probabilities, np.r_[[0.16] * 5, 0.0, 0.1] / 0.9)
    with pytest.raises(ValueError, match="not a pair class"):
        HandSampler(QUIET, "remove_pair:2,3")


def test_syndactyly_fuses_fingers():
    s = HandSampler(QUIET, "syndactyly:2,3", seed=7)
    assert s.class_names[-1] == "fingers 2+3" and len(s.class_names) == 8
    np.testing.assert_allclose(s.class_probabilities, [0.16, 0, 0, 0.16, 0.16, 0.1, 0.1, 0.32])
    x, classes = s.sample_with_classes(5000)
    active = _finger_active(x, s)
    assert active[:, 1].any()
    np.testing.assert_array_equal(active[:, 1], active[:, 2])
    assert not np.any(np.isin(classes, [1, 2]))
    assert s.class_fingers[5] == (1, 2, 3) and s.class_fingers[6] == (1, 2, 3)
    # an existing pair class absorbs the single-finger probability
    t = HandSampler(QUIET, "syndactyly:1,2")
    assert len(t.class_names) == 7
    np.testing.assert_allclose(t.class_probabilities, [0, 0, 0.16, 0.16, 0.16, 0.42, 0.1])


def test_manipulation_parse_and_str():
    for text in ("none", "deprive:3", "silence:3", "remove_pair:1,2", "syndactyly:2,3"):
        assert str(Manipulation.parse(text)) == text
    assert Manipulation.parse(" syndactyly: 3, 2 ") == Manipulation("syndactyly", (2, 3))
    assert Manipulation.parse("none") == Manipulation()


@pytest.mark.parametrize("text, match", [
    ("amputate:3", "unknown manipulation 'amputate'"),
    ("deprive", "takes 1 finger"),
    ("deprive:1,2", "takes 1 finger"),
    ("syndactyly:2", "takes 2 finger"),
    ("remove_pair:1,2,3", "takes 2 finger"),
    ("none:1", "takes 0 finger"),
    ("deprive:x", "'x' is not an integer"),
    ("deprive:0", "finger must be an integer >= 1"),
    ("syndactyly:2,2", "two different fingers"),
])
def test_manipulation_parse_errors(text, match):
    with pytest.raises(ValueError, match=match):
        Manipulation.parse(text)


def test_manipulation_finger_out_of_range():
    with pytest.raises(ValueError, match=r"fingers must be in 1\.\.5"):
        HandSampler(manipulation="deprive:6")
    with pytest.raises(ValueError, match="no stimulus class"):
        HandSampler(HandConfig(n_fingers=1, pairs=(), single_probability=1.0), "deprive:1")
    with pytest.raises(ValueError, match="sample_set"):
        HandSampler(sample_set=-1)

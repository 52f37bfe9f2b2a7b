"""Named random streams: one seed, independent streams for each consumer."""

import itertools

import numpy as np
import pytest

from ei_maps import seeds
from ei_maps.models import ActivationModel, LIFCodingModel
from ei_maps.models.learning import init_dictionary


def first_words(seq: np.random.SeedSequence) -> tuple[int, ...]:
    return tuple(seq.generate_state(4, np.uint64))


def test_streams_are_the_spawned_children_whatever_was_spawned_before():
    parent = np.random.SeedSequence(11)
    children = parent.spawn(len(seeds.STREAMS))
    for child, name in zip(children, seeds.STREAMS):
        assert first_words(seeds.stream(11, name)) == first_words(child)
    # the parent has spawned: the names still give the same children
    assert first_words(seeds.stream(parent, "samples")) == first_words(children[seeds.STREAMS.index("samples")])


def test_no_two_streams_of_a_seed_sweep_coincide():
    words = [first_words(seeds.stream(s, name)) for s, name in itertools.product(range(50), seeds.STREAMS)]
    assert len(set(words)) == len(words)
    # nor with a plain default_rng(seed), which users' own samplers get
    plain = {tuple(np.random.SeedSequence(s).generate_state(4, np.uint64)) for s in range(50)}
    assert not plain & set(words)


def test_unknown_stream_is_refused():
    with pytest.raises(ValueError, match="unknown random stream 'dictonary'"):
        seeds.stream(0, "dictonary")


def test_the_dictionary_comes_from_its_own_stream_not_the_samples():
    model = ActivationModel(side=6, n_inputs=9, r_exc=1, r_inh=2, seed=3, engine="numpy")
    expected = init_dictionary(9, 36, seeds.generator(3, "dictionary"))
    np.testing.assert_array_equal(model.dictionary, expected.astype(model.dictionary.dtype))
    # before the streams, dictionary and patches both came from default_rng(3): the same draws
    shared = init_dictionary(9, 36, np.random.default_rng(3))
    assert not np.allclose(model.dictionary, shared)


def test_spiking_coder_dictionary_and_network_streams_differ():
    model = LIFCodingModel(side=10, n_inputs=9, seed=5, engine="numpy")
    expected = init_dictionary(9, model.dictionary.shape[1], seeds.generator(5, "dictionary"))
    expected /= np.linalg.norm(expected, axis=0)
    kept = model.dictionary != 0  # inhibitory sites get no feed-forward input: their columns are zero
    assert kept.mean() > 0.5
    np.testing.assert_allclose(model.dictionary[kept], expected[kept], rtol=1e-12)
    assert model._rng.bit_generator.state == seeds.generator(5, "network").bit_generator.state


def test_the_image_experiment_hands_its_sampler_the_samples_stream(monkeypatch, tmp_path):
    import ei_maps.stimuli as stimuli
    from ei_maps.experiments import images as mod

    given = []
    real = stimuli.PatchSampler

    def recording(*args, **kwargs):
        given.append(kwargs["seed"])
        return real(*args, **kwargs)

    monkeypatch.setattr(stimuli, "PatchSampler", recording)
    from ei_maps.config import TrainConfig
    from ei_maps.models import ModelConfig

    mod.train_images(ModelConfig(side=6, n_inputs=16, r_exc=1, r_inh=2, seed=7, max_iter=5),
                     TrainConfig(steps=2, batch=4, seed=7, patch_size=4, checkpoint_every=0),
                     out=tmp_path, progress=False, figures=False, log=lambda *a: None)
    assert len(given) == 1
    assert first_words(given[0]) == first_words(seeds.stream(7, "samples"))

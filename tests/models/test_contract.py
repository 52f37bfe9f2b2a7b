"""Every learning model keeps one contract (ei_maps.models.contract): built from its config plus overrides,
settle leaves the dictionary alone, learn reports exactly its RECORD, the Trainer trains it, bad input is refused."""
from __future__ import annotations

import numpy as np
import pytest

from ei_maps.models import (ActivationModel, LearningModel, LIFCodingConfig, LIFCodingModel, ModelConfig,
                            RetinotopicConfig, RetinotopicModel, Trainer, WaveSheet, WaveSheetConfig)

#: (model class, a small config, the learning rate of one step) for every learning model.
MODELS = {
    "activation": (ActivationModel, ModelConfig(side=8, n_inputs=16, r_exc=1, r_inh=2, seed=3), 0.03),
    "retinotopic": (RetinotopicModel, RetinotopicConfig(side=8, window=4, r_exc=1, r_inh=2, seed=3), 0.03),
    "spiking_coder": (LIFCodingModel, LIFCodingConfig(side=10, n_inputs=16, seed=3), 0.1),
}


def _stimuli(model, batch=5, seed=0):
    n = model.config.n_inputs
    return np.random.default_rng(seed).standard_normal((batch, n))


class _Sampler:
    def __init__(self, n_inputs):
        self.rng = np.random.default_rng(1)
        self.n_inputs = n_inputs

    def sample(self, batch):
        return self.rng.standard_normal((batch, self.n_inputs))

    def get_state(self):
        return {}

    def set_state(self, state):
        pass


@pytest.fixture(params=sorted(MODELS))
def kind(request):
    return request.param


def test_is_a_learning_model_built_from_its_config_plus_overrides(kind):
    cls, config, _ = MODELS[kind]
    model = cls(config)
    assert isinstance(model, LearningModel)
    assert model.config == config
    changed = cls(config, side=10)
    assert changed.config == config.replace(side=10) and changed.config.side == 10
    assert cls(config).dictionary.tobytes() == model.dictionary.tobytes()  # same config, same model
    with pytest.raises(TypeError, match="config must be a"):
        cls(40)
    with pytest.raises((TypeError, ValueError), match="no_such_parameter"):
        cls(config, no_such_parameter=1)


def test_settle_codes_a_batch_and_leaves_the_dictionary(kind):
    cls, config, _ = MODELS[kind]
    model = cls(config)
    before = model.dictionary.copy()
    code = model.settle(_stimuli(model))
    n_units = model.dictionary.shape[1]
    assert code.shape == (5, n_units) and np.all(np.isfinite(code))
    assert np.array_equal(model.dictionary, before)


def test_learn_reports_exactly_its_record_and_keeps_unit_norm_columns(kind):
    cls, config, lr = MODELS[kind]
    model = cls(config)
    before = model.dictionary.copy()
    code = model.learn(_stimuli(model), lr)
    assert code.shape[0] == 5
    assert set(model.last_record) == set(model.RECORD)
    assert all(isinstance(v, (int, float)) and np.isfinite(v) for v in model.last_record.values())
    d = model.dictionary
    assert not np.array_equal(d, before)
    norms = np.linalg.norm(d, axis=0)
    used = norms > 0  # the spiking coder's inhibitory sites have no field
    np.testing.assert_allclose(norms[used], 1.0, rtol=1e-5)


def test_the_trainer_trains_it(kind):
    cls, config, lr = MODELS[kind]
    model = cls(config)
    trainer = Trainer(model, _Sampler(model.config.n_inputs), steps=3, batch=4, lr=lr, progress=False)
    trainer.run()
    assert trainer.step == 3
    assert set(trainer.history) == set(model.RECORD) and all(len(v) == 3 for v in trainer.history.values())


def test_stimuli_of_the_wrong_size_are_refused_by_name(kind):
    cls, config, lr = MODELS[kind]
    model = cls(config)
    with pytest.raises(ValueError, match=str(model.config.n_inputs)):
        model.settle(np.zeros((3, model.config.n_inputs + 1)))
    with pytest.raises(ValueError, match="NaN|finite"):
        model.learn(np.full((3, model.config.n_inputs), np.nan), lr)


def test_the_wave_sheet_is_built_the_same_way():
    config = WaveSheetConfig(side=20)
    assert WaveSheet(config).config == config
    assert WaveSheet(config, side=30).config.side == 30
    with pytest.raises(TypeError, match="config must be a WaveSheetConfig"):
        WaveSheet(20)

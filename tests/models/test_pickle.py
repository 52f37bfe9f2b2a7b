"""Trained models pickle and deep-copy, and the copy goes on bit-identically (issue 35).

Dask, joblib, multiprocessing and ``copy`` all need it. One test per model
class; a wave sheet continues its simulation from a copy.
"""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from ei_maps.models import (ActivationModel, LIFCodingConfig, LIFCodingModel, RetinotopicConfig, RetinotopicModel,
                            WaveSheet, WaveSheetConfig)

LEARNING_MODELS = {
    "activation numba": lambda: ActivationModel(side=12, n_inputs=16, seed=0, target_sparsity=0.2),
    "activation numpy": lambda: ActivationModel(side=12, n_inputs=16, seed=0, engine="numpy"),
    "retinotopic": lambda: RetinotopicModel(RetinotopicConfig(side=16, r_exc=2, r_inh=3, seed=3, window=4)),
    "spiking coder": lambda: LIFCodingModel(LIFCodingConfig(side=10, n_inputs=16, seed=1)),
}


@pytest.mark.parametrize("name", LEARNING_MODELS)
def test_a_trained_model_pickles_and_its_copies_go_on_bit_identically(name):
    model = LEARNING_MODELS[name]()
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((8, model.config.n_inputs)) for _ in range(6)]
    for x in batches[:3]:
        model.learn(x, 0.05)
    copies = [pickle.loads(pickle.dumps(model)), copy.deepcopy(model)]
    for x in batches[3:]:
        codes = [m.learn(x, 0.05) for m in (model, *copies)]
        for other in codes[1:]:
            np.testing.assert_array_equal(other, codes[0])
    for other in copies:
        np.testing.assert_array_equal(other.dictionary, model.dictionary)
        assert other.last_record == model.last_record
    np.testing.assert_array_equal(copies[0].settle(batches[0]), model.settle(batches[0]))


def test_a_wave_sheet_continues_from_a_copy():
    sheet = WaveSheet(WaveSheetConfig(side=20, seed=2))
    sheet.build()
    sheet.run(20.0)
    twin = pickle.loads(pickle.dumps(sheet))
    a, b = sheet.run(20.0), twin.run(20.0)
    np.testing.assert_array_equal(a["spike_time"].values, b["spike_time"].values)
    np.testing.assert_array_equal(a["spike_neuron"].values, b["spike_neuron"].values)
    assert a.sizes["spike"] > 0


def test_a_trained_model_goes_to_a_dask_worker_process():
    distributed = pytest.importorskip("distributed")
    model = LEARNING_MODELS["activation numba"]()
    x = np.random.default_rng(1).standard_normal((8, 16))
    model.learn(x, 0.05)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = client.submit(lambda m, batch: m.settle(batch), model, x).result(timeout=120)
    np.testing.assert_array_equal(remote, model.settle(x))

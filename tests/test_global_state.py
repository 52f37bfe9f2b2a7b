"""A call leaves nothing changed outside itself: Brian2 preferences and default clock, Numba's thread count,
gc freezing, signal handlers."""
import gc
import signal

import numba
import pytest


def _brian_state():
    import brian2

    return (brian2.prefs.codegen.target, brian2.prefs.codegen.runtime.cython.cache_dir,
            float(brian2.defaultclock.dt / brian2.ms))


def test_the_wave_sheet_leaves_brian2_and_the_sigint_handler_as_it_found_them():
    pytest.importorskip("brian2")
    from ei_maps.models import WaveSheet

    handler = signal.getsignal(signal.SIGINT)
    before = _brian_state()
    WaveSheet(side=20, radius=4, seed=0).run(5.0)
    assert _brian_state() == before
    assert signal.getsignal(signal.SIGINT) is handler


def test_the_brian2_coder_leaves_gc_freezing_and_brian2_as_they_were():
    pytest.importorskip("brian2")
    import numpy as np

    from ei_maps.models import LIFCodingConfig, LIFCodingModel

    before = _brian_state()
    gc.freeze()  # the caller's own frozen objects stay frozen
    frozen = gc.get_freeze_count()
    try:
        model = LIFCodingModel(LIFCodingConfig(side=10, n_inputs=16), engine="brian2")
        model.settle(np.random.default_rng(0).standard_normal((2, 16)))
        assert gc.get_freeze_count() > frozen // 2  # not thawed (objects freed meanwhile leave the count)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert _brian_state() == before


def test_a_sweep_task_restores_numba_threads(tmp_path):
    from ei_maps.framework.sweep import run_config

    threads = numba.get_num_threads()
    result = run_config("images", {"side": 6, "r_exc": 1, "r_inh": 2}, 0, 2, str(tmp_path / "run"))
    assert "error" not in result, result
    assert numba.get_num_threads() == threads


def test_training_restores_the_sigint_handler(tmp_path):
    from ei_maps.config import TrainConfig
    from ei_maps.experiments.images import train_images
    from ei_maps.models import ModelConfig

    handler = signal.getsignal(signal.SIGINT)
    train_images(ModelConfig(side=6, r_exc=1, r_inh=2), TrainConfig(steps=2, batch=4, patch_size=4), out=tmp_path,
                 progress=False, figures=False, log=lambda m: None)
    assert signal.getsignal(signal.SIGINT) is handler

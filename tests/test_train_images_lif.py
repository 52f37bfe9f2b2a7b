"""``ei-maps train images --model lif`` end to end on a tiny sheet: files, figures, resume, analyze, CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.cli import main
from ei_maps.config import TrainConfig
from ei_maps.models import LIFCodingConfig
from ei_maps.framework.analyze import analyze_run
from ei_maps.framework.lifecycle import CHECKPOINT_FILE, RUN_FILE
from ei_maps.experiments.images_lif import model_from_run, train_images_lif
from ei_maps.io import load_dataset

TINY = LIFCodingConfig(side=10, r_inh=3.0)
TINY_TRAIN = TrainConfig(steps=6, batch=32, patch_size=8, lr=0.1, checkpoint_every=3)


def _train(out, engine="numba", **train_changes):
    return train_images_lif(TINY, TINY_TRAIN.replace(**train_changes), engine=engine, out=out, progress=False,
                            probe_repeats=2, log=lambda m: None)


def test_run_layout_figures_and_reload(tmp_path):
    out = tmp_path / "run"
    _train(out)
    assert (out / RUN_FILE).is_file() and not (out / CHECKPOINT_FILE).exists()
    for name in ("receptive_fields.png", "dictionary.png", "training.png", "learning_curves.png"):
        assert (out / name).stat().st_size > 1000
    saved = load_dataset(out / RUN_FILE)
    assert saved["receptive_fields"].dims == ("unit_y", "unit_x", "patch_y", "patch_x")
    assert saved["excitatory"].dims == ("unit_y", "unit_x") and int((~saved["excitatory"]).sum()) == 20
    for var in ("loss", "rate", "active", "threshold", "updated"):
        assert saved[var].sizes["step"] == 6 and np.all(np.isfinite(saved[var]))
    assert saved.attrs["kind"] == "images_lif" and saved.attrs["model_side"] == 10
    # learning curves on held-out patches: the untrained start and the last step
    assert list(saved["eval_step"].values) == [0, 6]
    ev = saved["explained_variance"].values
    assert np.all(np.isfinite(ev)) and np.all(ev < 1)
    assert json.loads(saved.attrs["summary"])["held_out"]["explained_variance"] == ev[-1]
    fields = saved["receptive_fields"].values
    assert np.all(fields[~saved["excitatory"].values] == 0)
    model = model_from_run(saved)
    np.testing.assert_array_equal(model.dictionary, saved["dictionary"].values.reshape(100, 64).T)
    assert model.threshold == json.loads(saved.attrs["model_state"])["threshold"]


def test_resume_continues_to_the_uninterrupted_result(tmp_path):
    _train(tmp_path / "whole")
    _train(tmp_path / "split", steps=3)
    resumed = train_images_lif(TINY, TINY_TRAIN, engine="numba", out=tmp_path / "split", resume=True,
                               progress=False, probe_repeats=2, log=lambda m: None)
    whole = load_dataset(tmp_path / "whole" / RUN_FILE)
    np.testing.assert_array_equal(resumed["dictionary"].values, whole["dictionary"].values)
    np.testing.assert_array_equal(resumed["threshold"].values, whole["threshold"].values)
    # the curve keeps the split run's point at step 3 and ends on the same final point
    assert list(resumed["eval_step"].values) == [0, 3, 6]
    assert resumed["explained_variance"].values[-1] == whole["explained_variance"].values[-1]
    with pytest.raises(ValueError, match="other parameters"):
        train_images_lif(TINY.replace(w_inh=3.0), TINY_TRAIN.replace(steps=9), engine="numba",
                         out=tmp_path / "split", resume=True, progress=False, log=lambda m: None)


def test_brian2_engine_trains_the_same_map(tmp_path):
    pytest.importorskip("brian2")
    a = _train(tmp_path / "numba", steps=2, checkpoint_every=0)
    b = _train(tmp_path / "brian2", engine="brian2", steps=2, checkpoint_every=0)
    np.testing.assert_array_equal(a["dictionary"].values, b["dictionary"].values)


def test_analyze_masks_the_inhibitory_sites(tmp_path):
    out = tmp_path / "run"
    _train(out)
    summary = analyze_run(out, n_permutations=9, figures=True)
    assert summary["units_analyzed"] == 80
    assert summary["orientation"]["method"] == "receptive-field energy"
    assert (out / "orientation_map.png").is_file()
    ds = load_dataset(out / "analysis.nc")
    assert np.all(np.isfinite(ds["preference"]))


def test_cli_json_and_option_checks(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["train", "images", "--model", "lif", "--engine", "numba", "--side", "10", "--r-inh", "3",
                 "--steps", "2", "--batch", "16", "--patch-size", "8", "--probe-repeats", "1",
                 "--target-rate", "0.05", "--out", str(out), "--json", "--no-progress", "--no-figures"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["model"] == "lif" and summary["steps"] == 2
    assert json.loads(load_dataset(out / RUN_FILE).attrs["model_config"])["target_rate"] == 0.05
    assert main(["train", "images", "--model", "lif", "--lam", "0.1", "--out", str(tmp_path / "other")]) == 2
    assert "--lam" in capsys.readouterr().err
    assert main(["train", "images", "--target-rate", "0.1", "--out", str(tmp_path / "other")]) == 2
    assert "--target-rate" in capsys.readouterr().err


def test_cli_default_run_directory_depends_on_the_model(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "images", "--model", "lif", "--engine", "numba", "--side", "10", "--r-inh", "3",
                 "--steps", "1", "--batch", "8", "--patch-size", "8", "--probe-repeats", "1", "--no-progress",
                 "--no-figures", "--json"]) == 0
    assert (tmp_path / "runs" / "images-lif" / RUN_FILE).is_file()
    assert not (tmp_path / "runs" / "images").exists()


def test_brian2_stream_interrupted_by_ctrl_c_resumes_exactly(tmp_path):
    # Ctrl-C during a Brian2 stream (many windows in one Brian2 run) stops it at a step boundary, saves
    # the checkpoint, and the run resumes (here with numba, which gives the same spikes) to the same result
    pytest.importorskip("brian2")
    import os
    import signal

    from ei_maps.experiments import images_lif
    from ei_maps.models.learning import Trainer

    whole = _train(tmp_path / "whole", steps=6, checkpoint_every=0)
    real_run = Trainer.run

    def run_with_ctrl_c(self):
        self.monitor_every, real_monitor = 1, self.monitor

        def monitor(trainer):
            real_monitor(trainer)
            if trainer.step == 3:
                os.kill(os.getpid(), signal.SIGINT)

        self.monitor = monitor
        real_run(self)

    Trainer.run = run_with_ctrl_c
    try:
        with pytest.raises(KeyboardInterrupt):
            images_lif.train_images_lif(TINY, TINY_TRAIN.replace(steps=6, checkpoint_every=0), engine="brian2",
                                        out=tmp_path / "split", progress=False, probe_repeats=2, log=lambda m: None)
    finally:
        Trainer.run = real_run
    assert load_dataset(tmp_path / "split" / CHECKPOINT_FILE).attrs["steps_done"] == 3
    resumed = train_images_lif(TINY, TINY_TRAIN.replace(steps=6, checkpoint_every=0), engine="numba",
                               out=tmp_path / "split", resume=True, progress=False, probe_repeats=2,
                               log=lambda m: None)
    np.testing.assert_array_equal(resumed["dictionary"].values, whole["dictionary"].values)
    np.testing.assert_array_equal(resumed["threshold"].values, whole["threshold"].values)

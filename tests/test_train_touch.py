"""``ei-maps train touch`` on a small sheet: territories need lateral interactions; files, resume, analyze, CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.cli import main
from ei_maps.config import TouchTrainConfig
from ei_maps.models import PAPER_TOUCH_MODEL
from ei_maps.framework.lifecycle import CHECKPOINT_FILE, RUN_FILE
from ei_maps.experiments.touch import train_touch
from ei_maps.io import load_dataset

SMALL = PAPER_TOUCH_MODEL.replace(side=16, r_exc=3, r_inh=4)
SHORT = TouchTrainConfig(steps=300, after_steps=150, batch=64, probe_samples=32, checkpoint_every=100)
# the paper's settings with kernels scaled to a 16 x 16 sheet, long enough for its blobs to form
BLOBS = PAPER_TOUCH_MODEL.replace(side=16, r_exc=2, r_inh=4, sigma2=2.0)
BLOB_TRAINING = TouchTrainConfig(steps=2000, after_steps=1000, batch=64, probe_samples=64, checkpoint_every=0)


def _run(out, model=SMALL, **changes):
    return train_touch(model, train_config=SHORT.replace(**changes), out=out, progress=False, figures=False,
                       log=lambda m: None)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("touch") / "run")


def _components(ds):
    return {f: t["components"] for f, t in json.loads(ds.attrs["summary"])["territories"]["before"].items()}


@pytest.fixture(scope="module")
def blob_run(tmp_path_factory):
    return train_touch(BLOBS, train_config=BLOB_TRAINING, out=tmp_path_factory.mktemp("touch") / "blobs",
                       progress=False, figures=False, log=lambda m: None)


def test_lateral_interactions_make_one_territory_per_finger(blob_run, tmp_path):
    blobs = blob_run
    # the same leak without any lateral kernel: every unit learns alone
    isolated = BLOBS.replace(w_exc=0.0, w_inh=0.0, leak=BLOBS.effective_leak)
    alone = train_touch(isolated, train_config=BLOB_TRAINING.replace(after_steps=0), out=tmp_path / "alone",
                        progress=False, figures=False, log=lambda m: None)
    # seed 0 (a fixed-seed check; seeds 1-3 gave one component for 13-14 of their 15 fingers): one blob per finger
    assert _components(blobs) == {str(f): 1 for f in range(1, 6)}
    sizes = [t["size"] for t in json.loads(blobs.attrs["summary"])["territories"]["before"].values()]
    assert min(sizes) >= 8
    # without lateral kernels each finger is coded by scattered single units (measured 12-17 components)
    assert min(_components(alone).values()) > 5


def test_run_holds_both_phases_and_the_territories(default_run):
    ds = default_run
    for phase in ("before", "after"):
        assert ds[f"preferred_finger_{phase}"].dims == ("unit_y", "unit_x")
        assert ds[f"dictionary_{phase}"].dims == ("unit_y", "unit_x", "input")
        responses = ds[f"class_responses_{phase}"]
        assert responses.dims == ("stimulus_class", "unit_y", "unit_x")
        # every class in both phases, the deprived finger's included
        assert list(responses["stimulus_class"].values) == ["finger 1", "finger 2", "finger 3", "finger 4",
                                                            "finger 5", "fingers 1+2", "fingers 1+3"]
    assert ds["territory"].dims == ("phase", "finger", "unit_y", "unit_x")
    assert list(ds["phase"].values) == ["before", "after"] and list(ds["finger"].values) == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(ds["territory_size"].values, ds["territory"].sum(("unit_y", "unit_x")).values)
    # two phases of learning: the dictionaries are copies, not two views of the final one
    assert not np.array_equal(ds["dictionary_before"].values, ds["dictionary_after"].values)
    summary = json.loads(ds.attrs["summary"])
    assert summary["manipulation"] == "deprive:3"
    for phase in ("before", "after"):
        for f, t in summary["territories"][phase].items():
            assert t["size"] == int(ds["territory_size"].sel(phase=phase, finger=int(f)))
            assert set(t) == {"size", "components", "largest_component", "centroid", "sign", "peak"}
    d = summary["deprived"]
    assert d["finger"] == 3 and d["size_before"] == summary["territories"]["before"]["3"]["size"]
    assert set(d["growth"]) == {"1", "2", "4", "5"}


def test_dictionary_before_is_the_state_at_the_phase_switch(tmp_path):
    two_phase = _run(tmp_path / "two", steps=40, after_steps=20)
    one_phase = _run(tmp_path / "one", steps=40, after_steps=0)
    np.testing.assert_array_equal(two_phase["dictionary_before"].values, one_phase["dictionary_before"].values)
    np.testing.assert_array_equal(one_phase["dictionary_after"].values, one_phase["dictionary_before"].values)
    assert not np.array_equal(two_phase["dictionary_after"].values, two_phase["dictionary_before"].values)


def test_deprivation_fades_the_finger_territory(blob_run):
    # deprive:3 removes finger 3's classes from training; measured on the before map's scale its response
    # weakens and its territory shrinks by at least half (the target for the full run)
    d = json.loads(blob_run.attrs["summary"])["deprived"]
    assert d["size_after"] <= d["size_before"] / 2 and d["peak_ratio"] < 0.75


def test_resuming_a_finished_run_is_refused(tmp_path):
    out = tmp_path / "run"
    _run(out, steps=20, after_steps=10)
    assert (out / RUN_FILE).is_file() and not (out / CHECKPOINT_FILE).exists()
    with pytest.raises(ValueError, match="finished"):
        train_touch(SMALL, train_config=SHORT, out=out, resume=True, progress=False, log=lambda m: None)


@pytest.mark.parametrize("phase_steps", [40, 30], ids=["first phase", "second phase"])
def test_checkpoint_in_either_phase_resumes_exactly(tmp_path, monkeypatch, phase_steps):
    out = tmp_path / "run"
    config = SHORT.replace(steps=40, after_steps=30, checkpoint_every=10)
    whole = train_touch(SMALL, train_config=config, out=tmp_path / "whole", progress=False, figures=False,
                        log=lambda m: None)
    # interrupt halfway through one phase: Ctrl-C is delivered as KeyboardInterrupt by the trainer
    from ei_maps.models.learning import Trainer

    real_run = Trainer.run

    def interrupted(self):
        if self.steps == phase_steps:
            self.steps = phase_steps // 2
            real_run(self)
            self.checkpoint(self)
            raise KeyboardInterrupt
        real_run(self)

    monkeypatch.setattr(Trainer, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_touch(SMALL, train_config=config, out=out, progress=False, figures=False, log=lambda m: None)
    assert load_dataset(out / CHECKPOINT_FILE).attrs["phase"] == ("before" if phase_steps == 40 else "after")
    monkeypatch.setattr(Trainer, "run", real_run)
    resumed = train_touch(SMALL, train_config=config, out=out, resume=True, progress=False, figures=False,
                          log=lambda m: None)
    for name in ("dictionary_before", "dictionary_after", "class_responses_before", "class_responses_after",
                 "territory", "loss_before", "loss_after", "lam_after"):
        np.testing.assert_array_equal(resumed[name].values, whole[name].values, err_msg=name)


def test_the_inhibition_sweep_is_the_generic_sweep_around_the_other_options(tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "sweep"
    assert main(["train", "touch", "--sweep-w-inh", "2,8", "--side", "12", "--r-exc", "2", "--r-inh", "3",
                 "--steps", "60", "--after-steps", "30", "--probe-samples", "8", "--noise", "0.2",
                 "--pairs", "1+2", "--out", str(out), "--json", "--no-progress", "--no-figures"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["reorganization"]) == {"w_inh=2", "w_inh=8"}
    assert all(np.isfinite(v) for v in summary["reorganization"].values())
    result = load_dataset(out / "sweep.nc")
    assert list(result["done"].dims) == ["w_inh", "seed"] and bool(result["done"].all())
    base = json.loads(result.attrs["base"])
    assert (base["side"], base["after_steps"], base["noise"], base["pairs"]) == (12, 30, 0.2, "1+2")
    run = load_dataset(next(out.glob("w_inh=8*")) / RUN_FILE)
    hand = json.loads(run.attrs["hand_config"])
    # one pair: the five fingers share what it leaves, (1 - 0.1) / 5 each
    assert (hand["noise"], hand["pairs"], hand["single_probability"]) == (0.2, [[1, 2]], 0.18)
    assert run.attrs["steps_done"] == 90
    # a bad hand is refused by the sweep's up-front check, before any run
    assert main(["train", "touch", "--sweep-w-inh", "2", "--pairs", "1+9", "--out", str(tmp_path / "bad")]) == 2
    assert "error: pair (1, 9): fingers must be in 1..5" in capsys.readouterr().err
    assert not any((tmp_path / "bad").glob("w_inh=*"))
    assert main(["train", "touch", "--sweep-w-inh", "2", "--seed", "3", "--out", str(tmp_path / "x")]) == 2
    assert "--seed and --resume do not apply" in capsys.readouterr().err


def test_cli(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["train", "touch", "--side", "12", "--r-exc", "2", "--r-inh", "3", "--steps", "20",
                 "--after-steps", "10", "--probe-samples", "8", "--manipulation", "syndactyly:2,3",
                 "--out", str(out), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["manipulation"] == "syndactyly:2,3" and "deprived" not in summary
    for figure in ("class_maps.png", "finger_maps.png", "training.png"):
        assert (out / figure).is_file()
    ds = load_dataset(out / RUN_FILE)
    # the class a syndactyly adds is measured before it too
    assert list(ds["class_responses_before"]["stimulus_class"].values)[-1] == "fingers 2+3"
    assert main(["analyze", str(out), "--json"]) == 0
    analyzed = json.loads(capsys.readouterr().out)
    assert analyzed["territories"] == summary["territories"]
    assert main(["analyze", str(out)]) == 0
    assert "territories" in capsys.readouterr().out
    assert main(["train", "touch", "--manipulation", "amputate:3", "--out", str(tmp_path / "x")]) == 2
    assert "amputate" in capsys.readouterr().err


def test_paper_deprivation_and_the_older_options(tmp_path):
    # silence:3 (the earlier default) and fresh stimuli every batch stay available
    ds = _run(tmp_path / "silence", steps=30, after_steps=20, manipulation="silence:3", sample_set=0)
    summary = json.loads(ds.attrs["summary"])
    assert summary["manipulation"] == "silence:3" and summary["deprived"]["finger"] == 3
    # silenced receptors: the finger's probes after carry only noise, so its response collapses
    assert summary["deprived"]["peak_ratio"] < 0.5


def test_bad_touch_options_are_refused(tmp_path, capsys):
    for option, value, match in (("--territory-fraction", "1.5", "territory_fraction"),
                                 ("--sample-set", "-1", "sample_set"),
                                 ("--manipulation", "deprive:9", "fingers must be in")):
        assert main(["train", "touch", option, value, "--out", str(tmp_path / "x"), "--no-progress"]) == 2
        assert match in capsys.readouterr().err


def test_checkpoints_keep_the_running_phase_history(tmp_path):
    from ei_maps.experiments.touch import checkpoint_dataset
    from ei_maps.models import ActivationModel
    from ei_maps.models.learning import Trainer
    from ei_maps.stimuli.touch import HandConfig, HandSampler

    model = ActivationModel.from_config(SMALL.replace(side=6, r_exc=2, r_inh=3))
    trainer = Trainer(model, HandSampler(HandConfig()), steps=5, batch=8, lr=0.02, progress=False)
    trainer.run()
    # what a resumed run carries over from its checkpoint: an older, shorter history of the same phase
    stale = {"vars": {"loss_before": xr_stale(3)}}
    ds = checkpoint_dataset("before", trainer, SHORT, HandConfig(), stale)
    assert ds.sizes["step_before"] == 5
    np.testing.assert_array_equal(ds["loss_before"].values, trainer.history["loss"])


def xr_stale(n):
    import xarray as xr

    return xr.DataArray(np.ones(n), dims="step_before")

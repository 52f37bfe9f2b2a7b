"""``ei-maps train touch`` on a small sheet: territories need lateral interactions; files, resume, analyze, CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.cli import main
from ei_maps.config import PAPER_TOUCH_MODEL, TouchTrainConfig
from ei_maps.experiments.runs import CHECKPOINT_FILE, RUN_FILE
from ei_maps.experiments.touch import sweep_inhibition, train_touch
from ei_maps.io import load_dataset

SMALL = PAPER_TOUCH_MODEL.replace(side=16, r_exc=3, r_inh=4)
SHORT = TouchTrainConfig(steps=300, after_steps=150, batch=64, probe_samples=32, checkpoint_every=100)


def _run(out, model=SMALL, **changes):
    return train_touch(model, train_config=SHORT.replace(**changes), out=out, progress=False, figures=False,
                       log=lambda m: None)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("touch") / "run")


def test_lateral_interactions_make_contiguous_territories(default_run, tmp_path):
    # the same leak without any lateral kernel: every unit learns alone
    isolated = SMALL.replace(w_exc=0.0, w_inh=0.0, leak=SMALL.effective_leak)
    alone = json.loads(_run(tmp_path / "alone", isolated, after_steps=0).attrs["summary"])["contiguity"]["before"]
    lateral = json.loads(default_run.attrs["summary"])["contiguity"]["before"]
    # measured on this 16 x 16 sheet after 300 steps: boundary fraction 0.816 and 26.8 patches per finger
    # alone (salt and pepper: random labels give 0.8), 0.605 and 18.6 with the E/I kernels
    assert alone["boundary_fraction"] > 0.75
    assert lateral["boundary_fraction"] < 0.68
    assert lateral["mean_patches"] < 0.8 * alone["mean_patches"]


def test_run_holds_both_phases_and_the_takeover(default_run):
    ds = default_run
    for phase in ("before", "after"):
        assert ds[f"preferred_finger_{phase}"].dims == ("unit_y", "unit_x")
        assert ds[f"dictionary_{phase}"].dims == ("unit_y", "unit_x", "input")
        assert ds[f"class_responses_{phase}"].sizes[f"class_{phase}"] == 7
    summary = json.loads(ds.attrs["summary"])
    assert summary["manipulation"] == "deprive:3"
    assert sum(summary["territory_before"].values()) == pytest.approx(1 - summary["unresponsive"]["before"])
    # the deprived finger loses its territory to the others
    assert summary["territory_after"]["3"] < 0.5 * summary["territory_before"]["3"]
    take = summary["deprived"]
    assert take["retained"] + sum(take["takeover"].values()) == pytest.approx(1.0)
    assert take["coactivated"] == [1]
    assert 0 < summary["reorganisation"] < 1


def test_resuming_a_finished_run_is_refused(tmp_path):
    out = tmp_path / "run"
    _run(out, steps=20, after_steps=10)
    assert (out / RUN_FILE).is_file() and not (out / CHECKPOINT_FILE).exists()
    with pytest.raises(ValueError, match="finished"):
        train_touch(SMALL, train_config=SHORT, out=out, resume=True, progress=False, log=lambda m: None)


def test_checkpoint_in_the_second_phase_resumes_exactly(tmp_path, monkeypatch):
    out = tmp_path / "run"
    config = SHORT.replace(steps=60, after_steps=40, checkpoint_every=20)
    whole = train_touch(SMALL, train_config=config, out=tmp_path / "whole", progress=False, figures=False,
                        log=lambda m: None)
    # interrupt during phase "after": Ctrl-C is delivered as KeyboardInterrupt by the trainer
    from ei_maps.models.learning import Trainer

    real_run = Trainer.run

    def interrupted(self):
        if self.steps == 40:  # phase "after"
            self.steps = 20
            real_run(self)
            self.checkpoint(self)
            raise KeyboardInterrupt
        real_run(self)

    monkeypatch.setattr(Trainer, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_touch(SMALL, train_config=config, out=out, progress=False, figures=False, log=lambda m: None)
    assert load_dataset(out / CHECKPOINT_FILE).attrs["phase"] == "after"
    monkeypatch.setattr(Trainer, "run", real_run)
    resumed = train_touch(SMALL, train_config=config, out=out, resume=True, progress=False, figures=False,
                          log=lambda m: None)
    np.testing.assert_array_equal(resumed["dictionary_after"].values, whole["dictionary_after"].values)
    np.testing.assert_array_equal(resumed["preferred_finger_after"].values, whole["preferred_finger_after"].values)


def test_sweep_and_cli(tmp_path, capsys):
    config = SHORT.replace(steps=60, after_steps=30)
    sweep = sweep_inhibition([2.0, 8.0], model_config=SMALL, train_config=config, out=tmp_path / "sweep",
                             log=lambda m: None)
    assert sweep["reorganisation"].dims == ("w_exc", "w_inh") and sweep.sizes["w_inh"] == 2
    assert np.all(np.isfinite(sweep["reorganisation"]))
    assert (tmp_path / "sweep" / "sweep.png").is_file()
    out = tmp_path / "cli"
    assert main(["train", "touch", "--side", "12", "--r-exc", "2", "--r-inh", "3", "--steps", "20",
                 "--after-steps", "10", "--probe-samples", "8", "--manipulation", "syndactyly:2,3",
                 "--out", str(out), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["manipulation"] == "syndactyly:2,3" and "deprived" not in summary
    assert (out / "finger_maps.png").is_file() and (out / "class_activations_after.png").is_file()
    assert main(["analyze", str(out), "--json"]) == 0
    analysed = json.loads(capsys.readouterr().out)
    assert analysed["territory_before"] == summary["territory_before"]
    assert main(["train", "touch", "--manipulation", "amputate:3", "--out", str(tmp_path / "x")]) == 2
    assert "amputate" in capsys.readouterr().err


def test_takeover_of_a_finger_without_territory_is_reported_not_raised():
    import xarray as xr

    from ei_maps.experiments.touch import _takeover_entries
    from ei_maps.stimuli.touch import HandConfig

    before = xr.DataArray(np.tile([1, 2, 4, 5], (4, 1)), dims=("unit_y", "unit_x"))  # finger 3 won no unit
    warnings = []
    entries = _takeover_entries({"before": before, "after": before}, HandConfig(), 3, warnings.append)
    assert entries["deprived_takeover"] is None and "territory" in entries["deprived"]["error"]
    assert warnings and "no takeover" in warnings[0]


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

"""Bad options are refused before any work, with one line naming the problem (no traceback, exit 2)."""
import pytest

from ei_maps.cli import main

CASES = [
    (["train", "images", "--side", "3000"], "needs about"),                      # memory, before allocation
    (["train", "images", "--batch", "1000000000"], "needs about"),
    (["train", "images", "--side", "10", "--patch-size", "5000"], "with batches of 128 5000 x 5000 patches needs"),
    (["train", "images", "--model", "lif", "--side", "3000"], "needs about"),
    (["train", "touch", "--side", "3000"], "needs about"),
    (["waves", "--side", "3000"], "needs about"),
    (["train", "images", "--r-inh", "100000"], "r_inh must be a positive integer at most the side"),
    (["train", "images", "--seed", str(2**64)], "seed must be an integer from 0 to 2**63 - 1"),
    (["train", "images", "--model-seed", "-1"], "--model-seed"),
    (["train", "images", "--lam", "1e300"], "lam (1e+300) does not fit in float32"),
    (["train", "images", "--lr", "1e300"], "lr must be in"),
    (["train", "images", "--model", "lif", "--probe-repeats", "0"], "probe-repeats"),
    (["train", "touch", "--side", "2"], "r_exc must be a positive integer at most the side"),
    (["train", "text", "--side", "3"], "must be a positive integer at most the side"),
    (["waves", "--duration", "inf"], "duration must be a finite number"),
    (["waves", "--transient", "-1"], "transient must be a finite number of ms >= 0"),
    (["waves", "--side", "20", "--radius", "500"], "radius (500 sites) must be at most the side"),
    (["waves", "--side", "20", "--radius", "0.5"], "radius (0.5 sites) must be at least 1"),
    (["sweep", "images", "--param", "w_inh=2", "--workers", "100000"], "more than this machine can run"),
    (["sweep", "images", "--param", "seed=1,2"], "seed cannot be swept"),
    (["sweep", "images", "--param", "n_inputs=16"], "n_inputs cannot be swept"),
    (["sweep", "touch", "--param", "steps=5"], "steps cannot be swept"),
    (["sweep", "touch", "--param", "after_steps=5"], "after_steps cannot be swept"),
    (["sweep", "images", "--param", "w_inh=1", "--param", "w_inh=2"], "--param w_inh is given twice"),
    (["sweep", "images", "--param", "w_inh=abc"], "configuration w_inh=abc"),
    (["sweep", "images", "--param", "w_inh=nan"], "configuration w_inh=nan"),
    (["sweep", "images", "--param", "side=10,abc"], "parameter 'side' takes values like its default"),
    (["sweep", "images", "--param", "side=10,10.0"], "parameter 'side' repeats a value"),
    (["sweep", "images", "--param", "w_inh=2", "--steps", "-3"], "configuration w_inh=2"),
    (["train", "touch", "--sweep-w-inh", "5,5.0000001"], "--sweep-w-inh repeats a value"),
    (["train", "touch", "--sweep-w-inh", "5,5"], "--sweep-w-inh repeats a value"),
    (["train", "touch", "--sweep-w-inh", "5", "--sweep-w-exc", ""], "--sweep-w-exc needs at least one value"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_refused_with_a_clear_line(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out" / "run.nc").exists() and not (tmp_path / "out" / "spikes.nc").exists()


def test_a_word_map_needs_room_for_its_regions(tmp_path):
    from ei_maps.experiments.text import MAP_REGIONS, train_text
    from ei_maps.models import PAPER_TEXT_MODEL

    with pytest.raises(ValueError, match=f"at least {MAP_REGIONS}"):
        train_text(PAPER_TEXT_MODEL.replace(side=3, r_exc=1, r_inh=2), out=tmp_path, progress=False)
    assert not (tmp_path / "checkpoint.nc").exists()


def test_a_sweep_whose_every_configuration_failed_exits_non_zero(tmp_path, capsys):
    # max_iter 1 passes every check and then diverges while training: a runtime failure, recorded
    argv = ["sweep", "images", "--param", "max_iter=1", "--param", "side=6", "--steps", "2", "--workers", "1",
            "--out", str(tmp_path), "--no-progress", "--no-figures"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "every configuration of the sweep failed" in err and "Traceback" not in err


@pytest.mark.parametrize("module, message", [
    ("def oops(:\n", "cannot import the experiment module 'broken'"),
    ("import sys\nprint('ran')\nsys.exit(0)\n", "called sys.exit(0) while being imported"),
    ("EXPERIMENT = 42\n", "declares int 42 as an experiment: EXPERIMENT must be an ei_maps.framework.Experiment"),
])
def test_an_experiment_module_that_fails_exits_or_declares_nonsense_is_named(tmp_path, module, message):
    import os
    import subprocess
    import sys

    (tmp_path / "broken.py").write_text(module)
    env = {**os.environ, "EI_MAPS_EXPERIMENTS_PATH": str(tmp_path)}

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "ei_maps", *argv], capture_output=True, text=True, env=env,
                              timeout=120)

    done = run("train", "images", "--steps", "1", "--out", str(tmp_path / "run"))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "broken" in done.stderr and "Traceback" not in done.stderr and not (tmp_path / "run").exists()
    # the command list and the version do not import (so do not run) the user's modules
    for argv in (["--help"], ["--version"]):
        done = run(*argv)
        assert done.returncode == 0 and "ran" not in done.stdout.split() and not done.stderr, done.stderr


def test_analyze_of_a_run_whose_kind_was_edited_names_the_run(tmp_path, capsys):
    from ei_maps.config import TrainConfig
    from ei_maps.experiments.images import train_images
    from ei_maps.io import load_dataset, save_dataset
    from ei_maps.models import ModelConfig

    out = tmp_path / "run"
    train_images(ModelConfig(side=6, r_exc=1, r_inh=2), TrainConfig(steps=2, batch=4, patch_size=4,
                                                                    checkpoint_every=0),
                 out=out, progress=False, figures=False, log=lambda m: None)
    ds = load_dataset(out / "run.nc")
    ds.attrs["kind"] = "text"
    save_dataset(ds, out / "run.nc")
    assert main(["analyze", str(out), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "the run does not hold what its kind needs" in err and "Traceback" not in err


def test_images_too_small_to_resolve_are_refused_clearly(tmp_path):
    import numpy as np

    from ei_maps.stimuli import PatchSampler

    sampler = PatchSampler([np.random.default_rng(0).random((32, 32)) * 1e-300], patch_size=8, seed=0)
    with pytest.raises(ValueError, match="could not find non-flat patches"):
        sampler.sample(4)


def test_images_too_large_to_compute_with_are_refused(tmp_path, capsys):
    import numpy as np
    import scipy.io

    path = tmp_path / "huge.mat"
    scipy.io.savemat(path, {"IMAGES": np.random.default_rng(0).random((32, 32, 2)) * 1e160})
    argv = ["train", "images", "--images", str(path), "--patch-size", "8", "--side", "10", "--steps", "2",
            "--out", str(tmp_path / "out"), "--no-progress", "--no-figures"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "pixel values up to 1e+160 are too large" in err and "Traceback" not in err


def test_linearly_unstable_settings_are_said_so(tmp_path, capsys):
    argv = ["train", "images", "--leak", "1", "--side", "10", "--steps", "2", "--batch", "4",
            "--out", str(tmp_path / "out"), "--no-progress", "--no-figures"]
    main(argv)
    assert "the linearized E/I dynamics are unstable" in capsys.readouterr().err
    main(["train", "images", "--side", "10", "--steps", "2", "--batch", "4", "--out", str(tmp_path / "ok"),
          "--no-progress", "--no-figures"])
    assert "unstable" not in capsys.readouterr().err


def test_a_finished_run_is_not_replaced_without_being_asked(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "images", "--side", "10", "--steps", "2", "--batch", "4", "--out", str(out),
            "--no-progress", "--no-figures"]
    assert main(argv) == 0
    stamp = (out / "run.nc").stat().st_mtime_ns
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "already holds a run (run.nc)" in err and "--overwrite" in err
    assert (out / "run.nc").stat().st_mtime_ns == stamp
    assert main([*argv, "--overwrite"]) == 0
    assert (out / "run.nc").stat().st_mtime_ns != stamp
    assert main(["train", "images", "--out", "", "--no-progress"]) == 2
    assert "--out is empty" in capsys.readouterr().err


def test_analysis_options_of_another_kind_are_refused_not_ignored(tmp_path, capsys):
    from ei_maps.config import TrainConfig
    from ei_maps.experiments.images import train_images
    from ei_maps.models import ModelConfig

    out = tmp_path / "run"
    train_images(ModelConfig(side=6, r_exc=1, r_inh=2), TrainConfig(steps=2, batch=4, patch_size=4,
                                                                    checkpoint_every=0),
                 out=out, progress=False, figures=False, log=lambda m: None)
    assert main(["analyze", str(out), "--territory-fraction", "0.3", "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "--territory-fraction does not apply to images runs" in err and "Traceback" not in err
    assert main(["analyze", str(out), "--permutations", "5", "--no-figures", "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["method"] == "gratings"

"""``ei-maps sweep`` on a 2-worker LocalCluster: the grid as one Dataset, a failing configuration, resume."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("distributed")

from ei_maps import sweep  # noqa: E402
from ei_maps.cli import main  # noqa: E402
from ei_maps.framework.sweep import SWEEP_FILE, split_overrides  # noqa: E402
from ei_maps.io import load_dataset  # noqa: E402


def test_grid_failure_and_resume(tmp_path):
    out = tmp_path / "sweep"
    # max_iter 1 is a valid setting whose dynamics diverge while training: those two runs fail, as runs do
    params = {"max_iter": [49, 30, 1], "side": [6, 8]}
    result = sweep("images", params, steps=10, out=out, workers=2, progress=False, log=lambda m: None)
    assert result["adjacent_similarity"].dims == ("max_iter", "side", "seed")
    assert result["adjacent_similarity"].shape == (3, 2, 1)
    ok = result.sel(max_iter=[49, 30])
    assert bool(ok["done"].all()) and np.all(np.isfinite(ok["adjacent_similarity"]))
    bad = result.sel(max_iter=1)
    assert not bool(bad["done"].any()) and all("diverged" in str(e) for e in bad["error"].values.ravel())
    saved = load_dataset(out / SWEEP_FILE)
    np.testing.assert_array_equal(saved["adjacent_similarity"].values, result["adjacent_similarity"].values)
    # each swept parameter is described by its declaration (CF): the side in grid units, written as "1"
    assert saved["side"].attrs["units"] == "1" and saved["side"].attrs["long_name"].endswith("[grid units]")
    assert saved["max_iter"].attrs["units"] == "1" and saved["seed"].attrs["long_name"] == "seed of the run"
    undescribed = [n for n, v in saved.variables.items()
                   if "long_name" not in v.attrs or ("units" not in v.attrs and v.dtype.kind not in "USO")]
    assert not undescribed, undescribed
    for side in (6, 8):
        assert (out / f"max_iter=49,side={side},seed=0" / "run.nc").is_file()
    assert (out / "sweep_max_iter_side.png").is_file() and (out / "sweep_best_worst.png").is_file()
    # resume: finished configurations are not run again (their run.nc stays untouched)
    stamp = (out / "max_iter=49,side=6,seed=0" / "run.nc").stat().st_mtime_ns
    logged = []
    again = sweep("images", {**params, "side": [6, 8, 10]}, steps=10, out=out, workers=2, progress=False,
                  log=logged.append, figures=False)
    # 9 configurations: the 4 done are skipped; the 2 failures and the 3 new side-10 ones run
    assert any("9 configurations, 5 to run" in m for m in logged)
    assert (out / "max_iter=49,side=6,seed=0" / "run.nc").stat().st_mtime_ns == stamp
    np.testing.assert_array_equal(again["adjacent_similarity"].sel(side=[6, 8]).values,
                                  result["adjacent_similarity"].values)


def test_bad_requests_fail_before_any_work(tmp_path):
    # a bad value anywhere in the grid is refused before any run starts, naming its configuration
    with pytest.raises(ValueError, match="configuration w_inh=-1.0"):
        sweep("images", {"w_inh": [2.0, -1.0]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="parameter 'side' takes values like its default 40, got 'abc'"):
        sweep("images", {"side": [10, "abc"]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="parameter 'side' repeats a value"):
        sweep("images", {"side": [10, 10.0]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="steps cannot be swept"):
        sweep("touch", {"steps": [5]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="after_steps cannot be swept"):
        sweep("touch", {"after_steps": [5]}, out=tmp_path, progress=False)
    # the run's other parameters (a declared extra class) are checked the same way, swept or fixed
    with pytest.raises(ValueError, match=r"configuration noise=-0.1: noise must be >= 0 intensity units"):
        sweep("touch", {"noise": [0.1, -0.1]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"duration_ms must be > 0 ms, got -5.0"):
        sweep("waves", {"side": [20]}, base={"duration_ms": -5}, out=tmp_path, progress=False)
    assert not (tmp_path / "sweep.zarr").exists()
    with pytest.raises(ValueError, match="unknown parameter 'w_inhh'"):
        sweep("images", {"w_inhh": [1, 2]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="unknown sweep kind 'nosuch'"):
        sweep("nosuch", {"w_inh": [1]}, out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="repeats"):
        sweep("images", {"w_inh": [1, 1]}, out=tmp_path, progress=False)
    assert split_overrides("touch", {"w_inh": 1, "after_steps": 5}) == ({"w_inh": 1}, {"after_steps": 5})
    from ei_maps.config import TrainConfig
    from ei_maps.framework.sweep import _typed

    assert _typed(TrainConfig(), "whiten", "false") is False and _typed(TrainConfig(), "whiten", "True") is True
    with pytest.raises(ValueError, match="true or false"):
        _typed(TrainConfig(), "whiten", "maybe")


@pytest.mark.slow  # ~9 s of sweeps: with --runslow (test_grid_failure_and_resume covers resuming)
def test_cli_json_summary(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["sweep", "images", "--param", "w_inh=2,5", "--param", "side=6", "--steps", "5", "--seeds", "2",
                 "--workers", "2", "--out", str(out), "--json", "--no-progress", "--no-figures"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["configurations"] == 4 and summary["done"] == 4 and summary["failed"] == 0
    assert set(summary["best"]) == {"w_inh", "side", "seed", "adjacent_similarity"}
    assert main(["sweep", "images", "--param", "w_inh", "--out", str(out)]) == 2


@pytest.mark.slow  # ~17 s; every kind's one-configuration sweep below stays in the default suite
def test_touch_and_waves_kinds_run_in_worker_threads(tmp_path):
    # Brian2 installs a SIGINT handler on import, which only the main thread may do
    pytest.importorskip("brian2")
    waves = sweep("waves", {"w_inh": [0.1, 0.3], "side": [20], "duration_ms": [60.0]}, out=tmp_path / "waves",
                  workers=2, progress=False, figures=False, log=lambda m: None)
    assert bool(waves["done"].all()), waves["error"].values
    # each recorded rate is its run's excitatory spikes after the transient per neuron and second
    from ei_maps.io import load_dataset

    for w_inh in (0.1, 0.3):
        spikes = load_dataset(tmp_path / "waves" / f"w_inh={w_inh},side=20,duration_ms=60.0,seed=0" / "spikes.nc")
        transient = json.loads(spikes.attrs["summary"])["transient_ms"]
        exc = spikes["neuron_is_exc"].values[spikes["spike_neuron"].values]
        late = spikes["spike_time"].values >= transient
        expected = (exc & late).sum() / spikes["neuron_is_exc"].values.sum() / ((60.0 - transient) / 1e3)
        assert float(waves["rate_exc_hz"].sel(w_inh=w_inh).squeeze()) == pytest.approx(expected, rel=1e-6)
    touch = sweep("touch", {"w_inh": [2.0, 5.0], "side": [10], "r_exc": [2], "r_inh": [3]}, steps=10,
                  out=tmp_path / "touch", workers=2, progress=False, figures=False, log=lambda m: None)
    assert bool(touch["done"].all()), touch["error"].values
    # the recorded measure is the run's own summary value (ties the sweep's bookkeeping to the runs)
    for w_inh in (2.0, 5.0):
        run = load_dataset(tmp_path / "touch" / f"w_inh={w_inh},side=10,r_exc=2,r_inh=3,seed=0" / "run.nc")
        assert float(touch["reorganization"].sel(w_inh=w_inh).squeeze()) == pytest.approx(
            json.loads(run.attrs["summary"])["reorganization"])


@pytest.mark.slow  # ~9 s of sweeps: with --runslow (test_grid_failure_and_resume covers resuming)
def test_resume_with_parameters_in_another_order_and_refusal_of_other_grids(tmp_path):
    out = tmp_path / "sweep"
    first = sweep("images", {"w_inh": [2.0, 5.0], "side": [6, 8]}, steps=5, out=out, workers=2, progress=False,
                  figures=False, log=lambda m: None)
    logged = []
    again = sweep("images", {"side": [6, 8], "w_inh": [2.0, 5.0]}, steps=5, out=out, workers=2, progress=False,
                  figures=False, log=logged.append)
    assert any("4 configurations, 0 to run" in m for m in logged)
    np.testing.assert_array_equal(again["adjacent_similarity"].transpose("w_inh", "side", "seed").values,
                                  first["adjacent_similarity"].values)
    with pytest.raises(ValueError, match="another --out"):
        sweep("images", {"w_inh": [2.0], "side": [6], "r_inh": [4]}, steps=5, out=out, progress=False)
    with pytest.raises(ValueError, match="another sweep"):
        sweep("images", {"w_inh": [2.0], "side": [6]}, steps=7, out=out, progress=False)


def test_a_float_parameter_given_whole_numbers_is_recorded():
    """``--param units_per_pixel=0.5,1`` gives the grid the int 1 and the result's coordinate 1.0: both must name
    the same configuration (the sweep stopped with KeyError '1' before)."""
    from ei_maps.framework.sweep import _key

    assert _key(1) == _key(1.0) == _key(np.float64(1.0)) == "1"
    assert _key(0.5) == "0.5" and _key(True) == "True" and _key("dog") == "dog"


@pytest.mark.slow  # ~20 s: Dask and two retinotopic runs
def test_retinotopic_sweep_over_a_float_given_as_whole_numbers(tmp_path):
    result = sweep("retinotopic", {"units_per_pixel": [0.5, 1], "side": [16], "window": [4]}, steps=2,
                   out=tmp_path / "s", workers=1, progress=False, figures=False, log=lambda m: None)
    assert bool(result["done"].all()), result["error"].values
    assert list(result["units_per_pixel"].values) == [0.5, 1.0]


@pytest.mark.slow  # ~13 s; test_grid_failure_and_resume sweeps images in the default suite
def test_every_registered_experiment_with_a_sweep_runs_one(tmp_path):
    # the sweep is built from the registry: text and the spiking image model sweep as images do
    from ei_maps.framework.registry import experiments

    sweepable = {name for name, e in experiments().items() if e.sweep is not None}
    assert {"images", "images_lif", "retinotopic", "text", "touch", "waves"} <= sweepable
    text = sweep("text", {"w_inh": [2.0], "side": [6]}, steps=5, out=tmp_path / "text", workers=1,
                 progress=False, figures=False, log=lambda m: None)
    assert bool(text["done"].all()), text["error"].values
    assert np.isfinite(text["semantic_neighbor_similarity"].values).all()
    lif = sweep("images_lif", {"w_inh": [10.0], "side": [10]}, steps=2, out=tmp_path / "lif", workers=1,
                progress=False, figures=False, log=lambda m: None)
    assert bool(lif["done"].all()), lif["error"].values
    assert (tmp_path / "lif" / "w_inh=10.0,side=10,seed=0" / "run.nc").is_file()


def test_a_preset_and_fixed_parameters_are_every_configurations_base(tmp_path, capsys):
    from ei_maps import load_model

    out = tmp_path / "preset"
    # the bandpass preset fixes w_exc 20, leak 20, ...; --param w_inh overrides the preset's 40, --set the side
    assert main(["sweep", "images", "--preset", "bandpass", "--param", "w_inh=30,35", "--set", "side=8",
                 "--set", "r_exc=1", "--steps", "3", "--workers", "1", "--out", str(out), "--json", "--no-progress",
                 "--no-figures"]) == 0
    assert json.loads(capsys.readouterr().out)["done"] == 2
    result = load_dataset(out / SWEEP_FILE)
    assert list(result["done"].dims) == ["w_inh", "seed"]  # the base is no dim
    base = json.loads(result.attrs["base"])
    assert base["side"] == 8 and base["w_exc"] == 20.0 and base["leak"] == 20.0 and "w_inh" not in base
    model = load_model(next(out.glob("w_inh=35*")))
    assert (model.config.side, model.config.w_exc, model.config.w_inh, model.config.leak) == (8, 20.0, 35.0, 20.0)
    # the same folder around other fixed parameters is another sweep
    with pytest.raises(ValueError, match="other fixed parameters"):
        sweep("images", {"w_inh": [30.0, 35.0]}, steps=3, out=out, progress=False, base={"side": 10})
    assert main(["sweep", "images", "--preset", "cortex", "--param", "w_inh=2", "--out", str(tmp_path / "x")]) == 2
    assert "images has no preset 'cortex'; its presets: bandpass, torus128, paper, quick" in capsys.readouterr().err
    with pytest.raises(ValueError, match="both swept and fixed"):
        sweep("images", {"side": [6]}, base={"side": 8}, out=tmp_path / "y", progress=False)

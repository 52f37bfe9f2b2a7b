"""``ei-maps train images --model retinotopic`` end to end: run layout, resume, analyze, pooling, options."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.cli import main
from ei_maps.config import RetinotopicTrainConfig
from ei_maps.experiments.retinotopic import train_retinotopic
from ei_maps.io import load_dataset
from ei_maps.models.retinotopic import RetinotopicConfig, RetinotopicModel
from ei_maps import load_model

TINY = ["train", "images", "--model", "retinotopic", "--side", "24", "--window", "6", "--batch", "8",
        "--rotations", "1", "--no-progress"]


def test_run_layout_figures_and_reload(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TINY, "--steps", "30", "--map-every", "10", "--checkpoint-every", "10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "trained 30 steps" in printed and "input: orientation anisotropy" in printed
    run = load_dataset(out / "run.nc")
    assert run["dictionary"].dims == ("unit_y", "unit_x", "channel", "patch_y", "patch_x")
    assert run["dictionary"].shape == (24, 24, 1, 6, 6)
    assert run["receptive_fields"].dims == ("unit_y", "unit_x", "patch_y", "patch_x")
    np.testing.assert_array_equal(run["map_step"].values, [10, 20, 30])
    assert run["map_column_spacing"].attrs["units"] == "1"  # CF: the words go in the long name
    assert run["map_column_spacing"].attrs["long_name"].endswith("[grid unit]")
    assert run["window_origin_y"].attrs["long_name"].endswith("[pixel]")
    assert run.attrs["kind"] == "retinotopic" and run.attrs["model_window"] == 6
    for name in ("cortex_map.png", "receptive_fields.png", "training.png", "config.toml", "run.log"):
        assert (out / name).stat().st_size > 100
    model = load_model(out)
    assert isinstance(model, RetinotopicModel) and model.config.window == 6
    np.testing.assert_array_equal(model.fields.ravel(), run["dictionary"].values.ravel())


def test_resume_gives_the_uninterrupted_result(tmp_path):
    model = RetinotopicConfig(side=16, window=5, homeostasis_rate=0.01)
    train = RetinotopicTrainConfig(steps=12, batch=4, rotations=1, checkpoint_every=4, map_every=6)
    whole = train_retinotopic(model, train, out=tmp_path / "whole", progress=False, figures=False, log=lambda m: None)
    train_retinotopic(model, train.replace(steps=8), out=tmp_path / "part", progress=False, figures=False,
                      log=lambda m: None)
    resumed = train_retinotopic(model, train, out=tmp_path / "part", resume=True, progress=False, figures=False,
                                log=lambda m: None)
    np.testing.assert_array_equal(resumed["dictionary"].values, whole["dictionary"].values)
    np.testing.assert_array_equal(resumed["threshold_offsets"].values, whole["threshold_offsets"].values)
    np.testing.assert_array_equal(resumed["loss"].values, whole["loss"].values)
    np.testing.assert_array_equal(resumed["map_step"].values, [6, 8, 12])


def test_analyze_one_and_several_runs(tmp_path, capsys):
    runs = []
    for seed in (0, 1):
        out = tmp_path / f"seed{seed}"
        assert main([*TINY, "--steps", "40", "--map-every", "0", "--seed", str(seed), "--no-figures",
                     "--out", str(out)]) == 0
        runs.append(str(out))
    capsys.readouterr()
    assert main(["analyze", runs[0], "--permutations", "9"]) == 0
    printed = capsys.readouterr().out
    assert "retinotopy: receptive-field scatter" in printed
    analysis = load_dataset(tmp_path / "seed0" / "analysis.nc")
    for name in ("rf_center_y", "rf_offset_x", "rf_local_magnification", "preference", "power"):
        assert name in analysis
    assert (tmp_path / "seed0" / "cortex_map.png").stat().st_size > 1000
    assert main(["analyze", *runs, "--permutations", "9", "--no-figures", "--json"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert [a["run"] for a in both["analyses"]] == runs
    assert both["analyses"][0]["method"] == "fields"
    if both["pooled"] is not None:  # 40 steps may not yet make a ring in both maps
        assert both["pooled"]["n_maps"] == 2


def test_preset_and_options_that_do_not_apply(tmp_path, capsys):
    assert main(["train", "images", "--preset", "cortex", "--side", "16", "--window", "4", "--steps", "2",
                 "--batch", "4", "--rotations", "1", "--no-progress", "--no-figures", "--out",
                 str(tmp_path / "p")]) == 0
    run = load_dataset(tmp_path / "p" / "run.nc")
    assert run.attrs["kind"] == "retinotopic" and run.attrs["model_units_per_pixel"] == 1.0
    assert "model = \"retinotopic\"" in (tmp_path / "p" / "config.toml").read_text()
    capsys.readouterr()
    for argv, message in (
            ([*TINY, "--patch-size", "8"], "--patch-size do(es) not apply to --model retinotopic"),
            (["train", "images", "--window", "8"], "--window do(es) not apply to --model activation"),
            (["train", "images", "--model", "lif", "--preset", "cortex"], "a preset of --model retinotopic"),
            (["train", "images", "--model", "retinotopic", "--preset", "bandpass"], "a preset of --model activation"),
            ([*TINY, "--filter", "onoff", "--window", "30"], "window must be an integer from 2"),
            ([*TINY, "--boundary", "zero"], "boundary must be 'periodic'")):
        assert main([*argv, "--out", str(tmp_path / "x")]) == 2
        assert message in capsys.readouterr().err


def test_onoff_input_trains_two_channels(tmp_path):
    ds = train_retinotopic(RetinotopicConfig(side=16, window=4, channels=2),
                           RetinotopicTrainConfig(steps=3, batch=4, rotations=1, filter="onoff", map_every=0),
                           out=tmp_path / "r", progress=False, figures=False, log=lambda m: None)
    assert list(ds["dictionary"].channel.values) == ["on", "off"]
    on, off = ds["dictionary"].sel(channel="on"), ds["dictionary"].sel(channel="off")
    np.testing.assert_allclose(ds["receptive_fields"].values, (on - off).values)
    with pytest.raises(ValueError, match="makes 2 input channel"):
        train_retinotopic(RetinotopicConfig(side=16, window=4), RetinotopicTrainConfig(filter="onoff"),
                          out=tmp_path / "bad", progress=False, figures=False)

"""``--resume`` alone continues the run that was asked for: every option comes from the saved run."""
import json

import pytest

from ei_maps.cli import main

TINY = ["--side", "6", "--r-exc", "1", "--r-inh", "2", "--patch-size", "4", "--batch", "8", "--no-progress",
        "--no-figures", "--json"]


def _interrupted_run(out, steps, stop_at, extra=()):
    # a run asked for `steps` steps that stopped at `stop_at`: its checkpoint holds the run as asked
    from ei_maps.framework.lifecycle import CHECKPOINT_FILE, RUN_FILE

    assert main(["train", "images", "--steps", str(stop_at), "--checkpoint-every", str(stop_at), "--out", str(out),
                 "--seed", "3", *extra, *TINY]) == 0
    import xarray as xr

    from ei_maps.io import load_dataset, save_dataset

    ds = load_dataset(out / RUN_FILE)
    train = json.loads(ds.attrs["train_config"])
    train["steps"] = steps
    ds.attrs["train_config"] = json.dumps(train)
    keep = [v for v in ds.data_vars if "step" in ds[v].dims or v == "dictionary"]
    save_dataset(xr.Dataset({v: ds[v] for v in keep}, attrs=ds.attrs), out / CHECKPOINT_FILE)
    (out / RUN_FILE).unlink()


def test_resume_alone_continues_to_the_steps_asked_for_with_the_saved_seed(tmp_path, capsys):
    out = tmp_path / "run"
    _interrupted_run(out, steps=12, stop_at=5)
    capsys.readouterr()
    assert main(["train", "images", "--resume", "--out", str(out), "--no-progress", "--no-figures", "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["steps"] == 12 and summary["steps_this_call"] == 7  # not the default 10,000
    assert "--seed" in captured.err and "from the saved run" in captured.err


def test_resume_with_an_option_that_differs_is_refused_and_more_steps_need_steps(tmp_path, capsys):
    out = tmp_path / "run"
    _interrupted_run(out, steps=8, stop_at=4)
    capsys.readouterr()
    assert main(["train", "images", "--resume", "--out", str(out), "--seed", "4", "--no-progress", "--json"]) == 2
    assert "seed" in capsys.readouterr().err
    assert main(["train", "images", "--resume", "--out", str(out), "--steps", "10", "--no-progress",
                 "--no-figures", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["steps"] == 10


def test_probe_repeats_zero_is_refused_not_replaced():
    from ei_maps.experiments.images_lif import train_images_lif

    with pytest.raises(ValueError, match="probe-repeats"):
        train_images_lif(probe_repeats=0, progress=False)

"""Every result file records where it came from and its schema; files of other versions are not read silently."""
import json
import warnings

import numpy as np
import pytest
import xarray as xr

from ei_maps.config import TrainConfig, from_json
from ei_maps.io import load_dataset, save_dataset
from ei_maps.models import ModelConfig
from ei_maps.provenance import SCHEMA_VERSION, check_schema, save_result
from ei_maps import load_model, load_run


def test_a_result_records_versions_commit_command_times_and_machine(tmp_path):
    path = save_result(xr.Dataset({"x": ("i", np.arange(3.0))}), tmp_path / "r.nc")
    ds = load_dataset(path)
    assert ds.attrs["schema_version"] == SCHEMA_VERSION
    p = json.loads(ds.attrs["provenance"])
    assert p["ei_maps"] and p["libraries"]["numpy"] == np.__version__ and p["libraries"]["xarray"] == xr.__version__
    assert {"command", "started", "written", "cpu", "cores", "python"} <= set(p)
    assert p["started"] <= p["written"]
    if "git_commit" in p:  # run from a checkout
        assert len(p["git_commit"]) == 40 and isinstance(p["git_dirty"], bool)


def test_the_cli_run_files_carry_provenance(tmp_path):
    from ei_maps.cli import main

    assert main(["train", "images", "--side", "6", "--r-exc", "1", "--r-inh", "2", "--patch-size", "4", "--batch",
                 "4", "--steps", "3", "--out", str(tmp_path), "--no-progress", "--no-figures", "--json"]) == 0
    run = load_run(tmp_path)
    assert "train" in json.loads(run.attrs["provenance"])["command"]


def test_newer_schemas_are_refused_and_files_without_one_warn(tmp_path):
    ds = xr.Dataset(attrs={"schema_version": SCHEMA_VERSION + 1})
    with pytest.raises(ValueError, match="newer"):
        check_schema(ds, "run.nc")
    save_dataset(xr.Dataset({"x": ("i", [1.0])}), tmp_path / "run.nc")  # as 0.1 wrote them
    with pytest.warns(UserWarning, match="before result files recorded their schema"):
        load_run(tmp_path)


def test_unknown_and_missing_parameters_warn_by_name():
    text = json.dumps({**json.loads(json.dumps(ModelConfig(side=8).__dict__)), "w_mystery": 3})
    with pytest.warns(UserWarning, match="w_mystery"):
        assert from_json(ModelConfig, text).side == 8
    partial = {k: v for k, v in TrainConfig().__dict__.items() if k != "probe_lam"}
    with pytest.warns(UserWarning, match="probe_lam"):
        from_json(TrainConfig, json.dumps(partial))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_json(TrainConfig, json.dumps(TrainConfig().__dict__))


def test_invalid_config_json_in_a_run_names_the_file(tmp_path):
    from ei_maps.cli import main

    assert main(["train", "images", "--side", "6", "--r-exc", "1", "--r-inh", "2", "--patch-size", "4", "--batch",
                 "4", "--steps", "2", "--out", str(tmp_path), "--no-progress", "--no-figures", "--json"]) == 0
    ds = load_dataset(tmp_path / "run.nc")
    ds.attrs["model_config"] = "{not json"
    save_result(ds, tmp_path / "run.nc")
    with pytest.raises(ValueError, match=r"run\.nc: .*not valid JSON"):
        load_model(tmp_path)


def test_the_package_says_its_license_and_how_to_cite_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert (root / "LICENSE").read_text().startswith("MIT License")
    cff = (root / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in cff and "arXiv:2205.13614" in cff and "license: MIT" in cff
    from ei_maps import __version__

    assert f"version: {__version__}" in cff  # the citation names the version being released

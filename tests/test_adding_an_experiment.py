"""The worked example of docs/adding-an-experiment.md, run as written: one new module, nothing else changed.

The example's code is read from the page and saved as ``noise.py`` in a temporary folder named by
``EI_MAPS_EXPERIMENTS_PATH`` (so the sweep's worker processes find it too), which the registry adds to
where it looks for experiment modules; the command line, ``analyze``, ``sweep`` and ``load_model`` then
have to find it on their own.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest

import ei_maps
import ei_maps.experiments
from ei_maps.cli import main
from ei_maps.framework import registry

PAGE = Path(__file__).resolve().parents[1] / "docs" / "adding-an-experiment.md"


@pytest.fixture
def noise_experiment(tmp_path, monkeypatch):
    code = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S).group(1)
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "noise.py").write_text(code)
    monkeypatch.setenv(registry.PATH_VARIABLE, str(folder))
    registry.refresh()
    try:
        yield registry.get("noise")
    finally:
        import sys

        if str(folder) in ei_maps.experiments.__path__:
            ei_maps.experiments.__path__.remove(str(folder))
        sys.modules.pop("ei_maps.experiments.noise", None)
        monkeypatch.delenv(registry.PATH_VARIABLE)
        registry.refresh()


def test_the_example_trains_analyzes_sweeps_and_loads_through_the_registry(noise_experiment, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "noise", "--steps", "30", "--out", str(out), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["steps"] == 30 and (out / "run.nc").is_file()
    # white noise has no structure: neighbors are no more alike than random pairs, far below a trained
    # image map's ~0.9 (an analytic baseline: identical neighbors would give 1)
    assert summary["adjacent_similarity"] < 0.3
    assert main(["analyze", str(out), "--json", "--no-figures"]) == 0
    analysis = json.loads(capsys.readouterr().out)
    assert analysis["experiment"] == "noise"
    assert analysis["adjacent_similarity"] == pytest.approx(summary["adjacent_similarity"])
    model = ei_maps.load_model(out)
    np.testing.assert_array_equal(model.dictionary.shape, (64, 100))
    # resume to more steps through the shared lifecycle
    assert main(["train", "noise", "--steps", "40", "--resume", "--out", str(out), "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["steps_this_call"] == 10
    result = ei_maps.sweep("noise", {"w_inh": [2.0, 5.0]}, steps=5, out=tmp_path / "sweep", workers=1,
                           progress=False, figures=False, log=lambda m: None)
    assert bool(result["done"].all()), result["error"].values
    assert result["adjacent_similarity"].sizes["w_inh"] == 2


def test_without_the_module_the_experiment_is_unknown():
    with pytest.raises(ValueError, match="unknown experiment 'noise'"):
        registry.get("noise")

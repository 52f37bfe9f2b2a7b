"""`ei-maps analyze` on a tiny trained run: files, keys, CLI, errors."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from ei_maps.config import TrainConfig

from ei_maps.models import ModelConfig
from ei_maps.framework.analyze import ANALYSIS_FILE, analyze_run
from ei_maps.experiments.images import train_images
from ei_maps.io import load_dataset

REQUIRED = [("orientation", "selectivity_median"), ("pinwheels", "count"), ("pinwheels", "density"),
            ("pinwheels", "density_interval"), ("pinwheels", "quality"), ("column_spacing",),
            ("topography", "neighbor_orientation_diff_deg"), ("topography", "distance_spearman"),
            ("topography", "mantel_p")]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyze") / "run"
    train_images(ModelConfig(side=14, r_exc=2, r_inh=3), TrainConfig(steps=600, batch=32, patch_size=8),
                 out=out, progress=False, figures=False, log=lambda m: None)
    return out


def _get(summary, keys):
    for k in keys:
        summary = summary[k]
    return summary


def test_analyze_run_writes_dataset_and_figures(run_dir):
    summary = analyze_run(run_dir, n_permutations=19)
    for keys in REQUIRED:
        _get(summary, keys)
    ds = load_dataset(run_dir / ANALYSIS_FILE)
    for var in ("preference", "selectivity", "rf_preference", "rf_selectivity"):
        assert ds[var].dims == ("unit_y", "unit_x")
    assert float(ds["preference"].min()) >= 0 and float(ds["preference"].max()) < np.pi
    assert ds["pinwheel_charge"].size == summary["pinwheels"]["count"]
    assert set(np.unique(ds["pinwheel_charge"])) <= {-0.5, 0.5}
    # with 19 permutations the smallest p the test can give is 1/20: a trained map reaches it
    assert summary["topography"]["mantel_p"] == pytest.approx(1 / 20)
    for name in ("orientation_map.png", "selectivity.png", "power_spectrum.png",
                 "similarity_by_distance.png", "receptive_fields.png"):
        assert (run_dir / name).stat().st_size > 1000
    # a trained map is smoother than a random one
    assert summary["topography"]["neighbor_orientation_diff_deg"] < 40


def test_cli_analyze_json(run_dir):
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "analyze", str(run_dir), "--json",
                           "--no-figures", "--method", "fields", "--permutations", "9"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    for keys in REQUIRED:
        _get(summary, keys)
    assert summary["orientation"]["method"].startswith("receptive-field")
    lo, hi = summary["pinwheels"]["density_interval"]
    if summary["pinwheels"]["density"] is not None:  # None when the spectrum has no peak
        assert lo <= summary["pinwheels"]["density"] <= hi


def test_cli_analyze_missing_run(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "analyze", str(tmp_path / "nope")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "nope: no such folder" in proc.stderr


def test_mantel_p_separates_a_trained_map_from_its_shuffled_fields(run_dir):
    # the same fields on the sheet in their learned places and with the units shuffled: only the first
    # keeps nearby units alike (p at its floor 1/100), the shuffle is as likely as any permutation
    from ei_maps.analysis import distance_correlation

    fields = load_dataset(run_dir / "run.nc")["receptive_fields"]
    trained = distance_correlation(fields, n_permutations=99)
    assert float(trained["mantel_p"]) < 0.05 and float(trained["spearman"]) > 0
    flat = fields.stack(unit=("unit_y", "unit_x"))
    order = np.random.default_rng(5).permutation(flat.sizes["unit"])
    shuffled = flat.copy(data=flat.values[..., order]).unstack("unit").transpose(*fields.dims)
    result = distance_correlation(shuffled, n_permutations=99)
    assert float(result["mantel_p"]) > 0.05

"""Figures show in a Jupyter notebook as a cell's value, with no pyplot and no ``%matplotlib`` magic."""
from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat", reason="the docs extra (Jupyter's notebook format)")
nbclient = pytest.importorskip("nbclient", reason="the docs extra (a notebook runner)")
pytest.importorskip("ipykernel", reason="a Jupyter kernel")

CELLS = [
    """import numpy as np, xarray as xr
from ei_maps.analysis import random_orientation_map
from ei_maps.plotting import plot_orientation_map
pref = xr.DataArray(random_orientation_map((32, 32), 8.0), dims=("unit_y", "unit_x"))
plot_orientation_map(pref)""",
    """from ei_maps import RetinotopicConfig, RetinotopicModel
from ei_maps.experiments.retinotopic import measure_run, model_dataset
from ei_maps.plotting import plot_cortical_map
model = RetinotopicModel(RetinotopicConfig(side=24, window=6))
for _ in range(5):
    model.learn(np.random.default_rng(0).standard_normal((4, model.n_inputs)), lr=0.03)
analysis, summary = measure_run(model_dataset(model), n_permutations=9)
plot_cortical_map(analysis)""",
    # a new user's notebook: train a small map, plot its fields and its orientation map, run a wave sheet, plot it
    """from ei_maps.config import TrainConfig
from ei_maps.models import ModelConfig
from ei_maps.experiments.images import train_images
from ei_maps.plotting import plot_receptive_fields
run = train_images(ModelConfig(side=10), TrainConfig(steps=40, batch=16, patch_size=8), out="small", figures=False)
plot_receptive_fields(run["receptive_fields"])""",
    """from ei_maps.framework import analyze_run
analyze_run("small", figures=False, permutations=1)
plot_orientation_map(xr.open_dataset("small/analysis.nc")["preference"])""",
    """from ei_maps import WaveSheet, WaveSheetConfig
from ei_maps.analysis.spikes import activity_movie
from ei_maps.plotting import plot_wave_snapshots
spikes = WaveSheet(WaveSheetConfig(side=30)).run(80.0)
plot_wave_snapshots(activity_movie(spikes, frame_ms=2.0, start_ms=40.0, stop_ms=56.0))""",
]


def test_figures_show_as_a_cells_value(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                            ).execute()
    for cell in nb.cells:
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert results, cell.outputs
        png = results[0]["data"].get("image/png")
        assert png and len(png) > 1000, f"no picture, only {list(results[0]['data'])}"
        # progress bars draw as text where ipywidgets is missing, without tqdm's "IProgress not found" warning
        errors = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")
        assert "IProgress not found" not in errors and "Warning" not in errors, errors

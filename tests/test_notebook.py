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

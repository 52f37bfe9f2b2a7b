"""``ei-maps analyze``: the measures of a finished run, whichever experiment made it.

Reads ``RUN_DIR/run.nc`` and hands it to the experiment that wrote it (found
through :mod:`ei_maps.experiments.registry` by the run's ``kind``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io import load_dataset
from .orientation_maps import ANALYSIS_FILE, analyze_map, write_analysis_figures  # noqa: F401  (public names)
from .registry import for_kind


def analyze_run(run_dir: str | Path, n_permutations: int = 199, figures: bool = True,
                gratings: bool = True, territory_fraction: float | None = None, **options: Any) -> dict[str, Any]:
    """Analyse ``run_dir/run.nc`` with its experiment's measures; returns the summary.

    The keyword arguments are the ``ei-maps analyze`` options: image runs
    read ``n_permutations`` and ``gratings`` (the method), touch runs
    ``territory_fraction``; others are passed on by name.
    """
    path = Path(run_dir)
    run = load_dataset(path / "run.nc" if path.is_dir() else path)
    run_dir = path if path.is_dir() else path.parent
    experiment = for_kind(run.attrs.get("kind", "images"), run_dir)
    if experiment.analyze is None:
        raise ValueError(f"{run_dir}: runs of experiment {experiment.name!r} have no analysis")
    values = {"permutations": n_permutations, "figures": figures, "method": "gratings" if gratings else "fields",
              "territory_fraction": territory_fraction, **options}
    summary = experiment.analyze(run_dir, run, values)
    summary.setdefault("run", str(run_dir))
    summary["experiment"] = experiment.name
    return summary

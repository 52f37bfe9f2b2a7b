"""``ei-maps analyze``: the measures of a finished run, whichever experiment made it.

Reads ``RUN_DIR/run.nc`` and hands it to the experiment that wrote it (found
through :mod:`ei_maps.framework.registry` by the run's ``kind``).
"""
from __future__ import annotations

import contextlib
import errno
from pathlib import Path
from typing import Any

from .results import load_run
from .lifecycle import ANALYSIS_FILE  # noqa: F401  (a public name)
from .lifecycle import holding_run_folder
from .run_folder import record_derived
from .registry import for_run


def analyze_run(run_dir: str | Path, figures: bool = True, given: frozenset[str] = frozenset(),
                **options: Any) -> dict[str, Any]:
    """Analyze ``run_dir/run.nc`` with its experiment's measures; returns the summary.

    ``options`` are the ``ei-maps analyze`` options by name (each experiment
    reads its own; see ``ei-maps analyze --help``), e.g. ``permutations=19``
    for an image run. ``given`` names the options the user gave (the
    command line's): one the run's experiment does not read is refused
    rather than ignored.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (or its ``run.nc``).
    figures : bool
        Let the experiment's analysis write its figures (their paths go in the summary's ``figures``).
    given : frozenset of str
        Names of the options the user gave.
    **options
        The ``ei-maps analyze`` options by name.

    Returns
    -------
    dict
        The analysis summary, with ``run`` and ``experiment`` set.

    Raises
    ------
    ValueError
        If the run's experiment has no analysis, does not read a given
        option, or its analysis fails.
    """
    path = Path(run_dir)
    run_dir = path if path.is_dir() else path.parent
    try:
        # a run being extended is not measured half-way, nor are two analyses mixed
        with holding_run_folder(run_dir) if run_dir.is_dir() else contextlib.nullcontext():
            summary = _analyze_locked(path, run_dir, figures, given, options)
    except OSError as err:
        if err.errno not in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
            raise
        raise OSError(err.errno, f"{run_dir}: cannot write there ({err.strerror}); ei-maps analyze writes "
                                 "analysis.nc and figures into the run's folder: copy the folder somewhere writable "
                                 "and analyze the copy") from None
    return summary


def _not_a_run(run_dir: Path) -> str:
    """What a folder without ``run.nc`` holds, and what to run instead (an error message)."""
    from .lifecycle import CHECKPOINT_FILE, RUN_FILE
    from .run_folder import folder_holds

    if not run_dir.exists():
        return f"{run_dir}: no such folder"
    held, where = folder_holds(run_dir)
    if held == "":
        return (f"{run_dir} holds {where}, not a run: its results are in its own files; analyze one of its runs "
                f"(ei-maps analyze {run_dir}/CONFIGURATION)")
    if (run_dir / CHECKPOINT_FILE).is_file():
        return (f"{run_dir} holds an unfinished {held or ''} run ({CHECKPOINT_FILE}, no {RUN_FILE}): finish it with "
                f"the command that started it and --resume, then analyze it").replace("  ", " ")
    if held is not None:
        return (f"{run_dir} holds a run of kind {held!r} ({where}) without a {RUN_FILE}: its command measures it as "
                "it runs (the summary is in its result's attrs); ei-maps analyze reads trained runs")
    return f"{run_dir} holds no run ({RUN_FILE}): give a folder made by ei-maps train (or its run.nc)"


def _analyze_locked(path: Path, run_dir: Path, figures: bool, given: frozenset[str], options: dict[str, Any]
                    ) -> dict[str, Any]:
    if path.is_dir() and not (path / "run.nc").is_file() or not path.exists():
        raise ValueError(_not_a_run(run_dir if path.is_dir() else path))
    run = load_run(path)
    experiment = for_run(run, run_dir)
    if experiment.analyze is None:
        raise ValueError(f"{run_dir}: runs of experiment {experiment.name!r} have no analysis")
    reads = {o.flags[0].lstrip("-").replace("-", "_") for o in experiment.analyze_options}
    ignored = sorted(set(given) - reads)
    if ignored:
        flags = ", ".join("--" + name.replace("_", "-") for name in ignored)
        raise ValueError(f"{run_dir}: {flags} do{'es' if len(ignored) == 1 else ''} not apply to "
                         f"{experiment.name} runs (their analysis options: "
                         f"{', '.join(o.flags[0] for o in experiment.analyze_options) or 'none'})")
    try:
        summary = experiment.analyze(run_dir, run, {"figures": figures, "given": frozenset(given), **options})
    except ValueError as err:
        raise ValueError(err if str(run_dir) in str(err) else f"{run_dir}: {err}") from err
    record_derived(run_dir, summary.get("figures") or [])
    summary.setdefault("run", str(run_dir))
    summary["experiment"] = experiment.name
    return summary


def analyze_runs(run_dirs, figures: bool = True, given: frozenset[str] = frozenset(), **options: Any
                 ) -> dict[str, Any]:
    """Analyze several runs (e.g. seeds of one configuration) and pool what can be pooled.

    Each run is analyzed as by :func:`analyze_run`; when all are runs of one
    experiment, that experiment's ``pool`` pools them (for orientation maps:
    the pinwheel density over all maps and its 95% intervals over maps).

    Parameters
    ----------
    run_dirs : sequence of str or Path
        The run folders.
    figures, given, **options
        As for :func:`analyze_run`.

    Returns
    -------
    dict
        ``analyses`` (each run's summary), ``pooled`` (None when the runs are
        of several experiments, their experiment pools nothing, or its
        ``pool`` finds nothing to pool) and ``experiment`` (the first run's).
    """
    from .registry import get

    analyses = [analyze_run(d, figures=figures, given=given, **options) for d in run_dirs]
    names = {s["experiment"] for s in analyses}
    experiment = get(analyses[0]["experiment"])
    pooled = experiment.pool(analyses) if len(names) == 1 and experiment.pool is not None else None
    return {"analyses": analyses, "pooled": pooled, "experiment": experiment.name}

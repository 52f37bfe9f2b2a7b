"""Parameter sweeps on Dask: ``ei-maps sweep`` and :func:`ei_maps.sweep`.

Every configuration (a point of the Cartesian product of the swept values,
and a seed) is one task that trains and analyses one run in its own folder.
Tasks run on a Dask cluster: a LocalCluster with one single-threaded worker
process per core by default, or any cluster given by its scheduler address.
Results are gathered into one xarray Dataset with the swept parameters and
the seed as dimensions, rewritten (atomically) as each task finishes, so a
killed sweep resumes where it stopped.
"""
from __future__ import annotations

import itertools
import json
import os
import time
import traceback
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..io import load_dataset
from ..provenance import save_result
from .runs import locks_output_folder

SWEEP_FILE = "sweep.nc"


def _spec(kind: str):
    """The sweep specification of an experiment (:class:`~ei_maps.experiments.registry.SweepSpec`)."""
    from .registry import experiments

    known = {name: e.sweep for name, e in experiments().items() if e.sweep is not None}
    if kind not in known:
        raise ValueError(f"unknown sweep kind {kind!r}; expected one of {', '.join(sorted(known))}")
    return known[kind]


def measures_of(kind: str) -> tuple[str, ...]:
    """The scalar measures a sweep of ``kind`` records; the first is the one "best" and "worst" refer to."""
    return _spec(kind).measures


def _configs(kind: str):
    """(model config, train config or None) defaults of a kind."""
    return _spec(kind).defaults()


def split_overrides(kind: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Route each parameter to the model or the training config (or the run's extras); unknown names are an error."""
    spec = _spec(kind)
    model, train = spec.defaults()
    model_fields = {f.name for f in fields(model)}
    train_fields = ({f.name for f in fields(train)} if train is not None else set()) | set(spec.extra_fields)
    m, t = {}, {}
    for name, value in params.items():
        if name in model_fields:
            m[name] = value
        elif name in train_fields:
            t[name] = value
        else:
            raise ValueError(f"unknown parameter {name!r} for a {kind} sweep; model parameters: "
                             f"{sorted(model_fields)}; training: {sorted(train_fields)}")
    return m, t


def _typed(config, name: str, value):
    """``value`` converted to the type of the config field's default (ints stay ints)."""
    default = getattr(config, name)
    if isinstance(default, bool):
        if isinstance(value, str):
            words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
            if value.strip().lower() not in words:
                raise ValueError(f"{name} takes true or false, got {value!r}")
            return words[value.strip().lower()]
        return bool(value)
    if isinstance(default, int) and float(value) == int(value):
        return int(value)
    return float(value) if isinstance(value, (int, float, np.number)) else value


def run_config(kind: str, params: dict[str, Any], seed: int, steps: int | None, run_dir: str) -> dict[str, Any]:
    """One sweep task: train (or simulate) and analyze one configuration; never raises.

    Returns the measures, or ``{"error": message}`` if the configuration failed.
    """
    started = time.perf_counter()
    try:
        # one thread per worker: the cluster already runs one worker per core
        import numba
        from threadpoolctl import threadpool_limits

        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            with threadpool_limits(1):
                measures = _run(kind, params, seed, steps, Path(run_dir))
        finally:
            numba.set_num_threads(threads)
        measures["seconds"] = time.perf_counter() - started
        return measures
    except Exception as err:  # a failed configuration is a result, not the end of the sweep
        return {"error": f"{type(err).__name__}: {err}",
                "traceback": "".join(traceback.format_exception(type(err), err, err.__traceback__))[-2000:],
                "seconds": time.perf_counter() - started}


def _run(kind: str, params: dict[str, Any], seed: int, steps: int | None, out: Path) -> dict[str, Any]:
    spec = _spec(kind)
    model_over, train_over = split_overrides(kind, params)
    model, train = spec.defaults()
    model = model.replace(**{k: _typed(model, k, v) for k, v in model_over.items()})
    extra = {k: float(v) for k, v in train_over.items() if k in spec.extra_fields}
    if train is not None:
        train = train.replace(**{k: _typed(train, k, v) for k, v in train_over.items() if k not in spec.extra_fields})
    return spec.run(model, train, seed, steps, out, extra)


def _grid(kind: str, params: dict[str, list], seeds: int) -> tuple[list[str], list[tuple], list[int]]:
    owned = _spec(kind).owned  # also refuses an unknown kind
    if not params:
        raise ValueError("give at least one parameter to sweep, e.g. --param w_inh=2,5,8")
    refused = sorted(set(params) & set(owned))
    if refused:
        raise ValueError(f"{', '.join(refused)} cannot be swept: the sweep sets {'them' if len(refused) > 1 else 'it'}"
                         f" itself (seeds with --seeds, training length with --steps)")
    for name, values in params.items():
        if not len(values):
            raise ValueError(f"parameter {name!r} has no values")
        if len(set(map(str, values))) != len(values):
            raise ValueError(f"parameter {name!r} repeats a value: {values}")
    split_overrides(kind, {k: v[0] for k, v in params.items()})  # unknown names fail before any work
    if not (isinstance(seeds, int) and seeds >= 1):
        raise ValueError(f"seeds must be a positive integer, got {seeds!r}")
    names = list(params)
    return names, list(itertools.product(*(params[n] for n in names))), list(range(seeds))


def _empty_result(kind: str, params: dict[str, list], seeds: list[int]) -> xr.Dataset:
    coords = {name: np.asarray(values) for name, values in params.items()}
    coords["seed"] = np.asarray(seeds)
    shape = tuple(len(v) for v in coords.values())
    dims = tuple(coords)
    data = {m: (dims, np.full(shape, np.nan)) for m in measures_of(kind)}
    data["seconds"] = (dims, np.full(shape, np.nan))
    data["error"] = (dims, np.full(shape, "", dtype=object))
    data["done"] = (dims, np.zeros(shape, bool))
    return xr.Dataset(data, coords=coords)


def run_name(names: list[str], values: tuple, seed: int) -> str:
    """Folder of one configuration, e.g. ``w_inh=5,r_inh=7,seed=0``."""
    return ",".join(f"{n}={v}" for n, v in zip(names, values)) + f",seed={seed}"


#: Memory a local worker process needs at the least (interpreter, NumPy, Numba, one small run), bytes.
WORKER_MEMORY = 500 * 2**20


def local_worker_limit() -> int:
    """The most local worker processes this machine runs usefully: one per core, within its memory."""
    import psutil

    cores = os.cpu_count() or 1
    return max(1, min(cores, int(psutil.virtual_memory().total // WORKER_MEMORY)))


def check_local_workers(workers: Any) -> int:
    """``workers`` if it is a whole number from 1 to :func:`local_worker_limit`, else a clear error."""
    limit = local_worker_limit()
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"--workers must be a whole number >= 1, got {workers!r}")
    if workers > limit:
        raise ValueError(f"--workers {workers} is more than this machine can run: at most {limit} local worker "
                         f"processes ({os.cpu_count()} cores, about {WORKER_MEMORY // 2**20} MB each); "
                         "for more, start a Dask cluster and give --scheduler")
    return int(workers)


@locks_output_folder
def sweep(kind: str, params: dict[str, list], steps: int | None = None, seeds: int = 1,
          out: str | os.PathLike = "runs/sweep", scheduler: str | None = None, workers: int | None = None,
          progress: bool = True, figures: bool = True, log=print) -> xr.Dataset:
    """Train and analyze every configuration of a parameter grid on Dask; returns the results Dataset.

    Parameters
    ----------
    kind : str
        An experiment with a sweep (``ei-maps sweep --help`` lists them).
    params : dict name -> list of values
        Model or training parameters (e.g. ``{"w_inh": [2, 5, 8], "r_inh": [4, 5, 7]}``).
    steps : int, optional
        Training steps per configuration (touch: the first phase, the second
        gets 3/4 of it; waves: simulated time = steps x dt).
    seeds : int
        Seeds 0..seeds-1 of every configuration.
    out : path
        ``out/sweep.nc`` (results, rewritten as tasks finish), ``out/<config>/``
        (each run), figures.
    scheduler : str, optional
        Address of a running Dask scheduler; default: a LocalCluster.
    workers : int, optional
        LocalCluster worker processes (default: one per core), each with one thread; at most
        :func:`local_worker_limit` (cores, and 500 MB of memory each).

    Returns
    -------
    xarray.Dataset with dims = the swept parameters and ``seed``: every
    measure of the kind, ``seconds``, ``error`` ("" if the configuration
    succeeded) and ``done``. Configurations already done in ``out/sweep.nc``
    are skipped; failed ones are tried again.
    """
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm.auto import tqdm

    names, grid, seed_list = _grid(kind, params, seeds)
    if scheduler is None and workers is not None:
        check_local_workers(workers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = _empty_result(kind, params, seed_list)
    previous = out / SWEEP_FILE
    if previous.is_file():
        old = load_dataset(previous)
        if old.attrs.get("kind") != kind or old.attrs.get("steps") != json.dumps(steps):
            raise ValueError(f"{previous} holds another sweep ({old.attrs.get('kind')}, steps "
                             f"{old.attrs.get('steps')}); use another --out")
        if set(old["done"].dims) != set(result["done"].dims):
            raise ValueError(f"{previous} sweeps {list(old['done'].dims)}, not {list(result['done'].dims)}; "
                             "use another --out")
        # keep what is done for the configurations both grids share (in this grid's dim order)
        shared = {d: np.intersect1d(result[d].values, old[d].values) for d in result.dims}
        if all(v.size for v in shared.values()):
            done_old = old.sel(shared).transpose(*result["done"].dims)
            for var in result.data_vars:
                if var in done_old:
                    mask = done_old["done"].values
                    target = result[var].loc[shared].values
                    target[mask] = done_old[var].values[mask]
                    result[var].loc[shared] = target
    result.attrs.update(kind=kind, steps=json.dumps(steps), params=json.dumps({k: list(map(str, v))
                                                                               for k, v in params.items()}))
    todo = [(values, seed) for values in grid for seed in seed_list
            if not bool(result["done"].loc[dict(zip(names, values), seed=seed)])]
    log(f"sweep: {len(grid) * len(seed_list)} configurations, {len(todo)} to run -> {out}")
    started = time.perf_counter()
    if todo:
        cluster = None
        if scheduler is None:
            n = workers or os.cpu_count() or 1
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   silence_logs=40)
        client = Client(scheduler or cluster)
        try:
            log(f"Dask dashboard: {client.dashboard_link}")
            futures = {client.submit(run_config, kind, dict(zip(names, map(_plain, values))), seed, steps,
                                     str(out / run_name(names, values, seed)), pure=False): (values, seed)
                       for values, seed in todo}
            bar = tqdm(total=len(futures), disable=not progress, unit="run", desc="sweep")
            for future in as_completed(futures):
                values, seed = futures[future]
                _store(result, dict(zip(names, values), seed=seed), future.result())
                save_result(result, previous)
                bar.update(1)
            bar.close()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    result.attrs["wall_seconds"] = time.perf_counter() - started
    save_result(result, previous)
    failed = result["error"].values[result["error"].values != ""]
    if failed.size:
        log(f"sweep: {failed.size} configuration(s) failed, e.g. {failed.ravel()[0]}")
    if figures:
        write_figures(result, out, names)
    return result


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _store(result: xr.Dataset, where: dict, measures: dict[str, Any]) -> None:
    if "error" in measures:
        result["error"].loc[where] = measures["error"]
        result["done"].loc[where] = False
    else:
        for name in measures_of(result.attrs["kind"]):
            value = measures.get(name)
            result[name].loc[where] = np.nan if value is None else float(value)
        result["error"].loc[where] = ""
        result["done"].loc[where] = True
    result["seconds"].loc[where] = measures.get("seconds", np.nan)


def summarize(result: xr.Dataset) -> dict[str, Any]:
    """JSON-ready summary: counts, failures with their errors, best and worst configurations."""
    from ..io import json_safe

    kind = result.attrs["kind"]
    main = measures_of(kind)[0]
    errors = result["error"].values
    failed = [{**{d: _plain(result[d].values[i]) for d, i in zip(result["error"].dims, idx)}, "error": errors[idx]}
              for idx in zip(*np.nonzero(errors != ""))]
    summary = {"kind": kind, "configurations": int(result["done"].size), "done": int(result["done"].sum()),
               "failed": len(failed), "failures": failed[:20], "wall_seconds": result.attrs.get("wall_seconds"),
               "task_seconds_total": float(np.nansum(result["seconds"].values))}
    values = result[main]
    if np.isfinite(values.values).any():
        for label, fn in (("best", np.nanargmax), ("worst", np.nanargmin)):
            idx = np.unravel_index(fn(values.values), values.shape)
            summary[label] = {**{d: _plain(values[d].values[i]) for d, i in zip(values.dims, idx)},
                              main: float(values.values[idx])}
    return json_safe(summary)


def write_figures(result: xr.Dataset, out: Path, names: list[str]) -> list[Path]:
    """Heatmaps of the main measures over pairs of parameters; best and worst receptive fields (images)."""
    from .. import plotting

    kind = result.attrs["kind"]
    written = []
    # parameters held at one value are settings, not axes: no heatmap over them
    varied = [n for n in names if result.sizes[n] > 1] or names[:1]
    for i, a in enumerate(varied):
        for b in varied[i + 1:] or ([] if len(varied) > 1 else ["seed"]):
            written.append(plotting.save_figure(
                plotting.plot_sweep_heatmaps(result, a, b, measures_of(kind)[:4]), out / f"sweep_{a}_{b}.png"))
    summary = summarize(result)
    if "best" in summary and "worst" in summary:
        panels = {}
        for label in ("best", "worst"):
            cfg = summary[label]
            run = out / run_name(names, tuple(cfg[n] for n in names), cfg["seed"]) / "run.nc"
            fields = load_dataset(run).get("receptive_fields") if run.is_file() else None
            if fields is not None:  # experiments whose runs have receptive fields
                panels[f"{label}: " + ", ".join(f"{n} {cfg[n]}" for n in names)] = fields
        if len(panels) == 2:
            written.append(plotting.save_figure(plotting.plot_receptive_field_pair(panels),
                                                out / "sweep_best_worst.png"))
    return written


from .._deprecated import forwarder  # noqa: E402  (deprecated names, one release)

__getattr__ = forwarder(__name__, {"summarise": (__name__, "summarize")})

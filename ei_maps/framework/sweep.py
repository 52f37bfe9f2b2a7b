"""Parameter sweeps on Dask: ``ei-maps sweep`` and :func:`ei_maps.sweep`.

Every configuration (a point of the Cartesian product of the swept values,
and a seed) is one task that trains and analyses one run. Tasks run on a
Dask cluster (:mod:`.sweep_cluster`): a LocalCluster with one
single-threaded worker process per core by default, a running scheduler
given by its address, or SLURM/PBS jobs. Each task returns its measures to
the client, which writes them into the configuration's own region of
``sweep.zarr`` (:mod:`.sweep_store`) as it finishes, so a killed sweep, a
killed worker or a lost scheduler loses nothing finished: the same command
again runs only what is left. ``sweep.nc`` is exported when the sweep ends.
"""
from __future__ import annotations

import errno
import itertools
import json
import os
import time
import traceback
import uuid
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from ..io import atomic_write, load_dataset
from .lifecycle import locks_output_folder, make_run_folder
from .sweep_cluster import SchedulerLostError, dask_client
from .sweep_store import STORE_DIR, SWEEP_FILE, Recorder, create_store, empty_result, export_netcdf, read_store

xr = DeferredModule("xarray")

#: The file in a sweep's folder whose content a worker compares to tell whether it sees the same disk.
DISK_TOKEN = ".sweep-disk-token"
#: Files of a run folder that a worker without the client's disk sends back (checkpoints are not results).
RETURNED_SUFFIXES = (".nc", ".json", ".png", ".html", ".gif")


def _spec(kind: str):
    """The sweep specification of an experiment (:class:`~ei_maps.framework.registry.SweepSpec`)."""
    from .registry import experiments

    known = {name: e.sweep for name, e in experiments().items() if e.sweep is not None}
    if kind not in known:
        raise ValueError(f"unknown sweep kind {kind!r}; expected one of {', '.join(sorted(known))}")
    return known[kind]


def measures_of(kind: str) -> tuple[str, ...]:
    """The scalar measures a sweep of ``kind`` records; the first is the one "best" and "worst" refer to."""
    return _spec(kind).measures


def _configs(kind: str):
    """(model config, train config or None, extra parameters or None) defaults of a kind."""
    spec = _spec(kind)
    return (*spec.defaults(), spec.extra() if spec.extra is not None else None)


def split_overrides(kind: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Route each parameter to the model or the training config (or the run's extras); unknown names are an error."""
    model, train, extra = _configs(kind)
    model_fields = {f.name for f in fields(model)}
    train_fields = {f.name for c in (train, extra) if c is not None for f in fields(c)}
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


def run_config(kind: str, params: dict[str, Any], seed: int, steps: int | None, run_dir: str,
               disk_token: str | None = None) -> dict[str, Any]:
    """One sweep task: train (or simulate) and analyze one configuration; never raises.

    Parameters
    ----------
    run_dir : str
        The run's folder as the client sees it.
    disk_token : str, optional
        The token the client wrote in ``run_dir``'s parent
        (:data:`DISK_TOKEN`). When this worker reads the same token there, it
        shares the client's disk and writes the run in ``run_dir``; otherwise
        it trains in a temporary folder and returns the run's files under
        ``"files"`` (name -> bytes) for the client to write. None: the
        worker writes in ``run_dir`` without checking; "": it never does.

    Returns
    -------
    dict
        The measures and ``seconds``, or ``{"error": message, ...}`` if the
        configuration failed.
    """
    import shutil
    import tempfile

    started = time.perf_counter()
    shared = disk_token is None or _reads_token(Path(run_dir).parent, disk_token)
    out = Path(run_dir) if shared else Path(tempfile.mkdtemp(prefix="ei-maps-sweep-"))
    try:
        # one thread per worker: the cluster already runs one worker per core
        import numba
        from threadpoolctl import threadpool_limits

        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            with threadpool_limits(1):
                measures = _run_when_free(kind, params, seed, steps, out)
        finally:
            numba.set_num_threads(threads)
        measures["seconds"] = time.perf_counter() - started
        if not shared:
            measures["files"] = {f.name: f.read_bytes() for f in sorted(out.iterdir())
                                 if f.is_file() and f.suffix in RETURNED_SUFFIXES and not f.name.startswith(".")
                                 and not f.name.startswith("checkpoint")}
        return measures
    except Exception as err:  # a failed configuration is a result, not the end of the sweep
        full = getattr(err, "errno", None) == errno.ENOSPC or "No space left on device" in str(err)
        return {"error": (f"the disk is full where {run_dir} is written: free space and run the same command "
                          "again (finished configurations are kept; this one is redone)") if full
                else f"{type(err).__name__}: {err}",
                "traceback": "".join(traceback.format_exception(type(err), err, err.__traceback__))[-2000:],
                "seconds": time.perf_counter() - started}
    finally:
        if not shared:
            shutil.rmtree(out, ignore_errors=True)


#: Seconds a task waits for its run folder while another process holds it, before failing.
BUSY_WAIT_S = 1800.0


def _run_when_free(kind: str, params: dict[str, Any], seed: int, steps: int | None, out: Path) -> dict[str, Any]:
    """:func:`_run`, waiting while the run folder is locked: a client killed mid-sweep leaves its running
    tasks to finish on their workers, and the same configuration submitted again must wait for them, not
    fail."""
    from .lifecycle import RunFolderBusyError

    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            return _run(kind, params, seed, steps, out)
        except RunFolderBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _reads_token(folder: Path, token: str) -> bool:
    if not token:
        return False
    try:
        return (folder / DISK_TOKEN).read_text().strip() == token
    except OSError:
        return False


def _configured(kind: str, params: dict[str, Any]):
    """(spec, model config, train config or None, extras) of one configuration; bad values raise here."""
    spec = _spec(kind)
    model_over, train_over = split_overrides(kind, params)
    model, train, extra = _configs(kind)
    model = model.replace(**{k: _typed(model, k, v) for k, v in model_over.items()})
    if extra is not None:  # built anew (fields derived from others follow) and checked, before any work
        extra = spec.extra(**{k: _typed(extra, k, v) for k, v in train_over.items() if hasattr(extra, k)})
    if train is not None:
        train = train.replace(**{k: _typed(train, k, v) for k, v in train_over.items() if hasattr(train, k)})
    return spec, model, train, extra


def _run(kind: str, params: dict[str, Any], seed: int, steps: int | None, out: Path) -> dict[str, Any]:
    spec, model, train, extra = _configured(kind, params)
    return spec.run(model, train, seed, steps, out, extra)


#: Names every sweep sets itself: the training length comes from --steps (touch's second phase from it too).
SWEEP_OWNED = ("steps", "after_steps")


def _grid(kind: str, params: dict[str, list], seeds: int, steps: int | None = None,
          base: dict[str, Any] | None = None) -> tuple[list[str], list[tuple], list[int]]:
    owned = _spec(kind).owned  # also refuses an unknown kind
    if not params:
        raise ValueError("give at least one parameter to sweep, e.g. --param w_inh=2,5,8")
    refused = sorted(set(params) & (set(owned) | set(SWEEP_OWNED)))
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
    grid = list(itertools.product(*(params[n] for n in names)))
    if len(grid) * seeds > MAX_CONFIGURATIONS:
        raise ValueError(f"the grid has {len(grid) * seeds:,} configurations (with seeds), more than "
                         f"{MAX_CONFIGURATIONS:,}; sweep fewer values at once")
    _check_values(kind, params)
    # every configuration is built here, so a bad value or combination fails before any work
    for values in grid:
        try:
            _, _, train, _ = _configured(kind, {**(base or {}), **dict(zip(names, map(_plain, values)))})
            if train is not None and steps is not None:
                train.replace(steps=steps)
        except (ValueError, TypeError) as err:
            where = ", ".join(f"{n}={v}" for n, v in zip(names, values))
            raise ValueError(f"configuration {where}: {err}") from None
    return names, grid, list(range(seeds))


#: The most configurations one sweep takes (the grid is created up front).
MAX_CONFIGURATIONS = 100_000


def _check_values(kind: str, params: dict[str, list]) -> None:
    """Each swept value converts to its parameter's type, and no two convert to the same value."""
    model, train, extra = _configs(kind)
    model_over, train_over = split_overrides(kind, {k: v[0] for k, v in params.items()})
    for name, values in params.items():
        config = model if name in model_over else train if hasattr(train, name) else extra
        typed = []
        for v in values:
            try:
                typed.append(_typed(config, name, v) if config is not None and hasattr(config, name) else float(v))
            except (ValueError, TypeError):
                raise ValueError(f"parameter {name!r} takes values like its default "
                                 f"{getattr(config, name, None)!r}, got {v!r}") from None
        if len(set(map(repr, typed))) != len(typed):
            raise ValueError(f"parameter {name!r} repeats a value: {values} (as {typed})")


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
          progress: bool = True, figures: bool = True, log=emit, cluster: str = "local",
          cluster_file: str | os.PathLike | None = None, shared_disk: bool | None = None,
          base: dict[str, Any] | None = None, scheduler_timeout: float = 30.0) -> xr.Dataset:
    """Train and analyze every configuration of a parameter grid on Dask; returns the results Dataset.

    Parameters
    ----------
    kind : str
        An experiment with a sweep (``ei-maps sweep --help`` lists them).
    params : dict name -> list of values
        Model or training parameters (e.g. ``{"w_inh": [2, 5, 8], "r_inh": [4, 5, 7]}``).
    base : dict name -> value, optional
        Model or training parameters every configuration shares instead of
        the experiment's defaults (e.g. a preset's, or ``{"side": 64}``); not
        dims of the result, recorded in its attrs. A sweep resumed in ``out``
        must have the same base.
    steps : int, optional
        Training steps per configuration (touch: the first phase, the second
        gets 3/4 of it; waves: simulated time = steps x dt).
    seeds : int
        Seeds 0..seeds-1 of every configuration.
    out : path
        ``out/sweep.zarr`` (results, one region per configuration, written
        as tasks finish), ``out/sweep.nc`` (the same, exported at the end),
        ``out/<config>/`` (each run), figures.
    scheduler : str, optional
        Address of a running Dask scheduler; default: a cluster of ``cluster``.
    scheduler_timeout : float
        How long to wait for ``scheduler`` to answer, then for its first worker [s].
    workers : int, optional
        LocalCluster worker processes (default: one per core), each with one thread; at most
        :func:`local_worker_limit` (cores, and 500 MB of memory each).
    cluster : {"local", "slurm", "pbs"}
        Without ``scheduler``: a LocalCluster, or batch jobs through
        dask-jobqueue described by ``cluster_file`` (TOML, see
        :mod:`ei_maps.framework.sweep_cluster`).
    shared_disk : bool, optional
        Whether the workers write their runs into ``out`` themselves. By
        default each worker finds out (it reads a token the client wrote in
        ``out``); a worker that does not share the disk sends the run's
        files back with its measures and the client writes them.

    Returns
    -------
    xarray.Dataset with dims = the swept parameters and ``seed``: every
    measure of the kind, ``seconds``, ``error`` ("" if the configuration
    succeeded) and ``done``. Configurations already done in ``out`` are
    skipped; failed and half-recorded ones are run again.

    Raises
    ------
    SchedulerLostError
        If the scheduler goes away mid-sweep; what finished is saved, and
        the same call again continues.
    """
    base = _checked_base(kind, base or {}, params)
    names, grid, seed_list = _grid(kind, params, seeds, steps, base)
    if scheduler is not None:  # a wrong address is said before anything is written
        from .sweep_cluster import probe_scheduler

        probe_scheduler(scheduler, scheduler_timeout)
    if scheduler is None and cluster == "local" and workers is not None:
        check_local_workers(workers)
    out = make_run_folder(out)
    store = out / STORE_DIR
    result = _resumed(kind, steps, params, seed_list, out, log, base)
    _describe_parameters(kind, result, names)
    todo = [(values, seed) for values in grid for seed in seed_list
            if not bool(result["done"].loc[dict(zip(names, values), seed=seed)])]
    log(f"sweep: {len(grid) * len(seed_list)} configurations, {len(todo)} to run -> {out}")
    started = time.perf_counter()
    recorder = Recorder(store)
    if todo:
        # None: the workers write into out; "": they never do; a token: each worker checks it sees it in out
        token = {True: None, False: ""}.get(shared_disk, uuid.uuid4().hex)
        if token:
            atomic_write(out / DISK_TOKEN, lambda tmp: tmp.write_text(token))
        with dask_client(scheduler, cluster, workers, cluster_file, log, scheduler_timeout) as client:
            _run_on(client, kind, names, todo, steps, out, token, result, recorder, progress, base)
    result.attrs["wall_seconds"] = time.perf_counter() - started
    recorder.set_attrs(wall_seconds=result.attrs["wall_seconds"])
    export_netcdf(result, out / SWEEP_FILE)
    failed = result["error"].values[result["error"].values != ""]
    if failed.size:
        log(f"sweep: {failed.size} configuration(s) failed, e.g. {failed.ravel()[0]}")
    if figures:
        write_figures(result, out, names)
    return result


def _describe_parameters(kind: str, result: xr.Dataset, names: list[str]) -> None:
    """Give each swept parameter's coordinate the ``long_name`` and ``units`` its declaration states.

    Writing the sweep makes them CF's (:func:`ei_maps.cf.describe`: units in words go into the long name).
    """
    from ..params import specs

    declared: dict[str, Any] = {}
    for config in _configs(kind):
        if config is not None:
            declared.update({k: v for k, v in specs(config).items() if k not in declared})
    for name in [*names, "seed"]:
        spec = declared.get(name)
        if name == "seed" or spec is None:
            result[name].attrs.update(long_name="seed of the run" if name == "seed" else name, units="1")
            continue
        result[name].attrs.update(long_name=spec.help, units=spec.unit or "1")


def _checked_base(kind: str, base: dict[str, Any], params: dict[str, list]) -> dict[str, Any]:
    """``base`` with plain values, refused when a name is unknown, also swept, or its value is bad."""
    both = sorted(set(base) & set(params))
    if both:
        raise ValueError(f"{', '.join(both)} cannot be both swept and fixed (--param and --preset/--set)")
    base = {k: _plain(v) for k, v in base.items()}
    _configured(kind, base)  # unknown names and bad values fail here, before any work
    return base


def _run_on(client, kind: str, names: list[str], todo: list[tuple], steps: int | None, out: Path,
            token: str | None, result: xr.Dataset, recorder: Recorder, progress: bool,
            base: dict[str, Any]) -> None:
    """Submit every configuration of ``todo`` to ``client`` and record each as it finishes (store and ``result``)."""
    from dask.distributed import as_completed
    from .._progress import tqdm

    position = {d: {_key(v): i for i, v in enumerate(result[d].values)} for d in result["done"].dims}
    address = client.scheduler.address
    futures = {client.submit(run_config, kind, {**base, **dict(zip(names, map(_plain, values)))}, seed, steps,
                             str((out / run_name(names, values, seed)).resolve()), token,
                             pure=False): (values, seed)
               for values, seed in todo}
    bar = tqdm(total=len(futures), disable=not progress, unit="run", desc="sweep")
    recorded = 0
    try:
        for future in as_completed(futures, loop=client.loop):
            values, seed = futures[future]
            measures = _outcome(future, address, recorded, len(futures), out / STORE_DIR)
            if "files" in measures:
                _write_returned(out / run_name(names, values, seed), measures.pop("files"))
            where = dict(zip(names, values), seed=seed)
            recorder.record(tuple(position[d][_key(where[d])] for d in recorder.dims), measures)
            _store(result, where, measures)
            recorded += 1
            bar.update(1)
    finally:
        bar.close()


def _key(value) -> str:
    # grid values and store coordinates compared as text: 5 and 5.0 from the command line (a float parameter
    # given as "0.5,1" holds 1.0 in the result's coordinate), numpy scalars
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _outcome(future, address: str, recorded: int, total: int, store: Path) -> dict[str, Any]:
    """A finished task's measures; a task Dask gave up on is a failed configuration; a lost scheduler raises."""
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError

    try:
        return future.result()
    except (CancelledError, CommClosedError, OSError) as err:
        raise SchedulerLostError(
            f"lost the Dask scheduler at {address} after {recorded} of {total} configurations "
            f"({type(err).__name__}); the finished ones are saved in {store}: run the same command again "
            "(with a running scheduler) to continue") from None
    except Exception as err:  # noqa: BLE001  (e.g. KilledWorker: the task killed every worker it ran on)
        return {"error": f"{type(err).__name__}: {err}"}


def _write_returned(folder: Path, files: dict[str, bytes]) -> None:
    """Write the run files a worker without the client's disk sent back."""
    for name, data in files.items():
        atomic_write(folder / Path(name).name, lambda tmp, data=data: tmp.write_bytes(data))


def _resumed(kind: str, steps: int | None, params: dict[str, list], seed_list: list[int], out: Path,
             log, base: dict[str, Any] | None = None) -> xr.Dataset:
    """The grid with what earlier sweeps in ``out`` finished, its store ready to record into.

    The store is reused when it holds exactly this grid; otherwise a new
    one is made holding the configurations both grids share. A
    ``sweep.nc`` of an earlier version (no store) is read the same way.
    """
    result = empty_result(measures_of(kind), params, seed_list)
    result.attrs.update(kind=kind, steps=json.dumps(steps),
                        params=json.dumps({k: list(map(str, v)) for k, v in params.items()}),
                        base=json.dumps(base or {}, sort_keys=True))
    store, nc = out / STORE_DIR, out / SWEEP_FILE
    old = None
    if store.exists():
        old, half = read_store(store)
        if half:
            log(f"sweep: {half} configuration(s) half-recorded by an interrupted sweep; running them again")
    elif nc.is_file():
        old = load_dataset(nc)
    if old is None:
        create_store(store, result)
        return result
    where = store if store.exists() else nc
    if old.attrs.get("kind") != kind or old.attrs.get("steps") != json.dumps(steps):
        raise ValueError(f"{where} holds another sweep ({old.attrs.get('kind')}, steps "
                         f"{old.attrs.get('steps')}); use another --out")
    if old.attrs.get("base", "{}") != result.attrs["base"]:
        raise ValueError(f"{where} holds a sweep around other fixed parameters ({old.attrs.get('base', '{}')}, "
                         f"not {result.attrs['base']}); use another --out")
    if set(old["done"].dims) != set(result["done"].dims):
        raise ValueError(f"{where} sweeps {list(old['done'].dims)}, not {list(result['done'].dims)}; "
                         "use another --out")
    same_grid = (store.exists() and tuple(old["done"].dims) == tuple(result["done"].dims)
                 and all(list(map(_key, old[d].values)) == list(map(_key, result[d].values))
                         for d in result["done"].dims))
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
    if not same_grid:
        create_store(store, result)
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

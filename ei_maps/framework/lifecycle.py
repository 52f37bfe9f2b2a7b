"""The one run lifecycle every training experiment uses.

1. :func:`open_run`: create the output folder, find a checkpoint or finished
   run to resume and check that it was made with the same parameters;
2. :func:`trainer_for`: a :class:`~ei_maps.models.learning.Trainer` that
   writes ``checkpoint.nc`` atomically every ``checkpoint_every`` steps;
3. :func:`run_trainer`: restore the saved state and train;
4. :func:`finish_run`: the summary in the attrs, ``run.nc`` written
   atomically, the checkpoint dropped, the figures drawn last.

Every step keeps the folder's manifest (:mod:`.run_folder`): one run of
one kind, an old run set aside while a new one starts, files derived from
an older result removed when the result changes.

Locking the folder and recording provenance belong here, once.
"""
from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from ..config import from_json
from ..errors import EiMapsError
from ..io import load_dataset
from ..provenance import save_result
from ..models.learning import Trainer

xr = DeferredModule("xarray")

RUN_FILE = "run.nc"
CHECKPOINT_FILE = "checkpoint.nc"
#: What ``ei-maps analyze`` writes beside ``run.nc``.
ANALYSIS_FILE = "analysis.nc"
LOCK_FILE = ".lock"

# run folders this process holds: resolved path -> open lock file (flock released when it closes or the
# process dies, so a killed run never leaves a lock that blocks the next)
_HELD: dict[Path, Any] = {}

__all__ = ["ANALYSIS_FILE", "CHECKPOINT_FILE", "LOCK_FILE", "RUN_FILE", "RunFolderBusyError",
           "activation_model_from_run", "allowing_changed_inputs", "check_resumable", "dictionary_on_sheet", "finish_run", "history_tail", "load_resume_state",
           "save_analysis",
           "holding_run_folder", "lock_run_folder", "locks_output_folder", "make_run_folder", "open_run", "release_run_folder", "run_trainer", "timing",
           "trainer_folder", "trainer_for", "trainer_state"]


def make_run_folder(out: str | Path) -> Path:
    """Create the output folder ``out`` (and its parents), or say plainly why it cannot be.

    Parameters
    ----------
    out : str or Path
        The folder.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If ``out`` (or a folder above it) is a file.
    OSError
        If it cannot be created or written (read-only, no permission), naming it and what to do.
    """
    out = Path(out)
    for above in (out, *out.parents):
        if above.exists() and not above.is_dir():
            raise ValueError(f"--out {out}: {above} is a file, not a folder; give a folder (it is created)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(err.errno, f"cannot create the output folder {out} ({err.strerror}); choose a folder you can "
                                 "write to with --out") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OSError(errno.EACCES, f"cannot write into {out} (read-only or not yours); choose a writable --out")
    return out


class RunFolderBusyError(EiMapsError, RuntimeError):
    """Another process is writing into the same run folder."""


def lock_run_folder(out: Path) -> None:
    """Hold ``out/.lock`` for this process (re-entrant); refuse, naming the other process, if it is held.

    The lock is an ``flock`` on the file, which the system drops when the
    holder exits or is killed: a lock file left by a dead run is stale and
    is taken over (and said so by the file's old contents being replaced).

    Parameters
    ----------
    out : Path
        The run folder (it must exist).

    Raises
    ------
    RunFolderBusyError
        If another process holds it.
    """
    key = out.resolve()
    if key in _HELD:
        return
    import fcntl
    import socket

    handle = open(out / LOCK_FILE, "a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise RunFolderBusyError(f"{out} is in use by {holder}; wait for it to finish or use another --out") \
            from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    handle.flush()
    _HELD[key] = handle


def locks_output_folder(function):
    """Decorate a command whose ``out`` argument is its output folder: created and locked for the call.

    The lock (:func:`lock_run_folder`) is released however the call ends;
    for commands without a Trainer, such as the sweep and the wave simulation.

    Parameters
    ----------
    function : callable
        The command; it takes an argument named ``out``.

    Returns
    -------
    callable
        The command, locking its folder.
    """
    import functools
    import inspect

    signature = inspect.signature(function)

    @functools.wraps(function)
    def locked(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        with holding_run_folder(make_run_folder(bound.arguments["out"])):
            return function(*args, **kwargs)

    return locked


@contextlib.contextmanager
def holding_run_folder(out: Path):
    """Hold ``out``'s lock within the block (:func:`lock_run_folder`); released after, unless held before.

    Parameters
    ----------
    out : Path
        The folder (it must exist).

    Yields
    ------
    None

    Raises
    ------
    RunFolderBusyError
        If another process holds it.
    """
    held = Path(out).resolve() in _HELD
    lock_run_folder(Path(out))
    try:
        yield
    finally:
        if not held:
            release_run_folder(Path(out))


def release_run_folder(out: Path) -> None:
    """Let other processes write into ``out`` again (a no-op if this process does not hold it).

    Parameters
    ----------
    out : Path
        The run folder.
    """
    handle = _HELD.pop(Path(out).resolve(), None)
    if handle is not None:
        handle.close()


def load_resume_state(out: Path) -> xr.Dataset | None:
    """The checkpoint or finished run in ``out`` with the most steps, or None.

    Parameters
    ----------
    out : Path
        The run folder.

    Returns
    -------
    xarray.Dataset or None
        The saved state (its result schema checked), or None when the folder holds neither file.
    """
    from ..provenance import check_schema

    names = [name for name in (CHECKPOINT_FILE, RUN_FILE) if (out / name).is_file()]
    candidates = [load_dataset(out / name) for name in names]
    if not candidates:
        return None
    for name, ds in zip(names, candidates):
        check_schema(ds, out)
        try:
            int(ds.attrs["steps_done"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{out / name} is not a run ei-maps can continue (it has no number of steps done, "
                             "steps_done): made by another tool, or edited? Start over with --overwrite, or use "
                             "another --out") from None
    return max(candidates, key=lambda d: int(d.attrs.get("steps_done", 0)))


def check_resumable(saved: xr.Dataset, kind: str, configs: list[tuple[str, Any, frozenset[str]]],
                    steps: int | None, out: Path) -> None:
    """Refuse to resume a run of another kind, with other parameters, or with more steps than asked.

    Parameters
    ----------
    saved : xarray.Dataset
        The checkpoint or run to continue.
    kind : str
        The kind of run asked for.
    configs : list of (str, dataclass, frozenset of str)
        ``(label, config asked for, fields allowed to differ)``; the saved
        config is read from the attr ``<label>_config``.
    steps : int or None
        The steps asked for (None: no limit) [count].
    out : Path
        The run folder, named in the errors.

    Raises
    ------
    ValueError
        Naming each difference.
    """
    from .registry import for_run

    saved_kind = saved.attrs.get("kind") or for_run(saved).name
    if saved_kind != kind:
        raise ValueError(f"cannot resume: the saved run is a {saved_kind!r} run, not a {kind!r} one; "
                         "use another --out")
    diffs = []
    for label, asked, free in configs:
        old = from_json(type(asked), saved.attrs[f"{label}_config"])
        diffs += [f"{label} {k}: saved {v!r}, asked {getattr(asked, k)!r}"
                  for k, v in asdict(old).items() if k not in free and v != getattr(asked, k)]
    if diffs:
        raise ValueError("cannot resume: the saved run was made with other parameters ("
                         + "; ".join(diffs) + "); use the same options or another --out")
    if steps is not None and steps < int(saved.attrs["steps_done"]):
        raise ValueError(f"cannot resume: {out} already holds {saved.attrs['steps_done']} steps, more than "
                         f"the {steps} asked for; raise --steps or use another --out")


def trainer_state(trainer: Trainer, kind: str, dictionary: xr.DataArray, configs: dict[str, Any],
                  long_names: dict[str, str] | None = None, dtypes: dict[str, Any] | None = None,
                  **attrs: Any) -> xr.Dataset:
    """What a checkpoint (and the head of ``run.nc``) holds for any Trainer-driven experiment.

    The dictionary; each history variable of the model's ``RECORD`` on
    ``step`` (1..steps done), with its ``long_names``; every config of
    ``configs`` (label -> dataclass) as attrs; the steps done, the sampler's
    random state, the run's ``kind`` and the package version.

    Parameters
    ----------
    trainer : Trainer
        The trainer whose state is saved.
    kind : str
        The run's kind (its experiment's).
    dictionary : xarray.DataArray
        The dictionary on the sheet (``unit_y``, ``unit_x`` and the input dims).
    configs : dict of str to dataclass
        The run's configs by label (saved as ``<label>_config`` attrs).
    long_names : dict of str to str, optional
        ``long_name`` of each history variable.
    dtypes : dict, optional
        Dtype of each history variable (default float).
    **attrs
        Experiment-specific attrs.

    Returns
    -------
    xarray.Dataset
        The state.
    """
    from .._version import __version__
    from ..io import config_attrs
    from .run_folder import read_manifest

    long_names, dtypes = long_names or {}, dtypes or {}
    ds = xr.Dataset({"dictionary": dictionary}, coords={"step": np.arange(1, trainer.step + 1)})
    for key in trainer.keys:
        ds[key] = ("step", np.asarray(trainer.history[key], dtypes.get(key, float)))
        if key in long_names:
            ds[key].attrs["long_name"] = long_names[key]
    for label, config in configs.items():
        ds.attrs.update(config_attrs(label, config))
    ds.attrs.update(steps_done=trainer.step, sampler_state=json.dumps(trainer.sampler.get_state()),
                    ei_maps_version=__version__, kind=kind, **attrs)
    recorded = (read_manifest(trainer_folder(trainer)) or {}).get("inputs")
    if recorded is not None:
        ds.attrs["inputs"] = json.dumps(recorded, sort_keys=True)
    return ds


def open_run(out: str | Path, kind: str, resume: bool, configs: list[tuple[str, Any, frozenset[str]]],
             steps: int | None, log=emit, refuse=None, memory: tuple[float, str] | None = None,
             inputs: dict[str, Any] | None = None) -> tuple[Path, xr.Dataset | None]:
    """Create the run folder ``out``; with ``resume``, the saved state to continue from (checked), else None.

    The folder is locked for this process until :func:`finish_run` (or a failure) releases it.

    Parameters
    ----------
    out : str or Path
        The run folder.
    kind : str
        The run's kind.
    resume : bool
        Continue the state saved in ``out``.
    configs : list of (str, dataclass, frozenset of str)
        As for :func:`check_resumable`.
    steps : int or None
        The steps asked for [count].
    log : callable
        Where messages go.
    refuse : callable, optional
        ``refuse(saved)`` returns why a saved state cannot be resumed at all (checked first), or None.
    memory : (float, str), optional
        The run's estimated need and what it is for, refused before anything
        is allocated when the machine cannot hold it [bytes].
    inputs : dict, optional
        The fingerprint of the data the run reads (e.g.
        :func:`ei_maps.stimuli.images_fingerprint`): recorded in every
        checkpoint and in ``run.nc``; a resumed run whose inputs changed is
        refused, naming what changed, unless inside :func:`allowing_changed_inputs`.

    Returns
    -------
    (Path, xarray.Dataset or None)
        The folder and the saved state to continue from.
    """
    if memory is not None:
        from ..resources import check_memory

        check_memory(*memory)
    from .run_folder import begin_run, record_inputs

    out = make_run_folder(out)
    lock_run_folder(out)
    try:
        begin_run(out, kind, fresh=not resume, log=log)
        saved = _saved_state(out, kind, resume, configs, steps, log, refuse)
        if saved is not None:
            _check_inputs(saved, inputs, out, log)
        if inputs is not None:
            record_inputs(out, inputs)
        return out, saved
    except BaseException:
        release_run_folder(out)
        raise


#: Set by :func:`allowing_changed_inputs` (``--allow-changed-inputs``): resume even if the inputs changed.
_CHANGED_INPUTS_ALLOWED = contextvars.ContextVar("changed_inputs_allowed", default=False)


@contextlib.contextmanager
def allowing_changed_inputs(allowed: bool = True):
    """Within this block, resumed runs continue even when their input data changed (a warning says what changed).

    Parameters
    ----------
    allowed : bool
        Whether to allow it (False: the default refusal).

    Yields
    ------
    None
    """
    token = _CHANGED_INPUTS_ALLOWED.set(bool(allowed))
    try:
        yield
    finally:
        _CHANGED_INPUTS_ALLOWED.reset(token)


def _check_inputs(saved: xr.Dataset, inputs: dict[str, Any] | None, out: Path, log) -> None:
    from ..io import fingerprint_changes

    if inputs is None:
        return
    if "inputs" not in saved.attrs:
        log(f"note: the run in {out} does not record its inputs (made before ei-maps recorded them): not compared")
        return
    changes = fingerprint_changes(json.loads(saved.attrs["inputs"]), json.loads(json.dumps(inputs)))
    if not changes:
        return
    what = "; ".join(changes)
    if not _CHANGED_INPUTS_ALLOWED.get():
        raise ValueError(f"cannot resume: the run in {out} was trained on other inputs ({what}); give the same "
                         "data, use another --out, or --allow-changed-inputs to continue on the new data")
    log(f"warning: continuing on changed inputs ({what}), as --allow-changed-inputs asks")


def _saved_state(out, kind, resume, configs, steps, log, refuse):
    from ..io import remove_stale_temporaries

    for tmp in remove_stale_temporaries(out):
        log(f"removed {tmp.name}, left by a run killed while saving")
    saved = load_resume_state(out) if resume else None
    if saved is not None:
        why = refuse(saved) if refuse is not None else None
        if why:
            raise ValueError(f"{out} {why}; use another --out")
        check_resumable(saved, kind, configs, steps, out)
        log(f"resuming from step {saved.attrs['steps_done']} in {out}")
    elif resume:
        log(f"nothing to resume in {out}: starting a new run")
    return saved


def trainer_for(model, sampler, train_config, out: Path, state, progress: bool = True, **options: Any) -> Trainer:
    """A Trainer with the steps, batch, lr and checkpoints of ``train_config``.

    Parameters
    ----------
    model : LearningModel
        The model to train.
    sampler : object
        The stimuli (``sample``, ``get_state``, ``set_state``).
    train_config : dataclass
        With ``steps``, ``batch``, ``lr``, ``checkpoint_every``.
    out : Path
        The run folder.
    state : callable
        ``state(trainer)``: the Dataset a checkpoint holds, written to
        ``out/checkpoint.nc`` atomically.
    progress : bool
        Show the progress bar.
    **options
        For the Trainer (``monitor``, ``monitor_every``, ``steps``, ...).

    Returns
    -------
    Trainer
        The trainer.
    """
    def checkpoint(tr: Trainer) -> None:
        save_result(state(tr), out / CHECKPOINT_FILE)

    settings = {"steps": train_config.steps, "batch": train_config.batch, "lr": train_config.lr,
                "checkpoint_every": train_config.checkpoint_every, **options}
    trainer = Trainer(model, sampler, checkpoint=checkpoint, progress=progress, **settings)
    trainer.run_folder = Path(out)
    return trainer


def run_trainer(trainer: Trainer, saved: xr.Dataset | None, suffix: str = "") -> tuple[float, int]:
    """Restore ``trainer`` from ``saved`` (if any), train; returns (seconds, steps done before this call).

    Parameters
    ----------
    trainer : Trainer
        From :func:`trainer_for`.
    saved : xarray.Dataset or None
        The state to continue from.
    suffix : str
        History variables are read as ``<key><suffix>`` (e.g. ``loss_after``).

    Returns
    -------
    (float, int)
        Seconds of training [s] and the steps done before this call [count].
    """
    if saved is not None:
        trainer.restore(int(saved.attrs["steps_done"]), {k: saved[k + suffix].values for k in trainer.keys},
                        json.loads(saved.attrs["sampler_state"]))
    first_step = trainer.step
    started = time.perf_counter()
    try:
        trainer.run()
    except BaseException:
        release_run_folder(trainer_folder(trainer))
        raise
    return time.perf_counter() - started, first_step


def trainer_folder(trainer: Trainer) -> Path:
    """The run folder a :func:`trainer_for` Trainer checkpoints into.

    Parameters
    ----------
    trainer : Trainer
        The trainer.

    Returns
    -------
    Path
        Its folder (the current one for a Trainer made otherwise).
    """
    return getattr(trainer, "run_folder", Path("."))


def timing(out: Path, trainer: Trainer, seconds: float, first_step: int) -> dict[str, Any]:
    """The summary's head: where, how many steps, how long.

    Parameters
    ----------
    out : Path
        The run folder.
    trainer : Trainer
        The trainer after :func:`run_trainer`.
    seconds : float
        Training time of this call [s].
    first_step : int
        Steps done before this call [count].

    Returns
    -------
    dict
        ``out``, ``steps``, ``steps_this_call``, ``train_seconds`` and ``ms_per_step``.
    """
    steps_now = trainer.step - first_step
    return {"out": str(out), "steps": trainer.step, "steps_this_call": steps_now,
            "train_seconds": round(seconds, 2),
            "ms_per_step": round(1e3 * seconds / steps_now, 3) if steps_now else None}


def history_tail(trainer: Trainer, names: dict[str, str], last: int = 100) -> dict[str, float]:
    """Means of the last ``last`` steps of some history variables, as ``{summary name: value}``.

    Parameters
    ----------
    trainer : Trainer
        The trainer.
    names : dict of str to str
        Summary name -> history key.
    last : int
        Steps averaged [count].

    Returns
    -------
    dict
        The means (empty before any step).
    """
    if not trainer.step:
        return {}
    tail = slice(max(0, trainer.step - last), trainer.step)
    return {name: float(np.mean(trainer.history[key][tail])) for name, key in names.items()}


def finish_run(ds: xr.Dataset, summary: dict[str, Any], out: Path, write_figures=None,
               encoding: dict | None = None) -> xr.Dataset:
    """Store the summary, write ``run.nc`` atomically, drop the checkpoint, then draw the figures.

    The figures come last, so a plotting failure never loses the result;
    their paths are added to ``ds.attrs["summary"]`` (not to the file).

    Parameters
    ----------
    ds : xarray.Dataset
        The run.
    summary : dict
        Its summary (JSON-ready after :func:`ei_maps.io.json_safe`).
    out : Path
        The run folder (released here).
    write_figures : callable, optional
        ``write_figures(ds, out) -> paths``.
    encoding : dict, optional
        NetCDF encoding of the variables.

    Returns
    -------
    xarray.Dataset
        ``ds`` with the summary in its attrs.
    """
    from ..io import json_safe
    from ..provenance import save_result

    from .run_folder import read_manifest, record_derived_since, record_result

    summary = json_safe(summary)
    ds.attrs["summary"] = json.dumps(summary)
    ds.attrs["run_id"] = (read_manifest(out) or {}).get("run_id", "")
    try:
        save_result(ds, out / RUN_FILE, encoding=encoding)
        record_result(out, RUN_FILE)
        (out / CHECKPOINT_FILE).unlink(missing_ok=True)
        if write_figures is not None:
            started = time.time()
            try:
                summary["figures"] = [str(f) for f in write_figures(ds, out)]
            except OSError as err:  # e.g. the disk filled: the result itself is safe
                raise OSError(err.errno, f"{out / RUN_FILE} is saved, but its figures could not be written "
                                         f"({err.strerror or err}); fix that (free space?) and `ei-maps analyze "
                                         f"{out}` draws the map's figures") from None
            finally:  # those drawn before a failure or a Ctrl-C belong to this result too
                record_derived_since(out, started)
            ds.attrs["summary"] = json.dumps(summary)
    finally:
        release_run_folder(out)
    return ds


def save_analysis(ds: xr.Dataset, run_dir: str | Path) -> Path:
    """Write ``run_dir/analysis.nc`` atomically, marked with the run it measures (``run_id``, ``result_sha256``).

    Parameters
    ----------
    ds : xarray.Dataset
        The analysis.
    run_dir : str or Path
        The run folder.

    Returns
    -------
    Path
        The file written.
    """
    from .run_folder import record_derived, run_identity

    path = Path(run_dir) / ANALYSIS_FILE
    ds.attrs.update(run_identity(run_dir))
    save_result(ds, path)
    record_derived(run_dir, [path])
    return path


def dictionary_on_sheet(model, feature_dim: str) -> xr.DataArray:
    """A copy of an activation model's dictionary as (unit_y, unit_x, ``feature_dim``), for inputs that are not patches.

    A copy: the model's own array is a view that later learning changes.

    Parameters
    ----------
    model : ActivationModel
        The model.
    feature_dim : str
        Name of the input dim (``"embedding_dim"``, ``"input"``).

    Returns
    -------
    xarray.DataArray
        The dictionary.
    """
    side = model.side
    return xr.DataArray(model.dictionary.T.reshape(side, side, -1).copy(), dims=("unit_y", "unit_x", feature_dim),
                        name="dictionary")


def activation_model_from_run(saved: xr.Dataset, **overrides: Any):
    """Rebuild the :class:`~ei_maps.models.ActivationModel` of any activation-model run or checkpoint.

    Parameters come from its ``model_config`` attr, the dictionary from its
    ``dictionary`` variable (``unit_y``, ``unit_x`` and the input dims in
    their stored order: ``patch_y, patch_x``, ``embedding_dim`` or
    ``input``), the adapted threshold from ``lam_now`` when a checkpoint
    saved it. ``overrides`` change parameters (e.g. ``engine="numpy"``);
    ``dictionary=`` (n_inputs, n_units) puts another dictionary in the
    run's model (e.g. the authors' published one, measured the same way).

    Parameters
    ----------
    saved : xarray.Dataset
        The run or checkpoint.
    **overrides
        Model parameters (or ``dictionary``, ``engine``) that replace the saved ones.

    Returns
    -------
    ActivationModel
        The model.

    Raises
    ------
    ValueError
        If the dataset holds no model.
    """
    from ..models import ActivationModel, ModelConfig

    if "model_config" not in saved.attrs or "dictionary" not in saved:
        raise ValueError("dataset holds no model (needs a 'dictionary' variable and 'model_config' attr)")
    config = from_json(ModelConfig, saved.attrs["model_config"])
    columns = overrides.pop("dictionary", None)
    if columns is None:
        d = saved["dictionary"]
        inputs = [dim for dim in d.dims if dim not in ("unit_y", "unit_x")]
        columns = d.transpose("unit_y", "unit_x", *inputs).values.reshape(d.sizes["unit_y"] * d.sizes["unit_x"],
                                                                           -1).T
    model = ActivationModel.from_config(config, dictionary=np.ascontiguousarray(columns), **overrides)
    if "lam_now" in saved.attrs:
        model.lam = float(saved.attrs["lam_now"])
    return model

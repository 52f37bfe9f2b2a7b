"""Where a sweep's tasks run: a LocalCluster, a running scheduler, or batch jobs (SLURM, PBS).

A batch cluster is described by a small TOML file (see ``docs/sweep.md``)::

    jobs = 4                 # batch jobs, one single-threaded worker each
    cores = 1
    memory = "4 GiB"
    walltime = "02:00:00"
    queue = "general"        # SLURM partition / PBS queue
    account = "mylab"
    job_extra_directives = ["--constraint=avx2"]

and handed to dask-jobqueue (the ``cluster`` extra), which submits the jobs
and starts the scheduler in this process.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tomllib
from pathlib import Path
from typing import Any, Iterator

from .._log import emit
from ..errors import EiMapsError

CLUSTERS = ("local", "slurm", "pbs")
#: The batch system's command that submits the worker jobs.
SUBMIT_COMMANDS = {"slurm": "sbatch", "pbs": "qsub"}
#: What a cluster file may hold, and the type each value must have.
CLUSTER_FILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "jobs": int, "cores": int, "memory": str, "walltime": str, "queue": str, "account": str,
    "job_extra_directives": list, "job_script_prologue": list, "local_directory": str, "python": str,
    "interface": str,
}
#: Seconds to wait for the first worker of a cluster before saying that none came.
WORKER_WAIT_S = 600.0
#: How long ``--scheduler`` is waited for (its answer, then its first worker) [s].
SCHEDULER_TIMEOUT_S = 30.0


class SchedulerLostError(EiMapsError):
    """The client lost its Dask scheduler in the middle of a sweep (what was finished is saved)."""


def read_cluster_file(path: str | os.PathLike) -> dict[str, Any]:
    """The settings of a batch cluster from its TOML file, checked (names and types)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            settings = tomllib.load(fh)
    except FileNotFoundError:
        raise FileNotFoundError(f"--cluster-file {path}: no such file") from None
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"--cluster-file {path} cannot be read as TOML: {err}") from None
    unknown = sorted(set(settings) - set(CLUSTER_FILE_KEYS))
    if unknown:
        raise ValueError(f"--cluster-file {path}: unknown setting(s) {', '.join(unknown)}; "
                         f"known: {', '.join(CLUSTER_FILE_KEYS)}")
    for name, value in settings.items():
        expected = CLUSTER_FILE_KEYS[name]
        if isinstance(value, bool) or not isinstance(value, expected):
            word = {int: "whole number", str: "string", list: "list"}[expected]
            raise ValueError(f"--cluster-file {path}: {name} must be a {word}, got {value!r}")
    for name in ("jobs", "cores"):
        if name in settings and settings[name] < 1:
            raise ValueError(f"--cluster-file {path}: {name} must be >= 1, got {settings[name]}")
    return settings


def jobqueue_cluster(kind: str, settings: dict[str, Any]):
    """A dask-jobqueue cluster of ``kind`` ("slurm" or "pbs") with no job submitted yet.

    Every worker runs one thread (the tasks are single-threaded; a job with
    ``cores`` = n runs n worker processes).
    """
    try:
        import dask_jobqueue
    except ImportError:
        from .._install import install_hint

        raise EiMapsError(f"--cluster {kind} needs dask-jobqueue: {install_hint('cluster')}") from None
    classes = {"slurm": dask_jobqueue.SLURMCluster, "pbs": dask_jobqueue.PBSCluster}
    if kind not in classes:
        raise ValueError(f"--cluster must be one of {', '.join(CLUSTERS)}, got {kind!r}")
    options = {k: v for k, v in settings.items() if k != "jobs"}
    cores = options.setdefault("cores", 1)
    options.setdefault("memory", "4 GiB")
    options.setdefault("processes", cores)
    options.setdefault("scheduler_options", {"dashboard_address": ":0"})
    return classes[kind](**options)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, cluster: str = "local", workers: int | None = None,
                cluster_file: str | os.PathLike | None = None, log=emit,
                timeout_s: float = SCHEDULER_TIMEOUT_S) -> Iterator[Any]:
    """A connected ``distributed.Client``, closed (with any cluster it started) on exit.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); wins over ``cluster``.
    cluster : {"local", "slurm", "pbs"}
        Start a LocalCluster here, or submit batch jobs through dask-jobqueue.
    workers : int, optional
        LocalCluster worker processes (default: one per core).
    cluster_file : path, optional
        The TOML settings of a batch cluster (needed for slurm and pbs).
    log : callable
        Receives one line per event (the dashboard's address, waiting for workers).
    timeout_s : float
        How long to wait for a ``scheduler`` to answer, and then for its
        first worker [s].

    Raises
    ------
    EiMapsError
        If the scheduler cannot be reached, is not a Dask scheduler, does
        not answer in time, or no worker joins it in time.
    """
    from dask.distributed import Client, LocalCluster

    if cluster not in CLUSTERS:
        raise ValueError(f"--cluster must be one of {', '.join(CLUSTERS)}, got {cluster!r}")
    if cluster != "local" and scheduler is None and cluster_file is None:
        raise ValueError(f"--cluster {cluster} needs --cluster-file FILE.toml (see docs/sweep.md)")
    started = None
    quiet = _quiet_distributed()
    with quiet:
        if scheduler is not None:
            probe_scheduler(scheduler, timeout_s)
            try:
                client = Client(scheduler, timeout=f"{timeout_s}s", set_as_default=False)
            except (OSError, TimeoutError) as err:
                raise EiMapsError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
            _wait_for_a_worker(client, scheduler, timeout_s, log)
        elif cluster == "local":
            started = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(started, set_as_default=False)
        else:
            settings = read_cluster_file(cluster_file)
            submit = SUBMIT_COMMANDS[cluster]
            if shutil.which(submit) is None:
                raise EiMapsError(f"--cluster {cluster} submits jobs with {submit}, which is not on this "
                                  "machine's PATH: run the sweep on the cluster's login node")
            started = jobqueue_cluster(cluster, settings)
            started.scale(jobs=settings.get("jobs", 1))
            log(f"submitted {settings.get('jobs', 1)} {cluster} job(s); waiting for the first worker")
            client = Client(started, set_as_default=False)
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        try:
            log(f"Dask dashboard: {client.dashboard_link}")
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=5)
            if started is not None:
                with contextlib.suppress(Exception):
                    started.close(timeout=10)


def probe_scheduler(address: str, timeout_s: float = SCHEDULER_TIMEOUT_S) -> str:
    """Check that ``address`` is a Dask scheduler answering within ``timeout_s``, before a Client is made.

    A Client made on a wrong address lingers after the error and blocks the
    program's exit; this probe opens one connection, asks the other end who
    it is, and closes it.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT`` (or ``HOST:PORT``; ``tls://``, ``inproc://`` are passed on unchecked).
    timeout_s : float
        How long to wait for the connection and for the answer [s].

    Returns
    -------
    str
        The address, with ``tcp://`` where it had no protocol.

    Raises
    ------
    EiMapsError
        Naming what is wrong: a malformed address, a web address (the
        dashboard's), nothing listening, something that is not a Dask
        scheduler, or no answer in time.
    """
    import asyncio
    import math

    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not (
            math.isfinite(timeout_s) and timeout_s > 0):
        raise ValueError(f"--scheduler-timeout must be a number of seconds > 0, got {timeout_s!r}")
    text = str(address).strip()
    if text.startswith(("http://", "https://")):
        raise EiMapsError(f"--scheduler {address} is a web address (the dashboard's?); give the scheduler's own "
                          "address, tcp://HOST:8786 (printed by `dask scheduler` as 'Scheduler at')")
    if text.startswith(("tls://", "inproc://", "ucx://", "ws://", "wss://")):
        return text
    host_port = text[len("tcp://"):] if text.startswith("tcp://") else text
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in host_port:
        raise EiMapsError(f"--scheduler {address!r} is not a scheduler address: give tcp://HOST:PORT, e.g. "
                          "tcp://login1:8786")
    address = f"tcp://{host_port}"

    async def ask() -> dict:
        from distributed.comm import connect

        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), timeout_s)
        finally:
            comm.abort()

    try:
        # the whole exchange is bounded: Dask's own handshake waits on a port that accepts and never answers
        reply = asyncio.run(asyncio.wait_for(ask(), timeout_s))
    except (asyncio.TimeoutError, TimeoutError):
        raise EiMapsError(f"{address} did not answer as a Dask scheduler within {timeout_s:g} s (the dashboard's "
                          "or another program's port? The scheduler's is usually 8786; --scheduler-timeout waits "
                          "longer)") from None
    except OSError as err:
        raise EiMapsError(f"cannot reach a Dask scheduler at {address}: {err}") from None
    except Exception as err:  # whatever the other end sent could not be read as Dask's protocol
        raise EiMapsError(f"{address} answers, but not as a Dask scheduler ({type(err).__name__}); is it the "
                          "dashboard's port? The scheduler's is usually 8786") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        what = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise EiMapsError(f"{address} is a Dask {what}, not a scheduler: give the scheduler's address")
    return address


def _wait_for_a_worker(client, address: str, timeout_s: float, log) -> None:
    """Return once the scheduler has a worker; say so while waiting, and give up after ``timeout_s``."""
    if client.scheduler_info().get("workers"):
        return
    log(f"the scheduler at {address} has no workers yet: waiting up to {timeout_s:g} s for one "
        f"(start them with `dask worker {address}`)")
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (TimeoutError, OSError):
        with contextlib.suppress(Exception):
            client.close(timeout=5)
        raise EiMapsError(f"no worker joined the scheduler at {address} within {timeout_s:g} s: start workers "
                          f"(`dask worker {address}`) or raise --scheduler-timeout") from None


@contextlib.contextmanager
def _quiet_distributed():
    """Distributed logs each lost connection with a traceback; a sweep reports it in one line instead.

    The loggers' levels are restored on exit.
    """
    loggers = [logging.getLogger(name) for name in ("distributed", "distributed.client", "tornado")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)

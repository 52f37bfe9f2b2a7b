"""Where a result came from: the package and library versions, the code's commit, the command, the machine.

Every result file (``run.nc``, ``checkpoint.nc``, ``analysis.nc``,
``spikes.nc``, ``sweep.nc``) is written through :func:`save_result`, which
adds ``schema_version`` and a ``provenance`` JSON attr; :func:`check_schema`
refuses files of a newer schema and warns about files written before there
was one.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from ._version import __version__

#: Version of the layout of result files; raised when a file's variables or attrs change meaning.
SCHEMA_VERSION = 1

#: Libraries whose versions change results.
LIBRARIES = ("numpy", "scipy", "numba", "xarray", "h5netcdf", "h5py", "brian2", "dask", "distributed")

# the command being run when it is not this process's own (ei_maps.cli.main called with an argv)
_COMMAND: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("ei_maps_command", default=None)

#: When this process started (seconds since the epoch), as the start of every result it writes.
STARTED = time.time()


@functools.lru_cache(maxsize=None)
def _static() -> dict[str, Any]:
    from importlib import metadata

    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"ei_maps": __version__, **_git(Path(__file__).resolve().parent.parent), "libraries": versions,
            "python": platform.python_version(), "platform": platform.platform(), "cpu": _cpu(),
            "cores": os.cpu_count()}


def _git(folder: Path) -> dict[str, Any]:
    """The commit and dirty flag of a checkout the package runs from; nothing for an installed copy."""
    if not (folder / ".git").exists():
        return {}
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"git_commit": commit, "git_dirty": bool(dirty)}


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def provenance() -> dict[str, Any]:
    """This process's provenance now: versions, commit, command line, start and end time, machine."""
    stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t))  # noqa: E731
    command = _COMMAND.get()
    if command is None:
        command = [os.path.basename(sys.argv[0]), *sys.argv[1:]] if sys.argv else []
    return {**_static(), "command": list(command),
            "started": stamp(STARTED), "written": stamp(time.time())}


@contextlib.contextmanager
def recording_command(command: list[str]):
    """Within the block, results record ``command`` as the command line that made them.

    Parameters
    ----------
    command : list of str
        The command line (its words).
    """
    token = _COMMAND.set(list(command))
    try:
        yield
    finally:
        _COMMAND.reset(token)


def save_result(ds, path, encoding: dict | None = None):
    """Write a result Dataset atomically (:func:`ei_maps.io.save_dataset`) with its schema and provenance.

    Parameters
    ----------
    ds : xarray.Dataset
        The result to write (it is not modified).
    path : str or os.PathLike
        The file to write.
    encoding : dict or None
        Per-variable NetCDF encoding, as for :func:`ei_maps.io.save_dataset`.

    Returns
    -------
    Path
        The file written.
    """
    from .cf import describe
    from .io import save_dataset

    ds = ds.copy(deep=False)
    ds.attrs.update(schema_version=SCHEMA_VERSION, provenance=json.dumps(provenance()))
    return save_dataset(describe(ds, path), path, encoding=encoding)


def check_schema(ds, path=None) -> None:
    """Refuse a result of a newer schema than this package reads; warn about one written before schemas.

    Parameters
    ----------
    ds : xarray.Dataset
        The loaded result.
    path : str, os.PathLike or None
        Its file, named in the warning and the error.

    Raises
    ------
    ValueError
        If the result's schema is newer than this package reads.
    """
    where = f"{path}: " if path is not None else ""
    version = ds.attrs.get("schema_version")
    if version is None:
        warnings.warn(f"{where}written before result files recorded their schema (ei-maps 0.1); "
                      "read as schema 1", UserWarning, stacklevel=3)
        return
    if int(version) > SCHEMA_VERSION:
        raise ValueError(f"{where}written with result schema {int(version)}, newer than the {SCHEMA_VERSION} this "
                         f"ei-maps {__version__} reads: update ei-maps")

"""Saving and loading results: atomic NetCDF writes, NetCDF loading, JSON helpers.

A leaf of the package: it imports from ``ei_maps`` only the standard-library
:mod:`ei_maps._lazy`, which defers xarray to its first use (rebuilding a
model from a run is :func:`ei_maps.load_model`, in :mod:`ei_maps.framework.results`).

A run directory holds ``run.nc`` (the finished result), ``checkpoint.nc``
while training is under way, and figures. Every file is written to a
temporary name in the same directory and moved into place, so a crash or
Ctrl-C never leaves a half-written file under the final name.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable

from ._lazy import DeferredModule

xr = DeferredModule("xarray")

ENGINE = "h5netcdf"


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``path`` atomically.

    The temporary file sits in the destination directory (so the final
    ``os.replace`` is a rename on one filesystem) under a hidden unique name,
    and is removed if writing fails or is interrupted.

    Parameters
    ----------
    path : path-like
        Final destination; its parent directory is created.
    write : callable
        Writes the file at the temporary path it is given.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # not tempfile.mkstemp: that creates the file 0600, and the final file
    # should get the usual umask-derived permissions
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return path


def _fsync_folder(folder: Path) -> None:
    # the rename is durable only once the folder's entry is on disk (POSIX; Windows has no folder fds)
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete the hidden temporaries (``.NAME.<id>.tmp``) a killed :func:`atomic_write` left in ``folder``.

    Call it only while no other process writes there (e.g. holding the run
    folder's lock).

    Parameters
    ----------
    folder : str or os.PathLike
        The folder to clean.

    Returns
    -------
    list of Path
        The files removed.
    """
    removed = []
    for tmp in Path(folder).glob(".*.*.tmp"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _checksummed(ds: xr.Dataset, encoding: dict | None) -> dict:
    """Per-variable encoding with HDF5 Fletcher-32 checksums on every numeric array, so damaged bytes are
    detected (and named) on load instead of read as numbers."""
    out = {name: dict(enc) for name, enc in (encoding or {}).items()}
    for name, var in ds.variables.items():
        if var.ndim and var.size and var.dtype.kind in "biuf":
            out.setdefault(name, {}).setdefault("fletcher32", True)
    return out


def save_dataset(ds: xr.Dataset, path: str | os.PathLike, encoding: dict | None = None) -> Path:
    """Write a Dataset as NetCDF (h5netcdf engine), atomically.

    ``encoding`` is passed to :meth:`xarray.Dataset.to_netcdf` (e.g.
    ``{"activations": {"zlib": True, "complevel": 4}}`` for large, mostly-zero arrays);
    every numeric array also gets an HDF5 Fletcher-32 checksum.

    Parameters
    ----------
    ds : xarray.Dataset
        The Dataset to write.
    path : str or os.PathLike
        The file to write.
    encoding : dict or None
        Per-variable NetCDF encoding.

    Returns
    -------
    Path
        The file written.
    """
    encoding = _checksummed(ds, encoding)
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine=ENGINE, encoding=encoding))


def load_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Read a NetCDF file fully into memory (the file is closed on return).

    Parameters
    ----------
    path : str or os.PathLike
        The NetCDF file.

    Returns
    -------
    xarray.Dataset
        Its contents, loaded.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a readable NetCDF/HDF5 file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such result file: {path}")
    try:
        with xr.open_dataset(path, engine=ENGINE) as ds:
            return ds.load()
    except (OSError, ValueError) as err:
        if "filter" in str(err) or "checksum" in str(err).lower():
            raise ValueError(f"{path} is damaged: its data fail their HDF5 checksum ({err}); "
                             "rerun, or restore the file from a copy") from err
        raise ValueError(f"cannot read {path} as a NetCDF result file: {err}") from err


def config_attrs(prefix: str, config) -> dict:
    """NetCDF attrs for a config dataclass: its JSON plus readable flat scalars.

    NetCDF attrs cannot hold None or bool, so the flat copies write them as
    text and ints; the JSON (``{prefix}_config``) is what loading uses.

    Parameters
    ----------
    prefix : str
        Prefix of the attr names (``{prefix}_config``, ``{prefix}_{field}``).
    config : dataclass instance
        The config to record.

    Returns
    -------
    dict
        The attrs.
    """
    import json
    from dataclasses import asdict

    attrs = {f"{prefix}_config": json.dumps(asdict(config), sort_keys=True)}
    for key, value in asdict(config).items():
        if value is None:
            value = "none"
        elif isinstance(value, bool):
            value = int(value)
        attrs[f"{prefix}_{key}"] = value
    return attrs


def json_safe(value):
    """A copy of nested dicts/lists/tuples with NaN and inf replaced by None (valid JSON).

    Parameters
    ----------
    value : object
        A scalar (0-d arrays become Python scalars), or nested dicts, lists and tuples of them.

    Returns
    -------
    object
        The copy (tuples become lists).
    """
    import math

    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as hex (read in 1 MiB blocks).

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    str
    """
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_fingerprint(paths) -> dict[str, str]:
    """What a run read from disk: each file's name with its size and the start of its content's SHA-256.

    Parameters
    ----------
    paths : iterable of path-like
        The files (their names must differ).

    Returns
    -------
    dict of str to str
        ``{name: "SIZE bytes, sha256 HEX16"}``, sorted by name.
    """
    return {path.name: f"{path.stat().st_size} bytes, sha256 {file_sha256(path)[:16]}"
            for path in sorted(map(Path, paths), key=lambda p: p.name)}


def fingerprint_changes(saved: dict, now: dict) -> list[str]:
    """How two input fingerprints (``{"source": ..., "files": {...}}`` or any flat dict) differ, in words.

    Parameters
    ----------
    saved, now : dict
        The fingerprint the run recorded, and the one of the inputs now.

    Returns
    -------
    list of str
        One phrase per difference (empty when they agree), at most 6 files named per kind of change.
    """
    changes = []
    for key in sorted(set(saved) | set(now)):
        old, new = saved.get(key), now.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            for label, names in (("removed", sorted(set(old) - set(new))), ("added", sorted(set(new) - set(old))),
                                 ("changed", sorted(n for n in set(old) & set(new) if old[n] != new[n]))):
                if names:
                    more = f" and {len(names) - 6} more" if len(names) > 6 else ""
                    changes.append(f"{key} {label}: {', '.join(names[:6])}{more}")
        else:
            changes.append(f"{key}: was {old!r}, now {new!r}")
    return changes


_MOVED = {"load_model": "ei_maps.framework.results", "model_from_dataset": "ei_maps.framework.results"}


def __getattr__(name: str):
    # deprecated aliases for one release; the import happens on use only, so io stays a leaf
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(f"ei_maps.io.{name} moved to {_MOVED[name]}.{name} (also ei_maps.{name}); "
                      "the old name goes in the next release", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'ei_maps.io' has no attribute {name!r}")

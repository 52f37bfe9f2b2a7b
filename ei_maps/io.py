"""Saving and loading results: atomic NetCDF writes, runs and checkpoints.

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

import xarray as xr

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
    return path


def save_dataset(ds: xr.Dataset, path: str | os.PathLike, encoding: dict | None = None) -> Path:
    """Write a Dataset as NetCDF (h5netcdf engine), atomically.

    ``encoding`` is passed to :meth:`xarray.Dataset.to_netcdf` (e.g.
    ``{"activations": {"zlib": True, "complevel": 4}}`` for large, mostly-zero arrays).
    """
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine=ENGINE, encoding=encoding))


def load_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Read a NetCDF file fully into memory (the file is closed on return).

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
        raise ValueError(f"cannot read {path} as a NetCDF result file: {err}") from err


def config_attrs(prefix: str, config) -> dict:
    """NetCDF attrs for a config dataclass: its JSON plus readable flat scalars.

    NetCDF attrs cannot hold None or bool, so the flat copies write them as
    text and ints; the JSON (``{prefix}_config``) is what loading uses.
    """
    from dataclasses import asdict

    from .config import to_json

    attrs = {f"{prefix}_config": to_json(config)}
    for key, value in asdict(config).items():
        if value is None:
            value = "none"
        elif isinstance(value, bool):
            value = int(value)
        attrs[f"{prefix}_{key}"] = value
    return attrs


def model_from_dataset(ds: xr.Dataset, **overrides):
    """Rebuild the :class:`ActivationModel` saved in a run or checkpoint Dataset.

    The dictionary, every parameter and the current ``lam`` are restored
    exactly; ``overrides`` (e.g. ``backend="numpy"``) change parameters.
    """
    from .analysis.receptive_fields import fields_to_columns
    from .config import ModelConfig, from_json
    from .models import ActivationModel

    if "model_config" not in ds.attrs or "dictionary" not in ds:
        raise ValueError("dataset holds no model (needs a 'dictionary' variable and 'model_config' attr)")
    config = from_json(ModelConfig, ds.attrs["model_config"])
    params = {"dictionary": fields_to_columns(ds["dictionary"]), **overrides}
    return ActivationModel.from_config(config, **params)


def load_model(path: str | os.PathLike, **overrides):
    """Load a saved run (``run.nc``, a checkpoint, or a run directory) as a model."""
    path = Path(path)
    if path.is_dir():
        path = path / "run.nc"
    return model_from_dataset(load_dataset(path), **overrides)


def json_safe(value):
    """A copy of nested dicts/lists/tuples with NaN and inf replaced by None (valid JSON)."""
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

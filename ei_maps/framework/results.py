"""Loading finished runs and their models, whichever experiment made them.

``load_run(path)`` returns a run's Dataset; ``load_model(path)`` rebuilds the
model that made it, through the experiment registered for the run's kind.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._lazy import DeferredModule
from ..io import load_dataset

xr = DeferredModule("xarray")

__all__ = ["load_run", "load_model", "model_from_dataset"]


def _path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path / "run.nc" if path.is_dir() else path


def load_run(path: str | os.PathLike) -> xr.Dataset:
    """The Dataset of a saved run: ``run.nc``, a checkpoint, or a run directory (its ``run.nc``).

    A file of a newer result schema is refused; one from before schemas warns.

    Parameters
    ----------
    path : str or os.PathLike
        A result file or a run directory.

    Returns
    -------
    xarray.Dataset
        The run, loaded.
    """
    from ..provenance import check_schema

    path = _path(path)
    ds = load_dataset(path)
    check_schema(ds, path)
    return ds


def model_from_dataset(ds: xr.Dataset, **overrides: Any):
    """Rebuild the model saved in a run or checkpoint Dataset (dictionary, parameters, adapted state).

    ``overrides`` change parameters (e.g. ``engine="numpy"``); the model
    class depends on the run's kind (``attrs["kind"]``).

    Parameters
    ----------
    ds : xarray.Dataset
        A run or checkpoint (it needs a ``model_config`` attr).
    **overrides
        Model parameters to change.

    Returns
    -------
    object
        The model, of the class the run's experiment builds.
    """
    from .registry import for_run

    if "model_config" not in ds.attrs:
        raise ValueError("dataset holds no model (needs a 'model_config' attr)")
    experiment = for_run(ds)
    if experiment.load_model is None:
        raise ValueError(f"runs of experiment {experiment.name!r} hold no model to rebuild")
    return experiment.load_model(ds, **overrides)


def load_model(path: str | os.PathLike, **overrides: Any):
    """Load a saved run (``run.nc``, a checkpoint, or a run directory) as the model that made it.

    Parameters
    ----------
    path : str or os.PathLike
        A result file or a run directory.
    **overrides
        Model parameters to change, as for :func:`model_from_dataset`.

    Returns
    -------
    object
        The model.
    """
    path = _path(path)
    run = load_run(path)
    try:
        return model_from_dataset(run, **overrides)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err

"""Topography of a map: how similar neighbouring units are."""
from __future__ import annotations

import numpy as np
import xarray as xr

from .receptive_fields import _unit_fields


def neighbor_similarity(fields: xr.DataArray, n_random: int = 20_000, seed: int = 0) -> xr.Dataset:
    """Mean |cosine| of adjacent units' fields against random pairs.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields or dictionary columns arranged on the sheet.
    n_random : int
        Number of random unit pairs (distinct units) for the baseline.
    seed : int
        Seed of the random pairs.

    Returns
    -------
    Dataset with scalars ``adjacent`` (mean over all horizontally and
    vertically adjacent pairs, no wrap-around), ``random`` and their ratio
    ``contrast = adjacent / random``. For the authors' Fig. 2 dictionary these
    are about 0.89 and 0.08.
    """
    f, (ny, nx) = _unit_fields(fields)
    v = f.reshape(ny * nx, -1)
    norms = np.linalg.norm(v, axis=1)
    unit = np.divide(v, norms[:, None], out=np.zeros_like(v), where=norms[:, None] > 0)
    grid = unit.reshape(ny, nx, -1)
    right = np.abs(np.sum(grid[:, 1:] * grid[:, :-1], axis=-1))
    down = np.abs(np.sum(grid[1:] * grid[:-1], axis=-1))
    pairs = np.concatenate([right.ravel(), down.ravel()])
    if pairs.size == 0:
        raise ValueError("neighbor_similarity needs a sheet of at least 2 units along one side")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, ny * nx, n_random)
    j = (i + rng.integers(1, ny * nx, n_random)) % (ny * nx)
    rand = np.abs(np.sum(unit[i] * unit[j], axis=1))
    adjacent, random = float(pairs.mean()), float(rand.mean())
    return xr.Dataset({"adjacent": adjacent, "random": random,
                       "contrast": adjacent / random if random > 0 else np.inf},
                      attrs={"measure": "mean |cosine similarity| of fields", "n_random": n_random})

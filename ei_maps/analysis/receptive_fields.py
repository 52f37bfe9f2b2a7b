"""Receptive fields by probing settled responses, and their shape measures.

The paper maps a unit's receptive field by presenting every input coordinate
alone (a delta, standardized like a patch) and reading the unit's settled
response; the E/I dynamics shape the field, so it differs from the unit's raw
dictionary column.
"""
from __future__ import annotations

import numpy as np

from .._lazy import DeferredModule
from ..sheet import SHEET_DIMS

xr = DeferredModule("xarray")

FIELD_DIMS = (*SHEET_DIMS, "patch_y", "patch_x")


def delta_probes(n_inputs: int) -> np.ndarray:
    """Standardized delta inputs, shape (n_inputs, n_inputs).

    Row ``i`` is the unit vector ``e_i`` shifted and scaled to mean 0 and
    standard deviation 1, the same normalization the training patches get.

    Parameters
    ----------
    n_inputs : int
        Length of an input vector, at least 2 [count].

    Returns
    -------
    ndarray, shape (n_inputs, n_inputs)
        One probe per row.
    """
    if n_inputs < 2:
        raise ValueError(f"delta probes need at least 2 inputs, got {n_inputs}")
    probes = np.eye(n_inputs)
    return (probes - probes.mean(axis=1, keepdims=True)) / probes.std(axis=1, keepdims=True)


def patch_shape_for(n_inputs: int, patch_shape: tuple[int, int] | None = None) -> tuple[int, int]:
    """The (patch_y, patch_x) shape of an input vector: square unless given."""
    if patch_shape is None:
        p = int(round(np.sqrt(n_inputs)))
        if p * p != n_inputs:
            raise ValueError(f"n_inputs={n_inputs} is not a square; pass patch_shape")
        return p, p
    if patch_shape[0] * patch_shape[1] != n_inputs:
        raise ValueError(f"patch_shape {patch_shape} does not hold n_inputs={n_inputs} values")
    return int(patch_shape[0]), int(patch_shape[1])


def as_fields(columns: np.ndarray, side: int, patch_shape: tuple[int, int] | None = None,
              name: str = "receptive_fields") -> xr.DataArray:
    """Arrange per-unit input-space vectors on the sheet.

    Parameters
    ----------
    columns : ndarray, shape (n_inputs, side*side)
        Column ``unit_y * side + unit_x`` belongs to that unit (the layout of
        the dictionary) [arbitrary units].
    side : int
        Side of the square sheet [grid units].
    patch_shape : (int, int), optional
        Input layout (patch_y, patch_x) [pixels]; square by default.
    name : str
        Name of the returned DataArray.

    Returns
    -------
    DataArray with dims (unit_y, unit_x, patch_y, patch_x)
    """
    columns = np.asarray(columns)
    py, px = patch_shape_for(columns.shape[0], patch_shape)
    if columns.shape[1] != side * side:
        raise ValueError(f"expected {side * side} columns for side {side}, got {columns.shape[1]}")
    data = columns.T.reshape(side, side, py, px)
    return xr.DataArray(data, dims=FIELD_DIMS, name=name)


def fields_to_columns(fields: xr.DataArray) -> np.ndarray:
    """Inverse of :func:`as_fields`: (n_inputs, side*side) array.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Fields arranged on the sheet.

    Returns
    -------
    ndarray, shape (n_inputs, n_units)
        Column ``unit_y * side_x + unit_x`` holds that unit's field, flattened.
    """
    _check_fields(fields)
    f = fields.transpose(*FIELD_DIMS).values
    side_y, side_x = f.shape[:2]
    return f.reshape(side_y * side_x, -1).T


def probe_receptive_fields(model, lam: float = 0.025,
                           patch_shape: tuple[int, int] | None = None) -> xr.DataArray:
    """Receptive fields by the paper's probing method.

    Every standardized delta input is settled through the model (all probes in
    one batch, as published) with soft threshold ``lam``; unit ``j``'s field
    is its response to each probe.

    Parameters
    ----------
    model : ActivationModel
        Model whose settled responses are probed.
    lam : float
        Soft threshold while probing (paper: 0.025, half the training value)
        [dimensionless].
    patch_shape : (int, int), optional
        Input layout (patch_y, patch_x) [pixels]; square by default.

    Returns
    -------
    DataArray (unit_y, unit_x, patch_y, patch_x)
    """
    probes = delta_probes(model.n_inputs)
    responses = model.settle(probes, lam=lam)  # (n_inputs, n_units)
    out = as_fields(responses, model.side, patch_shape)
    out.attrs.update(probe_lam=float(lam), method="standardized delta probes, settled responses")
    return out


def probe_spiking_fields(model, repeats: int = 32, batch: int = 256,
                         patch_shape: tuple[int, int] | None = None) -> xr.DataArray:
    """Receptive fields of a spiking sheet: spike counts to +delta minus counts to -delta.

    Spike counts cannot go negative, so a field's negative lobes would be
    invisible to positive probes alone (paper appendix). Each window starts
    from a random membrane state; a probe and its negative start from the
    same one, so their difference reflects the stimulus rather than the
    start, and the differences are averaged over ``repeats`` states.

    Parameters
    ----------
    model : LIFCodingModel
        Spiking model whose spike counts are probed.
    repeats : int
        Presentations of every probe pair [count].
    batch : int
        Probes simulated together (the training batch reuses its network)
        [count].
    patch_shape : (int, int), optional
        Input layout (patch_y, patch_x) [pixels]; square by default.

    Returns
    -------
    DataArray (unit_y, unit_x, patch_y, patch_x) in spikes per window;
    zero at inhibitory sites.
    """
    if isinstance(repeats, bool) or not (isinstance(repeats, (int, np.integer)) and repeats >= 1):
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    d = delta_probes(model.config.n_inputs)
    diff = np.zeros((d.shape[0], model.config.n_sites))
    excitatory = model.is_exc
    for _ in range(repeats):
        for start in range(0, d.shape[0], batch):
            probes = d[start:start + batch]
            v0 = model.initial_potentials(probes.shape[0])
            plus = model.simulate(model.feedforward(probes), v0)
            minus = model.simulate(model.feedforward(-probes), v0)
            diff[start:start + batch] += np.where(excitatory, plus - minus, 0)
    out = as_fields(diff / repeats, model.side, patch_shape)
    out.attrs.update(repeats=int(repeats), units="spikes per window",
                     method="standardized +delta minus -delta probes from shared starts, spike counts")
    return out


def _check_fields(fields: xr.DataArray) -> None:
    missing = [d for d in FIELD_DIMS if d not in fields.dims]
    if missing:
        raise ValueError(f"fields need dims {FIELD_DIMS}; missing {missing} (got {fields.dims})")


def _unit_fields(fields: xr.DataArray) -> tuple[np.ndarray, tuple[int, int]]:
    _check_fields(fields)
    f = np.asarray(fields.transpose(*FIELD_DIMS).values, dtype=float)
    return f.reshape(-1, f.shape[2], f.shape[3]), f.shape[:2]


def orientation_strength(fields: xr.DataArray) -> xr.DataArray:
    """How strongly each field prefers one orientation, from its power spectrum.

    The field's 2-D power spectrum (mean removed) is summed as a vector over
    the doubled angle of each frequency: ``|sum P(f) exp(2i theta_f)| / sum P(f)``.
    A Gabor-like edge detector scores near 1, white noise near 0 (about
    ``1/sqrt(number of frequencies)``), an isotropic blob 0.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields or dictionary columns arranged on the sheet.

    Returns
    -------
    DataArray (unit_y, unit_x), values in [0, 1]; 0 for an all-zero field.
    """
    f, grid = _unit_fields(fields)
    py, px = f.shape[1:]
    power = np.abs(np.fft.fft2(f - f.mean(axis=(1, 2), keepdims=True))) ** 2
    ky = np.fft.fftfreq(py)[:, None]
    kx = np.fft.fftfreq(px)[None, :]
    phase = np.exp(2j * np.arctan2(ky, kx))
    phase[0, 0] = 0.0
    total = power.sum(axis=(1, 2))
    vec = np.abs(np.sum(power * phase, axis=(1, 2)))
    strength = np.divide(vec, total, out=np.zeros_like(vec), where=total > 0)
    return xr.DataArray(strength.reshape(grid), dims=("unit_y", "unit_x"), name="orientation_strength")


def spatial_spread(fields: xr.DataArray) -> xr.DataArray:
    """Radius of gyration of each field's energy, relative to a uniform field.

    ``sqrt(sum w r^2 / sum w)`` with ``w = field^2`` and ``r`` the distance to
    the energy centroid, divided by the same quantity for a field of equal
    energy everywhere. A localized field scores well below 1, an unlocalized
    one about 1.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields or dictionary columns arranged on the sheet.

    Returns
    -------
    DataArray (unit_y, unit_x); NaN for an all-zero field.
    """
    f, grid = _unit_fields(fields)
    py, px = f.shape[1:]
    w = f**2
    total = w.sum(axis=(1, 2))
    yy, xx = np.mgrid[0:py, 0:px].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cy = np.sum(w * yy, axis=(1, 2)) / total
        cx = np.sum(w * xx, axis=(1, 2)) / total
        r2 = (yy[None] - cy[:, None, None]) ** 2 + (xx[None] - cx[:, None, None]) ** 2
        radius = np.sqrt(np.sum(w * r2, axis=(1, 2)) / total)
    uniform = np.sqrt(((py**2 - 1) + (px**2 - 1)) / 12.0)
    return xr.DataArray(radius.reshape(grid) / uniform, dims=("unit_y", "unit_x"), name="spatial_spread")

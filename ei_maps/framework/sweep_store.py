"""The results of a sweep on disk: one Zarr store, written a configuration at a time.

``sweep.zarr`` is created with the whole grid up front (every swept
parameter and the seed a dimension, one chunk per configuration), and each
finished configuration is written into its own region, so recording a
result costs the same whatever the size of the sweep. The store packs a
configuration's numbers into one chunk of ``values`` (along ``quantity``),
beside ``error`` and ``done``; :func:`read_store` gives the usual Dataset,
one variable per measure. The ``done`` flag of
a configuration is written last: a region whose measures were written but
whose flag was not (a sweep killed while recording) is *half-written*, and
counts as not done. Chunks are written atomically by Zarr's local store
(temporary file, then rename). ``sweep.nc`` is the same Dataset exported as
NetCDF when a sweep ends.
"""
from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from .._lazy import DeferredModule
from ..provenance import SCHEMA_VERSION, check_schema, provenance

xr = DeferredModule("xarray")

STORE_DIR = "sweep.zarr"
SWEEP_FILE = "sweep.nc"
#: The dimension of the store's ``values`` that names each number (the measures, then ``seconds``).
QUANTITY = "quantity"


def empty_result(measures: tuple[str, ...], params: dict[str, list], seeds: list[int]) -> xr.Dataset:
    """The grid with nothing done: NaN measures, empty errors, ``done`` False."""
    coords = {name: np.asarray(values) for name, values in params.items()}
    coords["seed"] = np.asarray(seeds)
    shape = tuple(len(v) for v in coords.values())
    dims = tuple(coords)
    data = {m: (dims, np.full(shape, np.nan)) for m in measures}
    data["seconds"] = (dims, np.full(shape, np.nan))
    data["error"] = (dims, np.full(shape, "", dtype=object))
    data["done"] = (dims, np.zeros(shape, bool))
    return xr.Dataset(data, coords=coords)


def _packed(result: xr.Dataset) -> xr.Dataset:
    """The store's layout: every number of a configuration in one chunk (``values`` along ``quantity``),
    so recording a configuration is three chunk writes (values, error, done) however many measures."""
    numbers = [name for name in result.data_vars if name not in ("error", "done")]
    values = xr.concat([result[name] for name in numbers], dim=xr.DataArray(numbers, dims=QUANTITY))
    dims = result["done"].dims
    packed = xr.Dataset({"values": values.transpose(*dims, QUANTITY), "error": result["error"],
                         "done": result["done"]}, attrs=result.attrs)
    packed[QUANTITY] = packed[QUANTITY].astype(object)
    return packed


def _unpacked(packed: xr.Dataset) -> xr.Dataset:
    ds = packed["values"].to_dataset(QUANTITY)
    ds["error"] = packed["error"].astype(object)
    ds["done"] = packed["done"]
    ds.attrs = dict(packed.attrs)
    return ds.drop_vars(QUANTITY, errors="ignore")


def create_store(path: Path, result: xr.Dataset) -> None:
    """Write ``result`` as a new store at ``path``, replacing any there, atomically.

    The store is built in a hidden folder beside ``path`` and renamed into
    place, so a sweep killed while creating it leaves the previous store (or
    none), never half of one.
    """
    path = Path(path)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    ds = _packed(result)
    ds.attrs.update(schema_version=SCHEMA_VERSION, provenance=json.dumps(provenance()))
    # text as variable-length strings: a fixed width would truncate longer errors written later
    for name, var in ds.variables.items():
        if var.dtype.kind in "US":
            ds[name] = var.astype(object)
    dims = ds["done"].dims
    encoding = {"values": {"chunks": (1,) * len(dims) + (ds.sizes[QUANTITY],)},
                "error": {"chunks": (1,) * len(dims)}, "done": {"chunks": (1,) * len(dims)}}
    old = None
    try:
        ds.to_zarr(tmp, mode="w", encoding=encoding, consolidated=False)
        if path.exists():
            old = path.parent / f".{path.name}.{uuid.uuid4().hex}.old.tmp"
            path.rename(old)
        tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_store(path: Path) -> tuple[xr.Dataset, int]:
    """The sweep in ``path`` loaded into memory (one variable per measure), and the number of half-written
    configurations.

    A configuration with an unreadable chunk counts as not done; so does
    one whose numbers were recorded without its ``done`` flag (half-written:
    the sweep was killed while recording it).
    """
    path = Path(path)
    try:
        packed = xr.open_zarr(path, consolidated=False).load()
    except Exception as err:  # noqa: BLE001  (a damaged chunk: read it chunk by chunk below)
        packed = _read_damaged(path, err)
    check_schema(packed, path)
    ds = _unpacked(packed)
    half = (~ds["done"].values) & np.isfinite(ds["seconds"].values) & (ds["error"].values == "")
    return ds, int(half.sum())


def _dimension_names(array) -> tuple[str, ...]:
    # zarr v3 keeps them in the metadata, v2 (as xarray writes it) in an attribute
    names = getattr(getattr(array, "metadata", None), "dimension_names", None)
    return tuple(names or array.attrs.get("_ARRAY_DIMENSIONS", ()))


def _read_damaged(path: Path, err: Exception) -> xr.Dataset:
    """Read the store chunk by chunk: an unreadable chunk becomes NaN (and not done), the rest is kept."""
    import zarr

    try:
        group = zarr.open_group(path, mode="r")
        dims = _dimension_names(group["done"])
        coords = {d: group[d][...] for d in (*dims, QUANTITY)}
        arrays = {name: group[name] for name in ("values", "error", "done")}
    except Exception as inner:  # noqa: BLE001
        raise ValueError(f"{path}: the sweep's store cannot be read ({err}); use another --out") from inner
    shape = tuple(len(coords[d]) for d in dims)
    values = np.full((*shape, len(coords[QUANTITY])), np.nan)
    error = np.full(shape, "", dtype=object)
    done = np.zeros(shape, bool)
    for index in np.ndindex(*shape):
        try:
            values[index] = arrays["values"][index]
            error[index] = arrays["error"][index]
            done[index] = arrays["done"][index]
        except Exception:  # noqa: BLE001  (a damaged chunk: this configuration runs again)
            values[index], error[index], done[index] = np.nan, "", False
    return xr.Dataset({"values": ((*dims, QUANTITY), values), "error": (dims, error), "done": (dims, done)},
                      coords=coords, attrs=dict(group.attrs))


class Recorder:
    """Writes finished configurations into their regions of an existing store.

    Parameters
    ----------
    path : path
        The store (made by :func:`create_store`).
    """

    def __init__(self, path: Path) -> None:
        import zarr

        self.path = Path(path)
        self._group = zarr.open_group(self.path, mode="r+")
        # opened once: each lookup in the group reads the array's metadata again
        self._arrays = {name: self._group[name] for name in ("values", "error", "done")}
        self.dims = _dimension_names(self._arrays["done"])
        self.quantities = [str(q) for q in self._group[QUANTITY][...]]

    def record(self, index: tuple[int, ...], measures: dict[str, Any]) -> None:
        """Write one configuration's ``measures`` at grid position ``index``; its ``done`` flag last."""
        failed = "error" in measures
        values = [measures.get(q) if (q == "seconds" or not failed) else None for q in self.quantities]
        self._arrays["values"][index] = np.array([np.nan if v is None else float(v) for v in values])
        self._arrays["error"][index] = str(measures["error"]) if failed else ""
        self._arrays["done"][index] = not failed

    def set_attrs(self, **attrs: Any) -> None:
        """Update the store's attributes (e.g. the wall time when the sweep ends)."""
        self._group.attrs.update(attrs)


def export_netcdf(result: xr.Dataset, path: Path) -> Path:
    """Write the sweep as one NetCDF file (``sweep.nc``), atomically, with its provenance."""
    from ..provenance import save_result

    return save_result(result, path)

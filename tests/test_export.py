"""A wave run's spikes exported to NWB and Neo read back the same (issue 35)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.cli import main
from ei_maps.io import load_dataset


@pytest.fixture(scope="module")
def wave_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "waves"
    assert main(["waves", "--side", "30", "--duration", "150", "--transient", "20", "--out", str(out),
                 "--no-progress", "--no-figures"]) == 0
    return out


def test_nwb_holds_every_neurons_spikes_place_and_the_parameters(wave_run, capsys):
    pynwb = pytest.importorskip("pynwb")
    assert main(["export", str(wave_run), "--format", "nwb"]) == 0
    assert "wrote" in capsys.readouterr().out
    spikes = load_dataset(wave_run / "spikes.nc")
    assert spikes.sizes["spike"] > 100
    counts = np.bincount(spikes["spike_neuron"].values, minlength=spikes.sizes["neuron"])
    with pynwb.NWBHDF5IO(str(wave_run / "spikes.nwb"), "r") as io:
        nwb = io.read()
        units = nwb.units
        assert len(units) == spikes.sizes["neuron"]
        for i in (0, int(np.argmax(counts)), spikes.sizes["neuron"] - 1):
            expected = np.sort(spikes["spike_time"].values[spikes["spike_neuron"].values == i]) / 1e3
            np.testing.assert_allclose(units["spike_times"][i], expected)
            assert units["x"][i] == spikes["neuron_x"].values[i] and units["y"][i] == spikes["neuron_y"].values[i]
            assert bool(units["is_excitatory"][i]) == bool(spikes["neuron_is_exc"].values[i])
        notes = json.loads(nwb.notes)
        assert json.loads(notes["lif_config"])["side"] == 30 and notes["run_id"] == spikes.attrs["run_id"]


def test_neo_block_has_one_spike_train_per_neuron(wave_run):
    pytest.importorskip("neo")
    from ei_maps.export import to_neo

    spikes = load_dataset(wave_run / "spikes.nc")
    block = to_neo(spikes)
    trains = block.segments[0].spiketrains
    assert len(trains) == spikes.sizes["neuron"]
    assert sum(len(t) for t in trains) == spikes.sizes["spike"]
    assert trains[5].annotations["x"] == int(spikes["neuron_x"].values[5])
    assert str(trains[0].units.dimensionality) == "ms"


def test_export_of_a_folder_without_spikes_says_so(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds no spikes.nc: export writes the spikes of a wave run" in err and "Traceback" not in err

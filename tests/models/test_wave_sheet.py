"""Spiking E/I sheet: connectivity, the same-step conductance schedule, firing regimes, the engines agree."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ei_maps.models import WaveSheetConfig
from ei_maps.models._brian2 import SCHEDULE
from ei_maps.models.wave_sheet import WaveSheet, neuron_positions
from ei_maps.models.wave_sheet._reference import reference_steps
from ei_maps.models.wave_sheet.model import SimulationStopped
from ei_maps.sheet import disk_offsets, torus_connections

try:
    import brian2
except ImportError:
    brian2 = None
ROOT = str(Path(__file__).resolve().parents[2])
needs_brian2 = pytest.mark.skipif(brian2 is None, reason="Brian2 (the lif extra) is not installed")


def test_torus_connections_cover_the_disk_once():
    side, radius = 12, 3.0
    pos = neuron_positions(WaveSheetConfig(side=side, radius=radius))
    x = pos["neuron_x"].values[: side * side]
    y = pos["neuron_y"].values[: side * side]
    n_disk = disk_offsets(radius)[0].size
    pre, post, d2 = torus_connections(x, y, 1, side, radius, same_population=True)
    assert np.all(np.bincount(pre, minlength=side * side) == n_disk - 1)  # every offset but itself
    assert np.all(np.bincount(post, minlength=side * side) == n_disk - 1)
    assert not np.any(pre == post)
    assert len(set(zip(pre.tolist(), post.tolist()))) == pre.size
    # a neighbor across the edge is one site away
    corner = 0
    assert d2[(pre == corner) & (post == side - 1)].tolist() == [1.0]
    # E -> I: targets on every second site; self-site pairs allowed (different neurons)
    pre_i, post_i, d2_i = torus_connections(x, y, 2, side, radius, same_population=False)
    assert np.bincount(post_i).min() == n_disk and 0.0 in d2_i


def test_small_torus_connects_each_pair_once():
    # radius 15 on a 30-site torus: +15 and -15 reach the same site
    dy, dx = disk_offsets(15.0, 30)
    assert len(set(zip((dy % 30).tolist(), (dx % 30).tolist()))) == dy.size
    assert dy.size < disk_offsets(15.0)[0].size
    side = 30
    pos = neuron_positions(WaveSheetConfig(side=side))
    x = pos["neuron_x"].values[: side * side]
    y = pos["neuron_y"].values[: side * side]
    pre, post, _ = torus_connections(x, y, 1, side, 15.0, same_population=True)
    assert len(set(zip(pre.tolist(), post.tolist()))) == pre.size
    spikes = WaveSheet(side=side, seed=0).run(100.0)  # the published radius on the smallest sheet
    assert spikes.sizes["spike"] > 0


def test_bad_configurations_are_rejected():
    with pytest.raises(ValueError, match="multiple of inh_spacing"):
        WaveSheetConfig(side=31)
    with pytest.raises(ValueError, match="radius"):
        WaveSheetConfig(radius=0)
    with pytest.raises(ValueError, match="decay times"):
        WaveSheetConfig(tau_decay_exc=0.4)


def _neighbor_trace(schedule, engine="kernel"):
    """V of a neighbor of a neuron that fires at the first step, for a few steps."""
    sheet = WaveSheet(side=8, radius=1.5, drive_exc=0.0, drive_inh=0.0, seed=0, engine=engine)
    exc, inh = sheet.groups
    exc.v = -70 * brian2.mV
    inh.v = -70 * brian2.mV
    exc.v[0] = -50 * brian2.mV  # above threshold: spikes in the first step
    mon = brian2.StateMonitor(exc, "v", record=[1], when="end")
    sheet.network.add(mon)
    sheet.network.schedule = schedule
    sheet.network.run(4 * sheet.config.dt * brian2.ms)
    return np.asarray(mon.v[0] / brian2.mV), sheet


@needs_brian2
@pytest.mark.parametrize("engine", ["kernel", "synapses"])
def test_spike_conductance_acts_in_the_step_it_is_fired(engine):
    v, sheet = _neighbor_trace(SCHEDULE, engine)
    spikes = sheet.spikes()
    assert spikes["spike_neuron"].values.tolist()[:1] == [0] and spikes["spike_time"].values[0] == 0
    # monitors record at the end of each step: V has already moved after the spike's own step
    assert v[0] > -70 + 1e-6
    default, _ = _neighbor_trace(["start", "groups", "thresholds", "synapses", "resets", "end"], engine)
    # Brian2's default order integrates V before the spike propagates: no effect in that step
    assert default[0] == pytest.approx(-70, abs=1e-12)
    assert default[1] < v[1]


def _regime(w_inh, side=40, duration=500.0):
    sheet = WaveSheet(side=side, w_inh=w_inh, seed=1)
    spikes = sheet.run(duration)
    t = spikes["spike_time"].values
    n = spikes["spike_neuron"].values
    exc = spikes["neuron_is_exc"].values[n] & (t >= 200)
    rate = exc.sum() / sheet.n_exc / ((duration - 200) / 1000)
    counts = np.histogram(t[exc], bins=np.arange(200, duration + 1, 5.0))[0] / sheet.n_exc
    return rate, counts.max()  # Hz, largest fraction of E neurons firing in one 5 ms window


def test_firing_regimes_as_inhibition_varies():
    """W_I = 0 runs away, 0.1 bursts globally, 0.3 makes local waves, 0.5 sparser patches (40 x 40 torus)."""
    runaway, _ = _regime(0.0)
    burst_rate, burst_peak = _regime(0.1)
    wave_rate, wave_peak = _regime(0.3)
    sparse_rate, sparse_peak = _regime(0.5)
    assert runaway > 150  # every neuron fires at nearly the refractory limit (~185 Hz)
    assert burst_peak > 0.8 and burst_rate < 50  # nearly the whole sheet fires together
    assert 0.05 < wave_peak < 0.6 and 1 < wave_rate < 50  # only part of the sheet at a time
    assert sparse_rate < wave_rate and sparse_peak < 0.6


@needs_brian2
@pytest.mark.parametrize("engine", ["kernel", "synapses"])
def test_one_spike_gives_a_difference_of_exponentials_that_integrates_to_w(engine):
    sheet = WaveSheet(side=8, radius=1.5, drive_exc=0.0, drive_inh=0.0, seed=0, engine=engine)
    c = sheet.config
    exc, inh = sheet.groups
    exc.v = -70 * brian2.mV
    inh.v = -70 * brian2.mV
    exc.v[0] = -50 * brian2.mV
    mon = brian2.StateMonitor(exc, "s_e", record=[1], when="end")  # unit 1 is one site from unit 0
    sheet.network.add(mon)
    steps = 400
    sheet.network.run(steps * c.dt * brian2.ms)
    s = np.asarray(mon.s_e[0] / brian2.Hz) / 1000  # per ms
    n = np.arange(1, steps + 1)
    w = c.w_exc * np.exp(-1 / c.exc_width)
    expected = w * (np.exp(-n * c.dt / c.tau_decay_exc) - np.exp(-n * c.dt / c.tau_rise_exc)) / (
        c.tau_decay_exc - c.tau_rise_exc)
    np.testing.assert_allclose(s, expected, rtol=1e-5, atol=1e-12)
    assert np.sum(s) * c.dt == pytest.approx(w, rel=0.02)  # 20 ms of a 2 ms decay: nearly all of it


@needs_brian2
def test_kernel_and_synapses_engines_give_the_same_spikes():
    runs = [WaveSheet(side=32, seed=2, engine=engine) for engine in ("kernel", "synapses")]
    spikes = [sheet.run(100.0) for sheet in runs]
    assert runs[0].n_synapses == runs[1].n_synapses
    assert spikes[0].sizes["spike"] > 500
    np.testing.assert_array_equal(spikes[0]["spike_neuron"].values, spikes[1]["spike_neuron"].values)
    np.testing.assert_allclose(spikes[0]["spike_time"].values, spikes[1]["spike_time"].values)
    with pytest.raises(ValueError, match="engine"):
        WaveSheet(side=32, engine="gpu")


# ----------------------------------------------------------------------------- engine "numba"
@needs_brian2
def test_numba_gives_the_kernel_engines_spikes_and_state():
    """The same spike neurons at the same steps, and the same state, as Brian2 (40 x 40, 300 ms, ~26 Hz)."""
    pytest.importorskip("brian2")
    runs = [WaveSheet(side=40, seed=1, engine=engine) for engine in ("numba", "kernel")]
    spikes = [sheet.run(300.0) for sheet in runs]
    assert runs[0].n_synapses == runs[1].n_synapses
    assert spikes[0].sizes["spike"] > 10000
    for key in ("spike_neuron", "spike_time"):
        np.testing.assert_array_equal(spikes[0][key].values, spikes[1][key].values)
    # bit for bit on an x86-64 CPU with FMA, where Brian2's GCC -O3 -ffast-math -march=native code contracts
    # the membrane step as _numba.run_steps spells it; elsewhere within rounding
    numba_state, brian_state = runs[0].state(), runs[1].state()
    for key, value in numba_state.items():
        np.testing.assert_allclose(value, brian_state[key], rtol=1e-12, atol=1e-300, err_msg=key)


def test_numba_resumes_where_it_stopped():
    whole = WaveSheet(side=40, seed=3)
    parts = WaveSheet(side=40, seed=3)
    a = whole.run(250.0)
    parts.run(100.0)
    b = parts.run(150.0)
    assert parts.spikes().attrs["duration_ms"] == pytest.approx(250.0)
    assert a.sizes["spike"] > 1000
    for key in ("spike_neuron", "spike_time"):
        np.testing.assert_array_equal(a[key].values, b[key].values)
    for key, value in whole.state().items():
        np.testing.assert_array_equal(value, parts.state()[key], err_msg=key)
    # nothing recorded after the reached time: the spikes detected ahead for the next step are not shown
    assert b["spike_time"].values.max() < 250.0


def test_numba_spikes_do_not_depend_on_the_threads_or_their_choice(monkeypatch):
    """Two threads, one, and the choice between them chunk by chunk: the same bands, so the same bits."""
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two Numba threads")
    monkeypatch.setattr(WaveSheet, "MIN_NEURONS_PER_THREAD", 100)  # a small sheet on two threads
    monkeypatch.setattr(WaveSheet, "CHUNK_SECONDS", 0.002)  # many chunks, so the choice switches
    runs = {}
    for threads in (2, 1, None):
        sheet = WaveSheet(side=40, seed=2)
        sheet._threads = threads
        runs[threads] = (sheet.run(200.0), sheet)
    assert runs[None][1]._numba["threads"] == 2
    chooser = runs[None][1]._numba["chooser"]
    assert all(chooser._costs[name] for name in chooser.names), "both thread counts were timed"
    reference = runs[2][0]
    assert reference.sizes["spike"] > 2000
    for threads in (1, None):
        for key in ("spike_neuron", "spike_time"):
            np.testing.assert_array_equal(runs[threads][0][key].values, reference[key].values)
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS  # left as it was


def test_one_thread_runs_the_loop_that_releases_the_gil(monkeypatch):
    """Numba takes the GIL to open each parallel region, so a busy Python thread beside the parallel loop
    stalls every step (measured: 100 x 100 for 1 s, 112 s instead of 1.2 s). A sheet on one thread, as every
    sheet under MIN_NEURONS_PER_THREAD is, must never enter the parallel loop, and its loop must not hold
    the GIL."""
    from ei_maps.models.wave_sheet import _numba

    assert _numba.run_steps_serial.targetoptions.get("nogil") is True
    assert not _numba.run_steps_serial.targetoptions.get("parallel")

    def refuse(*args):
        raise AssertionError("the parallel loop ran on one thread")

    parallel = _numba.run_steps
    small = WaveSheet(side=20, seed=2)
    assert small.n_exc + small.n_inh < WaveSheet.MIN_NEURONS_PER_THREAD
    monkeypatch.setattr(WaveSheet, "MIN_NEURONS_PER_THREAD", 100)
    forced = WaveSheet(side=20, seed=2)  # may take two threads, told to take one
    forced._threads = 1
    forced.build()  # warms both loops
    monkeypatch.setattr(_numba, "run_steps", refuse)
    monkeypatch.setattr(WaveSheet, "MIN_NEURONS_PER_THREAD", 10 ** 9)
    for sheet in (small, forced):
        assert sheet.run(50.0).sizes["spike"] > 0
    monkeypatch.setattr(_numba, "run_steps", parallel)


@pytest.mark.parametrize("overrides", [dict(side=16, radius=4.0, w_exc=1.0, drive_exc=0.03, seed=3),
                                       # a torus smaller than the disk: wrapped rows, the general scatter
                                       dict(side=12, radius=7.0, w_exc=0.4, w_inh=0.1, drive_exc=0.03, seed=4)])
def test_numba_loop_matches_the_plain_numpy_reference(overrides):
    sheet = WaveSheet(**overrides)
    sheet.build()
    e = sheet._numba
    e["fused"] = False  # the written formulas, unfused, as NumPy evaluates them
    state = {k: v.copy() for k, v in e["state"].items()}
    pending = e["pending"][:int(e["counts"][0] + e["counts"][1])].copy()
    steps = 400
    sheet.run(steps * sheet.config.dt)
    pos = sheet.positions
    neuron, step = reference_steps(sheet.config, pos["neuron_x"].values, pos["neuron_y"].values, sheet.n_exc,
                                   e["params"], e["ref_steps"], state, pending, 0, steps)
    recorded = int(e["counts"][2])
    assert recorded > 200
    np.testing.assert_array_equal(e["rec_neuron"][:recorded], neuron)
    np.testing.assert_array_equal(e["rec_step"][:recorded], step)
    for key in state:
        np.testing.assert_array_equal(e["state"][key], state[key], err_msg=key)


def test_numba_engine_bad_input_and_interfaces():
    with pytest.raises(ValueError, match="engine"):
        WaveSheet(side=32, engine="gpu")
    sheet = WaveSheet(side=30, radius=5.0)
    for bad in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="duration"):
            sheet.run(bad)
    with pytest.raises(AttributeError, match="numba"):
        sheet.network
    config = WaveSheetConfig()
    assert config.memory_bytes(2000.0, engine="numba") < config.memory_bytes(2000.0, engine="kernel")
    assert issubclass(SimulationStopped, KeyboardInterrupt)


def test_numba_engine_needs_no_brian2(tmp_path):
    # a brian2 that cannot be imported shadows any installed one
    (tmp_path / "brian2").mkdir()
    (tmp_path / "brian2" / "__init__.py").write_text("raise ImportError('no Brian2 here')\n")
    code = ("import sys; from ei_maps.models.wave_sheet import WaveSheet; "
            "s = WaveSheet(side=30, radius=5.0).run(20.0); print(s.sizes['spike'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), ROOT])})
    assert proc.returncode == 0, proc.stderr

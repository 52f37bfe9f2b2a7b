"""Spiking diagnostics on synthetic spike lists with known answers."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from ei_maps.analysis.waves import (_label_periodic, _structure, activity_movie, correlation_by_distance,
                                    cv_isi, detect_waves, fano_factor, firing_rates, population_rate,
                                    spikes_dataset, wave_diagnostics)


def _grid(side: int):
    """An excitatory neuron at every site, row by row (neuron k at y = k // side, x = k % side)."""
    y, x = np.divmod(np.arange(side * side), side)
    return x.astype(float), y.astype(float)


def _poisson(n: int, rate_hz: float, duration_ms: float, rng: np.random.Generator, first: int = 0):
    counts = rng.poisson(rate_hz * duration_ms / 1000, n)
    return np.repeat(np.arange(first, first + n), counts), rng.uniform(0, duration_ms, counts.sum())


def _moving_discs(discs, side=60, radius=5.0, p_step=0.25, step_ms=0.5, noise_hz=2.0, duration_ms=500.0,
                  seed=0) -> xr.Dataset:
    """Discs ``(x0, y0, vx, vy, t0_ms, lifetime_ms)`` sweeping a torus of excitatory sites.

    Every ``step_ms`` each site inside a disc fires with probability ``p_step``;
    every site also fires as a Poisson process at ``noise_hz``.
    """
    rng = np.random.default_rng(seed)
    x, y = _grid(side)
    i_all, t_all = [_poisson(side * side, noise_hz, duration_ms, rng)[0]], []
    t_all.append(rng.uniform(0, duration_ms, i_all[0].size))
    for x0, y0, vx, vy, t0, life in discs:
        for t in np.arange(t0, t0 + life, step_ms):
            cx, cy = x0 + vx * (t - t0), y0 + vy * (t - t0)
            dx = (x - cx + side / 2) % side - side / 2
            dy = (y - cy + side / 2) % side - side / 2
            fire = np.flatnonzero((dx ** 2 + dy ** 2 <= radius ** 2) & (rng.random(side * side) < p_step))
            i_all.append(fire)
            t_all.append(t + rng.uniform(0, step_ms, fire.size))
    return spikes_dataset(np.concatenate(i_all), np.concatenate(t_all), x, y, np.ones(side * side, bool),
                          side, duration_ms, 0.1)


@pytest.fixture(scope="module")
def poisson_run():
    """500 excitatory neurons at 20 Hz and 100 inhibitory ones at 40 Hz for 5 s, on a 25 x 25 torus."""
    rng = np.random.default_rng(0)
    ie, te = _poisson(500, 20.0, 5000.0, rng)
    ii, ti = _poisson(100, 40.0, 5000.0, rng, first=500)
    x, y = _grid(25)
    x = np.concatenate([x[:500], x[::6][:100]])
    y = np.concatenate([y[:500], y[::6][:100]])
    types = np.array(["E"] * 500 + ["I"] * 100)
    return spikes_dataset(np.concatenate([ie, ii]), np.concatenate([te, ti]), x, y, types, 25, 5000.0, 0.1)


@pytest.fixture(scope="module")
def regular_run():
    """30 neurons each firing every 50 ms (20 Hz) at 25, 75, 125... ms."""
    n, times = 30, np.arange(25.0, 3000.0, 50.0)
    x, y = _grid(10)
    return spikes_dataset(np.repeat(np.arange(n), times.size), np.tile(times, n), x[:n], y[:n],
                          np.ones(n, bool), 10, 3000.0, 0.1)


# --------------------------------------------------------------------------- dataset
def test_spikes_dataset_layout_and_types(poisson_run):
    ds = poisson_run
    assert ds["spike_neuron"].dims == ("spike",) and ds["neuron_x"].dims == ("neuron",)
    assert ds.attrs["side"] == 25 and ds.attrs["duration_ms"] == 5000.0 and ds.attrs["dt_ms"] == 0.1
    assert ds["neuron_is_exc"].dtype == bool and ds["neuron_is_exc"].values.sum() == 500
    tagged = spikes_dataset([0], [1.0], [0.0], [0.0], [True], 4, 10.0, 0.1, attrs={"seed": 3})
    assert tagged.attrs["seed"] == 3


def test_bad_input_is_refused():
    x, y = _grid(4)
    exc = np.ones(16, bool)
    with pytest.raises(ValueError, match="NaN"):
        spikes_dataset([0, 1], [1.0, np.nan], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="run"):
        spikes_dataset([0, 1], [1.0, 100.5], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="run"):
        spikes_dataset([0], [-1.0], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="neuron indices"):
        spikes_dataset([0, 16], [1.0, 2.0], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="integers"):
        spikes_dataset([0.5], [1.0], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="match"):
        spikes_dataset([0, 1], [1.0], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="side"):
        spikes_dataset([0], [1.0], x, y, exc, 3, 100.0, 0.1)  # positions reach 3, off a 3-site torus
    with pytest.raises(ValueError, match="'E' or 'I'"):
        spikes_dataset([0], [1.0], x, y, np.array(["E"] * 15 + ["X"]), 4, 100.0, 0.1)
    ds = spikes_dataset([0, 1], [1.0, 2.0], x, y, exc, 4, 100.0, 0.1)
    with pytest.raises(ValueError, match="transient_ms"):
        firing_rates(ds, transient_ms=100.0)
    with pytest.raises(ValueError, match="population"):
        fano_factor(ds, transient_ms=0, population="excitatory")
    with pytest.raises(ValueError, match="dt_ms"):
        detect_waves(ds, bin_ms=0.05, transient_ms=0)
    with pytest.raises(ValueError, match="lacks variables"):
        firing_rates(ds.drop_vars("spike_time"), transient_ms=0)
    with pytest.raises(ValueError, match="distances"):
        correlation_by_distance(ds, distances=(4, 2), transient_ms=0)
    # a Dataset edited after construction is validated again
    broken = ds.copy()
    broken["spike_time"] = ("spike", np.array([1.0, 500.0]))
    with pytest.raises(ValueError, match="run"):
        cv_isi(broken, transient_ms=0)


# --------------------------------------------------------------------------- rates, CV, Fano
def test_poisson_rates_cv_and_fano(poisson_run):
    rates = firing_rates(poisson_run)
    assert rates["rate_exc_hz"] == pytest.approx(20, rel=0.05)
    assert rates["rate_inh_hz"] == pytest.approx(40, rel=0.05)
    assert rates["rate_hz"].sizes["neuron"] == 600 and rates.attrs["window_ms"] == 4800
    cv = cv_isi(poisson_run)
    assert 0.9 < cv["cv_isi_mean"] < 1.1 and 0.9 < cv["cv_isi_mean_exc"] < 1.1
    assert int(cv["n_neurons_used"]) == 600
    fano = fano_factor(poisson_run)
    assert list(fano["window_ms"].values) == [50, 100, 500]
    assert 0.85 < fano["fano"].sel(window_ms=100) < 1.15
    assert np.all(np.abs(fano["fano"].values - 1) < 0.15)
    assert list(fano["n_windows"].values) == [96, 48, 9] and int(fano["n_neurons_used"][0]) == 500


def test_regular_train_has_zero_cv_and_fano(regular_run):
    assert firing_rates(regular_run)["rate_exc_hz"] == pytest.approx(20, rel=0.01)
    cv = cv_isi(regular_run)
    assert float(cv["cv_isi_mean"]) < 1e-9
    assert np.all(fano_factor(regular_run)["fano"].values < 1e-9)


def test_transient_is_discarded():
    rng = np.random.default_rng(1)
    x, y = _grid(5)
    i, t = _poisson(25, 100.0, 200.0, rng)  # every spike before 200 ms
    ds = spikes_dataset(i, np.minimum(t, 199.0), x, y, np.ones(25, bool), 5, 1000.0, 0.1)
    assert float(firing_rates(ds)["rate_exc_hz"]) == 0
    assert float(firing_rates(ds, transient_ms=0)["rate_exc_hz"]) == pytest.approx(20, rel=0.1)
    assert np.isnan(float(cv_isi(ds)["cv_isi_mean"])) and int(cv_isi(ds)["n_neurons_used"]) == 0
    assert np.all(np.isnan(fano_factor(ds)["fano"].values))
    assert int(detect_waves(ds)["wave_count"]) == 0


def test_cv_respects_min_spikes():
    x, y = _grid(2)
    ds = spikes_dataset([0, 0, 1, 1, 1], [10, 20, 10, 20, 40], x, y, np.ones(4, bool), 2, 100.0, 1.0)
    cv = cv_isi(ds, transient_ms=0)
    assert np.isnan(cv["cv_isi"][0]) and cv["cv_isi"][1] == pytest.approx(5 / 15)
    with pytest.raises(ValueError, match="min_spikes"):
        cv_isi(ds, transient_ms=0, min_spikes=2)


# --------------------------------------------------------------------------- correlations
def test_independent_neurons_are_uncorrelated_at_every_distance():
    rng = np.random.default_rng(2)
    x, y = _grid(30)
    i, t = _poisson(900, 50.0, 5000.0, rng)
    ds = spikes_dataset(i, t, x, y, np.ones(900, bool), 30, 5000.0, 0.1)
    corr = correlation_by_distance(ds)
    assert list(corr["distance"].values) == [1, 2, 4, 8, 16]
    assert np.all(corr["n_pairs"].values == 2000)
    assert np.all(np.abs(corr.values) < 0.01)


def test_shared_smooth_rate_gives_correlation_falling_with_distance():
    rng = np.random.default_rng(3)
    side, frame_ms, duration = 30, 20.0, 5000.0
    n_frames = int(duration / frame_ms)
    # each frame a new periodic random field, Gaussian-smoothed over ~3 sites
    k = np.fft.fftfreq(side)
    kernel = np.exp(-2 * (np.pi * 3.0) ** 2 * (k[:, None] ** 2 + k[None, :] ** 2))
    noise = rng.standard_normal((n_frames, side, side))
    field = np.real(np.fft.ifft2(np.fft.fft2(noise) * kernel))
    field /= field.std()
    rate = 50.0 * np.exp(0.8 * field - 0.32)  # mean 50 Hz
    counts = rng.poisson(rate * frame_ms / 1000).reshape(n_frames, -1)
    f, n = np.nonzero(counts)
    reps = counts[f, n]
    i = np.repeat(n, reps)
    t = np.repeat(f, reps) * frame_ms + rng.uniform(0, frame_ms, reps.sum())
    x, y = _grid(side)
    ds = spikes_dataset(i, t, x, y, np.ones(side * side, bool), side, duration, 0.1)
    corr = correlation_by_distance(ds).values
    assert corr[0] > 0.1
    assert np.all(np.diff(corr[:4]) < 0)
    assert abs(corr[4]) < 0.02


# --------------------------------------------------------------------------- waves
def test_single_wave_is_found_with_its_speed_and_size():
    ds = _moving_discs([(20.0, 30.0, 2.0, 0.0, 260.0, 20.0)])
    waves = detect_waves(ds)
    assert int(waves["wave_count"]) == 1
    assert waves["speed"][0] == pytest.approx(2.0, rel=0.15)
    assert waves["diameter"][0] == pytest.approx(10.0, rel=0.2)
    assert 18 <= waves["duration_ms"][0] <= 26 and 254 <= waves["start_ms"][0] <= 262
    assert waves["n_spikes"][0] > 500
    assert waves["speed"].attrs["units"] == "sites/ms"
    assert float(waves["wave_diameter_median"]) == pytest.approx(10.0, rel=0.2)


def test_sparse_wave_keeps_its_size():
    # each site inside the disc fires in only ~8 % of the 2-ms bins, so the
    # blocks of one time bin are scattered; fronts bridge one empty block
    ds = _moving_discs([(20.0, 30.0, 2.0, 0.0, 260.0, 20.0)], p_step=0.02, seed=1)
    waves = detect_waves(ds)
    assert int(waves["wave_count"]) == 1
    assert waves["diameter"][0] == pytest.approx(10.0, rel=0.2)
    assert waves["speed"][0] == pytest.approx(2.0, rel=0.15)
    assert detect_waves(ds, front_gap=0)["diameter"][0] < 6


def test_wave_crossing_the_edges_is_counted_once():
    # starts astride the y edge and runs across the x edge, diagonally too
    for vx, vy in ((2.0, 0.0), (1.4142, 1.4142)):
        ds = _moving_discs([(45.0, 59.0, vx, vy, 260.0, 20.0)], seed=4)
        waves = detect_waves(ds)
        assert int(waves["wave_count"]) == 1
        assert waves["speed"][0] == pytest.approx(2.0, rel=0.15)
        assert waves["diameter"][0] == pytest.approx(10.0, rel=0.2)


def test_two_separate_waves_and_noise_alone():
    ds = _moving_discs([(10.0, 15.0, 2.0, 0.0, 260.0, 20.0), (10.0, 45.0, -2.0, 0.0, 262.0, 20.0)], seed=5)
    waves = detect_waves(ds)
    assert int(waves["wave_count"]) == 2
    assert np.all(np.abs(waves["speed"].values - 2) < 0.3)
    assert float(waves["wave_speed_median"]) == pytest.approx(2.0, rel=0.15)
    noise = _moving_discs([], noise_hz=2.0, duration_ms=1000.0, seed=6)
    empty = detect_waves(noise)
    assert int(empty["wave_count"]) == 0 and empty.sizes["wave"] == 0
    assert np.isnan(float(empty["wave_diameter_median"]))


def test_busy_background_needs_a_higher_min_count():
    # at 10 Hz a 2 x 2-site block fires in 8 % of 2-ms bins, close to the
    # 26-neighbor percolation threshold (about 10 %), so single-spike bins
    # chain into large clusters; bins with two spikes stay rare
    noise = _moving_discs([], noise_hz=10.0, duration_ms=1000.0, seed=7)
    assert int(detect_waves(noise)["wave_count"]) > 10
    assert int(detect_waves(noise, min_count=2)["wave_count"]) == 0
    busy = _moving_discs([(20.0, 30.0, 2.0, 0.0, 260.0, 20.0)], noise_hz=10.0, seed=7)
    wave = detect_waves(busy, min_count=2)
    assert int(wave["wave_count"]) == 1 and wave["speed"][0] == pytest.approx(2.0, rel=0.15)


def _volume_labels(active, connectivity):
    labels, component = _label_periodic(active, _structure(connectivity))
    return component[labels[:, 1:-1, 1:-1]]


def test_periodic_labelling_joins_across_edges_and_corners():
    a = np.zeros((2, 6, 6), bool)
    a[0, 0, 2] = a[1, 5, 2] = True   # across y, one bin later
    a[0, 3, 0] = a[0, 3, 5] = True   # across x
    a[1, 0, 0] = a[1, 5, 5] = True   # across the corner: a diagonal neighbor on the torus
    a[0, 3, 3] = True                # alone
    labels = _volume_labels(a, 26)
    assert labels[0, 0, 2] == labels[1, 5, 2]
    assert labels[0, 3, 0] == labels[0, 3, 5]
    assert labels[1, 0, 0] == labels[1, 5, 5]
    assert len({labels[0, 0, 2], labels[0, 3, 0], labels[0, 3, 3]}) == 3
    assert np.all((labels > 0) == a)
    six = _volume_labels(a, 6)
    assert six[1, 0, 0] != six[1, 5, 5] and six[0, 3, 0] == six[0, 3, 5]


def test_colliding_waves_form_one_cluster_but_are_measured_per_front():
    # two discs head-on along x meet after ~8 ms and overlap: one merged
    # cluster, yet each front keeps the size and speed of one disc (measured
    # on the whole cluster, a time bin would span both discs)
    ds = _moving_discs([(10.0, 30.0, 2.0, 0.0, 260.0, 20.0), (44.0, 30.0, -2.0, 0.0, 260.0, 20.0)], seed=8)
    waves = detect_waves(ds)
    assert int(waves["wave_count"]) == 1
    assert waves["diameter"][0] == pytest.approx(10.0, rel=0.2)
    assert waves["speed"][0] == pytest.approx(2.0, rel=0.2)


# --------------------------------------------------------------------------- movie, summary, silence
def test_activity_movie_counts_spikes_per_site():
    x, y = _grid(4)
    ds = spikes_dataset([5, 5, 6, 0], [0.5, 1.0, 3.0, 9.9], x, y, np.ones(16, bool), 4, 10.0, 0.1)
    movie = activity_movie(ds)
    assert movie.dims == ("frame", "y", "x") and movie.shape == (5, 4, 4)
    assert list(movie["time_ms"].values) == [0, 2, 4, 6, 8]
    assert movie[0, 1, 1] == 2 and movie[1, 1, 2] == 1 and movie[4, 0, 0] == 1 and int(movie.sum()) == 4
    part = activity_movie(ds, frame_ms=1.0, start_ms=1.0, stop_ms=4.0)
    assert part.shape == (3, 4, 4) and int(part.sum()) == 2 and part[0, 1, 1] == 1


def test_population_rate_over_time(poisson_run):
    rates = population_rate(poisson_run, bin_ms=10.0)
    assert rates.sizes["time_ms"] == 500 and rates["time_ms"].values[0] == 5.0
    assert float(rates["rate_exc_hz"].mean()) == pytest.approx(20, rel=0.05)
    assert float(rates["rate_inh_hz"].mean()) == pytest.approx(40, rel=0.05)
    part = population_rate(poisson_run, bin_ms=100.0, start_ms=1000.0, stop_ms=1500.0)
    assert list(part["time_ms"].values) == [1050, 1150, 1250, 1350, 1450]
    with pytest.raises(ValueError, match="start_ms"):
        population_rate(poisson_run, start_ms=100.0, stop_ms=6000.0)


def test_wave_diagnostics_summary_is_json_ready():
    ds = _moving_discs([(20.0, 30.0, 2.0, 0.0, 260.0, 20.0)], duration_ms=800.0)
    d = wave_diagnostics(ds)
    for key in ("rate_exc_hz", "rate_inh_hz", "cv_isi_mean", "fano_50ms", "fano_100ms", "fano_500ms",
                "wave_count", "wave_diameter_median", "wave_speed_median", "correlation_by_distance"):
        assert key in d
    assert d["rate_inh_hz"] is None  # no inhibitory neurons
    assert d["wave_count"] == 1 and d["wave_speed_median"] == pytest.approx(2.0, rel=0.15)
    assert set(d["correlation_by_distance"]) == {"1", "2", "4", "8", "16"}
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def test_silent_run_gives_zeros_and_nans():
    x, y = _grid(6)
    exc = np.arange(36) % 2 == 0
    ds = spikes_dataset(np.array([]), np.array([]), x, y, exc, 6, 1000.0, 0.1)
    assert float(firing_rates(ds)["rate_exc_hz"]) == 0 and float(firing_rates(ds)["rate_inh_hz"]) == 0
    d = wave_diagnostics(ds)
    assert d["wave_count"] == 0 and d["cv_isi_mean"] is None and d["fano_100ms"] is None
    assert all(v is None for v in d["correlation_by_distance"].values())
    assert json.dumps(d, allow_nan=False)
    assert int(activity_movie(ds).sum()) == 0

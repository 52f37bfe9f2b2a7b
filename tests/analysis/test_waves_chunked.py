"""The wave diagnostics work in chunks of spikes, neurons and time bins (issue 19: 0.4 GB peak for the
published run): their values must stay those of the one-pass code they replaced.

The expected numbers were computed with that code (ei-maps before the chunked diagnostics) on the same
spike lists: a synthetic one (moving blobs of spikes over a Poisson background, made here from a seed) and
a 60 x 60 sheet simulated for 500 ms. Chunks much smaller than the defaults must give the same results
too, so that joining clusters across chunk boundaries is exercised.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from ei_maps.analysis import fronts, spike_statistics
from ei_maps.analysis.spikes import spikes_dataset
from ei_maps.analysis.waves import correlation_by_distance, cv_isi, detect_waves, fano_factor, wave_diagnostics


def _synthetic(side: int = 40, duration: float = 600.0, n_waves: int = 12, background_hz: float = 3.0, seed: int = 1,
               float_pos: bool = False, dt: float = 0.1):
    rng = np.random.default_rng(seed)
    step = 2
    ey, ex = np.divmod(np.arange(side * side), side)
    iy, ix = np.divmod(np.arange((side // step) ** 2), side // step)
    x = np.concatenate([ex, ix * step]).astype(float); y = np.concatenate([ey, iy * step]).astype(float)
    if float_pos:
        x = np.minimum(x + rng.uniform(0, 0.999, x.size), side - 1e-9); y = np.minimum(y + rng.uniform(0, 0.999, y.size), side - 1e-9)
    is_exc = np.concatenate([np.ones(ex.size, bool), np.zeros(ix.size, bool)])
    n = x.size
    ii, tt = [], []
    k = rng.poisson(background_hz * n * duration / 1000)
    ii.append(rng.integers(n, size=k)); tt.append(rng.uniform(0, duration, k))
    for _ in range(n_waves):
        t0 = rng.uniform(0, duration - 30); x0, y0 = rng.uniform(0, side, 2)
        v = rng.uniform(0.5, 3); ang = rng.uniform(0, 2 * np.pi); life = rng.uniform(5, 40)
        for tk in np.arange(t0, min(t0 + life, duration), 1.0):
            cx = (x0 + v * (tk - t0) * np.cos(ang)) % side; cy = (y0 + v * (tk - t0) * np.sin(ang)) % side
            dx = (x - cx + side / 2) % side - side / 2; dy = (y - cy + side / 2) % side - side / 2
            p = 0.25 * np.exp(-(dx ** 2 + dy ** 2) / 8)
            fire = np.flatnonzero(rng.random(n) < p)
            ii.append(fire); tt.append(np.round((tk + rng.uniform(0, 1, fire.size)) / dt) * dt)
    i = np.concatenate(ii); t = np.clip(np.concatenate(tt), 0, duration)
    order = np.argsort(t, kind="stable")
    return spikes_dataset(i[order], t[order], x, y, is_exc, side, duration, dt)

#: wave_diagnostics() of the synthetic spike lists, from the one-pass code
DIAG = {
    'a': (dict(), {"rate_exc_hz": 4.49375, "rate_inh_hz": 4.725, "cv_isi_mean": 0.6643911056320645, "fano_50ms": 1.0866324700518177, "fano_100ms": 1.1159669607017801, "fano_500ms": None, "wave_count": 7, "wave_diameter_median": 8.579377186001938, "wave_speed_median": 1.3958857994762197, "fraction_spikes_in_waves": 0.39221140472878996, "waves_simultaneous_mean": 0.355, "correlation_by_distance": {"1": 0.13555746375877206, "2": 0.12477200511058939, "4": 0.07851787436467128, "8": 0.02314567349332962, "16": 0.0013105891539180287}, "transient_ms": 200.0, "analyzed_ms": 400.0}),
    'c': (dict(background_hz=12.0, seed=3), {"rate_exc_hz": 13.3359375, "rate_inh_hz": 13.54375, "cv_isi_mean": 0.7537797379996467, "fano_50ms": 1.0337658370880962, "fano_100ms": 1.0294769550583502, "fano_500ms": None, "wave_count": 51, "wave_diameter_median": 11.617740725293364, "wave_speed_median": 2.031785654320051, "fraction_spikes_in_waves": 0.6428822495606327, "waves_simultaneous_mean": 0.57, "correlation_by_distance": {"1": 0.04071078306202952, "2": 0.03706619747271009, "4": 0.018644860435065164, "8": 0.005878086228022795, "16": 0.00260825024430358}, "transient_ms": 200.0, "analyzed_ms": 400.0}),
}
#: (wave_count, wave_diameter_median, wave_speed_median, fraction_spikes_in_waves, fronts_per_bin_mean,
#: total n_spikes) of detect_waves() with other parameters, from the one-pass code
WAVES = [
    (dict(), {}, [7, 8.579377186001938, 1.3958857994762197, 0.39221140472878996, 0.355, 1128]),
    (dict(), {'min_count': 2}, [9, 5.232420932295397, 1.2508224336894034, 0.13630041724617525, 0.05, 392]),
    (dict(), {'cell': 1}, [11, 6.691914796716489, 1.177288592678916, 0.31328233657858134, 0.24, 901]),
    (dict(), {'front_gap': 0}, [7, 7.423736123996288, 1.399722581918987, 0.39221140472878996, 0.32, 1128]),
    (dict(), {'connectivity': 6}, [11, 7.354035996638587, 1.3136592762156634, 0.34214186369958277, 0.305, 984]),
    (dict(), {'connectivity': 18, 'front_gap': 2}, [7, 8.35325233136518, 1.3367840562118496, 0.37447844228094573, 0.35, 1077]),
    (dict(), {'population': 'all'}, [7, 8.86637546977684, 1.287771202206703, 0.3939977973568282, 0.38, 1431]),
    (dict(), {'bin_ms': 1.0, 'transient_ms': 50.0}, [11, 7.601924038217048, 1.8351095213630757, 0.404756298563692, 0.06181818181818182, 1719]),
    (dict(), {'cell': 3, 'min_count': 3}, [8, 4.905785678815978, 1.3409355647783263, 0.13456189151599443, 0.05, 387]),
    (dict(side=34, seed=4, n_waves=30), {}, [5, 12.827706172129107, 2.1135354585960218, 0.7684142114384749, 0.73, 3547]),
    (dict(side=34, seed=4, n_waves=30), {'min_count': 2}, [17, 6.356404910643756, 1.5805991596357607, 0.2569324090121317, 0.25, 1186]),
    (dict(side=34, seed=4, n_waves=30), {'cell': 1}, [21, 7.055629378841597, 1.4276361460948332, 0.5123483535528596, 0.525, 2365]),
    (dict(side=34, seed=4, n_waves=30), {'front_gap': 0}, [5, 8.654090471211925, 1.8764346271078558, 0.7684142114384749, 0.84, 3547]),
    (dict(side=34, seed=4, n_waves=30), {'connectivity': 6}, [22, 9.115813043166767, 1.7942402000994366, 0.6124350086655113, 0.6, 2827]),
    (dict(side=34, seed=4, n_waves=30), {'connectivity': 18, 'front_gap': 2}, [10, 18.79276919650898, 1.994586332077924, 0.7458838821490468, 0.655, 3443]),
    (dict(side=34, seed=4, n_waves=30), {'population': 'all'}, [5, 14.035297238271006, 2.0082086991994266, 0.7751245490465556, 0.8, 4512]),
    (dict(side=34, seed=4, n_waves=30), {'bin_ms': 1.0, 'transient_ms': 50.0}, [10, 8.874703629283415, 2.637198627791828, 0.7215293731539218, 0.24727272727272728, 4397]),
    (dict(side=34, seed=4, n_waves=30), {'cell': 3, 'min_count': 3}, [19, 6.642596936023259, 1.628284980380125, 0.2285528596187175, 0.205, 1055]),
]
#: wave_diagnostics() of WaveSheet(side=60).run(500.0), from the one-pass code
SHEET = {"rate_exc_hz": 20.697222222222223, "rate_inh_hz": 20.333333333333332, "cv_isi_mean": 0.43214355282580785, "fano_50ms": 0.6657738095238096, "fano_100ms": 0.780550925925926, "fano_500ms": None, "wave_count": 2, "wave_diameter_median": 15.253413124774077, "wave_speed_median": 2.021203704475412, "fraction_spikes_in_waves": 0.9999105265512459, "waves_simultaneous_mean": 2.2266666666666666, "correlation_by_distance": {"1": 0.8998043061708395, "2": 0.8085511934484707, "4": 0.6522123389811825, "8": 0.3577475034607703, "16": -0.0788726750296548}, "transient_ms": 200.0, "analyzed_ms": 300.0}


def _close(got, expected) -> None:
    """The same JSON-ready values, floats to rounding."""
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, dict):
            _close(got[key], value)
        elif value is None or isinstance(value, int):
            assert got[key] == value, key
        else:
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


@pytest.mark.parametrize("name", sorted(DIAG))
def test_diagnostics_unchanged(name):
    kwargs, expected = DIAG[name]
    _close(json.loads(json.dumps(wave_diagnostics(_synthetic(**kwargs)))), expected)


@pytest.mark.parametrize("kwargs, options, expected", WAVES)
def test_detect_waves_unchanged(kwargs, options, expected):
    ds = detect_waves(_synthetic(**kwargs), **options)
    got = [int(ds.wave_count), float(ds.wave_diameter_median), float(ds.wave_speed_median),
           float(ds.fraction_spikes_in_waves), float(ds.fronts_per_bin_mean), int(ds.n_spikes.sum())]
    assert got[0] == expected[0] and got[5] == expected[5]
    assert got[1:5] == pytest.approx(expected[1:5], rel=1e-12)


def test_small_chunks_change_nothing(monkeypatch):
    spikes = _synthetic(side=34, seed=4, n_waves=30)
    options = [{}, dict(min_count=2), dict(connectivity=6), dict(cell=1, front_gap=0)]
    before = [detect_waves(spikes, **o) for o in options]
    stats = (cv_isi(spikes)["cv_isi"].values, fano_factor(spikes, (10, 50))["fano"].values,
             correlation_by_distance(spikes, population="all").values)
    monkeypatch.setattr(fronts, "_CHUNK_BINS", 3)
    monkeypatch.setattr(fronts, "_CHUNK_SPIKES", 1000)
    monkeypatch.setattr(spike_statistics, "_CHUNK_SPIKES", 1000)
    for o, ds in zip(options, before):
        assert detect_waves(spikes, **o).identical(ds)
    again = (cv_isi(spikes)["cv_isi"].values, fano_factor(spikes, (10, 50))["fano"].values,
             correlation_by_distance(spikes, population="all").values)
    for a, b in zip(stats, again):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dense_span", [0, fronts._DENSE_SPAN, 10 ** 9])
def test_lookup_finds_each_key_or_minus_one_by_table_or_search(monkeypatch, dense_span):
    """Both ways of :func:`fronts._lookup` (a dense table of the keys' span, a binary search of the
    band of sorted keys they fall in) against a dictionary, for keys in a narrow band, keys spread over
    the whole range, keys all outside it and the edges of the band."""
    monkeypatch.setattr(fronts, "_DENSE_SPAN", dense_span)
    rng = np.random.default_rng(7)
    sorted_keys = np.unique(rng.integers(0, 200_000, 5_000))
    where = {int(k): i for i, k in enumerate(sorted_keys)}
    cases = [rng.integers(50_000, 52_000, 3_000), rng.integers(-10, 200_010, 3_000),
             np.array([-5, -1]), np.array([250_000]), sorted_keys[[0, -1, 17]], sorted_keys[100:140] + 1,
             np.zeros(0, np.int64)]
    for keys in cases:
        got = fronts._lookup(sorted_keys, keys)
        np.testing.assert_array_equal(got, [where.get(int(k), -1) for k in keys])
    assert fronts._lookup(sorted_keys[:0], np.array([1, 2])).tolist() == [-1, -1]


def test_lookup_by_search_alone_changes_no_wave(monkeypatch):
    spikes = _synthetic(side=34, seed=4, n_waves=30)
    before = detect_waves(spikes)
    monkeypatch.setattr(fronts, "_DENSE_SPAN", 0)
    assert detect_waves(spikes).identical(before)


def test_sheet_diagnostics_unchanged():
    from ei_maps.models.wave_sheet import WaveSheet

    spikes = WaveSheet(side=60).run(500.0)
    _close(json.loads(json.dumps(wave_diagnostics(spikes))), SHEET)



def _rates_by_brute_force(spikes, bin_ms, start, stop):
    """Population rates counted spike by spike in Python: the definition, with no arrays."""
    n_bins = int(np.ceil((stop - start) / bin_ms - 1e-9))
    is_exc = spikes["neuron_is_exc"].values
    counts = np.zeros((2, n_bins))
    for n, t in zip(spikes["spike_neuron"].values, spikes["spike_time"].values):
        if start <= t < stop:
            counts[0 if is_exc[n] else 1, int(np.floor((t - start) / bin_ms))] += 1
    n_exc = is_exc.sum()
    return counts[0] / (n_exc * bin_ms / 1e3), counts[1] / ((is_exc.size - n_exc) * bin_ms / 1e3)


@pytest.mark.parametrize("chunk", [None, 7, 1000])
def test_population_rate_and_firing_rates_in_chunks_match_the_definition(monkeypatch, chunk):
    from ei_maps.analysis import spikes as spikes_module
    from ei_maps.analysis.waves import firing_rates, population_rate

    spikes = _synthetic(side=20, seed=5, n_waves=6)
    whole = firing_rates(spikes, transient_ms=10.0)
    if chunk is not None:
        monkeypatch.setattr(spikes_module, "_CHUNK_SPIKES", chunk)
    rates = population_rate(spikes, bin_ms=3.0, start_ms=5.0, stop_ms=61.0)
    exc, inh = _rates_by_brute_force(spikes, 3.0, 5.0, 61.0)
    np.testing.assert_allclose(rates["rate_exc_hz"].values, exc, rtol=1e-12)
    np.testing.assert_allclose(rates["rate_inh_hz"].values, inh, rtol=1e-12)
    assert firing_rates(spikes, transient_ms=10.0).identical(whole)


@pytest.mark.parametrize("chunk", [7, 1000])
def test_activity_movie_in_chunks_of_spikes_counts_each_spike_once_in_its_frame_and_site(monkeypatch, chunk):
    from ei_maps.analysis import spikes as spikes_module
    from ei_maps.analysis.waves import activity_movie

    spikes = _synthetic(side=20, seed=5, n_waves=6)
    monkeypatch.setattr(spikes_module, "_CHUNK_SPIKES", chunk)
    movie = activity_movie(spikes, frame_ms=3.0, start_ms=5.0, stop_ms=61.0, population="exc", dtype="uint8")
    expected = np.zeros(movie.shape, np.int64)  # by the definition, spike by spike
    x, y = spikes["neuron_x"].values, spikes["neuron_y"].values
    is_exc = spikes["neuron_is_exc"].values
    for n, t in zip(spikes["spike_neuron"].values, spikes["spike_time"].values):
        if 5.0 <= t < 61.0 and is_exc[n]:
            expected[int(np.floor((t - 5.0) / 3.0)), int(np.floor(y[n])) % 20, int(np.floor(x[n])) % 20] += 1
    np.testing.assert_array_equal(movie.values, expected)
    # a site's count that passes the dtype only once the chunks are added up is refused too
    crowded = _synthetic(side=6, seed=6, n_waves=40)
    with pytest.raises(ValueError, match="use a wider dtype"):
        activity_movie(crowded, frame_ms=float(crowded.attrs["duration_ms"]), population="all", dtype="int8")


def test_activity_movie_counts_are_the_same_in_a_narrow_dtype_and_refused_when_they_do_not_fit():
    from ei_maps.analysis.waves import activity_movie

    spikes = _synthetic(side=20, seed=6, n_waves=6)
    wide = activity_movie(spikes, frame_ms=2.0, population="all")
    narrow = activity_movie(spikes, frame_ms=2.0, population="all", dtype="uint8")
    assert wide.dtype == np.int32 and narrow.dtype == np.uint8
    np.testing.assert_array_equal(wide.values, narrow.values)
    assert int(wide.sum()) == spikes.sizes["spike"]  # every spike is in a frame
    # a small sheet in one frame over the whole run: a site then holds hundreds of spikes, more than int8's 127
    crowded = _synthetic(side=6, seed=6, n_waves=40)
    whole = activity_movie(crowded, frame_ms=float(crowded.attrs["duration_ms"]), population="all")
    assert int(whole.max()) > np.iinfo(np.int8).max
    with pytest.raises(ValueError, match="use a wider dtype"):
        activity_movie(crowded, frame_ms=float(crowded.attrs["duration_ms"]), population="all", dtype="int8")
    with pytest.raises(ValueError, match="integer type"):
        activity_movie(spikes, frame_ms=2.0, dtype="float32")

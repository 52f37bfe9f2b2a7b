"""The wave statistics, written by hand for speed on 100k-neuron sheets, against elephant on the same trains."""
import numpy as np
import pytest

elephant = pytest.importorskip("elephant")
neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")

from elephant.conversion import BinnedSpikeTrain  # noqa: E402
from elephant.spike_train_correlation import correlation_coefficient  # noqa: E402
from elephant.statistics import cv, fanofactor, isi  # noqa: E402

from ei_maps.analysis.spike_statistics import correlation_by_distance, cv_isi, fano_factor  # noqa: E402
from ei_maps.analysis.spikes import spikes_dataset  # noqa: E402

SIDE, DURATION, TRANSIENT = 8, 4000.0, 200.0


def _trains(seed=0):
    """64 excitatory neurons on an 8 x 8 torus: Poisson trains (10-40 Hz) sharing a slow common modulation,
    so counts are correlated, plus a few regular (clock-like) ones."""
    rng = np.random.default_rng(seed)
    n = SIDE * SIDE
    t = np.arange(0.0, DURATION, 1.0)
    common = 1.0 + 0.8 * np.sin(2 * np.pi * t / 300.0 + rng.uniform(0, 2 * np.pi))
    times, neurons = [], []
    for j in range(n):
        if j % 16 == 0:  # regular firing
            spikes = np.arange(rng.uniform(0, 40), DURATION, 40.0)
        else:
            p = rng.uniform(0.01, 0.04) * common
            spikes = t[rng.random(t.size) < p]
        times.append(spikes)
        neurons.append(np.full(spikes.size, j))
    y, x = np.divmod(np.arange(n), SIDE)
    ds = spikes_dataset(np.concatenate(neurons), np.concatenate(times), x.astype(float), y.astype(float),
                        np.ones(n, bool), SIDE, DURATION, 0.05)
    return ds, times


def _neo(spikes, start=TRANSIENT, stop=DURATION):
    kept = spikes[(spikes >= start) & (spikes < stop)]
    return neo.SpikeTrain(kept * pq.ms, t_start=start * pq.ms, t_stop=stop * pq.ms)


def test_cv_of_isi_matches_elephant_on_every_neuron():
    ds, times = _trains()
    ours = cv_isi(ds, transient_ms=TRANSIENT)["cv_isi"].values
    theirs = np.array([cv(isi(_neo(s))) if (_neo(s).size >= 3) else np.nan for s in times])
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, equal_nan=True)
    assert np.nanmin(theirs) < 0.05 and np.nanmax(theirs) > 0.7  # the clocks and the Poisson-like trains


@pytest.mark.parametrize("window", [50.0, 100.0, 500.0])
def test_fano_factor_matches_elephant_over_the_same_windows(window):
    ds, times = _trains()
    n_windows = int((DURATION - TRANSIENT) // window)
    factors = []
    for s in times:
        pieces = [_neo(s, TRANSIENT + k * window, TRANSIENT + (k + 1) * window) for k in range(n_windows)]
        if sum(p.size for p in pieces) == 0:
            continue
        # elephant divides by the population variance; ours by the unbiased one (1 for Poisson at any count)
        factors.append(fanofactor(pieces) * n_windows / (n_windows - 1))
    ours = fano_factor(ds, windows_ms=[window], transient_ms=TRANSIENT)
    assert float(ours["fano"].sel(window_ms=window)) == pytest.approx(np.mean(factors), rel=1e-10)


def test_spike_count_correlation_matches_elephant_over_the_pairs_at_each_distance():
    ds, times = _trains()
    binned = BinnedSpikeTrain([_neo(s) for s in times], bin_size=10 * pq.ms)
    matrix = correlation_coefficient(binned)
    y, x = np.divmod(np.arange(SIDE * SIDE), SIDE)
    dx = np.abs(x[:, None] - x[None, :])
    dy = np.abs(y[:, None] - y[None, :])
    dist = np.hypot(np.minimum(dx, SIDE - dx), np.minimum(dy, SIDE - dy))
    ours = correlation_by_distance(ds, bin_ms=10.0, distances=(1, 2, 3), transient_ms=TRANSIENT,
                                   max_pairs_per_distance=20000)
    for d, value in zip((1, 2, 3), ours.values):
        shell = (dist >= d) if d == 3 else (dist >= d - 0.5) & (dist < d + 0.5)
        shell &= ~np.eye(dist.shape[0], dtype=bool)
        expected = matrix[shell].mean()
        # ours is a mean over randomly drawn pairs of the shell: the same within the sampling spread
        spread = matrix[shell].std() / np.sqrt(min(shell.sum(), int(ours["n_pairs"].sel(distance=d))))
        assert value == pytest.approx(expected, abs=4 * spread + 1e-3)
    assert ours.values.min() > 0.05  # the common modulation correlates the counts

"""Diagnostics of spiking activity on the E/I sheet: rates, irregularity, correlations, waves.

The spiking sheet (conductance-based LIF, Keane & Gong 2015) lives on a torus
of ``side x side`` sites, with an excitatory neuron at every site and an
inhibitory neuron at every second site in x and y. Its output is a spike list
held in an :class:`xarray.Dataset` (build one with :func:`spikes_dataset`):

- ``spike_neuron`` (dim ``spike``): index of the neuron that fired;
- ``spike_time`` (dim ``spike``): time of the spike in ms, in ``[0, duration_ms]``;
- ``neuron_x``, ``neuron_y`` (dim ``neuron``): site coordinates in ``[0, side)``
  (floats allowed; a neuron belongs to site ``(floor(y), floor(x))``);
- ``neuron_is_exc`` (dim ``neuron``): True for excitatory neurons;
- attrs ``side`` (sites), ``duration_ms`` and ``dt_ms`` (the integration step).

Every diagnostic analyses the window ``[transient_ms, duration_ms]`` so that
the start-up transient does not count. Distances are shortest paths on the
torus, in sites. A silent run (no spikes) is valid input: rates are 0 and
quantities that need spikes are NaN (``None`` in :func:`wave_diagnostics`).

Waves are found as connected clusters of active space-time bins, with the
periodic edges joined, and measured front by front (the part of a wave in
one time bin); see :func:`detect_waves`.

The diagnostics live in focused modules, all re-exported here:
:mod:`~ei_maps.analysis.spikes` (the spike Dataset, its validation, rates
and activity movies), :mod:`~ei_maps.analysis.spike_statistics` (CV of
ISI, Fano factor, correlations by distance) and
:mod:`~ei_maps.analysis.fronts` (wave clusters, fronts and speeds); this
module combines them into :func:`wave_diagnostics`.
"""
from __future__ import annotations

from typing import Any

import xarray as xr

from ..io import json_safe
# every name that lived here before the split is re-exported, private helpers included (tests use some)
from .fronts import (_CONNECTIVITY, _empty_waves, _label_periodic, _link_fronts,  # noqa: F401
                     _structure, _wave_dataset, _weighted_group_median, detect_waves)
from .spike_statistics import (_binned_counts, _sample_pairs, _sorted_by_neuron,  # noqa: F401
                               correlation_by_distance, cv_isi, fano_factor)
from .spikes import (POPULATIONS, _Spikes, _as_index, _as_is_exc, _check_bin, _load,  # noqa: F401
                     _population, _span, _time_bins, _validate, _window, _wrap, activity_movie,
                     firing_rates, population_rate, spikes_dataset)

__all__ = ["spikes_dataset", "firing_rates", "population_rate", "cv_isi", "fano_factor",
           "correlation_by_distance", "detect_waves", "wave_diagnostics", "activity_movie"]


# --------------------------------------------------------------------------- summary
def _distance_key(d: float) -> str:
    return str(int(d)) if float(d).is_integer() else repr(float(d))


def wave_diagnostics(spikes: xr.Dataset, transient_ms: float = 200.0, seed: int = 0) -> dict[str, Any]:
    """All the diagnostics of one run as a JSON-ready dict.

    Calls :func:`firing_rates`, :func:`cv_isi`, :func:`fano_factor` (50, 100
    and 500 ms windows, excitatory neurons), :func:`detect_waves` and
    :func:`correlation_by_distance` with their defaults.

    Parameters
    ----------
    spikes : Dataset
        Spike list from :func:`spikes_dataset`.
    transient_ms : float
        Initial stretch left out [ms].
    seed : int
        Seed of the pair sampling for correlations.

    Returns
    -------
    dict with ``rate_exc_hz``, ``rate_inh_hz`` (Hz), ``cv_isi_mean``,
    ``fano_50ms``, ``fano_100ms``, ``fano_500ms``, ``wave_count``,
    ``wave_diameter_median`` (sites), ``wave_speed_median`` (sites/ms),
    ``fraction_spikes_in_waves``, ``waves_simultaneous_mean`` (mean number
    of separate wave fronts in a 2 ms bin), ``correlation_by_distance`` (dict from
    distance in sites, as a string such as ``"16"``, to the mean correlation;
    the last distance means "at least"), ``transient_ms`` and
    ``analyzed_ms``. NaN becomes None.

    Notes
    -----
    ``wave_count`` counts space-time clusters: where waves keep colliding
    they merge into a few long clusters (on the published sheet one cluster
    holds most spikes of the run), so prefer the front-based diameter and
    speed, and ``fraction_spikes_in_waves``, to compare runs.
    """
    rates = firing_rates(spikes, transient_ms)
    cv = cv_isi(spikes, transient_ms)
    fano = fano_factor(spikes, (50, 100, 500), transient_ms)
    waves = detect_waves(spikes, transient_ms=transient_ms)
    corr = correlation_by_distance(spikes, transient_ms=transient_ms, seed=seed)
    out = {
        "rate_exc_hz": rates["rate_exc_hz"].item(), "rate_inh_hz": rates["rate_inh_hz"].item(),
        "cv_isi_mean": cv["cv_isi_mean"].item(),
        **{f"fano_{int(w)}ms": fano["fano"].sel(window_ms=w).item() for w in (50, 100, 500)},
        "wave_count": int(waves["wave_count"]),
        "wave_diameter_median": waves["wave_diameter_median"].item(),
        "wave_speed_median": waves["wave_speed_median"].item(),
        "fraction_spikes_in_waves": waves["fraction_spikes_in_waves"].item(),
        "waves_simultaneous_mean": waves["fronts_per_bin_mean"].item(),
        "correlation_by_distance": {_distance_key(d): v
                                    for d, v in zip(corr["distance"].values, corr.values)},
        "transient_ms": float(transient_ms), "analyzed_ms": float(rates.attrs["window_ms"]),
    }
    return json_safe(out)

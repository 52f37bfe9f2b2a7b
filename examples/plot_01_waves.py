"""
Propagating waves in a spiking E/I sheet
========================================

A conductance-based leaky integrate-and-fire sheet after Keane & Gong (2015):
excitatory and inhibitory neurons on a torus, local excitation, broader
inhibition. With these settings activity travels across the sheet as
localized waves. Here a 60 x 60 sheet is simulated for 300 ms (the published
sheet is 300 x 300 for 2 s: ``ei-maps waves`` runs it) and its spikes are
turned into a movie and the field's statistics.
"""
# %%
# Build the sheet and simulate. :class:`~ei_maps.WaveSheet` takes every
# parameter of :class:`~ei_maps.WaveSheetConfig` as a keyword; the defaults are
# the published ones apart from ``side``.

from ei_maps import WaveSheet
from ei_maps.analysis import activity_movie, population_rate, wave_diagnostics
from ei_maps.plotting import plot_population_rate, plot_wave_snapshots

sheet = WaveSheet(side=60, seed=1)
spikes = sheet.run(300.0)  # ms; returns every spike so far as an xarray Dataset
print(spikes)

# %%
# Snapshots: each frame counts the excitatory spikes of 2 ms per site.
movie = activity_movie(spikes, frame_ms=2.0, start_ms=150.0, stop_ms=182.0)
fig_snapshots = plot_wave_snapshots(movie, n_frames=8, title="60 x 60 sheet, 2 ms frames")

# %%
# The population rate after the first 100 ms (the sheet starts silent and
# needs a moment to ignite): irregular, neither silent nor synchronized.
fig_rate = plot_population_rate(population_rate(spikes, bin_ms=2.0, start_ms=100.0), title="population rate")

# %%
# The statistics Keane & Gong report (rates, irregularity, wave sizes and
# speeds); the first 100 ms are a transient and are left out.
stats = wave_diagnostics(spikes, transient_ms=100.0)
for key in ("rate_exc_hz", "rate_inh_hz", "cv_isi_mean", "fano_100ms", "wave_diameter_median",
            "wave_speed_median"):
    value = stats[key]  # None where a measure is undefined (e.g. no waves at all)
    print(f"{key:22s} {'-' if value is None else format(value, '.3g')}")

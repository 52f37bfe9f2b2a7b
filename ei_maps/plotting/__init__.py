"""Figures for receptive fields, training curves, saccade responses and maps.

Plotting only: every function takes already-computed xarray results and
returns a :class:`matplotlib.figure.Figure`. The only arithmetic done here is
for display (tiling, per-tile normalization, running means of curves).

Figures are built with :class:`~matplotlib.figure.Figure` and an explicit Agg
canvas rather than :mod:`matplotlib.pyplot`, so nothing needs a display, no
figure is registered with pyplot's global figure manager (no leaks in long
runs or tests), and the global backend is never switched.

One module per domain, all built on the shared helpers of :mod:`.style`
(figure creation, :func:`save_figure`, input checks), and importing nothing
from each other: :mod:`.receptive_fields`, :mod:`.training`,
:mod:`.activation` (activation maps and saccades), :mod:`.orientation`,
:mod:`.map_statistics` (spectra, similarity by distance), :mod:`.waves`
(spiking activity), :mod:`.words`, :mod:`.touch` and :mod:`.sweeps`. Every
public name is re-exported here, so ``plotting.plot_training(...)`` and
``from ei_maps.plotting import plot_training`` work as before.

Conventions
-----------
* Sheets are drawn with ``unit_y = 0`` at the top and ``unit_x = 0`` at the
  left (image orientation), and likewise ``patch_y = 0`` at the top of a
  patch.
* Arrays are matched by dimension *name*, not position; any order of the
  required dims is accepted, and missing or extra dims raise ``ValueError``.
* Positions on the sheet (centroids, pinwheels) are in grid-index units:
  ``(0, 0)`` is the center of unit ``(0, 0)``, which is where ``imshow``
  draws it.
"""
from .style import save_figure
from .receptive_fields import (MOSAIC_SEPARATOR, plot_receptive_field_pair, plot_receptive_fields,
                               receptive_field_mosaic)
from .training import plot_learning_curves, plot_training
from .activation import plot_activation_map, plot_saccade
from .orientation import orientation_colors, plot_cortical_map, plot_orientation_map, plot_selectivity
from .map_statistics import plot_power_spectrum, plot_regime_spectra, plot_similarity_by_distance
from .waves import plot_population_rate, plot_raster, plot_wave_snapshots, save_wave_gif
from .words import plot_group_activations, plot_word_map, word_map_html
from .touch import plot_class_maps, plot_finger_maps
from .sweeps import plot_sweep_heatmaps, plot_sweep_lines

__all__ = [
    "MOSAIC_SEPARATOR",
    "save_figure",
    "receptive_field_mosaic",
    "plot_receptive_fields",
    "plot_receptive_field_pair",
    "plot_training",
    "plot_learning_curves",
    "plot_saccade",
    "plot_activation_map",
    "orientation_colors",
    "plot_orientation_map",
    "plot_cortical_map",
    "plot_selectivity",
    "plot_power_spectrum",
    "plot_similarity_by_distance",
    "plot_regime_spectra",
    "plot_wave_snapshots",
    "save_wave_gif",
    "plot_raster",
    "plot_population_rate",
    "plot_word_map",
    "word_map_html",
    "plot_group_activations",
    "plot_class_maps",
    "plot_finger_maps",
    "plot_sweep_lines",
    "plot_sweep_heatmaps",
]

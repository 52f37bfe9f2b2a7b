"""
Orientation pinwheels
=====================

Shown gratings of every orientation, each unit of a trained map responds
best to one orientation. Colouring the sheet by that preference gives an
orientation map; points around which every orientation meets are pinwheels,
and cortex has about pi of them per squared column spacing. Here a 20 x 20
map is trained with :func:`~ei_maps.experiments.train_images` (the function
behind ``ei-maps train images``), then measured through its settled
dynamics.
"""
# %%
# Train a small map into a temporary run folder (``run.nc``, checkpoints and
# figures land there; ``resume=True`` would continue it).
import tempfile

import xarray as xr

from ei_maps import ModelConfig, TrainConfig, load_model
from ei_maps.analysis import orientation_map_gratings, pinwheel_stats
from ei_maps.experiments import train_images
from ei_maps.plotting import plot_orientation_map, plot_selectivity

out = tempfile.mkdtemp(prefix="ei-maps-pinwheels-")
train_images(ModelConfig(side=20), TrainConfig(steps=1000), out=out, progress=False, figures=False,
             log=lambda message: None)
model = load_model(out)

# %%
# Orientation tuning from sine gratings (16 orientations, 8 phases, 4 spatial
# frequencies), each settled through the model's own dynamics.
tuning = orientation_map_gratings(model)
print(tuning)

# %%
# Pinwheels are the zeros of ``selectivity * exp(2i preference)``; the
# column spacing comes from the map's power spectrum.
pins = pinwheel_stats(tuning["preference"].values, selectivity=tuning["selectivity"].values)
print(f"{pins['count']} pinwheels (+{pins['n_plus']} / -{pins['n_minus']})")
if pins["column_spacing"] == pins["column_spacing"]:  # not NaN: the spectrum has a peak
    print(f"column spacing {pins['column_spacing']:.1f} units, density {pins['density']:.2f} per spacing^2 "
          "(cortex: about 3.14)")
else:  # small maps hold too few columns for a peak in their spectrum
    print("no peak in this map's power spectrum: no column spacing to scale the pinwheel count by "
          "(ei-maps analyze also measures the spacing with wavelets)")
pinwheels = xr.Dataset({"y": ("pinwheel", pins["y"]), "x": ("pinwheel", pins["x"]),
                        "charge": ("pinwheel", pins["charge"])})
fig_map = plot_orientation_map(tuning["preference"], tuning["selectivity"], pinwheels,
                               title=f"orientation map, {pins['count']} pinwheels")

# %%
# Selectivity is lowest at the pinwheel centres, where orientations mix.
fig_selectivity = plot_selectivity(tuning["selectivity"], title="orientation selectivity")

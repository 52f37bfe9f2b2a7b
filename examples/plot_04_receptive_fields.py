"""
Probing receptive fields
========================

A unit's dictionary element is not its receptive field: lateral excitation
and inhibition shape what it responds to. The receptive field is measured
the way a physiologist would, by showing the settled network one pixel at a
time and recording each unit's response. Here both are compared on a map
trained for a few hundred steps.
"""
# %%
import numpy as np

from ei_maps import ActivationModel
from ei_maps.analysis import as_fields, neighbor_similarity, probe_receptive_fields, spatial_spread
from ei_maps.plotting import plot_receptive_field_pair
from ei_maps.stimuli import PatchSampler, bundled_images

patches = PatchSampler(bundled_images(), patch_size=12, seed=3)
model = ActivationModel(side=12, n_inputs=144, seed=3)
for _ in range(300):
    model.learn(patches.sample(64), lr=0.03)

# %%
# Probe: a positive and a negative delta at every pixel, each settled through
# the dynamics (``lam`` is the threshold used while probing).
fields = probe_receptive_fields(model, lam=0.025)
dictionary = as_fields(model.dictionary, 12)  # 12 x 12 sheet of 12 x 12 fields
print(fields.dims, fields.shape)

# %%
# Dictionary and probed fields side by side.
fig_pair = plot_receptive_field_pair({"dictionary": dictionary, "probed receptive fields": fields})

# %%
# Lateral interactions make the probed fields smoother across the sheet
# than the dictionary, and about as localized.
for name, f in (("dictionary", dictionary), ("receptive fields", fields)):
    s = neighbor_similarity(f)
    spread = float(np.nanmedian(spatial_spread(f).values))
    print(f"{name:17s} adjacent |cos| {float(s['adjacent']):.3f}  random {float(s['random']):.3f}  "
          f"spatial spread {spread:.2f}")

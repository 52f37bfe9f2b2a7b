"""
Train a topographic map on natural-image patches
================================================

The activation model of Lufkin et al. (2022): a sheet of excitatory units
with local excitation and broader inhibition settles to a fixed point for
every stimulus, and its dictionary learns from the settled activity. Trained
on whitened natural-image patches, neighbouring units come to prefer similar
oriented edges. This is the model of ``ei-maps train images`` on a 16 x 16
sheet (the paper's is 40 x 40) written out step by step.
"""
# %%
# The stimuli: 16 x 16 patches of the bundled whitened natural images
# (Olshausen & Field), drawn by a seeded sampler.
import numpy as np

from ei_maps import ActivationModel
from ei_maps.analysis import as_fields, neighbor_similarity
from ei_maps.plotting import plot_receptive_fields
from ei_maps.stimuli import PatchSampler, bundled_images

patches = PatchSampler(bundled_images(), patch_size=16, seed=0)
print(patches.sample(4).shape)  # (batch, 256)

# %%
# The model: 16 x 16 units, each with a 256-pixel dictionary element;
# excitation within radius 3 and inhibition within radius 5 units.
model = ActivationModel(side=16, n_inputs=256, r_exc=3, r_inh=5, w_exc=30.0, w_inh=5.0, lam=0.05, seed=0)
sparsity = []
for step in range(300):
    batch = patches.sample(64)
    activity = model.learn(batch, lr=0.03)  # settles, then updates the dictionary
    sparsity.append(np.mean(activity > 0))
print(f"active units per patch after training: {np.mean(sparsity[-50:]):.1%}")

# %%
# The dictionary as one mosaic, a unit per tile in sheet order: neighbours
# look alike, and orientation changes smoothly across the sheet.
fields = as_fields(model.dictionary, 16)  # (n_inputs, units) -> (unit_y, unit_x, patch_y, patch_x)
fig_fields = plot_receptive_fields(fields, title="dictionary after 300 steps")

# %%
# How topographic is it? The mean absolute cosine between adjacent units'
# fields against that of random pairs.
s = neighbor_similarity(fields)
print(f"adjacent |cos| {float(s['adjacent']):.3f}, random pairs {float(s['random']):.3f}")

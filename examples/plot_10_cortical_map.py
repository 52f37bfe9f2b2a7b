"""
A cortex-like orientation map on a retinotopic sheet
====================================================

In the paper's model every unit sees the whole image patch, and the sheet
holds one smooth map: one hypercolumn. Cortex is retinotopic: each neuron
sees a small window of the visual field at its own place, and orientation
preference repeats every column spacing Lambda, with about pi pinwheels per
Lambda squared. :class:`~ei_maps.models.RetinotopicModel` gives each unit of
the same E/I sheet its own 16 x 16 window of a whole image region; trained on
natural scenes, its orientation map grows a ring in its power spectrum: a
column spacing. ``ei-maps train images --preset cortex`` runs the full-size
version (a 128 x 128 torus); here a 64 x 64 sheet learns for a few hundred
steps.
"""
# %%
# The scenes: five bundled photographs without periodic texture, each in
# four rotated copies so no orientation dominates the input's power.
import numpy as np

from ei_maps import RetinotopicConfig, RetinotopicModel
from ei_maps.experiments.retinotopic import map_snapshot, measure_run, model_dataset
from ei_maps.stimuli import RegionSampler, orientation_power, prepare_scenes

scenes = prepare_scenes(rotations=4)
balance = np.mean([orientation_power(im)["fraction"].values for im in scenes], axis=0)
print("fraction of the input's power per orientation bin:", np.round(balance, 3))

# %%
# A 64 x 64 torus, one unit per pixel, each unit a 16 x 16 window; regions are
# rolled by a random offset so the seam of the periodic region falls anywhere.
model = RetinotopicModel(RetinotopicConfig(side=64, window=16, units_per_pixel=1.0, seed=0))
sampler = RegionSampler(scenes, model.config.region, seed=1)
for step in range(1, 601):
    model.learn(sampler.sample(32), lr=0.03)
    if step % 200 == 0:
        snap = map_snapshot(model_dataset(model)["receptive_fields"])
        print(f"step {step}: Lambda {snap['column_spacing']:.1f} units, ring {snap['ring_contrast']:.1f}x the "
              f"lowest wavenumber, {snap['pinwheel_density']:.2f} pinwheels per Lambda^2")

# %%
# The map measured as cortical maps are (:func:`~ei_maps.experiments.retinotopic.measure_run`
# is what ``ei-maps analyze`` runs): the orientation map with its pinwheels,
# the ring in its spectrum, the density on the low-pass filtered map, and
# where the receptive fields sit in the visual field.
from ei_maps.plotting import plot_cortical_map

analysis, summary = measure_run(model_dataset(model), n_permutations=19)
print(f"retinotopy: receptive-field scatter {summary['retinotopy']['scatter']:.2f} px, "
      f"magnification {summary['retinotopy']['magnification_x']:.2f} units per pixel")
fig = plot_cortical_map(analysis)

"""
Reading a saved run back
========================

Every training run is a folder with ``run.nc``: an xarray Dataset with named
dimensions (``unit_y``, ``unit_x``, ``patch_y``, ``patch_x``, ``step``) and
the full configuration in its attributes, plus checkpoints and figures.
:func:`~ei_maps.load_run` reads the Dataset, :func:`~ei_maps.load_model`
rebuilds the trained model exactly.
"""
# %%
# A short run to read back (any ``runs/...`` folder of ``ei-maps train`` works).
import json
import tempfile

import matplotlib.pyplot as plt

from ei_maps import ModelConfig, TrainConfig, load_model, load_run
from ei_maps.experiments import train_images
from ei_maps.plotting import plot_training
from ei_maps.stimuli import PatchSampler, bundled_images

out = tempfile.mkdtemp(prefix="ei-maps-run-")
train_images(ModelConfig(side=10), TrainConfig(steps=200, batch=64), out=out, progress=False, figures=False,
             log=lambda message: None)

# %%
ds = load_run(out)
print(ds)
print(json.dumps(json.loads(ds.attrs["model_config"]), indent=1))

# %%
# The training curves recorded at every step.
fig_training = plot_training(ds[["loss", "sparsity", "iterations", "lam"]], title="training history")

# %%
# One unit's receptive field, with xarray's own plotting.
plt.figure(figsize=(3, 3))
ds["receptive_fields"].sel(unit_y=5, unit_x=5).plot(cmap="gray", add_colorbar=False)
plt.gca().set_aspect("equal")

# %%
# The model, rebuilt: settle new patches through it.
model = load_model(out)
patches = PatchSampler(bundled_images(), patch_size=16, seed=7).sample(5)
activity = model.settle(patches)
print(activity.shape, f"{(activity > 0).mean():.1%} of units active")
plt.show()

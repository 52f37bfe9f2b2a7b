"""
Sparse coding with spikes
=========================

In the paper's appendix the same learning rule is driven by a spiking sheet:
conductance-based leaky integrate-and-fire neurons, one site in five
inhibitory, each image patch a 2.5 ms window whose spike counts are the
code. The threshold adapts until 3% of the neurons fire per window. Here a
15 x 15 sheet (a torus, so its side is a multiple of 5) learns for 800 batches of 64 patches (the paper's sheet is
30 x 30: ``ei-maps train images --model lif``).
"""
# %%
import numpy as np

from ei_maps.analysis import as_fields, neighbor_similarity, spatial_spread
from ei_maps.models import LIFCodingModel
from ei_maps.plotting import plot_receptive_fields
from ei_maps.stimuli import PatchSampler, bundled_images

model = LIFCodingModel(side=15, seed=0)
patches = PatchSampler(bundled_images(), patch_size=16, seed=0)
rates = []
for step in range(800):
    counts = model.learn(patches.sample(64), lr=0.1)  # patches come standardized: mean 0, std 1
    rates.append(np.mean(counts > 0))
print(f"neurons firing per window: {np.mean(rates[-100:]):.1%} (target 3%)")

# %%
# The excitatory sites' dictionary elements (inhibitory sites black):
# localized, oriented, and similar between neighbours.
fields = as_fields(model.dictionary, 15)
exc = model.is_exc.reshape(15, 15)
fig_fields = plot_receptive_fields(fields, blank=~exc, title="spiking coder, 15 x 15 sheet")
s = neighbor_similarity(fields, mask=exc)
print(f"adjacent |cos| {float(s['adjacent']):.3f}, random pairs {float(s['random']):.3f}, "
      f"spatial spread {float(np.nanmedian(spatial_spread(fields).values[exc])):.2f}")

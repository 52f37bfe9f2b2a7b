"""
Touch: finger maps and deprivation
==================================

Synthetic touch on a five-fingered hand: each stimulus presses one finger
(or two neighbouring ones) with noise. A sheet trained on it forms one
territory per finger in hand order, like area 3b. Then finger 3 stops
receiving input (``deprive:3``, as after a nerve cut) and training
continues: its territory falls silent, and, as in the paper, the other
fingers' territories barely grow into it.
"""
# %%
import json
import tempfile

import xarray as xr

from ei_maps import TouchTrainConfig
from ei_maps.experiments import train_touch
from ei_maps.models import PAPER_TOUCH_MODEL
from ei_maps.plotting import plot_class_maps

out = tempfile.mkdtemp(prefix="ei-maps-touch-")
# the paper's hand model on a 16 x 16 sheet, its radii scaled down with it (the paper's: 40 x 40, r_exc 5, r_inh 7)
model = PAPER_TOUCH_MODEL.replace(side=16, r_exc=2, r_inh=4, sigma2=2.0)
ds = train_touch(model, train_config=TouchTrainConfig(steps=2000, after_steps=1000, batch=64, probe_samples=64,
                                                      manipulation="deprive:3"),
                 out=out, progress=False, figures=False, log=lambda message: None)

# %%
# The mean response of the sheet to each finger (and to the two pairs of
# fingers touched together), before and after, with each finger's territory
# outlined: one patch of the sheet per finger (a finger's patch may respond
# with either sign), and finger 3's fades once it is deprived.
responses = xr.concat([ds["class_responses_before"], ds["class_responses_after"]], dim="phase")
fig_classes = plot_class_maps(responses.assign_coords(phase=["before", "after"]), ds["territory"],
                              title="mean response per stimulus class, before and after deprive:3")

# %%
# The territories in units: finger 3's is gone, the others are about the same.
summary = json.loads(ds.attrs["summary"])
for phase, territories in summary["territories"].items():
    print(phase, {finger: t["size"] for finger, t in territories.items()})
d = summary["deprived"]
print(f"finger {d['finger']}: territory after / before {d['size_ratio']:.2f}, peak response after / before "
      f"{d['peak_ratio']:.2f}")

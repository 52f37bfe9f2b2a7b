"""
A small parameter sweep
=======================

The paper's maps came out of searches over the strengths and ranges of
excitation and inhibition. :func:`ei_maps.sweep` trains and measures every
configuration of a grid on Dask (a local cluster here, any cluster through
its scheduler) and returns one Dataset with a dimension per parameter. Here
2 x 2 configurations of the image map, 150 steps each, on a 10 x 10 sheet.
"""
# %%
import tempfile


import ei_maps
from ei_maps.plotting import plot_sweep_heatmaps

# The worker processes import this script again when they start, so a script
# that sweeps keeps its work under ``if __name__ == "__main__":``.
if __name__ == "__main__":
    out = tempfile.mkdtemp(prefix="ei-maps-sweep-")
    result = ei_maps.sweep("images", {"w_inh": [2.0, 8.0], "r_inh": [4, 6], "side": [10]}, steps=150, out=out,
                           workers=2, progress=False, figures=False, log=lambda message: None)
    print(result)

# %%
# Two of the measures against the two parameters: how alike adjacent units'
# fields are, and the fraction of fields that are oriented.
if __name__ == "__main__":
    result = result.squeeze("side", drop=True).mean("seed")
    fig_sweep = plot_sweep_heatmaps(result, x="w_inh", y="r_inh", variables=["adjacent_similarity", "oriented_fraction"],
                                   title="10 x 10 maps after 150 steps")
    print(result["adjacent_similarity"].to_pandas())

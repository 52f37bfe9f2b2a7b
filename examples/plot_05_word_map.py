"""
A map of word meaning
=====================

The same model trained on word embeddings (GloVe, 50 dimensions, bundled
with the ``text`` extra) instead of image patches arranges words on the
sheet by meaning: neighbouring units prefer related words. Here a 12 x 12
sheet learns from the 2000 most frequent words.
"""
# %%
import json
import tempfile


from ei_maps import TextTrainConfig
from ei_maps.analysis import preferred_words, principal_component_colors
from ei_maps.experiments import train_text
from ei_maps.models import PAPER_TEXT_MODEL
from ei_maps.plotting import plot_word_map

out = tempfile.mkdtemp(prefix="ei-maps-words-")
ds = train_text(PAPER_TEXT_MODEL.replace(side=12), TextTrainConfig(steps=400, n_words=2000), out=out,
                progress=False, figures=True, log=lambda message: None)
print(ds)

# %%
# Colour each unit by the top three principal components of the units'
# dictionary elements and label every third unit with the word that drives it
# most: similar colours and related words gather in regions.
colors = principal_component_colors(ds["dictionary"])
best = preferred_words(ds["activations"], k=3)
fig_words = plot_word_map(colors, best["word"].isel(rank=0), every=3, title="12 x 12 word map")

# %%
# Adjacent units prefer more similar words than random pairs of units do.
summary = json.loads(ds.attrs["summary"])
print(f"cosine of adjacent units' preferred words {summary['semantic_neighbor_similarity']:.3f}, "
      f"random units {summary['semantic_random_similarity']:.3f}")
print(f"interactive map (hover a unit for its words): {out}/word_map.html")

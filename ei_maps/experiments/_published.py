"""The authors' published dictionaries: their files and the shape of their sheets.

Two files of the shared reference folder are read:

- ``published_fig2_dictionary.npy``: the activation model's dictionary of the
  paper's Fig. 2, (256 inputs, 40 x 40 units);
- ``published_lif_dictionary.npy``: the spiking coder's dictionary of the
  appendix, (256 inputs, 30 x 30 sites; the inhibitory sites' columns are zero).

The folder is found by :func:`ei_maps.framework.reference.reference_dir`. The
comparisons with them are the experiments' own: :func:`ei_maps.experiments.images.compare_fig2`
and :func:`ei_maps.experiments.images_lif.compare_lif`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["FIG2_FILE", "FIG2_SHAPE", "LIF_FILE", "LIF_SHAPE", "PUBLISHED_LIF_STEPS", "side_of"]

#: File names of the published dictionaries in the reference folder.
FIG2_FILE = "published_fig2_dictionary.npy"
LIF_FILE = "published_lif_dictionary.npy"
#: Their shapes (inputs: 16 x 16 patches, units: a 40 x 40 and a 30 x 30 sheet).
FIG2_SHAPE = (256, 1600)
LIF_SHAPE = (256, 900)
#: Gradient steps the published dictionaries were trained for (the paper's).
PUBLISHED_LIF_STEPS = 100_000


def side_of(columns: np.ndarray) -> int:
    """The side of the square sheet a published dictionary's columns (units) make; refused if not square."""
    side = int(round(np.sqrt(columns.shape[1])))
    if side * side != columns.shape[1]:
        raise ValueError(f"a published dictionary has a square sheet of columns, got {columns.shape[1]} columns")
    return side

"""Experiments: one module each (data -> training -> analysis -> run.nc and figures).

Each experiment module defines ``EXPERIMENT`` (:class:`~ei_maps.framework.Experiment`);
the command line, ``ei-maps analyze``, ``ei-maps sweep``, ``ei-maps reproduce`` and
:func:`ei_maps.load_model` are built from these declarations by :mod:`ei_maps.framework`,
and every training experiment goes through its run lifecycle (:mod:`ei_maps.framework.lifecycle`).
Modules whose name starts with ``_`` are helpers the experiments share. See docs/adding-an-experiment.md.
"""
from __future__ import annotations

from .._lazy import lazy_exports

# the experiments' entry points: listing the experiments (as the command line does) should not import every
# experiment and what it needs
_LAZY = {"train_images": ".images", "train_images_lif": ".images_lif", "train_text": ".text",
         "train_touch": ".touch", "run_waves": ".waves", "train_retinotopic": ".retinotopic",
         "analyze_map": "._orientation_maps"}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["analyze_map", "run_waves", "train_images", "train_images_lif", "train_retinotopic", "train_text",
           "train_touch"]

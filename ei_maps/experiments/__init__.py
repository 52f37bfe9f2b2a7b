"""Experiments: one module each (data -> training -> analysis -> run.nc and figures), declared in a registry.

Each experiment module defines ``EXPERIMENT`` (:class:`~ei_maps.experiments.registry.Experiment`);
the command line, ``ei-maps analyze``, ``ei-maps sweep`` and :func:`ei_maps.load_model` are built from
:func:`~ei_maps.experiments.registry.experiments`. Every training experiment goes through the one run
lifecycle of :mod:`ei_maps.experiments.runs`. See docs/adding-an-experiment.md.
"""
from __future__ import annotations

from .._lazy import lazy_exports
from .registry import Experiment, Option, SweepSpec, experiments, get

# the experiments' entry points: importing the registry (as the command line does) should not import every
# experiment and what it needs
_LAZY = {"analyze_run": ".analyze", "train_images": ".images", "train_images_lif": ".images_lif",
         "train_text": ".text", "train_touch": ".touch", "run_waves": ".waves",
         "train_retinotopic": ".retinotopic", "analyze_runs": ".analyze"}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["Experiment", "Option", "SweepSpec", "analyze_run", "analyze_runs", "experiments", "get", "run_waves",
           "train_images", "train_images_lif", "train_retinotopic", "train_text", "train_touch"]

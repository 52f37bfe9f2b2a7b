"""Experiments: one module each (data -> training -> analysis -> run.nc and figures), declared in a registry.

Each experiment module defines ``EXPERIMENT`` (:class:`~ei_maps.experiments.registry.Experiment`);
the command line, ``ei-maps analyze``, ``ei-maps sweep`` and :func:`ei_maps.load_model` are built from
:func:`~ei_maps.experiments.registry.experiments`. Every training experiment goes through the one run
lifecycle of :mod:`ei_maps.experiments.runs`. See docs/adding-an-experiment.md.
"""
from .analyze import analyze_run
from .images import train_images
from .images_lif import train_images_lif
from .registry import Experiment, Option, SweepSpec, experiments, get
from .text import train_text
from .touch import train_touch
from .waves import run_waves

__all__ = ["Experiment", "Option", "SweepSpec", "analyze_run", "experiments", "get", "run_waves",
           "train_images", "train_images_lif", "train_text", "train_touch"]

"""The framework the experiments run in: their registry, the run lifecycle, sweeps, analysis and reproduction.

Nothing here names an experiment. :mod:`ei_maps.experiments` holds the
experiments; each declares itself with an :class:`~.registry.Experiment`,
and everything here reads those declarations:

- :mod:`.registry`: :class:`~.registry.Experiment` and the discovery of
  experiment modules (also in the folders of ``EI_MAPS_EXPERIMENTS_PATH``);
- :mod:`.lifecycle`: one run folder from first step to ``run.nc``
  (locks, checkpoints, resume, atomic results);
- :mod:`.analyze`: ``ei-maps analyze`` for any run, and pooling over runs;
- :mod:`.sweep`, :mod:`.sweep_store`, :mod:`.sweep_cluster`: ``ei-maps sweep`` on Dask;
- :mod:`.reproduce`: ``ei-maps reproduce``, the parts each experiment declares;
- :mod:`.clitools`: small helpers of the commands' output.
"""
from __future__ import annotations

from .._lazy import lazy_exports
from .registry import Experiment, Option, Preset, Reproduction, SweepSpec, experiments, get

_LAZY = {"analyze_run": ".analyze", "analyze_runs": ".analyze"}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["Experiment", "Option", "Preset", "Reproduction", "SweepSpec", "analyze_run", "analyze_runs", "experiments", "get"]

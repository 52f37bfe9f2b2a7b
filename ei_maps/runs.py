"""Deprecated: loading saved runs is :mod:`ei_maps.framework.results` (``ei_maps.load_run`` and ``ei_maps.load_model``
stay where they are)."""
from ._deprecated import forwarder

__getattr__ = forwarder(__name__, {name: ("ei_maps.framework.results", name)
                                   for name in ("load_run", "load_model", "model_from_dataset")})

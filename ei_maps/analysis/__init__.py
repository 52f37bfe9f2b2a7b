"""Analysis of trained maps; functions take arrays or xarray objects and return xarray objects."""
from .receptive_fields import (as_fields, delta_probes, fields_to_columns, orientation_strength,
                               probe_receptive_fields, spatial_spread)
from .topography import neighbor_similarity

__all__ = ["as_fields", "delta_probes", "fields_to_columns", "neighbor_similarity",
           "orientation_strength", "probe_receptive_fields", "spatial_spread"]

"""Analysis of trained maps; functions take arrays or xarray objects and return xarray objects."""
from .receptive_fields import (as_fields, delta_probes, fields_to_columns, orientation_strength,
                               probe_receptive_fields, spatial_spread)
from .topography import neighbor_similarity
from .waves import (activity_movie, correlation_by_distance, cv_isi, detect_waves, fano_factor, firing_rates,
                    population_rate, spikes_dataset, wave_diagnostics)

__all__ = ["activity_movie", "correlation_by_distance", "cv_isi", "detect_waves", "fano_factor",
           "firing_rates", "population_rate", "spikes_dataset", "wave_diagnostics", "as_fields", "delta_probes", "fields_to_columns", "neighbor_similarity",
           "orientation_strength", "probe_receptive_fields", "spatial_spread"]

"""Analysis of trained maps; functions take arrays or xarray objects and return xarray objects."""
from .._deprecated import forwarder
from .._lazy import by_module, lazy_exports

# each name's module, imported on first use: every experiment module imports from here, so the command line
# would otherwise import all of analysis (SciPy's statistics among it) for any one command
_LAZY = by_module({
    ".receptive_fields": ("as_fields", "delta_probes", "fields_to_columns", "orientation_strength",
                          "probe_receptive_fields", "probe_spiking_fields", "spatial_spread"),
    ".orientation": ("column_spacing", "filtered_pinwheel_counts", "pooled_pinwheel_density", "find_pinwheels",
                     "map_quality", "orientation_map_fields", "orientation_map_gratings", "pinwheel_stats",
                     "fill_masked_units", "power_spectrum", "random_orientation_map"),
    ".plasticity": ("boundaries", "contiguity", "finger_territories", "preferred_finger", "reorganization",
                    "takeover", "takeover_summary", "territories", "territory_change", "territory_reorganization",
                    "territory_summary"),
    ".spacing": ("lowpass_map", "spectral_column_spacing", "wavelet_column_spacing"),
    ".retinotopy": ("receptive_field_centers",),
    ".wavelength": ("lateral_spectrum", "response_spectrum"),
    ".semantic": ("WORD_GROUPS", "distortion", "group_activation", "map_trustworthiness", "preferred_words",
                  "principal_component_colors", "region_words", "semantic_neighbor_similarity", "word_positions"),
    ".topography": ("distance_correlation", "neighbor_orientation_difference", "neighbor_similarity",
                    "similarity_by_distance"),
    ".waves": ("activity_movie", "correlation_by_distance", "cv_isi", "detect_waves", "fano_factor",
               "firing_rates", "population_rate", "spikes_dataset", "wave_diagnostics"),
})
# deprecated names, one release
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), fallback=forwarder(
    __name__, {"reorganisation": ("ei_maps.analysis.plasticity", "reorganization")}))

__all__ = ["receptive_field_centers", "filtered_pinwheel_counts", "lowpass_map", "pooled_pinwheel_density", "spectral_column_spacing",
           "wavelet_column_spacing", "lateral_spectrum", "response_spectrum", "boundaries", "contiguity", "finger_territories", "territory_change", "territory_reorganization",
           "territory_summary", "preferred_finger", "reorganization", "takeover", "takeover_summary",
           "territories", "WORD_GROUPS", "distortion", "group_activation", "map_trustworthiness", "preferred_words",
           "principal_component_colors", "region_words", "semantic_neighbor_similarity", "word_positions",
           "column_spacing", "find_pinwheels", "map_quality", "orientation_map_fields",
           "orientation_map_gratings", "pinwheel_stats", "fill_masked_units", "power_spectrum", "random_orientation_map",
           "distance_correlation", "neighbor_orientation_difference", "similarity_by_distance",
           "activity_movie", "correlation_by_distance", "cv_isi", "detect_waves", "fano_factor",
           "firing_rates", "population_rate", "spikes_dataset", "wave_diagnostics", "as_fields", "delta_probes", "fields_to_columns", "neighbor_similarity",
           "orientation_strength", "probe_receptive_fields", "probe_spiking_fields", "spatial_spread"]

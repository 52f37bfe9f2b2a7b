"""Deprecated: the wave sheet is :mod:`ei_maps.models.wave_sheet` (``WaveSheet``, ``WaveSheetConfig``)."""
from .._deprecated import forwarder

__getattr__ = forwarder(__name__, {
    "LIFSheet": ("ei_maps.models.wave_sheet", "WaveSheet"),
    "LIFConfig": ("ei_maps.models.wave_sheet", "WaveSheetConfig"),
    "neuron_positions": ("ei_maps.models.wave_sheet", "neuron_positions"),
    "MissingBrian2Error": ("ei_maps.models.wave_sheet", "MissingBrian2Error"),
    "import_brian2": ("ei_maps.models.wave_sheet", "import_brian2"),
    "configure_brian": ("ei_maps.models.wave_sheet", "configure_brian"),
    "SCHEDULE": ("ei_maps.models._brian2", "SCHEDULE"),
    "disk_offsets": ("ei_maps.sheet", "disk_offsets"),
    "torus_connections": ("ei_maps.sheet", "torus_connections"),
    "connection_count": ("ei_maps.sheet", "connection_count"),
})

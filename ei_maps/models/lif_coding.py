"""Deprecated: the spiking sparse coder is :mod:`ei_maps.models.spiking_coder`."""
from .._deprecated import forwarder

__getattr__ = forwarder(__name__, {
    "LIFCodingModel": ("ei_maps.models.spiking_coder", "LIFCodingModel"),
    "LIFCodingConfig": ("ei_maps.models.spiking_coder", "LIFCodingConfig"),
    "SheetGeometry": ("ei_maps.models.spiking_coder", "SheetGeometry"),
    "simulate_window_numpy": ("ei_maps.models.spiking_coder", "simulate_window_numpy"),
    "ENGINES": ("ei_maps.models.spiking_coder", "ENGINES"),
    "inhibitory_lattice_shift": ("ei_maps.sheet", "inhibitory_lattice_shift"),
})

"""Stimuli for the E/I map models: whitened natural images and their patches."""
from .images import (
    PatchSampler,
    bundled_images,
    extract_patch,
    find_edge_path,
    load_image_folder,
    load_images,
    load_images_mat,
    whiten,
)

__all__ = [
    "PatchSampler",
    "bundled_images",
    "extract_patch",
    "find_edge_path",
    "load_image_folder",
    "load_images",
    "load_images_mat",
    "whiten",
]

"""Stimuli for the E/I map models: natural-image patches, word vectors, a synthetic hand."""
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
from ._seeded import SeededSampler
from .gratings import sine_gratings
from .text import WordSampler, WordVectors, load_word_vectors, read_embeddings
from .touch import HandConfig, HandSampler, Manipulation

__all__ = [
    "HandConfig",
    "HandSampler",
    "Manipulation",
    "WordSampler",
    "WordVectors",
    "load_word_vectors",
    "read_embeddings",
    "PatchSampler",
    "SeededSampler",
    "sine_gratings",
    "bundled_images",
    "extract_patch",
    "find_edge_path",
    "load_image_folder",
    "load_images",
    "load_images_mat",
    "whiten",
]

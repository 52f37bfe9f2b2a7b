"""Stimuli for the E/I map models: whitened natural images and their patches, word vectors."""
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
from .text import WordSampler, WordVectors, load_word_vectors, read_embeddings

__all__ = [
    "WordSampler",
    "WordVectors",
    "load_word_vectors",
    "read_embeddings",
    "PatchSampler",
    "bundled_images",
    "extract_patch",
    "find_edge_path",
    "load_image_folder",
    "load_images",
    "load_images_mat",
    "whiten",
]

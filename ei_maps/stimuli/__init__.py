"""Stimuli for the E/I map models: natural-image patches, word vectors, a synthetic hand."""
from .._lazy import by_module, lazy_exports

# each name's module, imported on first use: the analysis of a wave run, say, needs gratings and not the
# image loaders (SciPy's image filters)
_LAZY = by_module({
    ".images": ("PatchSampler", "bundled_images", "extract_patch", "find_edge_path", "image_files",
                "images_fingerprint", "load_image_folder", "load_images", "load_images_mat", "read_image_file",
                "whiten"),
    "._seeded": ("SeededSampler",),
    ".regions": ("RegionSampler", "orientation_power", "prepare_scenes"),
    ".gratings": ("sine_gratings",),
    ".text": ("WordSampler", "WordVectors", "load_word_vectors", "read_embeddings"),
    ".touch": ("HandConfig", "HandSampler", "Manipulation"),
})
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = [
    "HandConfig",
    "HandSampler",
    "Manipulation",
    "WordSampler",
    "WordVectors",
    "load_word_vectors",
    "read_embeddings",
    "PatchSampler",
    "image_files",
    "images_fingerprint",
    "read_image_file",
    "RegionSampler",
    "orientation_power",
    "prepare_scenes",
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

"""Where the benchmarks find the shared reference folder (see :func:`ei_maps.framework.reference.reference_dir`)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reference_file(name: str) -> Path:
    """Path of ``name`` in the shared reference folder ($EI_MAPS_SHARED/reference, else ../shared/reference);
    exits with a message if it is missing."""
    from ei_maps.framework.reference import reference_file as find

    path = find(name)
    if not path.is_file():
        sys.exit(f"{name} not found at {path} (set EI_MAPS_SHARED)")
    return path

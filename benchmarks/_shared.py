"""Where the benchmarks find ../shared/reference (or $EI_MAPS_SHARED)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reference_file(name: str) -> Path:
    """Path of ``name`` in the shared reference folder; exits with a message if it is missing."""
    path = Path(os.environ.get("EI_MAPS_SHARED", ROOT.parent / "shared")) / "reference" / name
    if not path.is_file():
        sys.exit(f"{name} not found at {path} (set EI_MAPS_SHARED)")
    return path

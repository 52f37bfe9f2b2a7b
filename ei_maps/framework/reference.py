"""Where the shared reference folder is: the authors' published dictionaries and the reference algorithm.

Looked for, in this order, at an explicit path, in ``$EI_MAPS_SHARED/reference``,
then at ``../shared/reference`` beside the current directory and beside the
repository holding the package. A user's clone has none; whatever reads it
says so and goes on without.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["reference_dir", "reference_file"]

#: The repository that holds the package (its parent is where ``shared/`` sits in a checkout).
_REPOSITORY = Path(__file__).resolve().parents[2]


def reference_dir(reference: str | Path | None = None) -> Path:
    """The folder the published dictionaries are read from.

    Parameters
    ----------
    reference : path, optional
        An explicit folder; returned as given.

    Returns
    -------
    Path
        ``reference``, else ``$EI_MAPS_SHARED/reference``, else the first of
        ``../shared/reference`` beside the current directory and beside the
        repository that exists (the latter when neither does, so that a
        message can name where it was looked for).
    """
    if reference is not None:
        return Path(reference)
    if os.environ.get("EI_MAPS_SHARED"):
        return Path(os.environ["EI_MAPS_SHARED"]) / "reference"
    candidates = [Path.cwd().resolve().parent / "shared" / "reference", _REPOSITORY.parent / "shared" / "reference"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def reference_file(name: str, reference: str | Path | None = None) -> Path:
    """Path of ``name`` in :func:`reference_dir` (which may not exist: check ``is_file()``)."""
    return reference_dir(reference) / name

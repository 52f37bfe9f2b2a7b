"""What the machine can hold: runs are refused before anything is allocated when they would not fit.

A leaf of the package (imports only :mod:`ei_maps.errors`).
"""
from __future__ import annotations

from .errors import EiMapsError

#: Share of the available memory a run may plan to use (the rest: the interpreter, libraries, the system).
USABLE_FRACTION = 0.8


class OutOfMemoryError(EiMapsError, MemoryError):
    """A run would need more memory than the machine has available."""


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (psutil's ``available``)."""
    import psutil

    return int(psutil.virtual_memory().available)


def gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.3g} GiB"


def check_memory(need_bytes: float, what: str) -> None:
    """Refuse, with how much it would take, a run of ``what`` that needs about ``need_bytes``.

    Raises
    ------
    OutOfMemoryError
        If ``need_bytes`` exceeds :data:`USABLE_FRACTION` of the available memory.
    """
    have = available_memory()
    if need_bytes > USABLE_FRACTION * have:
        raise OutOfMemoryError(f"{what} needs about {gib(need_bytes)} of memory; this machine has "
                               f"{gib(have)} available (at most {USABLE_FRACTION:.0%} of it is used): "
                               "make the sheet, the batch or the inputs smaller")

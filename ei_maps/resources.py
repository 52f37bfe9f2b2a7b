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
    """A number of bytes as readable text in GiB, e.g. ``"1.5 GiB"``.

    Parameters
    ----------
    n_bytes : float
        The amount of memory [bytes].

    Returns
    -------
    str
        The amount in GiB, to 3 significant digits.
    """
    return f"{n_bytes / 2**30:.3g} GiB"


def check_memory(need_bytes: float, what: str) -> None:
    """Refuse, with how much it would take, a run of ``what`` that needs about ``need_bytes``.

    Parameters
    ----------
    need_bytes : float
        Memory the run would need [bytes].
    what : str
        The run, as the error message names it.

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

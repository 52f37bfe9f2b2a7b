"""BLAS thread limits around the jitted loops of the models."""
from __future__ import annotations

import contextlib
import functools
from typing import Iterator


@functools.lru_cache(maxsize=None)
def _threadpool_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def single_threaded_blas(enabled: bool = True) -> Iterator[None]:
    """Keep BLAS to one thread around the jitted loop.

    OpenBLAS workers busy-wait for a while after each multithreaded product;
    on a small machine they then steal the cores Numba's parallel loop needs
    (measured here: settle 73 ms with 2 BLAS threads, 27 ms with one). The
    products themselves lose less than that.

    Parameters
    ----------
    enabled : bool
        Limit the threads; ``False`` leaves BLAS as it is (a no-op block).
    """
    if not enabled:
        yield
        return
    with _threadpool_controller().limit(limits=1, user_api="blas"):
        yield

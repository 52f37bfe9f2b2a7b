"""Brian2 set-up shared by the spiking models: the import, the compiled-code cache, the schedule."""
from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path
from typing import Iterator

from ..errors import EiMapsError

__all__ = ["SCHEDULE", "MissingBrian2Error", "brian2_prefs", "configure_brian", "import_brian2", "stop_on_interrupt"]


#: Brian2 schedule that lets a spike's conductance act in its own step.
SCHEDULE = ["start", "thresholds", "resets", "synapses", "groups", "end"]


class MissingBrian2Error(EiMapsError, ImportError):
    """Brian2 (the ``lif`` extra) is not installed."""


def import_brian2():
    """Brian2, or a clear error saying how to install it.

    Importing Brian2 installs a SIGINT handler, which Python allows only in
    the main thread; in a worker thread (a Dask sweep task) that handler is
    skipped, since Ctrl-C never reaches such a thread anyway.
    """
    import signal
    import sys
    import threading

    try:
        if "brian2" not in sys.modules and threading.current_thread() is not threading.main_thread():
            install = signal.signal
            signal.signal = lambda signum, handler: signal.getsignal(signum)
            try:
                import brian2
            finally:
                signal.signal = install
        elif "brian2" not in sys.modules:
            # Brian2 replaces the SIGINT handler for good on import (and, in a process started with SIGINT
            # ignored, wraps SIG_IGN so that Ctrl-C raises TypeError); the process's own handler comes back,
            # and stop_on_interrupt() gives Brian2's graceful stop during our runs only
            before = signal.getsignal(signal.SIGINT)
            try:
                import brian2
            finally:
                signal.signal(signal.SIGINT, before)
        import brian2
    except ImportError as err:
        from .._install import install_hint

        raise MissingBrian2Error(f"the spiking sheet needs Brian2: {install_hint('lif')} (or pip install brian2)"
                                 + "; for --model lif, --engine numba needs no Brian2") from err
    return brian2


def configure_brian(cache_dir: str | os.PathLike | None = None) -> Path:
    """Find a writable compiled-code cache for Brian2 (and a clear error if Brian2 is missing).

    The cache is ``cache_dir``, else ``$EI_MAPS_BRIAN_CACHE``, else
    ``~/.cache/ei-maps/brian2``, else a temporary folder. Brian2's global
    preferences are set only for the duration of our builds and runs
    (:func:`brian2_prefs`), then restored.

    Parameters
    ----------
    cache_dir : str, os.PathLike or None
        The preferred cache folder.

    Returns
    -------
    Path
        The cache in use.
    """
    global _CACHE
    import_brian2()
    candidates = [cache_dir, os.environ.get("EI_MAPS_BRIAN_CACHE"),
                  Path.home() / ".cache" / "ei-maps" / "brian2", Path(tempfile.gettempdir()) / "ei-maps-brian2"]
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError:
            continue
        _CACHE = path
        return path
    raise RuntimeError("no writable folder for Brian2's compiled code; set EI_MAPS_BRIAN_CACHE")


_CACHE: Path | None = None


@contextlib.contextmanager
def brian2_prefs() -> Iterator[None]:
    """Brian2's preferences as our models need them, for the block only (the caller's are restored).

    The code generation target is Cython explicitly: Brian2's default "auto"
    target would silently fall back to pure NumPy (many times slower) if
    compilation failed; with an explicit target it raises instead. The
    compiled code goes to :func:`configure_brian`'s cache.
    """
    prefs = import_brian2().prefs
    cache = _CACHE or configure_brian()
    saved = (prefs.codegen.target, prefs.codegen.runtime.cython.cache_dir)
    prefs.codegen.target = "cython"
    prefs.codegen.runtime.cython.cache_dir = str(cache)
    try:
        yield
    finally:
        prefs.codegen.target, prefs.codegen.runtime.cython.cache_dir = saved


@contextlib.contextmanager
def stop_on_interrupt() -> Iterator[None]:
    """Around a Brian2 ``Network.run``: the first Ctrl-C stops the run after the current step, a second
    one raises KeyboardInterrupt at once.

    The process's SIGINT handler is restored afterwards; a process that
    ignores SIGINT (a background job) keeps ignoring it, and outside the
    main thread nothing is installed (only the main thread gets signals).
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (signal.SIG_IGN, None):
        yield
        return
    from brian2 import Network

    def handler(signum, frame):
        if not Network._globally_running or Network._globally_stopped:
            raise KeyboardInterrupt
        Network._globally_stopped = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

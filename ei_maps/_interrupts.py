"""Ctrl-C is never lost: a Ctrl-C swallowed where Python cannot raise it is raised again at the next check.

Python delivers Ctrl-C as a KeyboardInterrupt wherever the main thread is.
When that is a weak-reference callback or a ``__del__`` (run by the garbage
collector at any moment), the exception cannot propagate: Python prints
"Exception ignored in ..." and the program goes on as if nothing happened.
Inside :func:`noticing_interrupts`, every Ctrl-C is also remembered; a
:func:`check` at a safe point (the start of training, a wave simulation's
progress report) raises one that was swallowed, and the command reports one
that arrived too late to stop anything (:func:`swallowed`). A leaf module.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading

__all__ = ["check", "handled", "note", "noticing_interrupts", "swallowed"]

_pending = [False]
_active = [False]  # inside noticing_interrupts: only there is anything remembered


def _on_sigint(signum, frame):
    _pending[0] = True
    raise KeyboardInterrupt


def _unraisable(previous):
    def hook(unraisable):
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            return  # remembered in _pending: raised again at the next check, or reported at the end
        previous(unraisable)
    return hook


@contextlib.contextmanager
def noticing_interrupts():
    """Within this block (main thread, default Ctrl-C handling only), remember every Ctrl-C.

    Restores the previous SIGINT handler and ``sys.unraisablehook`` on exit.

    Yields
    ------
    None
    """
    own = (threading.current_thread() is threading.main_thread()
           and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    if not own:
        yield
        return
    previous_hook = sys.unraisablehook
    _pending[0], _active[0] = False, True
    signal.signal(signal.SIGINT, _on_sigint)
    sys.unraisablehook = _unraisable(previous_hook)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = previous_hook
        _pending[0], _active[0] = False, False


def note() -> None:
    """Remember a Ctrl-C that a handler of its own (the Trainer's, between steps) deals with later."""
    _pending[0] = _active[0]


def handled() -> None:
    """A KeyboardInterrupt reached its handler: nothing is pending any more."""
    _pending[0] = False


def check() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C arrived and was swallowed since the last one handled.

    Raises
    ------
    KeyboardInterrupt
    """
    if _pending[0]:
        _pending[0] = False
        raise KeyboardInterrupt


def swallowed() -> bool:
    """Whether a Ctrl-C arrived that no KeyboardInterrupt handler saw (call once the work is done).

    Returns
    -------
    bool
    """
    return _pending[0]

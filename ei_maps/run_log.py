"""``run.log``: every message of a command, kept in its run folder.

Messages go to stderr (unless ``--quiet``) and, time-stamped, to
``OUT/run.log``, appended to, so a resumed run's log continues the first
one's. Until the run folder exists (the experiment makes it) messages are
held in memory: a call refused before it starts leaves no folder behind.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import time
from pathlib import Path
from typing import Sequence

#: The log of a run, in its folder.
LOG_FILE = "run.log"


class RunLog:
    """A ``log(message)`` callable for the experiments that also writes ``out/run.log``.

    Parameters
    ----------
    out : path or None
        The run folder; None logs to stderr only.
    quiet : bool
        Nothing on stderr.
    command : sequence of str
        The command line, the log's first line.
    """

    def __init__(self, out: str | Path | None, quiet: bool = False, command: Sequence[str] = ()) -> None:
        from ._version import __version__

        self.path = None if not out else Path(out) / LOG_FILE
        self.quiet = quiet
        self._held = [self._stamp(f"ei-maps {__version__}: {' '.join(command)}")]
        self._closed = False

    @staticmethod
    def _stamp(message: str) -> str:
        return f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {message}"

    def _flush(self) -> None:
        if self.path is None or not self._held or not self.path.parent.is_dir():
            return
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("\n".join(self._held) + "\n")
            self._held = []
        except OSError:  # a read-only or vanished folder: the run goes on, messages stay on stderr
            self.path = None

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)
        self._held.append(self._stamp(str(message)))
        self._flush()

    def close(self, outcome: str) -> None:
        """The last line (finished, interrupted, the error) once the folder exists; later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        self._held.append(self._stamp(outcome))
        self._flush()


@contextlib.contextmanager
def logging_to(run_log: RunLog):
    """Within the block, every message of the ``ei_maps`` logger (INFO and up) goes to ``run_log``.

    The command's output is built on :mod:`logging`: the library logs, this
    handler shows (stderr unless quiet) and records (``run.log``). The
    logger's level, handlers and propagation are restored on exit.

    Parameters
    ----------
    run_log : RunLog
        The command's log.
    """
    from ._log import LOGGER

    class _Forward(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            run_log(record.getMessage())

    handler = _Forward(logging.INFO)
    level, propagate = LOGGER.level, LOGGER.propagate
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False  # an application's own root handlers would show the messages twice
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)
        LOGGER.propagate = propagate


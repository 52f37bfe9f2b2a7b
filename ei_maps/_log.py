"""Messages of ei-maps go to the standard :mod:`logging` module, under the ``ei_maps`` logger (a leaf).

Every long call (training, a simulation, a sweep, a reproduction) takes a
``log`` callable whose default, :func:`emit`, logs each message at INFO on
the ``ei_maps`` logger. As for any library, nothing is shown until the
application configures logging -- ``logging.basicConfig(level=logging.INFO)``
shows everything, ``logging.getLogger("ei_maps").setLevel(logging.WARNING)``
silences it -- or passes ``log=print``. The ``ei-maps`` command attaches its
own handler for the command's duration (stderr unless ``--quiet``, and the
run folder's ``run.log``).
"""
from __future__ import annotations

import logging


__all__ = ["LOGGER", "emit"]

LOGGER = logging.getLogger("ei_maps")
LOGGER.addHandler(logging.NullHandler())  # the library's convention: the application decides what is shown


def emit(message) -> None:
    """Log one message at INFO on the ``ei_maps`` logger: the default ``log`` of every long call.

    Parameters
    ----------
    message : str
        The message (anything else is turned into text).
    """
    LOGGER.info("%s", message)

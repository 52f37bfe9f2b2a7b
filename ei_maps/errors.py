"""The package's own error types: a failure with a message meant for the user.

The command line prints such an error's message and exits with status 2, as
it does for bad values (``ValueError``) and unreadable files (``OSError``).
"""
from __future__ import annotations


class EiMapsError(Exception):
    """Base of the errors whose message tells the user what went wrong and what to change."""

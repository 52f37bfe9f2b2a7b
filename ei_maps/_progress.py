"""The progress bar: a widget in Jupyter where ipywidgets is installed, plain text everywhere else (a leaf).

``tqdm.auto`` picks the notebook bar in a kernel even without ipywidgets,
and then warns ("IProgress not found") and prints a bar that cannot draw;
this asks for the widget bar only where it can work.
"""
from __future__ import annotations

import importlib.util

__all__ = ["tqdm"]


def tqdm(*args, **kwargs):
    """A ``tqdm`` progress bar (same arguments): ``tqdm.auto``'s where ipywidgets is importable, else the text one."""
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as bar
    else:
        from tqdm.std import tqdm as bar
    return bar(*args, **kwargs)

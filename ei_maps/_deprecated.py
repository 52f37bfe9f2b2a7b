"""Deprecated module aliases: old names that keep working, with a warning, for one release."""
from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable


def forwarder(old_module: str, moved: dict[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``old_module`` that finds each ``moved`` name (old -> (module, new name))
    in its new home and warns once per use."""
    def __getattr__(name: str) -> Any:
        if name not in moved:
            raise AttributeError(f"module {old_module!r} has no attribute {name!r}")
        module, new = moved[name]
        warnings.warn(f"{old_module}.{name} moved to {module}.{new}; the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), new)

    return __getattr__

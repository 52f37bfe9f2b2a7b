"""How ei-maps was installed, so a hint to install an extra fits it (a leaf module)."""
from __future__ import annotations

import functools

__all__ = ["install_hint"]


@functools.lru_cache(maxsize=None)
def _editable() -> bool:
    """Whether this ei-maps runs from a source tree (``pip install -e .``, or not installed) rather than a wheel."""
    import sysconfig
    from pathlib import Path

    package = Path(__file__).resolve().parent
    installed = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    return not any(package.is_relative_to(folder) for folder in installed)


def install_hint(extra: str) -> str:
    """The pip command that adds the optional ``extra`` to this installation.

    Parameters
    ----------
    extra : str
        The extra's name (``text``, ``lif``, ``sweep``, ``cluster``, ``sklearn``, ...).

    Returns
    -------
    str
        ``pip install -e '.[EXTRA]'`` (run in the source tree) for an editable
        install, ``pip install 'ei-maps[EXTRA]'`` for a wheel.
    """
    if _editable():
        return f"pip install -e '.[{extra}]' (in the ei-maps source folder)"
    return f"pip install 'ei-maps[{extra}]'"

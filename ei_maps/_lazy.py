"""Packages whose public names are imported on first use.

A command such as ``ei-maps waves`` imports the experiment registry, which
imports every experiment module, which imports ``ei_maps.analysis``: if each
package imported all its submodules eagerly, every command would pay for
SciPy's statistics, the semantic maps and the rest (over a second).
"""
from __future__ import annotations

import contextlib
import importlib
import threading
from typing import Any, Callable, Iterator, Sequence


def lazy_exports(package: str, names: dict[str, str], namespace: dict[str, Any],
                 fallback: Callable[[str], Any] | None = None) -> tuple[Callable[[str], Any], Callable[[], list]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package`` that import each name's module on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (relative module names are resolved against it).
    names : dict of str to str
        Public name -> the module that defines it (``".orientation"``).
    namespace : dict
        The package's ``globals()``: a name, once imported, is stored there so later lookups are plain.
    fallback : callable or None
        Asked for any other name (e.g. :func:`ei_maps._deprecated.forwarder`'s deprecated aliases);
        without one, other names raise AttributeError.

    Returns
    -------
    tuple of callable
        ``(__getattr__, __dir__)`` to assign in the package.
    """
    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            if fallback is not None:
                return fallback(name)
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__


def by_module(modules: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """``{module: names}`` turned into ``{name: module}`` (the way a package lists what it exports).

    Parameters
    ----------
    modules : dict of str to tuple of str
        Each module and the public names it defines.

    Returns
    -------
    dict of str to str
        Each name's module.
    """
    return {name: module for module, exported in modules.items() for name in exported}


@contextlib.contextmanager
def imported_meanwhile(modules: Sequence[str]) -> Iterator[None]:
    """Import ``modules`` on a helper thread while the body runs; wait for it on leaving.

    For a body that spends its time outside the GIL (the wave sheet's serial
    loop): the imports a command needs afterwards then cost no wall time. The
    helper ignores errors: the caller's own import of a module that failed
    raises them where they belong. Nothing is left running on return.

    Parameters
    ----------
    modules : sequence of str
        Absolute module names, imported in order.
    """
    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - re-raised by the caller's own import
                return

    helper = threading.Thread(target=load, name="ei-maps-imports", daemon=True)
    helper.start()
    try:
        yield
    finally:
        helper.join()

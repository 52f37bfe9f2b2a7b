"""Imports on first use: packages' public names, and heavy modules such as xarray.

A command such as ``ei-maps waves`` imports the experiment registry, which
imports every experiment module, which imports ``ei_maps.analysis``: if each
package imported all its submodules eagerly, every command would pay for
SciPy's statistics, the semantic maps and the rest (over a second). Only the
standard library is imported here: :mod:`ei_maps.io`, a leaf, uses it.
"""
from __future__ import annotations

import contextlib
import importlib
import threading
from types import ModuleType
from typing import Any, Callable, Iterator, Sequence


class DeferredModule:
    """Stands in for a module, importing it on the first attribute looked up.

    ``xr = DeferredModule("xarray")`` at the top of a module keeps xarray and
    pandas (0.3 s together) out of a command's start-up: the wave run's
    helper thread imports them while the sheet simulates. Each lookup asks
    :func:`importlib.import_module`, whose per-module lock makes two threads'
    first lookups wait for one import instead of running it twice (a
    :class:`importlib.util.LazyLoader` module has no such lock before Python
    3.12). Only for modules whose names are used inside functions: a name at
    module level (a decorator, an annotation evaluated at definition) imports
    at once.

    Parameters
    ----------
    name : str
        The absolute name of the module.
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _load(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        # a monkeypatch must reach the module every other importer sees, not this stand-in
        setattr(self._load(), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(self._load(), attribute)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


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

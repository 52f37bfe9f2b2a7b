"""Write the API reference's pages from the package's own lists of public names.

Every name a public module exports (its ``__all__``; for the small utility
modules, which have none, every function and class defined there without a
leading underscore) gets one entry, documented once: on the page of the
first module in :data:`PAGES` that exports it, and linked from the others.
The pages are written into ``docs/api/`` when a build starts, so a new
public name reaches the reference without anyone editing a page.
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

#: (module, one-line description), in the order of the reference; a name is documented on the first page
#: exporting it.
PAGES = [
    ("ei_maps.models", "the rate (activation) model, the spiking coder and the spiking wave sheet"),
    ("ei_maps.models.activation", "the activation model's own module (presets and kernels)"),
    ("ei_maps.models.spiking_coder", "the spiking coder's own module"),
    ("ei_maps.models.wave_sheet", "the wave sheet's own module"),
    ("ei_maps.models.retinotopic", "the retinotopic sheet's own module (windows on the image region)"),
    ("ei_maps.stimuli", "samplers of image patches, word vectors, touches and gratings"),
    ("ei_maps.analysis", "measures of maps, fields and waves, returned as xarray objects"),
    ("ei_maps.plotting", "figures of what ei_maps.analysis computes"),
    ("ei_maps.experiments", "the experiments behind the ei-maps command, callable from Python"),
    ("ei_maps.experiments.retinotopic", "the retinotopic sheet's experiment: its map measures and presets"),
    ("ei_maps.framework", "what the experiments run in: how one declares itself, analyze and pooling"),
    ("ei_maps.framework.registry", "the registry's own module: discovery of experiment modules"),
    ("ei_maps.framework.lifecycle", "one run folder from first step to run.nc: lock, checkpoints, resume"),
    ("ei_maps.framework.run_folder", "what a run folder holds: its manifest, one run, nothing stale"),
    ("ei_maps.framework.reproduce", "ei-maps reproduce: every experiment's reproduction, run and reported"),
    ("ei_maps.framework.results", "loading saved runs and rebuilding their models"),
    ("ei_maps.config", "training configurations and their checks"),
    ("ei_maps.params", "a parameter declared once: its check, docs and command-line option"),
    ("ei_maps.export", "a wave run's spikes as NWB or Neo"),
    ("ei_maps.cf", "the CF conventions every result file follows: the vocabulary of variables"),
    ("ei_maps.io", "writing and reading result files atomically"),
    ("ei_maps.provenance", "what every result file records about how it was made"),
    ("ei_maps.seeds", "independent random streams from one seed"),
    ("ei_maps.sheet", "geometry of the two sheets and their lateral connections"),
    ("ei_maps.resources", "memory checks made before anything is allocated"),
    ("ei_maps.errors", "the package's exceptions"),
    ("ei_maps", "what only the top-level package holds"),
]
TOP = "ei_maps"


def public_names(module_name: str) -> list[str]:
    """The names a module exports, in its own order."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not n.startswith("_")]
    return [n for n, v in vars(module).items()
            if not n.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
            and getattr(v, "__module__", None) == module_name]


def _directive(module_name: str, name: str) -> str:
    obj = getattr(importlib.import_module(module_name), name)
    target = f"{module_name}.{name}"
    if inspect.isclass(obj):
        return f".. autoclass:: {target}\n   :members:\n"
    if callable(obj):
        return f".. autofunction:: {target}\n"
    return f".. autodata:: {target}\n   :annotation:\n"


def _home(obj, pages: dict[str, list[str]]) -> str | None:
    """The page documenting ``obj``: the first page exporting this very object."""
    for module_name, names in pages.items():
        module = importlib.import_module(module_name)
        for name in names:
            if getattr(module, name) is obj:
                return f"{module_name}.{name}"
    return None


def write_pages(out: Path) -> list[Path]:
    """Write ``index.rst`` and one page per module of :data:`PAGES` into ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    pages: dict[str, list[str]] = {}
    documented: set[int] = set()
    for module_name, _ in PAGES:
        module = importlib.import_module(module_name)
        mine = []
        for name in public_names(module_name):
            obj = getattr(module, name)
            if id(obj) not in documented:
                documented.add(id(obj))
                mine.append(name)
        pages[module_name] = mine
    written = []
    for module_name, about in PAGES:
        names = pages[module_name]
        title = f"``{module_name}``"
        lines = [title, "=" * len(title), "", f".. currentmodule:: {module_name}", "",
                 f".. automodule:: {module_name}", "   :no-members:", "   :no-index:", ""]
        others = [n for n in public_names(module_name) if n not in names]
        if names:
            lines += [".. autosummary::", ""] + [f"   {n}" for n in names] + [""]
        if others:
            links = [_home(getattr(importlib.import_module(module_name), n), pages) for n in others]
            lines += ["Also exported here, documented with their home module: "
                      + ", ".join(f":py:obj:`~{t}`" for t in links if t) + ".", ""]
        for name in names:
            lines += [_directive(module_name, name), ""]
        path = out / f"{module_name}.rst"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)

    top = importlib.import_module(TOP)
    lines = ["API reference", "=============", "",
             "Every public name of the package, documented once, in the module it belongs to. "
             "Parameters state their units in square brackets.", "",
             f"The names imported from ``{TOP}`` itself (``import ei_maps``):", "",
             ", ".join(f":py:obj:`~{_home(getattr(top, n), pages)}`" for n in top.__all__
                       if not n.startswith("_") and _home(getattr(top, n), pages)) + ".", "",
             ".. list-table::", "   :header-rows: 1", "", "   * - module", "     - what it holds"]
    for module_name, about in PAGES:
        lines += [f"   * - :doc:`{module_name}`", f"     - {about}"]
    lines += ["", ".. toctree::", "   :hidden:", ""] + [f"   {m}" for m, _ in PAGES] + [""]
    index = out / "index.rst"
    index.write_text("\n".join(lines), encoding="utf-8")
    for stale in set(out.glob("*.rst")) - {index, *written}:  # a module's page from before it moved or went
        stale.unlink()
    return [index, *written]


def _on_builder_inited(app) -> None:
    write_pages(Path(app.srcdir) / "api")


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

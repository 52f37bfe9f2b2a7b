"""The API reference's docstrings: numpydoc sections, every parameter documented, units on numbers.

For every public callable the reference documents (docs/_ext/apigen.py's
pages: every name the public modules export, and the public methods of the
exported classes), its numpydoc docstring must

- have a summary line;
- document every parameter of its signature, and none that is not there;
- give every numeric parameter (its type names int, float, number or an
  array) a unit in square brackets, in its type or its description:
  ``[ms]``, ``[Hz]``, ``[grid units]``, ``[pixels]``, ``[count]`` for a
  number of things, ``[dimensionless]`` for a ratio or a fraction. Seeds
  and flags are not quantities and are left out.
"""
from __future__ import annotations

import importlib
import inspect
import re
import sys
import warnings
from pathlib import Path

import pytest

numpydoc_docscrape = pytest.importorskip("numpydoc.docscrape", reason="numpydoc (the docs extra) reads docstrings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))
import apigen  # noqa: E402

NUMERIC = re.compile(r"\b(int|float|number|array|ndarray|array_like|array-like)\b", re.I)
UNIT = re.compile(r"\[[^\]]+\]")
NOT_QUANTITIES = re.compile(r"(^|_)seed$|^dtype$")


def _callables():
    seen: set[int] = set()
    for module_name, _ in apigen.PAGES:
        module = importlib.import_module(module_name)
        for name in apigen.public_names(module_name):
            obj = getattr(module, name)
            if id(obj) in seen or not callable(obj):
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and inspect.isfunction(member):
                        yield f"{module_name}.{name}.{attr}", member


def _problems(name: str, obj) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpydoc warns on sections it does not know; the build checks those
        doc = (numpydoc_docscrape.ClassDoc if inspect.isclass(obj) else numpydoc_docscrape.FunctionDoc)(obj)
    out = []
    if not "".join(doc["Summary"]).strip():
        out.append(f"{name}: no summary line")
    try:
        signature = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    except (TypeError, ValueError):
        return out
    params = [p for p, v in signature.parameters.items() if p not in ("self", "cls")
              and v.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    documented = {}
    for entry in doc["Parameters"]:
        for part in entry.name.replace("*", "").split(","):
            documented[part.strip()] = entry
    out += [f"{name}: parameter {p!r} is not documented" for p in params if p not in documented]
    for p, entry in documented.items():
        if p not in signature.parameters:
            out.append(f"{name}: documents {p!r}, which is not a parameter")
        elif (NUMERIC.search(entry.type) and not NOT_QUANTITIES.search(p)
              and not (UNIT.search(entry.type) or UNIT.search(" ".join(entry.desc)))):
            out.append(f"{name}: numeric parameter {p!r} has no [unit]")
    return out


CALLABLES = list(_callables())


def test_the_reference_documents_enough_to_check():
    assert len(CALLABLES) > 150  # the package's public API; a broken page list would make the checks vacuous


@pytest.mark.parametrize("name, obj", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_docstring(name, obj):
    problems = _problems(name, obj)
    assert not problems, "\n".join(problems)

"""The package's shape, checked from its source: no import cycles, io a leaf, generic commands.

Imports are read with ``ast`` (module-level and inside functions alike), so an import deferred into a
function to dodge a cycle still counts as the cycle it is.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ei_maps"


def _modules() -> dict[str, tuple[Path, str]]:
    """Dotted module name -> (file, the package its relative imports start from)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
            found[".".join(parts)] = (path, ".".join(parts))
        else:
            found[".".join(parts)] = (path, ".".join(parts[:-1]))
    return found


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()

    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for name, (path, package) in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if source.split(".")[0] != "ei_maps":
                    continue
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    targets.add(full if full in modules else owner(source))
            elif isinstance(node, ast.Import):
                targets.update(owner(a.name) for a in node.names if a.name.split(".")[0] == "ei_maps")
        graph[name] = targets - {name, ""}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_known_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package():
    assert _cycles(_import_graph()) == []


LEAVES = ("ei_maps.io", "ei_maps.errors", "ei_maps._version", "ei_maps._deprecated", "ei_maps.sheet", "ei_maps._lazy",
          "ei_maps.params")


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaves_import_only_other_leaves(leaf):
    # _lazy (standard library only) is how io defers xarray: the leaves stay free of the rest of the package
    assert _import_graph()[leaf] <= set(LEAVES) - {leaf}


def test_the_deferred_import_helper_imports_nothing_from_the_package():
    assert _import_graph()["ei_maps._lazy"] == set()


def test_config_imports_only_the_declarations_and_the_deprecation_helper():
    assert _import_graph()["ei_maps.config"] == {"ei_maps._deprecated", "ei_maps.params"}


FRAMEWORK = sorted(str(p.relative_to(PACKAGE.parent)) for p in (PACKAGE / "framework").glob("*.py"))


def test_the_framework_imports_no_experiment():
    # the registry finds the experiments by the package's name, at run time; nothing here imports one
    graph = _import_graph()
    for module in (m for m in graph if m.startswith("ei_maps.framework")):
        assert not {t for t in graph[module] if t.startswith("ei_maps.experiments")}, module


def test_the_experiments_package_holds_experiments_and_private_helpers_only():
    from ei_maps.framework.registry import experiments

    declared = {e.name for e in experiments().values()}
    for path in (PACKAGE / "experiments").glob("*.py"):
        if path.stem != "__init__" and not path.stem.startswith("_"):
            assert "EXPERIMENT = " in path.read_text() or "EXPERIMENTS = " in path.read_text(), path
    assert {"images", "images_lif", "retinotopic", "text", "touch", "waves"} <= declared


@pytest.mark.parametrize("module", ["ei_maps/cli.py", *FRAMEWORK])
def test_generic_modules_name_no_experiment(module):
    # string constants only: prose in docstrings and comments may give examples
    from ei_maps.framework.registry import experiments

    # the framework's own commands (reproduce) are declared like experiments but read no runs: not experiments
    names = {e.name for e in experiments().values() if e.kinds} | {k for e in experiments().values() for k in e.kinds}
    tree = ast.parse((PACKAGE.parent / module).read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    strings = {n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings}
    assert not strings & names


def test_every_model_folder_holds_its_parameters_model_and_kernels():
    for folder in ("activation", "spiking_coder", "wave_sheet"):
        held = {p.name for p in (PACKAGE / "models" / folder).glob("*.py")}
        assert {"__init__.py", "config.py", "model.py", "_numba.py"} <= held, folder


def _resolve(dotted: str):
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attribute in parts[i:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(dotted)


def test_names_the_docs_mention_import_without_deprecation(recwarn):
    import re
    import warnings

    pages = [PACKAGE.parent / "README.md", *sorted((PACKAGE.parent / "docs").glob("*.md"))]
    text = "\n".join(p.read_text() for p in pages)
    dotted = set(re.findall(r"`(ei_maps(?:\.[A-Za-z_]\w*)+)", text))
    imports = [(m[0], m[1] or m[2]) for m in
               re.findall(r"^\s*from (ei_maps[\w.]*) import (?:\(([^)]*)\)|([\w, ]+)$)", text, re.M)]
    assert len(dotted) >= 10 and len(imports) >= 5  # the pattern still finds the docs' names
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for name in sorted(dotted):
            _resolve(name)
        for module, names in imports:
            for name in names.replace("\n", " ").split(","):
                if name.strip():
                    _resolve(f"{module}.{name.strip()}")

"""Shared fixtures: the authors' reference algorithm from ../shared/reference when present."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EI_MAPS_SHARED", ROOT.parent / "shared"))
REFERENCE = SHARED / "reference"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow end-to-end run: use --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _require_shared(path: Path, what: str) -> None:
    """Skip without ../shared; in CI (which has it) a missing file fails instead."""
    if path.is_file():
        return
    if os.environ.get("CI"):
        # a missing file there means these tests silently stopped running
        pytest.fail(f"CI is set but the {what} is missing at {path}")
    pytest.skip(f"{what} not found at {path}")


@pytest.fixture(scope="session")
def reference():
    """The published algorithm (../shared/reference/activation_reference.py), or skip."""
    path = REFERENCE / "activation_reference.py"
    _require_shared(path, "reference implementation")
    spec = importlib.util.spec_from_file_location("activation_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def published_dictionary():
    import numpy as np

    path = REFERENCE / "published_fig2_dictionary.npy"
    _require_shared(path, "published dictionary")
    return np.load(path)


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory):
    """The documentation site built once per session, warnings as errors, every gallery example run
    (about 70 s on 2 cores: one process shares the imports and compiled kernels); skip without the docs extra."""
    import subprocess
    import sys

    pytest.importorskip("sphinx", reason="the docs extra (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("docs") / "html"
    env = {**os.environ, "EI_MAPS_DOCS_GALLERY": "1", "EI_MAPS_DOCS_RERUN": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(out.parent / "doctrees"), str(ROOT / "docs"), str(out)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, f"the docs build failed or warned:\n{done.stderr[-4000:]}"
    return out


@pytest.fixture(scope="session")
def quick_reproduction(tmp_path_factory):
    """``ei-maps reproduce --quick`` run once per session (about 40 s on 2 cores); returns its folder
    (one run folder per part and report.html)."""
    from ei_maps.cli import main

    out = tmp_path_factory.mktemp("reproduce") / "quick"
    status = main(["reproduce", "--quick", "--out", str(out), "--no-progress"])
    assert status == 0, "ei-maps reproduce --quick failed (see the captured stderr)"
    return out

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

"""Small helpers the experiments' command-line glue shares (formatting, option collection)."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

import numpy as np


def fmt(value, digits: int = 2) -> str:
    """A number for a summary line, ``n/a`` for None."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def given(args: argparse.Namespace, names: Sequence[str]) -> dict:
    """The options among ``names`` that were given (not None), by name."""
    return {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}


def floats(text: str, option: str) -> list[float]:
    """Comma-separated numbers of an option; a clear error naming it otherwise."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise ValueError(f"{option} takes comma-separated numbers, got {text!r}") from err
    if not values:
        raise ValueError(f"{option} needs at least one value")
    if not all(np.isfinite(values)):
        raise ValueError(f"{option} takes finite numbers, got {text!r}")
    # runs are named with %g: values that print alike would share a folder
    names = [f"{v:g}" for v in values]
    if len(set(names)) != len(names):
        raise ValueError(f"{option} repeats a value (or values too close to tell apart in a folder name, "
                         f"{', '.join(names)}): {text!r}")
    return values


def log_to_stderr(message: str) -> None:
    """Messages go to stderr, so ``--json`` output on stdout stays one object."""
    print(message, file=sys.stderr)


def print_figures(summary: dict) -> None:
    for f in summary.get("figures", []):
        print(f"  figure: {f}")

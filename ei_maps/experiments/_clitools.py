"""Small helpers the experiments' command-line glue shares (formatting, option collection)."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence


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
    return values


def log_to_stderr(message: str) -> None:
    """Messages go to stderr, so ``--json`` output on stdout stays one object."""
    print(message, file=sys.stderr)


def print_figures(summary: dict) -> None:
    for f in summary.get("figures", []):
        print(f"  figure: {f}")

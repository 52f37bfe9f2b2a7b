"""Command-line options as TOML: ``--config FILE.toml`` in, a run's ``config.toml`` out.

A file holds ``name = value`` lines with the names of a command's options
(``w_inh`` or ``w-inh`` for ``--w-inh``). Options given on the command line
win over the file, the file wins over the defaults. Every run a command
starts records the options it resolved in ``OUT/config.toml``, which
``ei-maps train ... --config OUT/config.toml`` runs again, and which
``ei-maps config RUN_DIR`` prints (rebuilt from ``run.nc`` for runs made
from Python).
"""
from __future__ import annotations

import argparse
import difflib
import json
import math
import sys
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Where a command records the options of the run it starts.
CONFIG_FILE = "config.toml"

#: Options about one call (how it prints, whether it continues), never read from or written to a file.
CALL_OPTIONS = frozenset({"command", "kind", "experiment", "json", "no_progress", "no_figures", "quiet",
                          "resume", "overwrite", "allow_changed_inputs", "config", "print_config", "help", "version"})


def option_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The options of one (sub)command a file may set, by dest."""
    return {a.dest: a for a in parser._actions
            if a.option_strings and a.dest not in CALL_OPTIONS and a.default is not argparse.SUPPRESS}


def _convert(action: argparse.Action, key: str, value: Any, where: str) -> Any:
    flag = action.option_strings[-1]
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        if not isinstance(value, bool):
            raise ValueError(f"{where}: {key} ({flag}) takes true or false, got {value!r}")
        return value
    if isinstance(value, (dict, list)) and action.nargs is None:
        raise ValueError(f"{where}: {key} ({flag}) takes one value, got {value!r}")
    values = value if isinstance(value, list) else [value]
    converted = []
    for v in values:
        if isinstance(v, bool) and action.type is not None and action.type is not bool:
            raise ValueError(f"{where}: {key} ({flag}) takes a {action.type.__name__}, got {v!r}")
        try:
            # the option's own parser, as for text typed on the command line (a bad number is refused the same way)
            v = action.type(str(v)) if action.type is not None else v
        except (TypeError, ValueError, argparse.ArgumentTypeError) as err:
            kind = {int: "an integer", float: "a number"}.get(action.type)
            raise ValueError(f"{where}: {key} ({flag}) takes {kind}, got {v!r}" if kind else
                             f"{where}: {key} ({flag}): {err}") from None
        if action.choices is not None and v not in action.choices:
            raise ValueError(f"{where}: {key} ({flag}) must be one of {', '.join(map(str, action.choices))}, "
                             f"got {v!r}")
        converted.append(v)
    return converted if isinstance(value, list) else converted[0]


def read_options_file(path: str | Path, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The option values of a TOML file, checked against ``parser``'s options; by dest.

    Raises
    ------
    ValueError
        For an unreadable or malformed file, an unknown name (with the
        closest option names), a table, or a value the option refuses.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # "-sig": the byte-order mark some editors write first
    except OSError as err:
        raise ValueError(f"--config {path}: cannot read it ({err.strerror or err})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"--config {path}: not valid TOML ({err})") from None
    actions = option_actions(parser)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dest = key.replace("-", "_")
        if dest not in actions:
            close = difflib.get_close_matches(dest, list(actions), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            called = " (it is about one call: give it on the command line)" if dest in CALL_OPTIONS else ""
            raise ValueError(f"--config {path}: {key!r} is not an option of this command{called}{hint}; "
                             f"its options: {', '.join(sorted(actions))}")
        if isinstance(value, dict):
            raise ValueError(f"--config {path}: {key} is a table; the file holds name = value lines only")
        values[dest] = _convert(actions[dest], key, value, f"--config {path}")
    return values


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a TOML basic string takes JSON's escapes


def to_toml(values: dict[str, Any], header: Iterable[str] = ()) -> str:
    """``name = value`` lines (None values are left out: the option then takes its default)."""
    lines = [f"# {line}" for line in header]
    lines += [f"{key} = {_toml_value(v)}" for key, v in values.items() if v is not None]
    return "\n".join(lines) + "\n"


def resolved_options(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The options a call runs with, by dest, in the order ``--help`` lists them."""
    return {dest: getattr(args, dest) for dest in option_actions(parser) if hasattr(args, dest)}


def command_line(experiment_command: tuple[str, ...]) -> str:
    return "ei-maps " + " ".join(experiment_command)


def write_config(out: str | Path, values: dict[str, Any], experiment_command: tuple[str, ...]) -> Path:
    """Record a run's options in ``out/config.toml`` (atomically)."""
    from ._version import __version__
    from .io import atomic_write

    text = to_toml(values, header=[f"the options of this run (ei-maps {__version__}); run it again with",
                                   f"  {command_line(experiment_command)} --config {CONFIG_FILE} --out OTHER_FOLDER"])
    path = Path(out) / CONFIG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

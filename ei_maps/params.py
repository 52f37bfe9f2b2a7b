"""Declare a parameter once: its type, default, bounds, unit and help, and let everything else read it.

A parameter dataclass declares each field with :func:`param`::

    @declared
    @dataclass(frozen=True)
    class SheetConfig:
        side: int = param(40, "grid side L", unit="grid units", kind=int, low=1)
        lam: float = param(0.05, "soft threshold", unit="dimensionless", low=0)

and from that one declaration

- :func:`check_declared` (called in ``__post_init__``) converts and checks
  every field, naming the field, its bounds and its unit when a value is refused;
- :func:`declared` writes the class docstring's Parameters section;
- :func:`add_options` adds the command-line options (``--side``, ``--lam``)
  with their type, choices and help, so ``--help``, ``--config`` TOML keys and
  ``--resume`` (which read the options by name) follow.

Checks that tie several fields together (a radius at most the side) stay in
the class's ``__post_init__``. A leaf of the package: it imports nothing from it.
"""
from __future__ import annotations

import argparse
import math
import numbers
import textwrap
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Callable, Iterable, Sequence

__all__ = ["Spec", "add_options", "check_declared", "declare", "declared", "param", "specs"]

_KINDS = (int, float, str, bool)


@dataclass(frozen=True)
class Spec:
    """What is declared about one parameter (see :func:`param`).

    Parameters
    ----------
    help : str
        What the parameter is, one phrase (no unit: that is ``unit``).
    unit : str or None
        Its unit in words (``"grid units"``, ``"ms"``, ``"dimensionless"``,
        ``"count"``); None for what is not a quantity (a name, a flag, a seed).
    kind : type
        ``int``, ``float``, ``str`` or ``bool``; an int given for a float is
        converted (``30`` -> ``30.0``).
    low, high : float or None
        Bounds of a number [the parameter's unit].
    low_open, high_open : bool
        The bound itself is excluded.
    choices : tuple or None
        The allowed values.
    optional : bool
        None is allowed.
    none_means : str
        What None stands for (documentation and ``--help``).
    flag : bool
        The parameter has a command-line option.
    parse : callable or None
        For a structured value (``kind`` another type, e.g. ``tuple``):
        ``parse(value)`` returns the value checked and normalized, from
        itself or from its text form (the command line's), or raises
        ValueError naming the problem.
    text : callable or None
        ``text(value)``: the value's text form (``--help`` defaults), the
        inverse of ``parse``.
    """

    help: str
    unit: str | None = None
    kind: type = float
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None
    optional: bool = False
    none_means: str = ""
    flag: bool = True
    parse: Callable[[Any], Any] | None = None
    text: Callable[[Any], str] | None = None

    def bounds_text(self) -> str:
        """The bounds in words, e.g. ``"> 0"``, ``"in [0, 1)"`` (empty without bounds)."""
        if self.low is not None and self.high is not None:
            return (f"in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}"
                    f"{')' if self.high_open else ']'}")
        if self.low is not None:
            return f"{'>' if self.low_open else '>='} {self.low:g}"
        if self.high is not None:
            return f"{'<' if self.high_open else '<='} {self.high:g}"
        return ""


def param(default: Any, help: str, unit: str | None = None, **spec: Any) -> Any:
    """A dataclass field declared with its :class:`Spec` (type, bounds, unit, help) in its metadata.

    Parameters
    ----------
    default : Any
        The default value.
    help : str
        What the parameter is.
    unit : str or None
        Its unit in words; None for a name, flag or seed.
    **spec
        Other :class:`Spec` fields (``kind``, ``low``, ``high``, ``choices``, ``optional``, ...).

    Returns
    -------
    dataclasses.Field
        The field, for a dataclass body.
    """
    kind = spec.pop("kind", type(default) if isinstance(default, _KINDS) else float)
    if kind not in _KINDS and spec.get("parse") is None:
        raise TypeError(f"kind must be one of int, float, str, bool (or any type with parse=), got {kind!r}")
    return field(default=default, metadata={"spec": Spec(help=help, unit=unit, kind=kind, **spec)})


def declare(spec: Spec, default: Any, **changes: Any) -> Any:
    """A dataclass field declared with an existing :class:`Spec` (one several classes share), its own default.

    Parameters
    ----------
    spec : Spec
        The shared declaration (e.g. the training configs' ``steps``).
    default : Any
        This class's default.
    **changes
        :class:`Spec` fields this class says differently (e.g. a more precise ``help``).

    Returns
    -------
    dataclasses.Field
        The field, for a dataclass body.
    """
    return field(default=default, metadata={"spec": replace(spec, **changes) if changes else spec})


def specs(cls_or_obj: Any) -> dict[str, Spec]:
    """The declared parameters of a dataclass (or instance), by name, in field order.

    Parameters
    ----------
    cls_or_obj : dataclass type or instance
        The parameter class.

    Returns
    -------
    dict of str to Spec
        Fields declared with :func:`param`; other fields are left out.
    """
    return {f.name: f.metadata["spec"] for f in fields(cls_or_obj) if "spec" in f.metadata}


def _noun(s: Spec) -> str:
    """What a value of ``s`` is, in words: "a positive integer", "a finite number", ..."""
    if s.kind is int:
        if s.low is not None and s.high is None and (s.low, s.low_open) in ((1, False), (0, True)):
            return "a positive integer"
        if s.low is not None and s.high is None and (s.low, s.low_open) == (0, False):
            return "a non-negative integer"
        return "an integer"
    return "a finite number"


#: Declared units a Brian2 quantity converts into: each as the Brian2 unit it is (given the brian2 module).
_BRIAN2_UNITS = {"ms": lambda b2: b2.ms, "mV": lambda b2: b2.mV, "1/ms": lambda b2: 1 / b2.ms,
                 "s": lambda b2: b2.second, "Hz": lambda b2: b2.Hz}


def _from_quantity(name: str, value: Any, s: Spec) -> Any:
    """A Brian2 quantity (``5*ms``) in the declared unit, or a clear error when the dimensions differ."""
    if s.unit not in _BRIAN2_UNITS:
        raise ValueError(f"{name} is declared in {s.unit or 'no unit'}, so give a plain number, got the Brian2 "
                         f"quantity {value!r}")
    import brian2

    unit = _BRIAN2_UNITS[s.unit](brian2)
    if not brian2.have_same_dimensions(value, unit):  # float() of a quantity would give its SI value silently
        raise ValueError(f"{name} must be in {s.unit}, got {value!r} (dimensions {value.dim})")
    return float(value / unit)


def _converted(name: str, value: Any, s: Spec) -> Any:
    """``value`` as ``s.kind`` (an int for a float, a numpy scalar for its Python type), else a clear error.

    A Brian2 quantity is converted to the declared unit (``5*ms`` for a parameter in ms is 5.0).
    """
    where = f" [{s.unit}]" if s.unit else ""
    if s.parse is not None:
        return s.parse(value)
    if type(value).__module__.startswith("brian2") and hasattr(value, "dim"):
        value = _from_quantity(name, value, s)
    if s.kind is bool:
        if not isinstance(value, (bool, numbers.Integral)) or value not in (0, 1):
            raise ValueError(f"{name} must be true or false, got {value!r}")
        return bool(value)
    if s.kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string, got {value!r}")
        return value
    wrong_type = isinstance(value, bool) or not isinstance(value, numbers.Real)
    if wrong_type or (s.kind is int and not isinstance(value, numbers.Integral)) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be {_noun(s)}{where}, got {value!r}")
    return int(value) if s.kind is int else float(value)


def check_declared(obj: Any) -> None:
    """Convert and check every declared field of a frozen dataclass instance, in place.

    Parameters
    ----------
    obj : dataclass instance
        Called from its ``__post_init__``.

    Raises
    ------
    ValueError
        Naming the first field whose value has the wrong type, lies outside
        its bounds or is not one of its choices, with the bounds and unit.
    """
    for name, s in specs(obj).items():
        value = getattr(obj, name)
        if value is None:
            if not s.optional:
                raise ValueError(f"{name} must be given (None is not allowed)")
            continue
        value = _converted(name, value, s)
        if s.choices is not None and value not in s.choices:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, s.choices))}, got {value!r}")
        low_bad = s.low is not None and (value <= s.low if s.low_open else value < s.low)
        high_bad = s.high is not None and (value >= s.high if s.high_open else value > s.high)
        if low_bad or high_bad:
            if s.kind is int and _noun(s) != "an integer":  # "a positive integer" says it all
                raise ValueError(f"{name} must be {_noun(s)}{f' [{s.unit}]' if s.unit else ''}, got {value!r}")
            where = f" {s.unit}" if s.unit and s.unit != "dimensionless" else ""
            raise ValueError(f"{name} must be {s.bounds_text()}{where}, got {value!r}")
        object.__setattr__(obj, name, value)


def _type_text(s: Spec) -> str:
    if s.choices is not None:
        text = "{" + ", ".join(repr(c).replace("'", '"') for c in s.choices) + "}"
    else:
        text = s.kind.__name__
    return text + (" or None" if s.optional else "")


def _entry(name: str, s: Spec) -> str:
    text = s.help[0].upper() + s.help[1:]
    bounds = s.bounds_text()
    if bounds:
        text += f" ({bounds})"
    if s.none_means:
        text += f"; ``None`` means {s.none_means}"
    if s.unit:
        text += f" [{s.unit}]"
    body = textwrap.fill(text.rstrip(".") + ".", width=100, initial_indent="    ", subsequent_indent="    ",
                         break_long_words=False, break_on_hyphens=False)
    return f"{name} : {_type_text(s)}\n{body}"


def declared(cls: type) -> type:
    """Class decorator: write the docstring's Parameters section from the declared fields.

    The docstring's own text is kept; its Parameters section (if any) is
    replaced by one entry per declared field: type, help, bounds, what None
    means, unit.

    Parameters
    ----------
    cls : dataclass type
        The parameter class.

    Returns
    -------
    type
        ``cls``, its ``__doc__`` rewritten.
    """
    import inspect

    doc = inspect.cleandoc(cls.__doc__ or cls.__name__)
    lines = doc.splitlines()
    if "Parameters" in (line.strip() for line in lines):
        start = next(i for i, line in enumerate(lines) if line.strip() == "Parameters")
        rest = lines[start + 2:]
        end = next((i for i in range(len(rest)) if rest[i] and not rest[i].startswith(" ")
                    and i + 1 < len(rest) and set(rest[i + 1].strip()) == {"-"}), len(rest))
        head, tail = lines[:start], rest[end:]
    else:
        head, tail = lines + [""], []
    entries = "\n".join(_entry(name, s) for name, s in specs(cls).items())
    cls.__doc__ = "\n".join(head + ["Parameters", "----------", entries] + ([""] + tail if tail else [])) + "\n"
    return cls


def _default_text(name: str, s: Spec, defaults: Sequence[Any]) -> str:
    values = []
    for d in defaults:
        v = getattr(d, name, MISSING)
        values.append("n/a" if v is MISSING else (s.none_means or "none") if v is None
                      else s.text(v) if s.text is not None else f"{v:g}" if isinstance(v, float) else str(v))
    return " / ".join(values)


def add_options(group: argparse._ActionsContainer, cls: type, names: Iterable[str] | None = None,
                defaults: Sequence[Any] = (), concrete: bool = False) -> list[str]:
    """Add a command-line option for each declared parameter of ``cls`` (``--w-inh`` for ``w_inh``).

    Every option defaults to None, so a command can tell which were given
    (or, with ``concrete``, to the first of ``defaults``' value); its help
    is the declaration's, with the default(s) and unit.

    Parameters
    ----------
    group : argparse parser or argument group
        Where the options go.
    cls : dataclass type
        The parameter class.
    names : iterable of str, optional
        The parameters to add, in this order (default: every declared one with ``flag``).
    defaults : sequence of config instances
        Whose values the help shows as defaults (``"default 40 / 30"``); default ``cls()``.
    concrete : bool
        The options' defaults are the first config's values rather than None
        (a command that reads every option, not only those given).

    Returns
    -------
    list of str
        The names added (the options' ``dest``).
    """
    declared_specs = specs(cls)
    chosen = [n for n, s in declared_specs.items() if s.flag] if names is None else list(names)
    shown = tuple(defaults) or (cls(),)
    for name in chosen:
        s = declared_specs[name]
        help_text = f"{s.help}; default {_default_text(name, s, shown)}"
        if s.unit and s.unit != "dimensionless":
            help_text += f" [{s.unit}]"
        default = getattr(shown[0], name) if concrete else None
        kwargs: dict[str, Any] = {"default": default, "help": help_text.replace("%", "%%"), "dest": name}
        if s.choices is not None:
            kwargs["choices"] = s.choices
        if s.kind in (int, float):
            kwargs["type"] = s.kind
        if s.kind in (int, float) or s.parse is not None:  # a structured value stays text: its class parses it
            kwargs["metavar"] = name.upper()
        group.add_argument("--" + name.replace("_", "-"), **kwargs)
    return chosen

"""The registry of experiments: each declares, in one object, everything the rest of the package needs.

An experiment module of :mod:`ei_maps.experiments` defines ``EXPERIMENT``
(or ``EXPERIMENTS``, a tuple) of type :class:`Experiment`. The command line
(:mod:`ei_maps.cli`), ``ei-maps analyze``, ``ei-maps sweep`` and
:func:`ei_maps.load_model` are built from these objects and name no
experiment themselves: adding an experiment means adding its module.

Experiments kept outside the package (a lab's own) are found in the folders
listed in the environment variable ``EI_MAPS_EXPERIMENTS_PATH`` (separated
as in ``PATH``); being an environment variable, it also reaches the worker
processes of a sweep.
"""
from __future__ import annotations

import argparse
import contextlib
import contextvars
import functools
import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import EiMapsError

#: Environment variable naming extra folders of experiment modules.
PATH_VARIABLE = "EI_MAPS_EXPERIMENTS_PATH"
#: The package whose modules are the experiments (its folders and those of :data:`PATH_VARIABLE`).
EXPERIMENTS_PACKAGE = "ei_maps.experiments"
#: Commands of the framework itself declared like experiments (a command line, a run folder, no kinds).
FRAMEWORK_COMMANDS = ("ei_maps.framework.reproduce",)

__all__ = ["PATH_VARIABLE", "Experiment", "Option", "Preset", "Reproduction", "SweepSpec", "experiments", "for_kind",
           "for_run", "get", "refresh", "sweep_train_config"]


@dataclass(frozen=True)
class Option:
    """One command-line option: ``parser.add_argument(*flags, **kwargs)``.

    Parameters
    ----------
    flags : tuple of str
        The option's names, e.g. ``("--top",)``.
    kwargs : dict
        Keyword arguments of ``argparse.ArgumentParser.add_argument``.
    """

    flags: tuple[str, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add the option to ``parser``.

        Parameters
        ----------
        parser : argparse.ArgumentParser
            The parser (or argument group) to add it to.
        """
        parser.add_argument(*self.flags, **self.kwargs)


@dataclass(frozen=True)
class SweepSpec:
    """How ``ei-maps sweep`` runs one configuration of an experiment.

    Parameters
    ----------
    defaults : callable
        ``defaults() -> (model config, train config or None)``: the
        dataclasses whose fields the swept parameters name.
    measures : tuple of str
        The scalar measures each run reports; the first is the one "best"
        and "worst" refer to.
    run : callable
        ``run(model_config, train_config, seed, steps, out, extra) ->
        {measure: value}``: train and measure one configuration into
        ``out``; ``steps`` (or None) is the sweep's ``--steps``, ``extra``
        the configuration's instance of ``extra`` (None without one).
    extra : dataclass type or None
        A third parameter class, declared with :func:`ei_maps.params.param`,
        for what the run takes besides the model and the training config
        (the touch hand, the waves' run length): its fields can be swept and
        fixed like the others, and every configuration's instance is built,
        and so checked, before any run starts.
    owned : tuple of str
        Names the sweep sets itself (seeds, steps, inputs) and refuses as
        swept parameters.
    """

    defaults: Callable[[], tuple[Any, Any]]
    measures: tuple[str, ...]
    run: Callable[..., dict[str, Any]]
    extra: type | None = None
    owned: tuple[str, ...] = ("seed", "n_inputs")


@dataclass(frozen=True)
class Preset:
    """A named parameter set of an experiment, read by ``--preset`` of its command and of ``ei-maps sweep``.

    Parameters
    ----------
    name : str
        The preset's name.
    help : str
        What it is, one sentence for ``--help``.
    model : dict
        Model parameters by name (the fields of the experiment's model config).
    train : dict
        Training parameters by name (the fields of its training config).
    """

    name: str
    help: str
    model: dict[str, Any] = field(default_factory=dict)
    train: dict[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> dict[str, Any]:
        """Model and training parameters together (a sweep's fixed base)."""
        return {**self.model, **self.train}


@dataclass(frozen=True)
class Reproduction:
    """One part of ``ei-maps reproduce``: how an experiment regenerates its result of the paper.

    Parameters
    ----------
    part : str
        The part's name (``--only``, its folder under ``--out``, its section of the report).
    order : int
        Place of the part in the report (smaller first) [rank].
    title : str
        The report's heading of the part.
    settings : callable
        ``settings(quick) -> dict``: the part's own JSON-ready settings (e.g.
        the analysis' sizes) beside its experiment's presets ``"paper"`` and
        ``"quick"``, which give the model and training parameters it runs with;
        a part is reused only when its saved settings are the same.
    run : callable
        ``run(folder, settings, reference, resume, progress, log) -> dict``
        with ``rows`` (:func:`ei_maps.framework.reproduce.row` each),
        ``figures`` (PNG paths) and ``notes``; ``reference`` is the folder of
        the published dictionaries (or None: the default place).
    result_file : str
        The file a finished run of the part leaves in its folder.
    """

    part: str
    order: int
    title: str
    settings: Callable[[bool], dict[str, Any]]
    run: Callable[..., dict[str, Any]]
    result_file: str = "run.nc"


def sweep_train_config(train_config: Any, seed: int, steps: int | None) -> Any:
    """The training config of one sweep configuration: the sweep's seed, and its ``--steps`` when given.

    Parameters
    ----------
    train_config : dataclass instance
        The experiment's training config (it needs ``seed`` and ``steps`` fields and a ``replace`` method).
    seed : int
        The configuration's seed.
    steps : int or None
        The sweep's ``--steps``; ``None`` keeps the config's [count].

    Returns
    -------
    dataclass instance
        A copy of ``train_config`` with them set.
    """
    return train_config.replace(seed=seed, **({"steps": steps} if steps is not None else {}))


@dataclass(frozen=True)
class Experiment:
    """One experiment of the package.

    Parameters
    ----------
    name : str
        Unique name (also the sweep's KIND).
    kinds : tuple of str
        Values of a saved run's ``attrs["kind"]`` this experiment reads back.
    help : str
        One line for ``--help``.
    command : tuple of str
        Command-line path (``("train", "text")``, ``("waves",)``); empty for
        an experiment reached through another's command.
    arguments : callable or None
        ``arguments(parser)`` adds the command's own options (``--out``,
        ``--json``, ``--no-progress``, ``--no-figures`` are added for every
        command).
    run_from_args : callable or None
        ``run_from_args(args, log) -> summary`` (a JSON-ready dict).
    print_summary : callable or None
        ``print_summary(summary)`` for people (``--json`` prints the dict).
    analyze : callable or None
        ``analyze(run_dir, run, options) -> summary``: measures of a finished
        run (``options``: the ``analyze`` command's values by name).
    analyze_options : tuple of Option
        Options of ``ei-maps analyze`` this experiment reads.
    print_analysis : callable or None
        ``print_analysis(summary)`` prints ``analyze``'s summary for people.
    pool : callable or None
        ``pool(summaries) -> dict or None``: what ``ei-maps analyze RUN
        RUN ...`` pools over several runs of this experiment (e.g. seeds);
        None when nothing can be pooled.
    print_pool : callable or None
        ``print_pool(pooled)`` prints it for people (``pooled`` may be None).
    load_model : callable or None
        ``load_model(run, **overrides)`` rebuilds the model of a saved run.
    sweep : SweepSpec or None
        How ``ei-maps sweep`` runs this experiment; ``None`` if it cannot be swept.
    reads_unmarked_runs : bool
        This experiment reads runs saved without a ``kind`` attr (those of
        the first release, which had one experiment).
    output_dir : callable or None
        ``output_dir(args) -> folder`` where the command writes (default:
        ``args.out``); ``--resume`` looks there for the saved run.
    resume_options : callable or None
        ``resume_options(saved) -> {option dest: value}`` for the options of
        a saved run that are not fields of its saved configs under the same
        name (``--resume`` fills every option not given from the saved run).
    reproduction : Reproduction or None
        This experiment's part of ``ei-maps reproduce``; None if it has none.
    presets : tuple of Preset
        Its named parameter sets (``--preset`` of its command and of ``ei-maps sweep``).
    command_kinds : tuple of str
        Kinds of other experiments its command also makes (``train images
        --model lif`` makes ``images_lif`` runs), which ``--resume`` of the
        command may continue.
    """

    name: str
    kinds: tuple[str, ...]
    help: str
    command: tuple[str, ...] = ()
    arguments: Callable[[argparse.ArgumentParser], None] | None = None
    run_from_args: Callable[..., dict[str, Any]] | None = None
    print_summary: Callable[[dict[str, Any]], None] | None = None
    analyze: Callable[..., dict[str, Any]] | None = None
    analyze_options: tuple[Option, ...] = ()
    print_analysis: Callable[[dict[str, Any]], None] | None = None
    pool: Callable[[list[dict[str, Any]]], dict[str, Any] | None] | None = None
    print_pool: Callable[[dict[str, Any] | None], None] | None = None
    load_model: Callable[..., Any] | None = None
    sweep: SweepSpec | None = None
    reads_unmarked_runs: bool = False
    output_dir: Callable[[argparse.Namespace], str] | None = None
    resume_options: Callable[[Any], dict[str, Any]] | None = None
    reproduction: Reproduction | None = None
    presets: tuple[Preset, ...] = ()
    command_kinds: tuple[str, ...] = ()

    def preset(self, name: str) -> Preset:
        """The preset called ``name``; a clear error naming this experiment's presets otherwise.

        Parameters
        ----------
        name : str
            The preset's name.

        Returns
        -------
        Preset
            The preset.

        Raises
        ------
        ValueError
            If the experiment has no preset of that name.
        """
        known = {p.name: p for p in self.presets}
        if name not in known:
            raise ValueError(f"{self.name} has no preset {name!r}; its presets: {', '.join(known) or 'none'}")
        return known[name]


@functools.lru_cache(maxsize=None)
def _discovered(with_path: bool = True) -> tuple[Experiment, ...]:
    # by name: the experiments import this module, and the framework names no experiment
    package = importlib.import_module(EXPERIMENTS_PACKAGE)
    for folder in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if with_path else ():
        if folder and folder not in package.__path__:
            if not os.path.isdir(folder):
                raise EiMapsError(f"{PATH_VARIABLE} names {folder!r}, which is not a folder")
            package.__path__.append(folder)
    found: list[Experiment] = [importlib.import_module(name).EXPERIMENT for name in FRAMEWORK_COMMANDS]
    folders = package.__path__ if with_path else [f for f in package.__path__ if f == os.path.dirname(package.__file__)]
    for module in sorted(pkgutil.iter_modules(folders), key=lambda m: m.name):
        if module.name.startswith("_"):  # private helpers of the experiments
            continue
        where = f"{module.name!r} (from {getattr(module.module_finder, 'path', '?')})"
        try:
            mod = importlib.import_module(f"{package.__name__}.{module.name}")
        except SystemExit as err:  # a module that ends the program as it is imported (e.g. a script)
            raise EiMapsError(f"the experiment module {where} called sys.exit({err.code!r}) while being imported: "
                              f"every module in {PATH_VARIABLE}'s folders is imported, and so run, by ei-maps; "
                              "move scripts out of them") from None
        except Exception as err:  # an experiment module of the user's (EI_MAPS_EXPERIMENTS_PATH) that fails
            raise EiMapsError(f"cannot import the experiment module {where} (the folders in {PATH_VARIABLE} are "
                              f"searched too): {type(err).__name__}: {err}") from None
        declared = getattr(mod, "EXPERIMENTS", None) or ((mod.EXPERIMENT,) if hasattr(mod, "EXPERIMENT") else ())
        if isinstance(declared, Experiment) or not isinstance(declared, (tuple, list)):
            declared = (declared,)
        wrong = [d for d in declared if not isinstance(d, Experiment)]
        if wrong:
            raise EiMapsError(f"the experiment module {where} declares {type(wrong[0]).__name__} "
                              f"{wrong[0]!r:.60} as an experiment: EXPERIMENT must be an "
                              "ei_maps.framework.Experiment (see docs/adding-an-experiment.md)")
        found.extend(declared)
    names = [e.name for e in found]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise EiMapsError(f"two experiment modules declare an experiment named {', '.join(twice)} "
                          f"(check the folders in {PATH_VARIABLE})")
    return tuple(found)


#: Whether :func:`experiments` imports the modules of PATH_VARIABLE's folders (see :func:`package_experiments_only`).
_WITH_PATH = contextvars.ContextVar("experiments_with_path", default=True)


@contextlib.contextmanager
def package_experiments_only():
    """Within this block, :func:`experiments` leaves ``EI_MAPS_EXPERIMENTS_PATH``'s modules unimported (``--help``).

    Yields
    ------
    None
    """
    token = _WITH_PATH.set(False)
    try:
        yield
    finally:
        _WITH_PATH.reset(token)


def experiments() -> dict[str, Experiment]:
    """Every experiment, by name (modules of :mod:`ei_maps.experiments` declaring ``EXPERIMENT``).

    The modules in the folders of ``EI_MAPS_EXPERIMENTS_PATH`` are imported
    (which runs them) too, except inside :func:`package_experiments_only`.

    Returns
    -------
    dict of str to Experiment
    """
    return {e.name: e for e in _discovered(_WITH_PATH.get())}


def get(name: str) -> Experiment:
    """The experiment called ``name``; a clear error naming the known ones otherwise.

    Parameters
    ----------
    name : str
        The experiment's name.

    Returns
    -------
    Experiment
        The experiment.

    Raises
    ------
    ValueError
        If no experiment has that name.
    """
    known = experiments()
    if name not in known:
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(sorted(known))}")
    return known[name]


def for_kind(kind: str, path: str | Path | None = None) -> Experiment:
    """The experiment that wrote a run of ``kind`` (its ``attrs["kind"]``).

    Parameters
    ----------
    kind : str
        The run's kind.
    path : str, Path or None
        The run's file, named in the error.

    Returns
    -------
    Experiment
        The first experiment that lists ``kind``.

    Raises
    ------
    ValueError
        If no experiment reads runs of that kind.
    """
    for experiment in _discovered():
        if kind in experiment.kinds:
            return experiment
    where = f" ({path})" if path is not None else ""
    raise ValueError(f"no experiment reads runs of kind {kind!r}{where}")


def refresh() -> None:
    """Forget the experiments found so far; the next call looks again.

    E.g. after a module was added to ``ei_maps.experiments.__path__``.
    """
    _discovered.cache_clear()


def for_run(run, path: str | Path | None = None) -> Experiment:
    """The experiment that wrote the run or checkpoint Dataset ``run`` (by its ``attrs["kind"]``).

    A run without a ``kind`` attr belongs to the experiment that reads unmarked runs.

    Parameters
    ----------
    run : xarray.Dataset
        The run or checkpoint.
    path : str, Path or None
        Its file, named in the error.

    Returns
    -------
    Experiment
        The experiment.

    Raises
    ------
    ValueError
        If no experiment reads the run.
    """
    kind = run.attrs.get("kind")
    if kind is None:
        for experiment in _discovered():
            if experiment.reads_unmarked_runs:
                return experiment
        where = f" ({path})" if path is not None else ""
        raise ValueError(f"the run{where} has no 'kind' attr and no experiment reads unmarked runs")
    return for_kind(kind, path)

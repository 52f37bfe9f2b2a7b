"""The ``ei-maps`` command, built from the registry of experiments.

Every experiment's command (``train images``, ``train text``, ``waves``, ...),
its options and its printed summary come from its
:class:`~ei_maps.framework.registry.Experiment`; this module only assembles
them, with the commands every experiment shares: ``sweep`` and ``analyze``.
Prints human-readable summaries; with ``--json`` it prints exactly one JSON
object on stdout (progress bars and messages go to stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from ._version import __version__
from .errors import EiMapsError
from .framework.clitools import fmt
from .framework.registry import experiments, get
from .io import json_safe
from .options_file import CALL_OPTIONS


class _DefaultsOnceFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends ``(default: X)`` only where it tells something: never for a None or suppressed default
    (those options' own help says what the default depends on), never when the help names a default already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text.lower() or action.default in (None, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--quiet", action="store_true",
                   help="no messages and no progress bar on stderr (they still go to run.log in the run "
                        "folder); the summary and errors still print")
    p.add_argument("--json", action="store_true", help="print one JSON summary on stdout")


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, metavar="FILE.toml",
                   help="take options from a TOML file of name = value lines with the options' names "
                        "(w_inh = 5.0); options on the command line win. A run's own config.toml reruns it")
    p.add_argument("--print-config", action="store_true",
                   help="print the options this call would run with, as TOML for --config, and exit")


def _preset_option(p: argparse.ArgumentParser, experiment) -> None:
    """``--preset`` for a command whose experiment declares presets (unless the command has its own), when every
    parameter of every preset is one of the command's options."""
    if not experiment.presets or "--preset" in p._option_string_actions:
        return
    dests = {a.dest for a in p._actions}
    if any(set(preset.parameters) - dests for preset in experiment.presets):
        return  # e.g. a preset's run length that the command names otherwise
    p.add_argument("--preset", choices=[preset.name for preset in experiment.presets], default=None,
                   help="a named parameter set (options given explicitly win): " + "; ".join(
                       f"{preset.name}: {preset.help}" for preset in experiment.presets).replace("%", "%%"))
    p.set_defaults(_generic_preset=True)


def _apply_preset(args: argparse.Namespace, experiment, given: set[str]) -> set[str]:
    """The values of the generic ``--preset`` for the options not given; they then count as given."""
    if not getattr(args, "_generic_preset", False) or getattr(args, "preset", None) is None:
        return given
    values = {k: v for k, v in experiment.preset(args.preset).parameters.items() if k not in given}
    for name, value in values.items():
        setattr(args, name, value)
    return set(given) | set(values)


def _build_parser() -> argparse.ArgumentParser:
    """The command line, with a command for each experiment :func:`~ei_maps.framework.registry.experiments` finds."""
    parser = argparse.ArgumentParser(
        prog="ei-maps",
        description="Topographic maps from networks of excitatory and inhibitory neurons.",
        epilog="Experiments of your own: every module in the folders named by EI_MAPS_EXPERIMENTS_PATH is "
               "imported -- and so runs -- when a command needs the experiments (not for --help or --version); "
               "see docs/adding-an-experiment.md.")
    # the installed version, so a bug report or a run's log can name it
    parser.add_argument("--version", action="version", version=f"ei-maps {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train a map")
    groups = {("train",): train.add_subparsers(dest="kind", metavar="KIND")}
    registry = experiments()
    commands: dict[str, argparse.ArgumentParser] = {}
    for experiment in registry.values():
        if not experiment.command:
            continue
        parent = groups[experiment.command[:-1]] if len(experiment.command) > 1 else sub
        p = parent.add_parser(experiment.command[-1], help=experiment.help,
                              formatter_class=_DefaultsOnceFormatter)
        if experiment.arguments is not None:
            experiment.arguments(p)
        _preset_option(p, experiment)
        if "--resume" in p._option_string_actions:
            p.add_argument("--overwrite", action="store_true",
                           help="start over in an --out that holds a run (default: refuse, to keep it); the old "
                                "run is set aside in OUT/.replaced until the new one is saved")
            p.add_argument("--allow-changed-inputs", action="store_true",
                           help="with --resume: continue even if the input data (image files, word vectors) differ "
                                "from those the run was trained on (default: refuse, naming what changed)")
        _config_options(p)
        _output_options(p)
        p.set_defaults(experiment=experiment.name)
        commands[experiment.name] = p
    parser.set_defaults(_commands=commands)  # each experiment's own parser, for --config and `ei-maps config`

    sweepable = sorted(name for name, e in registry.items() if e.sweep is not None)
    sw = sub.add_parser("sweep", help="train and analyze a grid of parameters on Dask (local or a cluster)",
                        formatter_class=_DefaultsOnceFormatter)
    sw.add_argument("kind", choices=sweepable, help="which experiment to sweep")
    sw.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...",
                    help="a swept parameter and its values (repeat for a grid), e.g. --param w_inh=2,5,8")
    sw.add_argument("--preset", default=None, metavar="NAME",
                    help="start every configuration from one of the experiment's presets (its parameters, "
                         "steps included, unless --param or --steps say otherwise); "
                         + "; ".join(f"{name}: {', '.join(p.name for p in e.presets)}"
                                     for name, e in sorted(registry.items()) if e.presets))
    sw.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="fix a parameter for every configuration (repeat for several), e.g. --set side=64 "
                         "(default: the experiment's, or the preset's)")
    sw.add_argument("--steps", type=int, default=None, help="training steps per configuration (default: the kind's)")
    sw.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 per configuration")
    sw.add_argument("--out", default="runs/sweep", help="sweep directory (sweep.zarr written as tasks finish, sweep.nc at the end, one folder per run, figures)")
    sw.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, tcp://HOST:PORT "
                                                       "(default: a local cluster)")
    sw.add_argument("--scheduler-timeout", type=float, default=30.0, metavar="SECONDS",
                    help="how long to wait for --scheduler to answer, then for its first worker (default 30)")
    sw.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    sw.add_argument("--cluster", choices=("local", "slurm", "pbs"), default="local",
                    help="without --scheduler: a local cluster, or SLURM/PBS jobs (dask-jobqueue, the cluster extra)")
    sw.add_argument("--cluster-file", default=None, metavar="FILE.toml",
                    help="the batch jobs' settings for --cluster slurm|pbs (jobs, cores, memory, walltime, queue, "
                         "account; see docs/sweep.md)")
    sw.add_argument("--worker-disk", choices=("auto", "shared", "separate"), default="auto",
                    help="whether workers see --out: auto finds out per worker; separate sends every run's files "
                         "back to write here")
    _output_options(sw)

    analyze = sub.add_parser("analyze", help="the measures of a finished run (orientation maps, word maps, touch "
                                             "territories, ...)",
                             formatter_class=_DefaultsOnceFormatter)
    analyze.add_argument("run_dir", metavar="RUN_DIR", nargs="+",
                         help="run directory holding run.nc; several (e.g. seeds) are analyzed each and their pinwheel "
                              "densities pooled")
    seen: set[str] = set()
    for experiment in registry.values():
        for option in experiment.analyze_options:
            if option.flags[0] not in seen:
                seen.add(option.flags[0])
                option.add_to(analyze)
    analyze.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    analyze.add_argument("--json", action="store_true", help="print one JSON summary on stdout")

    config = sub.add_parser("config", help="print the options of a run as TOML (for --config, to run it again)",
                            formatter_class=_DefaultsOnceFormatter)
    config.add_argument("run_dir", metavar="RUN_DIR", help="a run folder (config.toml, or run.nc / checkpoint.nc)")

    export = sub.add_parser("export", help="write a wave run's spikes as NWB or Neo, for spike-analysis tools",
                            formatter_class=_DefaultsOnceFormatter)
    export.add_argument("run_dir", metavar="RUN_DIR", help="a folder made by ei-maps waves (or its spikes.nc)")
    export.add_argument("--format", choices=("nwb", "neo"), default="nwb",
                        help="nwb: RUN_DIR/spikes.nwb (pynwb, the nwb extra); neo: RUN_DIR/spikes.neo.pkl (a Neo "
                             "Block through neo's PickleIO)")
    return parser


def _name_values(item: str, option: str, form: str) -> tuple[str, list]:
    """``NAME=V1,V2`` as (name, [values]): numbers where they parse, text otherwise."""
    name, sep, values = item.partition("=")
    if not sep or not name or not values:
        raise ValueError(f"{option} takes {form}, got {item!r}")
    parsed: list = []
    for v in values.split(","):
        try:
            parsed.append(int(v) if v.strip().lstrip("-").isdigit() else float(v))
        except ValueError:
            parsed.append(v.strip())
    return name.strip().replace("-", "_"), parsed


def _sweep(args: argparse.Namespace, argv: Sequence[str] | None = None) -> dict[str, Any]:
    from .framework.sweep import summarize, sweep

    params = {}
    for item in args.param:
        key, parsed = _name_values(item, "--param", "NAME=V1,V2,...")
        if key in params:
            raise ValueError(f"--param {key} is given twice; give all its values once: --param {key}=V1,V2,...")
        params[key] = parsed
    preset = get(args.kind).preset(args.preset).parameters if args.preset else {}
    base = {k: v for k, v in preset.items() if k not in params}  # what --param sweeps, the preset does not fix
    for item in args.set:
        key, parsed = _name_values(item, "--set", "NAME=VALUE")
        if len(parsed) != 1:
            raise ValueError(f"--set fixes one value, got {item!r} (sweep several with --param)")
        base[key] = parsed[0]
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    from .run_log import RunLog

    from ._log import emit
    from .run_log import logging_to

    log = RunLog(args.out, quiet=args.quiet, command=["ei-maps", *(argv or [])])
    try:
        with logging_to(log):
            result = sweep(args.kind, params, steps=args.steps, seeds=args.seeds, out=args.out,
                           scheduler=args.scheduler, workers=args.workers, scheduler_timeout=args.scheduler_timeout,
                           progress=not (args.no_progress or args.quiet), figures=not args.no_figures,
                           log=emit, cluster=args.cluster, cluster_file=args.cluster_file,
                           shared_disk={"auto": None, "shared": True, "separate": False}[args.worker_disk],
                           base=base)
    except BaseException as err:
        log.close(f"stopped: {type(err).__name__}: {err}")
        raise
    log.close("finished")
    return {"out": args.out, **summarize(result)}


def _print_sweep(summary: dict) -> None:
    print(f"{summary['kind']} sweep -> {summary['out']}/sweep.nc: {summary['done']} of {summary['configurations']} "
          f"configurations done, {summary['failed']} failed; wall {fmt(summary['wall_seconds'], 1)} s "
          f"(tasks {fmt(summary['task_seconds_total'], 1)} s)")
    for f in summary["failures"][:5]:
        print(f"  failed: {f}")
    for label in ("best", "worst"):
        if label in summary:
            print(f"  {label}: {summary[label]}")


#: Options that are about this call, never taken from a saved run: those never in an options file, and --out.
_CALL_OPTIONS = CALL_OPTIONS | {"out", "_commands"}


def _given_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> set[str]:
    """The dests of the options given on the command line (a second parse with every default suppressed)."""
    import copy

    quiet = copy.deepcopy(parser)
    parsers = [quiet]
    while parsers:
        p = parsers.pop()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
            elif action.dest not in ("help",):
                action.default = argparse.SUPPRESS
        p._defaults = {}
    return set(vars(quiet.parse_args(argv)))


def _check_output_folder(args: argparse.Namespace, experiment) -> None:
    """Refuse an empty ``--out``, and a new run (no ``--resume``) into a folder holding one unless
    ``--overwrite``: a finished run is never replaced without being asked."""
    from pathlib import Path

    from .framework.lifecycle import CHECKPOINT_FILE, RUN_FILE

    if getattr(args, "out", None) == "" or (isinstance(getattr(args, "out", None), str) and not args.out.strip()):
        raise ValueError("--out is empty: give a folder")
    if getattr(args, "resume", True) or getattr(args, "overwrite", False):
        return
    out = experiment.output_dir(args) if experiment.output_dir is not None else getattr(args, "out", None)
    if not out:
        return
    held = [name for name in (RUN_FILE, CHECKPOINT_FILE) if (Path(out) / name).is_file()]
    if held:
        raise ValueError(f"{out} already holds a run ({' and '.join(held)}): continue it with --resume "
                         "(more steps with --steps), start over with --overwrite, or use another --out")


def _saved_options(saved, experiment) -> dict[str, Any]:
    """Option values (by dest) of a saved run: its configs' fields, then the experiment's own mapping."""
    values: dict[str, Any] = {}
    for label in ("train", "model", "hand"):
        text = saved.attrs.get(f"{label}_config")
        if text:
            for key, value in json.loads(text).items():
                values.setdefault(key, value)
    if experiment.resume_options is not None:
        values.update(experiment.resume_options(saved))
    return values


def _export(args: argparse.Namespace) -> int:
    """``ei-maps export RUN_DIR --format nwb|neo``."""
    from .export import export_run

    needs = {"nwb": ("pynwb", "nwb"), "neo": ("neo", "nwb")}[args.format]
    try:
        __import__(needs[0])
    except ImportError:
        from ._install import install_hint

        raise ValueError(f"--format {args.format} needs {needs[0]}: {install_hint(needs[1])}") from None
    print(f"wrote {export_run(args.run_dir, args.format)}")
    return 0


def _print_run_config(args: argparse.Namespace) -> int:
    """``ei-maps config RUN_DIR``: the run's config.toml, or its options rebuilt from run.nc."""
    from pathlib import Path

    from .framework.registry import for_run
    from .framework.lifecycle import load_resume_state
    from .options_file import CONFIG_FILE, command_line, option_actions, to_toml

    folder = Path(args.run_dir)
    if (folder / CONFIG_FILE).is_file():
        sys.stdout.write((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        return 0
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    saved = load_resume_state(folder)
    if saved is None:
        raise ValueError(f"{folder} holds no {CONFIG_FILE}, run.nc or checkpoint.nc: not a run folder")
    experiment = for_run(saved, folder)
    command = args._commands.get(experiment.name)
    if command is None:
        raise ValueError(f"{folder}: its experiment {experiment.name!r} has no command to rerun it with")
    actions = option_actions(command)
    values = _saved_options(saved, experiment)
    options = {dest: values[dest] for dest in actions if dest in values and dest != "out"}
    options = {"out": str(folder), **options}
    print(to_toml(options, header=[f"the options of the run in {folder}, rebuilt from its saved configuration;",
                                   f"run it again with: {command_line(experiment.command)} --config FILE.toml "
                                   "--out OTHER_FOLDER"]), end="")
    return 0


def _rerun_options(args: argparse.Namespace, command: argparse.ArgumentParser, experiment, out) -> dict[str, Any]:
    """The options of a finished call, with the values the run actually used where an option was left to its
    model's default (None), read from the saved run, so its config.toml reruns it under a later version too."""
    from pathlib import Path

    from .framework.lifecycle import load_resume_state
    from .options_file import resolved_options

    options = resolved_options(args, command)
    try:
        saved = load_resume_state(Path(out))
    except (OSError, ValueError, EiMapsError):
        saved = None
    if saved is not None:
        values = _saved_options(saved, experiment)
        options = {dest: values.get(dest, v) if v is None else v for dest, v in options.items()}
    return options


def _apply_config_file(args: argparse.Namespace, command: argparse.ArgumentParser, given: set[str]) -> set[str]:
    """``--config FILE``: its values for every option not on the command line; returns the options now set."""
    from .options_file import read_options_file

    if not getattr(args, "config", None):
        return given
    values = read_options_file(args.config, command)
    for dest, value in values.items():
        if dest not in given:
            setattr(args, dest, value)
    return given | set(values)


def _resume_from_saved(args: argparse.Namespace, given: set[str], experiment, log) -> None:
    """``--resume``: every option not given comes from the saved run in the output folder.

    Options given explicitly stay, and the experiment then refuses the run if
    they differ from the saved ones; more steps need ``--steps``.
    """
    from pathlib import Path

    from .framework.lifecycle import load_resume_state

    out = experiment.output_dir(args) if experiment.output_dir is not None else getattr(args, "out", None)
    if not out or not Path(out).is_dir():
        return
    from .framework.run_folder import folder_holds

    held, where = folder_holds(out)
    if held == "":
        raise ValueError(f"{out} holds {where}, not a run to resume: use another --out")
    if held is not None and held not in experiment.kinds + experiment.command_kinds:
        raise ValueError(f"cannot resume: {out} holds a run of kind {held!r} ({where}), not one of "
                         f"'ei-maps {' '.join(experiment.command)}': use another --out")
    saved = load_resume_state(Path(out))
    if saved is None:
        return
    values = _saved_options(saved, experiment)
    taken = []
    for dest in vars(args):
        if dest in given or dest in _CALL_OPTIONS or dest not in values:
            continue
        if getattr(args, dest) != values[dest]:
            taken.append(dest)
        setattr(args, dest, values[dest])
    if taken:
        log(f"--resume: {', '.join('--' + d.replace('_', '-') for d in sorted(taken))} from the saved run in {out}")


def _analyze(args: argparse.Namespace, given: set[str] = frozenset()) -> dict[str, Any]:
    from .framework.analyze import analyze_run, analyze_runs

    common = ("command", "run_dir", "no_figures", "json")
    options = {k: v for k, v in vars(args).items() if k not in common}
    try:
        if len(args.run_dir) > 1:
            return analyze_runs(args.run_dir, figures=not args.no_figures, given=frozenset(given) - set(common),
                                **options)
        return analyze_run(args.run_dir[0], figures=not args.no_figures,
                           given=frozenset(given) - set(common), **options)
    except (KeyError, TypeError, AttributeError) as err:
        # a run.nc whose attrs were edited, or whose kind does not match what it holds
        raise ValueError(f"{' '.join(args.run_dir)}: the run does not hold what its kind needs "
                         f"({type(err).__name__}: {err}); was run.nc edited or written by another tool?") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ei-maps`` command; returns the exit status."""
    from .provenance import recording_command

    from ._interrupts import noticing_interrupts

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        with recording_command(["ei-maps", *argv]), noticing_interrupts():
            return _main(argv)
    except KeyboardInterrupt:  # before a command started (finding the experiments, parsing): nothing was written
        print("interrupted before the command started: nothing was written", file=sys.stderr)
        return 130


def _check_environment() -> None:
    """Environment variables read by the libraries beneath, checked before they are imported (they would print a
    traceback inside a warning, or fail later with a message naming nothing)."""
    import os

    threads = os.environ.get("NUMBA_NUM_THREADS")
    if threads is not None and not (threads.strip().isdigit() and int(threads) >= 1):
        raise ValueError(f"the environment variable NUMBA_NUM_THREADS={threads!r} must be a whole number of threads "
                         ">= 1 (or unset: one per core)")


def _main(argv: list[str]) -> int:
    if argv[:1] == ["--version"]:  # before any experiment module is imported
        print(f"ei-maps {__version__}")
        return 0
    try:
        _check_environment()
    except ValueError as err:
        print(f"ei-maps: error: {err}", file=sys.stderr)
        return 2
    from .framework.registry import package_experiments_only

    try:
        if argv and argv[0] not in ("-h", "--help"):
            parser = _build_parser()
        else:  # the command list: the package's experiments, without running the user's modules
            with package_experiments_only():
                parser = _build_parser()
    except EiMapsError as err:  # e.g. an experiment module of EI_MAPS_EXPERIMENTS_PATH that does not import
        print(f"ei-maps: error: {err}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if args.command is None or (args.command == "train" and getattr(args, "kind", None) is None):
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "sweep":
            summary, printer = _sweep(args, argv), _print_sweep
            if summary["configurations"] and summary["done"] == 0:
                printer(summary) if not args.json else print(json.dumps(json_safe(summary)))
                print("ei-maps: error: every configuration of the sweep failed (see above)", file=sys.stderr)
                return 1
        elif args.command == "analyze":
            summary = _analyze(args, _given_options(parser, argv))
            experiment = get(summary["experiment"])
            printer = experiment.print_analysis or (lambda s: print(json.dumps(json_safe(s))))
            if "analyses" in summary:
                printer = _several_printer(printer, experiment.print_pool)
        elif args.command == "config":
            return _print_run_config(args)
        elif args.command == "export":
            return _export(args)
        else:
            return _run_experiment(parser, argv, args)
    except KeyboardInterrupt:
        return _interrupted(args)
    except (ValueError, OSError, EiMapsError) as err:
        print(f"ei-maps: error: {err}", file=sys.stderr)
        return 2
    _print_result(args, summary, printer)
    return 0


def _several_printer(printer, print_pool):
    """Print each run's analysis, then what the experiment pools over them."""

    def print_all(summary: dict) -> None:
        for one in summary["analyses"]:
            printer(one)
        if print_pool is not None:
            print_pool(summary["pooled"])
        elif summary["pooled"] is None:
            print("nothing pooled over the runs")

    return print_all


def _print_result(args: argparse.Namespace, summary: dict, printer) -> None:
    if args.json:
        print(json.dumps(json_safe(summary)))
    else:
        printer(summary)


def _interrupted(args: argparse.Namespace) -> int:
    from ._interrupts import handled

    handled()
    if hasattr(args, "resume"):
        hint = "continue with the same command and --resume (from the last checkpoint)"
    elif args.command == "sweep":
        hint = "run the same command again to continue: finished configurations are kept"
    else:
        hint = "what was done so far is saved as partial (see above)"
    print(f"interrupted; {hint}", file=sys.stderr)
    return 130


def _run_experiment(parser: argparse.ArgumentParser, argv: list[str], args: argparse.Namespace) -> int:
    """One experiment's command: options (command line, then --config, then a resumed run's), run, log."""
    from .options_file import resolved_options, to_toml, write_config
    from .run_log import RunLog

    experiment = get(args.experiment)
    command = args._commands[experiment.name]
    log = None
    try:
        given = _apply_config_file(args, command, _given_options(parser, argv))
        given = _apply_preset(args, experiment, given)
        if args.print_config:
            print(to_toml(resolved_options(args, command)), end="")
            return 0
        _check_output_folder(args, experiment)
        out = experiment.output_dir(args) if experiment.output_dir is not None else getattr(args, "out", None)
        log = RunLog(out, quiet=args.quiet, command=["ei-maps", *argv])
        if getattr(args, "resume", False):
            _resume_from_saved(args, given, experiment, log)
        if args.quiet:
            args.no_progress = True
        args._given = frozenset(given)  # which options the user set (a preset gives way to them)
        from .framework.lifecycle import allowing_changed_inputs

        from ._log import emit
        from .run_log import logging_to

        with allowing_changed_inputs(getattr(args, "allow_changed_inputs", False)), logging_to(log):
            summary = experiment.run_from_args(args, emit)
        if out:
            from .framework.run_folder import record_derived

            written = write_config(out, _rerun_options(args, command, experiment, out), experiment.command)
            record_derived(out, [written] if written else [])
        log.close("finished")
    except KeyboardInterrupt:
        if log is not None:
            log.close("interrupted")
        return _interrupted(args)
    except (ValueError, OSError, EiMapsError) as err:
        if log is not None:
            log.close(f"error: {err}")
        print(f"ei-maps: error: {err}", file=sys.stderr)
        return 2
    except BaseException as err:
        if log is not None:
            log.close(f"failed: {type(err).__name__}: {err}")
        raise
    _print_result(args, summary, experiment.print_summary)
    from ._interrupts import swallowed

    if swallowed():  # a Ctrl-C Python could not raise where it arrived (see ei_maps._interrupts)
        print("ei-maps: Ctrl-C arrived as the run was finishing, too late to stop it: the run above finished and "
              "was saved", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

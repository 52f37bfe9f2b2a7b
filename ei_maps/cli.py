"""The ``ei-maps`` command, built from the registry of experiments.

Every experiment's command (``train images``, ``train text``, ``waves``, ...),
its options and its printed summary come from its
:class:`~ei_maps.experiments.registry.Experiment`; this module only assembles
them, with the commands every experiment shares: ``sweep`` and ``analyze``.
Prints human-readable summaries; with ``--json`` it prints exactly one JSON
object on stdout (progress bars and messages go to stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from .errors import EiMapsError
from .experiments._clitools import fmt, log_to_stderr
from .experiments.registry import experiments, get
from .io import json_safe


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON summary on stdout")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ei-maps",
        description="Topographic maps from networks of excitatory and inhibitory neurons.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train a map")
    groups = {("train",): train.add_subparsers(dest="kind", metavar="KIND")}
    registry = experiments()
    for experiment in registry.values():
        if not experiment.command:
            continue
        parent = groups[experiment.command[:-1]] if len(experiment.command) > 1 else sub
        p = parent.add_parser(experiment.command[-1], help=experiment.help,
                              formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        if experiment.arguments is not None:
            experiment.arguments(p)
        if "--resume" in p._option_string_actions:
            p.add_argument("--overwrite", action="store_true",
                           help="start over in an --out that holds a run (default: refuse, to keep it)")
        _output_options(p)
        p.set_defaults(experiment=experiment.name)

    sweepable = sorted(name for name, e in registry.items() if e.sweep is not None)
    sw = sub.add_parser("sweep", help="train and analyze a grid of parameters on Dask (local or a cluster)",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sw.add_argument("kind", choices=sweepable, help="which experiment to sweep")
    sw.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...",
                    help="a swept parameter and its values (repeat for a grid), e.g. --param w_inh=2,5,8")
    sw.add_argument("--steps", type=int, default=None, help="training steps per configuration (default: the kind's)")
    sw.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 per configuration")
    sw.add_argument("--out", default="runs/sweep", help="sweep directory (sweep.zarr written as tasks finish, sweep.nc at the end, one folder per run, figures)")
    sw.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (default: local cluster)")
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
                             formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    analyze.add_argument("run_dir", metavar="RUN_DIR", help="run directory holding run.nc")
    seen: set[str] = set()
    for experiment in registry.values():
        for option in experiment.analyze_options:
            if option.flags[0] not in seen:
                seen.add(option.flags[0])
                option.add_to(analyze)
    analyze.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    analyze.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    return parser


def _sweep(args: argparse.Namespace) -> dict[str, Any]:
    from .experiments.sweep import summarize, sweep

    params = {}
    for item in args.param:
        name, sep, values = item.partition("=")
        if not sep or not name or not values:
            raise ValueError(f"--param takes NAME=V1,V2,..., got {item!r}")
        parsed = []
        for v in values.split(","):
            try:
                parsed.append(int(v) if v.strip().lstrip("-").isdigit() else float(v))
            except ValueError:
                parsed.append(v.strip())
        key = name.strip().replace("-", "_")
        if key in params:
            raise ValueError(f"--param {key} is given twice; give all its values once: --param {key}=V1,V2,...")
        params[key] = parsed
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    result = sweep(args.kind, params, steps=args.steps, seeds=args.seeds, out=args.out, scheduler=args.scheduler,
                   workers=args.workers, progress=not args.no_progress, figures=not args.no_figures,
                   log=log_to_stderr, cluster=args.cluster, cluster_file=args.cluster_file,
                   shared_disk={"auto": None, "shared": True, "separate": False}[args.worker_disk])
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


#: Options that are about this call, never taken from a saved run.
_CALL_OPTIONS = {"command", "kind", "experiment", "resume", "out", "json", "no_progress", "no_figures"}


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

    from .experiments.runs import CHECKPOINT_FILE, RUN_FILE

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


def _resume_from_saved(args: argparse.Namespace, given: set[str], experiment, log) -> None:
    """``--resume``: every option not given comes from the saved run in the output folder.

    Options given explicitly stay, and the experiment then refuses the run if
    they differ from the saved ones; more steps need ``--steps``.
    """
    from pathlib import Path

    from .experiments.runs import load_resume_state

    out = experiment.output_dir(args) if experiment.output_dir is not None else getattr(args, "out", None)
    if not out or not Path(out).is_dir():
        return
    saved = load_resume_state(Path(out))
    if saved is None:
        return
    values: dict[str, Any] = {}
    for label in ("train", "model", "hand"):
        text = saved.attrs.get(f"{label}_config")
        if text:
            for key, value in json.loads(text).items():
                values.setdefault(key, value)
    if experiment.resume_options is not None:
        values.update(experiment.resume_options(saved))
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
    from .experiments.analyze import analyze_run

    common = ("command", "run_dir", "no_figures", "json")
    options = {k: v for k, v in vars(args).items() if k not in common}
    try:
        return analyze_run(args.run_dir, figures=not args.no_figures,
                           given=frozenset(given) - set(common), **options)
    except (KeyError, TypeError, AttributeError) as err:
        # a run.nc whose attrs were edited, or whose kind does not match what it holds
        raise ValueError(f"{args.run_dir}: the run does not hold what its kind needs "
                         f"({type(err).__name__}: {err}); was run.nc edited or written by another tool?") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ei-maps`` command; returns the exit status."""
    from .provenance import recording_command

    argv = list(sys.argv[1:] if argv is None else argv)
    with recording_command(["ei-maps", *argv]):
        return _main(argv)


def _main(argv: list[str]) -> int:
    try:
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
            summary, printer = _sweep(args), _print_sweep
            if summary["configurations"] and summary["done"] == 0:
                printer(summary) if not args.json else print(json.dumps(json_safe(summary)))
                print("ei-maps: error: every configuration of the sweep failed (see above)", file=sys.stderr)
                return 1
        elif args.command == "analyze":
            summary = _analyze(args, _given_options(parser, argv))
            printer = get(summary["experiment"]).print_analysis or (lambda s: print(json.dumps(json_safe(s))))
        else:
            experiment = get(args.experiment)
            _check_output_folder(args, experiment)
            if getattr(args, "resume", False):
                _resume_from_saved(args, _given_options(parser, argv),
                                   experiment, log_to_stderr)
            summary, printer = experiment.run_from_args(args, log_to_stderr), experiment.print_summary
    except KeyboardInterrupt:
        if hasattr(args, "resume"):
            hint = "continue with the same command and --resume (from the last checkpoint)"
        elif args.command == "sweep":
            hint = "run the same command again to continue: finished configurations are kept"
        else:
            hint = "what was done so far is saved as partial (see above)"
        print(f"interrupted; {hint}", file=sys.stderr)
        return 130
    except (ValueError, OSError, EiMapsError) as err:
        print(f"ei-maps: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(json_safe(summary)))
    else:
        printer(summary)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

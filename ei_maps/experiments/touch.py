"""Somatosensory maps and their plasticity: ``ei-maps train touch``.

Phase "before": the activation model learns a map of a synthetic hand.
Phase "after": from that state, the input changes (a finger deprived, a
co-activation removed, two fingers fused) and training continues. Both states,
each unit's mean response to every stimulus class, and the territory
measures are stored in one ``run.nc``.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from .._version import __version__
from .. import seeds
from ..config import TouchTrainConfig, from_json
from ..models import ModelConfig, PAPER_TOUCH_MODEL
from ..io import config_attrs, json_safe
from ..models import ActivationModel
from ..models.learning import Trainer
from ..params import add_options, specs
from ..stimuli.touch import HandConfig
from ..framework.clitools import floats, fmt, given, print_figures
from ..framework.registry import Experiment, Preset, Reproduction, Option, SweepSpec
from ..framework.lifecycle import (activation_model_from_run, dictionary_on_sheet, finish_run, open_run, run_trainer,
                                   trainer_for)

xr = DeferredModule("xarray")

PHASES = ("before", "after")


def _hand_attrs(hand) -> dict:
    return {"hand_config": json.dumps(json_safe(asdict(hand)))}


def hand_from_attrs(attrs: dict):
    """The :class:`HandConfig` saved in a run's attrs."""
    return HandConfig(**json.loads(attrs["hand_config"]))


#: The argmax view counts a unit as responsive when its largest |class mean| is at least this
#: fraction of the largest on the sheet (most units of a blob map respond only at noise level).
RESPONSIVE_FRACTION = 0.25
#: Fixed color range of the class maps when the responses are small (the paper's: +-0.125).
PAPER_CLASS_RANGE = 0.125


def seed_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent random streams of one run: the fixed stimulus set, each phase's batches, the probes."""
    return {name: seeds.stream(seed, name) for name in ("set", "before", "after", "probe")}


def make_samplers(hand, manipulation, train_config: TouchTrainConfig, dtype: str) -> dict[str, Any]:
    """The samplers of both phases: one fixed set (or fresh stimuli), the manipulation applied after."""
    from ..stimuli.touch import HandSampler

    streams = seed_streams(train_config.seed)
    return {phase: HandSampler(hand, None if phase == "before" else manipulation, seed=streams[phase],
                               dtype=dtype, sample_set=train_config.sample_set, set_seed=streams["set"])
            for phase in PHASES}


def probe_classes(samplers: dict[str, Any]) -> dict[str, list[tuple[str, tuple[int, ...]]]]:
    """Per phase, every stimulus class measured, as (name, fingers touched in that phase).

    Both phases are measured on the same classes, all of them (a class the
    manipulation removed from training included, as in the paper); a class
    a syndactyly adds is probed before it too, touching both fingers.
    """
    after = samplers["after"]
    before = samplers["before"]
    n_before = len(before.class_names)
    return {"before": [(name, before.class_fingers[k] if k < n_before else after.class_fingers[k])
                       for k, name in enumerate(after.class_names)],
            "after": list(zip(after.class_names, after.class_fingers))}


def class_responses(model: ActivationModel, sampler, classes: list[tuple[str, tuple[int, ...]]], n: int,
                    seed: int) -> xr.DataArray:
    """Each unit's mean settled response to every stimulus class, (stimulus_class, unit_y, unit_x).

    Parameters
    ----------
    classes : list of (name, fingers)
        From :func:`probe_classes`.
    n : int
        Fresh noisy stimuli per class; with the same ``seed`` every phase is
        probed with the same stimuli.

    The ``class_finger`` coordinate gives the finger of single-finger classes
    and 0 for co-activation classes (not ``finger``, which is the dim of the
    territory measures stored beside it).
    """
    side = model.side
    out = np.empty((len(classes), side, side))
    probe_seeds = seed_streams(seed)["probe"].spawn(len(classes))
    for k, (_, fingers) in enumerate(classes):
        stimuli = sampler.probe_fingers(fingers, n, noise=True, seed=probe_seeds[k])
        out[k] = model.settle(stimuli).mean(axis=0).reshape(side, side)
    names = [name for name, _ in classes]
    fingers = [int(name.split()[1]) if name.startswith("finger ") else 0 for name in names]
    return xr.DataArray(out, dims=("stimulus_class", "unit_y", "unit_x"),
                        coords={"stimulus_class": names, "class_finger": ("stimulus_class", fingers)},
                        name="class_responses")


def _history_vars(trainer: Trainer, phase: str) -> dict:
    dim = f"step_{phase}"
    return {f"{k}_{phase}": ((dim,), np.asarray(trainer.history[k], float)) for k in trainer.keys}


def checkpoint_dataset(phase: str, trainer: Trainer, train_config: TouchTrainConfig, hand,
                       done: dict[str, Any]) -> xr.Dataset:
    """Everything needed to continue: the phase, its trainer state, and what earlier phases produced."""
    model = trainer.model
    # this phase's history last: what earlier phases (or a resumed checkpoint) left must not overwrite it
    ds = xr.Dataset({"dictionary": dictionary_on_sheet(model, "input"), **done.get("vars", {}),
                     **_history_vars(trainer, phase)})
    ds.attrs.update(config_attrs("model", model.config))
    ds.attrs.update(config_attrs("train", train_config))
    ds.attrs.update(_hand_attrs(hand))
    ds.attrs.update(kind="touch", phase=phase, steps_done=trainer.step, lam_now=float(model.lam),
                    sampler_state=json.dumps(trainer.sampler.get_state()), ei_maps_version=__version__)
    return ds


def _argmax_view(responses: xr.DataArray, periodic: bool) -> tuple[xr.DataArray, dict[str, Any]]:
    """The secondary view: preferred finger of each responsive unit, with its territories and contiguity."""
    from ..analysis.plasticity import contiguity, preferred_finger, territories

    preferred = preferred_finger(responses, responsive=RESPONSIVE_FRACTION)
    terr = territories(preferred)
    cont = contiguity(preferred, periodic=periodic)
    return preferred, {
        "territory": {str(int(f)): float(v) for f, v in zip(terr["finger"].values, terr.values)},
        "unresponsive": float(terr.attrs["unresponsive"]),
        "patches": {str(int(f)): int(v) for f, v in zip(cont["finger"].values, cont["patches"].values)},
        "mean_patches": float(cont["mean_patches"]),
        "boundary_fraction": float(cont["boundary_fraction"]),
    }


def measure_phases(responses: dict[str, xr.DataArray], manipulation, fraction: float,
                   periodic: bool) -> tuple[xr.Dataset, dict[str, Any]]:
    """Territories of both phases on one criterion (set by the map before), their change, the argmax view.

    Returns the measures as Dataset variables (``territory*`` on ``phase``,
    ``preferred_finger_{phase}``) and the summary entries.
    """
    from ..analysis.plasticity import finger_territories, territory_change, territory_reorganization, territory_summary

    terr = {"before": finger_territories(responses["before"], fraction, periodic=periodic),
            "after": finger_territories(responses["after"], fraction, reference=responses["before"],
                                        periodic=periodic)}
    stacked = xr.concat([terr[p] for p in PHASES], dim="phase").assign_coords(phase=list(PHASES))
    variables = {("territory" if k == "territory" else f"territory_{k}"): stacked[k] for k in stacked.data_vars}
    summary: dict[str, Any] = {
        "territory_fraction": fraction,
        "territories": {p: territory_summary(terr[p]) for p in PHASES},
        "overlap": {p: int(terr[p]["overlap"]) for p in PHASES},
        "reorganization": territory_reorganization(terr["before"], terr["after"]),
        "argmax": {},
    }
    for phase in PHASES:
        variables[f"preferred_finger_{phase}"], summary["argmax"][phase] = _argmax_view(responses[phase], periodic)
    if manipulation.kind in ("deprive", "silence"):
        summary["deprived"] = territory_change(terr["before"], terr["after"], manipulation.fingers[0])
    return xr.Dataset(variables), summary


def responses_of(ds: xr.Dataset, phase: str) -> xr.DataArray:
    """The class responses of one phase (stimulus_class, unit_y, unit_x), with the ``finger`` coordinate
    the analysis reads."""
    da = ds[f"class_responses_{phase}"]
    return da.rename({"class_finger": "finger"}) if "class_finger" in da.coords else da


def _finished(saved: xr.Dataset) -> str | None:
    return "holds a finished touch run (both phases)" if saved.attrs.get("phase", "finished") == "finished" else None


def train_touch(model_config: ModelConfig | None = None, hand=None, train_config: TouchTrainConfig | None = None,
                out: str | Path = "runs/touch", resume: bool = False, progress: bool = True, figures: bool = True,
                log=emit) -> xr.Dataset:
    """Train a map of the hand, apply the manipulation, train on, and measure both states.

    Parameters
    ----------
    model_config : ModelConfig, optional
        Default: the paper's touch settings (side 40, r_exc 5, r_inh 7,
        w_exc 20, w_inh 5, sigma2 4, eta 0.025, lam 0.002 adapted to 30%
        active units).
    hand : HandConfig, optional
        Fingers, receptors, co-activation pairs, class probabilities, noise.
    train_config : TouchTrainConfig, optional
        Steps of both phases, batch, lr, the manipulation, the fixed set.
    out : str or Path
        Run directory (``run.nc``, ``checkpoint.nc`` while training, figures).
    resume : bool
        Continue the unfinished run saved in ``out`` (same hand; a finished
        run is refused).
    progress : bool
        Show a progress bar of the training steps.
    figures : bool
        Also write the class maps of both phases, the argmax view and the training curves.
    log : callable
        ``log(text)`` receives progress messages and warnings (default: the ``ei_maps`` logger at INFO; ``print`` to see them without configuring logging).

    Returns
    -------
    xarray.Dataset
        The saved run: both dictionaries, the class responses of both
        phases, the territories and histories; ``attrs["summary"]`` is JSON
        with the territories per finger and phase and the deprived finger's
        change.
    """
    from ..stimuli.touch import Manipulation

    hand = hand or HandConfig()
    train_config = train_config or TouchTrainConfig()
    manipulation = Manipulation.parse(train_config.manipulation)
    model_config = (model_config or PAPER_TOUCH_MODEL).replace(n_inputs=hand.n_inputs)
    periodic = model_config.boundary == "periodic"
    out, saved = open_run(out, "touch", resume, [("model", model_config, frozenset({"lam"})),
                                                 ("train", train_config, frozenset({"checkpoint_every"}))], None, log,
                          refuse=_finished,
                          memory=(model_config.memory_bytes(train_config.batch),
                                  f"a {model_config.side} x {model_config.side} sheet with batches of "
                                  f"{train_config.batch}"))
    samplers = make_samplers(hand, manipulation, train_config, model_config.dtype)
    classes = probe_classes(samplers)
    steps = {"before": train_config.steps, "after": train_config.after_steps}

    done: dict[str, Any] = {"vars": {}}
    if saved is not None:
        if hand_from_attrs(saved.attrs) != hand:
            raise ValueError("cannot resume: the saved run was made with another hand configuration; "
                             "use the same options or another --out")
        model = activation_model_from_run(saved)
        log(f"phase {saved.attrs.get('phase', 'after')!r} continues")
        done["vars"] = {k: saved[k] for k in saved.data_vars if k.endswith("_before") and k != "dictionary"}
    else:
        model = ActivationModel.from_config(model_config)
    saved_phase = None if saved is None else saved.attrs["phase"]

    started = time.perf_counter()
    for phase in PHASES:
        if saved_phase == "after" and phase == "before":
            continue  # phase 1 and its measures come from the checkpoint
        trainer = trainer_for(model, samplers[phase], train_config, out,
                              lambda tr, phase=phase: checkpoint_dataset(phase, tr, train_config, hand, done), progress,
                              steps=steps[phase])
        log(f"phase {phase!r}: {steps[phase]} steps" + ("" if phase == "before" else f" with {manipulation}"))
        run_trainer(trainer, saved if saved_phase == phase else None, suffix=f"_{phase}")
        done["vars"].update({
            f"dictionary_{phase}": dictionary_on_sheet(model, "input"),
            f"class_responses_{phase}": class_responses(model, samplers[phase], classes[phase],
                                                        train_config.probe_samples, train_config.seed),
            **_history_vars(trainer, phase)})
    train_seconds = time.perf_counter() - started

    ds = xr.Dataset(done["vars"])
    measures, summary_measures = measure_phases({p: responses_of(ds, p) for p in PHASES}, manipulation,
                                                train_config.territory_fraction, periodic)
    ds = ds.merge(measures)
    summary: dict[str, Any] = {
        "out": str(out), "kind": "touch", "manipulation": str(manipulation),
        "steps_before": train_config.steps, "steps_after": train_config.after_steps,
        "train_seconds": round(train_seconds, 2), **summary_measures,
    }
    ds.attrs.update(config_attrs("model", model.config))
    ds.attrs.update(config_attrs("train", train_config))
    ds.attrs.update(_hand_attrs(hand))
    ds.attrs.update(kind="touch", phase="finished", steps_done=train_config.steps + train_config.after_steps,
                    ei_maps_version=__version__)
    return finish_run(ds, summary, out, write_figures if figures else None)


def write_figures(ds: xr.Dataset, out: Path) -> list[Path]:
    """Class maps of both phases on one color range with the territories, the argmax view, training curves."""
    from .. import plotting

    summary = json.loads(ds.attrs["summary"])
    n_fingers = int(json.loads(ds.attrs["hand_config"])["n_fingers"])
    responses = xr.concat([ds[f"class_responses_{p}"] for p in PHASES], dim="phase").assign_coords(phase=list(PHASES))
    written = [plotting.save_figure(
        plotting.plot_class_maps(responses, ds["territory"], floor=PAPER_CLASS_RANGE,
                                 title=f"mean response per stimulus class, before and after "
                                       f"{summary['manipulation']} (territories outlined)"),
        out / "class_maps.png")]
    maps = xr.concat([ds[f"preferred_finger_{p}"] for p in PHASES], dim="phase").assign_coords(phase=list(PHASES))
    written.append(plotting.save_figure(
        plotting.plot_finger_maps(maps, n_fingers,
                                  title=f"preferred finger of responsive units, before and after "
                                        f"{summary['manipulation']}"),
        out / "finger_maps.png"))
    history = xr.Dataset({k: ("step", np.concatenate([ds[f"{k}_{p}"].values for p in PHASES]))
                          for k in ActivationModel.RECORD if all(f"{k}_{p}" in ds for p in PHASES)})
    history = history.assign_coords(step=np.arange(1, history.sizes["step"] + 1))
    written.append(plotting.save_figure(
        plotting.plot_training(history, title=f"training: {summary['steps_before']} steps, then "
                                              f"{summary['steps_after']} with {summary['manipulation']}",
                               markers={summary["steps_before"] + 0.5: summary["manipulation"]}),
        out / "training.png"))
    return written


def sweep_measures(summary: dict[str, Any]) -> dict[str, float | None]:
    """The scalar measures of a finished touch run that sweeps compare."""
    terr = summary["territories"]["before"]
    deprived = summary.get("deprived") or {}
    return {"reorganization": summary["reorganization"],
            "deprived_size_ratio": deprived.get("size_ratio"),
            "components_before": float(np.mean([t["components"] for t in terr.values()])),
            "size_before": float(np.mean([t["size"] for t in terr.values()])),
            "boundary_fraction_before": summary["argmax"]["before"]["boundary_fraction"]}


#: What :func:`sweep_measures` returns, in order.
SWEEP_MEASURES = ("reorganization", "deprived_size_ratio", "components_before", "size_before",
                  "boundary_fraction_before")


def analyze_touch(run: xr.Dataset, fraction: float | None = None) -> dict[str, Any]:
    """Territories of a finished touch run, recomputed from its class responses.

    ``fraction`` overrides the run's territory criterion.
    """
    from ..stimuli.touch import Manipulation

    if any("stimulus_class" not in run.get(f"class_responses_{p}", xr.DataArray()).dims for p in PHASES):
        raise ValueError("this touch run has no class responses on 'stimulus_class' for both phases (made by an "
                         "older ei-maps?); train it again")
    config = from_json(ModelConfig, run.attrs["model_config"])
    train = from_json(TouchTrainConfig, run.attrs["train_config"])
    manipulation = Manipulation.parse(train.manipulation)
    fraction = train.territory_fraction if fraction is None else fraction
    if isinstance(fraction, bool) or not (isinstance(fraction, (int, float)) and 0 < fraction < 1):
        raise ValueError(f"--territory-fraction must lie in (0, 1), got {fraction!r}")
    _, measures = measure_phases({p: responses_of(run, p) for p in PHASES}, manipulation, fraction,
                                 config.boundary == "periodic")
    return json_safe({"kind": "touch", "manipulation": str(manipulation), **measures})


# ---------------------------------------------------------------------------- the experiment
def cli_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ei-maps train touch``."""
    ct, cm = TouchTrainConfig(), PAPER_TOUCH_MODEL
    add_options(p, TouchTrainConfig, _TRAIN_OPTIONS, defaults=(ct,), concrete=True)
    add_options(p, ModelConfig, _MODEL_OPTIONS, defaults=(cm,), concrete=True)
    add_options(p.add_argument_group("the hand (the single fingers share what the pairs leave)"), HandConfig)
    p.add_argument("--sweep-w-inh", default=None, metavar="VALUES",
                   help="instead of one run: one per w_inh value (comma-separated), through ei-maps sweep touch "
                        "with the other options fixed, reporting how much the map reorganizes against inhibition "
                        "(out/sweep.nc and its figures)")
    p.add_argument("--sweep-w-exc", default=None, metavar="VALUES",
                   help="with --sweep-w-inh: also sweep w_exc (comma-separated)")
    p.add_argument("--out", default=None, help="run directory (default runs/touch, or runs/touch-sweep)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    add_options(p, TouchTrainConfig, ("checkpoint_every",), defaults=(ct,), concrete=True)


#: The parameters ``train touch`` has options for (the paper's touch settings otherwise).
_TRAIN_OPTIONS = ("manipulation", "steps", "after_steps", "batch", "lr", "seed", "probe_samples", "sample_set",
                  "territory_fraction")
_MODEL_OPTIONS = ("lam", "side", "r_exc", "r_inh", "w_exc", "w_inh", "sigma2", "target_sparsity")


#: The hand's parameters with an option (the paper's hand otherwise).
_HAND_OPTIONS = tuple(name for name, spec in specs(HandConfig).items() if spec.flag)


def run_from_args(args: argparse.Namespace, log) -> dict[str, Any]:
    """``ei-maps train touch`` (or, with ``--sweep-w-inh``, the generic touch sweep over inhibition)."""
    if args.sweep_w_inh is not None:
        return _sweep_from_args(args, log)
    elif args.sweep_w_exc:
        raise ValueError("--sweep-w-exc needs --sweep-w-inh")
    hand = HandConfig(**given(args, _HAND_OPTIONS))
    model = PAPER_TOUCH_MODEL.replace(**{k: getattr(args, k) for k in _MODEL_OPTIONS}, seed=args.seed)
    train = TouchTrainConfig(**{k: getattr(args, k) for k in (*_TRAIN_OPTIONS, "checkpoint_every")})
    ds = train_touch(model, hand, train, out=args.out or "runs/touch", resume=args.resume,
                     progress=not args.no_progress, figures=not args.no_figures, log=log)
    return json.loads(ds.attrs["summary"])


def _sweep_from_args(args: argparse.Namespace, log) -> dict[str, Any]:
    """``--sweep-w-inh`` (and ``--sweep-w-exc``): ``ei-maps sweep touch`` around this command's other options."""
    from ..framework.sweep import sweep

    if args.sweep_w_exc is not None and not args.sweep_w_exc.strip():
        raise ValueError("--sweep-w-exc needs at least one value")
    if args.seed != 0 or args.resume:
        raise ValueError("--sweep-w-inh runs seed 0 and continues what its --out holds by itself: --seed and "
                         "--resume do not apply (ei-maps sweep touch --seeds N for several seeds)")
    params = {"w_inh": floats(args.sweep_w_inh, "--sweep-w-inh")}
    if args.sweep_w_exc:
        params["w_exc"] = floats(args.sweep_w_exc, "--sweep-w-exc")
    fixed = {k: getattr(args, k) for k in (*_MODEL_OPTIONS, *_TRAIN_OPTIONS, "checkpoint_every")
             if k not in params and k != "seed"}
    fixed.update(given(args, _HAND_OPTIONS))
    log("--sweep-w-inh runs ei-maps sweep touch --param w_inh=... (with these options fixed)")
    out = args.out or "runs/touch-sweep"
    result = sweep("touch", params, out=out, workers=1, progress=not args.no_progress, figures=not args.no_figures,
                   log=log, base=fixed).isel(seed=0)
    flat = result.stack(configuration=list(params)).transpose("configuration", ...)
    names = [",".join(f"{k}={float(v):g}" for k, v in zip(params, c)) for c in flat["configuration"].values]
    return {"kind": "touch_sweep", "out": out,
            **{k: dict(zip(names, map(float, flat[k].values))) for k in SWEEP_MEASURES}}


def print_summary(summary: dict) -> None:
    if summary["kind"] == "touch_sweep":
        print(f"sweep written to {summary['out']}/sweep.nc (ei-maps sweep touch)")
        for key in ("reorganization", "deprived_size_ratio", "components_before"):
            print(f"  {key}: " + ", ".join(f"{k}: {fmt(v)}" for k, v in summary[key].items()))
        return
    print(f"touch map, manipulation {summary['manipulation']}" + (f" -> {summary['out']}/run.nc" if "out" in summary else "")
          + (f" ({summary['train_seconds']:.0f} s of training)" if "train_seconds" in summary else ""))
    print(f"  territories (response of the class's sign above {summary['territory_fraction']:g} of its peak "
          f"before; units, components, sign):")
    for phase, terr in summary["territories"].items():
        print(f"    {phase:6s} " + "; ".join(f"{f}: {t['size']} u, {t['components']} c, {'+' if t['sign'] >= 0 else '-'}"
                                           for f, t in terr.items()))
    print(f"  reorganization: {fmt(summary['reorganization'])} of territory units changed finger")
    if summary.get("deprived"):
        d = summary["deprived"]
        print(f"  finger {d['finger']}: territory {d['size_before']} -> {d['size_after']} units "
              f"(x{fmt(d['size_ratio'])}), peak response x{fmt(d['peak_ratio'])}; others' growth "
              + ", ".join(f"{f}: {g:+d}" for f, g in d["growth"].items()))
    a = summary["argmax"]
    print("  argmax view (responsive units): boundary fraction "
          + ", ".join(f"{p} {fmt(a[p]['boundary_fraction'])}" for p in a)
          + "; patches per finger " + ", ".join(f"{p} {fmt(a[p]['mean_patches'], 1)}" for p in a))
    print_figures(summary)


def analyze_touch_run(run_dir: Path, run: xr.Dataset, options: dict[str, Any]) -> dict[str, Any]:
    """``ei-maps analyze`` of a touch run (``options["territory_fraction"]`` overrides the run's)."""
    summary = analyze_touch(run, fraction=options.get("territory_fraction"))
    summary["run"] = str(run_dir)
    return summary


def _sweep_run(model_config: ModelConfig, train_config: TouchTrainConfig, seed: int, steps: int | None, out: Path,
               hand: HandConfig) -> dict[str, Any]:
    train = train_config.replace(seed=seed)
    if steps is not None:
        train = train.replace(steps=steps, after_steps=max(1, (3 * steps) // 4))
    ds = train_touch(model_config.replace(seed=seed), hand, train_config=train, out=out, progress=False,
                     figures=False, log=lambda m: None)
    return sweep_measures(json.loads(ds.attrs["summary"]))


def _load_model(run: xr.Dataset, **overrides):
    """The model at the end of a touch run (its ``dictionary_after``)."""
    last = run.rename({"dictionary_after": "dictionary"}) if "dictionary_after" in run else run
    return activation_model_from_run(last, **overrides)


def _resume_options(saved: xr.Dataset) -> dict[str, Any]:
    hand = hand_from_attrs(saved.attrs)
    return {"pairs": ",".join(f"{a}+{b}" for a, b in hand.pairs)}


# ---------------------------------------------------------------------------- ei-maps reproduce
def _reproduce_settings(quick: bool) -> dict[str, Any]:
    """The touch part's own settings of ``ei-maps reproduce``: none (its sheet and steps: the presets paper, quick)."""
    return {}


#: The paper's run and a small one (``ei-maps reproduce``, ``ei-maps sweep touch --preset``).
PRESETS = (Preset("paper", "the paper's hand map, 40 x 40 sheet, 4,000 steps, then 3,000 with finger 3 deprived",
                  {"side": 40}, {"steps": 4000, "after_steps": 3000}),
           Preset("quick", "a small, short run, 10 x 10 sheet, 300 + 200 steps", {"side": 10},
                  {"steps": 300, "after_steps": 200}))


def _reproduce(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    """``ei-maps reproduce``'s touch part: run it at the settings ``s`` into ``folder``, measure, compare."""
    from ..framework.reproduce import row, pngs
    from ..config import TouchTrainConfig
    from ..io import load_dataset
    from ..models import PAPER_TOUCH_MODEL
    from ..framework.lifecycle import RUN_FILE

    if resume and (folder / RUN_FILE).is_file():  # a finished touch run is read back, not continued
        ds = load_dataset(folder / RUN_FILE)
        summary = json.loads(ds.attrs["summary"])
        summary["figures"] = [str(p) for p in write_figures(ds, folder)]
    else:
        ds = train_touch(PAPER_TOUCH_MODEL.replace(side=s["side"]),
                         train_config=TouchTrainConfig(steps=s["steps"], after_steps=s["after_steps"]),
                         out=folder, resume=resume, progress=progress, figures=True, log=log)
        summary = json.loads(ds.attrs["summary"])
    rows = []
    for phase, territories in summary["territories"].items():
        for finger, t in territories.items():
            rows.append(row(f"{phase}: finger {finger} territory [units]", t["size"]))
    d = summary.get("deprived") or {}
    if d:
        rows += [row(f"deprived finger {d['finger']}: territory after / before", d["size_ratio"], 0.0,
                      "paper: the deprived finger's territory vanishes"),
                 row(f"deprived finger {d['finger']}: peak response after / before", d["peak_ratio"],
                      "falls", "paper (README measures 0.22-0.28 at full size)")]
        rows += [row(f"finger {f}: territory growth [units]", g, "little",
                      "paper: the others do not take the territory over") for f, g in d["growth"].items()]
    rows.append(row("reorganization (fraction of territory units that changed finger)", summary["reorganization"]))
    return {"rows": rows, "figures": pngs(summary.get("figures", [])), "notes": [f"manipulation: {summary['manipulation']}"]}


REPRODUCTION = Reproduction(
    part="touch", order=2, title="Touch: the hand map before and after deprivation of finger 3",
    settings=_reproduce_settings, run=_reproduce)


EXPERIMENT = Experiment(
    name="touch", kinds=("touch",), help="synthetic hand -> somatotopic map, then a manipulation and plasticity",
    presets=PRESETS,
    reproduction=REPRODUCTION,
    command=("train", "touch"), arguments=cli_arguments, run_from_args=run_from_args, print_summary=print_summary,
    analyze=analyze_touch_run,
    analyze_options=(Option(("--territory-fraction",), {
        "type": float, "default": None,
        "help": "touch runs: territory criterion as a fraction of each class's peak (default: the run's own)"}),),
    print_analysis=print_summary, load_model=_load_model, resume_options=_resume_options,
    output_dir=lambda args: args.out or ("runs/touch-sweep" if args.sweep_w_inh is not None else "runs/touch"),
    sweep=SweepSpec(defaults=lambda: (PAPER_TOUCH_MODEL, TouchTrainConfig()), measures=SWEEP_MEASURES,
                    run=_sweep_run, extra=HandConfig))

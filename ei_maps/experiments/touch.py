"""Somatosensory maps and their plasticity: ``ei-maps train touch``.

Phase "before": the activation model learns a map of a synthetic hand.
Phase "after": from that state, the input changes (a finger deprived, a
co-activation removed, two fingers fused) and training continues. Both states,
each unit's mean response to every stimulus class, and the territory
measures are stored in one ``run.nc``.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import __version__
from ..config import PAPER_TOUCH_MODEL, ModelConfig, TouchTrainConfig, from_json
from ..io import config_attrs, json_safe, save_dataset
from ..models import ActivationModel
from ..models.learning import Trainer
from .runs import (CHECKPOINT_FILE, RUN_FILE, check_resumable, dictionary_on_sheet, finish_run, load_resume_state,
                   model_from_sheet, run_trainer)

PHASES = ("before", "after")


def _hand_attrs(hand) -> dict:
    return {"hand_config": json.dumps(json_safe(asdict(hand)))}


def hand_from_attrs(attrs: dict):
    """The :class:`HandConfig` saved in a run's attrs."""
    from ..stimuli.touch import HandConfig

    data = json.loads(attrs["hand_config"])
    data["pairs"] = tuple(tuple(int(f) for f in p) for p in data["pairs"])
    return HandConfig(**data)


def class_responses(model: ActivationModel, sampler, n: int) -> xr.DataArray:
    """Each unit's mean settled response to every stimulus class, (stimulus_class, unit_y, unit_x).

    The ``finger`` coordinate gives the finger of single-finger classes and 0
    for co-activation classes. Probes follow the sampler's manipulation (a
    deprived finger's receptors carry only noise).
    """
    side = model.side
    names = list(sampler.class_names)
    out = np.empty((len(names), side, side))
    for k in range(len(names)):
        out[k] = model.settle(sampler.probe(k, n, noise=True)).mean(axis=0).reshape(side, side)
    fingers = [int(name.split()[1]) if name.startswith("finger ") else 0 for name in names]
    return xr.DataArray(out, dims=("stimulus_class", "unit_y", "unit_x"),
                        coords={"stimulus_class": names, "finger": ("stimulus_class", fingers)},
                        name="class_responses")


def _stored_responses(responses: xr.DataArray, phase: str) -> xr.DataArray:
    # the phases may have different classes (syndactyly adds one), so each gets its own dim
    return responses.rename({"stimulus_class": f"class_{phase}", "finger": f"class_finger_{phase}"})


def responses_of(ds: xr.Dataset, phase: str) -> xr.DataArray:
    """The class responses of one phase, on (stimulus_class, unit_y, unit_x) with its ``finger`` coordinate."""
    return ds[f"class_responses_{phase}"].rename({f"class_{phase}": "stimulus_class",
                                                   f"class_finger_{phase}": "finger"})


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


def phase_measures(responses: xr.DataArray, periodic: bool) -> tuple[xr.DataArray, dict[str, Any]]:
    """Preferred finger map and territory / contiguity numbers of one phase."""
    from ..analysis.plasticity import contiguity, preferred_finger, territories

    preferred = preferred_finger(responses)
    terr = territories(preferred)
    cont = contiguity(preferred, periodic=periodic)
    measures = {
        "territory": {str(int(f)): float(v) for f, v in zip(terr["finger"].values, terr.values)},
        "unresponsive": float(terr.attrs["unresponsive"]),
        "patches": {str(int(f)): int(v) for f, v in zip(cont["finger"].values, cont["patches"].values)},
        "mean_patches": float(cont["mean_patches"]),
        "boundary_fraction": float(cont["boundary_fraction"]),
    }
    return preferred, measures


def deprivation_takeover(preferred: dict[str, xr.DataArray], hand, finger: int) -> dict[str, Any]:
    """Who took over the deprived finger's territory, and whether its co-activation partners won more.

    Without co-activation partners the comparison is made for no finger
    (``favours_coactivated`` is then meaningless and reported as None).
    """
    from ..analysis.plasticity import takeover_summary

    partners = sorted({f for pair in hand.pairs if finger in pair for f in pair} - {finger})
    if not partners:
        take = takeover_summary(preferred["before"], preferred["after"], finger, [finger % hand.n_fingers + 1])
        take.update(coactivated=[], coactivated_share=None, favours_coactivated=None)
        return take
    return takeover_summary(preferred["before"], preferred["after"], finger, partners)


def _takeover_entries(preferred: dict[str, xr.DataArray], hand, finger: int, log) -> dict[str, Any]:
    """Summary entries of a deprivation; empty-handed (not an error) when the finger had no territory."""
    try:
        take = deprivation_takeover(preferred, hand, finger)
    except ValueError as err:  # e.g. a map where the finger never won a unit: nothing to take over
        log(f"warning: no takeover measure: {err}")
        return {"deprived_takeover": None, "deprived": {"finger": finger, "retained": None, "error": str(err)}}
    return {"deprived_takeover": take["takeover"], "deprived": take}


def train_touch(model_config: ModelConfig | None = None, hand=None, train_config: TouchTrainConfig | None = None,
                out: str | Path = "runs/touch", resume: bool = False, progress: bool = True, figures: bool = True,
                log=print) -> xr.Dataset:
    """Train a map of the hand, apply the manipulation, train on, and measure both states.

    Parameters
    ----------
    model_config : ModelConfig, optional
        Default: the paper's touch settings (side 40, r_exc 5, r_inh 7,
        w_exc 20, w_inh 5, sigma2 4, eta 0.025, lam adapted).
    hand : HandConfig, optional
        Fingers, receptors, co-activation pairs, class probabilities, noise.
    train_config : TouchTrainConfig, optional
        Steps of both phases, batch, lr, the manipulation.

    Returns
    -------
    xarray.Dataset
        The saved run; ``attrs["summary"]`` is JSON with territories before
        and after, the deprived finger's takeover and contiguity.
    """
    from ..analysis.plasticity import reorganisation
    from ..stimuli.touch import HandConfig, HandSampler, Manipulation

    hand = hand or HandConfig()
    train_config = train_config or TouchTrainConfig()
    manipulation = Manipulation.parse(train_config.manipulation)
    model_config = (model_config or PAPER_TOUCH_MODEL).replace(n_inputs=hand.n_inputs)
    periodic = model_config.boundary == "periodic"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    samplers = {"before": HandSampler(hand, None, seed=train_config.seed, dtype=model_config.dtype),
                "after": HandSampler(hand, manipulation, seed=train_config.seed + 1, dtype=model_config.dtype)}
    steps = {"before": train_config.steps, "after": train_config.after_steps}

    saved = load_resume_state(out) if resume else None
    done: dict[str, Any] = {"vars": {}}
    if saved is not None and saved.attrs.get("phase", "finished") == "finished":
        raise ValueError(f"{out} holds a finished touch run (both phases); use another --out")
    if saved is not None:
        check_resumable(saved, "touch", [("model", model_config, frozenset({"lam"})),
                                         ("train", train_config, frozenset({"checkpoint_every"}))], None, out)
        if hand_from_attrs(saved.attrs) != hand:
            raise ValueError("cannot resume: the saved run was made with another hand configuration; "
                             "use the same options or another --out")
        model = model_from_sheet(saved, model_config, "input")
        log(f"resuming phase {saved.attrs.get('phase', 'after')!r} at step {saved.attrs['steps_done']} in {out}")
        done["vars"] = {k: saved[k] for k in saved.data_vars if k.endswith("_before") and k != "dictionary"}
    else:
        if resume:
            log(f"nothing to resume in {out}: starting a new run")
        model = ActivationModel.from_config(model_config)
    saved_phase = None if saved is None else saved.attrs["phase"]

    started = time.perf_counter()
    for phase in PHASES:
        if saved_phase == "after" and phase == "before":
            continue  # phase 1 and its measures come from the checkpoint

        def checkpoint(tr: Trainer, phase=phase) -> None:
            save_dataset(checkpoint_dataset(phase, tr, train_config, hand, done), out / CHECKPOINT_FILE)

        trainer = Trainer(model, samplers[phase], steps=steps[phase], batch=train_config.batch, lr=train_config.lr,
                          checkpoint=checkpoint, checkpoint_every=train_config.checkpoint_every, progress=progress)
        log(f"phase {phase!r}: {steps[phase]} steps" + ("" if phase == "before" else f" with {manipulation}"))
        run_trainer(trainer, saved if saved_phase == phase else None, suffix=f"_{phase}")
        responses = class_responses(model, samplers[phase], train_config.probe_samples)
        done["vars"].update({f"dictionary_{phase}": dictionary_on_sheet(model, "input"),
                             f"class_responses_{phase}": _stored_responses(responses, phase),
                             **_history_vars(trainer, phase)})
        done["lam_" + phase] = float(model.lam)
    train_seconds = time.perf_counter() - started

    ds = xr.Dataset(done["vars"])
    measures, preferred = {}, {}
    for phase in PHASES:
        preferred[phase], measures[phase] = phase_measures(responses_of(ds, phase), periodic)
        ds[f"preferred_finger_{phase}"] = preferred[phase]
    summary: dict[str, Any] = {
        "out": str(out), "kind": "touch", "manipulation": str(manipulation),
        "steps_before": train_config.steps, "steps_after": train_config.after_steps,
        "train_seconds": round(train_seconds, 2),
        "territory_before": measures["before"]["territory"], "territory_after": measures["after"]["territory"],
        "contiguity": {phase: {k: measures[phase][k] for k in ("patches", "mean_patches", "boundary_fraction")}
                       for phase in PHASES},
        "unresponsive": {phase: measures[phase]["unresponsive"] for phase in PHASES},
        "reorganisation": float(reorganisation(preferred["before"], preferred["after"])),
    }
    if manipulation.kind == "deprive":
        summary.update(_takeover_entries(preferred, hand, manipulation.fingers[0], log))
    ds.attrs.update(config_attrs("model", model.config))
    ds.attrs.update(config_attrs("train", train_config))
    ds.attrs.update(_hand_attrs(hand))
    ds.attrs.update(kind="touch", phase="finished", steps_done=train_config.steps + train_config.after_steps,
                    ei_maps_version=__version__)
    return finish_run(ds, summary, out, write_figures if figures else None)


def write_figures(ds: xr.Dataset, out: Path) -> list[Path]:
    """Preferred-finger maps of both phases, mean activation per class (jet), training curves."""
    from .. import plotting

    summary = json.loads(ds.attrs["summary"])
    n_fingers = int(json.loads(ds.attrs["hand_config"])["n_fingers"])
    maps = xr.concat([ds[f"preferred_finger_{p}"] for p in PHASES], dim="phase").assign_coords(phase=list(PHASES))
    written = [plotting.save_figure(
        plotting.plot_finger_maps(maps, n_fingers,
                                  title=f"preferred finger before and after {summary['manipulation']}"),
        out / "finger_maps.png")]
    for phase in PHASES:
        responses = responses_of(ds, phase).rename({"stimulus_class": "group"})
        written.append(plotting.save_figure(
            plotting.plot_group_activations(responses, title=f"mean activation per stimulus class ({phase})"),
            out / f"class_activations_{phase}.png"))
    return written


def sweep_inhibition(w_inh_values, w_exc_values=None, model_config: ModelConfig | None = None, hand=None,
                     train_config: TouchTrainConfig | None = None, out: str | Path = "runs/touch-sweep",
                     progress: bool = False, log=print) -> xr.Dataset:
    """How the amount of reorganisation depends on inhibition (and excitation).

    Trains one two-phase run per (w_exc, w_inh) into ``out/w_exc=E,w_inh=I``
    (finished runs are reused) and collects, on dims (w_exc, w_inh):
    ``reorganisation`` (fraction of units whose preferred finger changed),
    ``retained`` (share of a deprived finger's territory it keeps),
    ``boundary_fraction_before`` / ``_after`` and ``mean_patches_before``.
    Writes ``out/sweep.nc`` and ``out/sweep.png``.
    """
    from .. import plotting
    from ..io import load_dataset

    model_config = model_config or PAPER_TOUCH_MODEL
    w_exc_values = [model_config.w_exc] if w_exc_values is None else list(w_exc_values)
    w_inh_values = list(w_inh_values)
    out = Path(out)
    names = ("reorganisation", "retained", "boundary_fraction_before", "boundary_fraction_after",
             "mean_patches_before")
    data = {k: np.full((len(w_exc_values), len(w_inh_values)), np.nan) for k in names}
    for i, w_exc in enumerate(w_exc_values):
        for j, w_inh in enumerate(w_inh_values):
            run_dir = out / f"w_exc={w_exc:g},w_inh={w_inh:g}"
            if (run_dir / RUN_FILE).is_file():
                summary = json.loads(load_dataset(run_dir / RUN_FILE).attrs["summary"])
            else:
                log(f"sweep: w_exc {w_exc:g}, w_inh {w_inh:g}")
                cfg = model_config.replace(w_exc=float(w_exc), w_inh=float(w_inh))
                ds = train_touch(cfg, hand, train_config, out=run_dir, progress=progress, figures=False,
                                 log=lambda m: None)
                summary = json.loads(ds.attrs["summary"])
            data["reorganisation"][i, j] = summary["reorganisation"]
            data["retained"][i, j] = summary.get("deprived", {}).get("retained", np.nan)
            for phase in PHASES:
                data[f"boundary_fraction_{phase}"][i, j] = summary["contiguity"][phase]["boundary_fraction"]
            data["mean_patches_before"][i, j] = summary["contiguity"]["before"]["mean_patches"]
    sweep = xr.Dataset({k: (("w_exc", "w_inh"), v) for k, v in data.items()},
                       coords={"w_exc": np.asarray(w_exc_values, float), "w_inh": np.asarray(w_inh_values, float)})
    sweep.attrs["train_config"] = json.dumps(asdict(train_config or TouchTrainConfig()))
    save_dataset(sweep, out / "sweep.nc")
    plotting.save_figure(plotting.plot_sweep_lines(sweep, x="w_inh", variables=("reorganisation", "retained",
                                                                                "boundary_fraction_before"),
                                                   title="reorganisation after the manipulation vs inhibition"),
                         out / "sweep.png")
    return sweep


def analyze_touch(run: xr.Dataset) -> dict[str, Any]:
    """Territories, contiguity and takeover of a finished touch run, recomputed from its class responses."""
    from ..analysis.plasticity import reorganisation
    from ..stimuli.touch import Manipulation

    config = from_json(ModelConfig, run.attrs["model_config"])
    train = from_json(TouchTrainConfig, run.attrs["train_config"])
    hand = hand_from_attrs(run.attrs)
    manipulation = Manipulation.parse(train.manipulation)
    periodic = config.boundary == "periodic"
    preferred, measures = {}, {}
    for phase in PHASES:
        preferred[phase], measures[phase] = phase_measures(responses_of(run, phase), periodic)
    summary: dict[str, Any] = {
        "kind": "touch", "manipulation": str(manipulation),
        "territory_before": measures["before"]["territory"], "territory_after": measures["after"]["territory"],
        "contiguity": {phase: {k: measures[phase][k] for k in ("patches", "mean_patches", "boundary_fraction")}
                       for phase in PHASES},
        "reorganisation": float(reorganisation(preferred["before"], preferred["after"])),
    }
    if manipulation.kind == "deprive":
        summary.update(_takeover_entries(preferred, hand, manipulation.fingers[0], lambda m: None))
    return json_safe(summary)

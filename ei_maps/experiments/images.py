"""Natural-image topographic maps, end to end (the paper's Fig. 2).

``train_images`` loads and whitens photographs, trains the activation model on
random patches with checkpoints, probes the receptive fields, runs a short
"saccade" along an edge, measures the map and writes ``run.nc`` plus figures.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from ..analysis.activity import activity_centroid
from .. import seeds
from ..analysis.receptive_fields import as_fields, probe_receptive_fields
from ..config import TrainConfig
from ..errors import EiMapsError
from ..models import ActivationModel, LIFCodingConfig, ModelConfig
from ..models.learning import Trainer
from ..params import add_options, specs
from ..framework.clitools import given
from ._image_maps import FINAL_ACTIVATION, describe_wavelength, lateral_summary, map_measures
from ._image_maps import print_summary as print_patch_summary
from ._orientation_maps import pool_orientation_maps, print_analysis, print_pooled
from ..framework.registry import Experiment, Preset, Reproduction, SweepSpec, sweep_train_config
from ..framework.lifecycle import (activation_model_from_run, finish_run, history_tail, open_run, run_trainer, timing,
                                   trainer_for, trainer_state)

xr = DeferredModule("xarray")

#: The dictionary is checked for collapse every so many steps, until this step.
COLLAPSE_CHECK_EVERY, COLLAPSE_CHECK_UNTIL = 100, 3000
#: Random pairs of dictionary columns above this mean |cos|: the map has collapsed.
COLLAPSE_SIMILARITY = 0.9


#: Named parameter sets of the activation model on image patches (``--preset``, ``ei-maps sweep images --preset``).
#: See docs/pinwheels.md: "bandpass" is the strongest stable E/I bandpass of the regime search (its learned maps
#: still have no spectral ring); "torus128" is a large sheet at the paper's settings.
PRESETS = (
    Preset("bandpass", "64 x 64 torus, w_exc 20, w_inh 40, r_exc 2, r_inh 4, sigma2 2, leak 20: the E/I "
                       "interactions prefer a wavelength of 5.9 units (linear gain 6x the uniform mode's)",
           {"side": 64, "boundary": "periodic", "w_exc": 20.0, "w_inh": 40.0, "r_exc": 2, "r_inh": 4,
            "sigma2": 2.0, "leak": 20.0, "eta": 0.01, "max_iter": 200, "target_sparsity": 0.2},
           {"steps": 3000}),
    Preset("torus128", "128 x 128 torus at the paper's settings (code scale 0.098 keeps it from collapsing)",
           {"side": 128, "boundary": "periodic"}, {"steps": 3000}),
    Preset("paper", "the paper's Fig. 2 run, 40 x 40 sheet, 10,000 steps (ei-maps reproduce)",
           {"side": 40}, {"steps": 10_000}),
    Preset("quick", "a small, short run for a first look, 16 x 16 sheet, 300 steps (ei-maps reproduce --quick)",
           {"side": 16}, {"steps": 300}),
)


class MapCollapseError(EiMapsError, RuntimeError):
    """Training stopped: nearly every unit learned the same field."""


def random_pair_similarity(dictionary: np.ndarray, n_pairs: int = 500, seed: int = 0) -> float:
    """Mean |cos| of random pairs of dictionary columns (about 1/sqrt(n_inputs) when unordered, 1 when collapsed)."""
    rng = np.random.default_rng(seed)
    n = dictionary.shape[1]
    i, j = rng.integers(0, n, (2, n_pairs))
    keep = i != j
    a, b = dictionary[:, i[keep]], dictionary[:, j[keep]]
    cos = np.sum(a * b, axis=0) / np.maximum(np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0), 1e-12)
    return float(np.mean(np.abs(cos)))


class CollapseCheck:
    """Trainer monitor that stops a run whose dictionary stays collapsed for ``patience`` checks in a row.

    A map can pass through a collapsed state early and recover (measured on a
    64 x 64 sheet with code_scale 1); one that stays collapsed does not.
    """

    def __init__(self, patience: int = 3) -> None:
        self.patience = patience
        self.collapsed_checks = 0

    def __call__(self, trainer: Trainer) -> None:
        if trainer.step > COLLAPSE_CHECK_UNTIL:
            return
        similarity = random_pair_similarity(trainer.model.dictionary)
        self.collapsed_checks = self.collapsed_checks + 1 if similarity > COLLAPSE_SIMILARITY else 0
        if self.collapsed_checks >= self.patience:
            c = trainer.model.config
            raise MapCollapseError(
                f"the map collapsed by step {trainer.step}: random pairs of units have |cos| {similarity:.2f}, "
                f"nearly every unit learned the same field (side {c.side}, code_scale "
                f"{c.effective_code_scale:.3g}, lr {trainer.lr:g}); lower --lr or --code-scale, or check the "
                "whitening (--images, --no-whiten)")


def state_dataset(trainer: Trainer, train_config: TrainConfig) -> xr.Dataset:
    """Everything needed to continue or inspect a run: dictionary, history, configs, sampler state."""
    model = trainer.model
    p = train_config.patch_size
    ds = trainer_state(trainer, "images", as_fields(model.dictionary, model.side, (p, p), name="dictionary"),
                       {"model": model.config, "train": train_config},
                       long_names={"loss": "0.5 * mean squared reconstruction error per patch",
                                   "sparsity": "fraction of units with |a_exc| > 1e-5",
                                   "iterations": "settling updates", "lam": "soft threshold used at this step"},
                       dtypes={"iterations": np.int32})
    ds["dictionary"].attrs["description"] = "feed-forward weights, unit-norm over (patch_y, patch_x)"
    return ds


def saccade(model: ActivationModel, image: np.ndarray, patch_size: int, n_frames: int = 8,
            step: int = 2, direction: str = "along") -> xr.Dataset:
    """Settled activity while a patch moves along (or across) an edge in ``image``.

    Moving along an edge keeps the edge's position in the patch while its
    local shape changes slowly, so a localized bump of activity drifts across
    the sheet; moving across it steps through the edge's phase, which jumps
    between units of different phase preference.

    Each frame is settled on its own (the stopping rule couples a batch).

    Returns
    -------
    Dataset with ``activity`` (frame, unit_y, unit_x), ``patch`` (frame,
    patch_y, patch_x), ``position`` (frame, coord) of the patch's top-left
    pixel and the bump ``centroid`` (frame, coord).
    """
    from ..stimuli import extract_patch, find_edge_path

    positions = find_edge_path(image, patch_size, n_frames=n_frames, step=step, direction=direction)
    patches = np.stack([extract_patch(image, y, x, patch_size) for y, x in positions])
    activity = np.stack([model.settle(p[None])[0] for p in patches])
    side = model.side
    act = xr.DataArray(activity.reshape(-1, side, side), dims=("frame", "unit_y", "unit_x"))
    ds = xr.Dataset({
        "activity": act,
        "patch": (("frame", "patch_y", "patch_x"), patches.reshape(-1, patch_size, patch_size)),
        "position": (("frame", "coord"), np.asarray(positions, float)),
        "centroid": activity_centroid(act, model.config.boundary).transpose("frame", "coord")})
    ds = ds.assign_coords(coord=["y", "x"], frame=np.arange(len(positions)))
    return ds


def train_images(model_config: ModelConfig | None = None, train_config: TrainConfig | None = None,
                 out: str | Path = "runs/images", resume: bool = False, progress: bool = True,
                 figures: bool = True, log=emit) -> xr.Dataset:
    """Train a topographic map on natural-image patches and save everything.

    Parameters
    ----------
    model_config, train_config
        Defaults are the paper's settings (side 40, 16 x 16 patches, batch
        128, 10,000 steps); ``n_inputs`` is set from the patch size.
    out : path
        Run directory: ``run.nc``, ``checkpoint.nc`` during training, figures.
    resume : bool
        Continue from the checkpoint (or finished run) in ``out``; the
        parameters must match, ``steps`` may be larger.
    progress : bool
        Show a progress bar.
    figures : bool
        Write PNG figures.
    log : callable
        Where human-readable messages go (default: the ``ei_maps`` logger at INFO; ``print`` shows them directly).

    Returns
    -------
    xarray.Dataset
        The saved run (also at ``out/run.nc``); ``attrs["summary"]`` is JSON
        with the map measures.
    """
    from ..stimuli import PatchSampler, images_fingerprint, load_images

    train_config = train_config or TrainConfig()
    p = train_config.patch_size
    model_config = (model_config or ModelConfig()).replace(n_inputs=p * p)
    # lam may have adapted and steps may be extended; everything else must match
    out, saved = open_run(out, "images", resume, [("model", model_config, frozenset({"lam"})),
                                                  ("train", train_config, frozenset({"steps", "checkpoint_every"}))],
                          train_config.steps, log,
                          inputs=images_fingerprint(train_config.images),
                          memory=(model_config.memory_bytes(train_config.batch),
                                  f"a {model_config.side} x {model_config.side} sheet with batches of "
                                  f"{train_config.batch} {p} x {p} patches"))
    images = load_images(train_config.images, whiten_images=train_config.whiten, f0=train_config.f0,
                         min_size=p)
    sampler = PatchSampler(images, patch_size=p, seed=seeds.stream(train_config.seed, "samples"),
                           dtype=model_config.dtype)

    model = activation_model_from_run(saved) if saved is not None else ActivationModel.from_config(model_config)
    lateral_vars, lateral_entries = lateral_summary(model_config)
    log(describe_wavelength(lateral_entries))
    if not lateral_entries["linear_stable"]:
        log(f"warning: the linearized E/I dynamics are unstable (leak {model_config.effective_leak:g} does not "
            "exceed the lateral gain at every wavelength): activity grows until the threshold caps it, and "
            "the losses and map may be meaningless; raise --leak or --w-inh, or lower --w-exc")
    trainer = trainer_for(model, sampler, train_config, out, lambda tr: state_dataset(tr, train_config), progress,
                          monitor=CollapseCheck(), monitor_every=COLLAPSE_CHECK_EVERY)
    train_seconds, first_step = run_trainer(trainer, saved)

    ds = state_dataset(trainer, train_config).merge(lateral_vars)
    fields = probe_receptive_fields(model, lam=train_config.probe_lam, patch_shape=(p, p))
    ds["receptive_fields"] = fields
    summary: dict[str, Any] = {**timing(out, trainer, train_seconds, first_step), **map_measures(fields),
                               **lateral_entries}
    if trainer.step:
        summary.update(history_tail(trainer, FINAL_ACTIVATION), lam=float(model.lam))
    # all units sharing one field is the known failure mode (e.g. under-whitened images)
    summary["collapsed"] = bool(summary["random_similarity"] > 0.9)
    if summary["collapsed"]:
        log("warning: the map collapsed: random pairs of units have |cos| "
            f"{summary['random_similarity']:.2f}, nearly every unit learned the same field")
    # the largest image leaves the most room for the moving patch
    try:
        sac = saccade(model, max(images, key=lambda im: im.size), p)
    except ValueError as err:
        log(f"warning: no saccade figure: {err}")
    else:
        for name, var in sac.data_vars.items():
            ds[f"saccade_{name}"] = var
        steps = np.linalg.norm(np.diff(sac["centroid"].values, axis=0), axis=1)
        # frames with no active unit have no centroid: no path to report, rather than a path of 0
        summary["saccade_centroid_path"] = float(np.nansum(steps)) if np.isfinite(steps).any() else None
        summary["saccade_silent_frames"] = int(np.sum(~np.isfinite(sac["centroid"].values).all(axis=1)))
    return finish_run(ds, summary, out, write_figures if figures else None)


def write_figures(ds: xr.Dataset, out: Path) -> list[Path]:
    """The run's figures: receptive-field grid, training curves, saccade."""
    from .. import plotting

    side = ds.sizes["unit_y"]
    written = [plotting.save_figure(
        plotting.plot_receptive_fields(ds["receptive_fields"],
                                       title=f"receptive fields, {side} x {side} sheet, "
                                             f"{ds.attrs['steps_done']} steps"),
        out / "receptive_fields.png")]
    if ds.sizes.get("step", 0):
        written.append(plotting.save_figure(plotting.plot_training(ds[list(ActivationModel.RECORD)]),
                                            out / "training.png"))
    if "saccade_activity" in ds:
        written.append(plotting.save_figure(
            plotting.plot_saccade(ds["saccade_activity"], ds["saccade_patch"], ds["saccade_centroid"]),
            out / "saccade.png"))
    return written


# ---------------------------------------------------------------------------- the experiment
def _add_model_options(p: argparse.ArgumentParser, defaults: ModelConfig, lif) -> None:
    g = p.add_argument_group("model (paper defaults; where two are given: activation model / --model lif)")
    add_options(g, ModelConfig, _SHARED_MODEL, defaults=(defaults, lif))
    g.add_argument("--model-seed", type=int, default=None,
                   help="seed of the dictionary initialization (default: --seed)")
    a = p.add_argument_group("activation model only (plain and retinotopic)")
    add_options(a, ModelConfig, _ACTIVATION_MODEL, defaults=(defaults,))
    presets = sorted((*PRESETS, *_retinotopic_presets()), key=lambda p: p.name)
    a.add_argument("--preset", choices=[p.name for p in presets], default=None,
                   help="a named parameter set (options given explicitly win): " + "; ".join(
                       f"{p.name}: {p.help}" for p in presets).replace("%", "%%"))
    r = p.add_argument_group("retinotopic sheet only (--model retinotopic; docs/pinwheels.md)")
    rdefault, rtrain = _retinotopic_defaults()
    add_options(r, type(rdefault), _RETINOTOPIC_MODEL, defaults=(rdefault,))
    r.add_argument("--no-zero-mean", action="store_true", help="let fields keep a mean (default: removed every step)")
    add_options(r, type(rtrain), _RETINOTOPIC_TRAIN, defaults=(rtrain,))
    r.add_argument("--no-roll", action="store_true",
                   help="keep the periodic region's seam on the sheet's edges (default: rolled to a random place)")
    s = p.add_argument_group("spiking sheet only (--model lif)")
    add_options(s, LIFCodingConfig, _LIF_MODEL, defaults=(lif,))
    s.add_argument("--engine", choices=("numba", "brian2", "numpy"), default=None,
                   help="simulator: a jitted loop (default), Brian2 (the same spikes, 2.6x slower; needs the lif "
                        "extra) or plain NumPy (slow)")
    s.add_argument("--probe-repeats", type=int, default=None,
                   help="presentations of every +/- delta probe when mapping receptive fields (default 32)")


#: Model options both image models read (their help shows both defaults), from the declared parameters.
_SHARED_MODEL = ("side", "r_exc", "r_inh", "w_exc", "w_inh", "sigma2", "boundary")
#: Every other declared parameter of the activation model with an option (a new parameter appears by itself).
_ACTIVATION_MODEL = tuple(n for n, s in specs(ModelConfig).items() if s.flag and n not in _SHARED_MODEL)
_ACTIVATION_ONLY = _ACTIVATION_MODEL + ("preset",)
#: Every declared parameter of the spiking sheet with an option that the activation model does not share.
_LIF_MODEL = tuple(n for n, s in specs(LIFCodingConfig).items()
                   if s.flag and n not in _SHARED_MODEL and n not in ("n_inputs", "seed"))
_LIF_ONLY = _LIF_MODEL + ("probe_repeats",)
_RETINOTOPIC_MODEL = ("window", "window_jitter", "window_shape", "units_per_pixel", "homeostasis_rate")
_RETINOTOPIC_TRAIN = ("filter", "dog_center", "dog_surround", "rotations", "map_every")
#: Options of the image-patch models that the retinotopic sheet does not read (it sees whole regions).
_PATCH_ONLY = ("patch_size", "no_whiten")


def _retinotopic_presets() -> tuple[Preset, ...]:
    from .retinotopic import PRESETS as RETINOTOPIC_PRESETS

    return RETINOTOPIC_PRESETS


def _retinotopic_defaults():
    from ..config import RetinotopicTrainConfig
    from ..models.retinotopic import RetinotopicConfig

    return RetinotopicConfig(), RetinotopicTrainConfig()


def cli_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ei-maps train images`` (both models: ``--model activation`` or ``lif``)."""
    t = TrainConfig()
    from .images_lif import LIF_TRAIN

    p.add_argument("--model", choices=("activation", "lif", "retinotopic"), default="activation",
                   help="the E/I activation model, the spiking LIF sheet (Brian2; paper appendix), or the activation "
                        "model on a retinotopic sheet (each unit sees its own window of a whole image region)")
    training = p.add_argument_group("training (where two defaults are given: activation model / --model lif)")
    add_options(training, TrainConfig, ("steps", "batch", "lr", "checkpoint_every"), defaults=(t, LIF_TRAIN))
    p.add_argument("--seed", type=int, default=t.seed, help="seed of patches and dictionary")
    p.add_argument("--patch-size", type=int, default=None, help=f"patch side in pixels (default {t.patch_size})")
    p.add_argument("--images", default=None,
                   help="IMAGES.mat (Olshausen) or a folder of PNG/JPEG/TIFF photographs "
                        "(default: photographs bundled with scikit-image)")
    p.add_argument("--no-whiten", action="store_true",
                   help="do not whiten the photographs (IMAGES.mat is already whitened)")
    p.add_argument("--f0", type=float, default=None,
                   help=f"cutoff of the whitening filter, cycles per pixel (default {t.f0:g}; Nyquist 0.5)")
    p.add_argument("--out", default=None,
                   help="run directory (default runs/images, runs/images-lif or runs/retinotopic)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    _add_model_options(p, ModelConfig(), LIFCodingConfig())


def run_from_args(args: argparse.Namespace, log) -> dict[str, Any]:
    """``ei-maps train images``: the activation model, or with ``--model lif`` the spiking sheet, or with
    ``--model retinotopic`` (or a retinotopic ``--preset``) the retinotopic sheet."""
    _choose_model(args)
    lif, retinotopic = args.model == "lif", args.model == "retinotopic"
    options = {"lif": _LIF_ONLY, "retinotopic": _RETINOTOPIC_MODEL + _RETINOTOPIC_TRAIN}
    wrong = [k for model, names in options.items() if model != args.model for k in names
             if getattr(args, k, None) is not None]
    wrong += [k for k in ("no_zero_mean", "no_roll") if not retinotopic and getattr(args, k, False)]
    wrong += [k for k in _ACTIVATION_ONLY if lif and getattr(args, k) is not None]
    wrong += [k for k in _PATCH_ONLY if retinotopic and getattr(args, k, None) not in (None, False)]
    if not lif and args.engine is not None:
        wrong.append("engine")
    if wrong:
        flags = ", ".join("--" + k.replace("_", "-") for k in wrong)
        raise ValueError(f"{flags} do(es) not apply to --model {args.model}")
    seed = args.seed if args.model_seed is None else args.model_seed
    shared = given(args, _SHARED_MODEL)
    if retinotopic:
        return _run_retinotopic(args, seed, shared, log)
    from .images_lif import LIF_TRAIN

    patch_size = TrainConfig().patch_size if args.patch_size is None else args.patch_size
    base_train = LIF_TRAIN if lif else TrainConfig()
    train = base_train.replace(seed=args.seed, patch_size=patch_size, images=args.images,
                               whiten=not args.no_whiten,
                               **given(args, ("steps", "batch", "lr", "checkpoint_every", "f0")))
    out = args.out or ("runs/images-lif" if lif else "runs/images")
    if lif:
        from .images_lif import PROBE_REPEATS, train_images_lif

        config = LIFCodingConfig(seed=seed, n_inputs=patch_size**2, **shared,
                                 **given(args, _LIF_MODEL))
        ds = train_images_lif(config, train, engine=args.engine or "numba", out=out, resume=args.resume,
                              progress=not args.no_progress, figures=not args.no_figures,
                              probe_repeats=PROBE_REPEATS if args.probe_repeats is None else args.probe_repeats,
                              log=log)
    else:
        preset = next((p for p in PRESETS if p.name == args.preset), Preset("", ""))
        preset_model, preset_train = preset.model, preset.train
        model = ModelConfig(**{**preset_model, "seed": seed, "n_inputs": patch_size**2, **shared,
                               **given(args, _ACTIVATION_MODEL)})
        train = train.replace(**{k: v for k, v in preset_train.items()
                                 if getattr(args, k, None) is None})
        ds = train_images(model, train, out=out, resume=args.resume, progress=not args.no_progress,
                          figures=not args.no_figures, log=log)
    return json.loads(ds.attrs["summary"])


def _choose_model(args: argparse.Namespace) -> None:
    """A retinotopic ``--preset`` picks ``--model retinotopic`` (refused beside another model given explicitly)."""
    retinotopic = [p.name for p in _retinotopic_presets()]
    if args.preset not in retinotopic:
        if args.preset is not None and args.model == "retinotopic":
            raise ValueError(f"--preset {args.preset} is a preset of --model activation; the retinotopic presets: "
                             f"{', '.join(sorted(retinotopic))}")
        return
    explicit = "model" in getattr(args, "_given", ()) and args.model != "retinotopic"
    if explicit or args.model == "lif":
        raise ValueError(f"--preset {args.preset} is a preset of --model retinotopic, not --model {args.model}")
    args.model = "retinotopic"


def _run_retinotopic(args: argparse.Namespace, seed: int, shared: dict[str, Any], log) -> dict[str, Any]:
    from ..config import RetinotopicTrainConfig
    from ..models.retinotopic import RetinotopicConfig
    from .retinotopic import PRESETS as RETINOTOPIC_PRESETS, train_retinotopic

    preset = next((p for p in RETINOTOPIC_PRESETS if p.name == args.preset), Preset("", ""))
    preset_model, preset_train = preset.model, preset.train
    train = RetinotopicTrainConfig(**{**preset_train, "seed": args.seed, "images": args.images,
                                      "roll": not args.no_roll,
                                      **given(args, ("steps", "batch", "lr", "checkpoint_every", "f0")
                                              + _RETINOTOPIC_TRAIN)})
    model = RetinotopicConfig(**{**preset_model, "seed": seed, "channels": train.channels, "zero_mean": not args.no_zero_mean,
                                 **shared, **given(args, _RETINOTOPIC_MODEL + _ACTIVATION_MODEL)})
    ds = train_retinotopic(model, train, out=args.out or "runs/retinotopic", resume=args.resume,
                           progress=not args.no_progress, figures=not args.no_figures, log=log)
    return json.loads(ds.attrs["summary"])


def _sweep_run(model_config: ModelConfig, train_config: TrainConfig, seed: int, steps: int | None, out: Path,
               extra: dict[str, Any]) -> dict[str, Any]:
    from ._orientation_maps import analyze_image_run

    train = sweep_train_config(train_config, seed, steps)
    ds = train_images(model_config.replace(seed=seed), train, out=out, progress=False, figures=False,
                      log=lambda m: None)
    s = json.loads(ds.attrs["summary"])
    a = analyze_image_run(out, ds, {"permutations": 19, "figures": False, "method": "fields"})
    return {"adjacent_similarity": s["adjacent_similarity"], "random_similarity": s["random_similarity"],
            "oriented_fraction": s["oriented_fraction"], "pinwheel_count": a["pinwheels"]["count"],
            "pinwheel_density_mean_wavenumber": a["pinwheels"]["density_mean_wavenumber"],
            "neighbor_orientation_diff_deg": a["topography"]["neighbor_orientation_diff_deg"],
            "distance_spearman": a["topography"]["distance_spearman"],
            "final_loss": s.get("final_loss"), "final_sparsity": s.get("final_sparsity"),
            "predicted_wavelength": s.get("predicted_wavelength"), "column_spacing": a["column_spacing"],
            "column_spacing_prominence": a["column_spacing_prominence"],
            "wavelet_spacing": a["column_spacing_wavelet"]["mean"],
            "pinwheel_density": a["pinwheels"]["density"],
            "pinwheel_density_plateau": a["pinwheels"]["density_plateau"],
            "selectivity_median": a["orientation"]["selectivity_median"],
            "map_quality": a["pinwheels"]["quality"]}


#: What ``ei-maps sweep images`` reports per configuration.
SWEEP_MEASURES = ("adjacent_similarity", "random_similarity", "oriented_fraction", "pinwheel_count",
                  "pinwheel_density_mean_wavenumber", "neighbor_orientation_diff_deg", "distance_spearman",
                  "final_loss", "final_sparsity", "predicted_wavelength", "column_spacing",
                  "column_spacing_prominence", "wavelet_spacing", "pinwheel_density", "pinwheel_density_plateau",
                  "selectivity_median", "map_quality")


def _print_summary(summary: dict) -> None:
    """The summary of whichever model ``train images`` ran."""
    if summary.get("model") == "retinotopic":
        from .retinotopic import print_summary as print_retinotopic

        print_retinotopic(summary)
    else:
        print_patch_summary(summary)


def _analyze(run_dir: Path, run: xr.Dataset, options: dict[str, Any]) -> dict[str, Any]:
    from ._orientation_maps import analyze_image_run

    return analyze_image_run(run_dir, run, options)


def _analysis_options():
    from ._orientation_maps import ANALYZE_OPTIONS

    return ANALYZE_OPTIONS


def _resume_options(saved: xr.Dataset) -> dict[str, Any]:
    """Options of ``train images`` a saved run holds under other names than its configs' fields."""
    model, train = (json.loads(saved.attrs[f"{k}_config"]) for k in ("model", "train"))
    kind = saved.attrs.get("kind")
    options = {"model": {"images_lif": "lif", "retinotopic": "retinotopic"}.get(kind, "activation"),
               "model_seed": None if model["seed"] == train["seed"] else model["seed"]}
    if kind == "retinotopic":
        options.update(no_zero_mean=not model["zero_mean"], no_roll=not train["roll"])
    else:
        options["no_whiten"] = not train["whiten"]
    return options


def compare_fig2(run: xr.Dataset, published: np.ndarray, probe_lam: float = 0.025) -> dict[str, dict[str, float]]:
    """The shared map measures of an image run of ours and of the published Fig. 2 dictionary.

    Both dictionaries, and the receptive fields probed from each through the
    same dynamics (the run's model, with the published dictionary in its
    place on a sheet of the published size), are measured with
    :func:`~ei_maps.experiments._image_maps.map_measures`: mean |cos| of
    adjacent units against random pairs, the fraction of oriented fields and
    their median spatial spread (1 = unlocalized).

    Parameters
    ----------
    run : xarray.Dataset
        A finished activation-model image run (``run.nc``).
    published : ndarray, shape (n_inputs, n_units)
        The published dictionary (``FIG2_FILE`` of :mod:`ei_maps.experiments._published`).
    probe_lam : float
        Soft threshold of the receptive-field probes (the paper's 0.025) [activation units].

    Returns
    -------
    dict
        ``ours_dictionary``, ``published_dictionary``, ``ours_receptive_fields``,
        ``published_receptive_fields``: each the measures by name;
        ``ours_dictionary`` also has ``steps``.
    """
    from ..analysis import as_fields, probe_receptive_fields
    from ._image_maps import map_measures
    from ._published import side_of
    
    side = side_of(published)
    patch = int(round(np.sqrt(published.shape[0])))
    theirs = activation_model_from_run(run, dictionary=published, side=side)
    rows = {
        "ours_dictionary": map_measures(run["dictionary"]),
        "published_dictionary": map_measures(as_fields(published, side, (patch, patch))),
        "ours_receptive_fields": map_measures(run["receptive_fields"]),
        "published_receptive_fields": map_measures(probe_receptive_fields(theirs, lam=probe_lam,
                                                                          patch_shape=(patch, patch))),
    }
    rows["ours_dictionary"]["steps"] = int(run.attrs["steps_done"])
    return rows

# ---------------------------------------------------------------------------- ei-maps reproduce
def _reproduce_settings(quick: bool) -> dict[str, Any]:
    """The images part's own settings of ``ei-maps reproduce`` (its sheet and steps: the presets paper, quick)."""
    return {"permutations": 19} if quick else {"permutations": 199}


def _reproduce(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    """``ei-maps reproduce``'s images part: run it at the settings ``s`` into ``folder``, measure, compare."""
    from ..framework.reproduce import row, pngs, published_dictionary
    from .. import plotting
    from ..analysis import as_fields
    from ..config import TrainConfig
    from ..models import ModelConfig
    from ._orientation_maps import analyze_image_run
    from ._published import FIG2_FILE, FIG2_SHAPE

    ds = train_images(ModelConfig(side=s["side"]), TrainConfig(steps=s["steps"]), out=folder, resume=resume,
                      progress=progress, figures=True, log=log)
    trained = json.loads(ds.attrs["summary"])
    log("measuring the orientation map (gratings through the settled dynamics)")
    a = analyze_image_run(folder, ds, {"permutations": s["permutations"], "figures": True, "method": "gratings"})
    notes: list[str] = []
    rows = [row("receptive fields: adjacent |cos|", trained["adjacent_similarity"]),
            row("receptive fields: random pairs |cos|", trained["random_similarity"]),
            row("receptive fields: oriented fraction", trained["oriented_fraction"]),
            row("receptive fields: spatial spread (median; 1 = unlocalized)", trained["spatial_spread_median"])]
    figures = pngs(trained.get("figures", []))
    published = published_dictionary(FIG2_FILE, reference, notes, shape=FIG2_SHAPE)
    if published is not None:
        log("comparing with the published Fig. 2 dictionary")
        c = compare_fig2(ds, published, probe_lam=TrainConfig().probe_lam)
        labels = {"adjacent_similarity": "adjacent |cos|", "random_similarity": "random pairs |cos|",
                  "oriented_fraction": "oriented fraction", "spatial_spread_median": "spatial spread (median)"}
        rows = []
        for what in ("dictionary", "receptive_fields"):
            for key, label in labels.items():
                rows.append(row(f"{what.replace('_', ' ')}: {label}", c[f"ours_{what}"][key],
                                 c[f"published_{what}"][key], "published Fig. 2 dictionary, measured here"))
        side = int(round(np.sqrt(published.shape[1])))
        figures.append(str(plotting.save_figure(plotting.plot_receptive_fields(
            as_fields(published, side), title=f"published Fig. 2 dictionary ({side} x {side})"),
            folder / "published_dictionary.png")))
    o, pw, t = a["orientation"], a["pinwheels"], a["topography"]
    rows += [row("orientation map: pinwheels", pw["count"], "9-10",
                  "authors' Fig. 2 dictionary, measured in README"),
             row("orientation map: pinwheel density per Lambda^2", pw["density"], math.pi,
                  "cortex (tree shrew, galago, ferret)"),
             row("orientation map: adjacent orientation difference [deg]", t["neighbor_orientation_diff_deg"],
                  "6.5-7.4", "authors' Fig. 2 dictionary, measured in README"),
             row("orientation map: Spearman similarity vs distance", t["distance_spearman"], 0.161,
                  "authors' Fig. 2 dictionary, measured in README"),
             row("orientation map: selectivity (median)", o["selectivity_median"])]
    return {"rows": rows, "figures": pngs(figures + list(a.get("figures", []))), "notes": notes}


REPRODUCTION = Reproduction(
    part="images", order=0, title="Natural images: receptive fields (Fig. 2) and the orientation map with pinwheels",
    settings=_reproduce_settings, run=_reproduce)


EXPERIMENT = Experiment(
    name="images", kinds=("images",), help="natural-image patches -> orientation map (paper Fig. 2)",
    presets=PRESETS, command_kinds=("images_lif", "retinotopic"),
    reproduction=REPRODUCTION,
    command=("train", "images"), arguments=cli_arguments, run_from_args=run_from_args,
    print_summary=_print_summary, analyze=_analyze, analyze_options=_analysis_options(),
    print_analysis=print_analysis, pool=pool_orientation_maps, print_pool=print_pooled,
    load_model=activation_model_from_run, reads_unmarked_runs=True,
    output_dir=lambda args: args.out or {"lif": "runs/images-lif", "retinotopic": "runs/retinotopic"}.get(
        "retinotopic" if args.preset in [p.name for p in _retinotopic_presets()] else args.model, "runs/images"),
    resume_options=_resume_options,
    sweep=SweepSpec(defaults=lambda: (ModelConfig(), TrainConfig()), measures=SWEEP_MEASURES, run=_sweep_run))

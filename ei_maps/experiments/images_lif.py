"""Spiking sparse coding on natural images (the paper's appendix): ``ei-maps train images --model lif``.

Same flow and files as :mod:`ei_maps.experiments.images`: photographs, seeded
patches, checkpoints, ``run.nc`` and figures, with the spiking sheet of
:class:`ei_maps.models.LIFCodingModel` in place of the activation model.
Receptive fields are probed with +delta and -delta inputs (spike counts
cannot be negative); inhibitory sites have no field and are masked out of
every map measure.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from ..analysis.receptive_fields import as_fields, fields_to_columns, probe_spiking_fields
from .. import seeds
from ..config import TrainConfig, from_json
from ..models import LIFCodingConfig
from ..models.learning import Trainer
from ..models import LIFCodingModel
from ._image_maps import map_measures, print_summary
from ._orientation_maps import ANALYZE_OPTIONS, pool_orientation_maps, print_analysis, print_pooled
from ..framework.registry import Experiment, Preset, Reproduction, SweepSpec, sweep_train_config
from ..framework.lifecycle import finish_run, history_tail, open_run, run_trainer, timing, trainer_for, trainer_state

xr = DeferredModule("xarray")

#: Training defaults for the spiking sheet: the paper's batch and update (lr 0.1 on the batch mean);
#: 20,000 steps reach localized, ordered fields (see docs/spiking-coding.md).
LIF_TRAIN = TrainConfig(steps=20_000, batch=256, lr=0.1, checkpoint_every=1000)
#: Presentations of every probe when mapping receptive fields.
PROBE_REPEATS = 32
#: Steps between points of the learning curves, and held-out patches they are measured on.
EVAL_EVERY = 500
EVAL_PATCHES = 1024
#: Seed of the held-out patches (the training patches use the run's seed).
EVAL_SEED = 2**31 - 1
#: What the learning curves hold, with their units.
CURVES = {"explained_variance": "1 - |x - Phi a|^2 / |x|^2 on held-out patches, a = raw spike counts",
          "spatial_spread": "median spatial spread of the dictionary's excitatory columns (1 = unlocalized)",
          "adjacent_similarity": "dictionary |cos| of adjacent excitatory units",
          "random_similarity": "dictionary |cos| of random pairs of excitatory units",
          "orientation_strength": "median orientation strength of the dictionary's excitatory columns",
          "spikes_per_patch": "mean excitatory spikes per held-out patch"}


def explained_variance(model: LIFCodingModel, patches: np.ndarray, batch: int = 256) -> tuple[float, float]:
    """Fraction of the variance of ``patches`` the raw spike code explains, and spikes per patch.

    ``1 - sum |x - Phi a|^2 / sum |x|^2`` with ``a`` the excitatory spike
    counts of one window per patch (no gain fitted). The model's random state
    is restored afterwards, so measuring does not change training.
    """
    state = model.get_state()
    try:
        counts = np.concatenate([model.settle(patches[i:i + batch]) for i in range(0, len(patches), batch)])
    finally:
        model.set_state(state)
    a = counts.astype(float)
    residual = patches - a @ model.dictionary.T
    return float(1.0 - np.sum(residual**2) / np.sum(patches**2)), float(a.sum(axis=1).mean())


class LearningCurves:
    """Measures of the code and the dictionary every few steps, on held-out patches.

    Called by the :class:`~ei_maps.models.learning.Trainer` as its monitor;
    ``values`` maps each name of :data:`CURVES` to its list, ``steps`` the
    steps they were measured at.
    """

    def __init__(self, patches: np.ndarray, patch_size: int) -> None:
        self.patches = patches
        self.patch_size = patch_size
        self.steps: list[int] = []
        self.values: dict[str, list[float]] = {k: [] for k in CURVES}

    def restore(self, saved: xr.Dataset | None, upto: int) -> None:
        """Take the points of a saved run up to step ``upto``."""
        if saved is None or "eval_step" not in saved.dims:
            return
        keep = saved["eval_step"].values <= upto
        self.steps = [int(v) for v in saved["eval_step"].values[keep]]
        self.values = {k: [float(v) for v in saved[k].values[keep]] for k in CURVES}

    def __call__(self, trainer: Trainer) -> None:
        if self.steps and self.steps[-1] == trainer.step:
            return
        model: LIFCodingModel = trainer.model
        ev, spikes = explained_variance(model, self.patches)
        p = self.patch_size
        measures = map_measures(as_fields(model.dictionary, model.side, (p, p)), mask=excitatory_mask(model))
        self.steps.append(int(trainer.step))
        for name, value in (("explained_variance", ev), ("spikes_per_patch", spikes),
                            ("spatial_spread", measures["spatial_spread_median"]),
                            ("adjacent_similarity", measures["adjacent_similarity"]),
                            ("random_similarity", measures["random_similarity"]),
                            ("orientation_strength", measures["orientation_strength_median"])):
            self.values[name].append(value)

    def dataset(self) -> xr.Dataset:
        ds = xr.Dataset({k: ("eval_step", np.asarray(v, float)) for k, v in self.values.items()},
                        coords={"eval_step": np.asarray(self.steps, np.int64)})
        for k, text in CURVES.items():
            ds[k].attrs["long_name"] = text
        return ds


def excitatory_mask(model: LIFCodingModel) -> xr.DataArray:
    """True at excitatory sites, on (unit_y, unit_x)."""
    return xr.DataArray(model.is_exc.reshape(model.side, model.side), dims=("unit_y", "unit_x"),
                        name="excitatory")


def state_dataset(trainer: Trainer, train_config: TrainConfig, engine: str,
                  curves: LearningCurves | None = None) -> xr.Dataset:
    """Dictionary, history, learning curves, configs, model and sampler state of a spiking run."""
    model: LIFCodingModel = trainer.model
    p = train_config.patch_size
    units = {"loss": "0.5 * mean squared reconstruction error per patch (standardized patch units)",
             "rate": "spikes per neuron per window, all neurons",
             "active": "fraction of excitatory neurons that spiked",
             "threshold": "firing threshold used at this step (mV)", "updated": "1 if the dictionary was updated"}
    ds = trainer_state(trainer, "images_lif", as_fields(model.dictionary.copy(), model.side, (p, p), name="dictionary"),
                       {"model": model.config, "train": train_config}, long_names=units,
                       model_state=json.dumps(model.get_state()), engine=engine)
    ds["excitatory"] = excitatory_mask(model)
    if curves is not None:
        ds = ds.merge(curves.dataset())
    ds["dictionary"].attrs["description"] = "feed-forward weights; unit norm at excitatory sites, 0 at inhibitory"
    return ds


def model_from_run(ds: xr.Dataset, engine: str | None = None) -> LIFCodingModel:
    """Rebuild the spiking model (dictionary, threshold, random state) saved in a run or checkpoint."""
    config = from_json(LIFCodingConfig, ds.attrs["model_config"])
    model = LIFCodingModel(config, engine=engine or ds.attrs.get("engine", "numba"),
                           dictionary=fields_to_columns(ds["dictionary"]))
    model.set_state(json.loads(ds.attrs["model_state"]))
    return model


def train_images_lif(config: LIFCodingConfig | None = None, train_config: TrainConfig | None = None,
                     engine: str = "numba", out: str | Path = "runs/images-lif", resume: bool = False,
                     progress: bool = True, figures: bool = True, probe_repeats: int = PROBE_REPEATS,
                     log=emit) -> xr.Dataset:
    """Train the spiking sheet on natural-image patches and save everything.

    Parameters
    ----------
    config : LIFCodingConfig, optional
        Sheet parameters (default: side 30, appendix settings); ``n_inputs``
        is set from the patch size.
    train_config : TrainConfig, optional
        Default :data:`LIF_TRAIN` (batch 256).
    engine : {"numba", "brian2", "numpy"}
        Simulator of the stimulus windows (see :class:`LIFCodingModel`).
    out : path
        Run directory (``run.nc``, ``checkpoint.nc`` while training, figures).
    resume : bool
        Continue from the checkpoint or finished run in ``out``.
    progress : bool
        Show a progress bar of the training steps.
    figures : bool
        Also write the receptive-field, dictionary and training-curve figures.
    probe_repeats : int
        Presentations of every +/- delta probe for the receptive fields [count].
    log : callable
        ``log(text)`` receives progress messages and warnings (default: the ``ei_maps`` logger at INFO; ``print`` to see them without configuring logging).

    Returns
    -------
    xarray.Dataset
        The saved run; ``attrs["summary"]`` is JSON with the map measures.
    """
    from ..stimuli import PatchSampler, images_fingerprint, load_images

    if isinstance(probe_repeats, bool) or not isinstance(probe_repeats, int) or probe_repeats < 1:
        raise ValueError(f"probe_repeats (--probe-repeats) must be an integer >= 1, got {probe_repeats!r}")
    train_config = train_config or LIF_TRAIN
    p = train_config.patch_size
    config = (config or LIFCodingConfig()).replace(n_inputs=p * p)
    out, saved = open_run(out, "images_lif", resume, [("model", config, frozenset()),
                                                      ("train", train_config, frozenset({"steps", "checkpoint_every"}))],
                          train_config.steps, log,
                          inputs=images_fingerprint(train_config.images),
                          memory=(config.memory_bytes(train_config.batch),
                                  f"a {config.side} x {config.side} spiking sheet with batches of {train_config.batch}"))
    images = load_images(train_config.images, whiten_images=train_config.whiten, f0=train_config.f0, min_size=p)
    sampler = PatchSampler(images, patch_size=p, seed=seeds.stream(train_config.seed, "samples"),
                           dtype="float64")
    curves = LearningCurves(PatchSampler(images, patch_size=p, seed=EVAL_SEED, dtype="float64").sample(EVAL_PATCHES),
                            p)

    model = model_from_run(saved, engine) if saved is not None else LIFCodingModel(config, engine=engine)
    trainer = trainer_for(model, sampler, train_config, out, lambda tr: state_dataset(tr, train_config, engine, curves),
                          progress, monitor=curves, monitor_every=EVAL_EVERY)
    if saved is not None:
        curves.restore(saved, int(saved.attrs["steps_done"]))
    elif train_config.steps:
        curves(trainer)  # the untrained starting point
    train_seconds, first_step = run_trainer(trainer, saved)

    ds = state_dataset(trainer, train_config, engine, curves)
    started = time.perf_counter()
    fields = probe_spiking_fields(model, repeats=probe_repeats, batch=train_config.batch, patch_shape=(p, p))
    probe_seconds = time.perf_counter() - started
    ds["receptive_fields"] = fields
    mask = ds["excitatory"]
    summary: dict[str, Any] = {
        "model": "lif", "engine": engine, **timing(out, trainer, train_seconds, first_step),
        "probe_seconds": round(probe_seconds, 2), **map_measures(fields, mask=mask),
        "dictionary": map_measures(ds["dictionary"], mask=mask)}
    if trainer.step:
        summary.update(history_tail(trainer, {"final_loss": "loss", "final_rate": "rate", "final_active": "active"}),
                       threshold=float(model.threshold),
                       updated_fraction=float(np.mean(trainer.history["updated"])))
    if curves.steps:
        summary["held_out"] = {k: v[-1] for k, v in curves.values.items()}
    summary["collapsed"] = bool(summary["dictionary"]["random_similarity"] > 0.9)
    if summary["collapsed"]:
        log("warning: the map collapsed: random pairs of dictionary columns have |cos| "
            f"{summary['dictionary']['random_similarity']:.2f}; lower lr or the lateral weights")
    return finish_run(ds, summary, out, write_figures if figures else None)


def write_figures(ds: xr.Dataset, out: Path) -> list[Path]:
    """Receptive fields and dictionary (inhibitory sites black), training curves with the threshold."""
    from .. import plotting

    side = ds.sizes["unit_y"]
    blank = ~ds["excitatory"]
    steps = ds.attrs["steps_done"]
    written = [
        plotting.save_figure(plotting.plot_receptive_fields(
            ds["receptive_fields"], blank=blank,
            title=f"receptive fields (spike counts), {side} x {side} spiking sheet, {steps} steps"),
            out / "receptive_fields.png"),
        plotting.save_figure(plotting.plot_receptive_fields(
            ds["dictionary"], blank=blank, title=f"dictionary, {side} x {side} spiking sheet, {steps} steps"),
            out / "dictionary.png")]
    if ds.sizes.get("step", 0):
        written.append(plotting.save_figure(plotting.plot_training(ds[list(LIFCodingModel.RECORD)]),
                                            out / "training.png"))
    if ds.sizes.get("eval_step", 0) > 1:
        written.append(plotting.save_figure(
            plotting.plot_learning_curves(ds[list(CURVES)], title=f"{side} x {side} spiking sheet: learning curves "
                                                                   f"(held-out patches, dictionary)"),
            out / "learning_curves.png"))
    return written


# ---------------------------------------------------------------------------- the experiment
#: What ``ei-maps sweep images_lif`` reports per configuration.
SWEEP_MEASURES = ("explained_variance", "spatial_spread", "adjacent_similarity", "random_similarity",
                  "orientation_strength", "spikes_per_patch", "final_rate", "threshold")


def _sweep_run(config: LIFCodingConfig, train_config: TrainConfig, seed: int, steps: int | None, out: Path,
               extra: dict[str, Any]) -> dict[str, Any]:
    train = sweep_train_config(train_config, seed, steps)
    ds = train_images_lif(config.replace(seed=seed), train, out=out, progress=False, figures=False,
                          probe_repeats=4, log=lambda m: None)
    s = json.loads(ds.attrs["summary"])
    held = s.get("held_out", {})
    return {**{k: held.get(k) for k in SWEEP_MEASURES[:6]}, "final_rate": s.get("final_rate"),
            "threshold": s.get("threshold")}


def _analyze(run_dir: Path, run: xr.Dataset, options: dict[str, Any]) -> dict[str, Any]:
    from ._orientation_maps import analyze_image_run

    return analyze_image_run(run_dir, run, options)


def compare_lif(run: xr.Dataset, published: np.ndarray, calibration_steps: int = 200,
                held_out_patches: int | None = None) -> dict[str, dict[str, float]]:
    """The measures of a spiking-coding run of ours and of the published spiking dictionary.

    Each dictionary is measured on its own excitatory sites: the map measures
    (spatial spread, orientation strength, adjacent against random |cos|) and
    the variance of held-out patches explained by the raw spike counts with
    the run's dynamics. The published dictionary runs on the paper's layout
    (one site in 8 inhibitory on an open sheet of its size), its threshold
    first adapted to the target rate on ``calibration_steps`` training batches.

    Parameters
    ----------
    run : xarray.Dataset
        A finished spiking-coding run (``run.nc`` of ``train images --model lif``).
    published : ndarray, shape (n_inputs, n_sites)
        The published dictionary (``LIF_FILE`` of :mod:`ei_maps.experiments._published`).
    calibration_steps : int
        Batches that adapt the published dictionary's threshold before measuring.
    held_out_patches : int, optional
        Held-out patches (default: the experiment's ``EVAL_PATCHES``).

    Returns
    -------
    dict
        ``ours`` and ``published``: the measures by name, plus
        ``explained_variance``, ``spikes_per_patch``, ``threshold_mV`` [mV] and ``steps``.

    Raises
    ------
    ValueError
        If the published dictionary's zero columns are not the paper's inhibitory sub-lattice.
    """
    from ..analysis import as_fields
    from ..config import TrainConfig, from_json
    from ..models import LIFCodingModel
    from ..stimuli import PatchSampler, load_images
    from ._image_maps import map_measures
    from ._published import PUBLISHED_LIF_STEPS, side_of

    ours = model_from_run(run, engine="numba")
    train = from_json(TrainConfig, run.attrs["train_config"])
    p = train.patch_size
    images = load_images(train.images, whiten_images=train.whiten, f0=train.f0, min_size=p)
    held_out = PatchSampler(images, patch_size=p, seed=EVAL_SEED, dtype="float64").sample(
        held_out_patches or EVAL_PATCHES)

    paper_layout = ours.config.replace(side=side_of(published), inh_every=8, inh_lattice="paper",
                                       boundary="zero", seed=1)
    theirs = LIFCodingModel(paper_layout, engine="numba", dictionary=published)
    if not np.array_equal(np.all(published == 0, axis=0), ~theirs.is_exc):
        raise ValueError("the published dictionary's zero columns are not the paper's inhibitory sub-lattice")
    calibration = PatchSampler(images, patch_size=p, seed=train.seed + 1, dtype="float64")
    for _ in range(calibration_steps):
        theirs.adapt_threshold(calibration.sample(train.batch))

    results: dict[str, dict[str, Any]] = {}
    for name, model in (("ours", ours), ("published", theirs)):
        fields = as_fields(model.dictionary.copy(), model.side, (p, p))
        mask = xr.DataArray(model.is_exc.reshape(model.side, model.side), dims=("unit_y", "unit_x"))
        ev, spikes = explained_variance(model, held_out)
        results[name] = {**{k: round(v, 3) for k, v in map_measures(fields, mask=mask).items()},
                         "explained_variance": round(ev, 3), "spikes_per_patch": round(spikes, 1),
                         "threshold_mV": round(model.threshold, 2),
                         "steps": int(run.attrs["steps_done"]) if name == "ours" else PUBLISHED_LIF_STEPS}
    return results

# ---------------------------------------------------------------------------- ei-maps reproduce
def _reproduce_settings(quick: bool) -> dict[str, Any]:
    """The lif part's own settings of ``ei-maps reproduce`` (its sheet, steps and batch: the presets paper, quick)."""
    return ({"probe_repeats": 4, "calibration_steps": 20, "held_out_patches": 256} if quick
            else {"probe_repeats": 32, "calibration_steps": 200, "held_out_patches": 1024})


#: The appendix's run and a small one (``ei-maps reproduce``, ``ei-maps sweep images_lif --preset``).
PRESETS = (Preset("paper", "the appendix's spiking coder, 30 x 30 sheet, 20,000 steps of 256 patches",
                  {"side": 30}, {"steps": 20_000, "batch": 256}),
           Preset("quick", "a small, short run, 10 x 10 sheet, 1,000 steps of 64 patches", {"side": 10},
                  {"steps": 1000, "batch": 64}))


def _reproduce(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    """``ei-maps reproduce``'s lif part: run it at the settings ``s`` into ``folder``, measure, compare."""
    from ..framework.reproduce import row, pngs, published_dictionary
    from .. import plotting
    from ..analysis import as_fields
    from ..models import LIFCodingConfig
    from ._published import LIF_FILE, LIF_SHAPE

    train = LIF_TRAIN.replace(steps=s["steps"], batch=s["batch"], checkpoint_every=min(LIF_TRAIN.checkpoint_every,
                                                                                      s["steps"]))
    ds = train_images_lif(LIFCodingConfig(side=s["side"]), train, out=folder, resume=resume, progress=progress,
                          figures=True, probe_repeats=s["probe_repeats"], log=log)
    trained = json.loads(ds.attrs["summary"])
    notes: list[str] = []
    held = trained.get("held_out", {})
    rows = [row("receptive fields: adjacent |cos|", trained["adjacent_similarity"]),
            row("receptive fields: random pairs |cos|", trained["random_similarity"]),
            row("receptive fields: spatial spread (median)", trained["spatial_spread_median"]),
            row("held-out explained variance (raw spike counts)", held.get("explained_variance"))]
    figures = pngs(trained.get("figures", []))
    warnings = empty_field_warnings(ds, s["steps"])
    published = published_dictionary(LIF_FILE, reference, notes, shape=LIF_SHAPE)
    if published is not None:
        log("comparing with the published spiking dictionary")
        c = compare_lif(ds, published, calibration_steps=s["calibration_steps"],
                        held_out_patches=s["held_out_patches"])
        labels = {"explained_variance": "held-out explained variance (raw spike counts)",
                  "spatial_spread_median": "dictionary: spatial spread (median)",
                  "orientation_strength_median": "dictionary: orientation strength (median)",
                  "adjacent_similarity": "dictionary: adjacent |cos|", "random_similarity": "dictionary: random |cos|",
                  "spikes_per_patch": "spikes per patch", "threshold_mV": "threshold [mV]", "steps": "steps"}
        rows = rows[:3] + [row(label, c["ours"][k], c["published"][k], "published spiking dictionary, measured here",
                               flag=k != "steps") for k, label in labels.items()]
        side = int(round(np.sqrt(published.shape[1])))
        blank = np.all(published == 0, axis=0).reshape(side, side)
        figures.append(str(plotting.save_figure(plotting.plot_receptive_fields(
            as_fields(published, side), blank=blank,
            title=f"published spiking dictionary ({side} x {side}, inhibitory sites black)"),
            folder / "published_dictionary.png")))
    return {"rows": rows, "figures": figures, "notes": notes, "warnings": warnings}


def empty_field_warnings(ds, steps: int) -> list[str]:
    """A warning when most excitatory units of a spiking run have an all-zero receptive field (nothing to show).

    Parameters
    ----------
    ds : xarray.Dataset
        A spiking-coder run (``receptive_fields``, ``excitatory``).
    steps : int
        Its training steps [count].

    Returns
    -------
    list of str
        One warning, or none.
    """
    fields = ds["receptive_fields"]
    energy = (fields ** 2).sum([d for d in fields.dims if d not in ("unit_y", "unit_x")]).values
    excitatory = ds["excitatory"].values.astype(bool)
    empty, total = int(np.sum((energy == 0) & excitatory)), int(excitatory.sum())
    if empty <= total // 2:
        return []
    return [f"{empty} of {total} excitatory units have an all-zero receptive field: after {steps} steps the sheet "
            "spikes too little on the probes to map them, so the similarity and spread measures describe the few "
            f"others; the paper's settings ({LIF_TRAIN.steps} steps: ei-maps reproduce without --quick) map them"]


REPRODUCTION = Reproduction(
    part="lif", order=3, title="Spiking sparse coding (appendix): receptive fields of the LIF E/I sheet",
    settings=_reproduce_settings, run=_reproduce)


EXPERIMENT = Experiment(
    name="images_lif", kinds=("images_lif",),
    presets=PRESETS,
    reproduction=REPRODUCTION,
    help="the spiking sheet learns the code (paper appendix; ei-maps train images --model lif)",
    print_summary=print_summary, analyze=_analyze, analyze_options=ANALYZE_OPTIONS, print_analysis=print_analysis,
    pool=pool_orientation_maps, print_pool=print_pooled,
    load_model=lambda run, **overrides: model_from_run(run, **overrides),
    sweep=SweepSpec(defaults=lambda: (LIFCodingConfig(), LIF_TRAIN), measures=SWEEP_MEASURES, run=_sweep_run))

"""Natural-image topographic maps, end to end (the paper's Fig. 2).

``train_images`` loads and whitens photographs, trains the activation model on
random patches with checkpoints, probes the receptive fields, runs a short
"saccade" along an edge, measures the map and writes ``run.nc`` plus figures.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import __version__
from ..analysis.activity import activity_centroid
from ..analysis.receptive_fields import as_fields, orientation_strength, probe_receptive_fields, spatial_spread
from ..analysis.topography import neighbor_similarity
from ..config import ModelConfig, TrainConfig
from ..io import config_attrs, model_from_dataset, save_dataset
from ..models import ActivationModel
from ..models.learning import Trainer
from .runs import (CHECKPOINT_FILE, check_resumable, finish_run, history_tail, load_resume_state, run_trainer,
                   timing)

#: Summary names of the activation model's history means over the last 100 steps.
FINAL_ACTIVATION = {"final_loss": "loss", "final_sparsity": "sparsity", "final_iterations": "iterations"}



def state_dataset(trainer: Trainer, train_config: TrainConfig) -> xr.Dataset:
    """Everything needed to continue or inspect a run: dictionary, history, configs, sampler state."""
    model = trainer.model
    p = train_config.patch_size
    n = trainer.step
    step = np.arange(1, n + 1)
    ds = xr.Dataset(
        {"dictionary": as_fields(model.dictionary, model.side, (p, p), name="dictionary"),
         "loss": ("step", np.asarray(trainer.history["loss"], float)),
         "sparsity": ("step", np.asarray(trainer.history["sparsity"], float)),
         "iterations": ("step", np.asarray(trainer.history["iterations"], np.int32)),
         "lam": ("step", np.asarray(trainer.history["lam"], float))},
        coords={"step": step})
    ds["dictionary"].attrs["description"] = "feed-forward weights, unit-norm over (patch_y, patch_x)"
    ds["loss"].attrs.update(long_name="0.5 * mean squared reconstruction error per patch")
    ds["sparsity"].attrs.update(long_name="fraction of units with |a_exc| > 1e-5")
    ds["iterations"].attrs.update(long_name="settling updates")
    ds["lam"].attrs.update(long_name="soft threshold used at this step")
    ds.attrs.update(config_attrs("model", model.config))
    ds.attrs.update(config_attrs("train", train_config))
    ds.attrs.update(steps_done=n, sampler_state=json.dumps(trainer.sampler.get_state()),
                    ei_maps_version=__version__, kind="images")
    return ds


def saccade(model: ActivationModel, image: np.ndarray, patch_size: int, n_frames: int = 8,
            step: int = 2, direction: str = "along") -> xr.Dataset:
    """Settled activity while a patch moves along (or across) an edge in ``image``.

    Moving along an edge keeps the edge's position in the patch while its
    local shape changes slowly, so a localised bump of activity drifts across
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


def map_measures(fields: xr.DataArray, mask: xr.DataArray | None = None) -> dict[str, float]:
    """Scalar quality measures of a sheet of receptive fields (NaN where undefined).

    ``mask`` (unit_y, unit_x) restricts them to some units (the excitatory
    sites of a spiking sheet).
    """
    try:
        sim = neighbor_similarity(fields, mask=mask)
        adjacent, random = float(sim["adjacent"]), float(sim["random"])
    except ValueError:  # a single unit has no neighbours
        adjacent = random = float("nan")
    keep = np.ones((fields.sizes["unit_y"], fields.sizes["unit_x"]), bool) if mask is None else np.asarray(mask)
    orient = orientation_strength(fields).values[keep]
    spread = spatial_spread(fields).values[keep]
    return {"adjacent_similarity": adjacent,
            "random_similarity": random,
            "orientation_strength_median": float(np.median(orient)),
            "oriented_fraction": float(np.mean(orient > 0.3)),
            "spatial_spread_median": float(np.median(spread))}


def train_images(model_config: ModelConfig | None = None, train_config: TrainConfig | None = None,
                 out: str | Path = "runs/images", resume: bool = False, progress: bool = True,
                 figures: bool = True, log=print) -> xr.Dataset:
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
        Where human-readable messages go (``print`` by default).

    Returns
    -------
    xarray.Dataset
        The saved run (also at ``out/run.nc``); ``attrs["summary"]`` is JSON
        with the map measures.
    """
    from ..stimuli import PatchSampler, load_images

    train_config = train_config or TrainConfig()
    p = train_config.patch_size
    model_config = (model_config or ModelConfig()).replace(n_inputs=p * p)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    images = load_images(train_config.images, whiten_images=train_config.whiten, f0=train_config.f0,
                         min_size=p)
    sampler = PatchSampler(images, patch_size=p, seed=train_config.seed, dtype=model_config.dtype)

    saved = load_resume_state(out) if resume else None
    if saved is not None:
        # lam may have adapted and steps may be extended; everything else must match
        check_resumable(saved, "images", [("model", model_config, frozenset({"lam"})),
                                          ("train", train_config, frozenset({"steps", "checkpoint_every"}))],
                        train_config.steps, out)
        model = model_from_dataset(saved)
        log(f"resuming from step {saved.attrs['steps_done']} in {out}")
    else:
        if resume:
            log(f"nothing to resume in {out}: starting a new run")
        model = ActivationModel.from_config(model_config)

    def checkpoint(tr: Trainer) -> None:
        save_dataset(state_dataset(tr, train_config), out / CHECKPOINT_FILE)

    trainer = Trainer(model, sampler, steps=train_config.steps, batch=train_config.batch,
                      lr=train_config.lr, checkpoint=checkpoint,
                      checkpoint_every=train_config.checkpoint_every, progress=progress)
    train_seconds, first_step = run_trainer(trainer, saved)

    ds = state_dataset(trainer, train_config)
    fields = probe_receptive_fields(model, lam=train_config.probe_lam, patch_shape=(p, p))
    ds["receptive_fields"] = fields
    summary: dict[str, Any] = {**timing(out, trainer, train_seconds, first_step), **map_measures(fields)}
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
        summary["saccade_centroid_path"] = float(
            np.nansum(np.linalg.norm(np.diff(sac["centroid"].values, axis=0), axis=1)))
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

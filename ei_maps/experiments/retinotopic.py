"""Cortex-like orientation maps: the activation model on a retinotopic sheet, end to end.

``ei-maps train images --model retinotopic`` trains a
:class:`~ei_maps.models.retinotopic.RetinotopicModel` on whole regions of
natural scenes (:mod:`ei_maps.stimuli.regions`), measures the map during
training (its column spacing Lambda and pinwheel density, on the progress
line and in ``run.nc``), and at the end writes the orientation map, its
spectrum and ring, the pinwheels and the receptive-field centres
(``cortex_map.png``). ``ei-maps analyze`` measures a finished run the way
cortical maps are measured (:func:`analyze_retinotopic_run`); given several
runs it pools their pinwheel densities (:func:`pool_pinwheel_densities`).
See docs/pinwheels.md.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from .. import seeds
from ..config import RetinotopicTrainConfig, from_json
from ..io import json_safe
from ..models.learning import Trainer
from ..models.retinotopic import RetinotopicConfig, RetinotopicModel
from ..sheet import SHEET_DIMS
from ..framework.clitools import fmt, print_figures
from ._image_maps import FINAL_ACTIVATION, describe_wavelength, lateral_summary
from ._orientation_maps import ANALYZE_OPTIONS, analyze_map, pool_orientation_maps, print_pooled
from ..framework.registry import Experiment, Preset, SweepSpec, sweep_train_config
from ..framework.lifecycle import (finish_run, history_tail, open_run, run_trainer, save_analysis, timing, trainer_for,
                                   trainer_state)

xr = DeferredModule("xarray")

__all__ = ["PRESETS", "MapMonitor", "analyze_retinotopic_run", "fields_dataarray", "map_snapshot", "measure_run",
           "model_dataset", "model_from_run", "receptive_fields", "train_retinotopic"]

KIND = "retinotopic"

#: Named parameter sets of the retinotopic sheet (``ei-maps train images --preset``, ``ei-maps sweep retinotopic
#: --preset``). See docs/pinwheels.md for the regime and its measurements.
PRESETS = (
    Preset("cortex", "retinotopic 128 x 128 torus, one unit per pixel, 16-pixel windows, the paper's lateral "
                     "kernels, 20% active, scenes whitened with a cutoff of 0.2 cycles per pixel, 10,000 steps: a "
                     "ring at Lambda ~10 units and about pi pinwheels per Lambda^2 (docs/pinwheels.md)",
           {"side": 128, "window": 16, "units_per_pixel": 1.0}, {"steps": 10_000, "f0": 0.2}),
)


# ----------------------------------------------------------------------------- the run's data
def fields_dataarray(model: RetinotopicModel, name: str = "dictionary") -> xr.DataArray:
    """A copy of the model's fields as (unit_y, unit_x, channel, patch_y, patch_x), with the window origins.

    Parameters
    ----------
    model : RetinotopicModel
        The model.
    name : str
        The DataArray's name.

    Returns
    -------
    xarray.DataArray
        The fields [dimensionless], with coords ``channel`` and ``window_origin_y``/``window_origin_x`` [pixels].
    """
    c = model.config
    channel = ["luminance"] if c.channels == 1 else ["on", "off"]
    origins = model.origins.reshape(c.side, c.side, 2)
    da = xr.DataArray(model.fields.copy(), dims=(*SHEET_DIMS, "channel", "patch_y", "patch_x"), name=name,
                      coords={"channel": channel, "window_origin_y": (SHEET_DIMS, origins[..., 0]),
                              "window_origin_x": (SHEET_DIMS, origins[..., 1])})
    da["window_origin_y"].attrs.update(units="pixel", long_name="row of the top-left pixel of each unit's window")
    da["window_origin_x"].attrs.update(units="pixel", long_name="column of the top-left pixel of each unit's window")
    da.attrs["description"] = "feed-forward weights on each unit's window, unit norm over (channel, patch_y, patch_x)"
    return da


def receptive_fields(dictionary: xr.DataArray) -> xr.DataArray:
    """Each unit's effective field: the luminance weights, or ON minus OFF.

    Parameters
    ----------
    dictionary : DataArray (unit_y, unit_x, channel, patch_y, patch_x)
        Fields as :func:`fields_dataarray` gives them [dimensionless].

    Returns
    -------
    xarray.DataArray
        On (unit_y, unit_x, patch_y, patch_x), with the window origins [dimensionless].
    """
    fields = dictionary.sel(channel="on") - dictionary.sel(channel="off") if dictionary.sizes["channel"] == 2 \
        else dictionary.isel(channel=0)
    fields = fields.drop_vars("channel", errors="ignore")
    fields.attrs = {"description": "feed-forward fields on each unit's window (ON minus OFF for ON/OFF input)"}
    return fields.rename("receptive_fields")


def model_dataset(model: RetinotopicModel) -> xr.Dataset:
    """A model's fields as a run holds them (``dictionary``, ``receptive_fields``, ``model_config``), e.g. for
    :func:`measure_run` on a model trained in a notebook.

    Parameters
    ----------
    model : RetinotopicModel
        The model.

    Returns
    -------
    xarray.Dataset
        Copies of its fields.
    """
    from ..io import config_attrs

    dictionary = fields_dataarray(model)
    return xr.Dataset({"dictionary": dictionary, "receptive_fields": receptive_fields(dictionary)},
                      attrs=config_attrs("model", model.config))


def state_dataset(trainer: Trainer, train_config: RetinotopicTrainConfig, monitor: "MapMonitor") -> xr.Dataset:
    """Everything needed to continue or inspect a run: fields, thresholds, history, map measures, configs."""
    model = trainer.model
    ds = trainer_state(trainer, KIND, fields_dataarray(model), {"model": model.config, "train": train_config},
                       long_names={"loss": "0.5 * mean squared reconstruction error per region",
                                   "sparsity": "fraction of units with |a_exc| > 1e-5",
                                   "iterations": "settling updates", "lam": "soft threshold used at this step"},
                       dtypes={"iterations": np.int32})
    if model.threshold_offsets is not None:
        ds["threshold_offsets"] = (SHEET_DIMS, model.threshold_offsets.copy())
        ds["threshold_offsets"].attrs.update(long_name="per-unit threshold minus lam (homeostasis)", units="1")
    return ds.merge(monitor.dataset())


def model_from_run(saved: xr.Dataset, **overrides: Any) -> RetinotopicModel:
    """Rebuild the :class:`RetinotopicModel` of a retinotopic run or checkpoint.

    Parameters
    ----------
    saved : xarray.Dataset
        A run or checkpoint of this experiment.
    **overrides
        Parameters, ``fields`` (or ``dictionary``) or ``engine`` that replace the saved ones.

    Returns
    -------
    RetinotopicModel
        The model, with its fields and (with homeostasis) its threshold offsets.
    """
    if "model_config" not in saved.attrs or "dictionary" not in saved:
        raise ValueError("dataset holds no retinotopic model (needs a 'dictionary' variable and 'model_config' attr)")
    config = from_json(RetinotopicConfig, saved.attrs["model_config"])
    fields = overrides.pop("fields", overrides.pop("dictionary", None))
    if fields is None:
        d = saved["dictionary"].transpose(*SHEET_DIMS, "channel", "patch_y", "patch_x").values
        fields = np.ascontiguousarray(d.reshape(config.side**2, -1).T)
    model = RetinotopicModel(config, fields=fields, **overrides)
    if "threshold_offsets" in saved and model.threshold_offsets is not None:
        model.threshold_offsets = saved["threshold_offsets"].values.astype(model.dtype)
    return model


# ----------------------------------------------------------------------------- the map's measures
def map_snapshot(fields: xr.DataArray) -> dict[str, float]:
    """The quick measures of a map (orientation from the fields): Lambda, ring contrast, pinwheels, density.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields on a periodic sheet [dimensionless].

    Returns
    -------
    dict
        ``column_spacing`` (grid units, NaN without a ring), ``ring_contrast``
        (the spectrum's peak power over its lowest nonzero wavenumber's),
        ``pinwheel_count`` and ``pinwheel_density`` (per Lambda^2).
    """
    from ..analysis.orientation import orientation_map_fields, pinwheel_stats

    o = orientation_map_fields(fields)
    pins = pinwheel_stats(o["preference"].values, selectivity=o["selectivity"].values, periodic=True)
    return {"column_spacing": pins["column_spacing"], "ring_contrast": pins["spectrum"].attrs["ring_contrast"],
            "pinwheel_count": float(pins["count"]), "pinwheel_density": pins["density"]}


class MapMonitor:
    """Trainer monitor: measures the map every ``monitor_every`` steps, shows it and keeps the series.

    Parameters
    ----------
    log : callable
        Where the line for people goes.
    saved : Dataset or None
        A checkpoint whose earlier measurements continue the series.
    """

    NAMES = ("column_spacing", "ring_contrast", "pinwheel_count", "pinwheel_density")

    def __init__(self, log=emit, saved: xr.Dataset | None = None) -> None:
        self.log = log
        self.steps: list[int] = []
        self.values: dict[str, list[float]] = {k: [] for k in self.NAMES}
        if saved is not None and "map_step" in saved.dims:
            self.steps = [int(s) for s in saved["map_step"].values]
            for k in self.NAMES:
                self.values[k] = [float(v) for v in saved[f"map_{k}"].values]

    def __call__(self, trainer: Trainer) -> None:
        if trainer.step in self.steps:
            return
        snap = map_snapshot(receptive_fields(fields_dataarray(trainer.model)))
        self.steps.append(trainer.step)
        for k in self.NAMES:
            self.values[k].append(float(snap[k]))
        spacing = snap["column_spacing"]
        ring = (f"Lambda {spacing:.1f} units, ring {snap['ring_contrast']:.1f}x the lowest wavenumber, "
                f"{snap['pinwheel_density']:.2f} pinwheels per Lambda^2" if np.isfinite(spacing)
                else f"no ring yet (peak {snap['ring_contrast']:.1f}x the lowest wavenumber)")
        trainer.status = ({"Lambda": f"{spacing:.1f}", "pinwheels/Lambda^2": f"{snap['pinwheel_density']:.2f}"}
                          if np.isfinite(spacing) else {"Lambda": "no ring yet"})
        self.log(f"step {trainer.step}: {int(snap['pinwheel_count'])} pinwheels; {ring}")

    def dataset(self) -> xr.Dataset:
        """The measurements so far, on ``map_step``."""
        units = {"column_spacing": "grid unit", "ring_contrast": "1", "pinwheel_count": "1",
                 "pinwheel_density": "pinwheels per column spacing squared"}
        ds = xr.Dataset({f"map_{k}": ("map_step", np.asarray(self.values[k], float)) for k in self.NAMES},
                        coords={"map_step": np.asarray(self.steps, np.int64)})
        for k in self.NAMES:
            ds[f"map_{k}"].attrs.update(units=units[k], long_name=f"{k.replace('_', ' ')} of the map during training")
        return ds


# ----------------------------------------------------------------------------- training
def scenes(train_config: RetinotopicTrainConfig) -> list[np.ndarray]:
    """The prepared images of a run: the bundled scenes or a folder's photographs, rotated and filtered."""
    from ..stimuli import load_image_folder
    from ..stimuli.regions import prepare_scenes

    raw = None if train_config.images is None else load_image_folder(train_config.images, whiten_images=False)
    t = train_config
    return prepare_scenes(raw, filter=t.filter, f0=t.f0, dog_center=t.dog_center, dog_surround=t.dog_surround,
                          rotations=t.rotations)


def input_balance(images: list[np.ndarray]) -> dict[str, float]:
    """The orientation balance of the training images' power (mean over images; :func:`orientation_power`)."""
    from ..stimuli.regions import orientation_power

    ps = [orientation_power(im) for im in images]
    fraction = np.mean([p["fraction"].values for p in ps], axis=0)
    theta = np.deg2rad(ps[0]["orientation"].values)
    return {"input_anisotropy": float(np.abs(np.sum(fraction * np.exp(2j * theta)))),
            "input_peak_ratio_max": float(max(p.attrs["peak_ratio"] for p in ps)),
            "input_orientation_fraction": [float(v) for v in fraction]}


def train_retinotopic(model_config: RetinotopicConfig | None = None,
                      train_config: RetinotopicTrainConfig | None = None, out: str | Path = "runs/retinotopic",
                      resume: bool = False, progress: bool = True, figures: bool = True, log=emit) -> xr.Dataset:
    """Train a retinotopic E/I sheet on natural scenes and save the run, its map measures and figures.

    Parameters
    ----------
    model_config : RetinotopicConfig, optional
        Default ``RetinotopicConfig()``; its ``channels`` must match the filter's.
    train_config : RetinotopicTrainConfig, optional
        Default ``RetinotopicTrainConfig()``.
    out : path
        Run directory: ``run.nc``, ``checkpoint.nc`` during training, figures.
    resume : bool
        Continue from the checkpoint (or finished run) in ``out``.
    progress : bool
        Show a progress bar.
    figures : bool
        Write PNG figures.
    log : callable
        Where human-readable messages go.

    Returns
    -------
    xarray.Dataset
        The saved run (also at ``out/run.nc``); ``attrs["summary"]`` is JSON.
    """
    train_config = train_config or RetinotopicTrainConfig()
    model_config = model_config or RetinotopicConfig()
    if model_config.channels != train_config.channels:
        raise ValueError(f"the {train_config.filter!r} filter makes {train_config.channels} input channel(s), but the "
                         f"model has channels={model_config.channels}")
    from ..stimuli import images_fingerprint

    c = model_config
    out, saved = open_run(out, KIND, resume, [("model", model_config, frozenset({"lam"})),
                                              ("train", train_config, frozenset({"steps", "checkpoint_every",
                                                                                 "map_every"}))],
                          train_config.steps, log,
                          inputs=images_fingerprint(train_config.images),
                          memory=(model_config.memory_bytes(train_config.batch),
                                  f"a {c.side} x {c.side} retinotopic sheet with {c.window} x {c.window} windows "
                                  f"and batches of {train_config.batch} {c.region} x {c.region} regions"))
    images = scenes(train_config)
    from ..stimuli.regions import RegionSampler

    sampler = RegionSampler(images, c.region, seed=seeds.stream(train_config.seed, "samples"), dtype=c.dtype,
                            roll=train_config.roll)
    model = model_from_run(saved) if saved is not None else RetinotopicModel(model_config)
    lateral_vars, lateral_entries = lateral_summary(model_config.replace_base())
    log(describe_wavelength(lateral_entries))
    log(f"retinotopic sheet: {c.side} x {c.side} units over a {c.region} x {c.region} pixel region "
        f"({c.units_per_pixel:g} unit{'' if c.units_per_pixel == 1 else 's'} per pixel), {c.window} x {c.window} "
        f"windows, {len(images)} training images")
    monitor = MapMonitor(log, saved)
    trainer = trainer_for(model, sampler, train_config, out, lambda tr: state_dataset(tr, train_config, monitor),
                          progress, monitor=monitor if train_config.map_every else None,
                          monitor_every=train_config.map_every)
    train_seconds, first_step = run_trainer(trainer, saved)
    if trainer.step not in monitor.steps:
        monitor(trainer)

    ds = state_dataset(trainer, train_config, monitor).merge(lateral_vars)
    ds["receptive_fields"] = receptive_fields(ds["dictionary"])
    summary: dict[str, Any] = {"model": KIND, **timing(out, trainer, train_seconds, first_step), **lateral_entries,
                               **input_balance(images)}
    if trainer.step:
        summary.update(history_tail(trainer, FINAL_ACTIVATION), lam=float(model.lam))
    summary.update(map_snapshot(ds["receptive_fields"]), region=c.region)
    return finish_run(ds, summary, out, write_figures if figures else None)


def write_figures(ds: xr.Dataset, out: Path) -> list[Path]:
    """The run's figures: the map (orientation, spectrum, pinwheels, RF centres), fields and training curves."""
    from .. import plotting
    from ..models import ActivationModel

    analysis, _ = measure_run(ds)
    side = ds.sizes["unit_y"]
    written = [plotting.save_figure(plotting.plot_cortical_map(analysis), out / "cortex_map.png"),
               plotting.save_figure(plotting.plot_receptive_fields(
                   ds["receptive_fields"].isel(unit_y=slice(0, min(side, 32)), unit_x=slice(0, min(side, 32))),
                   title=f"receptive fields of the first {min(side, 32)} x {min(side, 32)} units "
                         f"(each on its own window)"), out / "receptive_fields.png")]
    if ds.sizes.get("step", 0):
        written.append(plotting.save_figure(plotting.plot_training(ds[list(ActivationModel.RECORD)]),
                                            out / "training.png"))
    return written


# ----------------------------------------------------------------------------- analysis
def measure_run(run: xr.Dataset, model=None, gratings: bool = False, n_permutations: int = 199
                ) -> tuple[xr.Dataset, dict[str, Any]]:
    """The orientation map and retinotopy of a retinotopic run.

    Parameters
    ----------
    run : Dataset
        A finished run (``receptive_fields``, ``dictionary``, ``model_config``).
    model : RetinotopicModel, optional
        For the grating method.
    gratings : bool
        Orientation preference from full-field gratings through the settled dynamics (else from the fields).
    n_permutations : int
        Permutations of the Mantel test [count].

    Returns
    -------
    (Dataset, summary)
        :func:`~ei_maps.experiments._orientation_maps.analyze_map`'s, plus the
        receptive-field centres (:func:`~ei_maps.analysis.retinotopy.receptive_field_centers`)
        and ``retinotopy`` in the summary.
    """
    from ..analysis.retinotopy import receptive_field_centers

    config = from_json(RetinotopicConfig, run.attrs["model_config"])
    ds, summary = analyze_map(model, run["receptive_fields"], periodic=True, n_permutations=n_permutations,
                              gratings=gratings)
    centers = receptive_field_centers(run["dictionary"], config.region)
    for name in ("center_y", "center_x", "offset_y", "offset_x", "size", "local_magnification"):
        ds[f"rf_{name}"] = centers[name]
    summary["retinotopy"] = json_safe({k: v for k, v in centers.attrs.items()})
    summary["sheet_side"], summary["window"] = config.side, config.window
    summary["units_per_pixel"] = config.units_per_pixel
    summary["lambda_per_window"] = (summary["column_spacing"] / (config.window * config.units_per_pixel)
                                    if summary["column_spacing"] is not None else None)
    ds.attrs["summary"] = json.dumps(json_safe(summary))
    return ds, summary


def analyze_retinotopic_run(run_dir: Path, run: xr.Dataset, options: dict[str, Any]) -> dict[str, Any]:
    """``ei-maps analyze`` for a retinotopic run: writes analysis.nc and its figures; returns the summary.

    Parameters
    ----------
    run_dir : Path
        The run folder (analysis.nc and the figures go there).
    run : xarray.Dataset
        Its run.nc.
    options : dict
        ``method`` ("fields", the default here, or "gratings": full-field
        gratings through the settled dynamics, one-channel input only; read
        only when in ``given``), ``permutations``, ``figures``, ``given``.

    Returns
    -------
    dict
        :func:`measure_run`'s summary with ``method``, ``run``, ``steps`` and ``figures``.
    """
    method = options.get("method", "gratings") if "method" in options.get("given", ()) else "fields"
    permutations = int(options.get("permutations", 199))
    if permutations < 1:
        raise ValueError(f"--permutations must be >= 1, got {permutations}")
    model = model_from_run(run) if method == "gratings" else None
    if model is not None and model.config.channels != 1:
        raise ValueError("--method gratings needs one-channel (luminance) input; this run is ON/OFF: use "
                         "--method fields")
    ds, summary = measure_run(run, model, gratings=method == "gratings", n_permutations=permutations)
    summary["method"] = method
    summary["run"] = str(run_dir)
    summary["steps"] = int(run.attrs.get("steps_done", 0))
    ds.attrs["summary"] = json.dumps(json_safe(summary))
    ds.attrs["model_config"] = run.attrs["model_config"]
    save_analysis(ds, run_dir)
    if options.get("figures", True):
        from .. import plotting
        from ._orientation_maps import write_analysis_figures

        written = write_analysis_figures(ds, None, run_dir)
        written.append(plotting.save_figure(plotting.plot_cortical_map(ds), run_dir / "cortex_map.png"))
        summary["figures"] = [str(p) for p in written]
    return summary


# ----------------------------------------------------------------------------- printing
def print_summary(summary: dict) -> None:
    rate = f"{summary['ms_per_step']:.1f} ms/step" if summary["ms_per_step"] is not None else "no new steps"
    print(f"trained {summary['steps']} steps in {summary['train_seconds']:.1f} s ({rate}) -> {summary['out']}/run.nc")
    if "final_sparsity" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, active fraction {summary['final_sparsity']:.3f}, "
              f"settling iterations {summary['final_iterations']:.1f}, lam {summary['lam']:.4g}")
    print(f"  input: orientation anisotropy of the power {fmt(summary.get('input_anisotropy'), 3)} (0 = balanced)")
    if summary.get("column_spacing") is not None:
        print(f"  map: column spacing {fmt(summary['column_spacing'])} units (ring {fmt(summary['ring_contrast'], 1)}x "
              f"the lowest wavenumber's power), {int(summary['pinwheel_count'])} pinwheels, "
              f"{fmt(summary['pinwheel_density'])} per Lambda^2 (cortex ~3.1); `ei-maps analyze {summary['out']}` "
              "for the full measures")
    else:
        print(f"  map: no column spacing (no ring in the spectrum); {int(summary['pinwheel_count'])} pinwheels")
    print_figures(summary)


def print_analysis(summary: dict) -> None:
    from ._orientation_maps import print_analysis as print_orientation

    print_orientation(summary)
    r = summary["retinotopy"]
    print(f"  retinotopy: receptive-field scatter {fmt(r['scatter'])} px (RMS from the window centres), "
          f"neighbour correlation of the offsets {fmt(r['smoothness_y'])} / {fmt(r['smoothness_x'])} (y / x), "
          f"magnification {fmt(r['magnification_y'])} units per pixel (local median {fmt(r['local_magnification_median'])}, "
          f"IQR {fmt(r['local_magnification_iqr'])}), field radius {fmt(r['size_median'])} px")
    if summary.get("lambda_per_window") is not None:
        print(f"  Lambda = {fmt(summary['lambda_per_window'])} x the window in units (window {summary['window']} px x "
              f"{summary['units_per_pixel']:g} units per pixel)")


# ----------------------------------------------------------------------------- the sweep
def _sweep_run(model_config: RetinotopicConfig, train_config: RetinotopicTrainConfig, seed: int, steps: int | None,
               out: Path, extra: dict[str, Any]) -> dict[str, Any]:
    train = sweep_train_config(train_config, seed, steps).replace(map_every=0)
    model_config = model_config.replace(seed=seed, channels=train.channels)
    ds = train_retinotopic(model_config, train, out=out, progress=False, figures=False, log=lambda m: None)
    s = json.loads(ds.attrs["summary"])
    a = analyze_retinotopic_run(out, ds, {"permutations": 19, "figures": False})
    p = a["pinwheels"]
    return {"column_spacing": a["column_spacing"], "ring_contrast": s["ring_contrast"],
            "pinwheel_count": p["count"], "plateau_count": p["plateau_count"], "area": p["area"],
            "pinwheel_density": p["density"], "pinwheel_density_plateau": p["density_plateau"],
            "pinwheel_density_kaschube": p["density_plateau_wavelet"],
            "wavelet_spacing": a["column_spacing_wavelet"]["mean"],
            "lambda_per_window": a["lambda_per_window"], "rf_scatter": a["retinotopy"]["scatter"],
            "selectivity_median": a["orientation"]["selectivity_median"],
            "neighbor_orientation_diff_deg": a["topography"]["neighbor_orientation_diff_deg"],
            "final_loss": s.get("final_loss"), "final_sparsity": s.get("final_sparsity"),
            "predicted_wavelength": s.get("predicted_wavelength")}


SWEEP_MEASURES = ("column_spacing", "ring_contrast", "pinwheel_count", "plateau_count", "area", "pinwheel_density",
                  "pinwheel_density_plateau", "pinwheel_density_kaschube", "wavelet_spacing", "lambda_per_window", "rf_scatter",
                  "selectivity_median", "neighbor_orientation_diff_deg", "final_loss", "final_sparsity",
                  "predicted_wavelength")


EXPERIMENT = Experiment(
    name=KIND, kinds=(KIND,),
    presets=PRESETS,
    help="the activation model on a retinotopic sheet (ei-maps train images --model retinotopic)",
    print_summary=print_summary, analyze=analyze_retinotopic_run, analyze_options=ANALYZE_OPTIONS,
    print_analysis=print_analysis, pool=pool_orientation_maps, print_pool=print_pooled,
    load_model=model_from_run,
    sweep=SweepSpec(defaults=lambda: (RetinotopicConfig(), RetinotopicTrainConfig()), measures=SWEEP_MEASURES,
                    run=_sweep_run, owned=("seed", "n_inputs", "channels")))

"""Orientation maps of image runs (activation and spiking): pinwheels, column spacing, topography.

Measures an orientation map with the methods used on cortical maps (see
:mod:`ei_maps.analysis.orientation` and :mod:`ei_maps.analysis.spacing`),
writes ``RUN_DIR/analysis.nc`` and figures; ``ei-maps analyze`` calls
:func:`analyze_image_run` through the experiments' registry.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .._lazy import DeferredModule
from ..analysis.orientation import (fill_masked_units, filtered_pinwheel_counts, orientation_field,
                                    orientation_map_fields, orientation_map_gratings, pinwheel_stats)
from ..analysis.spacing import wavelet_column_spacing
from ..analysis.topography import (distance_correlation, neighbor_orientation_difference, orientation_difference,
                                   similarity_by_distance)
from ..io import json_safe
from ..framework.clitools import fmt, print_figures
from ..framework.lifecycle import save_analysis
from ..framework.registry import Option

xr = DeferredModule("xarray")


#: The options of ``ei-maps analyze`` that image runs read.
ANALYZE_OPTIONS = (
    Option(("--method",), {"choices": ("gratings", "fields"), "default": "gratings",
                           "help": "image runs: orientation preference from gratings through the settled dynamics, "
                                   "or from the receptive fields (fast)"}),
    Option(("--permutations",), {"type": int, "default": 199,
                                 "help": "image runs: permutations for the Mantel p-value"}),
)


def analyze_map(model, fields: xr.DataArray, periodic: bool = False, n_permutations: int = 199,
                gratings: bool = True, seed: int = 0,
                mask: xr.DataArray | None = None) -> tuple[xr.Dataset, dict[str, Any]]:
    """Measure an orientation map.

    Parameters
    ----------
    model : ActivationModel or None
        Used for the grating method (settled responses). ``None`` or
        ``gratings=False`` uses the receptive-field method for everything.
    fields : DataArray (unit_y, unit_x, patch_y, patch_x)
        Receptive fields, for the fast method and the topography measures.
    periodic : bool
        The sheet is a torus.
    n_permutations : int
        Permutations for the Mantel p-value [count].
    gratings : bool
        Measure the primary map with gratings through the settled dynamics
        (needs ``model``); otherwise from the receptive fields.
    seed : int
        Seed of the permutations.
    mask : bool DataArray (unit_y, unit_x), optional
        Units that have a field (the excitatory sites of a spiking sheet).
        Topography and selectivity use only these; for pinwheels and the
        spectrum, which need a complete map, every other site takes the
        vector mean of its included neighbors' orientations.

    Returns
    -------
    tuple of (Dataset, dict)
        The Dataset holds both orientation maps, the pinwheels, the spectrum
        and the similarity-by-distance curve; the summary is a JSON-ready
        nested dict.
    """
    by_fields = orientation_map_fields(fields)
    primary = orientation_map_gratings(model) if (gratings and model is not None) else by_fields
    keep = np.ones(primary["preference"].shape, bool) if mask is None else np.asarray(mask, bool)
    pref_map, sel_map = primary["preference"].values, primary["selectivity"].values
    if mask is not None:
        z = fill_masked_units(orientation_field(pref_map, sel_map), keep, periodic)
        pref_map, sel_map = (np.angle(z) % (2 * np.pi)) / 2 % np.pi, np.abs(z)
    pins = pinwheel_stats(pref_map, selectivity=sel_map, periodic=periodic)
    z_map = orientation_field(pref_map, sel_map)
    spacing = pins["column_spacing"]
    wavelet = wavelet_column_spacing(z_map, wavelengths=wavelet_scan(spacing, z_map.shape, periodic),
                                     periodic=periodic)
    filtered = filtered_pinwheel_counts(z_map, spacing, periodic=periodic) if np.isfinite(spacing) else None
    # tuning curves are non-negative, so cosine similarity is positive and a ratio to the shuffled
    # baseline is well defined (correlations average near 0 over random pairs)
    tuning_curve = similarity_by_distance(primary["tuning"], metric="cosine", periodic=periodic, seed=seed,
                                          mask=mask)
    dist = distance_correlation(fields, metric="abs_cosine", n_permutations=n_permutations,
                                periodic=periodic, seed=seed, mask=mask)
    pref = primary["preference"].values
    ds = xr.Dataset({
        "preference": primary["preference"].copy(data=pref_map),
        "selectivity": primary["selectivity"].copy(data=sel_map),
        "tuning": primary["tuning"],
        "rf_preference": by_fields["preference"], "rf_selectivity": by_fields["selectivity"],
        "pinwheel_y": ("pinwheel", pins["y"]), "pinwheel_x": ("pinwheel", pins["x"]),
        "pinwheel_charge": ("pinwheel", pins["charge"]),
        "power": pins["spectrum"]["power"], "power_fit": pins["spectrum"]["fit"],
        "similarity_by_distance": tuning_curve,
        "local_spacing": wavelet["local_spacing"], "wavelet_modulus": wavelet["modulus"],
    })
    if filtered is not None:
        ds["filtered_pinwheel_count"] = filtered["count"]
    ds["pinwheel_y"].attrs["units"] = ds["pinwheel_x"].attrs["units"] = "grid units"
    if mask is not None:
        ds["analyzed"] = (("unit_y", "unit_x"), keep)
        ds["preference"].attrs["note"] = ds["selectivity"].attrs["note"] = (
            "sites outside the mask take the vector mean of their neighbors")
    summary = {
        "orientation": {
            "method": primary.attrs["method"],
            "selectivity_median": float(np.median(primary["selectivity"].values[keep])),
            "rf_selectivity_median": float(np.median(by_fields["selectivity"].values[keep])),
            "rf_vs_gratings_diff_deg": float(np.degrees(np.mean(orientation_difference(
                pref, by_fields["preference"].values)[keep]))),
        },
        "pinwheels": {
            "count": pins["count"], "n_plus": pins["n_plus"], "n_minus": pins["n_minus"],
            "density": pins["density"], "density_interval": list(pins["density_interval"]),
            "quality": pins["quality"], "area": pins["area"],
            "density_mean_wavenumber": pins["density_mean_wavenumber"],
            # counted on the map low-pass filtered below Lambda (robust to pixel noise); None without a Lambda
            "plateau_count": None if filtered is None else filtered.attrs["plateau_count"],
            "density_plateau": (None if filtered is None else
                                filtered.attrs["plateau_count"] * spacing**2 / filtered.attrs["area"]),
            "plateau_cutoffs": None if filtered is None else filtered.attrs["plateau_cutoffs"],
            # Kaschube et al. (2010) scale the count by the mean local (wavelet) spacing
            "density_wavelet": (pins["count"] * wavelet.attrs["mean_spacing"] ** 2 / pins["area"]
                                if filtered is not None else None),
            "density_plateau_wavelet": (None if filtered is None else filtered.attrs["plateau_count"]
                                        * wavelet.attrs["mean_spacing"] ** 2 / filtered.attrs["area"]),
        },
        "column_spacing": pins["column_spacing"],
        "column_spacing_fit_ok": bool(pins["spectrum"].attrs["fit_ok"]),
        "column_spacing_cycles_per_map": float(pins["spectrum"].attrs["peak_cycles_per_map"]),
        "column_spacing_prominence": float(pins["spectrum"].attrs["prominence"]),
        "column_spacing_ring_contrast": float(pins["spectrum"].attrs["ring_contrast"]),
        "column_spacing_mean_wavenumber": float(pins["spectrum"].attrs["mean_wavenumber_spacing"]),
        "column_spacing_wavelet": {"mean": wavelet.attrs["mean_spacing"], "median": wavelet.attrs["median_spacing"],
                                   "accepted_fraction": wavelet.attrs["accepted_fraction"],
                                   "scan": [float(wavelet["wavelength"][0]), float(wavelet["wavelength"][-1])]},
        "topography": {
            "neighbor_orientation_diff_deg": neighbor_orientation_difference(pref, periodic=periodic, mask=mask),
            "distance_spearman": float(dist["spearman"]),
            "mantel_p": float(dist["mantel_p"]),
            "mantel_permutations": n_permutations,
            "similarity_at_1": float(tuning_curve.sel(distance=1.0)) if 1.0 in tuning_curve.distance else None,
        },
        "periodic": periodic,
        "units_analyzed": int(keep.sum()),
    }
    summary = json_safe(summary)
    ds.attrs["summary"] = json.dumps(summary)
    ds.attrs["column_spacing"] = pins["column_spacing"]
    return ds, summary


def wavelet_scan(spacing: float, shape: tuple[int, int], periodic: bool) -> np.ndarray | None:
    """The wavelengths the local (wavelet) spacing scans: around the spectral Lambda when there is one.

    The default scan (3 units to a ninth of the side) stops below Lambda on
    small maps: a 96 x 96 torus with Lambda 11.2 scans to 10.7, and every
    accepted pixel then lies below Lambda. With a spectral Lambda the scan
    runs from Lambda / 2 to 2 Lambda in steps of 4%, capped at a third of
    the side on a torus (a ninth otherwise, where the wavelets' reach must
    fit inside the map).

    Parameters
    ----------
    spacing : float
        The spectral column spacing (NaN without a ring) [grid units].
    shape : (int, int)
        The map's shape [grid units].
    periodic : bool
        The map is a torus.

    Returns
    -------
    ndarray or None
        The wavelengths [grid units], or None for the default scan.
    """
    if not np.isfinite(spacing):
        return None
    top = min(2 * spacing, min(shape) / (3 if periodic else 9))
    low = max(3.0, spacing / 2)
    if top <= low * 1.04 ** 3:
        return None
    return low * 1.04 ** np.arange(int(np.log(top / low) / np.log(1.04)) + 1)


def analyze_image_run(run_dir: Path, run: xr.Dataset, options: dict[str, Any]) -> dict[str, Any]:
    """The orientation map of a finished image run (activation or spiking); writes analysis.nc and figures.

    ``options``: ``method`` ("gratings" or "fields"), ``permutations``,
    ``figures`` (bool). Spiking runs use the probed fields (spike counts of
    one window are too noisy for gratings) on their excitatory sites.
    """
    from ..analysis.wavelength import lateral_spectrum
    from ..framework.registry import for_run

    if "receptive_fields" not in run:
        raise ValueError(f"{run_dir} holds no receptive fields: is it a finished image run?")
    # n_permutations and gratings: the names analyze_run took before the registry (kept for scripts)
    permutations = int(options.get("permutations", options.get("n_permutations", 199)))
    method = options.get("method", "gratings" if options.get("gratings", True) else "fields")
    if permutations < 1:
        raise ValueError(f"--permutations must be >= 1, got {permutations}")
    model_config = json.loads(run.attrs["model_config"])
    periodic = model_config["boundary"] == "periodic"
    if "excitatory" in run:
        if method == "gratings" and "method" in options.get("given", ()):
            raise ValueError("--method gratings needs the activation model's settled responses; a spiking run "
                             "is measured from its probed receptive fields: use --method fields")
        model, mask = None, run["excitatory"]
    else:
        model, mask = for_run(run).load_model(run), None
    ds, summary = analyze_map(model, run["receptive_fields"], periodic=periodic, n_permutations=permutations,
                              gratings=method == "gratings", mask=mask)
    if model is not None:
        predicted = lateral_spectrum(model.config).attrs["preferred_wavelength"]
        summary["predicted_wavelength"] = None if not np.isfinite(predicted) else predicted
    summary["method"] = method if model is not None else "fields"
    summary["run"] = str(run_dir)
    ds.attrs["summary"] = json.dumps(summary)
    ds.attrs["model_config"] = run.attrs["model_config"]
    save_analysis(ds, run_dir)
    if options.get("figures", True):
        summary["figures"] = [str(p) for p in write_analysis_figures(ds, run, run_dir)]
    return summary


def write_analysis_figures(ds: xr.Dataset, run: xr.Dataset | None, out: Path, prefix: str = "") -> list[Path]:
    """Orientation map with pinwheels, selectivity, spectrum, similarity curve, receptive fields."""
    from .. import plotting

    summary = json.loads(ds.attrs["summary"])
    pw = summary["pinwheels"]
    pins = xr.Dataset({"y": ds["pinwheel_y"], "x": ds["pinwheel_x"], "charge": ds["pinwheel_charge"]})
    spacing = float(ds.attrs["column_spacing"])
    if np.isfinite(spacing):
        scale = f"density {pw['density']:.2f} per Λ² (Λ = {spacing:.1f} units)"
    else:
        scale = "no column spacing (no spectral peak)"
    title = f"orientation map ({summary['orientation']['method']})\n{pw['count']} pinwheels, {scale}"
    written = [
        plotting.save_figure(plotting.plot_orientation_map(ds["preference"], ds["selectivity"], pins, title=title),
                             out / f"{prefix}orientation_map.png"),
        plotting.save_figure(plotting.plot_selectivity(ds["selectivity"], title="orientation selectivity"),
                             out / f"{prefix}selectivity.png"),
        # the zero-wavenumber bin holds only the removed mean (~0 on a log axis)
        plotting.save_figure(plotting.plot_power_spectrum(
            xr.Dataset({"power": ds["power"], "fit": ds["power_fit"]},
                       attrs={"column_spacing": spacing}).isel(wavenumber=slice(1, None)),
            title="power spectrum of the orientation map"), out / f"{prefix}power_spectrum.png"),
        plotting.save_figure(plotting.plot_similarity_by_distance(
            ds["similarity_by_distance"], title="orientation tuning similarity vs cortical distance"),
            out / f"{prefix}similarity_by_distance.png"),
    ]
    if run is not None and "receptive_fields" in run:
        blank = ~run["excitatory"] if "excitatory" in run else None
        written.append(plotting.save_figure(
            plotting.plot_receptive_fields(run["receptive_fields"], title="receptive fields", blank=blank),
            out / f"{prefix}receptive_fields.png"))
    return written


def print_analysis(summary: dict) -> None:
    o, p, t = summary["orientation"], summary["pinwheels"], summary["topography"]
    lo, hi = p["density_interval"]
    print(f"orientation map of {summary['run']} ({o['method']}): median selectivity {fmt(o['selectivity_median'], 3)}")
    w = summary.get("column_spacing_wavelet", {})
    spacing = (f"column spacing {fmt(summary['column_spacing'])} units "
               f"({fmt(summary.get('column_spacing_cycles_per_map'), 1)} per map)" if summary["column_spacing_fit_ok"]
               else "no column spacing (no ring in the spectrum)")
    print(f"  pinwheels: {p['count']} (+1/2: {p['n_plus']}, -1/2: {p['n_minus']}) in {p['area']:.0f} units^2; "
          f"{spacing}; local (wavelet) spacing {fmt(w.get('mean'))} units on {fmt(w.get('accepted_fraction'))} "
          f"of the map")
    if summary.get("predicted_wavelength") is not None:
        print(f"  E/I interactions predict a wavelength of {fmt(summary['predicted_wavelength'])} units")
    if summary["column_spacing_fit_ok"]:
        print(f"  pinwheel density {fmt(p['density'])} per column spacing^2 (95% {fmt(lo)}-{fmt(hi)}; "
              f"cortex: ~3.1 = pi), {fmt(p.get('density_plateau'))} on the low-pass filtered map "
              f"(plateau {fmt(p.get('plateau_count'), 0)} pinwheels); map quality {fmt(p['quality'])}")
        print(f"  per squared mean local (wavelet) spacing, as Kaschube et al. (2010) measured cortex: "
              f"{fmt(p.get('density_plateau_wavelet'))} on the filtered map, {fmt(p.get('density_wavelet'))} raw")
    print(f"  adjacent units differ by {fmt(t['neighbor_orientation_diff_deg'], 1)} deg (random map: 45); "
          f"Spearman(cortical, RF distance) {fmt(t['distance_spearman'], 3)}, Mantel p = {fmt(t['mantel_p'], 3)}")
    print_figures(summary)


#: The pooled densities: (key, which count, which Lambda, label). "kaschube" is the measure of Kaschube et al.
#: (2010): pinwheels of the filtered map per squared mean local (wavelet) spacing.
POOLED = (("kaschube", "plateau_count", "wavelet", "filtered maps per mean local (wavelet) Lambda^2 [Kaschube 2010]"),
          ("plateau", "plateau_count", "spectral", "filtered maps per spectral Lambda^2"),
          ("raw_wavelet", "count", "wavelet", "raw maps per mean local (wavelet) Lambda^2"),
          ("raw", "count", "spectral", "raw maps per spectral Lambda^2"))


def pool_pinwheel_densities(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Pinwheel density pooled over analyzed maps (e.g. seeds), four ways.

    Pinwheels are counted on the raw map or on the plateau of the low-pass
    filtered map, and scaled by the spectral Lambda or by the mean local
    (wavelet) Lambda (:data:`POOLED`); ``kaschube`` (filtered map, wavelet
    Lambda) is the measure cortex's 3.1 +- 0.3 was made with.

    Parameters
    ----------
    summaries : list of dict
        ``ei-maps analyze`` summaries of orientation maps with a column spacing.

    Returns
    -------
    dict
        For each key of :data:`POOLED`, :func:`~ei_maps.analysis.orientation.pooled_pinwheel_density`
        (density and 95% intervals over maps); the mean and spread of both
        Lambdas over the maps; the runs.
    """
    from ..analysis.orientation import pooled_pinwheel_density

    usable = [s for s in summaries if s.get("column_spacing") is not None and s["pinwheels"].get("plateau_count")]
    if len(usable) < 2:
        raise ValueError(f"pooling needs at least two maps with a column spacing, got {len(usable)} of "
                         f"{len(summaries)}")
    spacings = {"spectral": [s["column_spacing"] for s in usable],
                "wavelet": [s["column_spacing_wavelet"]["mean"] for s in usable]}
    areas = [s["pinwheels"]["area"] for s in usable]
    pooled: dict[str, Any] = {"n_maps": len(usable), "runs": [s.get("run") for s in usable]}
    for name, values in spacings.items():
        pooled[f"{name}_spacing_mean"] = float(np.mean(values))
        pooled[f"{name}_spacing_sd"] = float(np.std(values, ddof=1))
    for key, count, spacing, _ in POOLED:
        pooled[key] = pooled_pinwheel_density([s["pinwheels"][count] for s in usable], areas, spacings[spacing])
    return json_safe(pooled)


def pool_orientation_maps(summaries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """:func:`pool_pinwheel_densities` when every summary is an orientation map with a column spacing, else None.

    What ``ei-maps analyze RUN RUN ...`` pools for the experiments that make orientation maps.

    Parameters
    ----------
    summaries : list of dict
        ``ei-maps analyze`` summaries (one per run).

    Returns
    -------
    dict or None
        The pooled densities, or None when some run has no pinwheels or no column spacing.
    """
    if all("pinwheels" in s for s in summaries) and all(s.get("column_spacing") is not None for s in summaries):
        return pool_pinwheel_densities(summaries)
    return None


def print_pooled(pooled: dict | None) -> None:
    """The pooled density of several maps, for people."""
    if pooled is None:
        print("no pooled pinwheel density: not every run is an orientation map with a column spacing")
        return
    print(f"pooled over {pooled['n_maps']} maps (95% intervals: bootstrap over maps; Poisson of the pooled count):")
    for key, _, _, label in POOLED:
        p = pooled[key]
        lo, hi = p["bootstrap_interval"]
        print(f"  {p['density']:.3f} pinwheels per Lambda^2 ({lo:.3f}-{hi:.3f}; {p['poisson_interval'][0]:.3f}-"
              f"{p['poisson_interval'][1]:.3f}): {label}")
    print(f"  Lambda {pooled['spectral_spacing_mean']:.2f} +- {pooled['spectral_spacing_sd']:.2f} units (spectral), "
          f"{pooled['wavelet_spacing_mean']:.2f} +- {pooled['wavelet_spacing_sd']:.2f} (wavelet mean); "
          "cortex: 3.12 +- 0.32 (ferret), 3.13 +- 0.18 (tree shrew), 3.11 +- 0.26 (galago)")

"""``ei-maps analyze``: orientation map, pinwheels and topography of a trained run.

Reads ``RUN_DIR/run.nc``, measures the map with the methods used on cortical
maps (see :mod:`ei_maps.analysis.orientation`), writes ``RUN_DIR/analysis.nc``
and figures, and returns a summary.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..analysis.orientation import orientation_map_fields, orientation_map_gratings, pinwheel_stats
from ..analysis.topography import distance_correlation, neighbor_orientation_difference, similarity_by_distance
from ..io import json_safe, load_dataset, model_from_dataset, save_dataset

ANALYSIS_FILE = "analysis.nc"


def analyze_map(model, fields: xr.DataArray, periodic: bool = False, n_permutations: int = 199,
                gratings: bool = True, seed: int = 0) -> tuple[xr.Dataset, dict[str, Any]]:
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
        Permutations for the Mantel p-value.

    Returns
    -------
    (Dataset, summary) — the Dataset holds both orientation maps, the
    pinwheels, the spectrum and the similarity-by-distance curve; the summary
    is a JSON-ready nested dict.
    """
    by_fields = orientation_map_fields(fields)
    primary = orientation_map_gratings(model) if (gratings and model is not None) else by_fields
    pins = pinwheel_stats(primary["preference"].values, selectivity=primary["selectivity"].values,
                          periodic=periodic)
    # tuning curves are non-negative, so cosine similarity is positive and a ratio to the shuffled
    # baseline is well defined (correlations average near 0 over random pairs)
    tuning_curve = similarity_by_distance(primary["tuning"], metric="cosine", periodic=periodic, seed=seed)
    dist = distance_correlation(fields, metric="abs_cosine", n_permutations=n_permutations,
                                periodic=periodic, seed=seed)
    pref = primary["preference"].values
    ds = xr.Dataset({
        "preference": primary["preference"], "selectivity": primary["selectivity"],
        "tuning": primary["tuning"],
        "rf_preference": by_fields["preference"], "rf_selectivity": by_fields["selectivity"],
        "pinwheel_y": ("pinwheel", pins["y"]), "pinwheel_x": ("pinwheel", pins["x"]),
        "pinwheel_charge": ("pinwheel", pins["charge"]),
        "power": pins["spectrum"]["power"], "power_fit": pins["spectrum"]["fit"],
        "similarity_by_distance": tuning_curve,
    })
    ds["pinwheel_y"].attrs["units"] = ds["pinwheel_x"].attrs["units"] = "grid units"
    summary = {
        "orientation": {
            "method": primary.attrs["method"],
            "selectivity_median": float(np.median(primary["selectivity"])),
            "rf_selectivity_median": float(np.median(by_fields["selectivity"])),
            "rf_vs_gratings_diff_deg": float(np.degrees(np.mean(
                np.minimum(np.abs(pref - by_fields["preference"].values) % np.pi,
                           np.pi - np.abs(pref - by_fields["preference"].values) % np.pi)))),
        },
        "pinwheels": {
            "count": pins["count"], "n_plus": pins["n_plus"], "n_minus": pins["n_minus"],
            "density": pins["density"], "density_interval": list(pins["density_interval"]),
            "quality": pins["quality"], "area": pins["area"],
            "density_mean_wavenumber": pins["density_mean_wavenumber"],
        },
        "column_spacing": pins["column_spacing"],
        "column_spacing_fit_ok": bool(pins["spectrum"].attrs["fit_ok"]),
        "column_spacing_mean_wavenumber": float(pins["spectrum"].attrs["mean_wavenumber_spacing"]),
        "topography": {
            "neighbor_orientation_diff_deg": neighbor_orientation_difference(pref, periodic=periodic),
            "distance_spearman": float(dist["spearman"]),
            "mantel_p": float(dist["mantel_p"]),
            "mantel_permutations": n_permutations,
            "similarity_at_1": float(tuning_curve.sel(distance=1.0)) if 1.0 in tuning_curve.distance else None,
        },
        "periodic": periodic,
    }
    summary = json_safe(summary)
    ds.attrs["summary"] = json.dumps(summary)
    ds.attrs["column_spacing"] = pins["column_spacing"]
    return ds, summary


def analyze_run(run_dir: str | Path, n_permutations: int = 199, figures: bool = True,
                gratings: bool = True) -> dict[str, Any]:
    """Analyse ``run_dir/run.nc``: writes ``analysis.nc`` and figures there; returns the summary."""
    run_dir = Path(run_dir)
    run = load_dataset(run_dir / "run.nc" if run_dir.is_dir() else run_dir)
    if "receptive_fields" not in run:
        raise ValueError(f"{run_dir} holds no receptive fields: is it a finished image run?")
    if run_dir.is_file():
        run_dir = run_dir.parent
    model = model_from_dataset(run)
    periodic = model.config.boundary == "periodic"
    ds, summary = analyze_map(model, run["receptive_fields"], periodic=periodic,
                              n_permutations=n_permutations, gratings=gratings)
    summary["run"] = str(run_dir)
    ds.attrs["summary"] = json.dumps(summary)
    ds.attrs["model_config"] = run.attrs["model_config"]
    save_dataset(ds, run_dir / ANALYSIS_FILE)
    if figures:
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
        written.append(plotting.save_figure(
            plotting.plot_receptive_fields(run["receptive_fields"], title="receptive fields"),
            out / f"{prefix}receptive_fields.png"))
    return written

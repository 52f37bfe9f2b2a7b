"""What the image experiments (activation, spiking and retinotopic models) share: the measures of a sheet of
fields, the lateral interactions' predicted wavelength, and the printed training summary."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._lazy import DeferredModule
from ..analysis import neighbor_similarity, orientation_strength, spatial_spread
from ..framework.clitools import fmt, print_figures

xr = DeferredModule("xarray")

#: Summary names of the activation model's history means over the last 100 steps.
FINAL_ACTIVATION = {"final_loss": "loss", "final_sparsity": "sparsity", "final_iterations": "iterations"}


def lateral_summary(config) -> tuple[xr.Dataset, dict[str, Any]]:
    """The predicted E/I wavelength of a model (analysis.wavelength), as run.nc variables and summary entries.

    ``config`` is a :class:`~ei_maps.models.ModelConfig` (the lateral interactions are all it reads).
    """
    from ..analysis.wavelength import lateral_spectrum

    spec = lateral_spectrum(config)
    variables = xr.Dataset({f"lateral_{k}": spec[k].rename(wavenumber="lateral_wavenumber")
                            for k in ("k_eff", "gain")})
    entries = {"predicted_wavelength": spec.attrs["preferred_wavelength"],
               "predicted_gain_contrast": spec.attrs["gain_contrast"],
               "linear_stable": bool(spec.attrs["stable"])}
    return variables, entries


def describe_wavelength(entries: dict[str, Any]) -> str:
    """One line on the lateral interactions' preferred wavelength."""
    lam = entries["predicted_wavelength"]
    if lam is None or not np.isfinite(lam):
        return "lateral interactions: no preferred wavelength (the effective E/I kernel peaks at k = 0)"
    return (f"lateral interactions: preferred wavelength {lam:.2f} units (linear gain there "
            f"{entries['predicted_gain_contrast']:.2f}x the uniform mode's)")


def map_measures(fields: xr.DataArray, mask: xr.DataArray | None = None) -> dict[str, float]:
    """Scalar quality measures of a sheet of receptive fields (NaN where undefined).

    Medians and fractions are over the units with a field; ``silent_units``
    counts those whose field is all zero.

    ``mask`` (unit_y, unit_x) restricts them to some units (the excitatory
    sites of a spiking sheet).
    """
    try:
        sim = neighbor_similarity(fields, mask=mask)
        adjacent, random = float(sim["adjacent"]), float(sim["random"])
    except ValueError:  # a single unit has no neighbors
        adjacent = random = float("nan")
    keep = np.ones((fields.sizes["unit_y"], fields.sizes["unit_x"]), bool) if mask is None else np.asarray(mask)
    orient = orientation_strength(fields).values[keep]
    spread = spatial_spread(fields).values[keep]
    # a silent unit (an all-zero field) has no shape: the medians are over the others, and it is counted
    silent = ~(np.isfinite(orient) & np.isfinite(spread))
    orient, spread = orient[~silent], spread[~silent]
    nan = float("nan")
    return {"adjacent_similarity": adjacent,
            "random_similarity": random,
            "orientation_strength_median": float(np.median(orient)) if orient.size else nan,
            "oriented_fraction": float(np.mean(orient > 0.3)) if orient.size else nan,
            "spatial_spread_median": float(np.median(spread)) if spread.size else nan,
            "silent_units": int(silent.sum())}


def print_summary(summary: dict) -> None:
    rate = f"{summary['ms_per_step']:.1f} ms/step" if summary["ms_per_step"] is not None else "no new steps"
    print(f"trained {summary['steps']} steps in {summary['train_seconds']:.1f} s ({rate}) -> {summary['out']}/run.nc")
    if "final_rate" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, firing rate {summary['final_rate']:.4f} spikes/neuron/step, "
              f"active fraction {summary['final_active']:.3f}, threshold {summary['threshold']:.2f} mV; "
              f"dictionary updated on {100 * summary['updated_fraction']:.0f}% of steps")
    if "final_sparsity" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, active fraction {summary['final_sparsity']:.3f}, "
              f"settling iterations {summary['final_iterations']:.1f}, lam {summary['lam']:.4g}")
    if summary.get("collapsed"):
        print("  WARNING: the map collapsed (every unit learned nearly the same field); "
              "check the whitening (--images, --no-whiten) and lr")
    print(f"  receptive fields: adjacent |cos| {fmt(summary.get('adjacent_similarity'), 3)} vs random "
          f"{fmt(summary.get('random_similarity'), 3)}; oriented fraction "
          f"{fmt(summary.get('oriented_fraction'))}; spatial spread "
          f"{fmt(summary.get('spatial_spread_median'))} (1 = unlocalized)")
    print_figures(summary)

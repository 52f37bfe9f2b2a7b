"""What both image experiments (activation and spiking model) share: the measures of a sheet of fields and
the printed training summary."""
from __future__ import annotations

import numpy as np

from .._lazy import DeferredModule
from ..analysis import neighbor_similarity, orientation_strength, spatial_spread
from ._clitools import fmt, print_figures

xr = DeferredModule("xarray")


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

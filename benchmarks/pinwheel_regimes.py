"""The regime search for a column spacing: predicted E/I wavelength against the learned maps' spectra.

Usage::

    ei-maps sweep images --param w_inh=5,20,40,80 --param leak=20,30,45 --param side=64 \\
        --param boundary=periodic --param w_exc=20 --param r_exc=2 --param r_inh=4 --param sigma2=2 \\
        --param eta=0.01 --param max_iter=200 --param target_sparsity=0.2 --steps 1500 --out runs/pinwheel-sweep
    python benchmarks/pinwheel_regimes.py [--sweep runs/pinwheel-sweep] [--out docs/figures/pinwheel_regimes.png]

For every configuration of the sweep: the sheet's predicted linear gain
``G(k)`` (``ei_maps.analysis.wavelength``) beside the radially averaged
amplitude spectrum of the learned orientation map (``analysis.nc`` of each
run), both normalized to their maximum; the predicted wavelength is marked.
Prints one table row per configuration.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", default="runs/pinwheel-sweep")
    parser.add_argument("--out", default="docs/figures/pinwheel_regimes.png")
    args = parser.parse_args()

    from ei_maps import plotting
    from ei_maps.analysis.wavelength import lateral_spectrum
    from ei_maps.config import from_json
    from ei_maps.models import ModelConfig
    from ei_maps.io import load_dataset

    runs = sorted(p for p in Path(args.sweep).iterdir() if (p / "analysis.nc").is_file())
    rows = []
    for run in runs:
        ds = load_dataset(run / "run.nc")
        analysis = load_dataset(run / "analysis.nc")
        config = from_json(ModelConfig, ds.attrs["model_config"])
        spec = lateral_spectrum(config)
        summary = json.loads(analysis.attrs["summary"])
        rows.append({"run": run.name, "w_inh": config.w_inh, "leak": config.effective_leak,
                     "predicted_wavelength": spec.attrs["preferred_wavelength"],
                     "gain_contrast": spec.attrs["gain_contrast"], "spec": spec,
                     "power": analysis["power"], "column_spacing": summary["column_spacing"],
                     "pinwheels": summary["pinwheels"]["count"],
                     "adjacent_diff": summary["topography"]["neighbor_orientation_diff_deg"]})
    rows.sort(key=lambda r: (r["w_inh"], r["leak"]))
    fig = plotting.plot_regime_spectra(rows)
    plotting.save_figure(fig, args.out)
    print("| w_inh | leak | predicted Lambda | gain contrast | map's spectral peak | pinwheels | adjacent diff (deg) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        lam = r["predicted_wavelength"]
        print(f"| {r['w_inh']:g} | {r['leak']:g} | {'none' if not np.isfinite(lam) else f'{lam:.2f}'} | "
              f"{r['gain_contrast']:.2f} | {'none' if r['column_spacing'] is None else r['column_spacing']} | "
              f"{r['pinwheels']} | {r['adjacent_diff']:.1f} |")
    print(f"figure: {args.out}")


if __name__ == "__main__":
    main()

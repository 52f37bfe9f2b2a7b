"""Orientation maps of the authors' published Fig. 2 dictionary and of a map of ours.

    python benchmarks/analyze_published.py [--run runs/images] [--out docs/figures] [--json]

The published dictionary is loaded into a paper-settings model, its receptive
fields are probed as the paper did, and both maps are measured with the
receptive-field method (and, for comparison, with gratings through the
dynamics). Figures go to ``--out`` with prefixes ``published_`` and ``ours_``.

Needs ../shared/reference/published_fig2_dictionary.npy (or EI_MAPS_SHARED).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from _shared import reference_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default="runs/images", help="a paper-settings run directory (trained if absent)")
    parser.add_argument("--out", default="docs/figures", help="where the figures go")
    parser.add_argument("--permutations", type=int, default=199)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from ei_maps.analysis import probe_receptive_fields
    from ei_maps.framework.analyze import analyze_map, write_analysis_figures
    from ei_maps.experiments.images import train_images
    from ei_maps.io import load_dataset
    from ei_maps import load_model
    from ei_maps.models import ActivationModel

    path = reference_file("published_fig2_dictionary.npy")
    run = Path(args.run)
    if not (run / "run.nc").is_file():
        print(f"no run in {run}: training the paper's map first", file=sys.stderr)
        train_images(out=run)
    out = Path(args.out)

    published = ActivationModel(dictionary=np.load(path))
    maps = {"published": (published, probe_receptive_fields(published, lam=0.025)),
            "ours": (load_model(run), load_dataset(run / "run.nc")["receptive_fields"])}
    results = {}
    for name, (model, fields) in maps.items():
        for method, use_gratings in (("fields", False), ("gratings", True)):
            ds, summary = analyze_map(model, fields, n_permutations=args.permutations, gratings=use_gratings)
            results[f"{name}_{method}"] = summary
            if method == "fields":
                write_analysis_figures(ds, ds.assign(receptive_fields=fields), out, prefix=f"{name}_")
    if args.json:
        print(json.dumps(results))
        return
    def fmt(value, spec: str) -> str:
        return format(value, spec) if value is not None else format("n/a", spec.split(".")[0] + "s")

    print(f"{'':20s} {'selectivity':>11s} {'pinwheels':>9s} {'Lambda':>7s} {'density':>8s} {'quality':>7s} "
          f"{'1/mean k':>8s} {'density*':>8s} {'nbr diff':>8s} {'spearman':>8s}")
    for name, s in results.items():
        p, t = s["pinwheels"], s["topography"]
        print(f"{name:20s} {s['orientation']['selectivity_median']:11.3f} {p['count']:9d} "
              f"{fmt(s['column_spacing'], '7.2f')} {fmt(p['density'], '8.2f')} {fmt(p['quality'], '7.2f')} "
              f"{s['column_spacing_mean_wavenumber']:8.2f} {p['density_mean_wavenumber']:8.2f} "
              f"{t['neighbor_orientation_diff_deg']:8.1f} {t['distance_spearman']:8.3f}")
    print("Lambda, density, quality: from the spectral peak (n/a: no peak); density*: per (1 / mean wavenumber)^2")


if __name__ == "__main__":
    main()

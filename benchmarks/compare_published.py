"""Compare a paper-settings map of ours with the authors' published Fig. 2 dictionary.

    python benchmarks/compare_published.py [--run runs/images] [--json]

Trains the paper's 40 x 40 map first if ``--run`` holds no ``run.nc`` (about
two minutes on 2 cores). The same measures are applied to both dictionaries
and to the receptive fields probed from each through the same dynamics:
mean |cosine| of adjacent units against random pairs, the fraction of
oriented fields and their spatial spread.

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
    parser.add_argument("--run", default="runs/images", help="run directory of a paper-settings run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from ei_maps.experiments.images import train_images
    from ei_maps.experiments.images import compare_fig2
    from ei_maps.io import load_dataset

    published_path = reference_file("published_fig2_dictionary.npy")
    run = Path(args.run)
    if not (run / "run.nc").is_file():
        print(f"no run in {run}: training the paper's map first", file=sys.stderr)
        train_images(out=run)
    rows = compare_fig2(load_dataset(run / "run.nc"), np.load(published_path))
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'':28s} {'adjacent':>9s} {'random':>7s} {'oriented':>9s} {'spread':>7s}")
    for name, m in rows.items():
        print(f"{name:28s} {m['adjacent_similarity']:9.3f} {m['random_similarity']:7.3f} "
              f"{m['oriented_fraction']:9.2f} {m['spatial_spread_median']:7.2f}")


if __name__ == "__main__":
    main()

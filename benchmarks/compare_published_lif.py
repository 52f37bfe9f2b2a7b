"""Compare a trained spiking-coding run with the authors' published spiking dictionary.

    python benchmarks/compare_published_lif.py [--run runs/images-lif] [--calibration-steps 200] [--json]

Trains the default run first if ``--run`` holds no ``run.nc`` (about 17
minutes on 2 cores). The same measures are applied to both dictionaries,
each on its own excitatory sites (the published one's inhibitory columns
are its zero columns, the paper's sub-lattice of one site in 8):

- median spatial spread (1 = unlocalized) and orientation strength;
- mean |cos| of adjacent excitatory units against random pairs;
- the variance of held-out patches explained by the raw spike counts
  (``1 - |x - Phi a|^2 / |x|^2``, no gain fitted), with the run's dynamics.
  The published dictionary runs on the paper's layout (its sub-lattice on an
  open 30 x 30 sheet), its threshold first adapted to the target rate on
  training patches for ``--calibration-steps`` batches.

Needs ../shared/reference/published_lif_dictionary.npy (or EI_MAPS_SHARED).
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from _shared import reference_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default="runs/images-lif", help="run directory of a spiking-coding run")
    parser.add_argument("--calibration-steps", type=int, default=200,
                        help="batches that adapt the published dictionary's threshold before measuring")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from ei_maps.experiments.images_lif import train_images_lif
    from ei_maps.experiments.images_lif import compare_lif
    from ei_maps.io import load_dataset

    published = np.load(reference_file("published_lif_dictionary.npy"))
    run = Path(args.run)
    if not (run / "run.nc").is_file():
        print(f"no run in {run}: training the default spiking map first", file=sys.stderr)
        train_images_lif(out=run)
    try:
        results = compare_lif(load_dataset(run / "run.nc"), published, calibration_steps=args.calibration_steps)
    except ValueError as err:
        sys.exit(str(err))
    if args.json:
        print(json.dumps(results))
        return
    rows = [("steps", "steps"), ("explained variance (held out)", "explained_variance"),
            ("spatial spread (median)", "spatial_spread_median"),
            ("orientation strength (median)", "orientation_strength_median"),
            ("adjacent |cos|", "adjacent_similarity"), ("random |cos|", "random_similarity"),
            ("spikes per patch", "spikes_per_patch"), ("threshold (mV)", "threshold_mV")]
    print(f"| measure | ours ({run}) | published |\n| --- | --- | --- |")
    for label, key in rows:
        print(f"| {label} | {results['ours'][key]} | {results['published'][key]} |")


if __name__ == "__main__":
    main()

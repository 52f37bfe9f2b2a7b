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
import xarray as xr

from _shared import reference_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default="runs/images-lif", help="run directory of a spiking-coding run")
    parser.add_argument("--calibration-steps", type=int, default=200,
                        help="batches that adapt the published dictionary's threshold before measuring")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from ei_maps.analysis import as_fields
    from ei_maps.config import TrainConfig, from_json
    from ei_maps.experiments.images import map_measures
    from ei_maps.experiments.images_lif import (EVAL_PATCHES, EVAL_SEED, explained_variance, model_from_run,
                                                train_images_lif)
    from ei_maps.io import load_dataset
    from ei_maps.models import LIFCodingModel
    from ei_maps.stimuli import PatchSampler, load_images

    published = np.load(reference_file("published_lif_dictionary.npy"))
    run = Path(args.run)
    if not (run / "run.nc").is_file():
        print(f"no run in {run}: training the default spiking map first", file=sys.stderr)
        train_images_lif(out=run)
    ds = load_dataset(run / "run.nc")
    ours = model_from_run(ds, engine="numba")
    train = from_json(TrainConfig, ds.attrs["train_config"])
    p = train.patch_size
    images = load_images(train.images, whiten_images=train.whiten, f0=train.f0, min_size=p)
    held_out = PatchSampler(images, patch_size=p, seed=EVAL_SEED, dtype="float64").sample(EVAL_PATCHES)

    paper_layout = ours.config.replace(inh_every=8, inh_lattice="paper", boundary="zero", seed=1)
    theirs = LIFCodingModel(paper_layout, engine="numba", dictionary=published)
    if not np.array_equal(np.all(published == 0, axis=0), ~theirs.is_exc):
        sys.exit("the published dictionary's zero columns are not the paper's inhibitory sub-lattice")
    calibration = PatchSampler(images, patch_size=p, seed=train.seed + 1, dtype="float64")
    for _ in range(args.calibration_steps):
        theirs.adapt_threshold(calibration.sample(train.batch))

    results = {}
    for name, model in (("ours", ours), ("published", theirs)):
        fields = as_fields(model.dictionary.copy(), model.side, (p, p))
        mask = xr.DataArray(model.is_exc.reshape(model.side, model.side), dims=("unit_y", "unit_x"))
        ev, spikes = explained_variance(model, held_out)
        results[name] = {**{k: round(v, 3) for k, v in map_measures(fields, mask=mask).items()},
                         "explained_variance": round(ev, 3), "spikes_per_patch": round(spikes, 1),
                         "threshold_mV": round(model.threshold, 2), "steps": int(ds.attrs["steps_done"]) if
                         name == "ours" else 100_000}
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

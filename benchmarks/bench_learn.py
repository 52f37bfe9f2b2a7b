"""Speed of one learning step: ActivationModel.learn (float32) vs the published algorithm.

Both run in this process on the same batches of whitened natural-image
patches at the paper's settings (side 40, 16 x 16 patches, batch 128). The
dictionary is first trained for a few hundred steps so the activity is as
sparse, and settling as long, as in a real run (a fresh random dictionary
settles faster and is not representative).

    python benchmarks/bench_learn.py [--steps 30] [--warmup 300] [--json]

Needs ../shared/reference/activation_reference.py (or EI_MAPS_SHARED).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import time

import numpy as np

from _shared import reference_file


def load_reference():
    path = reference_file("activation_reference.py")
    spec = importlib.util.spec_from_file_location("activation_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30, help="timed steps for each implementation")
    parser.add_argument("--warmup", type=int, default=300, help="training steps before timing")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from ei_maps.models import ActivationModel
    from ei_maps.stimuli import PatchSampler, bundled_images

    ref = load_reference()
    sampler = PatchSampler(bundled_images(), patch_size=16, seed=0, dtype="float64")
    model = ActivationModel(dtype="float32", seed=0)
    for _ in range(args.warmup):
        model.learn(sampler.sample(args.batch), lr=0.03)
    batches = [sampler.sample(args.batch) for _ in range(args.steps)]
    phi = model.dictionary.astype(np.float64)

    # ours: one untimed step to exclude compilation/workspace set-up
    model.learn(batches[0], lr=0.03)
    model.dictionary = phi
    iters = []
    start = time.perf_counter()
    for x in batches:
        model.learn(x, lr=0.03)
        iters.append(model.iterations)
    ours = (time.perf_counter() - start) / len(batches)
    model.dictionary = phi
    start = time.perf_counter()
    for x in batches:
        model.settle(x)
    ours_settle = (time.perf_counter() - start) / len(batches)

    ke, ki = ref.kernels()
    p = phi.copy()
    ref_iters = []
    start = time.perf_counter()
    for x in batches:
        _, it = ref.train_step(p, x, ke, ki, 40)
        ref_iters.append(it)
    theirs = (time.perf_counter() - start) / len(batches)

    result = {"batch": args.batch, "timed_steps": args.steps, "warmup_steps": args.warmup,
              "ours_ms_per_step": 1e3 * ours, "ours_settle_ms": 1e3 * ours_settle,
              "ours_update_ms": 1e3 * (ours - ours_settle),
              "reference_ms_per_step": 1e3 * theirs, "speedup": theirs / ours,
              "mean_iterations_ours": float(np.mean(iters)), "mean_iterations_reference": float(np.mean(ref_iters))}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"reference train_step : {result['reference_ms_per_step']:.1f} ms/step "
              f"({result['mean_iterations_reference']:.1f} settling iterations)")
        print(f"ActivationModel.learn: {result['ours_ms_per_step']:.2f} ms/step "
              f"(settle incl. drive {result['ours_settle_ms']:.2f} ms, dictionary update "
              f"{result['ours_update_ms']:.2f} ms; {result['mean_iterations_ours']:.1f} iterations)")
        print(f"speed-up: {result['speedup']:.1f}x")


if __name__ == "__main__":
    main()

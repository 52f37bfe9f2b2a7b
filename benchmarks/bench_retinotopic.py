"""Cost of a retinotopic learning step against the plain model's at the same side, in one process.

Usage::

    python benchmarks/bench_retinotopic.py [--sides 64,128] [--window 16] [--batch 32] [--rounds 5] [--steps 10]

For each side, the plain activation model (16 x 16 patches: 256 weights per
unit) and the retinotopic sheet (``window x window`` windows of a periodic
region, one unit per pixel: 256 weights per unit at the default window 16)
learn on the same number of stimuli per step, both float32 on a torus with the
paper's lateral kernels. The two alternate in rounds of ``--steps`` steps
after a warm-up, so a machine that changes speed slows both alike. Printed per
side and model: the median ms per step over rounds, settling iterations, and
ns per unit per settling iteration per stimulus; for the retinotopic model
also its drive, settling and field-update parts; and the ratio of the
retinotopic cost per unit and iteration to the plain model's (the target: at
most 1).
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from ei_maps.models import ActivationModel, ModelConfig
from ei_maps.models.retinotopic import RetinotopicConfig, RetinotopicModel
from ei_maps.stimuli import PatchSampler, load_images
from ei_maps.stimuli.regions import RegionSampler, prepare_scenes


def _round(model, batches) -> tuple[float, float]:
    iterations = 0
    started = time.perf_counter()
    for x in batches:
        model.learn(x, lr=0.03)
        iterations += model.iterations
    return (time.perf_counter() - started) / len(batches), iterations / len(batches)


def _parts(model: RetinotopicModel, x: np.ndarray) -> dict[str, float]:
    """Milliseconds of the retinotopic step's three parts (drive, settling, field update), one call each."""
    x = model.check_stimuli(x)
    t0 = time.perf_counter()
    s = model._drive(x)
    t1 = time.perf_counter()
    a = model._settle_drive(s, model.lam)
    t2 = time.perf_counter()
    model._update(x, np.ascontiguousarray(a), 0.03)
    t3 = time.perf_counter()
    return {"drive_ms": 1e3 * (t1 - t0), "settle_ms": 1e3 * (t2 - t1), "update_ms": 1e3 * (t3 - t2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sides", default="64,128")
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    patches = PatchSampler(load_images(None), patch_size=16, seed=0)
    scenes = prepare_scenes(rotations=2)
    for side in (int(s) for s in args.sides.split(",")):
        plain = ActivationModel.from_config(ModelConfig(side=side, boundary="periodic", target_sparsity=0.2))
        retino = RetinotopicModel(RetinotopicConfig(side=side, window=args.window))
        regions = RegionSampler(scenes, retino.config.region, seed=0)
        data = {"plain": [patches.sample(args.batch) for _ in range(args.warmup + args.steps)],
                "retinotopic": [regions.sample(args.batch) for _ in range(args.warmup + args.steps)]}
        models = {"plain": plain, "retinotopic": retino}
        for name, model in models.items():
            _round(model, data[name][:args.warmup])
        times = {name: [] for name in models}
        iterations = {name: [] for name in models}
        for _ in range(args.rounds):
            for name, model in models.items():
                seconds, its = _round(model, data[name][args.warmup:])
                times[name].append(seconds)
                iterations[name].append(its)
        per = {}
        for name in models:
            ms = 1e3 * statistics.median(times[name])
            it = statistics.mean(iterations[name])
            per[name] = 1e6 * ms / (side * side * it * args.batch)
            row = {"side": side, "model": name, "batch": args.batch, "ms_per_step": round(ms, 2),
                   "ms_range": [round(1e3 * min(times[name]), 2), round(1e3 * max(times[name]), 2)],
                   "iterations": round(it, 1), "ns_per_unit_per_iteration_per_stimulus": round(per[name], 3)}
            if name == "retinotopic":
                row.update({k: round(v, 2) for k, v in _parts(retino, data[name][0]).items()})
            print(json.dumps(row), flush=True)
        print(json.dumps({"side": side, "ratio_retinotopic_to_plain": round(per["retinotopic"] / per["plain"], 3)}),
              flush=True)


if __name__ == "__main__":
    main()

"""Cost of a learning step against sheet size: is it flat per unit?

Usage::

    python benchmarks/bench_sheet_size.py [--sides 40,64,96,128,192,256] [--steps 10] [--warmup 30]

For each side, the paper's model on a torus (batch 128, 16 x 16 patches,
float32, numba) is warmed up and then ``learn`` is timed in one process on the
same patches. Printed per side: ms per step, microseconds per step per unit,
settling iterations, and ns per unit per iteration (the settling loop's own
cost, which should not grow with the sheet).
"""
from __future__ import annotations

import argparse
import json
import time

from ei_maps.models import ModelConfig
from ei_maps.models import ActivationModel
from ei_maps.stimuli import PatchSampler, load_images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sides", default="40,64,96,128,192,256")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    sampler = PatchSampler(load_images(None), patch_size=16, seed=0)
    batches = [sampler.sample(args.batch) for _ in range(args.warmup + args.steps)]
    rows = []
    for side in (int(s) for s in args.sides.split(",")):
        model = ActivationModel.from_config(ModelConfig(side=side, boundary="periodic"))
        for x in batches[:args.warmup]:
            model.learn(x, lr=0.03)
        iterations = 0
        started = time.perf_counter()
        for x in batches[args.warmup:]:
            model.learn(x, lr=0.03)
            iterations += model.iterations
        ms = 1e3 * (time.perf_counter() - started) / args.steps
        units = side * side
        it = iterations / args.steps
        rows.append({"side": side, "ms_per_step": round(ms, 1), "us_per_step_per_unit": round(1e3 * ms / units, 3),
                     "iterations": round(it, 1),
                     "ns_per_unit_per_iteration": round(1e6 * ms / (units * it), 2),
                     "code_scale": round(model.config.effective_code_scale, 4)})
        print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()

"""Milliseconds per gradient step of the spiking sheet at the paper's batch (256), per engine.

Usage::

    python benchmarks/bench_lif_coding.py [--steps 20] [--batch 256] [--side 30]

Times ``LIFCodingModel.learn`` in one process on the same patches, after
warm-up steps that bring the threshold to its working range, for:

- ``brian2``: the batch as copies of the sheet in one NeuronGroup, one run per step;
- ``numba``: the same window as one jitted loop;
- ``brian2, one run per stimulus``: what simulating stimuli one at a time
  would cost (extrapolated from a few stimuli), the design this replaces.

Ratios are within one process; machines are noisy.
"""
from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

from ei_maps.config import LIFCodingConfig
from ei_maps.models.lif_coding import LIFCodingModel
from ei_maps.stimuli import PatchSampler, load_images


def time_learn(model: LIFCodingModel, batches: list[np.ndarray], lr: float) -> float:
    started = time.perf_counter()
    for x in batches:
        model.learn(x, lr=lr)
    return 1e3 * (time.perf_counter() - started) / len(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per engine")
    parser.add_argument("--warmup", type=int, default=150, help="steps (numba) that bring the threshold into range")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--side", type=int, default=30)
    parser.add_argument("--single", type=int, default=8, help="stimuli timed one run each")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    config = LIFCodingConfig(side=args.side)
    sampler = PatchSampler(load_images(None), patch_size=16, seed=0, dtype="float64")
    warm = LIFCodingModel(config, engine="numba")
    for _ in range(args.warmup):
        warm.learn(sampler.sample(args.batch), lr=1e-6)
    state, dictionary = warm.get_state(), warm.dictionary.copy()
    batches = [sampler.sample(args.batch) for _ in range(args.steps)]
    results = {"batch": args.batch, "side": args.side, "threshold_mV": state["threshold"]}
    for engine in ("numba", "brian2"):
        model = LIFCodingModel(config, engine=engine, dictionary=dictionary)
        model.set_state(state)
        model.learn(batches[0], lr=1e-6)  # build / compile outside the timing
        model.set_state(state)
        model.dictionary = dictionary
        results[f"{engine}_ms_per_step"] = round(time_learn(model, batches, 1e-6), 1)
        results[f"{engine}_final_rate"] = model.last_record["rate"]
    single = LIFCodingModel(config, engine="brian2", dictionary=dictionary)
    single.set_state(state)
    single.settle(batches[0][:1])
    started = time.perf_counter()
    for i in range(args.single):
        single.settle(batches[0][i:i + 1])
    per_stimulus = (time.perf_counter() - started) / args.single
    results["brian2_one_run_per_stimulus_ms_per_step"] = round(1e3 * per_stimulus * args.batch, 1)
    results["brian2_over_numba"] = round(results["brian2_ms_per_step"] / results["numba_ms_per_step"], 2)
    results["one_run_per_stimulus_over_batched_brian2"] = round(
        results["brian2_one_run_per_stimulus_ms_per_step"] / results["brian2_ms_per_step"], 1)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

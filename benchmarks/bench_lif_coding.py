"""Milliseconds per gradient step of the spiking sheet at the paper's batch (256), per engine.

Usage::

    python benchmarks/bench_lif_coding.py [--steps 40] [--batch 256] [--side 30] [--repeats 3]

Times training steps (window, dictionary update, threshold) in one process
on the same patches, after warm-up steps that bring the threshold to its
working range, for:

- ``numba``: the window as one jitted loop over the copies of the sheet;
- ``brian2``: the batch as copies of the sheet in one NeuronGroup, many
  windows per Brian2 run (``LIFCodingModel.learn_stream``, as training uses it);
- ``brian2, one run per step``: ``learn`` called step by step, which pays
  Brian2's set-up cost of a run every step.

Each engine runs ``--repeats`` times on the same batches; the minimum is
reported (machines are noisy), and every engine's dictionary must equal the
numba engine's at the end. A step at batch 256 on a 30 x 30 sheet is
256 * 900 * 50 = 11.5 M neuron updates.
"""
from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

from ei_maps.models import LIFCodingConfig
from ei_maps.models import LIFCodingModel
from ei_maps.stimuli import PatchSampler, load_images


def timed_steps(engine: str, config: LIFCodingConfig, state: dict, dictionary: np.ndarray,
                batches: list[np.ndarray], stream: bool) -> tuple[float, LIFCodingModel]:
    """Milliseconds per step over ``batches`` from the given start; the model after them."""
    model = LIFCodingModel(config, engine=engine, dictionary=dictionary)
    model.set_state(state)
    model.learn(batches[0])  # build and compile outside the timing
    model.set_state(state)
    model.dictionary = dictionary
    started = time.perf_counter()
    if stream:
        feed = iter(batches)
        model.learn_stream(lambda: next(feed), len(batches), 0.1, lambda: True)
    else:
        for x in batches:
            model.learn(x)
    return 1e3 * (time.perf_counter() - started) / len(batches), model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40, help="timed steps per engine and repeat")
    parser.add_argument("--warmup", type=int, default=100, help="steps (numba) that bring the threshold into range")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--side", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    config = LIFCodingConfig(side=args.side)
    sampler = PatchSampler(load_images(None), patch_size=16, seed=0, dtype="float64")
    warm = LIFCodingModel(config, engine="numba")
    for _ in range(args.warmup):
        warm.learn(sampler.sample(args.batch))
    state, dictionary = warm.get_state(), warm.dictionary.copy()
    batches = [sampler.sample(args.batch) for _ in range(args.steps)]
    cases = {"numba": ("numba", False), "brian2": ("brian2", True), "brian2_one_run_per_step": ("brian2", False)}
    results: dict = {"batch": args.batch, "side": args.side, "threshold_mV": round(state["threshold"], 2),
                     "neuron_updates_per_step": args.batch * config.n_sites * config.n_steps}
    reference = None
    for name, (engine, stream) in cases.items():
        times = []
        for _ in range(args.repeats):
            ms, model = timed_steps(engine, config, state, dictionary, batches, stream)
            times.append(ms)
        results[f"{name}_ms_per_step"] = round(min(times), 1)
        if reference is None:
            reference = model.dictionary.copy()
        results[f"{name}_same_dictionary_as_numba"] = bool(np.array_equal(model.dictionary, reference))
    results["brian2_over_numba"] = round(results["brian2_ms_per_step"] / results["numba_ms_per_step"], 2)
    results["numba_neuron_updates_per_s"] = round(results["neuron_updates_per_step"]
                                                  / (results["numba_ms_per_step"] * 1e-3), -6)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

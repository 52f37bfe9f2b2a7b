"""Speed of one learning step: ActivationModel.learn against the published algorithm, idle and beside a busy process.

Everything runs in this process on the same batches of whitened natural-image
patches at the paper's settings (side 40, 16 x 16 patches, batch 128), in
rounds that alternate the machine's state: idle, then beside a competing
process this script starts (a plain Python busy loop, the researcher's
notebook next to a sweep). The dictionary is first trained for a few
hundred steps so the activity is as sparse, and settling as long, as in a
real run (a fresh random dictionary settles faster and is not
representative).

Measured, in ms per step (medians over the rounds):

- ``learn`` in float32 and in float64, each as it runs by default (the model
  picks the faster of its two parallel schemes as it goes);
- with ``--schemes``, float32 with each scheme forced: "barrier" (Numba
  ``prange``, one barrier per update) and "free" (helper threads that never
  wait for each other);
- the published algorithm (float64, ``../shared/reference/activation_reference.py``).

The speed-ups are the reference's time over ours on the same batches: the
float64 one is like for like, the float32 one is what the package runs by
default. The slowdown is the time beside the busy process over the idle
time. After the busy process starts or stops, each model first takes
``--adapt`` untimed steps: the default scheme notices more load within two
steps, and less load at its next try of the other scheme (at most 80 steps,
about a second).

    python benchmarks/bench_learn.py [--steps 12] [--rounds 3] [--warmup 300] [--schemes] [--json]

Needs ../shared/reference/activation_reference.py (or EI_MAPS_SHARED).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from _shared import reference_file


def load_reference():
    path = reference_file("activation_reference.py")
    spec = importlib.util.spec_from_file_location("activation_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def busy_process() -> subprocess.Popen:
    """A competing process: one core's worth of a Python busy loop."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def fair_share_floor(threads: int, cores: int) -> float:
    """The least slowdown of a perfectly parallel step on ``threads`` threads beside one busy process.

    With the OS sharing ``cores`` evenly among the ``threads + 1`` busy
    threads, the step keeps ``cores * threads / (threads + 1)`` cores (at
    most one a thread) instead of ``min(threads, cores)``.
    """
    idle = min(threads, cores)
    return idle / min(threads, cores * threads / (threads + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=12, help="timed steps per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="idle/busy rounds (medians are reported)")
    parser.add_argument("--warmup", type=int, default=300, help="training steps before timing")
    parser.add_argument("--adapt", type=int, default=84, help="untimed steps per model after the load changes")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--schemes", action="store_true", help="also time each parallel scheme forced")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import numba

    from ei_maps.models import ActivationModel
    from ei_maps.stimuli import PatchSampler, bundled_images

    ref = load_reference()
    sampler = PatchSampler(bundled_images(), patch_size=16, seed=0, dtype="float64")
    trained = ActivationModel(dtype="float32", seed=0)
    for _ in range(args.warmup):
        trained.learn(sampler.sample(args.batch), lr=0.03)
    batches = [sampler.sample(args.batch) for _ in range(args.steps)]
    phi = trained.dictionary.astype(np.float64)

    models = {"float32": ActivationModel(dtype="float32", seed=0, dictionary=phi),
              "float64": ActivationModel(dtype="float64", seed=0, dictionary=phi)}
    if args.schemes:
        for scheme in ("barrier", "free"):
            models[f"float32 {scheme}"] = m = ActivationModel(dtype="float32", seed=0, dictionary=phi)
            m._scheme = scheme
    iterations = {}

    def time_model(name: str, model, adapt: int) -> float:
        for k in range(adapt):
            model.learn(batches[k % len(batches)], lr=0.03)
        model.dictionary = phi
        its = []
        start = time.perf_counter()
        for x in batches:
            model.learn(x, lr=0.03)
            its.append(model.iterations)
        iterations[name] = float(np.mean(its))
        return 1e3 * (time.perf_counter() - start) / len(batches)

    def time_reference() -> float:
        ke, ki = ref.kernels()
        p = phi.copy()
        its = []
        start = time.perf_counter()
        for x in batches:
            _, it = ref.train_step(p, x, ke, ki, 40)
            its.append(it)
        iterations["reference"] = float(np.mean(its))
        return 1e3 * (time.perf_counter() - start) / len(batches)

    for model in models.values():  # compile, and let the default models try both schemes
        for x in batches[:6]:
            model.learn(x, lr=0.03)
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for state in ("idle", "busy"):
            competitor = busy_process() if state == "busy" else None
            try:
                for name, model in models.items():
                    times.setdefault((name, state), []).append(time_model(name, model, args.adapt))
                times.setdefault(("reference", state), []).append(time_reference())
            finally:
                if competitor is not None:
                    competitor.kill()
                    competitor.wait()
    ms = {key: statistics.median(v) for key, v in times.items()}
    names = list(models) + ["reference"]
    result = {
        "batch": args.batch, "timed_steps": args.steps, "rounds": args.rounds, "warmup_steps": args.warmup,
        "threads": numba.get_num_threads(),
        "fair_share_floor": fair_share_floor(numba.get_num_threads(), os.cpu_count() or 1),
        "ms_per_step": {n: {s: ms[(n, s)] for s in ("idle", "busy")} for n in names},
        "slowdown_beside_busy_process": {n: ms[(n, "busy")] / ms[(n, "idle")] for n in names},
        "speedup_vs_reference": {n: {s: ms[("reference", s)] / ms[(n, s)] for s in ("idle", "busy")}
                                 for n in models},
        "mean_iterations": iterations,
        "all_ms": {f"{n} {s}": v for (n, s), v in times.items()},
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"ms per step, median of {args.rounds} rounds x {args.steps} steps (batch {args.batch}, "
          f"{result['threads']} threads; busy = beside one busy process)")
    print(f"{'':18s} {'idle':>8s} {'busy':>8s} {'slowdown':>9s} {'speed-up idle':>14s} {'speed-up busy':>14s}")
    for n in names:
        sp = result["speedup_vs_reference"].get(n)
        extra = f"{sp['idle']:13.1f}x {sp['busy']:13.1f}x" if sp else ""
        print(f"{n:18s} {ms[(n, 'idle')]:8.1f} {ms[(n, 'busy')]:8.1f} "
              f"{result['slowdown_beside_busy_process'][n]:8.2f}x {extra}")
    print(f"settling iterations per step: ours {iterations['float32']:.1f}, reference {iterations['reference']:.1f}")
    print(f"a perfectly parallel step on {result['threads']} threads beside one busy process on "
          f"{os.cpu_count()} cores keeps a fair share of the cores: at best {result['fair_share_floor']:.2f}x slower")


if __name__ == "__main__":
    main()

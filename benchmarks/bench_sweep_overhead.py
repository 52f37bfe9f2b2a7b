"""What a sweep costs beyond its runs: scheduling and recording per task, at 100 tiny configurations.

Usage::

    python benchmarks/bench_sweep_overhead.py [--configs 100] [--sequential 100] [--out /tmp/bench-overhead]

1. ``ei-maps sweep images`` of ``--configs`` tiny runs (side 6, 8 steps, the
   sweep's per-run analysis) on a 2-worker LocalCluster. From the moment the
   client is connected to the last result recorded:

   - recording: time spent writing each result into ``sweep.zarr`` (mean);
   - overhead per task: (loop time x workers - the tasks' own seconds) / tasks,
     i.e. everything a worker spends not running a task (scheduling,
     transfers, recording, idle tail), an upper bound on the scheduler's share.

2. The same work as plain sequential commands at their default thread count,
   ``ei-maps train images ... --no-figures`` then ``ei-maps analyze ...
   --method fields --permutations 19 --no-figures`` per configuration, for
   ``--sequential`` of the configurations (the wall time scaled to all of them
   when fewer; the JSON says which).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def timed_sweep(configs: int, out: Path) -> dict:
    from ei_maps.framework import sweep as sweep_module

    timeline = {"records": []}
    real_client = sweep_module.dask_client
    real_record = sweep_module.Recorder.record

    @contextlib.contextmanager
    def client(*args, **kwargs):
        with real_client(*args, **kwargs) as c:
            timeline["ready"] = time.perf_counter()
            yield c

    def record(self, index, measures):
        started = time.perf_counter()
        real_record(self, index, measures)
        timeline["records"].append((started, time.perf_counter()))

    sweep_module.dask_client, sweep_module.Recorder.record = client, record
    try:
        seeds = 4
        w_inh = list(np.round(np.linspace(2.0, 8.0, configs // seeds), 4))
        started = time.perf_counter()
        result = sweep_module.sweep("images", {"w_inh": w_inh, "side": [6]}, steps=8, seeds=seeds, out=out,
                                    workers=2, progress=False, figures=False, log=lambda m: None)
        wall = time.perf_counter() - started
    finally:
        sweep_module.dask_client, sweep_module.Recorder.record = real_client, real_record
    n = int(result["done"].sum())
    assert n == result["done"].size, result["error"].values
    loop = timeline["records"][-1][1] - timeline["ready"]
    task_seconds = float(result["seconds"].sum())
    recording = [end - start for start, end in timeline["records"]]
    return {"tasks": n, "workers": 2, "wall_seconds": round(wall, 2),
            "cluster_start_seconds": round(timeline["ready"] - started, 2), "loop_seconds": round(loop, 2),
            "task_seconds_mean": round(task_seconds / n, 3),
            "overhead_ms_per_task": round(1000 * (loop * 2 - task_seconds) / n, 1),
            "recording_ms_per_task": round(1000 * float(np.mean(recording)), 2),
            "recording_ms_first_10_vs_last_10": [round(1000 * float(np.mean(recording[:10])), 2),
                                                 round(1000 * float(np.mean(recording[-10:])), 2)],
            "w_inh": w_inh, "seeds": seeds}


def sequential(w_inh: list[float], seeds: int, count: int, out: Path) -> dict:
    exe = [sys.executable, "-m", "ei_maps"]
    configs = [(w, s) for w in w_inh for s in range(seeds)][:count]
    started = time.perf_counter()
    for w, s in configs:
        run = out / f"w_inh={w},seed={s}"
        subprocess.run([*exe, "train", "images", "--side", "6", "--steps", "8", "--w-inh", str(w), "--seed", str(s),
                        "--out", str(run), "--no-figures", "--no-progress"], check=True, capture_output=True)
        subprocess.run([*exe, "analyze", str(run), "--method", "fields", "--permutations", "19", "--no-figures"],
                       check=True, capture_output=True)
    wall = time.perf_counter() - started
    total = len(w_inh) * seeds
    return {"runs_timed": len(configs), "wall_seconds": round(wall, 1),
            "wall_seconds_all": round(wall * total / len(configs), 1), "scaled": len(configs) < total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", type=int, default=100)
    parser.add_argument("--sequential", type=int, default=100, help="configurations run as plain commands")
    parser.add_argument("--out", default="/tmp/bench-overhead")
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    swept = timed_sweep(args.configs, out / "sweep")
    report = {"sweep": swept}
    if args.sequential:
        report["sequential_commands"] = seq = sequential(swept["w_inh"], swept["seeds"], args.sequential,
                                                         out / "sequential")
        report["speedup"] = round(seq["wall_seconds_all"] / swept["wall_seconds"], 2)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

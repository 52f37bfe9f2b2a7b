"""Wall time of a sweep on a 2-worker LocalCluster against the same configurations one after another.

Usage::

    python benchmarks/bench_sweep.py [--steps 1000] [--out /tmp/bench-sweep]

Runs ``ei-maps sweep images --param w_inh=2,5,8 --param r_inh=4,5,7`` at reduced steps twice:
with ``--workers 2`` and with ``--workers 1`` (the same tasks one after another, also one Numba thread
each), in fresh folders, and prints both wall times and their ratio.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from ei_maps import sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--out", default="/tmp/bench-sweep")
    args = parser.parse_args()
    params = {"w_inh": [2.0, 5.0, 8.0], "r_inh": [4, 5, 7]}
    times = {}
    for workers in (2, 1):
        out = Path(args.out) / f"workers{workers}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        result = sweep("images", params, steps=args.steps, out=out, workers=workers, progress=False, figures=False,
                       log=lambda m: None)
        times[workers] = time.perf_counter() - started
        assert int(result["done"].sum()) == 9, result["error"].values
    print(json.dumps({"steps": args.steps, "wall_seconds_2_workers": round(times[2], 1),
                      "wall_seconds_sequential": round(times[1], 1),
                      "speedup": round(times[1] / times[2], 2)}, indent=1))


if __name__ == "__main__":
    main()

"""Speed and memory of ``ei-maps waves``: the numba engine (and optionally Brian2's kernel engine).

Usage::

    python benchmarks/bench_waves.py [--sizes 300:2000,100:1000] [--kernel] [--figures] [--json]
                                     [--spikegrid RUN] [--repeats N]

Each size ``side:duration_ms`` is simulated once per engine by the command
line (``python -m ei_maps waves --side S --duration D --json --no-progress``,
``--no-figures`` unless ``--figures``) in a subprocess of its own. Printed per
run: simulation seconds (as the run reports them), build seconds, wall seconds
of the whole command and its peak resident memory (``os.wait4``'s
``ru_maxrss``), beside the figures of the authors' C simulator (spikegrid, one
thread, ``-Ofast``) measured for issue 19 on 2026-12-02 (quoted, not re-run).
With ``--kernel`` the statistics of both engines are printed side by side
(the engines give the same spikes, so they should agree exactly).
Numba's on-disk cache is warmed by a short run first.

With ``--spikegrid RUN`` the C simulator is timed in the same session, each
of its runs right after the ei-maps run of the same size, so both sides see
the machine at the same speed. ``RUN SIDE DURATION_MS`` must run spikegrid
(built by you from github.com/BrainDynamicsUSYD/spikegrid with the
published parameters, one thread) and print ``loop_s=SECONDS``, its time
loop; its wall time and peak memory are measured here. ``--repeats N``
alternates the two N times and prints each side's range and the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

#: spikegrid (Keane & Gong's C code), one thread, -Ofast, measured for issue 19 on 2026-12-02 (not re-run).
SPIKEGRID = {(300, 2000.0): {"simulate_s": "38.6", "wall_s": "38.7-43.8", "peak_mb": "92"},
             (100, 1000.0): {"simulate_s": "1.6-1.9", "wall_s": "1.7-2.0", "peak_mb": "83"}}
STATS = ("rate_exc_hz", "rate_inh_hz", "cv_isi_mean", "fano_50ms", "fano_100ms", "fano_500ms", "wave_count",
         "wave_diameter_median", "wave_speed_median", "correlation_by_distance")


def run_cli(side: int, duration: float, engine: str, figures: bool) -> dict:
    """One ``ei-maps waves`` run in a subprocess: its summary plus wall seconds and peak memory."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "ei_maps", "waves", "--side", str(side), "--duration", str(duration),
                   "--engine", engine, "--out", out, "--json", "--no-progress"]
        if not figures:
            command.append("--no-figures")
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{stderr}")
    summary = json.loads(stdout)
    # communicate() has reaped the child: its rusage is the last one RUSAGE_CHILDREN took in, so each run
    # is measured by os.wait4 in a fresh process instead
    return {**summary, "wall_seconds": round(wall, 2)}


def measure(side: int, duration: float, engine: str, figures: bool) -> dict:
    """Run :func:`run_cli` in a child process of its own and add that process's peak RSS."""
    code = ("import json, sys; sys.path.insert(0, %r); import bench_waves as b; "
            "print(json.dumps(b.run_cli(%d, %r, %r, %r)))" % (os.path.dirname(os.path.abspath(__file__)), side,
                                                              duration, engine, figures))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark of {engine} {side} x {side} failed")
    result = json.loads(stdout)
    # the wrapper's own RSS is small (it imports nothing heavy); its children's peak is the CLI's
    result["peak_mb"] = round(usage.ru_maxrss / 1024, 1)
    return result


def measure_spikegrid(run: str, side: int, duration: float) -> dict:
    """One run of the user's spikegrid script: its time loop as it reports it, wall seconds, peak RSS."""
    started = time.perf_counter()
    # one pipe for both streams: reading one to its end while the other fills would hang
    proc = subprocess.Popen([run, str(side), f"{duration:g}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{run} {side} {duration:g} failed:\n{stdout}")
    loop = [w.split("=", 1)[1] for w in stdout.split() if w.startswith("loop_s=")]
    if not loop:
        raise RuntimeError(f"{run} printed no loop_s=SECONDS:\n{stdout}")
    # wait4 on the script covers the simulator it waited for: the peak is the largest of them
    return {"simulate_s": float(loop[-1]), "wall_s": round(wall, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}-{high:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300:2000,100:1000", help="side:duration_ms pairs [grid units]:[ms]")
    parser.add_argument("--kernel", action="store_true", help="also run Brian2's kernel engine (slow)")
    parser.add_argument("--figures", action="store_true", help="write the figures too (as the CLI default)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per run instead of a table")
    parser.add_argument("--spikegrid", metavar="RUN", help="time spikegrid too: RUN SIDE DURATION_MS (see above)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each side per size, alternating")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.kernel and (args.spikegrid or args.repeats > 1):
        parser.error("--kernel runs each size once: it does not go with --spikegrid or --repeats")
    if args.spikegrid and not os.access(args.spikegrid, os.X_OK):
        parser.error(f"--spikegrid {args.spikegrid}: not an executable file")
    run_cli(40, 300.0, "numba", False)  # warms Numba's on-disk cache
    engines = ["numba"] + (["kernel"] if args.kernel else [])
    for size in args.sizes.split(","):
        side, duration = int(size.split(":")[0]), float(size.split(":")[1])
        if args.spikegrid or args.repeats > 1:
            compare(args, side, duration)
            continue
        results = {}
        for engine in engines:
            r = measure(side, duration, engine, args.figures)
            results[engine] = r
            row = {"engine": engine, "side": side, "duration_ms": duration,
                   "simulate_s": r["simulate_seconds"], "build_s": r["build_seconds"], "wall_s": r["wall_seconds"],
                   "peak_mb": r["peak_mb"], "n_spikes": r["n_spikes"]}
            if args.json:
                print(json.dumps({**row, **{k: r.get(k) for k in STATS}}), flush=True)
            else:
                print(f"{engine:>7} {side} x {side}, {duration:.0f} ms: simulation {row['simulate_s']:.1f} s, "
                      f"build {row['build_s']:.1f} s, wall {row['wall_s']:.1f} s, peak {row['peak_mb']:.0f} MB, "
                      f"{row['n_spikes']:,} spikes", flush=True)
        ref = SPIKEGRID.get((side, duration))
        if ref and not args.json:
            print(f"spikegrid {side} x {side}, {duration:.0f} ms (measured for issue 19 on 2026-12-02, not re-run): "
                  f"simulation {ref['simulate_s']} s, wall {ref['wall_s']} s, peak {ref['peak_mb']} MB")
        if len(results) == 2 and not args.json:
            for key in STATS:
                print(f"    {key:>24}: " + "  ".join(f"{e} {json.dumps(results[e].get(key))}" for e in engines))


def compare(args, side: int, duration: float) -> None:
    """``--repeats`` alternating runs of the numba engine (and of spikegrid): ranges and ratios."""
    ours, theirs = [], []
    for _ in range(args.repeats):
        r = measure(side, duration, "numba", args.figures)
        ours.append({"simulate_s": r["simulate_seconds"], "wall_s": r["wall_seconds"], "peak_mb": r["peak_mb"]})
        if args.json:
            print(json.dumps({"engine": "numba", "side": side, "duration_ms": duration, **ours[-1],
                              **{k: r.get(k) for k in STATS}}), flush=True)
        if args.spikegrid:
            theirs.append(measure_spikegrid(args.spikegrid, side, duration))
            if args.json:
                print(json.dumps({"engine": "spikegrid", "side": side, "duration_ms": duration, **theirs[-1]}),
                      flush=True)
    if args.json:
        return
    figures = " with figures" if args.figures else ""
    for name, runs in (("ei-maps", ours), ("spikegrid", theirs)):
        if runs:
            print(f"{name:>9} {side} x {side}, {duration:.0f} ms{figures if name == 'ei-maps' else ''}, "
                  f"{len(runs)} runs: simulation {_span([r['simulate_s'] for r in runs])} s, "
                  f"wall {_span([r['wall_s'] for r in runs])} s, peak {_span([r['peak_mb'] for r in runs])} MB")
    if theirs:
        # each ratio pairs a run with the spikegrid run right after it
        for key in ("simulate_s", "wall_s"):
            ratios = [t[key] / o[key] for o, t in zip(ours, theirs)]
            print(f"    spikegrid / ei-maps, {key[:-2]}: {_span(ratios)}x")


if __name__ == "__main__":
    main()

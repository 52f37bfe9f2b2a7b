"""Wave regimes of the spiking sheet as the inhibitory weight W_I varies, and simulation speed.

    python benchmarks/waves_regimes.py [--side 100] [--duration 1000] [--w-inh 0 0.1 0.3 0.4 0.5 0.7] [--json]

For each W_I: firing rates, CV of ISI, Fano factor, wave fronts (diameter,
speed, how many at once), the largest fraction of excitatory neurons firing in
one 5 ms window (near 1 for global bursts), and the wall time of the
simulation (after compilation; the first run also compiles).
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", type=int, default=100)
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--w-inh", type=float, nargs="+", default=[0.0, 0.1, 0.3, 0.4, 0.5, 0.7])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from ei_maps.analysis.waves import wave_diagnostics
    from ei_maps.models import WaveSheet

    WaveSheet(side=args.side).run(10.0)  # compile once, outside the timings
    rows = []
    for w_inh in args.w_inh:
        sheet = WaveSheet(side=args.side, w_inh=w_inh)
        started = time.perf_counter()
        sheet.build()
        build = time.perf_counter() - started
        started = time.perf_counter()
        spikes = sheet.run(args.duration)
        simulate = time.perf_counter() - started
        d = wave_diagnostics(spikes)
        t = spikes["spike_time"].values
        exc = spikes["neuron_is_exc"].values[spikes["spike_neuron"].values] & (t >= 200)
        counts = np.histogram(t[exc], bins=np.arange(200, args.duration + 1, 5.0))[0] / sheet.n_exc
        rows.append({"w_inh": w_inh, "build_s": round(build, 2), "simulate_s": round(simulate, 2),
                     "peak_fraction_5ms": float(counts.max()) if counts.size else None, **d})
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{args.side} x {args.side} torus, {args.duration:.0f} ms (statistics after 200 ms)")
    print(f"{'W_I':>5s} {'E Hz':>6s} {'I Hz':>6s} {'CV':>5s} {'Fano100':>7s} {'peak5ms':>7s} {'fronts':>6s} "
          f"{'diam':>5s} {'speed':>5s} {'sim s':>6s}")
    fmt = lambda v, spec: "  n/a" if v is None else format(v, spec)  # noqa: E731
    for r in rows:
        print(f"{r['w_inh']:5.2f} {fmt(r['rate_exc_hz'], '6.1f')} {fmt(r['rate_inh_hz'], '6.1f')} "
              f"{fmt(r['cv_isi_mean'], '5.2f')} {fmt(r['fano_100ms'], '7.2f')} {fmt(r['peak_fraction_5ms'], '7.2f')} "
              f"{fmt(r['waves_simultaneous_mean'], '6.1f')} {fmt(r['wave_diameter_median'], '5.1f')} "
              f"{fmt(r['wave_speed_median'], '5.2f')} {r['simulate_s']:6.1f}")


if __name__ == "__main__":
    main()

"""``ei-maps waves``: simulate the spiking E/I sheet and measure its waves.

Runs :class:`ei_maps.models.wave_sheet.WaveSheet`, writes ``OUT/spikes.nc``
(atomically), computes the wave diagnostics of
:mod:`ei_maps.analysis.waves` and draws snapshots, an animated GIF, a raster
and population rates.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import shutil
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._log import emit
from ..models import WaveSheetConfig
from ..params import add_options, check_declared, declared, param, specs
from .._interrupts import check as check_interrupt
from .._lazy import imported_meanwhile
from ..io import json_safe
from ..provenance import save_result
from ..framework.clitools import fmt, print_figures
from ..framework.registry import Experiment, Preset, Reproduction, SweepSpec
from ..framework.lifecycle import locks_output_folder, make_run_folder
from ..framework.run_folder import begin_run, record_derived_since, record_result

SPIKES_FILE = "spikes.nc"
#: The kind of a wave run (its spikes.nc's ``kind`` attr, its folder's manifest).
KIND = "waves"


@locks_output_folder
def run_waves(config: WaveSheetConfig | None = None, duration_ms: float = 2000.0, transient_ms: float = 200.0,
              out: str | Path = "runs/waves", figures: bool = True, progress: bool = True,
              engine: str = "numba", log=emit) -> dict[str, Any]:
    """Simulate the sheet, save the spikes, and return the wave diagnostics.

    Parameters
    ----------
    config : WaveSheetConfig
        Published parameters (300 x 300 sheet) by default.
    duration_ms : float
        Simulated time [ms].
    transient_ms : float
        Initial time left out of every diagnostic [ms].
    out : str or Path
        Output directory (created, and locked for the call).
    figures : bool
        Also write the snapshots, animated GIF, raster and population-rate figures.
    progress : bool
        Show a progress bar of the simulated time.
    engine : {"numba", "kernel", "synapses"}
        The simulator (see :class:`ei_maps.models.wave_sheet.WaveSheet`): the jitted loop on all cores (no
        Brian2 needed), or Brian2 with jitted spike propagation or with ``Synapses``; the same spikes.
    log : callable
        ``log(text)`` receives progress messages (default: the ``ei_maps`` logger at INFO; ``print`` to see them without configuring logging).

    Returns
    -------
    dict
        The diagnostics (``rate_exc_hz``, ``cv_isi_mean``, ``fano_100ms``,
        ``wave_count``, ``wave_speed_median``, ...) plus timings and file names.
    """
    from .._progress import tqdm

    from ..models import WaveSheet

    from ..resources import check_memory

    config = config or WaveSheetConfig()
    if not (isinstance(duration_ms, (int, float)) and math.isfinite(duration_ms) and duration_ms > 0):
        raise ValueError(f"duration must be a finite number of ms > 0, got {duration_ms!r}")
    if not (isinstance(transient_ms, (int, float)) and math.isfinite(transient_ms) and transient_ms >= 0):
        raise ValueError(f"transient must be a finite number of ms >= 0, got {transient_ms!r}")
    if not duration_ms > transient_ms:
        raise ValueError(f"duration ({duration_ms} ms) must exceed the transient ({transient_ms} ms)")
    if duration_ms - transient_ms < config.dt:
        raise ValueError(f"the {duration_ms:g} ms simulated after the {transient_ms:g} ms transient are shorter than "
                         f"one time step (dt = {config.dt:g} ms): simulate longer")
    check_memory(config.memory_bytes(duration_ms, engine=engine), f"a {config.side} x {config.side} wave sheet for {duration_ms:g} ms")
    out = make_run_folder(out)
    run_id = begin_run(out, KIND, fresh=True, log=log)  # a simulation is never continued: each is a new run
    sheet = WaveSheet(config, engine=engine)
    started = time.perf_counter()
    sheet.build()
    build_s = time.perf_counter() - started
    log(f"built a {config.side} x {config.side} sheet: {sheet.n_exc} E + {sheet.n_inh} I neurons, "
        f"{sheet.n_synapses:,} synapses in {build_s:.1f} s")
    # a sheet on one thread simulates outside the GIL (the serial loop), so the imports of the spike Dataset,
    # the analysis and the figures (0.6-1.3 s) go on meanwhile; beside the parallel loop they would stall its
    # every step. xarray first: the sheet's own result needs it as the run ends. Where Dask is installed, xarray's
    # writer asks it for the active scheduler, importing dask.distributed (0.2 s): last, as it may be absent
    later = (["xarray", "ei_maps.analysis.waves", "h5netcdf"] + (["ei_maps.plotting"] if figures else [])
             + ["dask.distributed"])
    meanwhile = imported_meanwhile(later) if sheet.runs_serially else contextlib.nullcontext()
    started = time.perf_counter()
    done = [0.0]  # fraction of the run simulated, as last reported
    try:
        with meanwhile, tqdm(total=round(duration_ms), unit="ms", disable=not progress, desc="simulating") as bar:
            def report(fraction: float) -> None:
                bar.update(round(fraction * duration_ms) - bar.n)
                done[0] = fraction
                check_interrupt()  # one swallowed while the sheet was built stops the simulation here

            spikes = sheet.run(duration_ms, report=report)
            bar.update(round(duration_ms) - bar.n)
    except KeyboardInterrupt as stop:
        # keep what was simulated: the real time reached when Brian2 stopped, else the last progress report
        reached = getattr(stop, "reached_ms", done[0] * duration_ms)
        partial = sheet.spikes()
        partial = partial.isel(spike=partial["spike_time"].values < reached)
        partial.attrs.update(interrupted_at_ms=reached, duration_ms=reached, requested_duration_ms=duration_ms,
                             partial=1, kind=KIND, run_id=run_id)
        save_result(partial, out / SPIKES_FILE)
        record_result(out, SPIKES_FILE)
        log(f"interrupted after {reached:.0f} of {duration_ms:.0f} ms: the spikes so far are saved, marked "
            f"partial, in {out / SPIKES_FILE}")
        raise
    run_s = time.perf_counter() - started
    n_synapses = sheet.n_synapses
    # the simulation is not needed for the analysis: freeing it first keeps the peak memory down. Brian2's
    # network (about 1 GB at 300 x 300) holds reference cycles, so only a collection frees it; the numba
    # engine's arrays go with their last reference
    del sheet
    if engine != "numba":
        gc.collect()
    from ..analysis.waves import wave_diagnostics  # imported meanwhile, if the sheet ran serially

    summary: dict[str, Any] = dict(wave_diagnostics(spikes, transient_ms=transient_ms))
    summary.update(engine=engine, side=config.side, duration_ms=duration_ms, transient_ms=transient_ms,
                   n_synapses=n_synapses, build_seconds=round(build_s, 2),
                   simulate_seconds=round(run_s, 2), n_spikes=int(spikes.sizes["spike"]), out=str(out))
    summary = json_safe(summary)
    spikes.attrs.update(summary=json.dumps(summary), kind=KIND, run_id=run_id)
    save_result(spikes, out / SPIKES_FILE)
    record_result(out, SPIKES_FILE)
    if figures:
        drawing = time.time()
        try:
            summary["figures"] = [str(p) for p in write_wave_figures(spikes, out, transient_ms)]
        finally:  # those drawn before a failure or a Ctrl-C belong to this result too
            record_derived_since(out, drawing)
    return summary


def write_wave_figures(spikes, out: Path, transient_ms: float = 200.0) -> list[Path]:
    """Snapshots, animated GIF, raster and population rate of a spike Dataset."""
    from .. import plotting
    from ..analysis.waves import activity_movie, population_rate

    end = float(spikes.attrs["duration_ms"])
    start = min(transient_ms, max(0.0, end - 100.0))
    written = []
    # a site holds one excitatory neuron, which spikes at most once a step: in uint8 while a frame has at most
    # 255 steps, a fourth of int32's memory (27 MB for the published sheet's 300 frames)
    counts = "uint8" if 2.0 / float(spikes.attrs["dt_ms"]) <= 255 else "int32"
    movie = activity_movie(spikes, frame_ms=1.0, start_ms=start, stop_ms=min(end, start + 300.0), dtype=counts)
    snap = activity_movie(spikes, frame_ms=2.0, start_ms=start, stop_ms=min(end, start + 40.0), dtype=counts)
    written.append(plotting.save_figure(plotting.plot_wave_snapshots(
        snap, n_frames=8, title="excitatory spikes on the sheet (2 ms frames)"), out / "snapshots.png"))
    written.append(plotting.save_wave_gif(movie, out / "waves.gif", fps=20,
                                          scale=max(1, 300 // spikes.attrs["side"])))
    written.append(plotting.save_figure(plotting.plot_raster(
        spikes["spike_time"].values, spikes["spike_neuron"].values, spikes["neuron_is_exc"].values,
        start_ms=start, stop_ms=min(end, start + 1000.0), title="spike raster"), out / "raster.png"))
    written.append(plotting.save_figure(plotting.plot_population_rate(
        population_rate(spikes, bin_ms=1.0), title="population rates"), out / "rates.png"))
    return written


# ---------------------------------------------------------------------------- the experiment
def cli_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ei-maps waves``."""
    p.add_argument("--duration", type=float, default=2000.0, dest="duration_ms", help="simulated time (ms)")
    p.add_argument("--transient", type=float, default=200.0, dest="transient_ms",
                   help="initial time left out of the statistics (ms)")
    sheet = p.add_argument_group("the sheet (Keane & Gong 2015's published values)")
    add_options(sheet, WaveSheetConfig, defaults=(WaveSheetConfig(),), concrete=True)
    p.add_argument("--engine", choices=("numba", "kernel", "synapses"), default="numba",
                   help="simulator: numba (jitted loop on all cores, no Brian2 needed; default), kernel (Brian2 "
                        "with jitted spike propagation, one core) or synapses (Brian2 Synapses, slowest); all "
                        "give the same spikes")
    p.add_argument("--out", default="runs/waves", help="output directory")


def run_from_args(args: argparse.Namespace, log) -> dict[str, Any]:
    """``ei-maps waves``."""
    config = WaveSheetConfig(**{name: getattr(args, name) for name in specs(WaveSheetConfig)})
    return run_waves(config, duration_ms=args.duration_ms, transient_ms=args.transient_ms, out=args.out,
                     figures=not args.no_figures, progress=not args.no_progress, engine=args.engine,
                     log=log)


def print_summary(summary: dict) -> None:
    print(f"{summary['side']} x {summary['side']} sheet, {summary['duration_ms']:.0f} ms simulated in "
          f"{summary['simulate_seconds']:.1f} s (build {summary['build_seconds']:.1f} s) -> {summary['out']}/spikes.nc")
    print(f"  rates: E {fmt(summary['rate_exc_hz'], 1)} Hz, I {fmt(summary['rate_inh_hz'], 1)} Hz; "
          f"CV(ISI) {fmt(summary['cv_isi_mean'])}; Fano 50/100/500 ms {fmt(summary['fano_50ms'])}/"
          f"{fmt(summary['fano_100ms'])}/{fmt(summary['fano_500ms'])}")
    print(f"  waves: {summary['wave_count']}, median diameter {fmt(summary['wave_diameter_median'], 1)} sites, "
          f"median speed {fmt(summary['wave_speed_median'])} sites/ms")
    corr = summary.get("correlation_by_distance") or {}
    print("  spike-count correlation by distance: "
          + ", ".join(f"{d}: {fmt(v)}" for d, v in corr.items()))
    print_figures(summary)


#: What ``ei-maps sweep waves`` reports per configuration.
SWEEP_MEASURES = ("rate_exc_hz", "rate_inh_hz", "cv_isi_mean", "fano_100ms", "wave_count", "wave_speed_median")


@declared
@dataclass(frozen=True)
class SweepRun:
    """How long each run of ``ei-maps sweep waves`` simulates, and how much of it is left out as transient.

    Parameters
    ----------
    """

    duration_ms: float | None = param(None, "simulated time of each run", "ms", low=0, low_open=True,
                                      optional=True, none_means="the sweep's --steps time steps, or 1000 ms")
    transient_ms: float | None = param(None, "initial time left out of the statistics", "ms", low=0,
                                       optional=True, none_means="a fifth of the duration, at most 200 ms")

    def __post_init__(self) -> None:
        check_declared(self)


def _sweep_run(config: WaveSheetConfig, train_config, seed: int, steps: int | None, out: Path,
               extra: SweepRun) -> dict[str, Any]:
    duration = extra.duration_ms or (1000.0 if steps is None else steps * config.dt)
    transient = min(200.0, duration / 5) if extra.transient_ms is None else extra.transient_ms
    s = run_waves(config.replace(seed=seed), duration_ms=duration, transient_ms=transient, out=out,
                  figures=False, progress=False, log=lambda m: None)
    return {k: s.get(k) for k in SWEEP_MEASURES}


# ---------------------------------------------------------------------------- ei-maps reproduce
#: The Keane & Gong (2015) statistics of the published 300 x 300 sheet (docs/waves.md's targets).
KEANE_GONG = {"rate_exc_hz": 20.0, "rate_inh_hz": 20.0, "cv_isi_mean": 0.9, "fano_100ms": 1.0,
              "wave_diameter_median": 18.0, "wave_speed_median": 1.9}
KEANE_GONG_CORRELATION = {1: 0.9, 2: 0.8, 4: 0.6, 8: 0.3, 16: 0.0}


def _reproduce_settings(quick: bool) -> dict[str, Any]:
    """The waves part's own settings of ``ei-maps reproduce``: none (the presets paper, quick say it all)."""
    return {}


#: The published sheet and a small one (``ei-maps reproduce``, ``ei-maps sweep waves --preset``).
PRESETS = (Preset("paper", "the published 300 x 300 sheet for 2 s", {"side": 300},
                  {"duration_ms": 2000.0, "transient_ms": 200.0}),
           Preset("quick", "a 60 x 60 sheet for 300 ms (100 ms transient)", {"side": 60},
                  {"duration_ms": 300.0, "transient_ms": 100.0}))


def _reproduce(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    """``ei-maps reproduce``'s waves part: run it at the settings ``s`` into ``folder``, measure, compare."""
    from ..framework.reproduce import row, pngs
    from ..models import WaveSheetConfig

    if folder.is_dir():  # a simulation is not continued: it is redone
        shutil.rmtree(folder)
    summary = run_waves(WaveSheetConfig(side=s["side"]), duration_ms=s["duration_ms"],
                        transient_ms=s["transient_ms"], out=folder, figures=True, progress=progress, log=log)
    source = "Keane & Gong (2015), published 300 x 300 sheet"
    labels = {"rate_exc_hz": "E rate [Hz]", "rate_inh_hz": "I rate [Hz]", "cv_isi_mean": "mean CV of ISI",
              "fano_100ms": "Fano factor (100 ms)", "wave_diameter_median": "front diameter (median) [sites]",
              "wave_speed_median": "front speed (median) [sites/ms]"}
    rows = [row(label, summary.get(k), KEANE_GONG[k], source) for k, label in labels.items()]
    rows.append(row("wave fronts at once (mean)", summary.get("waves_simultaneous_mean")))
    for d, v in (summary.get("correlation_by_distance") or {}).items():
        try:
            distance = int(str(d).lstrip(">= ").split()[0])
        except (ValueError, IndexError):
            distance = None
        rows.append(row(f"spike-count correlation at {d} sites", v, KEANE_GONG_CORRELATION.get(distance),
                         source if distance in KEANE_GONG_CORRELATION else ""))
    return {"rows": rows, "figures": pngs(summary.get("figures", [])),
            "notes": ["the quick sheet is smaller and shorter than the published one: its statistics are rougher"
                      if s["side"] < 300 else ""]}


REPRODUCTION = Reproduction(
    part="waves", order=4, title="Spiking waves: the Keane & Gong (2015) conductance-LIF E/I sheet",
    settings=_reproduce_settings, run=_reproduce, result_file="spikes.nc")


EXPERIMENT = Experiment(
    name=KIND, kinds=(KIND,), help="spiking E/I sheet: propagating waves and their statistics",
    presets=PRESETS,
    reproduction=REPRODUCTION,
    command=("waves",), arguments=cli_arguments, run_from_args=run_from_args, print_summary=print_summary,
    sweep=SweepSpec(defaults=lambda: (WaveSheetConfig(), None), measures=SWEEP_MEASURES, run=_sweep_run,
                    extra=SweepRun))

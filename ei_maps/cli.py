"""The ``ei-maps`` command.

Prints human-readable summaries; with ``--json`` it prints exactly one JSON
object on stdout (progress bars and messages go to stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from .config import PAPER_TEXT_MODEL, PAPER_TOUCH_MODEL, LIFCodingConfig, LIFConfig, ModelConfig, TextTrainConfig, TouchTrainConfig, TrainConfig
from .io import json_safe
from .models import UnstableDynamicsError
from .experiments.images import PRESETS, MapCollapseError
from .models.lif import MissingBrian2Error
from .stimuli.text import MissingTextExtraError


def _add_model_options(p: argparse.ArgumentParser, defaults: ModelConfig, lif: LIFCodingConfig) -> None:
    g = p.add_argument_group("model (paper defaults; where two are given: activation model / --model lif)")
    g.add_argument("--side", type=int, default=None, help=f"grid side L (default {defaults.side} / {lif.side})")
    g.add_argument("--r-exc", type=int, default=None,
                   help=f"excitatory radius (default {defaults.r_exc} / {lif.r_exc:g})")
    g.add_argument("--r-inh", type=int, default=None,
                   help=f"inhibitory radius (default {defaults.r_inh} / {lif.r_inh:g})")
    g.add_argument("--w-exc", type=float, default=None,
                   help=f"excitatory kernel sum (default {defaults.w_exc:g} / {lif.w_exc:g} per ms)")
    g.add_argument("--w-inh", type=float, default=None,
                   help=f"inhibitory kernel sum (default {defaults.w_inh:g} / {lif.w_inh:g} per ms)")
    g.add_argument("--sigma2", type=float, default=None,
                   help=f"variance of the excitatory Gaussian, grid units^2 (default {defaults.sigma2:g} / "
                        f"{lif.sigma2:g})")
    g.add_argument("--boundary", choices=("zero", "periodic"), default=None,
                   help=f"sheet edges (default {defaults.boundary}, as published / {lif.boundary})")
    g.add_argument("--model-seed", type=int, default=None,
                   help="seed of the dictionary initialisation (default: --seed)")
    a = p.add_argument_group("activation model only")
    a.add_argument("--lam", type=float, default=None, help=f"soft threshold (default {defaults.lam:g})")
    a.add_argument("--eta", type=float, default=None, help=f"dynamics step (default {defaults.eta:g})")
    a.add_argument("--target-sparsity", type=float, default=None,
                   help="adapt lam towards this fraction of active units (default: fixed lam)")
    a.add_argument("--dtype", choices=("float32", "float64"), default=None,
                   help=f"floating type (default {defaults.dtype})")
    a.add_argument("--leak", type=float, default=None, help="leak of both sheets (default w_exc + w_inh)")
    a.add_argument("--max-iter", type=int, default=None,
                   help=f"most settling updates per stimulus (default {defaults.max_iter})")
    a.add_argument("--code-scale", type=float, default=None,
                   help="scale of the code in the learning step's reconstruction (default min(1, (40/side)^2), "
                        "which keeps larger sheets from collapsing)")
    a.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="a named parameter set (options given explicitly win): " + "; ".join(
                       f"{name}: {text}" for name, (text, _, _) in sorted(PRESETS.items())))
    s = p.add_argument_group("spiking sheet only (--model lif)")
    s.add_argument("--target-rate", type=float, default=None,
                   help=f"target activity, spikes per neuron per window over all neurons (default "
                        f"{lif.target_rate:g}, the paper's)")
    s.add_argument("--inh-every", type=int, default=None,
                   help=f"one site in N is inhibitory (default {lif.inh_every})")
    s.add_argument("--engine", choices=("numba", "brian2", "numpy"), default=None,
                   help="simulator: a jitted loop (default), Brian2 (the same spikes, 2.6x slower; needs the lif "
                        "extra) or plain NumPy (slow)")
    s.add_argument("--probe-repeats", type=int, default=None,
                   help="presentations of every +/- delta probe when mapping receptive fields (default 32)")


_ACTIVATION_ONLY = ("lam", "eta", "target_sparsity", "dtype", "leak", "max_iter", "code_scale", "preset")
_LIF_ONLY = ("target_rate", "inh_every", "probe_repeats")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ei-maps",
        description="Topographic maps from networks of excitatory and inhibitory neurons.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train a map")
    kinds = train.add_subparsers(dest="kind", metavar="KIND")
    images = kinds.add_parser("images", help="natural-image patches -> orientation map (paper Fig. 2)",
                              formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    t = TrainConfig()
    from .experiments.images_lif import LIF_TRAIN

    images.add_argument("--model", choices=("activation", "lif"), default="activation",
                        help="the E/I activation model, or the spiking LIF sheet (Brian2; paper appendix)")
    images.add_argument("--steps", type=int, default=None,
                        help=f"gradient steps (default {t.steps} / {LIF_TRAIN.steps} with --model lif)")
    images.add_argument("--batch", type=int, default=None,
                        help=f"patches per step (default {t.batch} / {LIF_TRAIN.batch})")
    images.add_argument("--lr", type=float, default=None, help=f"learning rate (default {t.lr:g} / {LIF_TRAIN.lr:g})")
    images.add_argument("--seed", type=int, default=t.seed, help="seed of patches and dictionary")
    images.add_argument("--patch-size", type=int, default=t.patch_size, help="patch side in pixels")
    images.add_argument("--images", default=None,
                        help="IMAGES.mat (Olshausen) or a folder of PNG/JPEG/TIFF photographs "
                             "(default: photographs bundled with scikit-image)")
    images.add_argument("--no-whiten", action="store_true",
                        help="do not whiten the photographs (IMAGES.mat is already whitened)")
    images.add_argument("--out", default=None, help="run directory (default runs/images, or runs/images-lif)")
    images.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    images.add_argument("--checkpoint-every", type=int, default=None,
                        help=f"steps between checkpoints (default {t.checkpoint_every} / {LIF_TRAIN.checkpoint_every})")
    images.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    images.add_argument("--no-progress", action="store_true", help="no progress bar")
    images.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    _add_model_options(images, ModelConfig(), LIFCodingConfig())

    text = kinds.add_parser("text", help="word vectors -> 2-D map of word meaning (paper's text experiment)",
                            formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    tt, tm = TextTrainConfig(), PAPER_TEXT_MODEL
    text.add_argument("--steps", type=int, default=tt.steps, help="gradient steps")
    text.add_argument("--batch", type=int, default=tt.batch, help="words per step (sampled by frequency)")
    text.add_argument("--lr", type=float, default=tt.lr, help="learning rate")
    text.add_argument("--seed", type=int, default=tt.seed, help="seed of the word sampler and dictionary")
    text.add_argument("--n-words", type=int, default=tt.n_words, help="vocabulary size (most frequent words)")
    text.add_argument("--embeddings", default=None,
                      help="GloVe or word2vec text file (e.g. glove.6B.100d.txt, the paper's choice; default: the "
                           "bundled GloVe 6B 50-d vectors of the text extra)")
    text.add_argument("--keep-outlier-dimensions", action="store_true",
                      help="keep embedding coordinates whose mean |value| is an outlier (dropped by default, as published)")
    text.add_argument("--side", type=int, default=tm.side, help="grid side L")
    text.add_argument("--target-sparsity", type=float, default=tm.target_sparsity,
                      help="lam adapts towards this fraction of active units")
    text.add_argument("--boundary", choices=("zero", "periodic"), default=tm.boundary, help="sheet edges")
    text.add_argument("--out", default="runs/text", help="run directory")
    text.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    text.add_argument("--checkpoint-every", type=int, default=tt.checkpoint_every, help="steps between checkpoints")
    text.add_argument("--no-figures", action="store_true", help="skip the figures and the HTML map")
    text.add_argument("--no-progress", action="store_true", help="no progress bar")
    text.add_argument("--json", action="store_true", help="print one JSON summary on stdout")

    touch = kinds.add_parser("touch", help="synthetic hand -> somatotopic map, then a manipulation and plasticity",
                             formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ct, cm = TouchTrainConfig(), PAPER_TOUCH_MODEL
    touch.add_argument("--manipulation", default=ct.manipulation,
                       help="after the first phase: deprive:F (the paper: every class touching finger F stops), "
                            "silence:F (F's receptors carry only noise), remove_pair:F,G (a co-activation class "
                            "stops), syndactyly:F,G (two fingers always touched together), none")
    touch.add_argument("--steps", type=int, default=ct.steps, help="steps before the manipulation")
    touch.add_argument("--after-steps", type=int, default=ct.after_steps, help="steps after it")
    touch.add_argument("--batch", type=int, default=ct.batch, help="stimuli per step")
    touch.add_argument("--lr", type=float, default=ct.lr, help="learning rate")
    touch.add_argument("--seed", type=int, default=ct.seed, help="seed of the touches and the dictionary")
    touch.add_argument("--probe-samples", type=int, default=ct.probe_samples,
                       help="stimuli per class when measuring mean responses")
    touch.add_argument("--sample-set", type=int, default=ct.sample_set,
                       help="batches are drawn with replacement from one fixed set of this many stimuli (the "
                            "paper's); 0: fresh stimuli for every batch")
    touch.add_argument("--touch-noise", choices=("replace", "add"), default="replace",
                       help="a touched receptor's value replaces its noise (the paper's), or the noise is added")
    touch.add_argument("--territory-fraction", type=float, default=ct.territory_fraction,
                       help="a unit is in a finger's territory when its response, of the class's sign, exceeds "
                            "this fraction of the class's peak before the manipulation")
    touch.add_argument("--lam", type=float, default=cm.lam, help="initial soft threshold (then adapted)")
    touch.add_argument("--side", type=int, default=cm.side, help="grid side L")
    touch.add_argument("--r-exc", type=int, default=cm.r_exc, help="excitatory radius")
    touch.add_argument("--r-inh", type=int, default=cm.r_inh, help="inhibitory radius")
    touch.add_argument("--w-exc", type=float, default=cm.w_exc, help="excitatory kernel sum")
    touch.add_argument("--w-inh", type=float, default=cm.w_inh, help="inhibitory kernel sum")
    touch.add_argument("--sigma2", type=float, default=cm.sigma2, help="variance of the excitatory Gaussian")
    touch.add_argument("--target-sparsity", type=float, default=cm.target_sparsity,
                       help="lam adapts towards this fraction of active units")
    touch.add_argument("--pairs", default="1+2,1+3", help="co-activated finger pairs ('' for none)")
    touch.add_argument("--noise", type=float, default=0.3, help="receptor noise (standard deviation)")
    touch.add_argument("--sweep-w-inh", default=None, metavar="VALUES",
                       help="instead of one run: one per w_inh value (comma-separated), reporting how much the "
                            "map reorganises against inhibition (out/sweep.nc, out/sweep.png)")
    touch.add_argument("--sweep-w-exc", default=None, metavar="VALUES",
                       help="with --sweep-w-inh: also sweep w_exc (comma-separated)")
    touch.add_argument("--out", default=None, help="run directory (default runs/touch, or runs/touch-sweep)")
    touch.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    touch.add_argument("--checkpoint-every", type=int, default=ct.checkpoint_every, help="steps between checkpoints")
    touch.add_argument("--no-figures", action="store_true", help="skip the figures")
    touch.add_argument("--no-progress", action="store_true", help="no progress bar")
    touch.add_argument("--json", action="store_true", help="print one JSON summary on stdout")

    sw = sub.add_parser("sweep", help="train and analyse a grid of parameters on Dask (local or a cluster)",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sw.add_argument("kind", choices=("images", "touch", "waves"), help="which experiment to sweep")
    sw.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...",
                    help="a swept parameter and its values (repeat for a grid), e.g. --param w_inh=2,5,8")
    sw.add_argument("--steps", type=int, default=None, help="training steps per configuration (default: the kind's)")
    sw.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 per configuration")
    sw.add_argument("--out", default="runs/sweep", help="sweep directory (sweep.nc, one folder per run, figures)")
    sw.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (default: local cluster)")
    sw.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    sw.add_argument("--no-figures", action="store_true", help="skip the heatmaps")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument("--json", action="store_true", help="print one JSON summary on stdout")

    analyze = sub.add_parser("analyze", help="orientation map, pinwheels and topography of a trained run",
                             formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    analyze.add_argument("run_dir", metavar="RUN_DIR", help="run directory holding run.nc")
    analyze.add_argument("--method", choices=("gratings", "fields"), default="gratings",
                         help="orientation preference from gratings through the settled dynamics, "
                              "or from the receptive fields (fast)")
    analyze.add_argument("--permutations", type=int, default=199, help="permutations for the Mantel p-value")
    analyze.add_argument("--territory-fraction", type=float, default=None,
                         help="touch runs: territory criterion as a fraction of each class's peak (default: the "
                              "run's own)")
    analyze.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    analyze.add_argument("--json", action="store_true", help="print one JSON summary on stdout")

    lif = LIFConfig()
    waves = sub.add_parser("waves", help="spiking E/I sheet (Brian2): propagating waves and their statistics",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    waves.add_argument("--side", type=int, default=lif.side, help="sheet side (sites, torus)")
    waves.add_argument("--duration", type=float, default=2000.0, help="simulated time (ms)")
    waves.add_argument("--transient", type=float, default=200.0, help="initial time left out of the statistics (ms)")
    waves.add_argument("--w-exc", type=float, default=lif.w_exc, help="peak excitatory weight W_E(0)")
    waves.add_argument("--w-inh", type=float, default=lif.w_inh, help="inhibitory weight W_I")
    waves.add_argument("--radius", type=float, default=lif.radius, help="connection radius (sites)")
    waves.add_argument("--seed", type=int, default=lif.seed, help="seed of the initial potentials")
    waves.add_argument("--engine", choices=("kernel", "synapses"), default="kernel",
                       help="spike propagation: jitted kernel, or Brian2 Synapses (slower; the same spikes)")
    waves.add_argument("--out", default="runs/waves", help="output directory")
    waves.add_argument("--no-figures", action="store_true", help="skip figures and the GIF")
    waves.add_argument("--no-progress", action="store_true", help="no progress bar")
    waves.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    return parser


def _given(args: argparse.Namespace, names: Sequence[str]) -> dict:
    return {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}


def _train_images(args: argparse.Namespace) -> dict:
    lif = args.model == "lif"
    wrong = [k for k in (_ACTIVATION_ONLY if lif else _LIF_ONLY) if getattr(args, k) is not None]
    if not lif and args.engine is not None:
        wrong.append("engine")
    if wrong:
        flags = ", ".join("--" + k.replace("_", "-") for k in wrong)
        raise ValueError(f"{flags} do(es) not apply to --model {args.model}")
    seed = args.seed if args.model_seed is None else args.model_seed
    shared = _given(args, ("side", "r_exc", "r_inh", "w_exc", "w_inh", "sigma2", "boundary"))
    from .experiments.images_lif import LIF_TRAIN

    base_train = LIF_TRAIN if lif else TrainConfig()
    train = base_train.replace(seed=args.seed, patch_size=args.patch_size, images=args.images,
                               whiten=not args.no_whiten,
                               **_given(args, ("steps", "batch", "lr", "checkpoint_every")))
    log = (lambda msg: print(msg, file=sys.stderr))
    out = args.out or ("runs/images-lif" if lif else "runs/images")
    if lif:
        from .experiments.images_lif import PROBE_REPEATS, train_images_lif

        config = LIFCodingConfig(seed=seed, n_inputs=args.patch_size**2, **shared,
                                 **_given(args, ("target_rate", "inh_every")))
        ds = train_images_lif(config, train, engine=args.engine or "numba", out=out, resume=args.resume,
                              progress=not args.no_progress, figures=not args.no_figures,
                              probe_repeats=args.probe_repeats or PROBE_REPEATS, log=log)
    else:
        from .experiments.images import train_images

        _, preset_model, preset_train = PRESETS[args.preset] if args.preset else ("", {}, {})
        model = ModelConfig(**{**preset_model, "seed": seed, "n_inputs": args.patch_size**2, **shared,
                               **_given(args, tuple(k for k in _ACTIVATION_ONLY if k != "preset"))})
        train = train.replace(**{k: v for k, v in preset_train.items()
                                 if getattr(args, k, None) is None})
        ds = train_images(model, train, out=out, resume=args.resume, progress=not args.no_progress,
                          figures=not args.no_figures, log=log)
    return json.loads(ds.attrs["summary"])


def _train_text(args: argparse.Namespace) -> dict:
    from .experiments.text import train_text

    model = PAPER_TEXT_MODEL.replace(side=args.side, target_sparsity=args.target_sparsity, boundary=args.boundary,
                                     seed=args.seed)
    train = TextTrainConfig(steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed, n_words=args.n_words,
                            embeddings=args.embeddings, drop_outliers=not args.keep_outlier_dimensions,
                            checkpoint_every=args.checkpoint_every)
    ds = train_text(model, train, out=args.out, resume=args.resume, progress=not args.no_progress,
                    figures=not args.no_figures, log=lambda msg: print(msg, file=sys.stderr))
    return json.loads(ds.attrs["summary"])


def _floats(text: str, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise ValueError(f"{option} takes comma-separated numbers, got {text!r}") from err
    if not values:
        raise ValueError(f"{option} needs at least one value")
    return values


def _train_touch(args: argparse.Namespace) -> dict:
    from .experiments.touch import sweep_inhibition, train_touch
    from .stimuli.touch import HandConfig

    pairs = []
    for item in (p for p in args.pairs.split(",") if p.strip()):
        try:
            a, b = (int(f) for f in item.split("+"))
        except ValueError as err:
            raise ValueError(f"--pairs takes items like 1+2, got {item!r}") from err
        pairs.append((a, b))
    # keep the paper's class probabilities: 0.10 per pair, the rest shared by the single fingers
    single = (1.0 - 0.10 * len(pairs)) / 5
    hand = HandConfig(pairs=tuple(pairs), noise=args.noise, single_probability=single, touch_noise=args.touch_noise)
    model = PAPER_TOUCH_MODEL.replace(side=args.side, r_exc=args.r_exc, r_inh=args.r_inh, w_exc=args.w_exc,
                                      w_inh=args.w_inh, sigma2=args.sigma2, target_sparsity=args.target_sparsity,
                                      lam=args.lam, seed=args.seed)
    train = TouchTrainConfig(steps=args.steps, after_steps=args.after_steps, batch=args.batch, lr=args.lr,
                             seed=args.seed, manipulation=args.manipulation, probe_samples=args.probe_samples,
                             sample_set=args.sample_set, territory_fraction=args.territory_fraction,
                             checkpoint_every=args.checkpoint_every)
    log = (lambda msg: print(msg, file=sys.stderr))
    if args.sweep_w_inh is not None:
        w_exc = _floats(args.sweep_w_exc, "--sweep-w-exc") if args.sweep_w_exc else None
        sweep = sweep_inhibition(_floats(args.sweep_w_inh, "--sweep-w-inh"), w_exc, model, hand, train,
                                 out=args.out or "runs/touch-sweep", progress=not args.no_progress, log=log)
        return {"kind": "touch_sweep", "out": args.out or "runs/touch-sweep",
                **{k: {f"w_exc={e:g},w_inh={i:g}": float(sweep[k].sel(w_exc=e, w_inh=i))
                       for e in sweep["w_exc"].values for i in sweep["w_inh"].values} for k in sweep.data_vars}}
    elif args.sweep_w_exc:
        raise ValueError("--sweep-w-exc needs --sweep-w-inh")
    ds = train_touch(model, hand, train, out=args.out or "runs/touch", resume=args.resume,
                     progress=not args.no_progress, figures=not args.no_figures, log=log)
    return json.loads(ds.attrs["summary"])


def _sweep(args: argparse.Namespace) -> dict:
    from .experiments.sweep import summarise, sweep

    params = {}
    for item in args.param:
        name, sep, values = item.partition("=")
        if not sep or not name or not values:
            raise ValueError(f"--param takes NAME=V1,V2,..., got {item!r}")
        parsed = []
        for v in values.split(","):
            try:
                parsed.append(int(v) if v.strip().lstrip("-").isdigit() else float(v))
            except ValueError:
                parsed.append(v.strip())
        params[name.strip().replace("-", "_")] = parsed
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    result = sweep(args.kind, params, steps=args.steps, seeds=args.seeds, out=args.out, scheduler=args.scheduler,
                   workers=args.workers, progress=not args.no_progress, figures=not args.no_figures,
                   log=lambda msg: print(msg, file=sys.stderr))
    return {"out": args.out, **summarise(result)}


def _analyze(args: argparse.Namespace) -> dict:
    from .experiments.analyze import analyze_run

    if args.permutations < 1:
        raise ValueError(f"--permutations must be >= 1, got {args.permutations}")
    return analyze_run(args.run_dir, n_permutations=args.permutations, figures=not args.no_figures,
                       gratings=args.method == "gratings", territory_fraction=args.territory_fraction)


def _waves(args: argparse.Namespace) -> dict:
    from .experiments.waves import run_waves

    config = LIFConfig(side=args.side, w_exc=args.w_exc, w_inh=args.w_inh, radius=args.radius, seed=args.seed)
    return run_waves(config, duration_ms=args.duration, transient_ms=args.transient, out=args.out,
                     figures=not args.no_figures, progress=not args.no_progress, engine=args.engine,
                     log=lambda msg: print(msg, file=sys.stderr))


def _print_waves(summary: dict) -> None:
    print(f"{summary['side']} x {summary['side']} sheet, {summary['duration_ms']:.0f} ms simulated in "
          f"{summary['simulate_seconds']:.1f} s (build {summary['build_seconds']:.1f} s) -> {summary['out']}/spikes.nc")
    print(f"  rates: E {_fmt(summary['rate_exc_hz'], 1)} Hz, I {_fmt(summary['rate_inh_hz'], 1)} Hz; "
          f"CV(ISI) {_fmt(summary['cv_isi_mean'])}; Fano 50/100/500 ms {_fmt(summary['fano_50ms'])}/"
          f"{_fmt(summary['fano_100ms'])}/{_fmt(summary['fano_500ms'])}")
    print(f"  waves: {summary['wave_count']}, median diameter {_fmt(summary['wave_diameter_median'], 1)} sites, "
          f"median speed {_fmt(summary['wave_speed_median'])} sites/ms")
    corr = summary.get("correlation_by_distance") or {}
    print("  spike-count correlation by distance: "
          + ", ".join(f"{d}: {_fmt(v)}" for d, v in corr.items()))
    for f in summary.get("figures", []):
        print(f"  figure: {f}")


def _fmt(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _print_analysis(summary: dict) -> None:
    o, p, t = summary["orientation"], summary["pinwheels"], summary["topography"]
    lo, hi = p["density_interval"]
    print(f"orientation map of {summary['run']} ({o['method']}): median selectivity {_fmt(o['selectivity_median'], 3)}")
    w = summary.get("column_spacing_wavelet", {})
    spacing = (f"column spacing {_fmt(summary['column_spacing'])} units "
               f"({_fmt(summary.get('column_spacing_cycles_per_map'), 1)} per map)" if summary["column_spacing_fit_ok"]
               else "no column spacing (no ring in the spectrum)")
    print(f"  pinwheels: {p['count']} (+1/2: {p['n_plus']}, -1/2: {p['n_minus']}) in {p['area']:.0f} units^2; "
          f"{spacing}; local (wavelet) spacing {_fmt(w.get('mean'))} units on {_fmt(w.get('accepted_fraction'))} "
          f"of the map")
    if summary.get("predicted_wavelength") is not None:
        print(f"  E/I interactions predict a wavelength of {_fmt(summary['predicted_wavelength'])} units")
    if summary["column_spacing_fit_ok"]:
        print(f"  pinwheel density {_fmt(p['density'])} per column spacing^2 (95% {_fmt(lo)}-{_fmt(hi)}; "
              f"cortex: ~3.1 = pi), {_fmt(p.get('density_plateau'))} on the low-pass filtered map "
              f"(plateau {_fmt(p.get('plateau_count'), 0)} pinwheels); map quality {_fmt(p['quality'])}")
    print(f"  adjacent units differ by {_fmt(t['neighbor_orientation_diff_deg'], 1)} deg (random map: 45); "
          f"Spearman(cortical, RF distance) {_fmt(t['distance_spearman'], 3)}, Mantel p = {_fmt(t['mantel_p'], 3)}")
    for f in summary.get("figures", []):
        print(f"  figure: {f}")


def _print_sweep(summary: dict) -> None:
    print(f"{summary['kind']} sweep -> {summary['out']}/sweep.nc: {summary['done']} of {summary['configurations']} "
          f"configurations done, {summary['failed']} failed; wall {_fmt(summary['wall_seconds'], 1)} s "
          f"(tasks {_fmt(summary['task_seconds_total'], 1)} s)")
    for f in summary["failures"][:5]:
        print(f"  failed: {f}")
    for label in ("best", "worst"):
        if label in summary:
            print(f"  {label}: {summary[label]}")


def _print_touch(summary: dict) -> None:
    if summary["kind"] == "touch_sweep":
        print(f"sweep written to {summary['out']}/sweep.nc and sweep.png")
        for key in ("reorganization", "deprived_size_ratio", "components_before"):
            print(f"  {key}: " + ", ".join(f"{k}: {_fmt(v)}" for k, v in summary[key].items()))
        return
    print(f"touch map, manipulation {summary['manipulation']}" + (f" -> {summary['out']}/run.nc" if "out" in summary else "")
          + (f" ({summary['train_seconds']:.0f} s of training)" if "train_seconds" in summary else ""))
    print(f"  territories (response of the class's sign above {summary['territory_fraction']:g} of its peak "
          f"before; units, components, sign):")
    for phase, terr in summary["territories"].items():
        print(f"    {phase:6s} " + "; ".join(f"{f}: {t['size']} u, {t['components']} c, {'+' if t['sign'] >= 0 else '-'}"
                                           for f, t in terr.items()))
    print(f"  reorganization: {_fmt(summary['reorganization'])} of territory units changed finger")
    if summary.get("deprived"):
        d = summary["deprived"]
        print(f"  finger {d['finger']}: territory {d['size_before']} -> {d['size_after']} units "
              f"(x{_fmt(d['size_ratio'])}), peak response x{_fmt(d['peak_ratio'])}; others' growth "
              + ", ".join(f"{f}: {g:+d}" for f, g in d["growth"].items()))
    a = summary["argmax"]
    print("  argmax view (responsive units): boundary fraction "
          + ", ".join(f"{p} {_fmt(a[p]['boundary_fraction'])}" for p in a)
          + "; patches per finger " + ", ".join(f"{p} {_fmt(a[p]['mean_patches'], 1)}" for p in a))
    for f in summary.get("figures", []):
        print(f"  figure: {f}")


def _print_text_summary(summary: dict) -> None:
    rate = f"{summary['ms_per_step']:.1f} ms/step" if summary["ms_per_step"] is not None else "no new steps"
    print(f"trained {summary['steps']} steps on {summary['n_words']} words ({summary['n_inputs']} dimensions) in "
          f"{summary['train_seconds']:.1f} s ({rate}) -> {summary['out']}/run.nc")
    if "final_sparsity" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, active fraction {summary['final_sparsity']:.3f}, "
              f"lam {summary['lam']:.4g}")
    print(f"  adjacent units' preferred words: cosine {_fmt(summary['semantic_neighbor_similarity'], 3)} vs random "
          f"{_fmt(summary['semantic_random_similarity'], 3)}")
    for region, words in list(summary.get("region_words", {}).items())[:4]:
        print(f"  region {region}: {', '.join(words)}")
    for f in summary.get("figures", []):
        print(f"  figure: {f}")


def _print_text_analysis(summary: dict) -> None:
    s, t, d = summary["semantic"], summary["topography"], summary["distortion"]
    print(f"word map of {summary['run']}:")
    print(f"  adjacent units' preferred words: cosine {_fmt(s['neighbor_similarity'], 3)} vs random "
          f"{_fmt(s['random_similarity'], 3)}")
    print(f"  trustworthiness {_fmt(t['trustworthiness'], 3)}; distortion (Spearman with embedding distances, "
          f"{d['n_words']} words): activation patterns {_fmt(d['map_spearman'], 3)}, map positions "
          f"{_fmt(d['position_spearman'], 3)}, t-SNE {_fmt(d['tsne_spearman'], 3)}, PCA {_fmt(d['pca_spearman'], 3)}")


def _print_summary(summary: dict) -> None:
    rate = f"{summary['ms_per_step']:.1f} ms/step" if summary["ms_per_step"] is not None else "no new steps"
    print(f"trained {summary['steps']} steps in {summary['train_seconds']:.1f} s ({rate}) -> {summary['out']}/run.nc")
    if "final_rate" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, firing rate {summary['final_rate']:.4f} spikes/neuron/step, "
              f"active fraction {summary['final_active']:.3f}, threshold {summary['threshold']:.2f} mV; "
              f"dictionary updated on {100 * summary['updated_fraction']:.0f}% of steps")
    if "final_sparsity" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, active fraction {summary['final_sparsity']:.3f}, "
              f"settling iterations {summary['final_iterations']:.1f}, lam {summary['lam']:.4g}")
    if summary.get("collapsed"):
        print("  WARNING: the map collapsed (every unit learned nearly the same field); "
              "check the whitening (--images, --no-whiten) and lr")
    print(f"  receptive fields: adjacent |cos| {_fmt(summary.get('adjacent_similarity'), 3)} vs random "
          f"{_fmt(summary.get('random_similarity'), 3)}; oriented fraction "
          f"{_fmt(summary.get('oriented_fraction'))}; spatial spread "
          f"{_fmt(summary.get('spatial_spread_median'))} (1 = unlocalised)")
    for f in summary.get("figures", []):
        print(f"  figure: {f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ei-maps`` command; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None or (args.command == "train" and getattr(args, "kind", None) is None):
        parser.print_help(sys.stderr)
        return 2
    try:
        handler = {"analyze": _analyze, "waves": _waves, "sweep": _sweep}.get(args.command)
        if handler is None:
            handler = {"text": _train_text, "touch": _train_touch}.get(args.kind, _train_images)
        summary = handler(args)
    except KeyboardInterrupt:
        print("interrupted; continue with --resume if a checkpoint was saved", file=sys.stderr)
        return 130
    except (ValueError, OSError, UnstableDynamicsError, MissingBrian2Error, MissingTextExtraError,
            MapCollapseError) as err:
        print(f"ei-maps: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(json_safe(summary)))
    elif args.command == "sweep":
        _print_sweep(summary)
    elif args.command == "analyze" and summary.get("kind") == "text":
        _print_text_analysis(summary)
    elif args.command == "analyze" and summary.get("kind") == "touch":
        _print_touch(summary)
    elif args.command == "analyze":
        _print_analysis(summary)
    elif summary.get("kind") == "text":
        _print_text_summary(summary)
    elif summary.get("kind") in ("touch", "touch_sweep"):
        _print_touch(summary)
    elif args.command == "waves":
        _print_waves(summary)

    else:
        _print_summary(summary)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

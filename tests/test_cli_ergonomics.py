"""The command line's conveniences: ``--version``, help defaults, ``--config`` and config.toml, ``--quiet`` and run.log."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from ei_maps import cli
from ei_maps._version import __version__
from ei_maps.options_file import to_toml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_version_prints_name_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``ei-maps --version`` prints ``ei-maps X.Y.Z`` on stdout and exits 0."""
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ei-maps {__version__}"


@pytest.mark.parametrize("command", [["train", "images"], ["train", "text"], ["train", "touch"], ["waves"],
                                     ["sweep"], ["analyze"]])
def test_help_names_each_default_once(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """No ``(default: None)``, and no option line naming a default twice."""
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    text = capsys.readouterr().out
    assert "(default: None)" not in text
    assert not [line for line in text.splitlines() if line.lower().count("default") > 1]


# ---------------------------------------------------------------------------- --config, config.toml, --quiet

TINY = ["--side", "8", "--steps", "12", "--batch", "16", "--no-figures", "--no-progress"]


def _dictionary(folder):
    from ei_maps import load_run

    return load_run(folder)["dictionary"].values


def test_config_file_sets_options_and_the_command_line_wins(tmp_path, capsys):
    config = tmp_path / "opts.toml"
    config.write_text('w-inh = 6.5\nsteps = 99\nboundary = "periodic"\n')
    out = tmp_path / "run"
    assert cli.main(["train", "images", "--config", str(config), *TINY, "--out", str(out), "--json"]) == 0
    saved = json.loads(__import__("ei_maps").load_run(out).attrs["model_config"])
    assert saved["w_inh"] == 6.5 and saved["boundary"] == "periodic"
    recorded = tomllib.loads((out / "config.toml").read_text())
    assert recorded["steps"] == 12  # --steps 12 on the command line beats the file's 99
    assert recorded["w_inh"] == 6.5 and recorded["side"] == 8


def test_a_runs_config_toml_reruns_it_exactly(tmp_path):
    first = tmp_path / "first"
    assert cli.main(["train", "images", *TINY, "--w-exc", "25", "--out", str(first)]) == 0
    again = tmp_path / "again"
    assert cli.main(["train", "images", "--config", str(first / "config.toml"), "--out", str(again),
                     "--no-progress"]) == 0
    np.testing.assert_array_equal(_dictionary(first), _dictionary(again))


def test_config_command_rebuilds_the_options_of_a_python_run(tmp_path, capsys):
    from ei_maps import ModelConfig, TrainConfig
    from ei_maps.experiments import train_images

    made = tmp_path / "from-python"
    train_images(ModelConfig(side=8, w_inh=4.0), TrainConfig(steps=12, batch=16), out=made, progress=False,
                 figures=False, log=lambda m: None)
    capsys.readouterr()
    assert cli.main(["config", str(made)]) == 0
    text = capsys.readouterr().out
    options = tomllib.loads(text)
    assert options["side"] == 8 and options["w_inh"] == 4.0 and options["steps"] == 12 and options["batch"] == 16
    (tmp_path / "made.toml").write_text(text)
    again = tmp_path / "again"
    assert cli.main(["train", "images", "--config", str(tmp_path / "made.toml"), "--out", str(again),
                     "--no-progress", "--no-figures"]) == 0
    np.testing.assert_array_equal(_dictionary(made), _dictionary(again))


def test_config_command_refuses_a_folder_without_a_run(tmp_path, capsys):
    assert cli.main(["config", str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err


@pytest.mark.parametrize("text, message", [
    ("w_ihn = 5.0\n", "'w_ihn' is not an option of this command (did you mean w_inh"),
    ("side = 'big'\n", "side (--side) takes an integer, got 'big'"),
    ("steps = 1.5\n", "steps (--steps)"),
    ("boundary = 'sphere'\n", "boundary (--boundary) must be one of zero, periodic"),
    ("no_whiten = 1\n", "no_whiten (--no-whiten) takes true or false"),
    ("[model]\nside = 8\n", "model is a table"),
    ("side = \n", "not valid TOML"),
    ("quiet = true\n", "it is about one call"),
])
def test_bad_config_files_are_refused_by_name_before_anything_runs(tmp_path, capsys, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    out = tmp_path / "never"
    assert cli.main(["train", "images", "--config", str(config), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_missing_config_file_is_refused(tmp_path, capsys):
    assert cli.main(["train", "touch", "--config", str(tmp_path / "absent.toml")]) == 2
    assert "cannot read it" in capsys.readouterr().err


def test_print_config_prints_toml_for_config_and_runs_nothing(tmp_path, capsys):
    out = tmp_path / "not-made"
    assert cli.main(["train", "text", "--side", "12", "--lr", "0.05", "--out", str(out), "--print-config"]) == 0
    options = tomllib.loads(capsys.readouterr().out)
    assert options["side"] == 12 and options["lr"] == 0.05 and options["out"] == str(out)
    assert not out.exists()


def test_quiet_prints_only_the_summary_and_the_log_keeps_the_messages(tmp_path, capsys):
    out = tmp_path / "quiet"
    assert cli.main(["train", "images", *TINY, "--out", str(out), "--quiet", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert json.loads(captured.out)["out"] == str(out)
    log = (out / "run.log").read_text().splitlines()
    assert "ei-maps train images" in log[0] and log[-1].endswith("finished")
    assert any("lateral interactions" in line for line in log)
    # a resumed run's messages are appended to the same log
    assert cli.main(["train", "images", "--out", str(out), "--resume", "--steps", "16", "--quiet"]) == 0
    longer = (out / "run.log").read_text().splitlines()
    assert longer[:len(log)] == log and "--resume" in longer[len(log)]


def test_toml_round_trip_of_every_value_kind():
    values = {"a": 1, "b": 0.1, "c": -2.5e-8, "d": True, "e": 'quote " and \\ slash', "f": [1, 2],
              "g": float("inf"), "h": None}
    back = tomllib.loads(to_toml(values, header=["a comment"]))
    assert back == {k: v for k, v in values.items() if v is not None}


def test_an_experiments_presets_are_a_preset_option_of_its_command(capsys):
    # options given explicitly win over the preset; --print-config shows what the call would run with
    assert cli.main(["train", "text", "--preset", "quick", "--print-config"]) == 0
    options = tomllib.loads(capsys.readouterr().out)
    assert (options["side"], options["steps"], options["n_words"], options["preset"]) == (10, 300, 2000, "quick")
    assert cli.main(["train", "touch", "--preset", "paper", "--side", "12", "--print-config"]) == 0
    options = tomllib.loads(capsys.readouterr().out)
    assert (options["side"], options["steps"], options["after_steps"]) == (12, 4000, 3000)
    # the waves presets name the run length as the sweep does: --duration's value is duration_ms
    assert cli.main(["waves", "--preset", "quick", "--print-config"]) == 0
    options = tomllib.loads(capsys.readouterr().out)
    assert (options["side"], options["duration_ms"], options["preset"]) == (60, 300.0, "quick")


def test_messages_go_through_the_ei_maps_logger(tmp_path, capsys, caplog):
    import logging

    from ei_maps.config import TrainConfig
    from ei_maps.experiments.images import train_images
    from ei_maps.models import ModelConfig

    # a library call: nothing on stdout or stderr by default; the application's logging gets the messages
    with caplog.at_level(logging.INFO, logger="ei_maps"):
        train_images(ModelConfig(side=8), TrainConfig(steps=2, batch=8, patch_size=8), out=tmp_path / "run",
                     progress=False, figures=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert any(r.name == "ei_maps" and "lateral interactions" in r.getMessage() for r in caplog.records)
    # the command shows and records them through its own handler, and leaves the logger as it found it
    logger = logging.getLogger("ei_maps")
    before = (logger.level, list(logger.handlers), logger.propagate)
    assert cli.main(["train", "images", "--steps", "2", "--side", "8", "--patch-size", "8", "--batch", "8",
                     "--out", str(tmp_path / "cli"), "--no-progress", "--no-figures"]) == 0
    assert "lateral interactions" in capsys.readouterr().err
    assert "lateral interactions" in (tmp_path / "cli" / "run.log").read_text()
    assert (logger.level, list(logger.handlers), logger.propagate) == before

"""Bad options are refused before any work, with one line naming the problem (no traceback, exit 2)."""
import pytest

from ei_maps.cli import main

CASES = [
    (["train", "images", "--side", "3000"], "needs about"),                      # memory, before allocation
    (["train", "images", "--batch", "1000000000"], "needs about"),
    (["train", "images", "--model", "lif", "--side", "3000"], "needs about"),
    (["train", "touch", "--side", "3000"], "needs about"),
    (["waves", "--side", "3000"], "needs about"),
    (["train", "images", "--r-inh", "100000"], "r_inh must be a positive integer at most the side"),
    (["train", "images", "--seed", str(2**64)], "seed must be an integer from 0 to 2**63 - 1"),
    (["train", "images", "--model-seed", "-1"], "--model-seed"),
    (["train", "images", "--lam", "1e300"], "lam (1e+300) does not fit in float32"),
    (["train", "images", "--lr", "1e300"], "lr must be in"),
    (["train", "images", "--model", "lif", "--probe-repeats", "0"], "probe-repeats"),
    (["train", "touch", "--side", "2"], "r_exc must be a positive integer at most the side"),
    (["train", "text", "--side", "3"], "must be a positive integer at most the side"),
    (["waves", "--duration", "inf"], "duration must be a finite number"),
    (["waves", "--transient", "-1"], "transient must be a finite number of ms >= 0"),
    (["waves", "--side", "20", "--radius", "500"], "radius (500 sites) must be at most the side"),
    (["sweep", "images", "--param", "w_inh=2", "--workers", "100000"], "more than this machine can run"),
    (["sweep", "images", "--param", "seed=1,2"], "seed cannot be swept"),
    (["sweep", "images", "--param", "n_inputs=16"], "n_inputs cannot be swept"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_refused_with_a_clear_line(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out" / "run.nc").exists() and not (tmp_path / "out" / "spikes.nc").exists()


def test_a_word_map_needs_room_for_its_regions(tmp_path):
    from ei_maps.experiments.text import MAP_REGIONS, train_text
    from ei_maps.models import PAPER_TEXT_MODEL

    with pytest.raises(ValueError, match=f"at least {MAP_REGIONS}"):
        train_text(PAPER_TEXT_MODEL.replace(side=3, r_exc=1, r_inh=2), out=tmp_path, progress=False)
    assert not (tmp_path / "checkpoint.nc").exists()

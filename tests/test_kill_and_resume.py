"""A run killed (SIGKILL) or interrupted (SIGINT) from the command line resumes with ``--resume`` to exactly the
result of an uninterrupted run, for every training experiment (touch: in each phase)."""
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from ei_maps.io import load_dataset

IMAGES = ["train", "images", "--side", "6", "--r-exc", "1", "--r-inh", "2", "--patch-size", "4", "--batch", "8",
          "--steps", "600", "--checkpoint-every", "10"]
LIF = ["train", "images", "--model", "lif", "--side", "10", "--patch-size", "4", "--batch", "8", "--steps", "150",
       "--checkpoint-every", "5", "--probe-repeats", "1"]
TEXT = ["train", "text", "--side", "6", "--n-words", "300", "--batch", "16", "--steps", "600",
        "--checkpoint-every", "10"]
TOUCH = ["train", "touch", "--side", "8", "--r-exc", "2", "--r-inh", "3", "--batch", "16", "--steps", "400",
         "--after-steps", "400", "--checkpoint-every", "10", "--probe-samples", "8"]

# Every case is a training run killed as a separate process and resumed (about 140 s in all): they run with
# --runslow, to keep CI within its time. Checkpoint-and-resume of every experiment, Ctrl-C in either phase of the
# two-phase touch run included, is tested in-process in each experiment's own test file, in the default suite.
# Every experiment's in-process checkpoint-and-resume is also tested in its own test file.
_SLOW = pytest.mark.slow
CASES = [pytest.param("images", IMAGES, signal.SIGKILL, None, marks=_SLOW, id="images-SIGKILL"),
         pytest.param("images", IMAGES, signal.SIGINT, None, marks=_SLOW, id="images-SIGINT"),
         pytest.param("images_lif", LIF, signal.SIGKILL, None, marks=_SLOW, id="images_lif-SIGKILL"),
         pytest.param("text", TEXT, signal.SIGKILL, None, marks=_SLOW, id="text-SIGKILL"),
         pytest.param("touch", TOUCH, signal.SIGKILL, "before", marks=_SLOW, id="touch-SIGKILL-before"),
         pytest.param("touch", TOUCH, signal.SIGINT, "after", marks=_SLOW, id="touch-SIGINT-after")]
_IDS = None


def _cli(argv, out):
    return [sys.executable, "-m", "ei_maps", *argv, "--out", str(out), "--no-progress", "--no-figures", "--json"]


def _dictionary(out, kind):
    ds = load_dataset(out / "run.nc")
    return ds["dictionary_after" if kind == "touch" else "dictionary"].values


def _interrupt(argv, out, sig, phase):
    proc = subprocess.Popen(_cli(argv, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            checkpoint = out / "checkpoint.nc"
            if checkpoint.is_file():
                try:
                    ds = load_dataset(checkpoint)
                except ValueError:  # being replaced this instant
                    ds = None
                if ds is not None and (phase is None or ds.attrs.get("phase") == phase):
                    proc.send_signal(sig)
                    break
            if proc.poll() is not None:
                pytest.fail(f"the run ended before it could be interrupted: {proc.stderr.read()[-500:]}")
            time.sleep(0.02)
        else:
            pytest.fail("no checkpoint appeared")
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode


@pytest.mark.parametrize("kind, argv, sig, phase", CASES, ids=_IDS)
def test_killed_or_interrupted_runs_resume_to_the_uninterrupted_result(kind, argv, sig, phase, tmp_path):
    if kind == "images_lif":
        pytest.importorskip("numba")
    reference = tmp_path / "reference"
    done = subprocess.run(_cli(argv, reference), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-1000:]
    out = tmp_path / "interrupted"
    rc = _interrupt(argv, out, sig, phase)
    assert rc == (-signal.SIGKILL if sig == signal.SIGKILL else 130)
    assert not (out / "run.nc").exists() and (out / "checkpoint.nc").is_file()
    # --resume alone: every option comes from the saved run
    resumed = subprocess.run(_cli(["train", argv[1], "--resume"], out), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-1000:]
    np.testing.assert_array_equal(_dictionary(out, kind), _dictionary(reference, kind))

"""Ctrl-C during ``ei-maps waves``: reported as stopped, saved as partial with its real duration, non-zero exit;
a process started with SIGINT ignored keeps ignoring it (no traceback). The default engine (numba) is run."""
import json
import signal
import subprocess
import sys
import time

import pytest

from ei_maps.io import load_dataset

COMMAND = [sys.executable, "-m", "ei_maps", "waves", "--side", "40", "--no-progress", "--no-figures"]


def _start(out, duration, ignore_sigint=False):
    def preexec():
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen(COMMAND + ["--duration", str(duration), "--transient", "10", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec)
    # wait until the network is built and simulating
    deadline = time.time() + 240
    while time.time() < deadline:
        line = proc.stderr.readline()
        if line.startswith("built a"):
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("the simulation did not start")


def test_ctrl_c_stops_saves_partial_with_its_real_duration_and_exits_nonzero(tmp_path):
    proc = _start(tmp_path, duration=60000)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "--resume" not in err
    spikes = load_dataset(tmp_path / "spikes.nc")
    reached = float(spikes.attrs["duration_ms"])
    assert spikes.attrs["partial"] == 1 and spikes.attrs["requested_duration_ms"] == 60000
    assert 0 < reached < 60000
    assert float(spikes["spike_time"].max()) < reached


@pytest.mark.slow  # ~6 s of a separate simulation: with --runslow, to keep CI within its time
def test_a_background_job_ignoring_sigint_runs_to_the_end(tmp_path):
    proc = _start(tmp_path, duration=400, ignore_sigint=True)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    summary = json.loads(load_dataset(tmp_path / "spikes.nc").attrs["summary"])
    assert summary["duration_ms"] == 400

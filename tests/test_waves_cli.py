"""`ei-maps waves` end to end on a small torus."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ei_maps.io import load_dataset

ROOT = str(Path(__file__).resolve().parents[1])

KEYS = ["rate_exc_hz", "rate_inh_hz", "cv_isi_mean", "fano_100ms", "wave_count", "wave_diameter_median",
        "wave_speed_median", "correlation_by_distance"]


@pytest.mark.slow  # ~8 s; run_waves' files and figures are also made by the quick reproduction and the gallery
def test_cli_waves_json_files_and_figures(tmp_path):
    out = tmp_path / "waves"
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "waves", "--side", "40", "--duration", "400",
                           "--out", str(out), "--json", "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    for key in KEYS:
        assert key in summary
    assert 0 < summary["rate_exc_hz"] < 100
    spikes = load_dataset(out / "spikes.nc")
    assert spikes.sizes["spike"] == summary["n_spikes"] > 0
    assert spikes.attrs["side"] == 40 and spikes.attrs["duration_ms"] == 400
    assert spikes["spike_time"].max() <= 400
    for name in ("snapshots.png", "waves.gif", "raster.png", "rates.png"):
        assert (out / name).stat().st_size > 1000


def test_cli_waves_bad_parameters(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "waves", "--side", "31", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "multiple of inh_spacing" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "waves", "--side", "40", "--duration", "100",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "transient" in proc.stderr


def test_cli_waves_numba_engine_runs_without_brian2(tmp_path):
    # a brian2 that cannot be imported shadows any installed one: the default engine must not need it
    (tmp_path / "brian2").mkdir()
    (tmp_path / "brian2" / "__init__.py").write_text("raise ImportError('no Brian2 here')\n")
    out = tmp_path / "waves"
    proc = subprocess.run([sys.executable, "-m", "ei_maps", "waves", "--engine", "numba", "--side", "40",
                           "--duration", "400", "--out", str(out), "--json", "--no-progress", "--no-figures"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), ROOT])})
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["engine"] == "numba" and 0 < summary["rate_exc_hz"] < 100
    spikes = load_dataset(out / "spikes.nc")
    assert spikes.sizes["spike"] == summary["n_spikes"] > 1000
    assert spikes.attrs["duration_ms"] == 400 and spikes["spike_time"].max() < 400

"""The run folder: locked while a run writes there, stale locks and temporaries of killed runs cleaned up,
and damaged result files detected on load."""
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from ei_maps.framework.lifecycle import LOCK_FILE, RunFolderBusyError, open_run, release_run_folder
from ei_maps.io import load_dataset, save_dataset

HOLD = """
import sys, time
from pathlib import Path
from ei_maps.framework.lifecycle import lock_run_folder
lock_run_folder(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(60)
"""


def _holder(folder):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_process_is_refused_by_name_and_a_killed_holder_leaves_no_lock(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    proc = _holder(folder)
    try:
        with pytest.raises(RunFolderBusyError, match=f"in use by process {proc.pid} "):
            open_run(folder, "images", False, [], None, log=lambda m: None)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # the killed holder's lock file is still there, but stale: the next run takes the folder
    assert (folder / LOCK_FILE).is_file()
    out, saved = open_run(folder, "images", False, [], None, log=lambda m: None)
    assert saved is None and f"process {os.getpid()} " in (folder / LOCK_FILE).read_text()
    release_run_folder(folder)


def test_temporaries_of_a_run_killed_while_saving_are_removed_on_the_next_run(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    left = folder / ".run.nc.0123abcd.tmp"
    left.write_bytes(b"half a file")
    logged = []
    open_run(folder, "images", True, [], None, log=logged.append)
    release_run_folder(folder)
    assert not left.exists() and any(".run.nc.0123abcd.tmp" in m for m in logged)


def test_damaged_array_bytes_are_detected_and_named(tmp_path):
    values = np.arange(5000, dtype=float).reshape(50, 100)
    path = save_dataset(xr.Dataset({"field": (("y", "x"), values)}), tmp_path / "run.nc")
    np.testing.assert_array_equal(load_dataset(path)["field"].values, values)
    data = bytearray(path.read_bytes())
    at = data.find(np.float64(4321.0).tobytes())
    assert at > 0
    data[at + 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="run.nc is damaged"):
        load_dataset(path)


def test_a_sweep_into_a_folder_another_process_writes_is_refused(tmp_path):
    from ei_maps.framework.sweep import sweep

    folder = tmp_path / "sweep"
    folder.mkdir()
    proc = _holder(folder)
    try:
        with pytest.raises(RunFolderBusyError, match=f"process {proc.pid} "):
            sweep("images", {"w_inh": [2.0]}, steps=1, out=folder, progress=False, log=lambda m: None)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not (folder / "sweep.nc").exists()

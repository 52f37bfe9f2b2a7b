"""Sweeps on a real Dask cluster: a scheduler and two workers as separate OS processes.

The faults a cluster has are made here: a worker SIGKILLed mid-sweep, the
client interrupted (SIGINT) and killed (SIGKILL), the scheduler killed. In
every case nothing finished is lost and nothing is run or counted twice.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
pytest.importorskip("zarr")

from ei_maps.framework import sweep as sweep_module  # noqa: E402
from ei_maps.framework.sweep import run_name, sweep  # noqa: E402
from ei_maps.framework.sweep_store import STORE_DIR, read_store  # noqa: E402

DASK = str(Path(sys.executable).parent / "dask")
#: A grid of tiny image runs (about a second each on one core).
PARAMS = {"w_inh": [2.0, 5.0, 8.0], "side": [6]}
STEPS = 8
MEASURES_COMPARED = ("adjacent_similarity", "random_similarity", "oriented_fraction", "final_loss",
                     "final_sparsity", "neighbor_orientation_diff_deg", "distance_spearman")


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes on the loopback interface."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.scheduler = None
        self.workers: list[subprocess.Popen] = []
        self.start_scheduler()
        for _ in range(workers):
            self.add_worker()
        self.wait_for_workers(workers)

    def start_scheduler(self) -> None:
        self.scheduler_file.unlink(missing_ok=True)
        self.scheduler = subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(self.scheduler_file)],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "scheduler.log", "ab"))
        deadline = time.monotonic() + 60
        while not self.scheduler_file.is_file():
            assert time.monotonic() < deadline and self.scheduler.poll() is None, "the scheduler did not start"
            time.sleep(0.05)
        time.sleep(0.2)  # the file is written as the scheduler starts listening
        self.address = json.loads(self.scheduler_file.read_text())["address"]

    def add_worker(self) -> subprocess.Popen:
        # no nanny: a SIGKILLed worker stays dead, as when its node goes away
        worker = subprocess.Popen(
            [DASK, "worker", self.address, "--name", f"w{len(self.workers)}", "--nthreads", "1", "--no-nanny",
             "--no-dashboard",
             "--host", "127.0.0.1", "--local-directory", str(self.folder / "workers")],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / f"worker{len(self.workers)}.log", "ab"))
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(n, timeout=60)

    def close(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc is not None and proc.poll() is None:
                proc.kill()
            if proc is not None:
                proc.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.close()


def quiet(_message):
    pass


def done_count(out: Path) -> int:
    store = out / STORE_DIR
    if not store.exists():
        return 0
    try:
        return int(read_store(store)[0]["done"].values.sum())
    except Exception:  # noqa: BLE001  (being created)
        return 0


def recorded_runs(out: Path) -> list[str]:
    """The run folders of the configurations the store records as done."""
    stored = read_store(out / STORE_DIR)[0]
    done = stored["done"]
    names = [d for d in done.dims if d != "seed"]
    return [run_name(names, tuple(done[d].values[i].item() for d, i in zip(names, idx)),
                     done["seed"].values[idx[-1]].item())
            for idx in zip(*np.nonzero(done.values))]


def assert_same_measures(a, b):
    for name in MEASURES_COMPARED:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.mark.slow  # ~20-27 s of cluster processes: with --runslow, to keep CI within its time
def test_a_real_cluster_gives_the_local_clusters_results_bit_for_bit(cluster, tmp_path):
    remote = sweep("images", PARAMS, steps=STEPS, seeds=2, out=tmp_path / "remote", scheduler=cluster.address,
                   progress=False, figures=False, log=quiet)
    local = sweep("images", PARAMS, steps=STEPS, seeds=2, out=tmp_path / "local", workers=2, progress=False,
                  figures=False, log=quiet)
    assert remote["done"].all() and local["done"].all()
    assert_same_measures(remote, local)
    # the store holds what the call returned, and sweep.nc the same
    stored, half = read_store(tmp_path / "remote" / STORE_DIR)
    assert half == 0
    assert_same_measures(stored, remote)
    assert (tmp_path / "remote" / "w_inh=5.0,side=6,seed=1" / "run.nc").is_file()


@pytest.mark.slow  # ~21 s of cluster processes: with --runslow, to keep CI within its time
def test_a_worker_killed_mid_sweep_loses_nothing_and_counts_nothing_twice(cluster, tmp_path, monkeypatch):
    from distributed import Client

    recorded: list[tuple] = []
    real_record = sweep_module.Recorder.record

    def counting(self, index, measures):
        recorded.append(index)
        return real_record(self, index, measures)

    monkeypatch.setattr(sweep_module.Recorder, "record", counting)
    out = tmp_path / "sweep"
    outcome = {}

    def run():
        outcome["result"] = sweep("images", PARAMS, steps=STEPS, seeds=2, out=out, scheduler=cluster.address,
                                  progress=False, figures=False, log=quiet)

    thread = threading.Thread(target=run)
    thread.start()
    victim = cluster.workers[0]
    with Client(cluster.address, timeout="30s", set_as_default=False) as watcher:
        deadline = time.monotonic() + 120
        # kill the first worker while it runs a task, after the sweep has recorded something
        while time.monotonic() < deadline:
            busy = {addr: keys for addr, keys in watcher.processing().items() if keys}
            names = {addr: info.get("name") for addr, info in watcher.scheduler_info()["workers"].items()}
            if recorded and any(names.get(addr) == "w0" for addr in busy):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the first worker never ran a task")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    thread.join(timeout=300)
    assert not thread.is_alive()
    result = outcome["result"]
    assert result["done"].all() and (result["error"] == "").all()
    assert len(recorded) == result["done"].size and len(set(recorded)) == len(recorded)
    stored, half = read_store(out / STORE_DIR)
    assert half == 0 and stored["done"].all()
    # nothing the killed worker was running is lost or different from an untroubled sweep
    reference = sweep("images", PARAMS, steps=STEPS, seeds=2, out=tmp_path / "reference", workers=1,
                      progress=False, figures=False, log=quiet)
    assert_same_measures(result, reference)


def _sweep_command(cluster, out: Path) -> list[str]:
    return [sys.executable, "-m", "ei_maps", "sweep", "images", "--param", "w_inh=2,5,8,11", "--param", "side=6",
            "--steps", str(STEPS), "--seeds", "2", "--out", str(out), "--scheduler", cluster.address,
            "--no-progress", "--no-figures"]


def _start_and_stop(command: list[str], out: Path, sig: int, at_least: int) -> subprocess.CompletedProcess:
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while done_count(out) < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sweep recorded nothing"
        time.sleep(0.1)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def _to_run(stderr: str) -> int:
    line = next(line for line in stderr.splitlines() if line.startswith("sweep:") and "to run" in line)
    return int(line.split("configurations, ")[1].split(" to run")[0])


# about 27 s of sweeps started and stopped: with --runslow, to keep CI within its time (the in-process sweep
# tests of tests/test_sweep.py cover resuming a sweep, and the half-written records of tests/test_sweep_store.py)
@pytest.mark.slow
def test_a_client_interrupted_then_killed_resumes_without_rerunning_what_finished(cluster, tmp_path):
    out = tmp_path / "sweep"
    command = _sweep_command(cluster, out)
    stopped = _start_and_stop(command, out, signal.SIGINT, at_least=1)
    assert stopped.returncode == 130, stopped.stderr
    assert "run the same command again to continue" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    first = done_count(out)
    finished = {name: (out / name / "run.nc").stat().st_mtime_ns for name in recorded_runs(out)}
    assert len(finished) == first

    killed = _start_and_stop(command, out, signal.SIGKILL, at_least=first + 1)
    assert killed.returncode == -signal.SIGKILL
    assert _to_run(killed.stderr) == 8 - first
    second = done_count(out)

    final = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert _to_run(final.stderr) == 8 - second
    stored, half = read_store(out / STORE_DIR)
    assert stored["done"].all() and half == 0
    # the runs finished before the first stop were not run again
    for name, mtime in finished.items():
        if (out / name / "run.nc").stat().st_mtime_ns != mtime:
            pytest.fail(f"{name} was run again")


@pytest.mark.slow  # ~20-27 s of cluster processes: with --runslow, to keep CI within its time
def test_a_killed_scheduler_is_reported_and_a_rerun_on_a_new_one_resumes(cluster, tmp_path):
    out = tmp_path / "sweep"
    proc = subprocess.Popen(_sweep_command(cluster, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while done_count(out) < 1:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    cluster.scheduler.kill()
    cluster.scheduler.wait(timeout=30)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "lost the Dask scheduler" in stderr and "run the same command again" in stderr
    assert "Traceback" not in stderr
    left = 8 - done_count(out)
    assert left > 0

    # a new scheduler and workers: the same command finishes only what was left
    for worker in cluster.workers:
        worker.kill()
        worker.wait(timeout=30)
    cluster.workers.clear()
    cluster.start_scheduler()
    for _ in range(2):
        cluster.add_worker()
    cluster.wait_for_workers(2)
    final = subprocess.run(_sweep_command(cluster, out), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert _to_run(final.stderr) == left
    assert read_store(out / STORE_DIR)[0]["done"].all()


def test_workers_without_the_clients_disk_send_their_runs_back(cluster, tmp_path):
    out = tmp_path / "separate"
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    before = set(scratch.glob("ei-maps-sweep-*"))
    result = sweep("images", {"w_inh": [2.0, 5.0], "side": [6]}, steps=STEPS, out=out, scheduler=cluster.address,
                   progress=False, figures=False, log=quiet, shared_disk=False)
    assert result["done"].all()
    for name in ("w_inh=2.0,side=6,seed=0", "w_inh=5.0,side=6,seed=0"):
        files = sorted(p.name for p in (out / name).iterdir())
        assert "run.nc" in files and "analysis.nc" in files
        assert not any(f.startswith("checkpoint") for f in files)
    # the worker trained elsewhere and left nothing behind in its temporary folders
    assert set(scratch.glob("ei-maps-sweep-*")) == before

"""Hostile inputs get a message that names the problem and the fix: no traceback, no hang (issue 34).

One test per class: the scheduler a sweep is pointed at, the environment,
folders that are not runs, files that are not what their name says. Each
asserts the exit code, the message, no traceback, and what is left on disk.
"""
from __future__ import annotations

import socket
import threading

import numpy as np
import pytest

from ei_maps.cli import main


def _fails(capsys, argv, *messages):
    assert main(argv) == 2, argv
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    for message in messages:
        assert message in err, (message, err)
    return err


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never answers (a hung server, a web server awaiting a request)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_wrong_scheduler_is_one_clear_error_within_the_timeout(tmp_path, capsys, silent_port):
    import time

    pytest.importorskip("distributed")
    base = ["sweep", "images", "--param", "w_inh=2", "--steps", "1", "--no-progress", "--scheduler-timeout", "2"]
    cases = [("garbage", "is not a scheduler address: give tcp://HOST:PORT"),
             ("http://127.0.0.1:8787/status", "is a web address (the dashboard's?)"),
             (f"tcp://127.0.0.1:{silent_port}", "did not answer as a Dask scheduler within 2 s")]
    for address, message in cases:
        out = tmp_path / address.replace("/", "_").replace(":", "_")
        started = time.monotonic()
        _fails(capsys, [*base, "--out", str(out), "--scheduler", address], message)
        assert time.monotonic() - started < 20  # before: 40 s, or no end at all
        assert not (out / "sweep.zarr").exists()


def test_a_scheduler_without_workers_is_said_and_given_up(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    import asyncio

    ready, done = threading.Event(), threading.Event()
    address = []

    def scheduler():
        async def run():
            async with distributed.Scheduler(port=0, dashboard_address=None) as s:
                address.append(s.address)
                ready.set()
                while not done.is_set():
                    await asyncio.sleep(0.1)
        asyncio.run(run())

    thread = threading.Thread(target=scheduler, daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        err = _fails(capsys, ["sweep", "images", "--param", "w_inh=2", "--steps", "1", "--no-progress",
                              "--out", str(tmp_path / "s"), "--scheduler", address[0], "--scheduler-timeout", "2"],
                     f"no worker joined the scheduler at {address[0]} within 2 s")
        assert "has no workers yet: waiting up to 2 s" in err
    finally:
        done.set()
        thread.join(30)


def test_bad_environment_variables_are_named_before_anything_runs(tmp_path, monkeypatch, capsys):
    for value in ("abc", "0"):
        monkeypatch.setenv("NUMBA_NUM_THREADS", value)
        _fails(capsys, ["train", "images", "--steps", "1", "--out", str(tmp_path / "run")],
               f"NUMBA_NUM_THREADS={value!r} must be a whole number of threads >= 1")
    monkeypatch.delenv("NUMBA_NUM_THREADS")
    from ei_maps.framework import registry

    monkeypatch.setenv("EI_MAPS_EXPERIMENTS_PATH", str(tmp_path / "nowhere"))
    registry.refresh()  # the experiments are found once per process
    try:
        _fails(capsys, ["train", "images", "--steps", "1", "--out", str(tmp_path / "run")],
               "EI_MAPS_EXPERIMENTS_PATH names", "which is not a folder")
    finally:
        monkeypatch.delenv("EI_MAPS_EXPERIMENTS_PATH")
        registry.refresh()
    assert not (tmp_path / "run").exists()


def test_folders_that_are_not_runs_say_what_they_are(tmp_path, capsys):
    tiny = ["--side", "8", "--patch-size", "8", "--batch", "8", "--no-progress", "--quiet", "--no-figures"]
    assert main(["waves", "--side", "20", "--duration", "40", "--transient", "10", "--out", str(tmp_path / "w"),
                 "--no-progress", "--no-figures"]) == 0
    assert main(["train", "images", "--steps", "4", "--checkpoint-every", "2", "--out", str(tmp_path / "r"), *tiny]) == 0
    (tmp_path / "r" / "run.nc").rename(tmp_path / "r" / "checkpoint.nc")  # as if stopped before the end
    (tmp_path / "empty").mkdir()
    capsys.readouterr()
    _fails(capsys, ["analyze", str(tmp_path / "w")], "holds a run of kind 'waves'", "analyze reads trained runs")
    _fails(capsys, ["analyze", str(tmp_path / "r")], "holds an unfinished images run (checkpoint.nc, no run.nc)",
           "--resume")
    _fails(capsys, ["analyze", str(tmp_path / "empty")], "holds no run (run.nc)")
    _fails(capsys, ["analyze", str(tmp_path / "nope")], "nope: no such folder")
    # --out that is a file, for a run and for a sweep
    (tmp_path / "a-file").write_text("keep me")
    _fails(capsys, ["train", "images", "--steps", "1", "--out", str(tmp_path / "a-file"), *tiny],
           "a-file is a file, not a folder; give a folder")
    _fails(capsys, ["sweep", "images", "--param", "w_inh=2", "--out", str(tmp_path / "a-file" / "sweep")],
           "a-file is a file, not a folder")
    assert (tmp_path / "a-file").read_text() == "keep me"


def test_a_checkpoint_ei_maps_did_not_write_is_refused(tmp_path, capsys):
    import xarray as xr

    out = tmp_path / "run"
    out.mkdir()
    xr.Dataset({"dictionary": (("a", "b"), np.zeros((2, 2)))}, attrs={"kind": "images"}).to_netcdf(
        out / "checkpoint.nc", engine="h5netcdf")
    _fails(capsys, ["train", "images", "--resume", "--steps", "2", "--out", str(out)],
           "checkpoint.nc is not a run ei-maps can continue (it has no number of steps done")


def test_files_in_other_formats_than_expected_are_read_or_named(tmp_path, capsys):
    # --config written by an editor that puts a byte-order mark first
    config = tmp_path / "options.toml"
    config.write_bytes("\ufeffsteps = 1\nside = 8\npatch_size = 8\nbatch = 8\n".encode("utf-8"))
    assert main(["train", "images", "--config", str(config), "--out", str(tmp_path / "run"), "--no-progress",
                 "--no-figures", "--quiet"]) == 0
    # word vectors: tab-separated fields are read; a leading space (an empty word) is named
    from ei_maps.stimuli.text import read_embeddings

    (tmp_path / "tabs.txt").write_text("cat\t0.1\t0.2\ndog\t0.3\t0.4\n")
    words, vectors, _ = read_embeddings(tmp_path / "tabs.txt")
    assert words == ["cat", "dog"] and vectors.shape == (2, 2)
    (tmp_path / "lead.txt").write_text(" cat 0.1 0.2\n dog 0.3 0.4\n")
    with pytest.raises(ValueError, match="line 1: starts with a space, so its word is empty"):
        read_embeddings(tmp_path / "lead.txt")
    # a wave run shorter than one time step
    capsys.readouterr()
    _fails(capsys, ["waves", "--side", "20", "--duration", "0.01", "--transient", "0", "--out", str(tmp_path / "w")],
           "shorter than one time step (dt = 0.05 ms)")


def test_a_published_dictionary_of_the_wrong_shape_or_with_nan_is_skipped_with_a_note(tmp_path):
    from ei_maps.framework.reproduce import published_dictionary

    good = np.random.default_rng(0).normal(size=(4, 9))
    np.save(tmp_path / "good.npy", good)
    np.save(tmp_path / "shape.npy", good.T)
    with_nan = good.copy()
    with_nan[1, 2] = np.nan
    np.save(tmp_path / "nan.npy", with_nan)
    (tmp_path / "junk.npy").write_text("not numpy")
    notes: list[str] = []
    assert np.array_equal(published_dictionary("good.npy", tmp_path, notes, shape=(4, 9)), good) and not notes
    for name, said in (("shape.npy", "has shape (9, 4), not (4, 9)"), ("nan.npy", "NaN/inf values"),
                       ("junk.npy", "cannot be read")):
        assert published_dictionary(name, tmp_path, notes, shape=(4, 9)) is None
        assert said in notes[-1] and "comparison skipped" in notes[-1]


def test_a_full_disk_is_one_clear_error_and_the_result_is_kept(tmp_path, monkeypatch, capsys):
    import errno

    from ei_maps.experiments import images
    from ei_maps.framework import sweep as sweep_module
    from ei_maps.framework.run_folder import read_manifest
    from ei_maps.io import file_sha256

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    # the disk fills while the figures are drawn, after run.nc is saved: the run is kept and said to be
    monkeypatch.setattr(images, "write_figures", full)
    out = tmp_path / "run"
    _fails(capsys, ["train", "images", "--steps", "2", "--side", "8", "--patch-size", "8", "--batch", "8",
                    "--out", str(out), "--no-progress"],
           f"{out / 'run.nc'} is saved, but its figures could not be written (No space left on device)",
           f"ei-maps analyze {out}")
    manifest = read_manifest(out)
    assert manifest["result"]["sha256"] == file_sha256(out / "run.nc") and not list(out.glob("*.png"))
    # in a sweep's worker: the configuration fails with one line that says what to do, and is redone next time
    monkeypatch.setattr(sweep_module, "_run_when_free", full)
    outcome = sweep_module.run_config("images", {"w_inh": 2.0}, 0, 1, str(tmp_path / "sweep" / "w_inh=2,seed=0"))
    assert outcome["error"].startswith("the disk is full where") and "run the same command again" in outcome["error"]

"""Batch clusters (dask-jobqueue): the cluster file, and the job script that would be submitted."""
from __future__ import annotations

import pytest

pytest.importorskip("dask_jobqueue")

from ei_maps.cli import main  # noqa: E402
from ei_maps.framework.sweep_cluster import jobqueue_cluster, read_cluster_file  # noqa: E402

CLUSTER_FILE = """\
jobs = 3
cores = 2
memory = "8 GiB"
walltime = "01:30:00"
queue = "general"
account = "mylab"
job_extra_directives = ["--constraint=avx2"]
"""


@pytest.fixture
def cluster_file(tmp_path):
    path = tmp_path / "cluster.toml"
    path.write_text(CLUSTER_FILE)
    return path


def test_slurm_job_script_runs_single_threaded_workers_with_the_files_settings(cluster_file):
    settings = read_cluster_file(cluster_file)
    assert settings["jobs"] == 3
    cluster = jobqueue_cluster("slurm", settings)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    lines = script.splitlines()
    for directive in ("#SBATCH -p general", "#SBATCH -A mylab", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=8G",
                      "#SBATCH -t 01:30:00", "#SBATCH --constraint=avx2"):
        assert directive in lines, directive
    worker = next(line for line in lines if "dask_worker" in line)
    assert "--nthreads 1" in worker and "--nworkers 2" in worker  # one single-threaded worker per core
    assert worker.split()[1:3] == ["-m", "distributed.cli.dask_worker"]


def test_pbs_job_script(cluster_file):
    cluster = jobqueue_cluster("pbs", read_cluster_file(cluster_file))
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#PBS -q general" in script and "#PBS -l walltime=01:30:00" in script
    assert "ncpus=2" in script and "--nthreads 1" in script


@pytest.mark.parametrize("text, message", [
    ("jobs = 2\nqueues = 'x'\n", "unknown setting\\(s\\) queues"),
    ("jobs = 'two'\n", "jobs must be a whole number"),
    ("jobs = 0\n", "jobs must be >= 1"),
    ("cores = true\n", "cores must be a whole number"),
    ("jobs = [\n", "cannot be read as TOML"),
])
def test_bad_cluster_files_are_refused_by_name(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_cluster_file(path)


def test_cli_refuses_a_batch_cluster_it_cannot_use(tmp_path, cluster_file, capsys, monkeypatch):
    common = ["sweep", "images", "--param", "w_inh=2", "--param", "side=6", "--steps", "2", "--out",
              str(tmp_path / "s"), "--no-progress", "--no-figures"]
    assert main([*common, "--cluster", "slurm"]) == 2
    assert "--cluster slurm needs --cluster-file" in capsys.readouterr().err
    assert main([*common, "--cluster", "pbs", "--cluster-file", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: no such file" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path))  # no sbatch here
    assert main([*common, "--cluster", "slurm", "--cluster-file", str(cluster_file)]) == 2
    assert "submits jobs with sbatch, which is not on this machine's PATH" in capsys.readouterr().err

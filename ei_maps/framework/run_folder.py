"""What a run folder holds, and proof that every file in it belongs to its one run.

A run folder holds one run of one kind. Its ``manifest.json`` records the
run's identity -- a ``run_id`` drawn when the run starts, its ``kind``, the
result file (``run.nc`` or ``spikes.nc``) with the SHA-256 of its bytes --
and every file derived from that result (``analysis.nc``, figures,
``config.toml``) with the checksum of the result it was made from.

The rules, applied here once for every experiment:

- a run of another kind is refused by name (:func:`begin_run`);
- a new run (``--overwrite``, or a new run from Python) first sets the old
  one aside in ``.replaced/``, removed only when the new result is saved:
  an interruption leaves the old run intact there and the new one
  resumable, never a mix;
- when the result changes (a finished new run, a resumed run, a rerun),
  every derived file made from another result is removed
  (:func:`record_result`), so nothing older than the result stays beside it.

The caller holds the folder's lock (:func:`ei_maps.framework.lifecycle.lock_run_folder`).
"""
from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Iterable

from .._log import emit
from ..io import atomic_write, file_sha256

__all__ = ["MANIFEST_FILE", "RESULT_FILES", "SET_ASIDE_DIR", "begin_run", "folder_holds",
           "read_manifest", "record_derived", "record_derived_since", "record_inputs", "record_result", "run_identity"]

MANIFEST_FILE = "manifest.json"
#: The files that are a run's result (one per folder): a trained run, a simulated sheet's spikes.
RESULT_FILES = ("run.nc", "spikes.nc")
#: Where a new run sets the old one aside until its own result is saved.
SET_ASIDE_DIR = ".replaced"
_CHECKPOINT = "checkpoint.nc"
#: Files ei-maps derives from a result in a run folder made before manifests (removed with their result).
_LEGACY_DERIVED = ("analysis.nc", "config.toml")
_LEGACY_SUFFIXES = (".png", ".gif", ".html")
#: What else a folder may be, by the file that says so (not run folders: refused as one).
_OTHER_FOLDERS = (("sweep.nc", "a parameter sweep"), ("sweep.zarr", "a parameter sweep"),
                  ("report.html", "an ei-maps reproduce report"))


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The folder's manifest, or None (no manifest, or one that is not ei-maps's JSON).

    Parameters
    ----------
    out : str or Path
        The run folder.

    Returns
    -------
    dict or None
        ``run_id``, ``kind``, ``state`` ("running" or "finished"), ``result``
        (``{"file", "sha256"}`` or None) and ``files`` (derived file name ->
        the result checksum it was made from).
    """
    try:
        data = json.loads((Path(out) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or "kind" not in data:
        return None
    return data


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=True)
    atomic_write(out / MANIFEST_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def folder_holds(out: str | Path) -> tuple[str | None, str]:
    """What a folder holds: (the kind of its run or None, how that is known, in words).

    Read from the manifest, else from the ``kind`` attr of its result or
    checkpoint; a sweep or reproduction folder is named as such (kind "").

    Parameters
    ----------
    out : str or Path
        The folder.

    Returns
    -------
    (str or None, str)
        ``(kind, where)``; ``(None, "")`` for a folder holding no run.
    """
    out = Path(out)
    manifest = read_manifest(out)
    if manifest is not None and manifest.get("kind"):
        return str(manifest["kind"]), MANIFEST_FILE
    for name in (*RESULT_FILES, _CHECKPOINT):
        if (out / name).is_file():
            kind = _kind_of(out / name)
            if kind:
                return kind, name
    for name, what in _OTHER_FOLDERS:
        if (out / name).exists():
            return "", f"{what} ({name})"
    return None, ""


def _kind_of(path: Path) -> str | None:
    """The ``kind`` attr of a result file, or None when it cannot be read."""
    try:
        import xarray as xr

        with xr.open_dataset(path) as ds:
            kind = ds.attrs.get("kind")
    except Exception:  # an unreadable file says nothing about the folder; its reader names the problem
        return None
    return str(kind) if kind else None


def begin_run(out: str | Path, kind: str, fresh: bool, log=emit) -> str:
    """Start (or continue) a run of ``kind`` in ``out``: refuse another kind, set an old run aside if ``fresh``.

    Parameters
    ----------
    out : str or Path
        The run folder (it exists and this process holds its lock).
    kind : str
        The run's kind.
    fresh : bool
        A new run: what the folder holds (result, checkpoint, derived files)
        is moved to ``.replaced/`` until the new result is saved. Otherwise
        the run in the folder is continued and keeps its id.
    log : callable
        Receives one line when an old run is set aside.

    Returns
    -------
    str
        The run's id.

    Raises
    ------
    ValueError
        If the folder holds a run of another kind, a sweep or a reproduction.
    """
    out = Path(out)
    held, where = folder_holds(out)
    if held == "":
        raise ValueError(f"{out} holds {where}, not a run: use another --out")
    if held is not None and held != kind:
        raise ValueError(f"{out} holds a run of kind {held!r} ({where}); a {kind!r} run does not go in the same folder: "
                         "use another --out (or delete the folder first)")
    manifest = read_manifest(out)
    if fresh:
        moved = _set_aside(out, manifest)
        if moved:
            log(f"the previous run ({', '.join(moved)}) is set aside in {out / SET_ASIDE_DIR} until this one is "
                "saved")
        manifest = None
    if manifest is None:
        manifest = {"run_id": uuid.uuid4().hex, "kind": kind, "result": None, "files": {},
                    "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    manifest["state"] = "running"
    _write_manifest(out, manifest)
    return str(manifest["run_id"])


def record_inputs(out: str | Path, inputs: dict[str, Any]) -> None:
    """Keep the fingerprint of the data the run now reads in the manifest (checkpoints and the result copy it).

    Parameters
    ----------
    out : str or Path
        The run folder (after :func:`begin_run`).
    inputs : dict
        The fingerprint (JSON-ready).
    """
    out = Path(out)
    manifest = read_manifest(out)
    if manifest is not None:
        manifest["inputs"] = json.loads(json.dumps(inputs, sort_keys=True))
        _write_manifest(out, manifest)


def _derived_names(out: Path, manifest: dict[str, Any] | None) -> list[str]:
    """Files derived from the folder's result: those the manifest lists, or (before manifests) the usual ones."""
    if manifest is not None and manifest.get("result") is not None:
        return [name for name in manifest["files"] if (out / name).is_file()]
    return sorted(p.name for p in out.iterdir()
                  if p.is_file() and (p.name in _LEGACY_DERIVED or p.suffix.lower() in _LEGACY_SUFFIXES))


def _set_aside(out: Path, manifest: dict[str, Any] | None) -> list[str]:
    names = [n for n in (*RESULT_FILES, _CHECKPOINT, MANIFEST_FILE) if (out / n).is_file()]
    if not any(n != MANIFEST_FILE for n in names):
        return []
    names += [n for n in _derived_names(out, manifest) if n not in names]
    aside = out / SET_ASIDE_DIR
    if aside.exists():  # an older set-aside run, whose replacement never finished: the newest old run wins
        shutil.rmtree(aside)
    aside.mkdir()
    for name in names:
        (out / name).replace(aside / name)
    return [n for n in names if n != MANIFEST_FILE]


def record_result(out: str | Path, name: str) -> str:
    """The result ``out/name`` was just saved: record its checksum, remove what was derived from another result.

    Also removes the run set aside by :func:`begin_run` (the new one is saved).

    Parameters
    ----------
    out : str or Path
        The run folder.
    name : str
        The result file's name (one of :data:`RESULT_FILES`).

    Returns
    -------
    str
        The result's SHA-256.
    """
    out = Path(out)
    sha = file_sha256(out / name)
    manifest = read_manifest(out) or {"run_id": uuid.uuid4().hex, "kind": _kind_of(out / name), "files": {},
                                      "result": None}
    stale = [n for n in _derived_names(out, manifest)
             if manifest.get("result") is None or manifest["files"].get(n) != sha]
    for n in stale:
        (out / n).unlink(missing_ok=True)
        manifest["files"].pop(n, None)
    manifest.update(result={"file": name, "sha256": sha}, state="finished",
                    finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    _write_manifest(out, manifest)
    shutil.rmtree(out / SET_ASIDE_DIR, ignore_errors=True)
    return sha


def record_derived(out: str | Path, paths: Iterable[str | Path]) -> None:
    """Files just made from the folder's current result: list them in the manifest with its checksum.

    Paths outside ``out`` (e.g. figures written elsewhere) are left out.

    Parameters
    ----------
    out : str or Path
        The run folder.
    paths : iterable of str or Path
        The files.
    """
    out = Path(out)
    manifest = read_manifest(out)
    if manifest is None or manifest.get("result") is None:
        return
    for path in paths:
        path = Path(path)
        if path.parent.resolve() == out.resolve() and path.is_file():
            manifest["files"][path.name] = manifest["result"]["sha256"]
    _write_manifest(out, manifest)


def record_derived_since(out: str | Path, since: float) -> None:
    """List in the manifest every file written into ``out`` since ``since`` (figures drawn before an interruption).

    Parameters
    ----------
    out : str or Path
        The run folder.
    since : float
        A ``time.time()`` taken just before the files were written [s].
    """
    out = Path(out)
    own = {MANIFEST_FILE, _CHECKPOINT, *RESULT_FILES, ".lock", "run.log"}
    record_derived(out, [p for p in out.iterdir() if p.is_file() and p.name not in own and not p.name.startswith(".")
                         and p.stat().st_mtime >= since])


def run_identity(out: str | Path) -> dict[str, str]:
    """``{"run_id", "result_sha256"}`` of the folder's run (empty without a recorded result), for a derived file's attrs.

    Parameters
    ----------
    out : str or Path
        The run folder.

    Returns
    -------
    dict of str to str
    """
    manifest = read_manifest(out)
    if manifest is None or manifest.get("result") is None:
        return {}
    return {"run_id": str(manifest["run_id"]), "result_sha256": str(manifest["result"]["sha256"])}

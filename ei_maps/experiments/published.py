"""The authors' published dictionaries, and the measures that compare a run of ours with them.

Two files of the shared reference folder are read:

- ``published_fig2_dictionary.npy``: the activation model's dictionary of the
  paper's Fig. 2, (256 inputs, 40 x 40 units);
- ``published_lif_dictionary.npy``: the spiking coder's dictionary of the
  appendix, (256 inputs, 30 x 30 sites; the inhibitory sites' columns are zero).

The folder is looked for, in this order, at an explicit path, in
``$EI_MAPS_SHARED/reference``, then at ``../shared/reference`` beside the
current directory and beside the repository holding the package. Used by
``ei-maps reproduce`` and by ``benchmarks/compare_published.py`` and
``benchmarks/compare_published_lif.py``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._lazy import DeferredModule

xr = DeferredModule("xarray")

__all__ = ["FIG2_FILE", "LIF_FILE", "compare_fig2", "compare_lif", "reference_dir", "reference_file"]

#: File names of the published dictionaries in the reference folder.
FIG2_FILE = "published_fig2_dictionary.npy"
LIF_FILE = "published_lif_dictionary.npy"
#: Gradient steps the published dictionaries were trained for (the paper's).
PUBLISHED_LIF_STEPS = 100_000

#: The repository that holds the package (its parent is where ``shared/`` sits in a checkout).
_REPOSITORY = Path(__file__).resolve().parents[2]


def reference_dir(reference: str | Path | None = None) -> Path:
    """The folder the published dictionaries are read from.

    Parameters
    ----------
    reference : path, optional
        An explicit folder; returned as given.

    Returns
    -------
    Path
        ``reference``, else ``$EI_MAPS_SHARED/reference``, else the first of
        ``../shared/reference`` beside the current directory and beside the
        repository that exists (the latter when neither does, so that a
        message can name where it was looked for).
    """
    if reference is not None:
        return Path(reference)
    if os.environ.get("EI_MAPS_SHARED"):
        return Path(os.environ["EI_MAPS_SHARED"]) / "reference"
    candidates = [Path.cwd().resolve().parent / "shared" / "reference", _REPOSITORY.parent / "shared" / "reference"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def reference_file(name: str, reference: str | Path | None = None) -> Path:
    """Path of ``name`` in :func:`reference_dir` (which may not exist: check ``is_file()``)."""
    return reference_dir(reference) / name


def _side_of(columns: np.ndarray) -> int:
    side = int(round(np.sqrt(columns.shape[1])))
    if side * side != columns.shape[1]:
        raise ValueError(f"a published dictionary has a square sheet of columns, got {columns.shape[1]} columns")
    return side


def compare_fig2(run: xr.Dataset, published: np.ndarray, probe_lam: float = 0.025) -> dict[str, dict[str, float]]:
    """The shared map measures of an image run of ours and of the published Fig. 2 dictionary.

    Both dictionaries, and the receptive fields probed from each through the
    same dynamics (the run's model, with the published dictionary in its
    place on a sheet of the published size), are measured with
    :func:`~ei_maps.experiments.image_maps.map_measures`: mean |cos| of
    adjacent units against random pairs, the fraction of oriented fields and
    their median spatial spread (1 = unlocalized).

    Parameters
    ----------
    run : xarray.Dataset
        A finished activation-model image run (``run.nc``).
    published : ndarray, shape (n_inputs, n_units)
        The published dictionary (:data:`FIG2_FILE`).
    probe_lam : float
        Soft threshold of the receptive-field probes (the paper's 0.025) [activation units].

    Returns
    -------
    dict
        ``ours_dictionary``, ``published_dictionary``, ``ours_receptive_fields``,
        ``published_receptive_fields``: each the measures by name;
        ``ours_dictionary`` also has ``steps``.
    """
    from ..analysis import as_fields, probe_receptive_fields
    from .image_maps import map_measures
    from .runs import activation_model_from_run

    side = _side_of(published)
    patch = int(round(np.sqrt(published.shape[0])))
    theirs = activation_model_from_run(run, dictionary=published, side=side)
    rows = {
        "ours_dictionary": map_measures(run["dictionary"]),
        "published_dictionary": map_measures(as_fields(published, side, (patch, patch))),
        "ours_receptive_fields": map_measures(run["receptive_fields"]),
        "published_receptive_fields": map_measures(probe_receptive_fields(theirs, lam=probe_lam,
                                                                          patch_shape=(patch, patch))),
    }
    rows["ours_dictionary"]["steps"] = int(run.attrs["steps_done"])
    return rows


def compare_lif(run: xr.Dataset, published: np.ndarray, calibration_steps: int = 200,
                held_out_patches: int | None = None) -> dict[str, dict[str, float]]:
    """The measures of a spiking-coding run of ours and of the published spiking dictionary.

    Each dictionary is measured on its own excitatory sites: the map measures
    (spatial spread, orientation strength, adjacent against random |cos|) and
    the variance of held-out patches explained by the raw spike counts with
    the run's dynamics. The published dictionary runs on the paper's layout
    (one site in 8 inhibitory on an open sheet of its size), its threshold
    first adapted to the target rate on ``calibration_steps`` training batches.

    Parameters
    ----------
    run : xarray.Dataset
        A finished spiking-coding run (``run.nc`` of ``train images --model lif``).
    published : ndarray, shape (n_inputs, n_sites)
        The published dictionary (:data:`LIF_FILE`).
    calibration_steps : int
        Batches that adapt the published dictionary's threshold before measuring.
    held_out_patches : int, optional
        Held-out patches (default: the experiment's ``EVAL_PATCHES``).

    Returns
    -------
    dict
        ``ours`` and ``published``: the measures by name, plus
        ``explained_variance``, ``spikes_per_patch``, ``threshold_mV`` [mV] and ``steps``.

    Raises
    ------
    ValueError
        If the published dictionary's zero columns are not the paper's inhibitory sub-lattice.
    """
    from ..analysis import as_fields
    from ..config import TrainConfig, from_json
    from ..models import LIFCodingModel
    from ..stimuli import PatchSampler, load_images
    from .image_maps import map_measures
    from .images_lif import EVAL_PATCHES, EVAL_SEED, explained_variance, model_from_run

    ours = model_from_run(run, engine="numba")
    train = from_json(TrainConfig, run.attrs["train_config"])
    p = train.patch_size
    images = load_images(train.images, whiten_images=train.whiten, f0=train.f0, min_size=p)
    held_out = PatchSampler(images, patch_size=p, seed=EVAL_SEED, dtype="float64").sample(
        held_out_patches or EVAL_PATCHES)

    paper_layout = ours.config.replace(side=_side_of(published), inh_every=8, inh_lattice="paper",
                                       boundary="zero", seed=1)
    theirs = LIFCodingModel(paper_layout, engine="numba", dictionary=published)
    if not np.array_equal(np.all(published == 0, axis=0), ~theirs.is_exc):
        raise ValueError("the published dictionary's zero columns are not the paper's inhibitory sub-lattice")
    calibration = PatchSampler(images, patch_size=p, seed=train.seed + 1, dtype="float64")
    for _ in range(calibration_steps):
        theirs.adapt_threshold(calibration.sample(train.batch))

    results: dict[str, dict[str, Any]] = {}
    for name, model in (("ours", ours), ("published", theirs)):
        fields = as_fields(model.dictionary.copy(), model.side, (p, p))
        mask = xr.DataArray(model.is_exc.reshape(model.side, model.side), dims=("unit_y", "unit_x"))
        ev, spikes = explained_variance(model, held_out)
        results[name] = {**{k: round(v, 3) for k, v in map_measures(fields, mask=mask).items()},
                         "explained_variance": round(ev, 3), "spikes_per_patch": round(spikes, 1),
                         "threshold_mV": round(model.threshold, 2),
                         "steps": int(run.attrs["steps_done"]) if name == "ours" else PUBLISHED_LIF_STEPS}
    return results

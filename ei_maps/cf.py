"""Every result file self-describing by the CF conventions: units, long names, coordinates, global attributes.

:func:`describe` is applied by :func:`ei_maps.provenance.save_result`, the
one writer of result files, so every experiment's ``run.nc``,
``checkpoint.nc``, ``analysis.nc`` and ``spikes.nc`` gets, where the
experiment did not set them itself:

- ``units`` (UDUNITS strings; dimensionless quantities, counts and indices
  "1") and ``long_name`` on every variable and coordinate, from
  :data:`VARIABLES`, the vocabulary of result variables, declared here once
  (a variable of a phase of the touch experiment, ``loss_after``, reads
  ``loss``'s entry, its long name followed by the phase);
- an index coordinate on every dimension without one, except the spikes'
  sample dimension (``spike``: a coordinate there would double the file);
- the global attributes ``Conventions``, ``title``, ``source``,
  ``history`` and ``references``.

Variables no entry describes are left as they are: the test that walks
every experiment's files (tests/test_cf.py) names them. A leaf of the
package.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

__all__ = ["CONVENTIONS", "REFERENCES", "UDUNITS_UNITS", "VARIABLES", "describe"]

CONVENTIONS = "CF-1.10"
#: The papers behind the model, for every file's ``references``.
REFERENCES = ("Lufkin, Puri, Song, Zhong & Lafferty (2022), Emergent organization of receptive fields in networks "
              "of excitatory and inhibitory neurons, arXiv:2205.13614; Keane & Gong (2015), Propagating waves can "
              "explain irregular neural dynamics, J. Neurosci. 35(4):1591-1605, doi:10.1523/JNEUROSCI.1669-14.2015")

_ONE = "1"
#: name -> (units, long_name) of every variable and coordinate ei-maps writes.
VARIABLES: dict[str, tuple[str, str]] = {
    # the sheet and its inputs
    "unit_y": (_ONE, "row of the unit on the sheet (grid index)"),
    "unit_x": (_ONE, "column of the unit on the sheet (grid index)"),
    "patch_y": (_ONE, "row of the pixel in the image patch"),
    "patch_x": (_ONE, "column of the pixel in the image patch"),
    "input": (_ONE, "index of the input (receptor)"),
    "embedding_dim": (_ONE, "dimension of the word vector"),
    "channel": (_ONE, "input channel of the retinotopic sheet"),
    "coord": (_ONE, "spatial coordinate (y or x)"),
    "dictionary": (_ONE, "feed-forward weights of each unit (unit-norm columns)"),
    "receptive_fields": (_ONE, "receptive field of each unit, mapped by probing with patches"),
    "excitatory": (_ONE, "whether the site holds an excitatory neuron"),
    # training histories
    "step": (_ONE, "learning step"),
    "step_before": (_ONE, "learning step before the manipulation"),
    "step_after": (_ONE, "learning step after the manipulation"),
    "eval_step": (_ONE, "learning step of the evaluation"),
    "map_step": (_ONE, "learning step of the map measurement"),
    "loss": (_ONE, "0.5 * mean squared reconstruction error per stimulus"),
    "sparsity": (_ONE, "fraction of units with |a_exc| > 1e-5"),
    "iterations": (_ONE, "settling updates"),
    "lam": (_ONE, "soft threshold used at this step"),
    "rate": (_ONE, "spikes per neuron per window, all neurons"),
    "active": (_ONE, "fraction of excitatory neurons that spiked"),
    "threshold": ("mV", "firing threshold used at this step"),
    "updated": (_ONE, "1 if the dictionary was updated"),
    "explained_variance": (_ONE, "1 - |x - Phi a|^2 / |x|^2 on held-out patches, a = raw spike counts"),
    "spatial_spread": (_ONE, "median spatial spread of the dictionary's excitatory columns (1 = unlocalized)"),
    "adjacent_similarity": (_ONE, "dictionary |cos| of adjacent excitatory units"),
    "random_similarity": (_ONE, "dictionary |cos| of random pairs of excitatory units"),
    "orientation_strength": (_ONE, "median orientation strength of the dictionary's excitatory columns"),
    "spikes_per_patch": (_ONE, "mean excitatory spikes per held-out patch"),
    # the lateral interactions
    "lateral_wavenumber": (_ONE, "spatial frequency on the sheet, cycles per grid unit"),
    "lateral_k_eff": (_ONE, "Fourier transform of the effective lateral kernel (excitation minus inhibition)"),
    "lateral_gain": (_ONE, "linear gain of the settled sheet at this spatial frequency"),
    # the saccade of train images
    "frame": (_ONE, "frame of the saccade along an edge"),
    "saccade_activity": (_ONE, "settled excitatory activity of the sheet at each frame"),
    "saccade_patch": (_ONE, "image patch shown at each frame"),
    "saccade_position": (_ONE, "position of the patch in the image at each frame, pixels"),
    "saccade_centroid": (_ONE, "centroid of the sheet's activity at each frame, grid units"),
    # orientation maps (analysis.nc)
    "orientation": ("rad", "orientation of the probing grating"),
    "preference": ("rad", "preferred orientation in [0, pi)"),
    "rf_preference": ("rad", "preferred orientation of the receptive field in [0, pi)"),
    "selectivity": (_ONE, "orientation selectivity |z| / sum_k r_k"),
    "rf_selectivity": (_ONE, "orientation selectivity of the receptive field |z| / sum_k r_k"),
    "tuning": (_ONE, "response r_k per grating orientation"),
    "analyzed": (_ONE, "whether the unit entered the map's measures"),
    "pinwheel": (_ONE, "index of the pinwheel"),
    "pinwheel_y": (_ONE, "row of the pinwheel on the sheet, grid units"),
    "pinwheel_x": (_ONE, "column of the pinwheel on the sheet, grid units"),
    "pinwheel_charge": (_ONE, "winding of the orientation around the pinwheel (+1/2 or -1/2)"),
    "wavenumber": (_ONE, "radial spatial frequency of the map, cycles per grid unit"),
    "power": (_ONE, "radially averaged power spectrum of the orientation map"),
    "power_fit": (_ONE, "fit of the power spectrum around its ring"),
    "wavelength": (_ONE, "wavelength of the wavelet, grid units"),
    "wavelet_modulus": (_ONE, "mean wavelet modulus of the map at this wavelength"),
    "local_spacing": (_ONE, "local column spacing (wavelet), grid units"),
    "distance": (_ONE, "distance on the sheet, grid units"),
    "similarity_by_distance": (_ONE, "mean |cos| of receptive fields at this distance"),
    "raw_similarity": (_ONE, "mean |cos| of dictionary columns at this distance"),
    # word maps
    "word": (_ONE, "vocabulary word"),
    "embeddings": (_ONE, "standardized word vector"),
    "activations": (_ONE, "settled excitatory response of every vocabulary word"),
    "frequency": (_ONE, "unigram probability used for sampling"),
    # touch
    "finger": (_ONE, "finger number"),
    "phase": (_ONE, "phase of the experiment (before or after the manipulation)"),
    "stimulus_class": (_ONE, "stimulus class (a finger alone or a pair)"),
    "class_finger": (_ONE, "finger of the class (0 for a pair)"),
    "class_responses": (_ONE, "mean settled response of each unit to each stimulus class"),
    "preferred_finger": (_ONE, "finger whose class drives the unit most (0: none)"),
    "territory": (_ONE, "whether the unit belongs to the finger's territory"),
    "territory_size": (_ONE, "units in the finger's territory"),
    "territory_components": (_ONE, "connected components of the finger's territory"),
    "territory_largest_component": (_ONE, "units in the largest component of the finger's territory"),
    "territory_centroid_y": (_ONE, "row of the territory's centroid, grid units"),
    "territory_centroid_x": (_ONE, "column of the territory's centroid, grid units"),
    "territory_sign": (_ONE, "sign of the class response that defines the territory"),
    "territory_peak": (_ONE, "largest |class response| of the finger"),
    "territory_threshold": (_ONE, "response a unit needs to belong to the territory"),
    "territory_label": (_ONE, "finger whose territory holds the unit (0: none)"),
    "territory_overlap": (_ONE, "units in more than one territory"),
    # wave sheet spikes
    "neuron": (_ONE, "index of the neuron"),
    "neuron_x": (_ONE, "column of the neuron on the sheet (grid index)"),
    "neuron_y": (_ONE, "row of the neuron on the sheet (grid index)"),
    "neuron_is_exc": (_ONE, "whether the neuron is excitatory"),
    "spike_neuron": (_ONE, "neuron that spiked"),
    "spike_time": ("ms", "time of the spike"),
    # what sweeps measure per configuration (sweep.nc; the swept parameters are described by their declarations)
    "seconds": ("s", "wall time of the configuration's run"),
    "error": (_ONE, "why the configuration failed (empty when it succeeded)"),
    "done": (_ONE, "whether the configuration finished"),
    "final_loss": (_ONE, "mean loss over the last 100 steps"),
    "final_sparsity": (_ONE, "mean fraction of active units over the last 100 steps"),
    "final_rate": (_ONE, "mean spikes per neuron per window over the last 100 steps"),
    "oriented_fraction": (_ONE, "fraction of receptive fields that are oriented"),
    "selectivity_median": (_ONE, "median orientation selectivity"),
    "neighbor_orientation_diff_deg": ("degree", "mean orientation difference of adjacent units"),
    "distance_spearman": (_ONE, "Spearman correlation of receptive-field similarity and distance on the sheet"),
    "predicted_wavelength": (_ONE, "wavelength the lateral E/I interactions prefer, grid units"),
    "column_spacing": (_ONE, "column spacing Lambda from the ring of the map's power spectrum, grid units"),
    "column_spacing_prominence": (_ONE, "how far the spectrum's ring stands above its surroundings"),
    "ring_contrast": (_ONE, "power of the spectrum's ring over that of the lowest wavenumber"),
    "wavelet_spacing": (_ONE, "mean local column spacing (wavelet), grid units"),
    "lambda_per_window": (_ONE, "column spacing over the width of a unit's window"),
    "rf_scatter": (_ONE, "RMS scatter of receptive-field centres about their windows' centres, pixels"),
    "pinwheel_count": (_ONE, "pinwheels in the map"),
    "plateau_count": (_ONE, "pinwheels on the plateau of the smoothing scales (filtered map)"),
    "area": (_ONE, "area of the map where pinwheels are counted, grid units squared"),
    "pinwheel_density": (_ONE, "pinwheels per squared spectral column spacing"),
    "pinwheel_density_plateau": (_ONE, "pinwheels of the filtered map per squared spectral column spacing"),
    "pinwheel_density_kaschube": (_ONE, "pinwheels of the filtered map per squared mean local column spacing"),
    "pinwheel_density_mean_wavenumber": (_ONE, "pinwheels per squared spacing of the mean wavenumber"),
    "map_quality": (_ONE, "map quality (rho/pi)^0.8 exp(-0.8 (rho - pi)/pi), 1 at pi pinwheels per Lambda^2"),
    "semantic_neighbor_similarity": (_ONE, "word-vector similarity of adjacent units' preferred words"),
    "semantic_random_similarity": (_ONE, "word-vector similarity of random pairs of units' preferred words"),
    "trustworthiness": (_ONE, "trustworthiness of the map as a 2-D embedding of the words"),
    "map_spearman": (_ONE, "Spearman correlation of distance on the map and in word-vector space"),
    "reorganization": (_ONE, "fraction of territory units whose finger changed after the manipulation"),
    "deprived_size_ratio": (_ONE, "size of the deprived finger's territory after over before"),
    "components_before": (_ONE, "mean connected components of a territory before the manipulation"),
    "size_before": (_ONE, "mean units in a territory before the manipulation"),
    "boundary_fraction_before": (_ONE, "fraction of adjacent pairs with different preferred fingers, before"),
    "rate_exc_hz": ("Hz", "mean firing rate of the excitatory neurons"),
    "rate_inh_hz": ("Hz", "mean firing rate of the inhibitory neurons"),
    "cv_isi_mean": (_ONE, "mean coefficient of variation of the inter-spike intervals"),
    "fano_100ms": (_ONE, "Fano factor of spike counts in 100 ms bins"),
    "wave_count": (_ONE, "wave fronts detected"),
    "wave_speed_median": (_ONE, "median speed of the wave fronts, sites per ms"),
}
#: The unit strings written as they are (UDUNITS knows them). Any other unit -- ei-maps states many in words:
#: "grid units", "pixel", a declaration's "count" -- is written as "1", its words (if they say more than
#: "dimensionless" or "count") going into the long name; arrays in memory keep their words, which plots show.
UDUNITS_UNITS = ("1", "ms", "s", "mV", "1/ms", "Hz", "rad", "degree")
_NO_UNIT = ("dimensionless", "count")
#: Suffixes of per-phase variables (touch) and what they add to the long name.
_PHASES = {"_before": " (before the manipulation)", "_after": " (after the manipulation)"}
#: Sample dimensions left without an index coordinate (one entry per spike: the coordinate would double the file).
_SAMPLE_DIMS = ("spike",)
_TITLES = {"run.nc": "trained run", "checkpoint.nc": "checkpoint of a run", "analysis.nc": "analysis of a run",
           "spikes.nc": "spikes of a simulated sheet"}


def _entry(name: str) -> tuple[str, str] | None:
    if name in VARIABLES:
        return VARIABLES[name]
    for suffix, words in _PHASES.items():
        if name.endswith(suffix) and name[:-len(suffix)] in VARIABLES:
            units, long_name = VARIABLES[name[:-len(suffix)]]
            return units, long_name + words
    return None


def describe(ds, path: str | Path | None = None):
    """``ds`` with CF attributes where missing (a shallow copy; the data are not copied).

    Parameters
    ----------
    ds : xarray.Dataset
        A result about to be written.
    path : str or Path, optional
        Its file (the ``title`` names what the file is).

    Returns
    -------
    xarray.Dataset
    """
    import numpy as np

    ds = ds.copy(deep=False)
    for dim in ds.dims:
        if dim not in ds.coords and dim not in _SAMPLE_DIMS:
            ds = ds.assign_coords({dim: np.arange(ds.sizes[dim], dtype=np.int32)})
    for name in ds.variables:
        entry = _entry(str(name))
        if entry is None:
            continue
        variable = ds.variables[name]
        attrs = dict(variable.attrs)  # a new dict: the caller's Dataset keeps its own
        if "units" not in attrs and variable.dtype.kind not in "USO":  # text has no unit in CF
            attrs["units"] = entry[0]
        attrs.setdefault("long_name", entry[1])
        variable.attrs = attrs
    for name in ds.variables:
        variable = ds.variables[name]
        words = variable.attrs.get("units")
        if words is not None and words not in UDUNITS_UNITS:
            attrs = dict(variable.attrs, units=_ONE)
            if words not in _NO_UNIT:
                attrs["long_name"] = f"{attrs.get('long_name', name)} [{words}]"
            variable.attrs = attrs
    kind = ds.attrs.get("kind", "")
    what = _TITLES.get(Path(path).name, "result") if path is not None else "result"
    from ._version import __version__

    ds.attrs.setdefault("Conventions", CONVENTIONS)
    ds.attrs.setdefault("title", f"ei-maps {what}{f' ({kind})' if kind else ''}")
    ds.attrs["source"] = f"ei-maps {__version__}"
    ds.attrs["references"] = REFERENCES
    ds.attrs["history"] = _history(ds.attrs.get("history"), ds.attrs.get("provenance"))
    return ds


def _history(previous: Any, provenance: Any) -> str:
    """CF's ``history``: one line per writing, time and command (from the provenance record)."""
    try:
        record = json.loads(provenance) if isinstance(provenance, str) else {}
    except ValueError:
        record = {}
    line = f"{record.get('written') or time.strftime('%Y-%m-%dT%H:%M:%S%z')}: {' '.join(record.get('command', []))}"
    lines = [p for p in str(previous).splitlines() if p] if previous else []
    return "\n".join((lines + [line.rstrip(': ')])[-20:])

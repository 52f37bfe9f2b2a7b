"""A wave run's spikes in the formats spike-analysis tools read: NWB (pynwb) and Neo.

``ei-maps export RUN --format nwb`` writes ``RUN/spikes.nwb``: one unit per
neuron in the file's ``units`` table, its spike times in seconds, its place
on the sheet (``x``, ``y``, grid units) and whether it is excitatory, with
the sheet's parameters and the run's provenance in the file's ``notes``.
``--format neo`` writes a Neo ``Block`` (one ``SpikeTrain`` per neuron, the
same annotations) with Neo's own pickle IO. Both need their optional extra
(``nwb``; Neo comes with the ``test`` extra's elephant, or ``pip install
neo``).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMATS", "export_run", "to_neo", "to_nwb"]

#: Export formats and the file each writes in the run folder.
FORMATS = {"nwb": "spikes.nwb", "neo": "spikes.neo.pkl"}


def _trains(spikes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(spike times in s sorted by neuron then time, index of each neuron's last spike + 1, neuron ids)."""
    neuron = spikes["spike_neuron"].values.astype(np.int64)
    time_s = spikes["spike_time"].values.astype(np.float64) / 1e3
    order = np.lexsort((time_s, neuron))
    n = spikes.sizes["neuron"]
    ends = np.cumsum(np.bincount(neuron, minlength=n))
    return time_s[order], ends, np.arange(n)


def _description(spikes) -> str:
    """The sheet's parameters, its measures and the run's provenance, as JSON text."""
    keep = ("lif_config", "summary", "provenance", "run_id", "duration_ms", "dt_ms", "side", "n_exc", "n_inh")
    return json.dumps({k: spikes.attrs[k] for k in keep if k in spikes.attrs}, default=str)


def _check(spikes) -> None:
    missing = [v for v in ("spike_neuron", "spike_time", "neuron_x", "neuron_y", "neuron_is_exc") if v not in spikes]
    if missing:
        raise ValueError(f"not the spikes of a wave run (missing {', '.join(missing)}): export reads spikes.nc")


def to_nwb(spikes, path: str | Path) -> Path:
    """Write the spikes of a wave run to an NWB file.

    Parameters
    ----------
    spikes : xarray.Dataset
        A wave run's ``spikes.nc`` (``spike_time`` [ms], ``spike_neuron``, ``neuron_x``, ``neuron_y``,
        ``neuron_is_exc``).
    path : str or Path
        The ``.nwb`` file to write (atomically).

    Returns
    -------
    Path
        The file written.
    """
    from hdmf.common import VectorData, VectorIndex
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.misc import Units

    from .io import atomic_write

    _check(spikes)
    times, ends, ids = _trains(spikes)
    created = json.loads(spikes.attrs.get("provenance", "{}")).get("written")
    start = datetime.fromisoformat(created) if created else datetime.now(timezone.utc)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    nwb = NWBFile(session_description="spiking E/I sheet simulated by ei-maps (conductance-based LIF, "
                                      "Keane & Gong 2015)",
                  identifier=str(spikes.attrs.get("run_id") or "ei-maps-waves"), session_start_time=start,
                  notes=_description(spikes), source_script="ei-maps waves", source_script_file_name="ei-maps")
    spike_times = VectorData(name="spike_times", data=times, description="spike times of each neuron, s")
    columns = [spike_times, VectorIndex(name="spike_times_index", data=ends, target=spike_times),
               VectorData(name="x", data=spikes["neuron_x"].values, description="column on the sheet, grid units"),
               VectorData(name="y", data=spikes["neuron_y"].values, description="row on the sheet, grid units"),
               VectorData(name="is_excitatory", data=spikes["neuron_is_exc"].values.astype(bool),
                          description="whether the neuron is excitatory")]
    nwb.units = Units(name="units", description="the neurons of the sheet", id=ids, columns=columns)

    def write(tmp: Path) -> None:
        import warnings

        with warnings.catch_warnings():  # the temporary's name does not end in .nwb; the file it becomes does
            warnings.filterwarnings("ignore", message="The file path provided", category=UserWarning)
            with NWBHDF5IO(str(tmp), "w") as io:
                io.write(nwb)

    return atomic_write(Path(path), write)


def to_neo(spikes) -> Any:
    """The spikes of a wave run as a Neo ``Block`` (one ``SpikeTrain`` per neuron, in ms).

    Parameters
    ----------
    spikes : xarray.Dataset
        A wave run's ``spikes.nc``.

    Returns
    -------
    neo.Block
        One ``Segment`` whose spike trains carry ``x``, ``y`` (grid units) and ``is_excitatory`` annotations.
    """
    import neo
    import quantities as pq

    _check(spikes)
    times, ends, ids = _trains(spikes)
    stop = float(spikes.attrs.get("duration_ms", times.max() * 1e3 if times.size else 1.0))
    block = neo.Block(name="ei-maps wave run", description=_description(spikes))
    segment = neo.Segment(name="simulation")
    starts = np.concatenate([[0], ends[:-1]])
    xs, ys, exc = spikes["neuron_x"].values, spikes["neuron_y"].values, spikes["neuron_is_exc"].values
    for i, (a, b) in enumerate(zip(starts, ends)):
        segment.spiketrains.append(neo.SpikeTrain(times[a:b] * 1e3 * pq.ms, t_stop=stop * pq.ms, name=f"neuron {i}",
                                                  x=int(xs[i]), y=int(ys[i]), is_excitatory=bool(exc[i])))
    block.segments.append(segment)
    return block


def export_run(run_dir: str | Path, fmt: str = "nwb") -> Path:
    """Export the spikes of the wave run in ``run_dir`` into the same folder.

    Parameters
    ----------
    run_dir : str or Path
        A folder made by ``ei-maps waves`` (or its ``spikes.nc``).
    fmt : {"nwb", "neo"}
        The format (:data:`FORMATS` names the file).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For another format, or a folder without spikes.
    """
    from .framework.run_folder import record_derived
    from .io import atomic_write, load_dataset

    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    path = Path(run_dir)
    folder = path if path.is_dir() else path.parent
    source = path if path.is_file() else folder / "spikes.nc"
    if not source.is_file():
        raise ValueError(f"{folder} holds no spikes.nc: export writes the spikes of a wave run (ei-maps waves)")
    spikes = load_dataset(source)
    if fmt == "nwb":
        written = to_nwb(spikes, folder / FORMATS[fmt])
    else:
        from neo.io import PickleIO

        block = to_neo(spikes)
        written = atomic_write(folder / FORMATS[fmt], lambda tmp: PickleIO(str(tmp)).write_block(block))
    record_derived(folder, [written])
    return written

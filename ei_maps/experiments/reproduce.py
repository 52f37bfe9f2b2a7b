"""``ei-maps reproduce``: regenerate the paper's results into one folder and one self-contained HTML report.

Each part is a normal run folder under ``--out``, made by the experiments' own
functions (train, analyze, figures):

- ``images``: the Fig. 2 map (activation model on natural-image patches),
  its orientation map with pinwheels, and the shared measures beside the
  authors' published Fig. 2 dictionary;
- ``text``: the map of word meaning (GloVe) with its regions' words;
- ``touch``: the hand map before and after finger 3 is deprived;
- ``lif``: the spiking coder (paper appendix) beside the published spiking dictionary;
- ``waves``: the Keane & Gong (2015) spiking E/I sheet, snapshots and statistics.

``report.html`` embeds every figure (base64 PNG) and shows, per part, a
table of measures (ours against the published or paper value where there is
one), the settings and the time taken. A part whose folder holds a finished
run made with the same settings is not redone (``--overwrite`` redoes it);
a part that fails is shown as failed with its reason, the others still run,
and the command then exits with an error.
"""
from __future__ import annotations

import argparse
import base64
import html
import json
import math
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import EiMapsError
from ..io import json_safe
from .registry import Experiment
from .runs import locks_output_folder

#: The parts, in report order.
PARTS = ("images", "text", "touch", "lif", "waves")
#: Per part folder: what the reproduction recorded (settings, measures, figures, time, status).
MARKER_FILE = "reproduce.json"
REPORT_FILE = "report.html"

TITLES = {
    "images": "Natural images: receptive fields (Fig. 2) and the orientation map with pinwheels",
    "text": "Words: a map of word meaning (GloVe)",
    "touch": "Touch: the hand map before and after deprivation of finger 3",
    "lif": "Spiking sparse coding (appendix): receptive fields of the LIF E/I sheet",
    "waves": "Spiking waves: the Keane & Gong (2015) conductance-LIF E/I sheet",
}

#: The Keane & Gong (2015) statistics of the published 300 x 300 sheet (docs/waves.md's targets).
KEANE_GONG = {"rate_exc_hz": 20.0, "rate_inh_hz": 20.0, "cv_isi_mean": 0.9, "fano_100ms": 1.0,
              "wave_diameter_median": 18.0, "wave_speed_median": 1.9}
KEANE_GONG_CORRELATION = {1: 0.9, 2: 0.8, 4: 0.6, 8: 0.3, 16: 0.0}


# ---------------------------------------------------------------------------- settings
def part_settings(part: str, quick: bool) -> dict[str, Any]:
    """The settings one part runs with (JSON-ready; a resumed part must have the same).

    Parameters
    ----------
    part : str
        One of :data:`PARTS`.
    quick : bool
        Reduced sizes, steps and durations (the whole reproduction in about a minute).
    """
    if part == "images":
        return ({"side": 16, "steps": 300, "permutations": 19} if quick
                else {"side": 40, "steps": 10_000, "permutations": 199})
    if part == "text":
        return ({"side": 10, "steps": 300, "n_words": 2000, "analysis_words": 300} if quick
                else {"side": 40, "steps": 10_000, "n_words": 20_000, "analysis_words": 1000})
    if part == "touch":
        return ({"side": 10, "steps": 300, "after_steps": 200} if quick
                else {"side": 40, "steps": 4000, "after_steps": 3000})
    if part == "lif":
        return ({"side": 10, "steps": 1000, "batch": 64, "probe_repeats": 4, "calibration_steps": 20,
                 "held_out_patches": 256} if quick
                else {"side": 30, "steps": 20_000, "batch": 256, "probe_repeats": 32, "calibration_steps": 200,
                      "held_out_patches": 1024})
    if part == "waves":
        return ({"side": 60, "duration_ms": 300.0, "transient_ms": 100.0} if quick
                else {"side": 300, "duration_ms": 2000.0, "transient_ms": 200.0})
    raise ValueError(f"unknown part {part!r}; parts: {', '.join(PARTS)}")


def parse_parts(text: str | None) -> list[str]:
    """The parts named by ``--only`` (comma-separated), in report order; all of them for None."""
    if text is None:
        return list(PARTS)
    names = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in names if p not in PARTS]
    if not names or unknown:
        raise ValueError(f"--only takes parts among {', '.join(PARTS)} (comma-separated), got {text!r}")
    return [p for p in PARTS if p in names]


# ---------------------------------------------------------------------------- measures
def _number(value: Any) -> float | None:
    """A finite float, or None."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _row(measure: str, ours: Any, reference: Any = None, source: str = "") -> dict[str, Any]:
    """One row of a part's table: ``reference`` is a number, a text (a qualitative paper result) or None."""
    ref = reference if isinstance(reference, str) else _number(reference)
    return {"measure": measure, "ours": _number(ours), "reference": ref, "source": source}


def _pngs(paths) -> list[str]:
    """The PNG files among ``paths``, each once, in order."""
    return list(dict.fromkeys(str(p) for p in paths if str(p).endswith(".png") and Path(p).is_file()))


def _published(name: str, reference: str | Path | None, notes: list[str]) -> np.ndarray | None:
    """The published dictionary ``name``, or None with the note that it was not found."""
    from .published import reference_file

    path = reference_file(name, reference)
    if not path.is_file():
        notes.append(f"published dictionary not found at {path}: comparison skipped")
        return None
    return np.load(path)


# ---------------------------------------------------------------------------- the parts
def _images(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    from .. import plotting
    from ..analysis import as_fields
    from ..config import TrainConfig
    from ..models import ModelConfig
    from .images import train_images
    from .orientation_maps import analyze_image_run
    from .published import FIG2_FILE, compare_fig2

    ds = train_images(ModelConfig(side=s["side"]), TrainConfig(steps=s["steps"]), out=folder, resume=resume,
                      progress=progress, figures=True, log=log)
    trained = json.loads(ds.attrs["summary"])
    log("measuring the orientation map (gratings through the settled dynamics)")
    a = analyze_image_run(folder, ds, {"permutations": s["permutations"], "figures": True, "method": "gratings"})
    notes: list[str] = []
    rows = [_row("receptive fields: adjacent |cos|", trained["adjacent_similarity"]),
            _row("receptive fields: random pairs |cos|", trained["random_similarity"]),
            _row("receptive fields: oriented fraction", trained["oriented_fraction"]),
            _row("receptive fields: spatial spread (median; 1 = unlocalized)", trained["spatial_spread_median"])]
    figures = _pngs(trained.get("figures", []))
    published = _published(FIG2_FILE, reference, notes)
    if published is not None:
        log("comparing with the published Fig. 2 dictionary")
        c = compare_fig2(ds, published, probe_lam=TrainConfig().probe_lam)
        labels = {"adjacent_similarity": "adjacent |cos|", "random_similarity": "random pairs |cos|",
                  "oriented_fraction": "oriented fraction", "spatial_spread_median": "spatial spread (median)"}
        rows = []
        for what in ("dictionary", "receptive_fields"):
            for key, label in labels.items():
                rows.append(_row(f"{what.replace('_', ' ')}: {label}", c[f"ours_{what}"][key],
                                 c[f"published_{what}"][key], "published Fig. 2 dictionary, measured here"))
        side = int(round(np.sqrt(published.shape[1])))
        figures.append(str(plotting.save_figure(plotting.plot_receptive_fields(
            as_fields(published, side), title=f"published Fig. 2 dictionary ({side} x {side})"),
            folder / "published_dictionary.png")))
    o, pw, t = a["orientation"], a["pinwheels"], a["topography"]
    rows += [_row("orientation map: pinwheels", pw["count"], "9-10",
                  "authors' Fig. 2 dictionary, measured in README"),
             _row("orientation map: pinwheel density per Lambda^2", pw["density"], math.pi,
                  "cortex (tree shrew, galago, ferret)"),
             _row("orientation map: adjacent orientation difference [deg]", t["neighbor_orientation_diff_deg"],
                  "6.5-7.4", "authors' Fig. 2 dictionary, measured in README"),
             _row("orientation map: Spearman similarity vs distance", t["distance_spearman"], 0.161,
                  "authors' Fig. 2 dictionary, measured in README"),
             _row("orientation map: selectivity (median)", o["selectivity_median"])]
    return {"rows": rows, "figures": _pngs(figures + list(a.get("figures", []))), "notes": notes}


def _text(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    from ..config import TextTrainConfig
    from ..models import PAPER_TEXT_MODEL
    from ..provenance import save_result
    from .orientation_maps import ANALYSIS_FILE
    from .text import analyze_text, train_text

    ds = train_text(PAPER_TEXT_MODEL.replace(side=s["side"]), TextTrainConfig(steps=s["steps"], n_words=s["n_words"]),
                    out=folder, resume=resume, progress=progress, figures=True, log=log)
    trained = json.loads(ds.attrs["summary"])
    log("measuring the word map")
    analysis, a = analyze_text(ds, max_words=s["analysis_words"])
    save_result(analysis, folder / ANALYSIS_FILE)
    rows = [_row("adjacent units' preferred words: cosine", trained["semantic_neighbor_similarity"]),
            _row("random units' preferred words: cosine", trained["semantic_random_similarity"]),
            _row("trustworthiness", a["topography"]["trustworthiness"]),
            _row("Spearman: embedding vs activation-pattern distances", a["distortion"]["map_spearman"]),
            _row("Spearman: embedding vs map-position distances", a["distortion"]["position_spearman"]),
            _row("Spearman: 2-D t-SNE (baseline)", a["distortion"]["tsne_spearman"])]
    return {"rows": rows, "figures": _pngs(trained.get("figures", [])), "notes": [],
            "regions": trained.get("region_words", {})}


def _touch(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    from ..config import TouchTrainConfig
    from ..io import load_dataset
    from ..models import PAPER_TOUCH_MODEL
    from .runs import RUN_FILE
    from .touch import train_touch, write_figures

    if resume and (folder / RUN_FILE).is_file():  # a finished touch run is read back, not continued
        ds = load_dataset(folder / RUN_FILE)
        summary = json.loads(ds.attrs["summary"])
        summary["figures"] = [str(p) for p in write_figures(ds, folder)]
    else:
        ds = train_touch(PAPER_TOUCH_MODEL.replace(side=s["side"]),
                         train_config=TouchTrainConfig(steps=s["steps"], after_steps=s["after_steps"]),
                         out=folder, resume=resume, progress=progress, figures=True, log=log)
        summary = json.loads(ds.attrs["summary"])
    rows = []
    for phase, territories in summary["territories"].items():
        for finger, t in territories.items():
            rows.append(_row(f"{phase}: finger {finger} territory [units]", t["size"]))
    d = summary.get("deprived") or {}
    if d:
        rows += [_row(f"deprived finger {d['finger']}: territory after / before", d["size_ratio"], 0.0,
                      "paper: the deprived finger's territory vanishes"),
                 _row(f"deprived finger {d['finger']}: peak response after / before", d["peak_ratio"],
                      "falls", "paper (README measures 0.22-0.28 at full size)")]
        rows += [_row(f"finger {f}: territory growth [units]", g, "little",
                      "paper: the others do not take the territory over") for f, g in d["growth"].items()]
    rows.append(_row("reorganization (fraction of territory units that changed finger)", summary["reorganization"]))
    return {"rows": rows, "figures": _pngs(summary.get("figures", [])), "notes": [f"manipulation: {summary['manipulation']}"]}


def _lif(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    from .. import plotting
    from ..analysis import as_fields
    from ..models import LIFCodingConfig
    from .images_lif import LIF_TRAIN, train_images_lif
    from .published import LIF_FILE, compare_lif

    train = LIF_TRAIN.replace(steps=s["steps"], batch=s["batch"], checkpoint_every=min(LIF_TRAIN.checkpoint_every,
                                                                                      s["steps"]))
    ds = train_images_lif(LIFCodingConfig(side=s["side"]), train, out=folder, resume=resume, progress=progress,
                          figures=True, probe_repeats=s["probe_repeats"], log=log)
    trained = json.loads(ds.attrs["summary"])
    notes: list[str] = []
    held = trained.get("held_out", {})
    rows = [_row("receptive fields: adjacent |cos|", trained["adjacent_similarity"]),
            _row("receptive fields: random pairs |cos|", trained["random_similarity"]),
            _row("receptive fields: spatial spread (median)", trained["spatial_spread_median"]),
            _row("held-out explained variance (raw spike counts)", held.get("explained_variance"))]
    figures = _pngs(trained.get("figures", []))
    published = _published(LIF_FILE, reference, notes)
    if published is not None:
        log("comparing with the published spiking dictionary")
        c = compare_lif(ds, published, calibration_steps=s["calibration_steps"],
                        held_out_patches=s["held_out_patches"])
        labels = {"explained_variance": "held-out explained variance (raw spike counts)",
                  "spatial_spread_median": "dictionary: spatial spread (median)",
                  "orientation_strength_median": "dictionary: orientation strength (median)",
                  "adjacent_similarity": "dictionary: adjacent |cos|", "random_similarity": "dictionary: random |cos|",
                  "spikes_per_patch": "spikes per patch", "threshold_mV": "threshold [mV]", "steps": "steps"}
        rows = rows[:3] + [_row(label, c["ours"][k], c["published"][k], "published spiking dictionary, measured here")
                           for k, label in labels.items()]
        side = int(round(np.sqrt(published.shape[1])))
        blank = np.all(published == 0, axis=0).reshape(side, side)
        figures.append(str(plotting.save_figure(plotting.plot_receptive_fields(
            as_fields(published, side), blank=blank,
            title=f"published spiking dictionary ({side} x {side}, inhibitory sites black)"),
            folder / "published_dictionary.png")))
    return {"rows": rows, "figures": figures, "notes": notes}


def _waves(folder: Path, s: dict[str, Any], reference, resume: bool, progress: bool, log) -> dict[str, Any]:
    from ..models import WaveSheetConfig
    from .waves import run_waves

    if folder.is_dir():  # a simulation is not continued: it is redone
        shutil.rmtree(folder)
    summary = run_waves(WaveSheetConfig(side=s["side"]), duration_ms=s["duration_ms"],
                        transient_ms=s["transient_ms"], out=folder, figures=True, progress=progress, log=log)
    source = "Keane & Gong (2015), published 300 x 300 sheet"
    labels = {"rate_exc_hz": "E rate [Hz]", "rate_inh_hz": "I rate [Hz]", "cv_isi_mean": "mean CV of ISI",
              "fano_100ms": "Fano factor (100 ms)", "wave_diameter_median": "front diameter (median) [sites]",
              "wave_speed_median": "front speed (median) [sites/ms]"}
    rows = [_row(label, summary.get(k), KEANE_GONG[k], source) for k, label in labels.items()]
    rows.append(_row("wave fronts at once (mean)", summary.get("waves_simultaneous_mean")))
    for d, v in (summary.get("correlation_by_distance") or {}).items():
        try:
            distance = int(str(d).lstrip(">= ").split()[0])
        except (ValueError, IndexError):
            distance = None
        rows.append(_row(f"spike-count correlation at {d} sites", v, KEANE_GONG_CORRELATION.get(distance),
                         source if distance in KEANE_GONG_CORRELATION else ""))
    return {"rows": rows, "figures": _pngs(summary.get("figures", [])),
            "notes": ["the quick sheet is smaller and shorter than the published one: its statistics are rougher"
                      if s["side"] < 300 else ""]}


RUNNERS: dict[str, Callable[..., dict[str, Any]]] = {"images": _images, "text": _text, "touch": _touch,
                                                     "lif": _lif, "waves": _waves}
#: The file a part's finished run leaves.
RESULT_FILE = {"images": "run.nc", "text": "run.nc", "touch": "run.nc", "lif": "run.nc", "waves": "spikes.nc"}


# ---------------------------------------------------------------------------- running
def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(folder: Path, record: dict[str, Any]) -> None:
    from ..io import atomic_write

    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(json_safe(record), indent=1)
    atomic_write(folder / MARKER_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def run_part(part: str, out: str | Path, quick: bool = False, reference: str | Path | None = None,
             overwrite: bool = False, progress: bool = True, log=print) -> dict[str, Any]:
    """Run (or reuse) one part of the reproduction into ``out/PART``.

    Parameters
    ----------
    part : str
        One of :data:`PARTS`.
    out : path
        The reproduction folder.
    quick : bool
        Reduced settings (:func:`part_settings`).
    reference : path, optional
        Folder of the published dictionaries (see :func:`ei_maps.experiments.published.reference_dir`).
    overwrite : bool
        Redo the part even if its folder holds a finished run with the same settings.

    Returns
    -------
    dict
        ``part``, ``status`` ("ok" or "failed"), ``error``, ``reused``, ``seconds``
        (of the run that made it) [s], ``settings``, ``rows`` (the table),
        ``figures`` (PNG paths), ``notes``.
    """
    folder = Path(out) / part
    settings = {"quick": quick, **part_settings(part, quick)}
    marker = _read_marker(folder)
    same = marker is not None and marker.get("settings") == settings
    finished = (folder / RESULT_FILE[part]).is_file()
    if not overwrite and same and finished and marker.get("status") == "ok":
        log(f"[{part}] finished run with the same settings in {folder}: reused")
        return {**marker, "reused": True}
    if folder.exists() and (overwrite or not same):
        if not overwrite and marker is None and any(folder.iterdir()):
            log(f"[{part}] {folder} holds files of another run: replaced")
        shutil.rmtree(folder)
    resume = same and not overwrite and any((folder / f).is_file() for f in ("run.nc", "checkpoint.nc"))
    folder.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"part": part, "title": TITLES[part], "settings": settings, "status": "running",
                              "rows": [], "figures": [], "notes": [], "error": None}
    _write_marker(folder, record)
    log(f"[{part}] {'continuing' if resume else 'running'} into {folder}: "
        + ", ".join(f"{k} {v}" for k, v in settings.items() if k != "quick"))
    started = time.perf_counter()
    try:
        result = RUNNERS[part](folder, settings, reference, resume, progress,
                               lambda message: log(f"[{part}] {message}"))
    except KeyboardInterrupt:
        raise
    except Exception as err:  # a missing optional extra, a bad reference file, ...: shown, the others still run
        record.update(status="failed", error=f"{type(err).__name__}: {err}",
                      seconds=round(time.perf_counter() - started, 2))
        log(f"[{part}] failed: {record['error']}")
    else:
        record.update(status="ok", seconds=round(time.perf_counter() - started, 2), **result)
        record["notes"] = [n for n in record["notes"] if n]
        log(f"[{part}] done in {record['seconds']:.1f} s")
    _write_marker(folder, record)
    return {**record, "reused": False}


@locks_output_folder
def reproduce(out: str | Path = "runs/reproduce", parts=None, quick: bool = False,
              reference: str | Path | None = None, overwrite: bool = False, progress: bool = True,
              log=print) -> dict[str, Any]:
    """Run every part (or ``parts``) and write ``out/report.html``.

    Returns
    -------
    dict
        ``out``, ``report`` (path), ``quick``, ``reference`` (the folder looked in),
        ``total_seconds`` [s] (this call), ``failed`` (part names) and ``parts``
        (per part: status, reused, seconds, error, the measures by name).
    """
    from .published import reference_dir

    out = Path(out)
    parts = list(PARTS) if parts is None else list(parts)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    records = [run_part(p, out, quick=quick, reference=reference, overwrite=overwrite, progress=progress, log=log)
               for p in parts]
    total = time.perf_counter() - started
    where = reference_dir(reference)
    report = write_report(out / REPORT_FILE, records, total_seconds=total, quick=quick, reference=where)
    log(f"report: {report}")
    return {"out": str(out), "report": str(report), "quick": quick, "reference": str(where),
            "total_seconds": round(total, 2), "failed": [r["part"] for r in records if r["status"] != "ok"],
            "parts": {r["part"]: {"status": r["status"], "reused": r["reused"], "seconds": r.get("seconds"),
                                  "error": r.get("error"), "notes": r.get("notes", []),
                                  "measures": {row["measure"]: row["ours"] for row in r.get("rows", [])}}
                      for r in records}}


# ---------------------------------------------------------------------------- the report
_STYLE = """
body { font-family: sans-serif; max-width: 1150px; margin: 1em auto; padding: 0 1em; color: #222; }
section { border-top: 2px solid #888; margin-top: 2em; padding-top: .5em; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #b00; font-weight: bold; } .ok { color: #070; font-weight: bold; }
.note { background: #fff6d5; padding: 4px 8px; }
figure { display: inline-block; margin: 4px; vertical-align: top; }
figure img { max-width: 540px; max-height: 540px; border: 1px solid #ddd; }
figcaption { font-size: small; color: #555; }
pre { background: #f4f4f4; padding: 6px; }
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, str):
        return html.escape(value)
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def _figure(path: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    name = html.escape(Path(path).name)
    return f'<figure><img alt="{name}" src="data:image/png;base64,{data}"><figcaption>{name}</figcaption></figure>'


def _section(r: dict[str, Any]) -> str:
    part = r["part"]
    status = "ok" if r["status"] == "ok" else "failed"
    when = "reused from an earlier call" if r.get("reused") else "this call"
    out = [f'<section id="{part}" data-status="{status}">', f"<h2>{html.escape(r.get('title', TITLES[part]))}</h2>",
           f'<p>part <code>{part}</code>: <span class="{status}">{status}</span>; time '
           f'<span class="seconds">{_fmt(r.get("seconds"))}</span> s ({when})</p>']
    if r.get("error"):
        out.append(f'<p class="failed">failed: {html.escape(r["error"])}</p>')
    for note in r.get("notes", []):
        out.append(f'<p class="note">{html.escape(note)}</p>')
    if r.get("rows"):
        out.append('<table class="measures"><tr><th>measure</th><th>ours</th><th>published / paper</th>'
                   "<th>source of the reference</th></tr>")
        for row in r["rows"]:
            ours = "" if row["ours"] is None else f' data-value="{row["ours"]!r}"'
            out.append(f'<tr><td>{html.escape(row["measure"])}</td><td class="num ours"{ours}>{_fmt(row["ours"])}'
                       f'</td><td class="num reference">{_fmt(row["reference"])}</td>'
                       f'<td>{html.escape(row["source"])}</td></tr>')
        out.append("</table>")
    if r.get("regions"):
        cells: dict[tuple[int, int], list[str]] = {}
        for key, words in r["regions"].items():
            y, x = (int(v) for v in key.split(","))
            cells[(y, x)] = words
        n_y, n_x = max(y for y, _ in cells) + 1, max(x for _, x in cells) + 1
        out.append('<p>Words that drive each region of the map most (region rows top to bottom):</p>'
                   '<table class="regions">')
        for y in range(n_y):
            out.append("<tr>" + "".join(f"<td>{html.escape(', '.join(cells.get((y, x), [])))}</td>"
                                        for x in range(n_x)) + "</tr>")
        out.append("</table>")
    if r.get("figures"):
        out.append('<div class="figures">' + "".join(_figure(f) for f in r["figures"] if Path(f).is_file())
                   + "</div>")
    out.append(f"<details><summary>settings</summary><pre>{html.escape(json.dumps(r.get('settings', {}), indent=1))}"
               "</pre></details></section>")
    return "\n".join(out)


def write_report(path: str | Path, records: list[dict[str, Any]], total_seconds: float, quick: bool,
                 reference: Path) -> Path:
    """Write the self-contained HTML report (figures embedded as base64 PNG) atomically; returns its path."""
    from .._version import __version__
    from ..io import atomic_write

    failed = [r["part"] for r in records if r["status"] != "ok"]
    parts_time = sum(r.get("seconds") or 0.0 for r in records)
    head = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ei-maps reproduce</title>"
            f"<style>{_STYLE}</style></head><body>\n"
            "<h1>Reproducing Lufkin, Puri, Song, Zhong &amp; Lafferty (2022) and Keane &amp; Gong (2015)</h1>\n"
            f'<p>Total time: <span id="total-seconds">{total_seconds:.1f}</span> s this call '
            f"(the parts' own runs: {parts_time:.1f} s); "
            f"{'<b>quick</b> settings (reduced sizes, steps and durations)' if quick else 'full settings'}; "
            f"ei-maps {html.escape(__version__)}; written {time.strftime('%Y-%m-%d %H:%M:%S %Z')}.</p>\n"
            f"<p>Published dictionaries looked for in <code>{html.escape(str(reference))}</code>.</p>\n"
            + (f'<p class="failed">failed parts: {", ".join(failed)}</p>\n' if failed else "")
            + "<nav>" + " | ".join(f'<a href="#{r["part"]}">{r["part"]}</a>' for r in records) + "</nav>\n")
    text = head + "\n".join(_section(r) for r in records) + "\n</body></html>\n"
    path = Path(path)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


# ---------------------------------------------------------------------------- the experiment
def cli_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ei-maps reproduce``."""
    p.add_argument("--out", default="runs/reproduce", help="reproduction folder: one run folder per part, "
                                                           "report.html")
    p.add_argument("--quick", action="store_true",
                   help="reduced sizes, steps and durations (all parts in about a minute on 2 cores)")
    p.add_argument("--only", default=None, metavar="PART[,PART]",
                   help=f"run only these parts (of {', '.join(PARTS)}); the report shows those")
    p.add_argument("--reference", default=None, metavar="DIR",
                   help="folder of the published dictionaries (default: $EI_MAPS_SHARED/reference, else "
                        "../shared/reference beside the current directory or the repository)")
    p.add_argument("--overwrite", action="store_true",
                   help="redo every part, even those whose folder holds a finished run with the same settings")


def run_from_args(args: argparse.Namespace, log) -> dict[str, Any]:
    """``ei-maps reproduce``; raises once the report is written if a part failed."""
    if args.no_figures:
        raise ValueError("--no-figures does not apply to reproduce: its report shows the figures")
    summary = reproduce(args.out, parse_parts(args.only), quick=args.quick, reference=args.reference,
                        overwrite=args.overwrite, progress=not args.no_progress, log=log)
    if summary["failed"]:
        reasons = "; ".join(f"{p}: {summary['parts'][p]['error']}" for p in summary["failed"])
        raise EiMapsError(f"{len(summary['failed'])} part(s) failed ({reasons}); the others are in "
                          f"{summary['report']}")
    return summary


def print_summary(summary: dict) -> None:
    print(f"reproduction in {summary['out']} ({'quick' if summary['quick'] else 'full'} settings), "
          f"{summary['total_seconds']:.1f} s -> {summary['report']}")
    for part, p in summary["parts"].items():
        how = "reused" if p["reused"] else f"{p['seconds']:.1f} s"
        print(f"  {part:7s} {p['status']:6s} ({how})" + (f": {p['error']}" if p["error"] else ""))
        for note in p["notes"]:
            print(f"          {note}")


EXPERIMENT = Experiment(
    name="reproduce", kinds=(), help="regenerate the paper's results into one folder and one HTML report",
    command=("reproduce",), arguments=cli_arguments, run_from_args=run_from_args, print_summary=print_summary,
    output_dir=lambda args: args.out)

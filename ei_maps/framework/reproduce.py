"""``ei-maps reproduce``: regenerate the paper's results into one folder and one self-contained HTML report.

Each part is a normal run folder under ``--out``, made by an experiment's own
functions (train, analyze, figures): every experiment that declares a
:class:`~ei_maps.framework.registry.Reproduction` is a part (today ``images``,
``text``, ``touch``, ``lif`` and ``waves``; ``ei-maps reproduce --help`` lists them).

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
from typing import Any

import numpy as np

from .._log import emit
from ..errors import EiMapsError
from ..io import json_safe
from .lifecycle import locks_output_folder
from .registry import Experiment, Reproduction, experiments

__all__ = ["FAR_FACTOR", "MARKER_FILE", "REPORT_FILE", "flag_rows", "parse_parts", "parts", "pngs", "published_dictionary", "reproduce", "row",
           "run_part"]

#: Per part folder: what the reproduction recorded (settings, measures, figures, time, status).
MARKER_FILE = "reproduce.json"
REPORT_FILE = "report.html"


# ---------------------------------------------------------------------------- the parts
def parts() -> dict[str, Reproduction]:
    """Every experiment's part of the reproduction, by part name, in report order."""
    declared = [e.reproduction for e in experiments().values() if e.reproduction is not None]
    return {r.part: r for r in sorted(declared, key=lambda r: (r.order, r.part))}


def parse_parts(text: str | None) -> list[str]:
    """The parts named by ``--only``, in report order.

    Parameters
    ----------
    text : str or None
        Part names, comma-separated; None for every part.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        For an empty list or a name that is not a part, listing the parts.
    """
    known = list(parts())
    if text is None:
        return known
    names = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in names if p not in known]
    if not names or unknown:
        raise ValueError(f"--only takes parts among {', '.join(known)} (comma-separated), got {text!r}")
    return [p for p in known if p in names]


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


def row(measure: str, ours: Any, reference: Any = None, source: str = "", flag: bool = True) -> dict[str, Any]:
    """One row of a part's table (what an experiment's reproduction returns under ``"rows"``).

    Parameters
    ----------
    measure : str
        The measure's name, with its unit in brackets where it has one.
    ours : number or None
        Our value [the measure's unit]; anything not a finite number is recorded as None (shown "n/a").
    reference : number, str or None
        The published value [the measure's unit], a text (a qualitative result of the paper) or None.
    source : str
        Where the reference value comes from.
    flag : bool
        Whether :func:`flag_rows` judges the row (False for a setting shown beside the paper's, such as the
        number of steps).

    Returns
    -------
    dict
        ``measure``, ``ours``, ``reference``, ``source``, ``flag``.
    """
    ref = reference if isinstance(reference, str) else _number(reference)
    return {"measure": measure, "ours": _number(ours), "reference": ref, "source": source, "flag": flag}


#: A measure more than this factor away from its published value is flagged in the report.
FAR_FACTOR = 2.0


def flag_rows(rows: list[dict[str, Any]]) -> list[str]:
    """Warnings about a part's table: measures not measured, zero where the paper's is not, or far from it.

    Parameters
    ----------
    rows : list of dict
        The part's rows (:func:`row`).

    Returns
    -------
    list of str
        One reason per flagged measure (empty when nothing is flagged).
    """
    flags = []
    for r in rows:
        ours, ref = r["ours"], r["reference"]
        if not r.get("flag", True) or not isinstance(ref, (int, float)) or isinstance(ref, bool):
            continue
        if ours is None:
            flags.append(f"{r['measure']}: not measured (published {ref:.3g})")
        elif ours == 0 and ref != 0:
            flags.append(f"{r['measure']}: 0 where the published value is {ref:.3g} (an empty or collapsed result?)")
        elif ref != 0 and (ours / ref < 0 or max(ours / ref, ref / ours) > FAR_FACTOR):
            flags.append(f"{r['measure']}: {ours:.3g}, more than {FAR_FACTOR:g}x from the published {ref:.3g}")
    return flags


def pngs(paths) -> list[str]:
    """The PNG files among ``paths`` that exist, each once, in order (a part's ``"figures"``).

    Parameters
    ----------
    paths : iterable of path

    Returns
    -------
    list of str
    """
    return list(dict.fromkeys(str(p) for p in paths if str(p).endswith(".png") and Path(p).is_file()))


def published_dictionary(name: str, reference: str | Path | None, notes: list[str],
                         shape: tuple[int, ...] | None = None) -> np.ndarray | None:
    """The authors' published dictionary ``name``, or None with a note that it was not found.

    Parameters
    ----------
    name : str
        Its file name in the reference folder.
    reference : path or None
        The reference folder (see :func:`ei_maps.framework.reference.reference_dir`).
    notes : list of str
        The part's notes; one is appended when the file is missing or unusable.
    shape : tuple of int, optional
        The shape the file must have (inputs, units) [count].

    Returns
    -------
    numpy.ndarray or None
    """
    from .reference import reference_file

    path = reference_file(name, reference)
    if not path.is_file():
        notes.append(f"published dictionary not found at {path}: comparison skipped")
        return None
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        notes.append(f"published dictionary {path} cannot be read ({err}): comparison skipped; restore the file")
        return None
    wrong = (f"holds a {array.dtype} array" if not np.issubdtype(array.dtype, np.number)
             else f"has shape {array.shape}, not {shape}" if shape is not None and array.shape != tuple(shape)
             else f"holds {int(np.sum(~np.isfinite(array)))} NaN/inf values" if not np.all(np.isfinite(array))
             else "")
    if wrong:
        notes.append(f"published dictionary {path} {wrong}: comparison skipped; restore the authors' file")
        return None
    return array


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
             overwrite: bool = False, progress: bool = True, log=emit) -> dict[str, Any]:
    """Run (or reuse) one part of the reproduction into ``out/PART``.

    Parameters
    ----------
    part : str
        One of :func:`parts`.
    out : path
        The reproduction folder.
    quick : bool
        Reduced settings (the part's ``settings(quick=True)``).
    reference : path, optional
        Folder of the published dictionaries (see :func:`ei_maps.framework.reference.reference_dir`).
    overwrite : bool
        Redo the part even if its folder holds a finished run with the same settings.
    progress : bool
        Show progress bars.
    log : callable
        Receives one line of text per event.

    Returns
    -------
    dict
        ``part``, ``status`` ("ok" or "failed"), ``error``, ``reused``, ``seconds``
        (of the run that made it) [s], ``settings``, ``rows`` (the table),
        ``figures`` (PNG paths), ``notes``.
    """
    spec = parts().get(part)
    if spec is None:
        raise ValueError(f"unknown part {part!r}; parts: {', '.join(parts())}")
    folder = Path(out) / part
    experiment = next(e for e in experiments().values() if e.reproduction is not None and e.reproduction.part == part)
    preset = experiment.preset("quick" if quick else "paper")  # the model and training parameters
    settings = {"quick": quick, **preset.parameters, **spec.settings(quick)}
    marker = _read_marker(folder)
    same = marker is not None and marker.get("settings") == settings
    finished = (folder / spec.result_file).is_file()
    if not overwrite and same and finished and marker.get("status") == "ok":
        log(f"[{part}] finished run with the same settings in {folder}: reused")
        return {**marker, "reused": True}
    if folder.exists() and (overwrite or not same):
        if not overwrite and marker is None and any(folder.iterdir()):
            log(f"[{part}] {folder} holds files of another run: replaced")
        shutil.rmtree(folder)
    resume = same and not overwrite and any((folder / f).is_file() for f in ("run.nc", "checkpoint.nc"))
    folder.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"part": part, "title": spec.title, "settings": settings, "status": "running",
                              "rows": [], "figures": [], "notes": [], "error": None}
    _write_marker(folder, record)
    log(f"[{part}] {'continuing' if resume else 'running'} into {folder}: "
        + ", ".join(f"{k} {v}" for k, v in settings.items() if k != "quick"))
    started = time.perf_counter()
    try:
        result = spec.run(folder, settings, reference, resume, progress,
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
        record["warnings"] = [w for w in record.get("warnings", []) if w] + flag_rows(record["rows"])
        log(f"[{part}] done in {record['seconds']:.1f} s"
            + "".join(f"\n[{part}] warning: {w}" for w in record["warnings"]))
    _write_marker(folder, record)
    return {**record, "reused": False}


@locks_output_folder
def reproduce(out: str | Path = "runs/reproduce", parts=None, quick: bool = False,
              reference: str | Path | None = None, overwrite: bool = False, progress: bool = True,
              log=emit) -> dict[str, Any]:
    """Run every part (or ``parts``) and write ``out/report.html``.

    Parameters
    ----------
    out : path
        The reproduction folder; each part runs in ``out/PART``.
    parts : list of str, optional
        The parts to run (see :func:`parts`); default all.
    quick : bool
        Every part at its experiment's ``quick`` preset (minutes) instead of ``paper``.
    reference : path, optional
        Folder of the published dictionaries.
    overwrite : bool
        Redo parts whose folders hold finished runs with the same settings.
    progress : bool
        Show progress bars.
    log : callable
        Receives one line of text per event.

    Returns
    -------
    dict
        ``out``, ``report`` (path), ``quick``, ``reference`` (the folder looked in),
        ``total_seconds`` [s] (this call), ``failed`` (part names) and ``parts``
        (per part: status, reused, seconds, error, the measures by name).
    """
    from .reference import reference_dir

    out = Path(out)
    names = parse_parts(None) if parts is None else list(parts)  # ``parts`` here is the argument
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    records = [run_part(p, out, quick=quick, reference=reference, overwrite=overwrite, progress=progress, log=log)
               for p in names]
    total = time.perf_counter() - started
    where = reference_dir(reference)
    report = write_report(out / REPORT_FILE, records, total_seconds=total, quick=quick, reference=where)
    log(f"report: {report}")
    return {"out": str(out), "report": str(report), "quick": quick, "reference": str(where),
            "total_seconds": round(total, 2), "failed": [r["part"] for r in records if r["status"] != "ok"],
            "parts": {r["part"]: {"status": r["status"], "reused": r["reused"], "seconds": r.get("seconds"),
                                  "error": r.get("error"), "notes": r.get("notes", []),
                                  "warnings": r.get("warnings", []),
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
.warning { color: #a60; font-weight: bold; }
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
    warnings_ = r.get("warnings") or []
    status = ("warning" if warnings_ else "ok") if r["status"] == "ok" else "failed"
    when = "reused from an earlier call" if r.get("reused") else "this call"
    shown = f"ok, {len(warnings_)} warning{'s' if len(warnings_) > 1 else ''}" if status == "warning" else status
    out = [f'<section id="{part}" data-status="{status}">', f"<h2>{html.escape(r.get('title', part))}</h2>",
           f'<p>part <code>{part}</code>: <span class="{status}">{shown}</span>; time '
           f'<span class="seconds">{_fmt(r.get("seconds"))}</span> s ({when})</p>']
    if r.get("error"):
        out.append(f'<p class="failed">failed: {html.escape(r["error"])}</p>')
    for warning in warnings_:
        out.append(f'<p class="warning">warning: {html.escape(warning)}</p>')
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


def _provenance_line() -> str:
    """How the report was made: the command, ei-maps and its libraries' versions, the commit, the machine."""
    from ..provenance import provenance

    p = provenance()
    libraries = ", ".join(f"{k} {v}" for k, v in (p.get("libraries") or {}).items() if v)
    commit = (f"; commit {p['git_commit'][:12]}{' (with uncommitted changes)' if p.get('git_dirty') else ''}"
              if p.get("git_commit") else "")
    return (f'<p class="provenance">Made by <code>{html.escape(" ".join(p["command"]))}</code> with ei-maps '
            f"{html.escape(p['ei_maps'])}{html.escape(commit)}; Python {html.escape(p['python'])}, "
            f"{html.escape(libraries)}; {html.escape(p['cpu'])}, {p['cores']} cores.</p>\n")


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
            + _provenance_line()
            + f"<p>Published dictionaries looked for in <code>{html.escape(str(reference))}</code>.</p>\n"
            + (f'<p class="failed">failed parts: {", ".join(failed)}</p>\n' if failed else "")
            + "".join(f'<p class="warning">{r["part"]}: {len(r["warnings"])} warning(s), see its section</p>\n'
                      for r in records if r.get("warnings"))
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
                   help=f"run only these parts (of {', '.join(parts())}); the report shows those")
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
        status = "warning" if p["status"] == "ok" and p.get("warnings") else p["status"]
        print(f"  {part:7s} {status:7s} ({how})" + (f": {p['error']}" if p["error"] else ""))
        for note in p["notes"]:
            print(f"          {note}")
        for warning in p.get("warnings", []):
            print(f"          warning: {warning}")


EXPERIMENT = Experiment(
    name="reproduce", kinds=(), help="regenerate the paper's results into one folder and one HTML report",
    command=("reproduce",), arguments=cli_arguments, run_from_args=run_from_args, print_summary=print_summary,
    output_dir=lambda args: args.out)

"""``ei-maps reproduce``: one folder, one run folder per part, one self-contained HTML report."""
from __future__ import annotations

import base64
import json
import re
import struct
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ei_maps.cli import main
from ei_maps.framework.reproduce import MARKER_FILE, REPORT_FILE, parse_parts, parts

#: The parts the experiments declare, and the file each one's finished run leaves.
RESULT_FILE = {name: spec.result_file for name, spec in parts().items()}
PARTS = tuple(RESULT_FILE)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Report(HTMLParser):
    """The sections of a report: per section id, its images' src and its measures' data-value."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, dict[str, list]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self._current = attrs.get("id")
            self.sections[self._current] = {"img": [], "ours": [], "status": attrs.get("data-status")}
        elif self._current is not None and tag == "img":
            self.sections[self._current]["img"].append(attrs.get("src", ""))
        elif self._current is not None and tag == "td" and "ours" in (attrs.get("class") or "").split():
            self.sections[self._current]["ours"].append(attrs.get("data-value"))

    def handle_endtag(self, tag):
        if tag == "section":
            self._current = None


def _parse(path: Path) -> _Report:
    report = _Report()
    report.feed(path.read_text(encoding="utf-8"))
    return report


def _png_size(src: str) -> tuple[int, int]:
    assert src.startswith("data:image/png;base64,"), src[:40]
    data = base64.b64decode(src.split(",", 1)[1], validate=True)
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _mtimes(out: Path) -> dict[str, int]:
    return {part: (out / part / RESULT_FILE[part]).stat().st_mtime_ns for part in PARTS}


def test_report_has_a_section_per_part_with_figures_and_numbers(quick_reproduction):
    report = _parse(quick_reproduction / REPORT_FILE)
    assert set(report.sections) == set(PARTS)
    for part, section in report.sections.items():
        assert section["status"] in ("ok", "warning"), part  # quick settings: measures far from the paper are flagged
        assert section["img"], f"{part} has no figure"
        for src in section["img"]:
            width, height = _png_size(src)
            assert width >= 100 and height >= 100, (part, width, height)
        values = [v for v in section["ours"] if v is not None]
        assert len(values) >= 3, part
        assert all(isinstance(float(v), float) for v in values)
    text = (quick_reproduction / REPORT_FILE).read_text(encoding="utf-8")
    assert re.search(r'id="total-seconds">[0-9.]+<', text)
    for part in PARTS:
        assert (quick_reproduction / part / RESULT_FILE[part]).is_file()
        assert json.loads((quick_reproduction / part / MARKER_FILE).read_text())["status"] == "ok"


def test_second_call_redoes_nothing(quick_reproduction, capsys):
    before = _mtimes(quick_reproduction)
    started = time.perf_counter()
    assert main(["reproduce", "--quick", "--out", str(quick_reproduction), "--no-progress", "--json"]) == 0
    seconds = time.perf_counter() - started
    summary = json.loads(capsys.readouterr().out)
    assert all(p["reused"] and p["status"] == "ok" for p in summary["parts"].values())
    assert _mtimes(quick_reproduction) == before
    assert seconds < 10
    assert set(_parse(quick_reproduction / REPORT_FILE).sections) == set(PARTS)


def test_missing_published_dictionary_is_said_and_the_rest_runs(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "images-only"
    assert main(["reproduce", "--quick", "--only", "images", "--reference", str(empty), "--out", str(out),
                 "--no-progress"]) == 0
    text = (out / REPORT_FILE).read_text(encoding="utf-8")
    assert f"published dictionary not found at {empty / 'published_fig2_dictionary.npy'}: comparison skipped" in text
    report = _parse(out / REPORT_FILE)
    assert list(report.sections) == ["images"]
    assert report.sections["images"]["img"] and report.sections["images"]["status"] in ("ok", "warning")


def test_a_failing_part_is_shown_and_the_command_fails(tmp_path, monkeypatch):
    import dataclasses

    from ei_maps.framework import reproduce

    def broken(*args, **kwargs):
        raise ImportError("the lif extra is not installed (pip install -e '.[lif]')")

    declared = reproduce.parts()
    declared["waves"] = dataclasses.replace(declared["waves"], run=broken)
    monkeypatch.setattr(reproduce, "parts", lambda: declared)
    out = tmp_path / "broken"
    assert main(["reproduce", "--quick", "--only", "waves", "--out", str(out), "--no-progress"]) == 2
    report = _parse(out / REPORT_FILE)
    assert report.sections["waves"]["status"] == "failed"
    assert "the lif extra is not installed" in (out / REPORT_FILE).read_text(encoding="utf-8")


def test_the_parts_are_the_experiments_declarations_in_report_order():
    assert PARTS == ("images", "text", "touch", "lif", "waves")
    assert RESULT_FILE["waves"] == "spikes.nc"


def test_only_is_checked():
    assert parse_parts("waves,images") == ["images", "waves"]
    with pytest.raises(ValueError, match="--only"):
        parse_parts("images,pictures")


def test_every_part_runs_its_experiments_paper_and_quick_presets():
    # the parameters a part trains with are its experiment's presets, the same ones --preset and sweep read
    from ei_maps.framework import experiments
    from ei_maps.framework.sweep import _checked_base

    for experiment in experiments().values():
        if experiment.reproduction is None:
            continue
        paper, quick = experiment.preset("paper"), experiment.preset("quick")
        assert paper.parameters.keys() == quick.parameters.keys() and paper.parameters != quick.parameters
        if experiment.sweep is not None:
            _checked_base(experiment.name, paper.parameters, {})  # valid parameters of the experiment
            _checked_base(experiment.name, quick.parameters, {})


def test_measures_far_from_the_paper_or_empty_are_flagged():
    from ei_maps.framework.reproduce import flag_rows, row

    rows = [row("fine", 0.9, 1.0), row("collapsed", 0.0, 0.35), row("far", 0.1, 0.5), row("sign", -0.2, 0.3),
            row("missing", None, 2.0), row("no reference", 0.0), row("qualitative", 0.0, "pinwheels")]
    flags = flag_rows(rows)
    assert [f.split(":")[0] for f in flags] == ["collapsed", "far", "sign", "missing"]
    assert "empty or collapsed" in flags[0] and "more than 2x from the published 0.5" in flags[1]


def test_the_report_flags_warnings_and_states_its_provenance(tmp_path):
    from ei_maps.framework.reproduce import write_report

    record = {"part": "lif", "title": "spiking", "status": "ok", "rows": [], "figures": [], "notes": [],
              "warnings": ["98 of 100 excitatory units have an all-zero receptive field"], "seconds": 1.0,
              "settings": {}, "reused": False}
    text = write_report(tmp_path / "report.html", [record], 1.0, True, tmp_path).read_text()
    assert 'data-status="warning"' in text and "ok, 1 warning" in text and "98 of 100" in text
    assert 'class="provenance"' in text and "Python" in text and "numpy" in text

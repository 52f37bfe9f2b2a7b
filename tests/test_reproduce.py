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
        assert section["status"] == "ok", part
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
    assert report.sections["images"]["img"] and report.sections["images"]["status"] == "ok"


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

"""The pages people open in a browser, opened in a real one: headless Chromium (Debian's package, which
``.ci/run`` installs) driven by Playwright.

Each page must load with no script error, no failed request and no console error, show every figure it
holds (each image decoded, with a size on screen), and render to a screenshot that is not blank. The
interactive word map must also answer a hover. These read the rendered page, not the file's text.
"""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from ei_maps.cli import main

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")

#: Debian's Chromium; another build can be named with EI_MAPS_CHROMIUM.
CHROMIUM = os.environ.get("EI_MAPS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# on a machine with a closed network Chromium's own background connections fail noisily, and as root it
# needs --no-sandbox
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]



@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        if os.environ.get("CI"):  # .ci/run installs it: a missing browser there means these checks stopped
            pytest.fail(f"CI is set but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


class Opened:
    """A page loaded in the browser, with everything that went wrong while it loaded."""

    def __init__(self, browser, path: Path, width: int = 1280, height: int = 900):
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("pageerror", lambda err: self.problems.append(f"script error: {err}"))
        self.page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        self.page.on("requestfailed", lambda req: self.problems.append(f"failed request: {req.url}"))
        response = self.page.goto(path.resolve().as_uri(), wait_until="load")
        assert response is None or response.ok, f"{path} did not load"
        self.page.wait_for_load_state("networkidle")

    def images(self) -> list[dict]:
        """Every <img> with whether it decoded and its size on screen [CSS pixels]."""
        return self.page.evaluate("""Array.from(document.images).map(i => {
            const r = i.getBoundingClientRect();
            return {src: i.currentSrc.slice(0, 80), complete: i.complete, natural: i.naturalWidth,
                    width: r.width, height: r.height};
        })""")

    def screenshot(self) -> np.ndarray:
        from PIL import Image

        png = self.page.screenshot(full_page=True)
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    def close(self) -> None:
        self.page.close()


def _assert_shows_its_figures(opened: Opened, at_least: int) -> None:
    images = opened.images()
    assert len(images) >= at_least, f"{len(images)} images, expected at least {at_least}"
    broken = [i["src"] for i in images if not (i["complete"] and i["natural"] > 0)]
    assert not broken, f"images that did not decode: {broken}"
    unseen = [i["src"] for i in images if i["width"] < 20 or i["height"] < 20]
    assert not unseen, f"images with no size on the page: {unseen}"
    assert not opened.problems, opened.problems


def _assert_not_blank(pixels: np.ndarray, colors: int = 50) -> None:
    # a blank or single-color render has a handful of distinct colors; a page of figures has thousands
    distinct = len(np.unique(pixels.reshape(-1, 3)[::7], axis=0))
    assert distinct >= colors, f"the screenshot has only {distinct} distinct colors"


def test_the_reproduction_report_shows_every_section_and_figure(browser, quick_reproduction):
    report = quick_reproduction / "report.html"
    opened = Opened(browser, report)
    try:
        from ei_maps.framework.reproduce import parts

        ids = opened.page.evaluate("Array.from(document.querySelectorAll('section')).map(s => s.id)")
        assert ids == list(parts()), ids
        statuses = opened.page.evaluate("Array.from(document.querySelectorAll('section')).map(s => s.dataset.status)")
        assert set(statuses) <= {"ok", "warning"}, statuses  # none failed; quick measures may be flagged
        _assert_shows_its_figures(opened, at_least=6)
        _assert_not_blank(opened.screenshot(), colors=500)
    finally:
        opened.close()


def test_the_interactive_word_map_loads_and_answers_a_hover(browser, tmp_path):
    pytest.importorskip("wordfreq", reason="the text extra")
    out = tmp_path / "text"
    assert main(["train", "text", "--side", "8", "--n-words", "300", "--batch", "16", "--steps", "60",
                 "--out", str(out), "--no-progress"]) == 0
    opened = Opened(browser, out / "word_map.html", width=900, height=900)
    try:
        cells = opened.page.locator("#map div")
        assert cells.count() == 64
        box = cells.nth(0).bounding_box()
        assert box is not None and box["width"] > 5 and box["height"] > 5
        assert opened.page.inner_text("#words") == ""
        cells.nth(9).hover()
        shown = opened.page.inner_text("#words")
        assert shown.startswith("unit (1, 1):") and len(shown) > len("unit (1, 1): ")
        assert not opened.problems, opened.problems
        pixels = opened.page.locator("#map").screenshot()
        from PIL import Image

        grid = np.asarray(Image.open(io.BytesIO(pixels)).convert("RGB"))
        # the cells carry the fields' principal components as colors: many colors, not one
        assert len(np.unique(grid.reshape(-1, 3), axis=0)) >= 30
    finally:
        opened.close()


def test_the_documentation_front_page_loads_with_its_navigation(browser, built_docs):
    opened = Opened(browser, built_docs / "index.html")
    try:
        assert not opened.problems, opened.problems
        title = opened.page.title()
        assert title.startswith("ei-maps"), title
        # the theme's navigation bar links the sections; each link leads to a page that was built
        links = opened.page.evaluate("""Array.from(document.querySelectorAll('.bd-content a.reference.internal'))
                                         .map(a => a.getAttribute('href'))""")
        pages = {h.split("#")[0] for h in links if h and not h.startswith("#")}
        for wanted in ("getting-started.html", "auto_examples/index.html", "reproduce.html", "api/index.html"):
            assert wanted in pages, f"the front page does not link {wanted}: {sorted(pages)}"
        missing = [p for p in pages if not (built_docs / p).is_file()]
        assert not missing, missing
        # the theme's stylesheet took effect: its navbar is laid out with a height
        navbar = opened.page.locator(".bd-header").bounding_box()
        assert navbar is not None and navbar["height"] > 20
        _assert_not_blank(opened.screenshot(), colors=20)
    finally:
        opened.close()

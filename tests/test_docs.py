"""The documentation site builds with warnings as errors, and its API reference holds every public name."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import apigen  # noqa: E402


def test_every_public_name_has_one_entry_in_the_api_reference(built_docs):
    pages = {m: (built_docs / "api" / f"{m}.html").read_text(encoding="utf-8") for m, _ in apigen.PAGES}
    missing = []
    for module_name, _ in apigen.PAGES:
        module = importlib.import_module(module_name)
        for name in apigen.public_names(module_name):
            home = apigen._home(getattr(module, name), {m: apigen.public_names(m) for m, _ in apigen.PAGES})
            page, _, anchor = home.rpartition(".")
            # autodoc gives every documented object an element whose id is its full name
            if f'id="{home}"' not in pages[page]:
                missing.append(home)
    assert not missing, missing


def test_the_pages_of_the_site_were_built(built_docs):
    for page in ("index", "installation", "getting-started", "reproduce", "adding-an-experiment", "design", "cite",
                 "changelog", "api/index", "auto_examples/index"):
        assert (built_docs / f"{page}.html").is_file(), page
    assert "arXiv:2205.13614" in (built_docs / "cite.html").read_text(encoding="utf-8")
    assert "Changelog" in (built_docs / "changelog.html").read_text(encoding="utf-8")
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert len(examples) >= 8, examples
    listed = (built_docs / "auto_examples" / "index.html").read_text(encoding="utf-8")
    for stem in examples:
        assert f"{stem}.html" in listed, stem
        assert (built_docs / "auto_examples" / f"{stem}.html").is_file(), stem


def test_every_page_lists_the_site_on_its_left(built_docs):
    # the theme's section navigation is empty on our pages (each is a section): the global table of contents
    for page in ("analysis", "cite", "api/index", "waves"):
        html = (built_docs / f"{page}.html").read_text(encoding="utf-8")
        left = html[html.index("bd-sidebar-primary"):][:8000]
        assert "installation.html" in left and "changelog.html" in left, page

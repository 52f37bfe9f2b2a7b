"""Sphinx configuration of the ei-maps documentation site.

Build it (warnings are errors) with::

    .venv/bin/pip install -e ".[docs]"
    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

The build needs no network and runs every gallery example. Three switches, as environment variables:

- ``EI_MAPS_DOCS_RERUN=1`` runs every example again, even those unchanged since the last build;
- ``EI_MAPS_DOCS_GALLERY=0`` lists the gallery's examples without running
  them (a quick check of the pages);
- ``EI_MAPS_DOCS_INTERSPHINX=1`` links names of NumPy, xarray, ... to their
  own documentation, which needs the network to fetch their inventories.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import ei_maps  # noqa: E402

project = "ei-maps"
author = "the ei-maps developers"
copyright = "2026, the ei-maps developers"
release = ei_maps.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "apigen",
]
if os.environ.get("EI_MAPS_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "xarray": ("https://docs.xarray.dev/en/stable/", None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
        "brian2": ("https://brian2.readthedocs.io/en/stable/", None),
    }

# the Markdown pages are MyST; there are no notebooks to execute
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "auto_examples/*.json",
                    "auto_examples/*.md5", "auto_examples/*.codeobj.json"]
templates_path = []

autodoc_typehints = "none"  # the numpydoc sections carry the types, with units
autodoc_member_order = "bysource"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

_run_gallery = os.environ.get("EI_MAPS_DOCS_GALLERY", "1") != "0"
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": "True" if _run_gallery else "False",
    # sphinx-gallery skips an example whose source is unchanged since the last build; the tests rerun them all
    # so a change in the package cannot hide behind an old result
    "run_stale_examples": os.environ.get("EI_MAPS_DOCS_RERUN") == "1",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    # ei_maps.plotting returns Figures without pyplot: this scraper shows them (docs/_ext/figure_scraper.py)
    "image_scrapers": ("figure_scraper.scrape_figures",),
}

html_theme = "pydata_sphinx_theme"
html_title = f"ei-maps {release}"
html_static_path = []
# an explicit colour mode (the theme reads it from the context): without one its script logs
# "invalid theme mode" on every page
html_context = {"default_mode": "auto"}
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 4,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
# every page lists the whole site on its left: the theme's section navigation is empty on pages that are
# themselves sections (all of ours), so the left bar holds the global table of contents instead
html_sidebars = {"**": ["globaltoc.html"]}

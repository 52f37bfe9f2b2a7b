"""A sphinx-gallery image scraper for the figures ei_maps.plotting returns.

ei_maps' plotting functions build :class:`matplotlib.figure.Figure` objects
without pyplot (no global figure state), so the stock matplotlib scraper,
which reads pyplot's figure list, would not see them. This one hands every
Figure an example block left in its namespace to pyplot (once per figure),
then lets the stock scraper save and close them with pyplot's own figures.
"""
from __future__ import annotations

import weakref

_SHOWN: "weakref.WeakSet" = weakref.WeakSet()


def scrape_figures(block, block_vars, gallery_conf, **kwargs):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import matplotlib_scraper

    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and value not in _SHOWN:
            _SHOWN.add(value)
            if value.canvas.manager is None:  # not pyplot's yet
                plt.figure(value)
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)

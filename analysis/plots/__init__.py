"""Figures drawn from result tables, as :class:`matplotlib.figure.Figure` objects.

Nothing here uses pyplot or selects a matplotlib backend: the figures are drawn and saved
headless (PNG through Agg) whatever backend a notebook or a script has chosen, and importing
this package changes none of matplotlib's settings.

- :mod:`.summary`: the figures of one run (``summary.png``);
- :mod:`.maps`: maps of territories and their cooperation structures (``map.png``);
- :mod:`.report`: the figures of the comparison and sweep reports.
"""

from .maps import structure_links, territory_map
from .report import png_bytes
from .summary import cooperation_figure, summary_figure

__all__ = [
    "cooperation_figure",
    "png_bytes",
    "structure_links",
    "summary_figure",
    "territory_map",
]

"""One palette for every figure: Okabe & Ito's eight colours, told apart by colour-blind readers.

Okabe, M. & Ito, K. (2008), *Color Universal Design*, https://jfly.uni-koeln.de/color/. Reports,
``summary.png``, ``map.png`` and the dashboard all take their colours from here, so that
"cooperate" is the same blue and a syndicat mixte the same vermillion everywhere.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import matplotlib.figure
from matplotlib.axes import Axes

ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, REDDISH_PURPLE, BLACK = "#0072B2", "#D55E00", "#CC79A7", "#000000"
GREY = "#9a9a9a"
"""Not one of the eight: network links and other context drawn under the data."""

STRATEGY_COLOURS = MappingProxyType({"cooperate": BLUE, "compete": ORANGE})
STRUCTURE_COLOURS = MappingProxyType(
    {"entente": BLUISH_GREEN, "contrat": REDDISH_PURPLE, "syndicat": VERMILLION, "pole": BLACK}
)
"""One colour per structure kind, none of them the strategies' blue and orange."""
SERIES = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW, BLACK)
"""Colours of successive series (scenarios in a report), in this order."""
KIND_MARKERS = MappingProxyType({"metropole": "*", "urban": "s", "periurban": "^", "rural": "o"})
"""Marker shape of each kind of territory on maps."""
STRUCTURE_WIDTHS = MappingProxyType({"pole": 7.0, "syndicat": 5.0, "contrat": 3.2, "entente": 1.3})
"""Line widths (points, for 100 territories or fewer) of each kind's links on maps, drawn widest
first: two structures joining the same territories show as a thin line inside a wider one."""


class Figure(matplotlib.figure.Figure):
    """A matplotlib figure whose axes cycle through :data:`SERIES`.

    Set on each new axes (twins included), so that no global ``rcParams`` change is needed and a
    notebook's own settings are left alone.
    """

    def add_subplot(self, *args: Any, **kwargs: Any) -> Axes:
        """Add an Axes as :meth:`matplotlib.figure.Figure.add_subplot`, in the palette's colours."""
        ax = super().add_subplot(*args, **kwargs)
        ax.set_prop_cycle(color=SERIES)
        return ax

    def add_axes(self, *args: Any, **kwargs: Any) -> Axes:
        """Add an Axes as :meth:`matplotlib.figure.Figure.add_axes`, in the palette's colours."""
        ax = super().add_axes(*args, **kwargs)
        ax.set_prop_cycle(color=SERIES)
        return ax

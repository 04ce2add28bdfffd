"""Plots redrawn year by year without redrawing what did not change.

Drawing a whole matplotlib figure (axes, ticks, legend, titles) takes most of a year's redraw.
A :class:`LivePlot` draws its figure once, keeps that image as background, and each year draws
only the artists that carry the run's data onto it (blitting). When the data leave the fixed
axes (a run longer than the scenario, spending above the scale), it draws the figure again.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from cohesim.model.kinds import STRUCTURE_KINDS
from cohesim.model.parameters import Run
from cohesim.model.territory_model import TerritoryModel

from .figures import (
    STRUCTURE_COLOURS,
    cohesion_figure,
    cooperation_figure,
    draw_year,
    map_figure,
    money_figure,
    structures_figure,
    territory_pixels,
)
from .history import spent_since_year_0
from .text import euros, tr

HEADROOM = 1.25
"""An autoscaled axis is drawn this much above the data, so that it is redrawn only now and then."""
MONEY_FLOOR = 0.1
"""Lowest top of the money axis (M€ per year), when nothing has been spent yet."""
STRUCTURES_FLOOR = 4.0
"""Lowest top of the structures axis, when few or none have formed."""


def png_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current image as PNG."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
    return buffer.getvalue()


@dataclass
class _Drawn:
    fig: Figure
    canvas: FigureCanvasAgg
    background: object
    animated: list[Artist]


class LivePlot:
    """One plot of the page, drawn once per run and language, then updated year by year.

    Parameters
    ----------
    kind
        ``"cooperation"``, ``"cohesion"``, ``"money"`` or ``"structures"``.
    run, lang, previous
        As for the figure functions of :mod:`.figures`.
    dpi
        The resolution the page shows the plot at.
    """

    def __init__(
        self,
        kind: str,
        run: Run,
        lang: str,
        previous: pd.DataFrame | None,
        dpi: float,
    ):
        self.kind, self.run, self.lang, self.previous, self.dpi = kind, run, lang, previous, dpi
        self._drawn: _Drawn | None = None
        self.redraws = 0
        """How many times the whole figure was drawn (the rest were updates)."""

    def png(self, frame: pd.DataFrame) -> bytes:
        """The plot of ``frame`` (a run's metrics so far), as PNG."""
        drawn = self._drawn
        if drawn is None or not self._update(drawn, frame):
            drawn = self._drawn = self._draw(frame)
        drawn.canvas.restore_region(drawn.background)
        for artist in drawn.animated:
            drawn.fig.draw_artist(artist)
        return png_bytes(drawn.canvas)

    # --- drawing the whole figure ------------------------------------------------------------

    def _draw(self, frame: pd.DataFrame) -> _Drawn:
        self.redraws += 1
        draw: Callable[..., Figure] = {
            "cooperation": cooperation_figure,
            "cohesion": cohesion_figure,
            "money": money_figure,
            "structures": structures_figure,
        }[self.kind]
        if self.kind == "structures":
            fig = draw(frame, self.run, self.lang)
        else:
            fig = draw(frame, self.run, self.lang, self.previous)
        fig.set_dpi(self.dpi)
        canvas = FigureCanvasAgg(fig)
        animated = self._data_artists(fig, frame)
        if self.kind in ("money", "structures"):
            ax = fig.axes[0]
            ax.set_ylim(0, _ceiling(self._top(frame)))
        for artist in animated:
            artist.set_animated(True)
        canvas.draw()
        fig.set_layout_engine("none")  # the layout is final: updates must not move the axes
        background = canvas.copy_from_bbox(fig.bbox)
        return _Drawn(fig, canvas, background, animated)

    def _data_artists(self, fig: Figure, frame: pd.DataFrame) -> list[Artist]:
        """The artists drawn from the current run's data (the rest is background)."""
        axes = fig.axes
        if self.kind == "cooperation":
            return list(axes[0].get_lines()[:2])
        if self.kind == "cohesion":
            return [axes[0].get_lines()[0], axes[1].get_lines()[0]]
        ax = axes[0]
        stack: list[Artist] = list(
            ax.collections[: 2 if self.kind == "money" else len(STRUCTURE_KINDS)]
        )
        if self.kind == "money":
            return [*stack, ax.get_lines()[0], ax.title]
        return stack

    # --- updating the data artists -----------------------------------------------------------

    def _update(self, drawn: _Drawn, frame: pd.DataFrame) -> bool:
        """Put ``frame`` into the data artists; False when it no longer fits the axes."""
        axes = drawn.fig.axes
        if (
            frame["year"].max() > axes[0].get_xlim()[1]
            or frame["year"].min() < (axes[0].get_xlim()[0])
        ):
            return False
        years = frame["year"]
        if self.kind == "cooperation":
            rate, population = drawn.animated
            rate.set_data(years, frame["cooperation_rate"])  # type: ignore[attr-defined]
            population.set_data(years, frame["cooperation_rate_pop"])  # type: ignore[attr-defined]
            return True
        if self.kind == "cohesion":
            for ax, line, column in zip(
                axes, drawn.animated, ("gini", "urban_rural_gap"), strict=True
            ):
                low, high = ax.get_ylim()
                if frame[column].min() < low or frame[column].max() > high:
                    return False
                line.set_data(years, frame[column])  # type: ignore[attr-defined]
            return True
        ax = axes[0]
        if self._top(frame) > ax.get_ylim()[1]:
            return False
        drawn.animated = self._restack(ax, frame, drawn.animated)
        return True

    def _top(self, frame: pd.DataFrame) -> float:
        """The highest value the axis must show: the run so far (and the previous run's money)."""
        if self.kind == "money":
            runs = [frame] if self.previous is None else [frame, self.previous]
            return max(MONEY_FLOOR, *(float(f["public_spending"].max()) / 1e6 for f in runs))
        return max(STRUCTURES_FLOOR, float(frame["structures_active"].max()))

    def _restack(self, ax: Axes, frame: pd.DataFrame, old: list[Artist]) -> list[Artist]:
        """The stacked areas again (a stack cannot take new data); the money's line and title."""
        years = frame["year"]
        if self.kind == "money":
            *stack, line, title = old
            for artist in stack:
                artist.remove()
            parts = ("public_money", "public_engineering")
            colours = [c.get_facecolor()[0] for c in stack]  # type: ignore[attr-defined]
            new = ax.stackplot(years, *(frame[c] / 1e6 for c in parts), colors=colours)
            line.set_data(years, frame["public_spending"] / 1e6)  # type: ignore[attr-defined]
            first, _, _ = title.get_text().partition("\n")  # type: ignore[attr-defined]
            spent = euros(spent_since_year_0(frame), self.lang)
            total = tr("cumulative", self.lang).format(money=spent)
            title.set_text(f"{first}\n{total}")  # type: ignore[attr-defined]
            for artist in new:
                artist.set_animated(True)
            return [*new, line, title]
        for artist in old:
            artist.remove()
        new = ax.stackplot(
            years,
            *(frame[f"structures_active_{k}"] for k in STRUCTURE_KINDS),
            colors=[STRUCTURE_COLOURS[k] for k in STRUCTURE_KINDS],
            alpha=0.8,
        )
        for artist in new:
            artist.set_animated(True)
        return list(new)


def _ceiling(top: float) -> float:
    """A round axis top at least :data:`HEADROOM` times ``top`` (1, 2 or 5 × 10^k)."""
    wanted = max(top * HEADROOM, 1e-9)
    power = 10.0 ** math.floor(math.log10(wanted))
    for mantissa in (1, 2, 5, 10):
        if mantissa * power >= wanted:
            return mantissa * power
    return 10 * power


class LiveMap:
    """The map of one model, drawn once; each year only territories, structures and title.

    The network, axes and legend are the background; :attr:`pixels` are the territories'
    positions in the PNG (from its top left), for clicks.
    """

    def __init__(self, model: TerritoryModel, lang: str, dpi: float):
        self.model, self.lang = model, lang
        fig = map_figure(model, lang)
        fig.set_dpi(dpi)
        self.pixels = territory_pixels(fig, model)
        self.width = round(fig.get_size_inches()[0] * dpi)
        self.fig, self.canvas, self.ax = fig, FigureCanvasAgg(fig), fig.axes[0]
        _, *dynamic = self.ax.collections
        for artist in [*dynamic, *self.ax.texts, self.ax.title]:
            artist.set_animated(True)
        self.canvas.draw()
        fig.set_layout_engine("none")
        self.ax.set_autoscale_on(False)  # the territories' layer must not move the axes
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def png(self, picked: int | None) -> bytes:
        """The map of the model as it is now, with ``picked`` ringed and named."""
        _, *old = self.ax.collections
        for artist in [*old, *self.ax.texts]:
            artist.remove()
        draw_year(self.ax, self.model, self.lang, picked)
        _, *dynamic = self.ax.collections
        self.canvas.restore_region(self.background)
        for artist in [*dynamic, *self.ax.texts, self.ax.title]:
            artist.set_animated(True)
            self.fig.draw_artist(artist)
        return png_bytes(self.canvas)

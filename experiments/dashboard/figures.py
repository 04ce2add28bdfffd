"""What the dashboard draws: the map and the plots, as matplotlib Figures of a live model.

Figures are rendered to PNG images on the server (no pyplot, no backend selected).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from cohesim.analysis.plots.maps import draw_territories
from cohesim.analysis.plots.palette import (
    BLUE,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    SKY_BLUE,
    STRATEGY_COLOURS,
    STRUCTURE_COLOURS,
    Figure,
)
from cohesim.model.kinds import STRUCTURE_KINDS
from cohesim.model.outcomes import outcome_label
from cohesim.model.parameters import Run
from cohesim.model.territory_model import TerritoryModel

from .history import spent_since_year_0
from .text import euros, percent, series_label, tr

COOPERATE_COLOUR, COMPETE_COLOUR = STRATEGY_COLOURS["cooperate"], STRATEGY_COLOURS["compete"]


def structure_links(model: TerritoryModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active structures as stars from their earliest current member to each other member.

    The links of :func:`cohesim.analysis.plots.maps.structure_links`, read from the model's registry
    without building the inventory. Returns ``(source, target, kind)`` arrays (territory ids and
    structure kind codes), one entry per link.
    """
    registry = model.registry
    held = registry.active_members()
    structure = registry.members["structure"][held]
    territory = registry.members["territory"][held]
    order = np.lexsort((territory, registry.members["joined"][held], structure))
    structure, territory = structure[order], territory[order]
    first = np.r_[True, structure[1:] != structure[:-1]] if len(structure) else np.zeros(0, bool)
    hub = territory[first][np.cumsum(first) - 1]
    keep = hub != territory
    kind = registry.structures["kind"][structure[keep]].astype(np.int64)
    return hub[keep], territory[keep], kind


def map_figure(model: TerritoryModel, lang: str, picked: int | None = None) -> Figure:
    """Territories at their positions, sized by population, coloured by strategy, shaped by kind.

    Drawn by the same code as a run's ``map.png`` (:func:`cohesim.analysis.plots.maps.
    draw_territories`): network links thin and grey, each active structure as links from its
    earliest member to the others, coloured (and wide) by structure kind.
    """
    fig = Figure(figsize=(5.5, 3.9), layout="constrained")
    ax = fig.subplots()
    net = model.network
    keep = net.src < net.dst  # each link is stored once per direction
    source, target, structure_kind = structure_links(model)
    handles = draw_territories(
        ax,
        model.x,
        model.y,
        model.population,
        model.kind,
        model.cooperate,
        lang=lang,
        network=(net.src[keep], net.dst[keep]),
        links=(source, target, np.asarray(STRUCTURE_KINDS)[structure_kind]),
    )
    mark_year(ax, model, lang, picked)
    ax.set_xlabel(tr("km", lang))
    ax.set_ylabel(tr("km", lang))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize="small",
        frameon=False,
        title=tr("size", lang),
        title_fontsize="small",
    )
    return fig


def mark_year(ax, model: TerritoryModel, lang: str, picked: int | None) -> None:
    """The year and cooperation in the map's title; the picked territory ringed and named."""
    if picked is not None:
        ax.scatter(
            model.x[picked], model.y[picked], s=260, facecolors="none", edgecolors="black", lw=1.5
        )
        ax.annotate(
            str(model.name[picked]),
            (model.x[picked], model.y[picked]),
            xytext=(8, 8),
            textcoords="offset points",
            fontsize="small",
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
        )
    year = model.steps - model.parameters.run.burn_in
    ax.set_title(
        f"{tr('year', lang)} {year} · {tr('cooperation', lang)} "
        f"{percent(model.cooperation_rate, lang)}"
    )


def draw_year(ax, model: TerritoryModel, lang: str, picked: int | None) -> None:
    """What changes on the map from year to year: structures, territories' strategies, title.

    Drawn over a map whose network and legend are already there (:func:`map_figure`).
    """
    source, target, structure_kind = structure_links(model)
    draw_territories(
        ax,
        model.x,
        model.y,
        model.population,
        model.kind,
        model.cooperate,
        lang=lang,
        links=(source, target, np.asarray(STRUCTURE_KINDS)[structure_kind]),
    )
    mark_year(ax, model, lang, picked)


def territory_pixels(fig: Figure, model: TerritoryModel) -> np.ndarray:
    """Where each territory sits in the PNG of ``fig`` saved at its own dpi.

    (x, y) pixels from the top left, as a browser reports a click on the image.
    """
    fig.draw_without_rendering()  # lays the figure out, so that the transforms are final
    ax = fig.axes[0]
    points = ax.transData.transform(np.column_stack([model.x, model.y]))
    height = fig.get_size_inches()[1] * fig.dpi
    return np.column_stack([points[:, 0], height - points[:, 1]])


def nearest_territory(pixels: np.ndarray, x: float, y: float, radius: float) -> int | None:
    """The territory drawn nearest to pixel (x, y), if within ``radius`` pixels."""
    distance = np.hypot(pixels[:, 0] - x, pixels[:, 1] - y)
    best = int(np.argmin(distance))
    return best if distance[best] <= radius else None


def _years_axis(ax, frame: pd.DataFrame, run: Run, lang: str) -> None:
    """Years from the start to the scenario's end (or further once there), policy start marked."""
    first = -run.burn_in
    ax.set_xlim(first, max(first + run.steps, int(frame["year"].max())))
    ax.set_xlabel(tr("year", lang))
    if first <= 0:  # marked from the start, where a run is heading (and the live plots' background)
        ax.axvline(0, color="#888888", lw=0.8, ls=":")
        ax.annotate(
            tr("policy_start", lang),
            (0, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            va="top",
            fontsize="x-small",
            color="#666666",
        )


GINI_LIMITS = (0.0, 0.5)
"""Fixed scale of the Gini panel: from equality to a very unequal region, so that small wobbles
look small (an autoscaled axis made 0.001 look dramatic). Widened only if a value leaves it."""
GAP_LIMITS = (0.0, 2.5)
"""Fixed scale of the urban / rural welfare ratio, parity (1) marked: towns reach about 1.6 times
rural welfare since access weighs distance (docs/model.md)."""
PREVIOUS_ALPHA = 0.3
"""Opacity of the previous run's trace, drawn under the current one after a Reset."""


def _previous(ax, previous: pd.DataFrame | None, column: str, colour: str, lang: str, **kw):
    """The previous run's curve, faded, so that two runs can be compared on one plot."""
    if previous is None:
        return
    ax.plot(
        previous["year"],
        previous[column],
        color=colour,
        alpha=PREVIOUS_ALPHA,
        lw=2.5,
        label=f"{series_label(column, lang)}, {tr('previous_run', lang)}",
        **kw,
    )


def cooperation_figure(
    frame: pd.DataFrame, run: Run, lang: str, previous: pd.DataFrame | None = None
) -> Figure:
    """Share of territories, and of population, that cooperate, year by year.

    With ``previous`` (the metrics of the run before the last Reset), its curves are drawn faded.
    """
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(
        frame["year"],
        frame["cooperation_rate"],
        color=COOPERATE_COLOUR,
        marker=".",
        label=series_label("cooperation_rate", lang),
    )
    ax.plot(
        frame["year"],
        frame["cooperation_rate_pop"],
        color=COOPERATE_COLOUR,
        ls="--",
        label=series_label("cooperation_rate_pop", lang),
    )
    _previous(ax, previous, "cooperation_rate", COOPERATE_COLOUR, lang)
    ax.set_ylim(0, 1)
    ax.set_title(tr("cooperation", lang))
    _years_axis(ax, frame, run, lang)
    ax.legend(fontsize="small", loc="lower left")
    return fig


def _fixed(ax, limits: tuple[float, float], values: pd.Series) -> None:
    low, high = limits
    ax.set_ylim(min(low, float(values.min())), max(high, float(values.max())))


def cohesion_figure(
    frame: pd.DataFrame, run: Run, lang: str, previous: pd.DataFrame | None = None
) -> Figure:
    """Gini of welfare and the urban–rural welfare ratio, in two panels with fixed scales."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    gini, gap = fig.subplots(1, 2)
    for ax, column, colour, limits in (
        (gini, "gini", REDDISH_PURPLE, GINI_LIMITS),
        (gap, "urban_rural_gap", BLUISH_GREEN, GAP_LIMITS),
    ):
        ax.plot(frame["year"], frame[column], color=colour, marker=".")
        _previous(ax, previous, column, colour, lang)
        _fixed(ax, limits, frame[column])
        ax.set_title(series_label(column, lang), fontsize="small")
        _years_axis(ax, frame, run, lang)
    gap.axhline(1.0, color="#888888", lw=0.8)
    fig.suptitle(tr("cohesion", lang))
    return fig


def money_figure(
    frame: pd.DataFrame, run: Run, lang: str, previous: pd.DataFrame | None = None
) -> Figure:
    """Public spending on cooperation each year (M€): money, then state engineering at its cost.

    The title gives the total spent since year 0; ``previous`` adds the last run's total, faded.
    """
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    parts = ("public_money", "public_engineering")
    ax.stackplot(
        frame["year"],
        *(frame[c] / 1e6 for c in parts),
        colors=[SKY_BLUE, BLUISH_GREEN],
        labels=[outcome_label(c, lang) for c in parts],
        alpha=0.6,
    )
    ax.plot(frame["year"], frame["public_spending"] / 1e6, color=BLUE, marker=".")
    if previous is not None:
        ax.plot(
            previous["year"],
            previous["public_spending"] / 1e6,
            color=BLUE,
            alpha=PREVIOUS_ALPHA,
            lw=2.5,
            label=tr("previous_run", lang),
        )
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", loc="upper left")
    ax.set_ylabel(tr("per_year", lang))
    ax.set_title(
        tr("money", lang)
        + "\n"
        + tr("cumulative", lang).format(money=euros(spent_since_year_0(frame), lang)),
        fontsize="medium",
    )
    _years_axis(ax, frame, run, lang)
    return fig


def structures_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Structures active each year, stacked by kind (the map's colours)."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.stackplot(
        frame["year"],
        *(frame[f"structures_active_{k}"] for k in STRUCTURE_KINDS),
        colors=[STRUCTURE_COLOURS[k] for k in STRUCTURE_KINDS],
        labels=[tr(f"kind_{k}", lang) for k in STRUCTURE_KINDS],
        alpha=0.8,
    )
    ax.set_ylim(bottom=0)
    locator = ax.yaxis.get_major_locator()
    # a new Axes ticks with an AutoLocator, a MaxNLocator, which alone takes integer=
    assert isinstance(locator, MaxNLocator), locator
    locator.set_params(integer=True)
    ax.set_ylabel(tr("count", lang))
    ax.set_title(tr("structures", lang))
    _years_axis(ax, frame, run, lang)
    ax.legend(
        fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, reverse=True
    )
    return fig

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
from cohesim.model.outcomes import outcome_label
from cohesim.model.parameters import Run
from cohesim.model.registry import STRUCTURE_KINDS
from cohesim.model.territory_model import TerritoryModel

from .text import percent, series_label, tr

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


def map_figure(model: TerritoryModel, lang: str) -> Figure:
    """Territories at their positions, sized by population, coloured by strategy, shaped by kind.

    Drawn by the same code as a run's ``map.png`` (:func:`cohesim.analysis.plots.maps.
    draw_territories`): network links thin and grey, each active structure as links from its
    earliest member to the others, coloured (and wide) by structure kind.
    """
    fig = Figure(figsize=(6.4, 4.3), layout="constrained")
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
    ax.set_xlabel(tr("km", lang))
    ax.set_ylabel(tr("km", lang))
    year = model.steps - model.parameters.run.burn_in
    ax.set_title(
        f"{tr('year', lang)} {year} · {tr('cooperation', lang)} "
        f"{percent(model.cooperation_rate, lang)}"
    )
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


def _years_axis(ax, frame: pd.DataFrame, run: Run, lang: str) -> None:
    """Years from the start to the scenario's end (or further once there), policy start marked."""
    first = -run.burn_in
    ax.set_xlim(first, max(first + run.steps, int(frame["year"].max())))
    ax.set_xlabel(tr("year", lang))
    if frame["year"].min() <= 0 <= frame["year"].max():
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


def cooperation_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Share of territories, and of population, that cooperate, year by year."""
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
    ax.set_ylim(0, 1)
    ax.set_title(tr("cooperation", lang))
    _years_axis(ax, frame, run, lang)
    ax.legend(fontsize="small", loc="lower left")
    return fig


def cohesion_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Gini of welfare (left axis) and the urban–rural welfare gap (right axis)."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(
        frame["year"],
        frame["gini"],
        color=REDDISH_PURPLE,
        marker=".",
        label=series_label("gini", lang),
    )
    ax.set_ylabel("Gini")
    right = ax.twinx()
    right.plot(
        frame["year"],
        frame["urban_rural_gap"],
        color=BLUISH_GREEN,
        marker=".",
        label=series_label("urban_rural_gap", lang),
    )
    right.set_ylabel(outcome_label("urban_rural_gap", lang))
    ax.set_title(tr("cohesion", lang))
    _years_axis(ax, frame, run, lang)
    lines = ax.get_lines()[:1] + right.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], fontsize="small", loc="best")
    return fig


def money_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Public spending on cooperation each year (M€): money, then state engineering at its cost."""
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
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", loc="upper left")
    ax.set_ylabel(tr("per_year", lang))
    ax.set_title(tr("money", lang))
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

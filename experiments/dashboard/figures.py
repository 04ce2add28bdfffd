"""What the dashboard draws: the map and the plots, as matplotlib Figures of a live model.

Figures are rendered to PNG images on the server (no pyplot, no backend selected).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cohesim.model.kinds import KINDS
from cohesim.model.parameters import Run
from cohesim.model.registry import STRUCTURE_KINDS
from cohesim.model.territory_model import TerritoryModel

from .text import percent, tr

COOPERATE_COLOUR, COMPETE_COLOUR = "#0072B2", "#E69F00"  # Okabe–Ito: readable by colour-blind
COOPERATE_COLOUR, COMPETE_COLOUR = "#0072B2", "#E69F00"  # Okabe–Ito: readable by colour-blind
KIND_MARKERS = {"metropole": "*", "urban": "s", "periurban": "^", "rural": "o"}
LINK_COLOUR = "#9a9a9a"
STRUCTURE_COLOURS = {
    "entente": "#009E73",
    "contrat": "#CC79A7",
    "syndicat": "#D55E00",
    "pole": "#222222",
}
"""One colour per structure kind, on the map and the structures plot (Okabe–Ito, without the
strategies' blue and orange)."""
STRUCTURE_WIDTHS = {"pole": 7.0, "syndicat": 5.0, "contrat": 3.2, "entente": 1.3}
"""Line widths (points, for 100 territories or fewer) of each kind's links on the map, drawn widest
first: two structures joining the same territories show as a thin line inside a wider one."""


def marker_sizes(population: np.ndarray) -> np.ndarray:
    """Marker areas (points²) growing with √population, smaller when territories are many."""
    n = len(population)
    largest = 260 * min(1.0, math.sqrt(100 / max(n, 1)))
    return 6 + largest * np.sqrt(population / population.max())


def link_segments(model: TerritoryModel) -> np.ndarray:
    """Line segments, one per undirected network link: shape (links, 2, 2), the ends' (x, y)."""
    net = model.network
    keep = net.src < net.dst  # each link is stored once per direction
    src, dst = net.src[keep], net.dst[keep]
    start = np.column_stack([model.x[src], model.y[src]])
    end = np.column_stack([model.x[dst], model.y[dst]])
    return np.stack([start, end], axis=1)


def structure_links(model: TerritoryModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active structures as stars from their earliest current member to each other member.

    The links of :func:`cohesim.analysis.maps.structure_links`, read from the model's registry
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

    Network links are thin grey lines; each active structure is drawn over them as links from its
    earliest member to the others, coloured (and wide) by structure kind. The legend names every
    kind, so that its colours stay put while structures come and go.
    """
    fig = Figure(figsize=(6.4, 4.3), layout="constrained")
    ax = fig.subplots()
    ax.add_collection(
        LineCollection(link_segments(model), colors=LINK_COLOUR, linewidths=0.5, alpha=0.6)
    )
    source, target, structure_kind = structure_links(model)
    thinner = max(0.5, min(1.0, math.sqrt(100 / len(model.population))))
    for kind in sorted(STRUCTURE_KINDS, key=STRUCTURE_WIDTHS.get, reverse=True):
        mine = structure_kind == STRUCTURE_KINDS.index(kind)
        if mine.any():
            a, b = source[mine], target[mine]
            segments = np.stack(
                [
                    np.column_stack([model.x[a], model.y[a]]),
                    np.column_stack([model.x[b], model.y[b]]),
                ],
                axis=1,
            )
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=STRUCTURE_COLOURS[kind],
                    linewidths=STRUCTURE_WIDTHS[kind] * thinner,
                    capstyle="round",
                    label=kind,
                )
            )
    sizes = marker_sizes(model.population)
    colours = np.where(model.cooperate, COOPERATE_COLOUR, COMPETE_COLOUR)
    for code, kind in enumerate(KINDS):
        mine = model.kind == code
        if mine.any():
            ax.scatter(
                model.x[mine],
                model.y[mine],
                s=sizes[mine] * (2.2 if kind == "metropole" else 1.0),
                c=colours[mine],
                marker=KIND_MARKERS[kind],
                edgecolors="white",
                linewidths=0.5,
                zorder=3,
            )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel(tr("km", lang))
    ax.set_ylabel(tr("km", lang))
    year = model.steps - model.parameters.run.burn_in
    ax.set_title(
        f"{tr('year', lang)} {year} · {tr('cooperation', lang)} "
        f"{percent(model.cooperation_rate, lang)}"
    )
    handles = [
        Line2D(
            [], [], ls="", marker="o", ms=8, color=COOPERATE_COLOUR, label=tr("cooperate", lang)
        ),
        Line2D([], [], ls="", marker="o", ms=8, color=COMPETE_COLOUR, label=tr("compete", lang)),
        *(
            Line2D([], [], ls="", marker=KIND_MARKERS[k], ms=7, color="#555555", label=tr(k, lang))
            for k in KINDS
        ),
        Line2D([], [], color=LINK_COLOUR, label=tr("link", lang)),
    ]
    handles += [
        Line2D(
            [],
            [],
            color=STRUCTURE_COLOURS[k],
            lw=min(STRUCTURE_WIDTHS[k], 4.0),
            label=tr(f"kind_{k}", lang),
        )
        for k in STRUCTURE_KINDS
    ]
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
        label=tr("share_territories", lang),
    )
    ax.plot(
        frame["year"],
        frame["cooperation_rate_pop"],
        color=COOPERATE_COLOUR,
        ls="--",
        label=tr("share_population", lang),
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
    ax.plot(frame["year"], frame["gini"], color="#CC79A7", marker=".", label=tr("gini", lang))
    ax.set_ylabel("Gini")
    right = ax.twinx()
    right.plot(
        frame["year"],
        frame["urban_rural_gap"],
        color="#009E73",
        marker=".",
        label=tr("gap", lang),
    )
    right.set_ylabel(tr("gap", lang).split(" (")[0])
    ax.set_title(tr("cohesion", lang))
    _years_axis(ax, frame, run, lang)
    lines = ax.get_lines()[:1] + right.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], fontsize="small", loc="best")
    return fig


def money_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Public money spent each year on matching cooperators' contributions, in M€."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.fill_between(frame["year"], frame["public_spending"] / 1e6, color="#56B4E9", alpha=0.5)
    ax.plot(frame["year"], frame["public_spending"] / 1e6, color="#0072B2", marker=".")
    ax.set_ylim(bottom=0)
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
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(tr("count", lang))
    ax.set_title(tr("structures", lang))
    _years_axis(ax, frame, run, lang)
    ax.legend(
        fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, reverse=True
    )
    return fig

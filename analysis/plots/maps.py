"""Maps of territories drawn from a run's territory table (never from a live model)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

STRATEGY_COLOURS = {"cooperate": "#1b9e77", "compete": "#d95f02"}
KIND_MARKERS = {"metropole": "*", "urban": "s", "periurban": "^", "rural": "o"}
LARGEST_MARKER = 900.0
"""Marker area (pt²) of the most populous territory; areas are proportional to population."""
SMALLEST_MARKER = 2.0
"""Smallest marker area (pt²), so that every territory stays visible."""


def territory_map(
    territories: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "",
    links: pd.DataFrame | None = None,
) -> Path:
    """Territories at their positions, sized by population, coloured by strategy; saved as PNG.

    Parameters
    ----------
    territories
        One row per territory with ``x``, ``y`` (km), ``population``, ``kind`` and ``strategy``
        (a run's ``territories.parquet``); its ``id`` column, when present, is what ``links``
        refer to (the row number otherwise).
    path
        Where to write the PNG.
    title
        Figure title.
    links
        Optional links between territories (network edges, cooperation structures): columns
        ``source`` and ``target`` (territory ids), and optionally ``weight`` (line width, scaled
        to the largest) and ``label`` (one legend entry and colour per distinct label).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    ids = territories["id"].to_numpy() if "id" in territories else np.arange(len(territories))
    x, y = territories["x"].to_numpy(), territories["y"].to_numpy()
    population = territories["population"].to_numpy(dtype=float)
    area = np.maximum(LARGEST_MARKER * population / population.max(), SMALLEST_MARKER)

    width = max(np.ptp(x), 1.0)
    height = max(np.ptp(y), 1.0)
    fig_w = 10.0
    fig_h = float(np.clip(fig_w * height / width, 5.0, 12.0))
    ends = _link_ends(links, ids) if links is not None and len(links) else None
    fig = Figure(figsize=(fig_w, fig_h), layout="constrained")
    ax = fig.subplots()

    handles: list[Line2D] = []
    if ends is not None:
        handles += _draw_links(ax, links, *ends, x, y)

    many = len(territories) > 2_000
    order = np.argsort(-population, kind="stable")  # small territories drawn over large ones
    kind = territories["kind"].astype(str).to_numpy()[order]
    strategy = territories["strategy"].astype(str).to_numpy()[order]
    colours = np.array([STRATEGY_COLOURS.get(s, "grey") for s in strategy])
    for name, marker in KIND_MARKERS.items():
        rows = kind == name
        if rows.any():
            ax.scatter(
                x[order][rows],
                y[order][rows],
                s=area[order][rows],
                c=colours[rows],
                marker=marker,
                alpha=0.8,
                edgecolors="none" if many else "black",
                linewidths=0.3,
                zorder=2,
            )

    handles += [
        Line2D([], [], ls="", marker="o", ms=8, color=c, label=s)
        for s, c in STRATEGY_COLOURS.items()
    ]
    handles += [
        Line2D([], [], ls="", marker=m, ms=8, mfc="white", mec="black", label=k)
        for k, m in KIND_MARKERS.items()
        if (kind == k).any()
    ]
    for inhabitants in _size_steps(population.max()):
        size = np.sqrt(max(LARGEST_MARKER * inhabitants / population.max(), SMALLEST_MARKER))
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=size,
                mfc="lightgrey",
                mec="grey",
                label=f"{inhabitants:,.0f} inh.".replace(",", " "),
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        labelspacing=1.1,
        title="strategy · kind · population",
    )
    ax.set_aspect("equal")
    ax.set(xlabel="x (km)", ylabel="y (km)")
    ax.set_title(title or f"{len(territories)} territories")
    fig.savefig(path, dpi=120)
    return path


def _link_ends(links: pd.DataFrame, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of both ends of every link (ValueError if a link names an unknown id)."""
    row = pd.Series(np.arange(len(ids)), index=ids)
    unknown = ~links["source"].isin(row.index) | ~links["target"].isin(row.index)
    if unknown.any():
        raise ValueError(
            f"links: {int(unknown.sum())} link(s) name territories not in the table "
            f"(first: {links.loc[unknown, ['source', 'target']].iloc[0].tolist()})"
        )
    return row[links["source"]].to_numpy(), row[links["target"]].to_numpy()


def _draw_links(
    ax: Axes, links: pd.DataFrame, a: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray
) -> list[Line2D]:
    """Draw links from rows ``a`` to rows ``b`` under the markers; one legend entry per label."""
    segments = np.stack([np.column_stack([x[a], y[a]]), np.column_stack([x[b], y[b]])], axis=1)
    weight = (
        links["weight"].to_numpy(dtype=float) / links["weight"].max()
        if "weight" in links
        else np.ones(len(links))
    )
    labels = links["label"].astype(str) if "label" in links else pd.Series("links", links.index)
    handles = []
    palette = matplotlib.colormaps["tab10"]
    for k, label in enumerate(sorted(labels.unique())):
        rows = (labels == label).to_numpy()
        # skip tab10 blue and orange: they are the strategies' colours
        colour = palette((k + 2) % 10) if "label" in links else "grey"
        ax.add_collection(
            LineCollection(
                segments[rows], linewidths=0.3 + 1.7 * weight[rows], colors=colour, alpha=0.5
            )
        )
        handles.append(Line2D([], [], color=colour, lw=1.5, label=label))
    return handles


def _size_steps(largest: float) -> list[float]:
    """Round populations (1 000, 10 000...) up to ``largest``, at most three, for the legend."""
    steps = 10.0 ** np.arange(3, np.floor(np.log10(max(largest, 1_000))) + 1)
    return [float(s) for s in steps[-3:]]


def structure_links(inventory: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Links for the map: each active structure as a star from its earliest current member.

    Returns ``source``, ``target`` and ``label`` (the structure's kind) for ``territory_map``.
    """
    current = memberships[memberships["year_left"].isna()].sort_values(
        ["structure_id", "year_joined", "territory_id"]
    )
    hub = current.groupby("structure_id")["territory_id"].transform("first")
    links = pd.DataFrame(
        {"structure_id": current["structure_id"], "source": hub, "target": current["territory_id"]}
    )
    links = links[links["source"] != links["target"]]
    kinds = inventory.set_index("structure_id")["kind"].astype(str)
    return links.assign(label=kinds.loc[links["structure_id"]].to_numpy())[
        ["source", "target", "label"]
    ].reset_index(drop=True)

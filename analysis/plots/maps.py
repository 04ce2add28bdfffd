"""Maps of territories and their cooperation structures: the one map drawer, and ``map.png``.

:func:`draw_territories` takes plain arrays, so that a run's territory table (``map.png``) and
the dashboard's live model are drawn by the same code, in the same colours.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from cohesim.model.kinds import KINDS, METROPOLE
from cohesim.model.labels import label as word

from .palette import (
    GREY,
    KIND_MARKERS,
    SERIES,
    STRATEGY_COLOURS,
    STRUCTURE_COLOURS,
    STRUCTURE_WIDTHS,
    Figure,
)

LEGEND_TITLE = {"en": "strategy · kind · population", "fr": "stratégie · type · population"}


def marker_sizes(population: np.ndarray) -> np.ndarray:
    """Marker areas (points²) growing with √population, smaller when territories are many."""
    n = len(population)
    largest = 260 * min(1.0, math.sqrt(100 / max(n, 1)))
    return 6 + largest * np.sqrt(population / population.max())


def draw_territories(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    population: np.ndarray,
    kind: np.ndarray,
    cooperate: np.ndarray,
    *,
    lang: str = "en",
    network: tuple[np.ndarray, np.ndarray] | None = None,
    links: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> list[Line2D]:
    """Draw territories and their links on ``ax``; return the legend's entries.

    The one map drawer: ``map.png`` and the dashboard both call it. Territories sit at their
    positions, sized by population, coloured by strategy and shaped by kind (integer codes of
    :data:`cohesim.model.kinds.KINDS`). ``network`` is a pair of row arrays drawn as thin grey
    lines; ``links`` is ``(rows a, rows b, label)``, where a label that names a structure kind
    takes that kind's colour and width and any other label the next colour of the palette. Every
    structure kind is listed in the legend once links are given, so that colours stay put while
    structures come and go.
    """
    handles: list[Line2D] = []
    n = len(population)
    if network is not None:
        segments = _segments(x, y, *network)
        ax.add_collection(
            # the stub wants a Sequence: an (n, 2, 2) array iterates as one but is not typed so
            LineCollection(segments, colors=GREY, linewidths=0.5, alpha=0.6)  # type: ignore[arg-type]
        )
    if links is not None:
        thinner = max(0.5, min(1.0, math.sqrt(100 / n)))
        handles += _draw_links(ax, x, y, *links, thinner=thinner, lang=lang)
    sizes = marker_sizes(population)
    many = n > 2_000
    colours = np.where(cooperate, STRATEGY_COLOURS["cooperate"], STRATEGY_COLOURS["compete"])
    for code, name in enumerate(KINDS):
        mine = kind == code
        if mine.any():
            ax.scatter(
                x[mine],
                y[mine],
                s=sizes[mine] * (2.2 if code == METROPOLE else 1.0),
                c=colours[mine],
                marker=KIND_MARKERS[name],
                edgecolors="none" if many else "white",
                linewidths=0.5,
                zorder=3,
            )
    handles += [
        Line2D([], [], ls="", marker="o", ms=8, color=c, label=word(s, lang))
        for s, c in STRATEGY_COLOURS.items()
    ]
    handles += [
        Line2D([], [], ls="", marker=KIND_MARKERS[k], ms=7, color="#555555", label=word(k, lang))
        for code, k in enumerate(KINDS)
        if (kind == code).any()
    ]
    if network is not None:
        handles.append(Line2D([], [], color=GREY, label=NETWORK_LABEL[lang]))
    for inhabitants in _size_steps(population.max()):
        area = 6 + (sizes.max() - 6) * math.sqrt(inhabitants / population.max())
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=math.sqrt(area),
                mfc="lightgrey",
                mec="grey",
                label=f"{inhabitants:,.0f} {INHABITANTS[lang]}".replace(",", "\u202f"),
            )
        )
    ax.set_aspect("equal")
    ax.autoscale_view()
    return handles


NETWORK_LABEL = {"en": "interdependence", "fr": "interdépendance"}
INHABITANTS = {"en": "inh.", "fr": "hab."}


def territory_map(
    territories: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "",
    links: pd.DataFrame | None = None,
    lang: str = "en",
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
        Optional links between territories (cooperation structures, say): columns ``source``
        and ``target`` (territory ids) and optionally ``label`` (a structure kind, or any word:
        one legend entry and colour per distinct label).
    lang
        Language of the legend, "en" or "fr".

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    ids = territories["id"].to_numpy() if "id" in territories else np.arange(len(territories))
    x, y = territories["x"].to_numpy(), territories["y"].to_numpy()
    population = territories["population"].to_numpy(dtype=float)
    kind = np.array([KINDS.index(k) for k in territories["kind"].astype(str)], dtype=np.int64)
    cooperate = (territories["strategy"].astype(str) == "cooperate").to_numpy()
    drawn = None
    if links is not None and len(links):
        a, b = _link_ends(links, ids)
        label = links["label"].astype(str) if "label" in links else pd.Series("links", links.index)
        drawn = (a, b, label.to_numpy())

    width = max(np.ptp(x), 1.0)
    height = max(np.ptp(y), 1.0)
    fig_w = 10.0
    fig_h = float(np.clip(fig_w * height / width, 5.0, 12.0))
    fig = Figure(figsize=(fig_w, fig_h), layout="constrained")
    ax = fig.subplots()
    handles = draw_territories(ax, x, y, population, kind, cooperate, lang=lang, links=drawn)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        labelspacing=1.1,
        title=LEGEND_TITLE[lang],
    )
    ax.set(xlabel="x (km)", ylabel="y (km)")
    ax.set_title(title or f"{len(territories)} territories")
    fig.savefig(path, dpi=120)
    return path


def _segments(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Line segments from rows ``a`` to rows ``b``: shape (links, 2, 2)."""
    return np.stack([np.column_stack([x[a], y[a]]), np.column_stack([x[b], y[b]])], axis=1)


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
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    label: np.ndarray,
    *,
    thinner: float,
    lang: str,
) -> list[Line2D]:
    """Draw links under the markers, widest kinds first; one legend entry per label."""
    other = [k for k in dict.fromkeys(label.tolist()) if k not in STRUCTURE_COLOURS]
    colour = {**STRUCTURE_COLOURS, **{k: SERIES[i % len(SERIES)] for i, k in enumerate(other)}}
    width = {**STRUCTURE_WIDTHS, **dict.fromkeys(other, 1.5)}
    for name in sorted(colour, key=lambda k: width[k], reverse=True):
        mine = label == name
        if mine.any():
            ax.add_collection(
                LineCollection(
                    # the stub wants a Sequence: an (n, 2, 2) array iterates as one, untyped
                    _segments(x, y, a[mine], b[mine]),  # type: ignore[arg-type]
                    colors=colour[name],
                    linewidths=width[name] * thinner,
                    capstyle="round",
                    zorder=2,
                    label=name,
                )
            )
    return [
        Line2D([], [], color=colour[k], lw=min(width[k], 4.0), label=word(k, lang))
        for k in (*STRUCTURE_COLOURS, *other)
    ]


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

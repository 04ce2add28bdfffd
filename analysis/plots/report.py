"""Figures of the comparison and sweep reports, drawn from tables.

Each function returns a matplotlib Figure; :func:`png_bytes` turns it into PNG bytes that a
report embeds and also saves beside it.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cohesim.model.outcomes import outcome
from cohesim.model.parameters import lookup

from ..quantities import value_text
from ..report_text import group_label, metric_label, parameter_label, word
from ..statistics import mean_ci
from .palette import SERIES, Figure


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes (100 dpi)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def readable_axis(axis, lang: str, unit: str = "") -> None:
    """Tick labels as reports write numbers (no ``1e7`` offset, decimal commas in French).

    Shares in %, money in k€ / M€: ``unit`` is an outcome's declared unit.
    """
    axis.set_major_formatter(FuncFormatter(lambda v, _: value_text(v, unit, lang)))


def _title(text: str, width: int = 42) -> str:
    """A panel title or axis label wrapped to the panel's width."""
    return textwrap.fill(text, width)


def _unit(metric: str) -> str:
    try:
        return outcome(metric).unit
    except KeyError:
        return ""


def _parameter_unit(path: str) -> str:
    """A parameter's declared unit, for its tick labels (money in k€ / M€)."""
    info = lookup(path)
    return info.unit if info is not None else ""


def _grid(panels: int, columns: int = 3, size: tuple[float, float] = (4.6, 3.2)) -> tuple:
    rows = max(1, -(-panels // columns))
    cols = min(columns, max(panels, 1))
    fig = Figure(figsize=(size[0] * cols, size[1] * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[panels:]:
        ax.set_visible(False)
    return fig, axes.flat


def envelope_figure(
    series: Mapping[str, Sequence[pd.DataFrame]], metrics: Sequence[str], lang: str
) -> Figure:
    """Per metric, each scenario's mean over replicates and its min–max band, against the year."""
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics, strict=False):
        for i, (name, runs) in enumerate(series.items()):
            frame = pd.concat([ts.set_index("year")[metric] for ts in runs], axis=1)
            colour = SERIES[i % len(SERIES)]
            ax.fill_between(
                frame.index, frame.min(axis=1), frame.max(axis=1), color=colour, alpha=0.2
            )
            ax.plot(frame.index, frame.mean(axis=1), color=colour, label=name)
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        ax.set(title=_title(metric_label(metric, lang)), xlabel=word("year", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        readable_axis(ax.xaxis, lang)
        readable_axis(ax.yaxis, lang, _unit(metric))
    axes[0].legend(frameon=False, fontsize="small")
    return fig


def distribution_figure(
    values: pd.DataFrame,
    metrics: Sequence[str],
    lang: str,
    unpaired: Sequence[str] = (),
) -> Figure:
    """Per metric, each replicate's value per scenario; grey lines join runs of the same seed.

    Scenarios in ``unpaired`` (another region than the first) are not joined: the same seed
    there is not the same world.
    """
    fig, axes = _grid(len(metrics))
    names = list(dict.fromkeys(values["scenario"]))
    joined = np.array([name not in unpaired for name in names])
    for ax, metric in zip(axes, metrics, strict=False):
        wide = values[values["metric"] == metric].pivot(
            index="replicate", columns="scenario", values="value"
        )[names]
        x = np.arange(len(names))
        for _, row in wide.iterrows():
            ax.plot(x[joined], row.to_numpy()[joined], color="grey", lw=0.6, alpha=0.6)
        for i, name in enumerate(names):
            ax.scatter(np.full(len(wide), i), wide[name], color=SERIES[i % len(SERIES)], s=14)
            m, lo, hi = mean_ci(wide[name])
            ax.errorbar(
                i + 0.15,
                m,
                yerr=[[m - lo], [hi - m]] if np.isfinite(lo) else None,
                fmt="D",
                color="black",
                ms=4,
                capsize=3,
            )
        ax.set_xticks(x, names, rotation=20, ha="right", fontsize="small")
        ax.set_title(_title(metric_label(metric, lang)))
        readable_axis(ax.yaxis, lang, _unit(metric))
    return fig


def counts_figure(counts: pd.DataFrame, by: str, lang: str) -> Figure:
    """Structures formed per run, one group of bars per scenario, one bar per kind or mix."""
    wide = counts.pivot(index="label", columns=by, values="formed").fillna(0.0)
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(len(wide.columns), 1)
    x = np.arange(len(wide))
    for j, group in enumerate(wide.columns):
        ax.bar(x + j * width, wide[group], width, label=group_label(str(group), lang))
    ax.set_xticks(x + width * (len(wide.columns) - 1) / 2, wide.index)
    ax.set(ylabel=word("per_run", lang), title=word("by_kind" if by == "kind" else "by_mix", lang))
    readable_axis(ax.yaxis, lang)
    ax.legend(frameon=False, fontsize="small")
    return fig


def survival_figure(curves: pd.DataFrame, lang: str, xlabel: str = "years") -> Figure:
    """Kaplan–Meier step curves, one per label."""
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    for i, (label, curve) in enumerate(curves.groupby("label", sort=False)):
        n = int(curve["structures"].iloc[0])
        ax.step(
            curve["time"],
            curve["survival"],
            where="post",
            color=SERIES[i % len(SERIES)],
            label=f"{label} (n = {n})",
        )
    ax.set(xlabel=word(xlabel, lang), ylabel=word("share_alive", lang), ylim=(0, 1.02))
    readable_axis(ax.xaxis, lang)
    readable_axis(ax.yaxis, lang, "share")
    ax.legend(frameon=False, fontsize="small")
    return fig


def main_effects_figure(
    runs: pd.DataFrame, factors: Sequence[str], metric: str, lang: str
) -> Figure:
    """Mean outcome (95 % CI over runs) against each factor; continuous factors in 8 bins."""
    fig, axes = _grid(len(factors))
    for ax, factor in zip(axes, factors, strict=False):
        column = runs[factor]
        if column.dtype.kind == "f" and column.nunique() > 10:
            groups = pd.cut(column, 8)
            x_of = {g: g.mid for g in groups.cat.categories}
        else:
            groups = column
            x_of = None
        stats = runs[metric].groupby(groups, observed=True).apply(lambda v: mean_ci(v))
        xs = [x_of[g] if x_of else g for g in stats.index]
        means = np.array([s[0] for s in stats])
        lows = np.array([s[1] for s in stats])
        highs = np.array([s[2] for s in stats])
        if column.dtype.kind in "fiu":
            ax.plot(xs, means, marker="o")
            ax.fill_between(xs, lows, highs, alpha=0.25)
        else:
            positions = np.arange(len(xs))
            ax.errorbar(positions, means, yerr=[means - lows, highs - means], fmt="o", capsize=3)
            ax.set_xticks(positions, [str(x) for x in xs])
        ax.set(xlabel=_title(parameter_label(factor, lang)), ylabel=metric_label(metric, lang))
        if column.dtype.kind in "fiu":
            readable_axis(ax.xaxis, lang, _parameter_unit(factor))
        readable_axis(ax.yaxis, lang, _unit(metric))
    return fig


def heatmap_figure(runs: pd.DataFrame, x: str, y: str, metric: str, lang: str) -> Figure:
    """Mean outcome on a grid of two factors' values."""
    table = runs.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis")

    def ticks(values: pd.Index, factor: str) -> list[str]:
        unit = _parameter_unit(factor)
        return [value_text(v, unit, lang) if isinstance(v, float) else str(v) for v in values]

    ax.set_xticks(range(len(table.columns)), ticks(table.columns, x))
    ax.set_yticks(range(len(table.index)), ticks(table.index, y))
    ax.set(xlabel=_title(parameter_label(x, lang)), ylabel=_title(parameter_label(y, lang)))
    bar = fig.colorbar(image, ax=ax, label=metric_label(metric, lang))
    readable_axis(bar.ax.yaxis, lang, _unit(metric))
    return fig


def sobol_figure(indices: pd.DataFrame, lang: str) -> Figure:
    """First-order and total Sobol' indices with their 95 % intervals."""
    fig = Figure(figsize=(7, 0.5 * len(indices) + 1.6), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(indices))
    ax.barh(y - 0.2, indices["S1"], 0.4, xerr=indices["S1_conf"], label=word("first_order", lang))
    ax.barh(y + 0.2, indices["ST"], 0.4, xerr=indices["ST_conf"], label=word("total", lang))
    ax.set_yticks(y, [_title(parameter_label(p, lang), 28) for p in indices["parameter"]])
    ax.axvline(0, color="grey", lw=0.8)
    readable_axis(ax.xaxis, lang)
    ax.legend(frameon=False)
    return fig


def morris_figure(indices: pd.DataFrame, lang: str) -> Figure:
    """Morris μ* against σ, one labelled point per parameter."""
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(
        indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"], fmt="o", capsize=3
    )
    for _, row in indices.iterrows():
        ax.annotate(
            _title(parameter_label(row["parameter"], lang)),
            (row["mu_star"], row["sigma"]),
            fontsize="small",
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set(xlabel="μ*", ylabel="σ", xlim=(0, None), ylim=(0, None))
    readable_axis(ax.xaxis, lang)
    readable_axis(ax.yaxis, lang)
    return fig


def prim_figure(trajectory: pd.DataFrame, chosen: int, lang: str) -> Figure:
    """PRIM's peeling trajectory: density against coverage, the chosen box marked."""
    fig = Figure(figsize=(6, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.plot(trajectory["coverage"], trajectory["density"], marker=".", lw=1)
    row = trajectory.iloc[chosen]
    ax.scatter(
        [row["coverage"]],
        [row["density"]],
        s=90,
        facecolors="none",
        edgecolors="red",
        label=word("prim_box", lang),
    )
    ax.set(
        xlabel=word("coverage", lang), ylabel=word("density", lang), xlim=(0, 1.02), ylim=(0, 1.02)
    )
    readable_axis(ax.xaxis, lang, "share")
    readable_axis(ax.yaxis, lang, "share")
    ax.legend(frameon=False)
    return fig

"""Figures of one run, drawn from its result tables (never from a live model)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .palette import BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, Figure

STRUCTURE_KINDS = ("entente", "contrat", "syndicat", "pole")


def summary_figure(timeseries: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Cooperation, cohesion, structures and access over time, six panels, saved as PNG."""
    path = Path(path)
    if "gini" not in timeseries:  # a validation reduction: cooperation is all there is
        return cooperation_figure(timeseries, path, title)
    x = timeseries["year"] if "year" in timeseries else timeseries["step"]
    fig = Figure(figsize=(14, 7), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True)
    coop, ineq, gap, structures, money, access = axes.flat

    coop.plot(x, timeseries["cooperation_rate"], label="territories")
    coop.plot(x, timeseries["cooperation_rate_pop"], label="population-weighted")
    if "edge_coverage" in timeseries:
        coop.plot(x, timeseries["edge_coverage"], label="partnerships in a structure", ls="--")
    coop.set(title="Cooperation", ylabel="share", ylim=(0, 1))
    coop.legend(frameon=False)

    ineq.plot(x, timeseries["gini"], label="Gini")
    ineq.stackplot(
        x,
        timeseries["theil_between"],
        timeseries["theil_within"],
        labels=["Theil between kinds", "Theil within kinds"],
        alpha=0.4,
    )
    ineq.set(title="Inequality of welfare (population-weighted)", ylim=(0, None))
    ineq.legend(frameon=False)

    gap.plot(x, timeseries["urban_rural_gap"], color=REDDISH_PURPLE)
    gap.axhline(1.0, color="grey", lw=0.8, ls=":")
    gap.set(title="Urban–rural gap", ylabel="mean welfare urban / rural")

    kinds = [k for k in STRUCTURE_KINDS if f"structures_active_{k}" in timeseries]
    if kinds:
        structures.stackplot(
            x, *(timeseries[f"structures_active_{k}"] for k in kinds), labels=kinds, alpha=0.7
        )
        structures.legend(frameon=False, loc="upper left")
    structures.set(title="Cooperation structures active", ylabel="count")

    if "public_engineering" in timeseries:  # money, then state engineering at its cost
        paid = timeseries["public_money"] / 1e6
        money.bar(x, paid, color=SKY_BLUE, width=0.8, label="grants and matching")
        staff = timeseries["public_engineering"] / 1e6
        money.bar(x, staff, bottom=paid, color=BLUISH_GREEN, width=0.8, label="state engineering")
        money.legend(frameon=False)
    elif "public_spending" in timeseries:  # tables written before engineering was costed
        money.bar(x, timeseries["public_spending"] / 1e6, color=BLUISH_GREEN, width=0.8)
    money.set(title="Public spending (engineering at its cost)", ylabel="M€ per year")

    for column in (c for c in timeseries.columns if c.startswith("access_")):
        access.plot(x, timeseries[column], label=column.removeprefix("access_"))
    access.set(title="Access to services", ylabel="share of demand served", ylim=(0, 1.02))
    access.legend(frameon=False, ncols=2)

    for ax in axes.flat:
        if "year" in timeseries:
            ax.axvline(0, color="grey", lw=0.8, ls=":")  # end of burn-in: policy starts
    for ax in axes[1]:
        ax.set_xlabel("year (0 = end of burn-in)" if "year" in timeseries else "step")
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
    return path


def cooperation_figure(timeseries: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """The cooperator share per step (generation or Monte Carlo step), saved as PNG."""
    path = Path(path)
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(timeseries["step"], timeseries["cooperation_rate"], lw=1)
    ax.set(xlabel="step", ylabel="share of cooperators", ylim=(0, 1), title=title)
    fig.savefig(path, dpi=100)
    return path

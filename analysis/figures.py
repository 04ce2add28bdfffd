"""Figures drawn from result tables (never from a live model)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, none expected on a cluster
import matplotlib.pyplot as plt
import pandas as pd


def summary_figure(timeseries: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Cooperation and cohesion over time, four panels, saved as PNG at ``path``."""
    path = Path(path)
    x = timeseries["year"] if "year" in timeseries else timeseries["step"]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, constrained_layout=True)
    coop, ineq, gap, access = axes.flat

    coop.plot(x, timeseries["cooperation_rate"], label="territories")
    coop.plot(x, timeseries["cooperation_rate_pop"], label="population-weighted")
    coop.set(title="Cooperation", ylabel="share cooperating", ylim=(0, 1))
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

    gap.plot(x, timeseries["urban_rural_gap"], color="tab:purple")
    gap.axhline(1.0, color="grey", lw=0.8, ls=":")
    gap.set(title="Urban–rural gap", ylabel="mean welfare urban / rural")

    for column in (c for c in timeseries.columns if c.startswith("access_")):
        access.plot(x, timeseries[column], label=column.removeprefix("access_"))
    access.set(title="Access to services", ylabel="share of demand served", ylim=(0, 1.02))
    access.legend(frameon=False, ncols=2)

    for ax in (gap, access):
        ax.set_xlabel("year (0 = end of burn-in)" if "year" in timeseries else "step")
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

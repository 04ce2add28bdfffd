"""The dashboard's tables: the inventory of structures, the territories, the settings in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cohesim.model.parameters import declared
from cohesim.model.territory_model import TerritoryModel

from .sliders import parameter_label, parameter_value, shown_value, slider_paths
from .text import tr

if TYPE_CHECKING:
    from .model import DashboardModel

NAMES_SHOWN = 4
"""Member names listed per structure in the inventory; the others are counted (+ 12)."""
SHORT_NAMES = {
    "Communauté de communes ": "CC ",
    "Communauté d'agglomération ": "CA ",
    "Communauté urbaine ": "CU ",
}
"""The usual abbreviations of EPCI names, so that a structure's members fit on a line."""


def short_name(name: str) -> str:
    """A territory's name with its EPCI prefix abbreviated (CC, CA, CU)."""
    for long, short in SHORT_NAMES.items():
        if name.startswith(long):
            return short + name.removeprefix(long)
    return name


def _names(names: list[str]) -> str:
    shown = ", ".join(short_name(n) for n in names[:NAMES_SHOWN])
    return f"{shown} + {len(names) - NAMES_SHOWN}" if len(names) > NAMES_SHOWN else shown


def inventory_table(inventory: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The inventory of structures, newest first, in ``lang``.

    Kind, year formed, year dissolved or "active", why it ended, the public funding it
    received (€), members' names (the first :data:`NAMES_SHOWN`, then how many more) and
    domains: why it ended comes first, where a narrow screen still shows it.
    """
    newest = inventory.sort_values(["year_formed", "structure_id"], ascending=False)
    ended = newest["year_dissolved"]
    return pd.DataFrame(
        {
            tr("kind", lang): [tr(f"kind_{k}", lang) for k in newest["kind"].astype(str)],
            tr("formed", lang): newest["year_formed"].to_numpy(),
            tr("ended", lang): [tr("active", lang) if pd.isna(y) else str(y) for y in ended],
            tr("cause", lang): [
                "" if pd.isna(c) else tr(f"cause_{c}", lang) for c in newest["exit_cause"]
            ],
            tr("funding", lang): newest["funding_received"].round().astype(np.int64).to_numpy(),
            tr("members", lang): [_names(m) for m in newest["member_names"]],
            tr("domains", lang): [
                ", ".join(tr(f"domain_{d}", lang) for d in domains) for domains in newest["domains"]
            ],
        }
    )


def territory_table(model: TerritoryModel, lang: str) -> pd.DataFrame:
    """Territories, largest first: name, kind, strategy, population, welfare, in ``lang``."""
    frame = model.territories_frame().sort_values("population", ascending=False)
    return pd.DataFrame(
        {
            tr("name", lang): frame["name"].to_numpy(),
            tr("kind", lang): [tr(k, lang) for k in frame["kind"].astype(str)],
            tr("strategy", lang): [tr(s, lang) for s in frame["strategy"]],
            tr("population", lang): frame["population"].round().astype(int).to_numpy(),
            tr("welfare", lang): frame["welfare"].round().astype(int).to_numpy(),
        }
    )


def settings_summary(model: DashboardModel, lang: str) -> list[str]:
    """One line per slider parameter: its label and its value, as in force from year 0 on.

    During the burn-in levers are off (docs/model.md); showing the values that will act from
    year 0 tells students what the run is about.
    """
    year = max(0, model.steps - model.parameters.run.burn_in)
    in_force = model.scenario_parameters.at_year(year)
    lines = []
    for path in slider_paths():
        info = declared(path)
        shown = shown_value(info, parameter_value(in_force, path), lang)
        lines.append(f"{parameter_label(info, lang, long=True)} = {shown}")
    return lines

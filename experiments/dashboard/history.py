"""The runs a class has finished: their values at the scenario's last year, as a table and a CSV.

Plain pandas: the page keeps one summary per run that reached the end of the scenario (year 30
of the classroom region) and shows them side by side, so that students compare settings without
writing numbers down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cohesim.model.parameters import declared
from cohesim.model.territory_model import TerritoryModel

from .text import tr

SUMMARY_OUTCOMES = (
    "cooperation_rate",
    "cooperation_rate_pop",
    "gini",
    "urban_rural_gap",
    "structures_active",
    "public_spending_cumulative",
)
"""What a finished run is summarised by: its values at the last year of the scenario."""
COLUMN_KEYS = {
    "cooperation_rate": "cooperation_share",
    "cooperation_rate_pop": "cooperation_pop",
    "gini": "gini_short",
    "urban_rural_gap": "gap_short",
    "structures_active": "structures",
    "public_spending_cumulative": "money_total",
}
"""The dashboard's word for each summary column (:func:`cohesim.experiments.dashboard.text.tr`)."""


def run_summary(model: TerritoryModel, number: int, changed: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``number``: the settings it changed from the scenario, its values at its last year.

    Public money is what was spent from year 0 (when the levers start) to that year.
    """
    frame = model.metrics_frame()
    last = frame.iloc[-1]
    summary: dict[str, Any] = {"run": number, "year": int(last["year"]), "changed": dict(changed)}
    for column in SUMMARY_OUTCOMES:
        summary[column] = float(last[column])
    summary["public_spending_cumulative"] = spent_since_year_0(frame)
    return summary


def spent_since_year_0(frame: pd.DataFrame) -> float:
    """Public spending from year 0 (when levers start) to the frame's last year, in €."""
    return float(frame.loc[frame["year"] >= 0, "public_spending"].sum())


def changed_text(changed: Mapping[str, Any], lang: str) -> str:
    """The settings a run changed, as ``label = value`` in ``lang`` (or "scenario as is")."""
    from .sliders import parameter_label, shown_value

    if not changed:
        return tr("none_changed", lang)
    parts = []
    for path, value in changed.items():
        info = declared(path)
        parts.append(f"{parameter_label(info, lang)} = {shown_value(info, value, lang)}")
    return " ; ".join(parts) if lang == "fr" else "; ".join(parts)


def runs_table(summaries: Sequence[Mapping[str, Any]], lang: str) -> pd.DataFrame:
    """One row per finished run, oldest first, with the page's column names in ``lang``."""
    rows = []
    for summary in summaries:
        row = {
            tr("run", lang): summary["run"],
            tr("changed", lang): changed_text(summary["changed"], lang),
        }
        for column in SUMMARY_OUTCOMES:
            row[tr(COLUMN_KEYS[column], lang)] = summary[column]
        rows.append(row)
    columns = [tr("run", lang), tr("changed", lang)] + [
        tr(COLUMN_KEYS[c], lang) for c in SUMMARY_OUTCOMES
    ]
    return pd.DataFrame(rows, columns=columns)


def runs_csv(summaries: Sequence[Mapping[str, Any]], lang: str) -> str:
    """The table of finished runs as CSV.

    In French with ``;`` and decimal commas (as a French spreadsheet reads it), in English with
    ``,`` and points.
    """
    table = runs_table(summaries, lang)
    if lang == "fr":
        return table.to_csv(index=False, sep=";", decimal=",")
    return table.to_csv(index=False)

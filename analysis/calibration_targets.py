"""The calibration targets: published French aggregates and the model statistics they are met by.

Each :class:`CalibrationTarget` names a pattern, the published figure, its source, the interval
counted as a fit and its role; ``docs/calibration.md`` gives every mapping and its caveats in
full. :func:`run_statistics` computes the statistics from a sweep's runs table: a target that is
a count per EPCI is the model's count of active structures of that kind divided by the number of
territories of the scenario (one territory is one EPCI at the EPCI level), at its final value
(the mean over the last policy years, docs/analysis.md), as the runs table holds every metric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cohesim.experiments.results import ResultsError

Role = Literal["fitted", "constraint", "check"]

BANATIC_2022 = (
    "BANATIC (DGCL), 2022, as reported by É. Landot, blog, 16 Feb 2022; 1,254 EPCI the same year"
)
BANATIC_2017 = "BANATIC (DGCL), 2017, as reported by Maire-info, 29 June 2017"


@dataclass(frozen=True)
class CalibrationTarget:
    """One published pattern, the model statistic it is compared with, and the fitting interval.

    ``role``: ``fitted`` targets enter the distance; a ``constraint`` must hold for a point to be
    accepted (``low ≤ s < high``); a ``check`` is reported on the accepted runs, not fitted.
    """

    statistic: str
    label: str
    observed: str
    low: float
    high: float
    role: Role
    source: str

    def inside(self, values: np.ndarray | pd.Series) -> np.ndarray:
        """Whether each value lies in the interval (``high`` excluded for a constraint)."""
        v = np.asarray(values, dtype=float)
        upper = v < self.high if self.role == "constraint" else v <= self.high
        return (v >= self.low) & upper


TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget(
        "syndicats_per_territory",
        "syndicats mixtes per EPCI",
        "2022: 1,964 closed + 806 open = 2,770 for 1,254 EPCI (2.21; closed only 1.57); "
        "2017: 1,889 + 905 = 2,794 (2.23; closed only 1.51)",
        1889 / 1254,
        2794 / 1254,
        "check",
        f"{BANATIC_2022}; {BANATIC_2017}",
    ),
    CalibrationTarget(
        "poles_per_territory",
        "pôles métropolitains per EPCI",
        "2022: 25 for 1,254 EPCI (0.020); 2017: 14 (0.011)",
        14 / 1254,
        25 / 1254,
        "fitted",
        f"{BANATIC_2022}; {BANATIC_2017}",
    ),
    CalibrationTarget(
        "cooperation_rate",
        "share of territories cooperating",
        "cooperation is a minority register (qualitative)",
        0.0,
        0.5,
        "constraint",
        "issue 12 (point 5) and shared/SCIENCE_REVIEW.md §4: text only, no figure",
    ),
    CalibrationTarget(
        "metropole_cooperations",
        "structures with a métropole member, per métropole",
        "173 métropole–territory cooperations for 22 métropoles in 2018 (7.9 per métropole); "
        "order of magnitude",
        4.0,
        16.0,
        "fitted",
        "CGET / France urbaine / AdCF, 2018 census of métropole–territory cooperations",
    ),
)
"""The calibration targets (docs/calibration.md gives each source and mapping in full)."""

STATISTICS = {
    "syndicats_per_territory": ("structures_active_syndicat", "territories"),
    "poles_per_territory": ("structures_active_pole", "territories"),
    "cooperation_rate": ("cooperation_rate", None),
    "metropole_cooperations": ("metropole_cooperations", None),
}
"""Statistic → (runs-table column, denominator from the scenario's size or None)."""


def targets(role: Role | None = None) -> tuple[CalibrationTarget, ...]:
    """The targets of one role, or all."""
    return tuple(t for t in TARGETS if role is None or t.role == role)


def run_statistics(runs: pd.DataFrame, sizes: pd.DataFrame) -> pd.DataFrame:
    """The target statistics of each successful run.

    Parameters
    ----------
    runs
        A sweep's runs table (:func:`cohesim.experiments.load_runs`).
    sizes
        Territories and métropoles per scenario name
        (:func:`cohesim.experiments.reruns.scenario_sizes`).

    Returns
    -------
    DataFrame
        ``run_id, scenario, point_id, replicate`` and one column per statistic of
        :data:`STATISTICS`.

    Raises
    ------
    ResultsError
        If the runs table lacks a column a statistic needs, or names a scenario ``sizes`` lacks.
    """
    ok = runs[runs["status"] == "ok"]
    missing = [c for c, _ in STATISTICS.values() if c not in runs.columns]
    if missing:
        raise ResultsError(f"the runs table has no column {', '.join(missing)}")
    unknown = sorted(set(ok["scenario"]) - set(sizes.index))
    if unknown:
        raise ResultsError(f"no size known for scenario {', '.join(unknown)}")
    out = ok[["run_id", "scenario", "point_id", "replicate"]].copy()
    for statistic, (column, denominator) in STATISTICS.items():
        values = ok[column].astype(float)
        if denominator is not None:
            values = values / ok["scenario"].map(sizes[denominator]).astype(float)
        out[statistic] = values.to_numpy()
    return out.reset_index(drop=True)


def point_statistics(statistics: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """The statistics of each design point on one scenario: the mean over its replicates."""
    part = statistics[statistics["scenario"] == scenario]
    if part.empty:
        raise ResultsError(f"no successful run of scenario {scenario!r}")
    return part.groupby("point_id")[list(STATISTICS)].mean()

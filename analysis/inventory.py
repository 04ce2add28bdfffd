"""The inventory of cooperation structures (recensement) as tables: counts, members, survival.

Every function reads inventory tables (one row per structure ever formed, as a run writes them
in ``inventory.parquet``) and returns a pandas DataFrame, ready for :func:`write_tables`.
Several runs are analysed together by passing a mapping ``{label: [(inventory, end_year), ...]}``
where ``end_year`` is the run's last year (structures still active then are censored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cohesim.model.kinds import KINDS, METROPOLE, URBAN

from .survival import kaplan_meier, structure_lifetimes

URBAN_KINDS = frozenset({KINDS[METROPOLE], KINDS[URBAN]})
MIXES = ("urban only", "urban–rural mix", "rural and periurban only")

RunInventories = Mapping[str, Sequence[tuple[pd.DataFrame, int]]]


def member_mix(member_kinds: Sequence[str]) -> str:
    """Whether a structure joins urban territories only, non-urban only, or both.

    Urban means a métropole or an urban centre; periurban and rural territories are non-urban.

    Examples
    --------
    >>> member_mix(["metropole", "rural"]), member_mix(["rural", "periurban"])
    ('urban–rural mix', 'rural and periurban only')
    """
    urban = [kind in URBAN_KINDS for kind in member_kinds]
    if all(urban):
        return MIXES[0]
    return MIXES[1] if any(urban) else MIXES[2]


def structure_table(inventory: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """One row per structure with its age, whether it ended, its member mix and composition.

    ``composition`` lists the member kinds present (e.g. ``metropole+rural``); ``funded`` is
    True when the structure received any state funding.
    """
    life = structure_lifetimes(inventory, end_year)
    kinds = inventory["member_kinds"]
    return life.assign(
        year_formed=inventory["year_formed"].to_numpy(),
        members=[len(m) for m in inventory["members"]],
        mix=[member_mix(list(k)) for k in kinds],
        composition=["+".join(sorted(set(k))) for k in kinds],
        funded=inventory["funding_received"].to_numpy() > 0,
        funding_received=inventory["funding_received"].to_numpy(),
    )


def inventory_counts(runs: RunInventories, by: str = "kind") -> pd.DataFrame:
    """Structures per run by ``kind``, ``mix`` or ``composition``, averaged over each label's runs.

    Returns one row per label and group: ``formed``, ``active_at_end``, ``dissolved`` (means per
    run), ``mean_life`` (years, censored at the end for active ones), ``funding_per_run`` (€).
    """
    rows = []
    for label, pairs in runs.items():
        tables = [structure_table(inv, end) for inv, end in pairs]
        n = max(len(pairs), 1)
        allrows = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
        if allrows.empty:
            continue
        for group, part in allrows.groupby(by, observed=True, sort=True):
            rows.append(
                {
                    "label": label,
                    by: group,
                    "formed": len(part) / n,
                    "active_at_end": float((~part["ended"]).sum()) / n,
                    "dissolved": float(part["ended"].sum()) / n,
                    "mean_life": float(part["duration"].mean()),
                    "funding_per_run": float(part["funding_received"].sum()) / n,
                }
            )
    columns = ["label", by, "formed", "active_at_end", "dissolved", "mean_life", "funding_per_run"]
    return pd.DataFrame(rows, columns=columns)


def survival_curves(
    runs: RunInventories, by: str | None = None, formed_from: int | None = 0
) -> pd.DataFrame:
    """Kaplan–Meier survival of structures, pooled over each label's runs.

    Parameters
    ----------
    runs
        ``{label: [(inventory, end_year), ...]}``.
    by
        Also split by this column of :func:`structure_table` (``kind``, ``mix``...).
    formed_from
        Keep only structures formed in this year or later (default 0: formed under the policy,
        not during the burn-in); None keeps all.

    Returns
    -------
    DataFrame
        The :func:`~cohesim.analysis.survival.kaplan_meier` table with a ``label`` column (and
        ``by``), plus a first row per curve at time 0 with survival 1.
    """
    curves = []
    for label, pairs in runs.items():
        table = _pooled(pairs, formed_from)
        groups = [(None, table)] if by is None else table.groupby(by, observed=True, sort=True)
        for group, part in groups:
            curves.append(_curve(part, label, by, group))
    return _concat_curves(curves, by)


def survival_after_grants(
    runs: RunInventories, grant_years: Mapping[str, int], formed_from: int | None = 0
) -> pd.DataFrame:
    """Kaplan–Meier survival of funded structures after their grants end.

    A funded structure receives grants for its first ``grant_years`` years (the scenario's
    ``funding.grant_years``). Structures funded and still alive at that age are followed from
    there: time 0 is the year their grants end, and S(t) is the share still alive t years later.
    Labels whose structures received no funding are left out.
    """
    curves = []
    for label, pairs in runs.items():
        table = _pooled(pairs, formed_from)
        years = grant_years.get(label)
        if years is None or table.empty:
            continue
        after = table[table["funded"] & (table["duration"] >= years)]
        if after.empty:
            continue
        after = after.assign(duration=after["duration"] - years)
        curves.append(_curve(after, label, None, None))
    return _concat_curves(curves, None)


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table as ``NAME.csv`` and ``NAME.parquet`` into ``folder``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False)
        table.to_parquet(folder / f"{name}.parquet", index=False)
        paths += [folder / f"{name}.csv", folder / f"{name}.parquet"]
    return paths


def _pooled(pairs: Sequence[tuple[pd.DataFrame, int]], formed_from: int | None) -> pd.DataFrame:
    tables = [structure_table(inv, end) for inv, end in pairs if len(inv)]
    if not tables:  # no structure ever formed: an empty table with every column
        columns = ["kind", "mix", "composition", "duration", "ended", "funded", "year_formed"]
        return pd.DataFrame(columns=columns)
    table = pd.concat(tables, ignore_index=True)
    if formed_from is not None:
        table = table[table["year_formed"] >= formed_from]
    return table


def _curve(part: pd.DataFrame, label: str, by: str | None, group: object) -> pd.DataFrame:
    curve = kaplan_meier(part["duration"].to_numpy(float), part["ended"].to_numpy(bool))
    if curve.empty or curve["time"].iloc[0] > 0:  # start every curve at S(0) = 1
        start = {"time": 0.0, "at_risk": len(part), "ended": 0, "censored": 0, "survival": 1.0}
        curve = pd.concat([pd.DataFrame([start]), curve], ignore_index=True)
    curve.insert(0, "label", label)
    if by is not None:
        curve.insert(1, by, group)
    curve["structures"] = len(part)
    return curve


def _concat_curves(curves: list[pd.DataFrame], by: str | None) -> pd.DataFrame:
    columns = ["label", *([by] if by else []), "time", "at_risk", "ended", "censored"]
    columns += ["survival", "structures"]
    if not curves:
        return pd.DataFrame(columns=columns)
    return pd.concat(curves, ignore_index=True)[columns]


def end_year(timeseries: pd.DataFrame) -> int:
    """The last year of a run's timeseries (structures active then are censored)."""
    return int(np.asarray(timeseries["year"])[-1])

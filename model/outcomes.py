"""The outcomes: every metric a model records, declared once, and a run's final values.

Each :class:`Outcome` names a column of a model's metrics frame with its unit, which direction is
better, how a run is summed up into one number (:data:`REPORTED`) and its English and French
labels. Model records, sweep tables, comparisons, the CLI summary, reports, the dashboard and the
outcome table of ``docs/model.md`` all read these declarations; no other module spells an
outcome's name or label.

Welfare per inhabitant is w_i = Σ_m v_m d_m min(1, a_i^m) + (Y_i + π_i − Σ_m u_m E_i^m) / P_i,
the services reached plus the operating balance. Inequality indices need
positive values, so they are computed on max(w_i, WELFARE_FLOOR); how many territories were
floored is reported as ``welfare_floored`` (zero at default parameters). The policy model
computes a year's outcomes in one compiled pass (:mod:`cohesim.model.metrics_kernels`).

>>> OUTCOMES["gini"].better, OUTCOMES["gini"].reported
('lower', 'window')
>>> policy_columns(("health",), ("entente",))[-2:]
('access_health', 'urban_rural_access_divergence')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from .kinds import STRUCTURE_KINDS
from .labels import label

if TYPE_CHECKING:
    from .parameters import Parameters

REPORTED = ("window", "final", "cumulative")
"""How a run's series becomes one number, its *final value* (:func:`final_values`): its mean over
the final window of years, its value in the final year, or its sum over the run."""

Better = Literal["higher", "lower"] | None
Reported = Literal["window", "final", "cumulative"]


@dataclass(frozen=True)
class Outcome:
    """One outcome: a column of the metrics frame, or one derived from columns (``derived``).

    ``name`` may hold ``{domain}`` or ``{kind}``: the outcome then stands for one column per
    service domain or structure kind (:func:`expand`).
    """

    name: str
    unit: str
    better: Better
    reported: Reported
    en: str
    fr: str
    group: str
    compared: bool = False  # among the outcomes a scenario comparison reports
    derived: bool = False  # computed from other columns after a run, not recorded each step
    count: bool = False  # a whole number: its column holds integers
    meaning: str = ""  # one line for the outcome table of docs/model.md

    def label(self, lang: str) -> str:
        """The outcome's name for readers, in ``lang`` ("en" or "fr")."""
        if lang not in ("en", "fr"):
            raise ValueError(f"language {lang!r} is not one of en, fr")
        return self.en if lang == "en" else self.fr


def _o(name, unit, better, reported, en, fr, group, **flags) -> Outcome:
    return Outcome(name, unit, better, reported, en, fr, group, **flags)


# Per outcome: name, unit, better, reported; English, French; group, flags, meaning.
# fmt: off
_DECLARED = (
    _o("cooperation_rate", "share", "higher", "window",
       "cooperators (share of territories)",
       "coopérateurs (part des territoires)", "cooperation", compared=True,
       meaning="share of territories cooperating"),
    _o("cooperation_rate_pop", "share", "higher", "window",
       "cooperators (share of population)",
       "coopérateurs (part de la population)", "cooperation", compared=True,
       meaning="share of the population living in cooperating territories"),
    _o("mutual_cooperation", "share", "higher", "window",
       "network links where both cooperate (share)",
       "liens où les deux coopèrent (part)", "cooperation",
       meaning="share of network edges where both ends cooperate"),
    _o("gini", "index", "lower", "window",
       "Gini of welfare",
       "Gini du bien-être", "cohesion", compared=True,
       meaning="population-weighted Gini of welfare"),
    _o("theil", "index", "lower", "window",
       "Theil of welfare",
       "Theil du bien-être", "cohesion",
       meaning="population-weighted Theil T of welfare"),
    _o("theil_between", "index", "lower", "window",
       "Theil between kinds of territory",
       "Theil entre types de territoires", "cohesion", compared=True,
       meaning="the part of Theil T between kinds of territory (exact split, Shorrocks 1980)"),
    _o("theil_within", "index", "lower", "window",
       "Theil within kinds of territory",
       "Theil au sein des types de territoires", "cohesion", compared=True,
       meaning="the part of Theil T within kinds of territory"),
    _o("cv", "index", "lower", "window",
       "coefficient of variation of welfare",
       "coefficient de variation du bien-être", "cohesion",
       meaning="population-weighted coefficient of variation of welfare"),
    # Neither direction of the ratio is better: below 1 rural territories are ahead (docs/model.md)
    _o("urban_rural_gap", "ratio", None, "window",
       "urban / rural welfare ratio",
       "rapport de bien-être urbain / rural", "cohesion",
       meaning="mean welfare of métropoles and urban territories / that of periurban "
               "and rural ones (1 = parity)"),
    _o("urban_rural_divergence", "|ln ratio|", "lower", "window",
       "urban–rural welfare divergence |ln ratio|",
       "écart de bien-être urbain–rural |ln rapport|", "cohesion", compared=True,
       meaning="|ln `urban_rural_gap`|: 0 at parity, the same for a gap either way"),
    _o("sigma_convergence", "SD of ln €", "lower", "window",
       "σ-convergence (SD of log welfare)",
       "σ-convergence (écart type du log du bien-être)", "cohesion",
       meaning="standard deviation of ln w across territories"),
    _o("welfare_floored", "territories", None, "window",
       "territories with welfare at the floor",
       "territoires au plancher de bien-être", "cohesion",
       count=True,
       meaning="territories whose welfare was below 1 €/inh. (indices use max(w, 1))"),
    _o("beta_convergence", "1/yr", "lower", "final",
       "β-convergence slope",
       "pente de β-convergence", "cohesion",
       meaning="slope of annual growth of w on initial ln w over the last "
               "`convergence_window` years (fewer at the start; NaN at step 0)"),
    _o("welfare_mean", "€/inh./yr", "higher", "window",
       "mean welfare (€/inhabitant/yr)",
       "bien-être moyen (€/habitant/an)", "efficiency", compared=True,
       meaning="population-weighted mean welfare"),
    _o("welfare_total", "€/yr", "higher", "window",
       "total welfare (€/yr)",
       "bien-être total (€/an)", "efficiency",
       meaning="total welfare"),
    _o("welfare_services", "€/inh./yr", "higher", "window",
       "value of services reached (€/inhabitant/yr)",
       "valeur des services atteints (€/habitant/an)", "efficiency",
       meaning="population-weighted mean of the service part of welfare, Σ_m v_m d_m a_i^m"),
    _o("welfare_money", "€/inh./yr", None, "window",
       "operating balance (€/inhabitant/yr)",
       "solde de fonctionnement (€/habitant/an)", "efficiency",
       meaning="population-weighted mean of the money part of welfare: revenue + payoff − "
               "service spending, per inhabitant (0 under balanced budgets)"),
    _o("public_spending", "€/yr", "lower", "window",
       "public spending per year, engineering included (€)",
       "dépense publique par an, ingénierie comprise (€)", "money",
       meaning="`public_money` + `public_engineering` this year"),
    _o("public_spending_cumulative", "€", "lower", "final",
       "public spending, whole run, engineering included (€)",
       "dépense publique, toute la durée, ingénierie comprise (€)", "money", compared=True,
       meaning="`public_spending` summed so far"),
    _o("public_money", "€/yr", "lower", "window",
       "grants and matching paid per year (€)",
       "subventions et cofinancements versés par an (€)", "money",
       meaning="state matching and grants paid this year, after the annual cap"),
    _o("public_engineering", "€/yr", "lower", "window",
       "state engineering per year, at its cost (€)",
       "ingénierie d'État par an, à son coût (€)", "money",
       meaning="state engineering support (FTE) × ω_H, the cost of an FTE-year"),
    _o("engineering_used", "FTE", None, "window",
       "engineering devoted to structures (FTE)",
       "ingénierie consacrée aux structures (ETP)", "money",
       meaning="FTE devoted to structures this year"),
    _o("structures_active", "structures", "higher", "window",
       "cooperation structures active",
       "structures de coopération actives", "structures", compared=True,
       count=True,
       meaning="structures alive at the end of the year"),
    _o("structures_active_{kind}", "structures", "higher", "window",
       "cooperation structures active: {kind}",
       "structures de coopération actives : {kind}", "structures",
       count=True,
       meaning="structures of one kind alive at the end of the year"),
    _o("structures_formed", "structures/yr", None, "window",
       "structures formed per year",
       "structures créées par an", "structures",
       count=True,
       meaning="structures formed this year"),
    _o("structures_dissolved", "structures/yr", None, "window",
       "structures dissolved per year",
       "structures dissoutes par an", "structures",
       count=True,
       meaning="structures dissolved this year"),
    _o("structures_mean_age", "years", "higher", "window",
       "mean age of active structures",
       "âge moyen des structures actives", "structures",
       meaning="mean age of active structures"),
    _o("metropole_cooperations", "structures", None, "window",
       "structures with a métropole member, per métropole",
       "structures comptant une métropole, par métropole", "structures",
       meaning="active structures with a métropole among their current members, per "
               "métropole (NaN without métropole); the 2018 census counted 7.9"),
    _o("edge_coverage", "share", "higher", "window",
       "network links inside a structure (share)",
       "liens couverts par une structure (part)", "cooperation",
       meaning="share of partnerships whose ends share a structure"),
    _o("urban_rural_coverage", "share", "higher", "window",
       "urban–rural links inside a structure (share)",
       "liens urbain–rural couverts par une structure (part)", "cooperation",
       meaning="share of urban–non-urban partnerships whose ends share a structure"),
    _o("territories_in_structures", "share", "higher", "window",
       "territories in at least one structure (share)",
       "territoires membres d'au moins une structure (part)", "cooperation",
       meaning="share of territories member of at least one structure"),
    _o("access_{domain}", "share", "higher", "window",
       "access: {domain}",
       "accès : {domain}", "access",
       meaning="population-weighted mean access to one service domain"),
    _o("urban_rural_access_divergence", "|ln ratio|", "lower", "window",
       "urban–rural access divergence |ln ratio|",
       "écart d'accès urbain–rural |ln rapport|", "access", compared=True,
       meaning="|ln| of the mean access (over domains) of métropoles and urban territories "
               "over that of periurban and rural ones"),
    _o("payoff_mean", "payoff", "higher", "window",
       "mean payoff",
       "gain moyen", "efficiency",
       meaning="mean payoff per individual (validation reductions only)"),
    # derived from recorded columns after a run
    _o("access", "share", "higher", "window",
       "access to services (mean of domains)",
       "accès aux services (moyenne des domaines)", "access", compared=True, derived=True,
       meaning="mean of the `access_<domain>` outcomes (comparisons)"),
    _o("cost_per_gini_point", "€/point", "lower", "final",
       "extra public money per Gini point removed (€)",
       "surcoût public par point de Gini en moins (€)", "money", compared=True, derived=True,
       meaning="extra public money per point of Gini removed against the reference "
               "scenario (comparisons)"),
)
# fmt: on

OUTCOMES: MappingProxyType[str, Outcome] = MappingProxyType({o.name: o for o in _DECLARED})
"""Every outcome by name (patterns such as ``access_{domain}`` under their pattern)."""

INDEX_COLUMNS = ("step", "year")
"""Columns of every metrics frame that index the rows rather than measure an outcome."""

POLICY_RECORDED = tuple(
    o.name for o in _DECLARED if not o.derived and o.name not in ("payoff_mean",)
)
"""What the policy model records each step, in column order (patterns expanded by
:func:`policy_columns`)."""

REDUCTION_RECORDED = (
    "cooperation_rate",
    "cooperation_rate_pop",
    "mutual_cooperation",
    "payoff_mean",
)
"""What a graph reduction records each step."""
WELL_MIXED_RECORDED = ("cooperation_rate", "cooperation_rate_pop", "payoff_mean")
"""What a well-mixed game records each step (it has no network links)."""


def expand(name: str, domains: Sequence[str] = (), kinds: Sequence[str] = ()) -> list[str]:
    """The columns an outcome name stands for: one per domain or kind for a pattern."""
    if "{domain}" in name:
        return [name.format(domain=d) for d in domains]
    if "{kind}" in name:
        return [name.format(kind=k) for k in kinds]
    return [name]


def policy_columns(domains: Sequence[str], kinds: Sequence[str]) -> tuple[str, ...]:
    """The outcome columns the policy model records, in order, with patterns expanded."""
    return tuple(c for name in POLICY_RECORDED for c in expand(name, domains, kinds))


def recorded(parameters: Parameters) -> tuple[str, ...]:
    """The outcome columns the model ``parameters`` describe records each step, in order."""
    source = parameters.geometry.source
    if source == "well_mixed":
        return WELL_MIXED_RECORDED
    if parameters.reduced:
        return REDUCTION_RECORDED
    return policy_columns(parameters.domain_names, STRUCTURE_KINDS)


def records_frame(rows: list[dict[str, float]], parameters: Parameters) -> pd.DataFrame:
    """A model's metrics frame: one row per recorded step, the declared columns in their order.

    A model that records an outcome these declarations do not name is a programming error, and
    raises rather than slipping an undocumented column into results.
    """
    columns = [*INDEX_COLUMNS, *recorded(parameters)]
    if rows and (undeclared := set(rows[0]) - set(columns)):
        raise RuntimeError(
            f"outcomes recorded but not declared in cohesim.model.outcomes: {sorted(undeclared)}"
        )
    return pd.DataFrame(rows, columns=columns)


def table_frame(values: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    """A metrics frame from a table of recorded rows: counts and the index as integers."""
    return pd.DataFrame(
        {
            c: values[:, j].astype(np.int64 if c in INDEX_COLUMNS or outcome(c).count else float)
            for j, c in enumerate(columns)
        },
        copy=False,
    )


def final_window_rows(timeseries: pd.DataFrame, window: int) -> pd.DataFrame:
    """The rows a run's final value averages: its last ``window`` simulated policy years.

    Policy years are those recorded after a step (``step`` ≥ 1) from year 0 on, so neither the
    burn-in nor the initial state counts; a shorter run averages the policy years it has, and a
    run without any (``run.steps`` ≤ ``run.burn_in``) is read at its last recorded year.
    """
    ts = timeseries
    policy = ts[(ts["step"] >= 1) & (ts["year"] >= 0)]
    return policy.tail(window) if len(policy) else ts.tail(1)


def final_values(timeseries: pd.DataFrame, window: int) -> dict[str, float]:
    """A run's final value of every outcome column (docs/analysis.md, "Final values").

    Run summaries, sweep tables and comparisons all report these.

    A ``window`` outcome is averaged over :func:`final_window_rows`; a ``final`` one is read in
    the last recorded year; a ``cumulative`` one is summed over every simulated year.
    """
    kept = [j for j, c in enumerate(timeseries.columns) if c not in INDEX_COLUMNS]
    names = [timeseries.columns[j] for j in kept]
    # on the arrays: pandas' selections cost more than the sums at a sweep's run lengths
    values = timeseries.to_numpy(float)[:, kept]
    step, year = timeseries["step"].to_numpy(), timeseries["year"].to_numpy()
    policy = np.flatnonzero((step >= 1) & (year >= 0))  # final_window_rows, on positions
    window_rows = policy[max(len(policy) - window, 0) :] if len(policy) else [len(step) - 1]
    means = _sums(values[window_rows], mean=True)
    totals = _sums(values[step >= 1], mean=False)
    value = {"window": means, "final": values[-1], "cumulative": totals}
    return {c: float(value[outcome(c).reported][k]) for k, c in enumerate(names)}


def _sums(rows: np.ndarray, mean: bool) -> np.ndarray:
    """Each column's sum (or mean) skipping NaN, to the bit as pandas' ``sum`` (``mean``).

    pandas sums a column's values, NaN as 0, in numpy's pairwise order, which numpy also
    follows along the contiguous rows of the transpose.
    """
    values = np.ascontiguousarray(rows.T)
    missing = np.isnan(values)
    sums = np.where(missing, 0.0, values).sum(axis=1)
    if not mean:
        return sums
    count = values.shape[1] - missing.sum(axis=1)
    return np.divide(sums, count, out=np.full(len(sums), np.nan), where=count > 0)


def outcome(column: str) -> Outcome:
    """The declaration a column belongs to (``access_health`` → ``access_{domain}``)."""
    if column in OUTCOMES:
        return OUTCOMES[column]
    for prefix, pattern in (
        ("access_", "access_{domain}"),
        ("structures_active_", "structures_active_{kind}"),
    ):
        if column.startswith(prefix):
            return OUTCOMES[pattern]
    raise KeyError(f"{column!r} is not a declared outcome (cohesim.model.outcomes)")


def outcome_label(column: str, lang: str) -> str:
    """A column's name for readers (``access_health`` → "access: health" / "accès : santé")."""
    declared = outcome(column)
    text = declared.label(lang)
    for prefix, field in (("access_", "domain"), ("structures_active_", "kind")):
        if "{" + field + "}" in declared.name:
            return text.format(**{field: label(column.removeprefix(prefix), lang)})
    return text


WELFARE_FLOOR = 1.0
"""€ per inhabitant: the smallest welfare the inequality indices see."""


def welfare(service_value: np.ndarray, balance: np.ndarray, population: np.ndarray) -> np.ndarray:
    """w_i: value of services reached plus the operating balance, per inhabitant (€/inh./yr).

    The balance (revenue + payoff − service spending) is the money not turned into services
    this year; under balanced budgets it tends to zero, and payoffs reach residents as the
    services they fund (docs/model.md).
    """
    return service_value + balance / population


ACCESS_FLOOR = 1e-6
"""Mean access counted when a kind has none (``urban_rural_access_divergence``): a kind whose
budgets closed every service gives a large, finite divergence (ln 10⁶ ≈ 14 against access 1),
not an infinite one."""

"""Calibration against published French aggregates: target statistics, screening, rejection ABC.

The targets and their sources are in ``docs/calibration.md`` and :mod:`.calibration_targets`.
The flow is one way: an experiment file (``scenarios/experiments/calibration.toml``) → a sweep
folder → the statistics of each run, from its runs table → acceptance → the fit, the posterior
and the accepted defaults.

- **Statistics** (:mod:`.calibration_targets`): the targets, and each run's statistics from the
  runs table, at their final values (docs/analysis.md). Replicates of a point are averaged
  before the distance.
- **Distance** (:func:`distances`): per fitted target, ``|ln(s / c)| / h``, with ``c`` the
  geometric middle of the target's interval and ``h`` its half-width in logs, so that 1 is the
  edge of the interval; the distance of a point is the root mean square over fitted targets.
  A point that breaks a constraint (cooperation a majority) is never accepted.
- **Rejection ABC** (:func:`abc_reject`; Pritchard et al. 1999,
  doi:10.1093/oxfordjournals.molbev.a026091; Beaumont, Zhang & Balding 2002,
  doi:10.1093/genetics/162.4.2025): the points whose distance is
  within the best ``quantile`` of the design are accepted; with a uniform (LHS) design over the
  declared ranges, their parameter values sample the approximate posterior.
- **Pattern-oriented** (Grimm et al. 2005, doi:10.1126/science.1116681): several patterns at
  once, each with its own interval; a check (syndicats mixtes, whose published count includes
  water, waste and energy syndicats the model's domains lack) is reported, not fitted. The
  closest accepted runs are run again (:mod:`cohesim.experiments.reruns`): each must reproduce
  its row of the sweep, and its inventory gives the métropole cooperations of its last year
  (``metropole_cooperations_end``) beside the fitted final value.
- **Hold-out**: accept on one half of France (a scenario of the same sweep), report the targets
  on the other half at the accepted points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cohesim.experiments.experiment_file import Experiment
from cohesim.experiments.reruns import rerun, scenario_sizes
from cohesim.experiments.results import ResultsError
from cohesim.experiments.runs import RunResult
from cohesim.model.kinds import KINDS, METROPOLE

from .calibration_targets import (
    STATISTICS,
    TARGETS,
    CalibrationTarget,
    point_statistics,
    run_statistics,
    targets,
)
from .sensitivity import morris_indices, point_means, read_sweep

LOG_FLOOR = 1e-3  # a statistic at 0 counts as this share of the interval's middle: finite distance


def distances(points: pd.DataFrame, fitted: Sequence[CalibrationTarget] | None = None) -> pd.Series:
    """Each point's distance to the targets: 1 at the edge of every interval.

    Infinite where a constraint is broken or a statistic is missing.
    """
    fitted = targets("fitted") if fitted is None else fitted
    squares = []
    for t in fitted:
        middle = math.sqrt(t.low * t.high)
        half_width = math.log(t.high / t.low) / 2
        s = np.maximum(points[t.statistic].to_numpy(dtype=float), LOG_FLOOR * middle)
        squares.append((np.log(s / middle) / half_width) ** 2)
    d = np.sqrt(np.mean(squares, axis=0)) if squares else np.zeros(len(points))
    for t in targets("constraint"):
        if t.statistic in points:
            d = np.where(t.inside(points[t.statistic]), d, np.inf)
    return pd.Series(np.where(np.isnan(d), np.inf, d), index=points.index, name="distance")


@dataclass(frozen=True)
class Acceptance:
    """Points accepted by rejection ABC: their ids, every point's distance, the threshold."""

    distance: pd.Series
    accepted: pd.Index
    threshold: float
    quantile: float


def abc_reject(
    points: pd.DataFrame,
    quantile: float,
    fitted: Sequence[CalibrationTarget] | None = None,
) -> Acceptance:
    """Accept the ``quantile`` share of the design's points closest to the targets (at least one).

    Exactly ``floor(quantile × points)`` points are accepted (fewer if fewer satisfy the
    constraints); at equal distances the lower point id goes first.

    Raises
    ------
    ValueError
        If ``quantile`` is not in (0, 1], or no point satisfies the constraints.
    """
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile = {quantile!r}: expected a share in (0, 1], e.g. 0.05")
    d = distances(points, fitted)
    finite = d[np.isfinite(d)]
    if finite.empty:
        raise ValueError(
            f"no point of {len(d)} satisfies the constraints "
            f"({'; '.join(f'{t.statistic} < {t.high:g}' for t in targets('constraint'))})"
        )
    keep = min(max(1, math.floor(quantile * len(d))), len(finite))
    best = finite.sort_values(kind="stable").iloc[:keep]  # ties broken by point id
    return Acceptance(d, best.index.sort_values(), float(best.iloc[-1]), quantile)


def posterior_table(
    design: pd.DataFrame, experiment: Experiment, accepted: pd.Index
) -> pd.DataFrame:
    """Per parameter: its prior range and the accepted values' range, 5 %, median and 95 %."""
    rows = []
    for factor in experiment.factors:
        values = design.loc[accepted, factor.path].astype(float)
        lo, hi = factor.bounds()  # calibration factors are ranges: calibrate() checks
        rows.append(
            {
                "parameter": factor.path,
                "prior_min": float(lo),
                "prior_max": float(hi),
                "accepted_min": values.min(),
                "q05": values.quantile(0.05),
                "median": values.median(),
                "q95": values.quantile(0.95),
                "accepted_max": values.max(),
            }
        )
    return pd.DataFrame(rows)


def fit_table(
    statistics: pd.DataFrame, chosen: Sequence[CalibrationTarget] | None = None
) -> pd.DataFrame:
    """Each target against the model on the given runs: median, 5–95 % interval, share inside.

    ``statistics`` holds one row per accepted run (all replicates), a column per statistic.
    """
    rows = []
    for t in TARGETS if chosen is None else chosen:
        if t.statistic not in statistics:
            continue
        values = statistics[t.statistic].dropna().astype(float)
        rows.append(
            {
                "target": t.statistic,
                "role": t.role,
                "low": t.low,
                "high": t.high,
                "runs": len(values),
                "median": values.median() if len(values) else np.nan,
                "q05": values.quantile(0.05) if len(values) else np.nan,
                "q95": values.quantile(0.95) if len(values) else np.nan,
                "share_inside": float(t.inside(values).mean()) if len(values) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def metropole_cooperations(result: RunResult) -> float:
    """Structures alive at the end with a métropole among their current members, per métropole.

    NaN for a scenario without métropole.
    """
    kinds = result.territories["kind"].astype(str).to_numpy()
    metropoles = np.flatnonzero(kinds == KINDS[METROPOLE])
    if not len(metropoles):
        return float("nan")
    inventory, memberships = result.inventory, result.memberships
    alive = set(inventory.loc[inventory["year_dissolved"].isna(), "structure_id"].tolist())
    current = memberships[
        memberships["year_left"].isna() & memberships["territory_id"].isin(metropoles)
    ]
    structures = {s for s in current["structure_id"].tolist() if s in alive}
    return len(structures) / len(metropoles)


def screening_table(folder: str | Path) -> pd.DataFrame:
    """Morris μ*, σ of each statistic for each parameter of a ``morris`` sweep.

    Raises
    ------
    ResultsError
        If the folder is not a usable sweep, its design is not Morris, or a point has no
        successful run.
    """
    experiment, points, runs = read_sweep(folder)
    if experiment.design != "morris":
        raise ResultsError(
            f"{folder}: a screening needs a morris design, not {experiment.design!r}"
        )
    statistics = run_statistics(runs, scenario_sizes(folder))
    tables = []
    for statistic in STATISTICS:
        outcome = point_means(statistics.assign(status="ok"), statistic, len(points))
        try:
            indices = morris_indices(experiment, outcome)
        except ValueError as error:
            raise ResultsError(f"{folder}: {error}") from None
        tables.append(indices.assign(statistic=statistic))
    return pd.concat(tables, ignore_index=True)[
        ["statistic", "parameter", "mu_star", "mu_star_conf", "sigma"]
    ]


@dataclass(frozen=True)
class Calibration:
    """Everything a calibration of one sweep found (see :func:`calibrate`)."""

    name: str
    experiment: Experiment
    fit_scenario: str
    acceptance: Acceptance
    posterior: pd.DataFrame
    fit: pd.DataFrame
    accepted_runs: pd.DataFrame  # statistics of the accepted runs of the fit scenario
    holdout: tuple[str, str] | None
    holdout_fit: pd.DataFrame | None
    holdout_accepted: int
    screening: pd.DataFrame | None
    runs_total: int
    runs_ok: int


def calibrate(
    folder: str | Path,
    *,
    quantile: float = 0.1,
    fit_scenario: str | None = None,
    holdout: tuple[str, str] | None = None,
    reruns: int = 20,
    screening: str | Path | None = None,
) -> Calibration:
    """Rejection ABC on a calibration sweep, with the hold-out check and optional screening.

    Parameters
    ----------
    folder
        The calibration sweep folder.
    quantile
        Share of the design's points accepted (the closest to the targets).
    fit_scenario
        Scenario fitted [default: the sweep's first].
    holdout
        ``(fitted half, tested half)``: two scenarios of the sweep [default: its second and third
        when it has three scenarios, none otherwise].
    reruns
        How many accepted runs to run again for the checks the runs table cannot give
        (métropole cooperations), closest first; 0 for none.
    screening
        A ``morris`` sweep folder over the same parameters, for the screening table.

    Raises
    ------
    ResultsError
        Unusable folder, unknown scenario, a re-run that does not reproduce.
    ValueError
        Bad ``quantile``, or no point satisfies the constraints.
    """
    experiment, design, runs = read_sweep(folder)
    if not experiment.factors or any(f.values is not None for f in experiment.factors):
        raise ResultsError(f"{folder}: a calibration sweep varies parameters over ranges")
    names = list(dict.fromkeys(runs["scenario"].dropna()))
    fit_scenario = fit_scenario or (names[0] if names else "")
    if holdout is None and len(names) == 3:
        holdout = (names[1], names[2])
    for name in (fit_scenario, *(holdout or ())):
        if name not in names:
            raise ResultsError(f"{folder}: no scenario {name!r} in the sweep (it has {names})")
    statistics = run_statistics(runs, scenario_sizes(folder))
    acceptance = abc_reject(point_statistics(statistics, fit_scenario), quantile)
    fitted_runs = statistics[statistics["scenario"] == fit_scenario]
    accepted_runs = fitted_runs[fitted_runs["point_id"].isin(acceptance.accepted)].copy()
    accepted_runs = _with_checks(folder, runs, accepted_runs, acceptance, reruns)
    holdout_fit, holdout_accepted = None, 0
    if holdout is not None:
        half = abc_reject(point_statistics(statistics, holdout[0]), quantile)
        tested = statistics[
            (statistics["scenario"] == holdout[1]) & statistics["point_id"].isin(half.accepted)
        ]
        holdout_fit = fit_table(tested, targets("fitted") + targets("constraint"))
        holdout_accepted = len(half.accepted)
    return Calibration(
        name=experiment.name,
        experiment=experiment,
        fit_scenario=fit_scenario,
        acceptance=acceptance,
        posterior=posterior_table(design, experiment, acceptance.accepted),
        fit=fit_table(accepted_runs),
        accepted_runs=accepted_runs,
        holdout=holdout,
        holdout_fit=holdout_fit,
        holdout_accepted=holdout_accepted,
        screening=screening_table(screening) if screening is not None else None,
        runs_total=len(runs),
        runs_ok=int((runs["status"] == "ok").sum()),
    )


def _with_checks(
    folder: str | Path,
    runs: pd.DataFrame,
    accepted_runs: pd.DataFrame,
    acceptance: Acceptance,
    reruns: int,
) -> pd.DataFrame:
    """The accepted runs, with the last year's métropole cooperations of the closest re-runs.

    The ``reruns`` closest are run again (each must reproduce its row); the others get NaN.
    """
    closest = acceptance.distance.loc[acceptance.accepted].sort_values(kind="stable").index
    order = accepted_runs.set_index("point_id").loc[closest, "run_id"].tolist()[:reruns]
    values = {
        run_id: metropole_cooperations(result)
        for run_id, result in zip(order, rerun(folder, order, runs), strict=True)
    }
    return accepted_runs.assign(metropole_cooperations_end=accepted_runs["run_id"].map(values))


# -- what the command writes ---------------------------------------------------------------------


def defaults_toml(calibration: Calibration) -> str:
    """The accepted medians as a TOML fragment, one table per declaration section."""
    a = calibration.acceptance
    lines = [
        f"# Accepted defaults of the calibration sweep {calibration.name!r}: medians of the "
        f"{len(a.accepted)} accepted points",
        f"# (best {a.quantile:.0%} of {len(a.distance)}, distance ≤ {a.threshold:.3g}); "
        "see docs/calibration.md before pasting into the declarations.",
    ]
    kinds = {f.path: f.kind for f in calibration.experiment.factors}
    by_table: dict[str, list[str]] = {}
    for row in calibration.posterior.itertuples():
        table, key = str(row.parameter).rsplit(".", 1)
        value = round(row.median) if kinds[row.parameter] == "int" else float(f"{row.median:.4g}")
        by_table.setdefault(table, []).append(f"{key} = {value!r}")
    for table, entries in sorted(by_table.items()):
        lines += ["", f"[{table}]", *entries]
    return "\n".join(lines) + "\n"


def calibration_markdown(calibration: Calibration) -> str:
    """The fit, posterior, hold-out and screening tables, in markdown for docs/calibration.md."""
    c, a = calibration, calibration.acceptance
    by_name = {t.statistic: t for t in TARGETS}
    lines = [
        f"### Fit of the sweep `{c.name}` on `{c.fit_scenario}`",
        "",
        f"{c.runs_ok} of {c.runs_total} runs ok; {len(a.accepted)} of {len(a.distance)} points "
        f"accepted (best {a.quantile:.0%}, distance ≤ {a.threshold:.3g}; 1 = every fitted "
        "target at the edge of its interval). Model values: median and 5–95 % over the accepted "
        "runs, final values.",
        "",
        "| target | role | published | interval | model median | model 5–95 % | runs inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in c.fit.itertuples():
        t = by_name[str(row.target)]
        lines.append(
            f"| {t.label} | {t.role} | {t.observed} | {_interval(t)} | {_num(row.median)} | "
            f"{_num(row.q05)} – {_num(row.q95)} | {_share(row.share_inside, row.runs)} |"
        )
    missed = unreached(c)
    if missed:
        lines += [
            "",
            "**Not reached**: no accepted run lies inside the interval of "
            + ", ".join(by_name[m].label for m in missed)
            + ". The accepted points are the closest the design has, not a fit: widen the "
            "ranges, or look for what in the model keeps the statistic away.",
        ]
    lines += [
        "",
        "| parameter | prior | accepted range | median | 5–95 % |",
        "|---|---|---|---|---|",
    ]
    for row in c.posterior.itertuples():
        lines.append(
            f"| `{row.parameter}` | {_num(row.prior_min)} – {_num(row.prior_max)} | "
            f"{_num(row.accepted_min)} – {_num(row.accepted_max)} | {_num(row.median)} | "
            f"{_num(row.q05)} – {_num(row.q95)} |"
        )
    if c.holdout is not None and c.holdout_fit is not None:
        lines += [
            "",
            f"**Hold-out**: {c.holdout_accepted} points accepted on `{c.holdout[0]}`; the targets "
            f"on `{c.holdout[1]}` at those points:",
            "",
            "| target | interval | model median | model 5–95 % | runs inside |",
            "|---|---|---|---|---|",
        ]
        for row in c.holdout_fit.itertuples():
            t = by_name[str(row.target)]
            lines.append(
                f"| {t.label} | {_interval(t)} | {_num(row.median)} | "
                f"{_num(row.q05)} – {_num(row.q95)} | {_share(row.share_inside, row.runs)} |"
            )
    if c.screening is not None:
        lines += [
            "",
            "**Morris screening** (μ*, σ of each statistic; parameters scaled to [0, 1]):",
            "",
            "| parameter | " + " | ".join(f"{s} μ* (σ)" for s in STATISTICS) + " |",
            "|---|" + "---|" * len(STATISTICS),
        ]
        for parameter, part in c.screening.groupby("parameter", sort=False):
            cells = [
                f"{_num(r.mu_star)} ({_num(r.sigma)})"
                for r in part.set_index("statistic").loc[list(STATISTICS)].itertuples()
            ]
            lines.append(f"| `{parameter}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def unreached(calibration: Calibration) -> list[str]:
    """The targets that no accepted run meets (those measured on at least one run)."""
    fit = calibration.fit
    return fit.loc[(fit["runs"] > 0) & (fit["share_inside"] == 0), "target"].tolist()


def _interval(t: CalibrationTarget) -> str:
    if t.role == "constraint":
        return f"< {_num(t.high)}"
    return f"{_num(t.low)} – {_num(t.high)}"


def _num(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.3g}"


def _share(share: float, runs: int) -> str:
    return "–" if not runs else f"{share:.0%} of {runs}"

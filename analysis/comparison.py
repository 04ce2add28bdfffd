"""Paired comparisons of scenarios: the same seeds for every scenario, differences to the first.

Replicate r of every scenario runs from the same seed (common random numbers), derived from one
root seed with ``numpy.random.SeedSequence(root, spawn_key=(r,))``. Because scenarios share
the burn-in of a seed, each difference is measured between two runs that agree until the levers
act, which removes most run-to-run noise from the comparison.

What is measured is each run's *final value* of every metric, as run summaries and sweeps
measure it (:func:`cohesim.model.outcomes.final_values`, docs/analysis.md "Final values"): each
state metric (cooperation, inequality, access, structures active, mean welfare) is averaged over
the last ``window`` policy years of each run (the scenarios' ``metrics.final_window``, fewer if
the run has fewer policy years); public money is the total spent over the whole run
(``public_spending_cumulative`` in its final year).

Cost per point of cohesion: the extra public money a scenario spends compared with the first
scenario, per point (0.01) of Gini it removes compared with the first scenario,

    cost = mean_r(S_s,r − S_0,r) / (100 · mean_r(G_0,r − G_s,r))   in € per Gini point,

with S the total public money and G the windowed Gini of replicate r. It is NaN (undefined, and
the report says so) for the first scenario and for any scenario whose mean Gini is not lower
than the first's: money that buys no cohesion has no price per point. Its interval is Fieller's
for a ratio of paired means (:func:`~cohesim.analysis.statistics.fieller_ratio_ci`); it is
(−inf, inf) when the Gini reduction itself is not distinguishable from zero.

Pairing holds only for scenarios of the reference's region (:mod:`.pairing`). A scenario of
another region is compared with the reference as an independent sample instead (it is listed
in ``Comparison.unpaired``): Welch intervals, Cohen's d, and Fieller's interval for the ratio of
two independent differences.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cohesim.experiments.results import ResultsError, read_run
from cohesim.experiments.runs import RunResult, run_scenario
from cohesim.experiments.scenario import Scenario, load_scenario
from cohesim.model.outcomes import OUTCOMES, final_values

from .pairing import unpaired
from .statistics import (
    fieller_difference_ratio_ci,
    fieller_ratio_ci,
    mean_ci,
    paired_difference,
    welch_difference,
)

COLUMNS = (
    "scenario",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "effect_size",
)
WINDOWED = tuple(o.name for o in OUTCOMES.values() if o.compared and o.reported == "window")
"""The state metrics compared, averaged over the final window (cohesim.model.outcomes)."""
SPENDING = OUTCOMES["public_spending_cumulative"].name
COST = OUTCOMES["cost_per_gini_point"].name


@dataclass(frozen=True)
class RunTables:
    """The tables of one run that the analysis reads."""

    seed: int
    timeseries: pd.DataFrame
    inventory: pd.DataFrame
    grant_years: int


@dataclass(frozen=True)
class Comparison:
    """Runs of several scenarios on the same seeds; the first scenario is the reference."""

    scenarios: tuple[str, ...]
    descriptions: tuple[str, ...]
    root_seed: int
    seeds: tuple[int, ...]
    steps: tuple[int, ...]
    runs: dict[str, list[RunTables]]
    window: int  # policy years each final value averages (metrics.final_window)
    unpaired: frozenset[str] = frozenset()  # other regions than the reference's: see above
    titles: tuple[Mapping[str, str], ...] = ()  # display name per language, per scenario
    summaries: tuple[Mapping[str, str], ...] = ()  # description per language, per scenario

    def paired(self, name: str) -> bool:
        """Whether scenario ``name`` is compared with the reference seed by seed."""
        return name not in self.unpaired

    @property
    def replicates(self) -> int:
        """Runs per scenario."""
        return len(self.seeds)

    def inventories(self) -> dict[str, list[tuple[pd.DataFrame, int]]]:
        """``{scenario: [(inventory, end_year), ...]}`` for :mod:`cohesim.analysis.inventory`."""
        return {
            name: [(run.inventory, int(run.timeseries["year"].iloc[-1])) for run in runs]
            for name, runs in self.runs.items()
        }

    def grant_years(self) -> dict[str, int]:
        """Years of grants a funded structure gets, per scenario."""
        return {name: runs[0].grant_years for name, runs in self.runs.items() if runs}


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """The seed of each replicate, shared by every scenario (common random numbers).

    Examples
    --------
    >>> replicate_seeds(1, 3) == replicate_seeds(1, 3)
    True
    >>> len(set(replicate_seeds(1, 3)))
    3
    """
    seeds = []
    for r in range(replicates):
        state = np.random.SeedSequence(root, spawn_key=(r,)).generate_state(1, np.uint64)[0]
        seeds.append(int(state >> np.uint64(1)))  # run.seed < 2**63
    return seeds


def unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with ``#2``, ``#3``... added when a name repeats (a scenario vs itself)."""
    names: list[str] = []
    for scenario in scenarios:
        name, k = scenario.name, 1
        while name in names:
            k += 1
            name = f"{scenario.name}#{k}"
        names.append(name)
    return names


def run_comparison(
    scenarios: Sequence[Scenario | str | Path],
    *,
    replicates: int = 10,
    steps: int | None = None,
    seed: int = 20260101,
    window: int | None = None,
    on_run: Callable[[str, int], None] | None = None,
    keep: Callable[[str, int, RunResult], None] | None = None,
) -> Comparison:
    """Run every scenario ``replicates`` times on the same seeds.

    Parameters
    ----------
    scenarios
        Scenarios or scenario files; the first is the reference.
    replicates
        Runs per scenario.
    steps
        Years per run [default: each scenario's ``run.steps``].
    seed
        Root seed the replicate seeds derive from.
    window
        Policy years each final value averages [default: the scenarios' own
        ``metrics.final_window``, which must then agree].
    on_run
        Called with ``(scenario name, replicate)`` after each run (progress).
    keep
        Called with ``(scenario name, replicate, RunResult)`` after each run, e.g. to write it.

    Examples
    --------
    >>> c = run_comparison(["scenarios/classroom.toml"] * 2, replicates=2, steps=12, seed=1)
    >>> c.scenarios, c.replicates
    (('classroom', 'classroom#2'), 2)
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if not loaded:
        raise ValueError("nothing to compare: give at least one scenario")
    names = unique_names(loaded)
    if window is None:
        window = common_window(loaded)
    elif window < 1:
        raise ValueError(f"window must be at least 1 year, got {window}")
    seeds = replicate_seeds(seed, replicates)
    runs: dict[str, list[RunTables]] = {}
    lengths = []
    for name, scenario in zip(names, loaded, strict=True):
        runs[name] = []
        for r, s in enumerate(seeds):
            result = run_scenario(scenario, steps=steps, seed=s)
            runs[name].append(
                RunTables(
                    s,
                    result.timeseries,
                    result.inventory,
                    result.scenario.parameters.funding.grant_years,
                )
            )
            if keep is not None:
                keep(name, r, result)
            if on_run is not None:
                on_run(name, r)
        lengths.append(steps if steps is not None else scenario.parameters.run.steps)
    return Comparison(
        tuple(names),
        tuple(s.description for s in loaded),
        seed,
        tuple(seeds),
        tuple(lengths),
        runs,
        window,
        unpaired=unpaired(names, [s.parameters.model_dump(mode="json") for s in loaded]),
        titles=tuple(s.titles for s in loaded),
        summaries=tuple(s.descriptions for s in loaded),
    )


def common_window(scenarios: Sequence[Scenario]) -> int:
    """The ``metrics.final_window`` every scenario declares: paired values must average alike."""
    names = unique_names(scenarios)
    windows = {n: s.parameters.metrics.final_window for n, s in zip(names, scenarios, strict=True)}
    if len(set(windows.values())) > 1:
        raise ValueError(
            f"the scenarios average different final windows (metrics.final_window: {windows}): "
            "give them the same, or choose the window of the comparison"
        )
    return next(iter(windows.values()))


def window_values(timeseries: pd.DataFrame, window: int) -> dict[str, float]:
    """One run's final values of the compared metrics (the module docstring says how).

    ``access`` is the mean over the service domains of ``access_<domain>``; each domain is also
    reported on its own.
    """
    final = final_values(timeseries, window)
    domains = [c for c in final if c.startswith("access_")]
    values = {}
    for metric in WINDOWED:
        if metric == "access":
            if domains:
                values[metric] = float(np.mean([final[c] for c in domains]))
        elif metric in final:
            values[metric] = final[metric]
    for column in domains:
        values[column] = final[column]
    if SPENDING in final:
        values[SPENDING] = final[SPENDING]
    return values


def replicate_values(comparison: Comparison, window: int | None = None) -> pd.DataFrame:
    """One row per scenario, replicate and metric: ``scenario, replicate, seed, metric, value``.

    ``window`` replaces the comparison's own (:attr:`Comparison.window`).
    """
    window = comparison.window if window is None else window
    rows = []
    for name in comparison.scenarios:
        for r, run in enumerate(comparison.runs[name]):
            for metric, value in window_values(run.timeseries, window).items():
                rows.append((name, r, run.seed, metric, value))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "seed", "metric", "value"])


def comparison_table(comparison: Comparison, window: int | None = None) -> pd.DataFrame:
    """Per scenario and metric: mean and 95 % CI, difference to the first and its effect size.

    The difference is paired by seed (effect size Cohen's d_z), or Welch's for a scenario in
    ``comparison.unpaired`` (effect size Cohen's d).

    Returns a DataFrame with exactly the columns of ``COLUMNS``. The first scenario's
    differences are those of the scenario with itself (exactly zero). See the module docstring
    for the window and for ``cost_per_gini_point``, whose difference columns are NaN: it is
    already a comparison with the first scenario.
    """
    values = replicate_values(comparison, window)
    wide = values.pivot_table(
        index=["scenario", "replicate"], columns="metric", values="value", sort=False
    )
    reference = comparison.scenarios[0]
    metrics = list(dict.fromkeys(values["metric"]))
    rows = []
    base = wide.loc[reference]
    for name in comparison.scenarios:
        this = wide.loc[name]
        paired = comparison.paired(name)
        difference = paired_difference if paired else welch_difference
        for metric in metrics:
            mean, lo, hi = mean_ci(this[metric])
            d = difference(base[metric].to_numpy(), this[metric].to_numpy())
            rows.append((name, metric, mean, lo, hi, d.diff, d.ci_low, d.ci_high, d.effect_size))
        if "gini" in this and SPENDING in this:
            if name == reference:
                cost = (float("nan"),) * 3
            elif paired:
                extra = (this[SPENDING] - base[SPENDING]).to_numpy()
                points = 100 * (base["gini"] - this["gini"]).to_numpy()
                cost = fieller_ratio_ci(extra, points)
            else:
                cost = fieller_difference_ratio_ci(
                    base[SPENDING], -100 * base["gini"], this[SPENDING], -100 * this["gini"]
                )
            nan = float("nan")
            rows.append((name, COST, *cost, nan, nan, nan, nan))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def read_comparison(folder: str | Path) -> Comparison:
    """Read a comparison folder written by ``cohesim compare`` (its runs under ``runs/``).

    Raises
    ------
    ResultsError
        If the folder, its manifest or one of its runs is missing or unreadable.
    """
    folder = Path(folder)
    manifest = read_comparison_manifest(folder)
    runs: dict[str, list[RunTables]] = {}
    scenarios = []  # each scenario as its first run recorded it
    try:
        for entry in manifest["scenarios"]:
            runs[entry["name"]] = []
            for r, seed in enumerate(manifest["seeds"]):
                run = read_run(folder / entry["runs"] / f"replicate-{r:03d}")
                grants = run.manifest["scenario"]["parameters"]["funding"]["grant_years"]
                runs[entry["name"]].append(RunTables(seed, run.timeseries, run.inventory, grants))
                if r == 0:
                    scenarios.append(run.manifest["scenario"])
        return Comparison(
            tuple(e["name"] for e in manifest["scenarios"]),
            tuple(e.get("description", "") for e in manifest["scenarios"]),
            int(manifest["root_seed"]),
            tuple(int(s) for s in manifest["seeds"]),
            tuple(int(e["steps"]) for e in manifest["scenarios"]),
            runs,
            int(manifest["window"]),
            unpaired=unpaired(list(runs), [s["parameters"] for s in scenarios]),
            titles=tuple(s.get("titles", {}) for s in scenarios),  # older runs have none
            summaries=tuple(s.get("descriptions", {}) for s in scenarios),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ResultsError):
            raise
        raise ResultsError(
            f"{folder / 'manifest.json'}: not a readable comparison manifest ({error!r})"
        ) from None


def read_comparison_manifest(folder: Path) -> dict[str, Any]:
    """A comparison folder's manifest, checked to be one."""
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path}: unreadable manifest: {error}") from None
    if manifest.get("kind") != "comparison":
        raise ResultsError(f"{folder}: not a comparison folder (manifest kind is not 'comparison')")
    return manifest


def comparison_manifest(comparison: Comparison, run_folders: list[str]) -> dict:
    """What a comparison folder's ``manifest.json`` records."""
    from cohesim.experiments.results import final_values_entry, git_commit, package_versions

    return {
        "kind": "comparison",
        "root_seed": comparison.root_seed,
        "seeds": list(comparison.seeds),
        "replicates": comparison.replicates,
        "window": comparison.window,
        "final_values": final_values_entry(comparison.window),
        "unpaired": sorted(comparison.unpaired),
        "scenarios": [
            {"name": name, "description": text, "steps": steps, "runs": folder}
            for name, text, steps, folder in zip(
                comparison.scenarios,
                comparison.descriptions,
                comparison.steps,
                run_folders,
                strict=True,
            )
        ],
        "versions": package_versions(),
        "git_commit": git_commit(),
    }

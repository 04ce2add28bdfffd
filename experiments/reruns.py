"""Run single runs of a sweep again, for the tables a sweep does not store.

A sweep stores one row of final metrics per run, not the inventory of structures nor the
territories' memberships. A run is fully determined by what its folder holds: the resolved
scenario in the manifest, the run's parameter values and its seed in the runs table. Any run can
therefore be run again, alone, with its inventory this time. Each re-run is checked against its
row of the runs table: a run that no longer gives the same numbers (the model changed since the
sweep) is an error, never a silently different answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cohesim.model import Parameters
from cohesim.model.kinds import METROPOLE
from cohesim.model.outcomes import final_values

from .results import ResultsError
from .runs import RunResult, build_model, run_scenario
from .scenario import Scenario
from .sweep_store import load_runs, read_manifest

ID_COLUMNS = ("run_id", "scenario", "scenario_index", "point_id", "replicate", "seed")
STATUS_COLUMNS = ("status", "error", "wall_seconds")
TERRITORIAL = ("geometry", "france")  # parameter groups that choose the territories


class ReproductionError(ResultsError):
    """A re-run whose final metrics differ from the sweep's row of the same run."""


def sweep_scenarios(folder: str | Path) -> list[Scenario]:
    """The base scenarios of a sweep, rebuilt from the resolved parameters in its manifest.

    Raises
    ------
    ResultsError
        If the manifest is not a sweep's or its scenarios are missing or invalid.
    """
    manifest = read_manifest(folder)
    try:
        resolved = manifest["experiment"]["scenarios"]
        return [
            Scenario(s["name"], "", Parameters.model_validate(s["parameters"])) for s in resolved
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise ResultsError(f"{folder}: manifest lacks usable scenarios: {error}") from None


def scenario_sizes(folder: str | Path) -> pd.DataFrame:
    """Territories and métropoles of each scenario of a sweep, one row per scenario name.

    The scenarios' models are built (not run) to count them: territories are the same in every
    run of a scenario whatever its seed and parameter values, as long as the sweep varies no
    ``geometry`` or ``france`` parameter (refused).
    """
    varied = [f["path"] for f in read_manifest(folder)["experiment"].get("factors", [])]
    territorial = [p for p in varied if p.split(".")[0] in TERRITORIAL]
    if territorial:
        raise ResultsError(
            f"{folder}: the sweep varies {', '.join(territorial)}: the territories differ from "
            "run to run, so a scenario has no single size"
        )
    rows = []
    for scenario in sweep_scenarios(folder):
        model = build_model(scenario)
        rows.append(
            {
                "scenario": scenario.name,
                "territories": len(model.population),
                "metropoles": int(np.count_nonzero(model.kind == METROPOLE)),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def rerun(
    folder: str | Path, run_ids: Sequence[int], runs: pd.DataFrame | None = None
) -> Iterator[RunResult]:
    """Run the runs ``run_ids`` of a sweep again, one by one, each checked against its row.

    Parameters
    ----------
    folder
        The sweep folder.
    run_ids
        Runs to repeat (successful ones).
    runs
        The sweep's runs table, if already loaded.

    Raises
    ------
    ResultsError
        If a run id is not a successful run of the sweep.
    ReproductionError
        If a re-run's final metrics differ from those the sweep recorded.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    scenarios = sweep_scenarios(folder)
    steps = manifest["experiment"]["steps"]
    factors = [f["path"] for f in manifest["experiment"]["factors"]]
    table = (runs if runs is not None else load_runs(folder)).set_index("run_id", drop=False)
    for run_id in run_ids:
        if run_id not in table.index or table.at[run_id, "status"] != "ok":
            raise ResultsError(f"{folder}: run {run_id} is not a successful run of the sweep")
        row = table.loc[run_id]
        index = int(row["scenario_index"])
        overrides = {path: _plain(row[path]) for path in factors}
        scenario = scenarios[index].with_parameters(
            **overrides, **{"run.seed": int(row["seed"]), "run.steps": int(steps[index])}
        )
        result = run_scenario(scenario)
        # the sweep's row holds each outcome's final value (docs/analysis.md): compare like
        window = scenario.parameters.metrics.final_window
        _check(folder, row, pd.Series(final_values(result.timeseries, window)), factors)
        yield result


def _plain(value: object) -> object:
    """A numpy scalar from a table cell as the plain Python value the parameters validate."""
    return value.item() if isinstance(value, np.generic) else value


def _check(folder: Path, row: pd.Series, final: pd.Series, factors: list[str]) -> None:
    skip = {*ID_COLUMNS, *STATUS_COLUMNS, *factors}
    metrics = [c for c in row.index if c not in skip and c in final.index]
    recorded = row[metrics].to_numpy(dtype=float)
    again = final[metrics].to_numpy(dtype=float)
    same = np.isclose(recorded, again, rtol=1e-9, atol=0.0, equal_nan=True)
    if not same.all():
        first = metrics[int(np.flatnonzero(~same)[0])]
        raise ReproductionError(
            f"{folder}: run {int(row['run_id'])} does not reproduce: {first} was "
            f"{recorded[~same][0]!r} in the sweep and is {again[~same][0]!r} now; the model "
            "changed since the sweep ran: run the sweep again"
        )

"""Running things: scenario files, single runs, the results store and the command line.

The Python API for notebooks::

    from cohesim.experiments import load_scenario, run_scenario, write_run
    scenario = load_scenario("scenarios/baseline.toml", {"game.attacker_share": 0.8})
    result = run_scenario(scenario, steps=40, seed=1)
    result.timeseries  # pandas DataFrame, one row per year

    from cohesim.experiments import load_runs, run_sweep
    folder = run_sweep("scenarios/experiments/engineering_vs_funding.toml", workers=2)
    runs = load_runs(folder)  # one row per run
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Imported on first use (PEP 562), so that `cohesim --help` and `cohesim.experiments.cli` do not
# pay for mesa, numba and pandas: name → module of this package that defines it.
_EXPORTS = {
    "Experiment": "experiment_file",
    "ExperimentError": "experiment_file",
    "load_experiment": "experiment_file",
    "ResultsError": "results",
    "read_run": "results",
    "write_run": "results",
    "RunResult": "runs",
    "build_model": "runs",
    "run_scenario": "runs",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario",
    "SweepError": "sweep",
    "SweepProgress": "sweep",
    "run_sweep": "sweep",
    "estimate_sweep": "sweep_estimate",
    "load_runs": "sweep_store",
    "load_territories": "sweep_store",
    "load_timeseries": "sweep_store",
    "read_manifest": "sweep_store",
}

if TYPE_CHECKING:
    from .experiment_file import Experiment, ExperimentError, load_experiment
    from .results import ResultsError, read_run, write_run
    from .runs import RunResult, build_model, run_scenario
    from .scenario import Scenario, ScenarioError, load_scenario
    from .sweep import SweepError, SweepProgress, run_sweep
    from .sweep_estimate import estimate_sweep
    from .sweep_store import load_runs, load_territories, load_timeseries, read_manifest


def __getattr__(name: str):
    """Import the module that defines ``name`` when it is first asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "Experiment",
    "ExperimentError",
    "ResultsError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepError",
    "SweepProgress",
    "build_model",
    "estimate_sweep",
    "load_experiment",
    "load_runs",
    "load_scenario",
    "load_territories",
    "load_timeseries",
    "read_manifest",
    "read_run",
    "run_scenario",
    "run_sweep",
    "write_run",
]

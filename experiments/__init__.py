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

from .experiment_file import Experiment, ExperimentError, load_experiment
from .results import ResultsError, read_run, write_run
from .runs import RunResult, build_model, run_scenario
from .scenario import Scenario, ScenarioError, load_scenario
from .sweep import SweepProgress, run_sweep
from .sweep_store import load_runs, load_territories, load_timeseries, read_manifest

__all__ = [
    "Experiment",
    "ExperimentError",
    "ResultsError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepProgress",
    "build_model",
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

"""Running things: scenario files, single runs, the results store and the command line.

The Python API for notebooks::

    from cohesim.experiments import load_scenario, run_scenario, write_run
    scenario = load_scenario("scenarios/baseline.toml", {"game.attacker_share": 0.8})
    result = run_scenario(scenario, steps=40, seed=1)
    result.timeseries  # pandas DataFrame, one row per year
"""

from .results import ResultsError, read_run, write_run
from .runs import RunResult, build_model, run_scenario
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "ResultsError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "build_model",
    "load_scenario",
    "read_run",
    "run_scenario",
    "write_run",
]

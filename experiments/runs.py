"""One run of one scenario: build the model, step it, collect its tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from cohesim.model import Parameters, TerritoryModel, TerritoryTable, model_for
from cohesim.model.outcomes import final_values, final_window_rows
from cohesim.model.reductions import GraphGame, WellMixedGame

from .france import france_territories
from .scenario import Scenario


@dataclass(frozen=True)
class RunResult:
    """What a run produced: its metrics per step, its territories at the end, its provenance."""

    scenario: Scenario
    timeseries: pd.DataFrame
    territories: pd.DataFrame
    inventory: pd.DataFrame
    memberships: pd.DataFrame
    started: datetime
    finished: datetime
    wall_seconds: float

    @property
    def seed(self) -> int:
        """The seed the model's generator started from."""
        return self.scenario.parameters.run.seed

    @property
    def steps(self) -> int:
        """Years simulated."""
        return self.scenario.parameters.run.steps

    def final_window(self, column: str = "cooperation_rate") -> tuple[float, float, int]:
        """Mean and SD of ``column`` over the run's final window, and the years it holds.

        The window is the one of every final value (:func:`final_values`): the last
        ``metrics.final_window`` policy years, fewer if the run is shorter.

        Examples
        --------
        >>> from cohesim.experiments import load_scenario, run_scenario
        >>> result = run_scenario(load_scenario("scenarios/validation/nowak_may.toml"), steps=30)
        >>> mean, sd, steps = result.final_window()
        >>> steps, 0.0 < mean < 1.0
        (30, True)
        """
        last = final_window_rows(self.timeseries, self.window)[column].to_numpy()
        return float(last.mean()), float(last.std()), len(last)

    @property
    def window(self) -> int:
        """Policy years a final value averages at most (``metrics.final_window``)."""
        return self.scenario.parameters.metrics.final_window

    def final_values(self) -> dict[str, float]:
        """The run's final value of every outcome it records (docs/analysis.md)."""
        return final_values(self.timeseries, self.window)


def build_model(scenario: Scenario) -> TerritoryModel | GraphGame | WellMixedGame:
    """The model a scenario describes, seeded with its ``run.seed``.

    :func:`cohesim.model.model_for` picks it by ``geometry.source``: the policy model
    (:class:`~cohesim.model.TerritoryModel`, with the real territories of a ``france``
    scenario) or a validation reduction (:mod:`cohesim.model.reductions`).
    """
    p = scenario.parameters
    return model_for(p, rng=p.run.seed, territories=scenario_territories(p))


def scenario_territories(parameters: Parameters) -> TerritoryTable | None:
    """The real territories a ``france`` scenario reads from scenarios/data, else None.

    Synthetic and validation sources build their own territories.
    """
    if parameters.geometry.source == "france":
        return france_territories(parameters)
    return None


def run_scenario(
    scenario: Scenario,
    *,
    steps: int | None = None,
    seed: int | None = None,
    on_step: Callable[[int], None] | None = None,
) -> RunResult:
    """Run a scenario for ``steps`` years (its ``run.steps`` when None) from ``seed``.

    ``on_step(step)`` is called after each year (for progress bars).

    Examples
    --------
    >>> from cohesim.experiments import load_scenario, run_scenario
    >>> result = run_scenario(load_scenario("scenarios/baseline.toml"), steps=3, seed=7)
    >>> len(result.timeseries), result.seed
    (4, 7)
    """
    overrides = {}
    if steps is not None:
        overrides["run.steps"] = steps
    if seed is not None:
        overrides["run.seed"] = seed
    scenario = scenario.with_parameters(**overrides)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    model = build_model(scenario)
    for step in range(1, scenario.parameters.run.steps + 1):
        model.step()
        if on_step is not None:
            on_step(step)
    return RunResult(
        scenario=scenario,
        timeseries=model.metrics_frame(),
        territories=model.territories_frame(),
        inventory=model.inventory_frame(),
        memberships=model.memberships_frame(),
        started=started,
        finished=datetime.now(UTC),
        wall_seconds=time.perf_counter() - clock,
    )

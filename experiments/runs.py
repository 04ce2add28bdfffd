"""One run of one scenario: build the model, step it, collect its tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from cohesim.model import TerritoryModel

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


def build_model(scenario: Scenario) -> TerritoryModel:
    """The model a scenario describes, seeded with its ``run.seed``."""
    p = scenario.parameters
    territories = france_territories(p) if p.geometry.source == "france" else None
    return TerritoryModel(p, rng=p.run.seed, territories=territories)


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

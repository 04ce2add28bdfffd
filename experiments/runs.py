"""One run of one scenario: build the model, step it, collect its tables."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from cohesim.model import Parameters, TerritoryModel, TerritoryTable, model_for
from cohesim.model.outcomes import final_values, final_window_rows
from cohesim.model.reductions import REDUCTION_MODELS, GraphGame, WellMixedGame
from cohesim.model.region import Region, build_region, parameter_values, region_key

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


def build_model(
    scenario: Scenario, regions: RegionCache | None = None
) -> TerritoryModel | GraphGame | WellMixedGame:
    """The model a scenario describes, seeded with its ``run.seed``.

    :func:`cohesim.model.model_for` picks it by ``geometry.source``: the policy model
    (:class:`~cohesim.model.TerritoryModel`, with the real territories of a ``france``
    scenario) or a validation reduction (:mod:`cohesim.model.reductions`). With ``regions``,
    the policy model runs on a region from that cache: the same run, without building it again.
    """
    p = scenario.parameters
    if regions is None or p.geometry.source in REDUCTION_MODELS:
        return model_for(p, rng=p.run.seed, territories=scenario_territories(p))
    return model_for(p, rng=p.run.seed, region=regions.region(p))


TERRITORY_INPUTS = ("geometry", "france", "services")
"""The parameters real territories are read with (tests/test_region.py traces the reads)."""


class RegionCache:
    """The last few regions built in this process, by what they depend on (least recent out).

    A region depends on the parameters :data:`cohesim.model.region.REGION_INPUTS` names (as in
    force at the start), the seed of synthetic territories, and the rows of real ones (read
    once per :data:`TERRITORY_INPUTS`). Regions are read-only: runs, and the threads of a Dask
    worker, share them. At most ``size`` regions are kept, and older ones only while all hold
    at most ``territories`` territories: a large region (its flow kernels cached) weighs about
    as much as a run on it, so a worker keeps about one.
    """

    def __init__(self, size: int = 4, territories: int = 50_000):
        self.size, self.territories = size, territories
        self._regions: OrderedDict[tuple, Region] = OrderedDict()
        self._tables: OrderedDict[str, TerritoryTable] = OrderedDict()
        self._lock = threading.Lock()
        self.built = self.reused = 0

    def region(self, parameters: Parameters) -> Region:
        """The region of a run with ``parameters`` (built if not held), seeded by ``run.seed``."""
        start = parameters.at_year(-parameters.run.burn_in)  # what a model builds it from
        table = self._table(start) if start.geometry.source != "synthetic" else None
        key = region_key(start, parameters.run.seed, table)
        with self._lock:
            region = self._regions.get(key)
            if region is not None:
                self._regions.move_to_end(key)
                self.reused += 1
                return region
        region = build_region(start, parameters.run.seed, table)
        with self._lock:
            self._regions[key] = region
            self.built += 1
            while len(self._regions) > self.size or (
                len(self._regions) > 1
                and sum(len(r.table) for r in self._regions.values()) > self.territories
            ):
                self._regions.popitem(last=False)
        return region

    def _table(self, start: Parameters) -> TerritoryTable | None:
        key = parameter_values(start, TERRITORY_INPUTS)
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
                return table
        table = scenario_territories(start)
        if table is None:
            return None
        with self._lock:
            self._tables[key] = table
            while len(self._tables) > self.size:
                self._tables.popitem(last=False)
        return table


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

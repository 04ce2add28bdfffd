"""A region built once and reused gives the same runs as one built by each run.

Sweeps reuse regions (experiments/runs.py RegionCache, model/region.py): a reused region must
leave nothing a run computes different, and the cache key must hold every parameter the region
is built from. The second is checked by tracing what building reads, not by a list kept by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

from cohesim.experiments import load_scenario, run_scenario
from cohesim.experiments.chunks import Chunk, RunSpec, run_chunk
from cohesim.experiments.france import france_territories
from cohesim.experiments.runs import TERRITORY_INPUTS, RegionCache, build_model
from cohesim.model import Parameters, TerritoryModel
from cohesim.model.region import REGION_INPUTS, build_region, region_key, region_parts

from helpers import SCENARIOS as SCENARIO_FOLDER

STEPS = 13  # the 10 burn-in years and a few policy years, levers in force
LEVERS = [
    {},
    {"engineering.state_support": 0.4, "funding.matching_share": 0.6, "game.attacker_share": 0.9},
    {"learning.observatory": 0.3, "game.attraction": 0.4},
]
SCENARIOS = ["baseline.toml", "austerity.toml", "auvergne_rhone_alpes.toml"]


def frames(model: TerritoryModel) -> dict[str, pd.DataFrame]:
    return {
        "metrics": model.metrics_frame(),
        "territories": model.territories_frame(),
        "inventory": model.inventory_frame(),
        "memberships": model.memberships_frame(),
    }


def assert_same_run(a: TerritoryModel, b: TerritoryModel) -> None:
    for name, frame in frames(a).items():
        pd.testing.assert_frame_equal(frame, frames(b)[name], check_exact=True, obj=name)


@pytest.mark.parametrize("file", SCENARIOS)
def test_runs_on_a_cached_region_equal_runs_that_build_it(file):
    scenario = load_scenario(SCENARIO_FOLDER / file).with_parameters(**{"run.steps": STEPS})
    cache = RegionCache()
    for levers in LEVERS:  # one region for every lever setting, reused after runs changed state
        varied = scenario.with_parameters(**levers)
        fresh, reused = build_model(varied), build_model(varied, cache)
        for model in (fresh, reused):
            model.run(STEPS)
        assert_same_run(fresh, reused)
    assert (cache.built, cache.reused) == (1, len(LEVERS) - 1)


def test_a_region_is_read_only_and_unchanged_by_the_runs_on_it():
    p = Parameters.model_validate({"budget": {"adjustment_rate": 0.2}, "run": {"seed": 3}})
    start = p.at_year(-p.run.burn_in)
    region = build_region(start, 3)
    before = region.own.capacity.copy(), region.network.flow.copy(), region.flows.access.copy()
    with pytest.raises(ValueError, match="read-only"):
        region.own.capacity[0, 0] = 1.0
    model = TerritoryModel(p, rng=3, region=region)
    model.run(12)
    assert not np.array_equal(model.capacity, before[0])  # budgets moved capacities ...
    after = region.own.capacity, region.network.flow, region.flows.access
    for old, new in zip(before, after, strict=True):  # ... of the run's copy, not the region's
        np.testing.assert_array_equal(old, new)


def test_a_region_of_another_seed_or_other_parameters_is_refused():
    p = Parameters.model_validate({"run": {"seed": 5}})
    region = build_region(p.at_year(-p.run.burn_in), 5)
    with pytest.raises(ValueError, match="another seed"):
        TerritoryModel(p, rng=6, region=region)
    other = p.updated({"network.partners": 3})
    with pytest.raises(ValueError, match=r"differing: network\.partners"):
        TerritoryModel(other, rng=5, region=region)
    # a lever is no region parameter: the same region serves it
    TerritoryModel(p.updated({"funding.matching_share": 0.5}), rng=5, region=region)


def test_the_key_separates_seeds_and_real_territories():
    p = Parameters()
    assert region_key(p, 1, None) != region_key(p, 2, None)
    france = load_scenario(SCENARIO_FOLDER / "auvergne_rhone_alpes.toml").parameters
    table = france_territories(france)
    assert region_key(france, 1, table) == region_key(france, 2, table)  # no draw: no seed
    fewer = type(table)(**{**table.__dict__, "population": table.population * 1.01})
    assert region_key(france, 1, table) != region_key(france, 1, fewer)


# -- the key holds what building reads ------------------------------------------------------


class Traced:
    """A read-only view of parameters that records the dotted path of every value read."""

    def __init__(self, value: BaseModel, path: str, reads: set[str]):
        self._value, self._path, self._reads = value, path, reads

    def __getattr__(self, name: str) -> Any:
        path = f"{self._path}{name}"
        fields = type(self._value).model_fields
        if name in fields:
            value = getattr(self._value, name)
            if isinstance(value, BaseModel):
                return Traced(value, f"{path}.", self._reads)
            self._reads.add(path)
            if isinstance(value, dict) and all(isinstance(v, BaseModel) for v in value.values()):
                return {k: Traced(v, f"{path}.{k}.", self._reads) for k, v in value.items()}
            return value
        attribute = getattr(type(self._value), name, None)
        if isinstance(attribute, property):  # e.g. domain_names: trace what it reads
            return attribute.fget(self)  # type: ignore[misc]
        # any other use (a method) is taken to read the whole group
        self._reads.add(self._path.rstrip(".") or "<all parameters>")
        return getattr(self._value, name)


def reads_of(build, parameters: Parameters) -> set[str]:
    reads: set[str] = set()
    build(Traced(parameters, "", reads))
    return reads


def uncovered(reads: set[str], inputs: tuple[str, ...]) -> set[str]:
    """The reads no input path holds (an input group holds every path under it)."""
    return {r for r in reads if not any(r == i or r.startswith(f"{i}.") for i in inputs)}


SOURCES = {
    "synthetic": (SCENARIO_FOLDER / "baseline.toml", None),
    "france": (SCENARIO_FOLDER / "auvergne_rhone_alpes.toml", france_territories),
}


@pytest.mark.parametrize("source", SOURCES)
def test_every_parameter_a_region_is_built_from_is_in_its_key(source):
    file, read_territories = SOURCES[source]
    p = load_scenario(file).parameters
    p = p.at_year(-p.run.burn_in)
    table = read_territories(p) if read_territories else None
    reads = reads_of(lambda traced: region_parts(traced, 1, table), p)
    assert {"network.partners", "services.domains"} <= reads  # the trace sees the reads
    assert uncovered(reads, REGION_INPUTS) == set()
    # the check fails when a parameter the region reads is left out of the key
    assert uncovered(reads, tuple(i for i in REGION_INPUTS if i != "network.partners")) == {
        "network.partners"
    }
    if read_territories:
        assert uncovered(reads_of(read_territories, p), TERRITORY_INPUTS) == set()


# -- sweeps ---------------------------------------------------------------------------------


def test_a_chunk_reusing_its_regions_gives_the_rows_of_runs_built_from_scratch():
    scenario = load_scenario(SCENARIO_FOLDER / "auvergne_rhone_alpes.toml")
    runs = [
        RunSpec(
            run_id=i, scenario_index=0, point_id=i // 2, replicate=i % 2, seed=seed, overrides=o
        )
        for i, (seed, o) in enumerate(
            [(11, LEVERS[0]), (11, LEVERS[1]), (12, LEVERS[1]), (11, LEVERS[2])]
        )
    ]
    chunk = Chunk(scenarios=(scenario,), steps=(STEPS,), runs=runs, timeseries=True)
    result = run_chunk(chunk)
    assert [row["status"] for row in result.runs] == ["ok"] * len(runs)
    for spec, row, series in zip(runs, result.runs, result.timeseries, strict=True):
        alone = run_scenario(
            scenario.with_parameters(**spec.overrides), steps=STEPS, seed=spec.seed
        )
        pd.testing.assert_frame_equal(
            series.drop(columns="run_id"), alone.timeseries, check_exact=True
        )
        assert {k: row[k] for k in alone.final_values()} == alone.final_values()


def test_the_cache_keeps_a_few_regions_and_few_large_ones():
    p = Parameters.model_validate({"geometry": {"n": 40}})
    cache = RegionCache(size=2, territories=100)
    regions = [cache.region(p.updated({"run.seed": seed})) for seed in (1, 2, 3)]
    assert cache.region(p.updated({"run.seed": 3})) is regions[2]  # held
    assert cache.region(p.updated({"run.seed": 1})) is not regions[0]  # out: 3 > size
    assert (cache.built, cache.reused) == (4, 1)
    small = RegionCache(size=4, territories=50)
    first = small.region(p)
    small.region(p.updated({"run.seed": 9}))  # 80 territories > 50: the older one goes
    assert small.region(p) is not first

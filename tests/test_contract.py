"""Every model configuration passes the same contract (tests/contract.py).

Configurations: the synthetic baseline under each update rule and schedule, every validation
scenario, well-mixed games, a France région and the dashboard's classroom scenario. Few steps,
small sizes: this file checks properties, not results.
"""

from pathlib import Path

import pytest
from contract import check_model

from cohesim.experiments import build_model, load_scenario
from cohesim.experiments.runs import scenario_territories
from cohesim.model import model_for

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
RULES = ["logit", "fermi", "imitate_best"]  # santos needs a graph source
SCHEDULES = ["synchronous", "random_sequential"]
VALIDATION = sorted(path.stem for path in (SCENARIOS / "validation").glob("*.toml"))
SMALLER = {  # the validation scenarios' sizes, cut down
    "lattice": {"graph.side": 12},
    "random_regular": {"geometry.n": 150},
    "barabasi_albert": {"geometry.n": 150},
    "well_mixed": {"geometry.n": 300},
}


def scenario_maker(path: Path, **overrides):
    """``make(seed)``: the scenario's model (through build_model) at that seed."""
    scenario = load_scenario(path).with_parameters(**overrides)
    return lambda seed: build_model(scenario.with_parameters(**{"run.seed": seed}))


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("schedule", SCHEDULES)
def test_synthetic_baseline(rule, schedule):
    overrides = {"update.rule": rule, "update.schedule": schedule, "geometry.n": 50}
    check_model(scenario_maker(SCENARIOS / "baseline.toml", **overrides))


@pytest.mark.parametrize("name", VALIDATION)
def test_validation_scenario(name):
    path = SCENARIOS / "validation" / f"{name}.toml"
    source = load_scenario(path).parameters.geometry.source
    check_model(scenario_maker(path, **SMALLER[source]), steps=6)


@pytest.mark.parametrize(
    "game",
    [
        {"classic_game.game": "matrix", "classic_game.sucker": 0.5, "classic_game.temptation": 1.5},
        {"classic_game.game": "public_goods", "well_mixed.incentive": "fine"},
    ],
    ids=["snowdrift", "public_goods_fine"],
)
def test_well_mixed(game):
    path = SCENARIOS / "validation" / "institutional_reward.toml"
    check_model(scenario_maker(path, **{"geometry.n": 300, "update.mutation": 0.01, **game}))


def test_france_region():
    p = load_scenario(SCENARIOS / "auvergne_rhone_alpes.toml").parameters
    territories = scenario_territories(p)  # read once, shared as the models do not change it
    check_model(lambda seed: model_for(p, rng=seed, territories=territories), steps=3)


def test_classroom():
    check_model(scenario_maker(SCENARIOS / "classroom.toml"))


def test_dashboard_model():
    pytest.importorskip("solara")
    from cohesim.experiments.dashboard.model import DashboardModel

    base = load_scenario(SCENARIOS / "classroom.toml")
    sliders = {"funding.matching_share": 0.4, "engineering.state_support": 0.2}
    check_model(lambda seed: DashboardModel(base.with_parameters(**{"run.seed": seed}), **sliders))

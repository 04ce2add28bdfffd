"""The shipped scenario library: every file validates and runs, and does what it says."""

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohesim.experiments import ScenarioError, load_scenario, run_scenario
from cohesim.model.parameters import parameter_table

from helpers import SCENARIOS, SHIPPED_SCENARIOS

LIBRARY = SHIPPED_SCENARIOS
COMMUNE_LEVEL_FRANCE = SCENARIOS / "france_communes.toml"  # ~35,000 communes: slow to set up
POLICY_YEARS = 12


def _run(path: Path):
    """A shipped scenario run past its last lever change, seed 11."""
    scenario = load_scenario(path)
    steps = scenario.parameters.run.burn_in + POLICY_YEARS
    return run_scenario(scenario, steps=steps, seed=11)


def _assert_finite_outcomes(name, result):
    numbers = result.timeseries.drop(columns=["beta_convergence"]).to_numpy(dtype=float)
    assert np.isfinite(numbers).all(), name


@pytest.fixture(scope="module")
def runs():
    """Each shipped scenario but commune-level France run past its last lever change, same seed."""
    return {path.stem: _run(path) for path in LIBRARY if path != COMMUNE_LEVEL_FRANCE}


def test_library_holds_the_policy_questions():
    names = {p.stem for p in LIBRARY}
    assert names >= {
        "baseline",
        "engineering_support",
        "matching_fund",
        "funding_and_engineering",
        "pacte_metropoles",
        "observatory",
        "austerity",
        "funding_withdrawn",
        "high_competition",
    }


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_each_scenario_says_what_question_it_answers(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#"), f"{path.name} should open with a comment saying what it asks"


def test_every_scenario_runs_with_finite_outcomes(runs):
    assert len(runs) == len(LIBRARY) - 1
    for name, result in runs.items():
        _assert_finite_outcomes(name, result)


@pytest.mark.slow
def test_commune_level_france_runs_with_finite_outcomes():
    _assert_finite_outcomes(COMMUNE_LEVEL_FRANCE.stem, _run(COMMUNE_LEVEL_FRANCE))


def test_burn_in_runs_without_policy_so_scenarios_share_their_past(runs):
    """Before year 0 every lever is off: scenarios of one region and seed share their past."""
    base = runs["baseline"].timeseries
    same_region = [n for n, r in runs.items() if _region(r) == _region(runs["baseline"])]
    assert len(same_region) >= 8
    for name in same_region:
        ts = runs[name].timeseries
        past = ts["year"] < 0
        pd.testing.assert_frame_equal(ts[past], base[past], obj=name)
        assert (ts.loc[past, "public_spending"] == 0).all()


def _region(result):
    p = result.scenario.parameters
    return (p.geometry, p.update, p.services)


def test_withdrawn_funding_stops_public_money(runs):
    ts = runs["funding_withdrawn"].timeseries
    assert ts.loc[(ts["year"] >= 0) & (ts["year"] < 10), "public_money"].sum() > 0
    assert (ts.loc[ts["year"] >= 10, "public_money"] == 0).all()


def test_austerity_caps_the_money_after_year_five(runs):
    ts = runs["austerity"].timeseries
    assert (ts.loc[ts["year"] >= 5, "public_money"] <= 200_000 * (1 + 1e-9)).all()


def test_baseline_spends_nothing(runs):
    assert (runs["baseline"].timeseries["public_spending"] == 0).all()


def test_a_change_of_a_parameter_that_is_not_a_lever_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
        '[[changes]]\nyear = 5\nset = { "geometry.n" = 50 }\n'
    )
    with pytest.raises(ScenarioError, match=r"bad\.toml.*'geometry\.n' is not a policy lever"):
        load_scenario(bad)


def test_a_change_out_of_range_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[changes]]\nyear = 5\nset = { "funding.matching_share" = 0.9 }\n')
    with pytest.raises(ScenarioError, match=r"bad\.toml.*funding\.matching_share = 0\.9"):
        load_scenario(bad)


SCENARIO_METADATA = ("name", "title", "description")  # about the file, not model parameters
# Keys where the baseline deliberately departs from the declared default, and why.
BASELINE_CHOICES = {
    "run.seed": "the scenarios' own root seed, the one the shipped experiment files use too; "
    "every scenario that extends the baseline runs from it unless --seed says otherwise",
}


def _dotted(table: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat |= _dotted(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_baseline_agrees_with_the_declared_defaults():
    """What the baseline writes out equals the declaration, unless it is a listed choice."""
    with (SCENARIOS / "baseline.toml").open("rb") as file:
        written = _dotted(tomllib.load(file))
    declared = {info.path: info.default for info in parameter_table()}
    parameters = {
        key: value for key, value in written.items() if key.split(".")[0] not in SCENARIO_METADATA
    }
    assert parameters.keys() <= declared.keys()
    differing = {key for key, value in parameters.items() if value != declared[key]}
    assert differing == BASELINE_CHOICES.keys()


def test_the_scenario_page_lists_every_shipped_scenario_with_its_titles():
    page = (SCENARIOS.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for path in LIBRARY:
        scenario = load_scenario(path)
        row = f"| `{path.name}` | {scenario.title('en')} | {scenario.title('fr')} |"
        assert row in page, f"docs/scenarios.md: no library row for {path.name}: {row}"

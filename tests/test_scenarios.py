"""Tests for cohesim.experiments.scenario: loading, extends, overrides and error messages."""

from pathlib import Path

import pytest

from cohesim.experiments.scenario import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_assignment,
)
from cohesim.model.parameters import Parameters, parameter_table

from helpers import SHIPPED_SCENARIOS, write

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def load_error(path: Path, overrides: dict | None = None) -> ScenarioError:
    """Load a scenario that must fail; return the error."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    error = info.value
    assert error.problems, "a ScenarioError must list at least one problem"
    assert str(error) == "\n".join(error.problems)
    return error


def single_problem(path: Path, overrides: dict | None = None) -> str:
    error = load_error(path, overrides)
    assert len(error.problems) == 1, error.problems
    return error.problems[0]


def names_file(message: str, path: Path) -> bool:
    """Whether the message names ``path`` (as given, or resolved)."""
    return str(path) in message or str(path.resolve()) in message


# ---------------------------------------------------------------------------
# Loading and extends
# ---------------------------------------------------------------------------


def test_baseline_values(scenarios_dir):
    path = scenarios_dir / "baseline.toml"
    scenario = load_scenario(path)
    p = scenario.parameters
    assert scenario.name == "baseline"
    assert scenario.description.startswith("Synthetic region of 100 territories")
    assert scenario.files == (path,)
    assert scenario.overrides == {}
    assert (p.run.steps, p.run.burn_in, p.run.seed) == (40, 10, 20260101)
    assert (p.geometry.n, p.geometry.n_urban, p.geometry.n_metropoles) == (100, 3, 1)
    assert p.geometry.width_km == 200.0
    assert p.geometry.periurban_km == 30.0
    assert p.network.partners == 6
    assert p.services.supply_ratio == 1.0
    assert p.domain_names == ("health", "jobs", "mobility", "food")
    assert p.services.domains["health"].scaling == 1.1
    assert p.services.domains["health"].decay_km == 25.0
    assert p.services.domains["jobs"].scaling == 1.15
    assert p.services.domains["jobs"].decay_km == 30.0
    food = p.services.domains["food"]
    assert food.land_based is True
    assert (food.spillover_cost, food.unit_cost, food.decay_km) == (0.0, 0.0, 15.0)
    assert p.game.attacker_share == 0.7
    assert p.game.attraction == 0.1
    assert (p.update.rule, p.update.schedule) == ("logit", "synchronous")
    assert p.funding.matching_share == 0.0
    assert p.engineering.state_support == 0.0
    # a key the file does not set takes its declared default
    assert p.game.synergy == Parameters().game.synergy


def test_extends_fermi_keeps_baseline_and_changes_rule(scenarios_dir):
    base = load_scenario(scenarios_dir / "baseline.toml").parameters
    scenario = load_scenario(scenarios_dir / "fermi_imitation.toml")
    p = scenario.parameters
    assert scenario.name == "fermi_imitation"
    assert "Fermi" in scenario.description
    assert p.update.rule == "fermi"
    assert base.update.rule == "logit"
    # the rest of [update] and every other table come from the baseline
    assert p.update.schedule == base.update.schedule
    assert p.geometry == base.geometry
    assert p.services == base.services
    assert p.run == base.run
    assert p.game == base.game
    assert p.model_dump() == {**base.model_dump(), "update": p.update.model_dump()}


def test_extends_files_lists_child_then_parent(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "fermi_imitation.toml")
    assert [f.resolve() for f in scenario.files] == [
        (scenarios_dir / "fermi_imitation.toml").resolve(),
        (scenarios_dir / "baseline.toml").resolve(),
    ]
    # recorded portably: the file from the working folder, the file it extends from its folder
    assert scenario.resolved()["files"] == ["scenarios/fermi_imitation.toml", "baseline.toml"]


def test_extends_merges_key_by_key_within_a_group(tmp_path, scenarios_dir):
    base = load_scenario(scenarios_dir / "baseline.toml").parameters
    child = write(
        tmp_path / "child.toml",
        f'extends = "{scenarios_dir / "baseline.toml"}"\n'
        'name = "child"\n'
        "[geometry]\n"
        "width_km = 150.0\n",
    )
    p = load_scenario(child).parameters
    assert p.geometry.width_km == 150.0
    assert p.geometry.model_dump() == {**base.geometry.model_dump(), "width_km": 150.0}


def test_extends_nested_domain_override_changes_only_that_key(tmp_path, scenarios_dir):
    base = load_scenario(scenarios_dir / "baseline.toml").parameters
    child = write(
        tmp_path / "child.toml",
        f'extends = "{scenarios_dir / "baseline.toml"}"\n'
        "[services.domains.health]\n"
        "decay_km = 40.0\n",
    )
    p = load_scenario(child).parameters
    health = p.services.domains["health"]
    assert health.decay_km == 40.0
    assert health.scaling == 1.1  # from the parent's [services.domains.health], not the default
    assert health.model_dump() == {**base.services.domains["health"].model_dump(), "decay_km": 40.0}
    for name in ("jobs", "mobility", "food"):
        assert p.services.domains[name] == base.services.domains[name]
    assert p.domain_names == base.domain_names
    assert p.services.supply_ratio == base.services.supply_ratio


def test_extends_chain_of_three_files(tmp_path):
    grand = write(tmp_path / "grand.toml", 'name = "grand"\n[game]\nsynergy = 1.5\n')
    parent = write(
        tmp_path / "parent.toml",
        'extends = "grand.toml"\nname = "parent"\n[game]\nattraction = 0.2\n',
    )
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n[game]\ncontribution = 0.3\n')
    scenario = load_scenario(child)
    game = scenario.parameters.game
    assert (game.synergy, game.attraction, game.contribution) == (1.5, 0.2, 0.3)
    assert [f.name for f in scenario.files] == ["child.toml", "parent.toml", "grand.toml"]
    assert [f.resolve() for f in scenario.files] == [f.resolve() for f in (child, parent, grand)]


def test_name_comes_from_the_child(tmp_path, scenarios_dir):
    assert load_scenario(scenarios_dir / "classroom.toml").name == "classroom"
    # a child without a name is named after its own file, never after its parent
    child = write(
        tmp_path / "unnamed_child.toml", f'extends = "{scenarios_dir / "baseline.toml"}"\n'
    )
    assert load_scenario(child).name == "unnamed_child"


def test_classroom_overrides_geometry(scenarios_dir):
    p = load_scenario(scenarios_dir / "classroom.toml").parameters
    assert (p.geometry.n, p.geometry.n_urban, p.geometry.n_metropoles) == (40, 2, 1)
    assert p.geometry.width_km == 120.0
    assert p.geometry.largest_population == 200_000.0
    assert p.update.rule == "logit"


@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=[p.name for p in SHIPPED_SCENARIOS])
def test_every_shipped_scenario_loads(path):
    scenario = load_scenario(path)
    assert scenario.name
    assert scenario.files[0] == path
    assert isinstance(scenario.parameters, Parameters)


def test_shipped_scenarios_exist():
    assert {p.name for p in SHIPPED_SCENARIOS} >= {
        "baseline.toml",
        "fermi_imitation.toml",
        "classroom.toml",
    }


@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=lambda p: p.stem)
def test_each_shipped_scenario_has_a_title_and_description_in_french_and_english(path):
    scenario = load_scenario(path)
    for lang in ("en", "fr"):
        assert scenario.titles[lang].strip() and scenario.descriptions[lang].strip()
    assert scenario.description == scenario.descriptions["en"]
    assert scenario.resolved()["titles"] == scenario.titles


def test_display_title_and_description_are_the_files_own_not_inherited(tmp_path):
    base = write(
        tmp_path / "base.toml",
        'name = "base"\n[title]\nen = "Base"\nfr = "Base FR"\n[description]\nen = "E"\nfr = "F"\n',
    )
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\ndescription = "one text"\n')
    single = write(tmp_path / "single.toml", 'title = "One title"\n')
    assert load_scenario(base).title("fr") == "Base FR"
    scenario = load_scenario(child)
    assert scenario.title("fr") == scenario.title("en") == "child"  # the identifier
    assert scenario.described("fr") == scenario.described("en") == "one text"
    assert load_scenario(single).title("fr") == load_scenario(single).title("en") == "One title"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('title = { en = "Only English" }\n', "title = {'en': 'Only English'}: expected"),
        ("title = 3\n", "title = 3: expected a text, or a table with en and fr texts"),
        ('[description]\nen = "E"\nfr = ""\n', "description.fr = '': expected a non-empty"),
        ('[title]\nen = "E"\nfr = "F"\nde = "D"\n', "table with en and fr texts"),
    ],
)
def test_a_malformed_title_or_description_is_refused_naming_the_file_and_key(tmp_path, text, where):
    path = write(tmp_path / "bad.toml", text)
    message = single_problem(path)
    assert names_file(message, path) and where in message


# ---------------------------------------------------------------------------
# Overrides and --set parsing
# ---------------------------------------------------------------------------


def test_overrides_apply(scenarios_dir):
    scenario = load_scenario(
        scenarios_dir / "baseline.toml",
        {"game.attacker_share": 0.8, "update.rule": "fermi", "services.domains.jobs.demand": 2.0},
    )
    p = scenario.parameters
    assert p.game.attacker_share == 0.8
    assert p.update.rule == "fermi"
    assert p.services.domains["jobs"].demand == 2.0
    assert p.services.domains["jobs"].scaling == 1.15  # the rest of the domain is kept
    assert p.game.attraction == 0.1  # the rest of the group is kept
    assert scenario.overrides == {
        "game.attacker_share": 0.8,
        "update.rule": "fermi",
        "services.domains.jobs.demand": 2.0,
    }
    assert scenario.resolved()["overrides"] == scenario.overrides
    assert scenario.resolved()["parameters"]["game"]["attacker_share"] == 0.8


def test_overrides_accumulate_with_with_parameters(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "baseline.toml", {"game.attacker_share": 0.8})
    again = scenario.with_parameters(**{"run.seed": 3})
    assert again.parameters.run.seed == 3
    assert again.parameters.game.attacker_share == 0.8
    assert again.overrides == {"game.attacker_share": 0.8, "run.seed": 3}
    assert scenario.parameters.run.seed == 20260101  # the original is unchanged
    assert apply_overrides(scenario, {}) is scenario


def test_overrides_are_validated(scenarios_dir):
    message = single_problem(scenarios_dir / "baseline.toml", {"game.attacker_share": 1.8})
    assert "--set game.attacker_share" in message
    assert "1.8" in message
    assert "0.5 ≤ value ≤ 1" in message


def test_override_of_wrong_type_is_rejected(scenarios_dir):
    message = single_problem(scenarios_dir / "baseline.toml", {"geometry.n": "many"})
    assert "geometry.n" in message and "'many'" in message and "int" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x=0.8", ("x", 0.8)),
        ("x=3", ("x", 3)),
        ("x=true", ("x", True)),
        ("x=false", ("x", False)),
        ('x="a"', ("x", "a")),
        ("update.rule=fermi", ("update.rule", "fermi")),
        (" game.attacker_share = 0.8 ", ("game.attacker_share", 0.8)),
        ("x=1e3", ("x", 1000.0)),
    ],
)
def test_parse_assignment(text, expected):
    key, value = parse_assignment(text)
    assert (key, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize("text", ["novalue", "=3", ""])
def test_parse_assignment_rejects_missing_key_or_value(text):
    with pytest.raises(ScenarioError) as info:
        parse_assignment(text)
    assert "KEY=VALUE" in str(info.value)
    assert repr(text) in str(info.value)


def test_unknown_set_key(scenarios_dir):
    message = single_problem(scenarios_dir / "baseline.toml", {"game.attackr_share": 0.8})
    assert "--set game.attackr_share" in message
    assert "unknown parameter" in message
    assert "did you mean 'game.attacker_share'?" in message
    assert "cohesim params" in message


@pytest.mark.parametrize("key", ["game", "game.attacker_share.x", "services.domains.health"])
def test_set_key_that_is_not_a_parameter(scenarios_dir, key):
    message = single_problem(scenarios_dir / "baseline.toml", {key: 1})
    assert f"--set {key}" in message and "unknown parameter" in message


def test_cross_field_error_caused_by_set_names_the_set_option(scenarios_dir):
    # baseline.toml has n_urban = 3, n_metropoles = 1: valid. The --set makes it invalid.
    message = single_problem(scenarios_dir / "baseline.toml", {"geometry.n_metropoles": 5})
    assert "n_metropoles = 5 exceeds n_urban = 3" in message
    assert "--set geometry.n_metropoles" in message
    assert "baseline.toml" not in message


# ---------------------------------------------------------------------------
# One test per kind of mistake
# ---------------------------------------------------------------------------


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path / "s.toml", 'name = "s"\n[gometry]\nn = 50\n')
    message = single_problem(path)
    assert names_file(message, path)
    assert "unknown key gometry" in message
    assert "did you mean 'geometry'?" in message
    assert "the top level" in message
    for allowed in ("extends", "name", "description", "geometry", "game", "update", "run"):
        assert allowed in message


def test_unknown_scalar_top_level_key(tmp_path):
    path = write(tmp_path / "s.toml", "seed = 3\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "unknown key seed" in message and "allowed in the top level" in message


def test_unknown_key_in_group(tmp_path):
    path = write(tmp_path / "s.toml", "[game]\nattacker_shar = 0.8\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "unknown key game.attacker_shar" in message
    assert "did you mean 'attacker_share'?" in message
    assert "allowed in [game]:" in message
    for allowed in ("stake_share", "synergy", "attacker_share", "attraction", "betrayal_loss"):
        assert allowed in message


def test_unknown_key_in_a_change(tmp_path):
    path = write(
        tmp_path / "s.toml",
        '[[changes]]\nyear = 5\nyeer = 6\nset = { "funding.matching_share" = 0.1 }\n',
    )
    message = single_problem(path)
    assert names_file(message, path)
    assert "unknown key changes.0.yeer" in message
    assert "did you mean 'year'?" in message
    assert "allowed in [changes.0]: year, set" in message


def test_unknown_key_in_domain_table(tmp_path):
    path = write(tmp_path / "s.toml", "[services.domains.health]\nscalng = 1.1\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "unknown key services.domains.health.scalng" in message
    assert "did you mean 'scaling'?" in message
    assert "allowed in [services.domains.health]:" in message
    for allowed in ("scaling", "decay_km", "demand", "value", "land_based"):
        assert allowed in message


def test_several_mistakes_are_all_reported(tmp_path):
    path = write(tmp_path / "s.toml", '[game]\nattacker_share = 2.0\n[update]\nrule = "moran"\n')
    problems = load_error(path).problems
    assert len(problems) == 2
    assert any("game.attacker_share = 2.0" in p for p in problems)
    assert any("update.rule = 'moran'" in p for p in problems)
    assert all(names_file(p, path) for p in problems)


@pytest.mark.parametrize(
    ("table", "key", "toml_value", "shown", "allowed"),
    [
        # a string where a number is expected
        ("game", "attacker_share", '"high"', "'high'", "float 0.5 ≤ value ≤ 1"),
        # a float where an int is expected
        ("geometry", "n", "50.5", "50.5", "int 4 ≤ value"),
        ("geometry", "n", "50.0", "50.0", "int 4 ≤ value"),
        # a number where a bool is expected
        ("services.domains.food", "land_based", "1", "1", "true or false"),
        # a string where a bool is expected
        ("services.domains.food", "land_based", '"yes"', "'yes'", "true or false"),
        # a table where a number is expected
        ("game", "synergy", "{ a = 1 }", "{'a': 1}", "float 1 ≤ value ≤ 2"),
    ],
)
def test_wrong_type(tmp_path, table, key, toml_value, shown, allowed):
    path = write(tmp_path / "s.toml", f"[{table}]\n{key} = {toml_value}\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert f"{table}.{key} = {shown}" in message
    assert "is not allowed" in message
    assert f"expected {allowed}" in message


@pytest.mark.parametrize(
    ("table", "key", "value", "allowed"),
    [
        ("game", "attacker_share", "1.5", "float 0.5 ≤ value ≤ 1"),  # too high
        ("game", "attacker_share", "0.2", "float 0.5 ≤ value ≤ 1"),  # too low
        ("geometry", "n", "2", "int 4 ≤ value"),  # too low, int
        ("run", "seed", "-1", "int 0 ≤ value"),  # negative seed
        ("update", "noise", "0.0", "float 0.01 ≤ value ≤ 1"),  # just below the range
        ("services.domains.health", "scaling", "2.0", "float 0.9 ≤ value ≤ 1.25"),
    ],
)
def test_out_of_range(tmp_path, table, key, value, allowed):
    path = write(tmp_path / "s.toml", f"[{table}]\n{key} = {value}\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert f"{table}.{key} = {value}" in message
    assert f"expected {allowed}" in message


def test_range_bounds_are_inclusive(tmp_path):
    path = write(tmp_path / "s.toml", "[game]\nattacker_share = 1.0\n[update]\nnoise = 0.01\n")
    p = load_scenario(path).parameters
    assert (p.game.attacker_share, p.update.noise) == (1.0, 0.01)


def test_bad_choice_for_update_rule(tmp_path):
    path = write(tmp_path / "s.toml", '[update]\nrule = "moran"\n')
    message = single_problem(path)
    assert names_file(message, path)
    assert "update.rule = 'moran'" in message
    assert "one of 'logit', 'fermi', 'imitate_best'" in message


def test_cross_field_n_urban_not_below_n(tmp_path):
    path = write(tmp_path / "s.toml", "[geometry]\nn = 5\nn_urban = 5\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "geometry" in message
    assert "n_urban = 5 must be smaller than n = 5" in message


def test_cross_field_more_metropoles_than_urban_centres(tmp_path):
    path = write(tmp_path / "s.toml", "[geometry]\nn_urban = 2\nn_metropoles = 3\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "geometry" in message
    assert "n_metropoles = 3 exceeds n_urban = 2" in message
    assert "chosen among the urban centres" in message


def test_cross_field_equal_counts_are_fine(tmp_path):
    path = write(tmp_path / "s.toml", "[geometry]\nn = 5\nn_urban = 4\nn_metropoles = 4\n")
    g = load_scenario(path).parameters.geometry
    assert (g.n, g.n_urban, g.n_metropoles) == (5, 4, 4)


def test_missing_extends_target(tmp_path):
    path = write(tmp_path / "s.toml", 'extends = "nowhere.toml"\n')
    message = single_problem(path)
    assert names_file(message, path)
    assert "extends = 'nowhere.toml'" in message
    assert "no such scenario file" in message
    assert str(tmp_path / "nowhere.toml") in message


def test_extends_not_a_string(tmp_path):
    path = write(tmp_path / "s.toml", "extends = 3\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "extends = 3" in message and "string" in message


def test_circular_extends_between_two_files(tmp_path):
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    message = single_problem(a)
    assert "cycle" in message
    assert "a.toml → b.toml → a.toml" in message
    assert names_file(message, tmp_path / "b.toml")  # the file whose extends closes the cycle


def test_file_extending_itself(tmp_path):
    path = write(tmp_path / "self.toml", 'extends = "self.toml"\n')
    message = single_problem(path)
    assert names_file(message, path)
    assert "cycle" in message
    assert "self.toml → self.toml" in message


def test_invalid_toml_syntax(tmp_path):
    path = write(tmp_path / "s.toml", "[game\nattacker_share = 0.8\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "not valid TOML" in message
    assert "line 1" in message


def test_invalid_toml_in_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "parent.toml", "[game]\nattacker_share = \n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n')
    message = single_problem(child)
    assert names_file(message, parent)
    assert "not valid TOML" in message


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "missing.toml"
    message = single_problem(path)
    assert names_file(message, path)
    assert "no such scenario file" in message


def test_scenario_path_that_is_a_folder(tmp_path):
    message = single_problem(tmp_path)
    assert names_file(message, tmp_path)


def test_name_must_be_a_string(tmp_path):
    path = write(tmp_path / "s.toml", "name = 3\n")
    message = single_problem(path)
    assert names_file(message, path)
    assert "name = 3" in message and "string" in message


def test_bad_value_inherited_from_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "base" / "parent.toml", "[game]\nattacker_share = 3.0\n")
    # the child writes another key of the same table, so the table itself is in both files
    child = write(
        tmp_path / "child.toml",
        'extends = "base/parent.toml"\nname = "child"\n[game]\nattraction = 0.2\n',
    )
    message = single_problem(child)
    assert names_file(message, parent)
    assert not names_file(message, child)
    assert "game.attacker_share = 3.0" in message
    assert "float 0.5 ≤ value ≤ 1" in message


def test_bad_domain_value_inherited_from_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "parent.toml", "[services.domains.health]\ndecay_km = 500.0\n")
    child = write(
        tmp_path / "child.toml",
        'extends = "parent.toml"\n[services.domains.health]\nscaling = 1.0\n',
    )
    message = single_problem(child)
    assert names_file(message, parent)
    assert not names_file(message, child)
    assert "services.domains.health.decay_km = 500.0" in message


def test_unknown_key_inherited_from_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "parent.toml", "[update]\nrul = 'fermi'\n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n[update]\nnoise = 0.2\n')
    message = single_problem(child)
    assert names_file(message, parent)
    assert not names_file(message, child)
    assert "unknown key update.rul" in message and "did you mean 'rule'?" in message


def test_child_fixes_a_bad_parent_value(tmp_path):
    write(tmp_path / "parent.toml", "[game]\nattacker_share = 3.0\n")
    child = write(
        tmp_path / "child.toml", 'extends = "parent.toml"\n[game]\nattacker_share = 0.9\n'
    )
    assert load_scenario(child).parameters.game.attacker_share == 0.9


def test_bad_value_in_child_over_valid_parent_names_the_child(tmp_path, scenarios_dir):
    child = write(
        tmp_path / "child.toml",
        f'extends = "{scenarios_dir / "baseline.toml"}"\n[update]\nrule = "moran"\n',
    )
    message = single_problem(child)
    assert names_file(message, child)
    assert "baseline.toml" not in message


def test_cross_field_error_inherited_from_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "parent.toml", "[geometry]\nn_urban = 2\nn_metropoles = 3\n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n[geometry]\nwidth_km = 99.0\n')
    message = single_problem(child)
    assert "n_metropoles = 3 exceeds n_urban = 2" in message
    assert names_file(message, parent)
    assert not names_file(message, child)


def _just_outside(info) -> list[str]:
    """TOML values just outside a numeric parameter's declared range."""
    step = 1 if info.type == "int" else 1e-3 * max(1.0, abs(info.maximum or info.minimum or 1))
    values = []
    for bound, sign in ((info.minimum, -1), (info.maximum, +1)):
        if bound is not None:
            outside = bound + sign * step
            values.append(str(int(outside)) if info.type == "int" else repr(float(outside)))
    return values


@pytest.mark.parametrize(
    "info",
    [p for p in parameter_table() if p.type in ("int", "float") and "." in p.path],
    ids=lambda p: p.path,
)
def test_every_declared_parameter_refuses_values_outside_its_range(tmp_path, info):
    """Each numeric parameter, old or new, names itself and its range when a value is out."""
    table, key = info.path.rsplit(".", 1)
    for value in _just_outside(info):
        path = write(tmp_path / "s.toml", f"[{table}]\n{key} = {value}\n")
        message = single_problem(path)
        assert names_file(message, path)
        assert f"{info.path} = {value}" in message, message
        assert info.allowed() in message, message

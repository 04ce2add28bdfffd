"""The outcome declarations and the labels: complete, consistent with what the models record."""

import pytest

from cohesim.experiments import build_model, load_scenario
from cohesim.experiments.outcome_reference import update_page
from cohesim.model import Parameters, TerritoryModel, labels, outcomes
from cohesim.model.kinds import KINDS, STRUCTURE_KINDS
from cohesim.model.registry import EXIT_CAUSES

from helpers import metrics_row


def test_the_policy_model_records_exactly_the_declared_outcomes_in_order():
    model = TerritoryModel(rng=1)
    model.run(2)
    recorded = [c for c in model.metrics_frame().columns if c not in outcomes.INDEX_COLUMNS]
    assert recorded == list(outcomes.policy_columns(model.domain_names, STRUCTURE_KINDS))


@pytest.mark.parametrize("outcome", outcomes.OUTCOMES.values(), ids=lambda o: o.name)
def test_every_outcome_is_fully_declared(outcome):
    assert outcome.reported in outcomes.REPORTED
    assert outcome.better in ("higher", "lower", None)
    assert outcome.unit and outcome.group
    assert outcome.label("en") and outcome.label("fr")
    assert outcome.label("en") != outcome.name


def test_pattern_outcomes_read_their_words_from_the_labels():
    assert outcomes.outcome_label("access_health", "fr") == "accès : santé"
    assert outcomes.outcome_label("structures_active_syndicat", "fr").endswith("syndicat mixte")
    assert outcomes.outcome_label("access_culture", "en") == "access: culture"
    with pytest.raises(KeyError, match="'nonsense' is not a declared outcome"):
        outcomes.outcome("nonsense")


@pytest.mark.parametrize(
    ("keys", "table"),
    [
        (KINDS, labels.TERRITORY_KINDS),
        (STRUCTURE_KINDS, labels.STRUCTURE_KINDS),
        (EXIT_CAUSES, labels.EXIT_CAUSES),
        (("cooperate", "compete"), labels.STRATEGIES),
    ],
    ids=["territory kinds", "structure kinds", "exit causes", "strategies"],
)
def test_every_category_has_words_in_both_languages(keys, table):
    assert set(keys) == set(table)
    for key in keys:
        assert labels.label(key, "en") == table[key][0] and table[key][1]


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language 'de' is not one of en, fr"):
        labels.label("rural", "de")


@pytest.mark.parametrize(
    "file", ["baseline.toml", "validation/nowak_may.toml", "validation/institutional_reward.toml"]
)
def test_each_model_computes_every_column_it_declares(file, scenarios_dir):
    scenario = load_scenario(scenarios_dir / file).with_parameters(**{"run.steps": 1})
    model = build_model(scenario)
    model.step()
    frame = model.metrics_frame()
    assert list(frame.columns) == [*outcomes.INDEX_COLUMNS, *outcomes.recorded(scenario.parameters)]
    # a declared column the model never computed would come out empty
    assert not frame.iloc[1:].isna().any().any()


def test_recording_an_undeclared_outcome_is_an_error():
    rows = [{"step": 0, "year": 0, "cooperation_rate": 0.5, "made_up": 1.0}]
    with pytest.raises(
        RuntimeError, match=r"not declared in cohesim.model.outcomes: \['made_up'\]"
    ):
        outcomes.records_frame(rows, Parameters())


def test_the_outcome_table_in_the_model_page_matches_the_declarations(repo_root):
    page = (repo_root / "docs" / "model.md").read_text()
    assert page == update_page(page), "regenerate it: cohesim docs outcomes"
    for o in outcomes.OUTCOMES.values():
        assert o.meaning in page


def test_the_urban_rural_outcome_compared_is_lower_when_closer_to_parity():
    # defect 3 of the science review: the ratio is below 1 in every scenario (rural territories
    # ahead), so treating a lower ratio as better called a wider gap an improvement
    import numpy as np

    from cohesim.analysis.comparison import WINDOWED
    from cohesim.model.kinds import RURAL, URBAN

    kind = np.array([URBAN, RURAL])
    population = np.array([1.0, 1.0])

    def divergence(urban, rural):
        return metrics_row(np.array([urban, rural]), population, kind)["urban_rural_divergence"]

    assert divergence(80.0, 100.0) == pytest.approx(divergence(100.0, 80.0))
    assert divergence(86.7, 100.0) > divergence(87.9, 100.0)  # towards parity is better
    assert divergence(100.0, 100.0) == 0.0
    assert outcomes.OUTCOMES["urban_rural_divergence"].better == "lower"
    assert outcomes.OUTCOMES["urban_rural_gap"].better is None
    assert "urban_rural_divergence" in WINDOWED and "urban_rural_gap" not in WINDOWED

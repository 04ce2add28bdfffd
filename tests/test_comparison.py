"""Paired scenario comparisons through the Python API."""

import numpy as np
import pytest

from cohesim.analysis.comparison import (
    COLUMNS,
    comparison_table,
    replicate_seeds,
    run_comparison,
    window_values,
)


@pytest.fixture(scope="module")
def self_comparison(scenarios_dir):
    classroom = scenarios_dir / "classroom.toml"
    funded = scenarios_dir / "funding_and_engineering.toml"
    return run_comparison([classroom, classroom, funded], replicates=3, steps=14, seed=5)


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(self_comparison):
    table = comparison_table(self_comparison)
    assert tuple(table.columns) == COLUMNS
    twin = table[(table["scenario"] == "classroom#2") & (table["metric"] != "cost_per_gini_point")]
    assert len(twin) > 10
    assert (twin[["diff", "diff_ci_low", "diff_ci_high"]] == 0.0).all().all()
    first = table[table["scenario"] == "classroom"].set_index("metric")
    assert (first.drop(index="cost_per_gini_point")["diff"] == 0.0).all()
    assert np.isnan(first.loc["cost_per_gini_point", "mean"])  # no reduction against itself


def test_replicates_share_seeds_across_scenarios(self_comparison):
    seeds = {name: [r.seed for r in runs] for name, runs in self_comparison.runs.items()}
    assert len({tuple(s) for s in seeds.values()}) == 1
    assert list(self_comparison.seeds) == replicate_seeds(5, 3)
    a = self_comparison.runs["classroom"][1].timeseries
    assert a.equals(self_comparison.runs["classroom#2"][1].timeseries)  # same seed, same run
    assert not a.equals(self_comparison.runs["classroom"][0].timeseries)


def test_window_is_the_mean_of_the_last_policy_years():
    import pandas as pd

    ts = pd.DataFrame(
        {
            "step": np.arange(15),
            "year": np.arange(-2, 13),
            "gini": np.arange(15, dtype=float),
            "public_spending_cumulative": np.arange(15, dtype=float) * 10,
        }
    )
    values = window_values(ts, window=4)
    assert values["gini"] == pytest.approx(np.mean([11, 12, 13, 14]))
    assert values["public_spending_cumulative"] == 140.0
    short = window_values(ts.iloc[:5], window=10)  # years −2..2: policy years 0, 1, 2
    assert short["gini"] == pytest.approx(3.0)

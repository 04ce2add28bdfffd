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


def _ci(table, scenario, metric):
    row = table[(table["scenario"] == scenario) & (table["metric"] == metric)].iloc[0]
    return row["diff"], row["diff_ci_low"], row["diff_ci_high"]


def test_a_scenario_of_another_region_is_compared_unpaired_with_welch_intervals(self_comparison):
    # issue "what a newcomer hit": classroom (40 territories) and a baseline-region policy
    # (100 territories) share seeds but not worlds; pairing them by seed was meaningless
    from scipy import stats

    from cohesim.analysis.comparison import replicate_values

    assert self_comparison.unpaired == {"funding_and_engineering"}
    assert self_comparison.paired("classroom#2") and not self_comparison.paired(
        "funding_and_engineering"
    )
    table = comparison_table(self_comparison)
    values = replicate_values(self_comparison)
    gini = values[values["metric"] == "gini"].pivot(
        index="replicate", columns="scenario", values="value"
    )
    welch = stats.ttest_ind(gini["funding_and_engineering"], gini["classroom"], equal_var=False)
    diff, lo, hi = _ci(table, "funding_and_engineering", "gini")
    expected = welch.confidence_interval()
    assert diff == pytest.approx(gini["funding_and_engineering"].mean() - gini["classroom"].mean())
    assert (lo, hi) == pytest.approx((expected.low, expected.high))


def test_scenarios_of_one_region_are_compared_paired_by_seed(scenarios_dir):
    from scipy import stats

    from cohesim.analysis.comparison import replicate_values

    baseline = scenarios_dir / "baseline.toml"
    policy = scenarios_dir / "funding_and_engineering.toml"
    comparison = run_comparison([baseline, policy], replicates=3, steps=13, seed=2)
    assert comparison.unpaired == frozenset()
    values = replicate_values(comparison)
    gini = values[values["metric"] == "gini"].pivot(
        index="replicate", columns="scenario", values="value"
    )
    paired = stats.ttest_rel(gini["funding_and_engineering"], gini["baseline"])
    expected = paired.confidence_interval()
    _, lo, hi = _ci(comparison_table(comparison), "funding_and_engineering", "gini")
    assert (lo, hi) == pytest.approx((expected.low, expected.high))

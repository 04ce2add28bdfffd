"""The stylised facts page's experiments on small inputs: ramp, starts, hazards, cost."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from cohesim.analysis import hysteresis
from cohesim.analysis.lever_experiments import (
    cost_per_structure_year,
    funding_engineering_lines,
    structure_years,
    visibility_effects,
)
from cohesim.analysis.survival import hazard_change, seed_bootstrap, window_hazard
from cohesim.experiments import load_scenario
from cohesim.model import Parameters

from helpers import SCENARIOS


def test_ramp_schedule_goes_up_and_back_down():
    schedule = hysteresis.ramp_schedule([0.0, 0.4, 0.8], hold=5, lead_in=20)
    assert list(schedule["branch"]) == ["up", "up", "up", "down", "down"]
    assert list(schedule["value"]) == [0.0, 0.4, 0.8, 0.4, 0.0]
    assert list(schedule["start"]) == [0, 20, 25, 30, 35]
    assert list(schedule["stop"]) == [20, 25, 30, 35, 40]
    with pytest.raises(ValueError, match="hold = 1"):
        hysteresis.ramp_schedule([0.0, 0.5], hold=1, lead_in=20)
    with pytest.raises(ValueError, match="lead_in = 3"):
        hysteresis.ramp_schedule([0.0, 0.5], hold=5, lead_in=3)


def test_ramp_parameters_put_the_lever_in_force_year_by_year():
    schedule = hysteresis.ramp_schedule([0.0, 0.4, 0.8], hold=5, lead_in=20)
    base = Parameters()
    ramp = hysteresis.ramp_parameters(base, hysteresis.LEVER, schedule)
    assert ramp.run.steps == base.run.burn_in + 40
    in_force = [ramp.at_year(y).funding.matching_share for y in (0, 19, 20, 25, 29, 30, 35, 39)]
    assert in_force == [0.0, 0.0, 0.4, 0.8, 0.8, 0.4, 0.0, 0.0]
    assert ramp.at_year(-1).funding.matching_share == 0.0  # the burn-in has no policy


def _ramp_table(gap_by_seed):
    """Up at 0.5 × value; down higher by ``gap`` at every value but the top."""
    rows = []
    for seed, gap in enumerate(gap_by_seed):
        for value in (0.0, 0.5, 1.0):
            rows.append({"seed": seed, "branch": "up", "value": value, "c": 0.5 * value})
        for value in (0.5, 0.0):
            rows.append({"seed": seed, "branch": "down", "value": value, "c": 0.5 * value + gap})
    return pd.DataFrame(rows)


def test_branch_gaps_and_loop_area_are_paired_by_seed():
    table = _ramp_table([0.18, 0.2, 0.22])
    gaps = hysteresis.branch_gaps(table, "c").set_index("value")
    assert list(gaps.index) == [0.0, 0.5]  # the top is on the up branch only
    assert gaps.loc[0.5, "gap"][0] == pytest.approx(0.2)
    assert gaps.loc[0.0, "gap"][1] > 0  # every seed's gap is positive
    # a constant gap g over ρ in [0, 0.5] gives an area of 0.5 g
    np.testing.assert_allclose(hysteresis.loop_areas(table, "c"), [0.09, 0.1, 0.11])


def _starts(gaps):
    """Two settings × windows; ``gaps[(setting, window)]`` per seed (start 1 minus start 0)."""
    rows = []
    for (setting, window), per_seed in gaps.items():
        for seed, gap in enumerate(per_seed):
            for start, c in ((1.0, 0.5 + gap), (0.0, 0.5)):
                rows.append(
                    {"setting": setting, "window": window, "start": start, "seed": seed}
                    | {"cooperation_rate": c}
                )
    return pd.DataFrame(rows)


def test_bistability_needs_a_lasting_gap_of_stated_size():
    early, late = ("{}–{}".format(*w) for w in hysteresis.WINDOWS)
    table = _starts(
        {
            ("stays", early): [0.2, 0.21, 0.19],
            ("stays", late): [0.2, 0.22, 0.18],
            ("fades", early): [0.2, 0.21, 0.19],
            ("fades", late): [0.01, -0.01, 0.0],
            ("tiny", early): [0.01, 0.012, 0.011],
            ("tiny", late): [0.01, 0.012, 0.011],
        }
    )
    stable, fading = hysteresis.bistable_settings(table)
    assert stable == ["stays"]
    assert fading == ["fades"]  # "tiny" excludes zero but is below MIN_GAP


def _lives(durations, ended):
    return pd.DataFrame({"duration": durations, "ended": ended})


def test_window_hazard_averages_over_the_ages_of_the_window():
    from cohesim.analysis.survival import kaplan_meier

    # 4 structures: one ends at 1, two at 3, one still alive at 5
    curve = kaplan_meier(np.array([1, 3, 3, 5]), np.array([True, True, True, False]))
    assert window_hazard(curve, 0, 1) == pytest.approx((1 / 4) / 2)
    assert window_hazard(curve, 3, 4) == pytest.approx((2 / 3) / 2)
    with pytest.raises(ValueError, match="empty"):
        window_hazard(curve, 3, 2)


def test_hazard_change_is_bootstrapped_over_seeds():
    # every seed: 4 structures, none ends during 0..2, two end at age 3
    lives = [_lives([3, 3, 8, 8], [True, True, False, False]) for _ in range(4)]
    change, low, high = hazard_change(lives, (0, 2), (3, 6), resamples=200)
    assert change == pytest.approx((2 / 4) / 4)
    assert low == pytest.approx(change) and high == pytest.approx(change)  # identical seeds
    mixed = lives[:2] + [_lives([8, 8], [False, False])] * 2
    change, low, high = hazard_change(mixed, (0, 2), (3, 6), resamples=200)
    assert low < change < high


def test_seed_bootstrap_is_reproducible_and_rejects_no_seeds():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    first = seed_bootstrap(lambda p: values[p].mean(), 4, resamples=300)
    assert first == seed_bootstrap(lambda p: values[p].mean(), 4, resamples=300)
    assert first[0] == 2.5 and first[1] < 2.5 < first[2]
    with pytest.raises(ValueError, match="at least one seed"):
        seed_bootstrap(lambda p: 0.0, 0)


def test_structure_years_count_policy_years_only():
    inventory = pd.DataFrame(
        {"year_formed": [-5, 2, 10, 28], "year_dissolved": [4, 6, np.nan, np.nan]}
    )
    # 4 (from 0) + 4 + 20 (to the end, 30) + 2
    assert structure_years(inventory, 30) == 30.0


@dataclass
class FakeRuns:
    timeseries: list = field(default_factory=list)
    inventories: list = field(default_factory=list)

    def series(self, column):
        return pd.concat([t.set_index("year")[column] for t in self.timeseries], axis=1)


def _run(spending, formed, dissolved, end=10):
    years = np.arange(-2, end + 1)
    ts = pd.DataFrame(
        {
            "year": years,
            "public_spending_cumulative": np.linspace(0, spending, len(years)),
            "cooperation_rate": 0.5,
            "structures_active": float(len(formed)),
        }
    )
    inventory = pd.DataFrame(
        {
            "structure_id": np.arange(len(formed)),
            "kind": "syndicat",
            "year_formed": formed,
            "year_dissolved": dissolved,
        }
    )
    return ts, inventory


def test_cost_per_structure_year_is_a_ratio_of_sums_over_seeds():
    lever, base = FakeRuns(), FakeRuns()
    for spending in (100.0, 300.0):
        ts, inv = _run(spending, [0, 0], [5.0, np.nan])  # 5 + 10 structure-years
        lever.timeseries.append(ts)
        lever.inventories.append(inv)
        ts, inv = _run(0.0, [0], [5.0])  # 5 structure-years
        base.timeseries.append(ts)
        base.inventories.append(inv)
    cost = cost_per_structure_year(lever, base, resamples=200)
    assert cost["per_year"][0] == pytest.approx(400 / 30)
    assert cost["per_added_year"][0] == pytest.approx(400 / 20)
    assert cost["per_year"][1] <= cost["per_year"][0] <= cost["per_year"][2]
    nothing = cost_per_structure_year(base, base, resamples=50)
    assert np.isnan(nothing["per_year"][0])  # no public money: no cost per structure-year


def test_visibility_effects_pair_seeds():
    rows = []
    for seed in range(3):
        for high, omega in ((False, 0.0), (True, 1.0)):
            rows.append(
                {"scenario": "baseline", "omega": omega, "high": high, "seed": seed}
                | {"cooperation_rate": 0.3 + seed * 0.1 + 0.05 * high}
                | {"structures_active": 2.0}
            )
    effect = visibility_effects(pd.DataFrame(rows))["baseline"]
    assert effect["cooperation_rate"] == pytest.approx((0.05, 0.05, 0.05))
    assert effect["structures_active"] == (0.0, 0.0, 0.0)


def test_funding_engineering_verdicts_follow_the_numbers():
    def runs(formed_per_seed, cooperation, lifetime):
        out = FakeRuns()
        for seed, count in enumerate(formed_per_seed):
            ts, inv = _run(0.0, [0] * count, [float(lifetime)] * count, end=30)
            ts["cooperation_rate"] = cooperation + 0.01 * seed
            ts["structures_active"] = float(count)
            out.timeseries.append(ts)
            out.inventories.append(inv)
        return out

    results = {
        "baseline": runs([2, 3, 2], 0.30, 2),
        "engineering_support": runs([3, 3, 4], 0.35, 8),
        "matching_fund": runs([20, 22, 21], 0.60, 4),
        "funding_and_engineering": runs([40, 41, 45], 0.80, 4),
    }
    text = "\n".join(funding_engineering_lines(results, 3, 3, "![f](f.png)"))
    assert "More formations with funding alone" in text
    assert "matching_fund minus baseline, +18.7" in text
    assert "**4 of 4 predictions hold" in text  # every structure of a funded run ends at 4


def test_ramp_runs_are_reproducible_on_a_short_ramp():
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    first = hysteresis.ramp_runs(baseline, [0], hold=2, values=[0.0, 0.8])
    assert list(zip(first["branch"], first["value"], strict=True)) == [
        ("up", 0.0),
        ("up", 0.8),
        ("down", 0.0),
    ]
    assert first.equals(hysteresis.ramp_runs(baseline, [0], hold=2, values=[0.0, 0.8]))
    # the top of the ramp draws cooperation up from the lead-in's level
    top = first.loc[first["value"] == 0.8, "cooperation_rate"].item()
    assert (
        top
        > first.loc[(first["branch"] == "up") & (first["value"] == 0.0)].iloc[0]["cooperation_rate"]
    )


def test_validation_page_labels_only_quoted_values_published():
    """Science review §5 item 8: derived or simulated references are not called published."""
    from cohesim.analysis import validation_report as report

    spread = report.Spread(0.3, 0.01, 2)
    results = {
        "seeds": 2,
        "nowak_may": dict.fromkeys(report.NOWAK_MAY_B, spread),
        "nowak_may_without_self": report.Spread(0.04, 0.01, 2),
        "reward": dict.fromkeys(report.REWARD_BUDGETS, spread),
        "fine": dict.fromkeys((0.46, 0.5), spread),
        "snowdrift": dict.fromkeys(report.SNOWDRIFT, spread),
        "fermi_seconds": 1.0,
    }
    rows = [line for line in report.render(results).splitlines() if line.startswith("| ")]
    published = [row for row in rows if "published" in row]
    assert published and all(
        row.endswith("| 0.318 (published) |") and 1.8 < float(row.split("|")[1]) < 2
        for row in published
    )
    assert sum("(simulated)" in row for row in rows) == 2  # b = 2.01, no self-interaction
    assert "| δ | model | replicator | derived |" in rows


def test_the_order_of_levers_over_noise_is_computed_from_the_table():
    from cohesim.analysis.noise_sensitivity import lever_orders, noise_lines

    rows = []
    effects = {
        0.1: {"engineering_support": 0.1, "matching_fund": 0.3, "funding_and_engineering": 0.5},
        0.5: {"engineering_support": 0.2, "matching_fund": 0.1, "funding_and_engineering": 0.0},
    }
    for noise, levers in effects.items():
        for seed in range(3):
            rows.append(
                {
                    "scenario": "baseline",
                    "noise": noise,
                    "seed": seed,
                    "cooperation_rate": 0.2,
                    "structures_active": 0.0,
                }
            )
            for name, effect in levers.items():
                rows.append(
                    {
                        "scenario": name,
                        "noise": noise,
                        "seed": seed,
                        "cooperation_rate": 0.2 + effect,
                        "structures_active": 0.0,
                    }
                )
    table = pd.DataFrame(rows)
    orders = lever_orders(table)
    assert orders[0.1] == ("funding_and_engineering", "matching_fund", "engineering_support")
    assert orders[0.5] == ("engineering_support", "matching_fund", "funding_and_engineering")
    text = "\n".join(noise_lines(table))
    assert "holds at 1 of 2 values of K; it differs at K = 0.5" in text

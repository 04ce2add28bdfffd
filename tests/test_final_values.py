"""One definition of a run's final value, shared by `cohesim run`, sweeps and comparisons.

docs/analysis.md ("Final values") defines it; :func:`cohesim.model.outcomes.final_values`
computes it. These tests check the rule on a table made by hand, then that the run summary, a
sweep's runs table and a comparison report the same numbers for the same run.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest

from cohesim.analysis.comparison import Comparison, RunTables, comparison_table
from cohesim.experiments import load_runs, run_sweep
from cohesim.experiments.results import read_run
from cohesim.experiments.sweep import run_seed
from cohesim.experiments.sweep_store import read_manifest
from cohesim.model.outcomes import final_values, final_window_rows, outcome_label

from helpers import copy_scenarios, invoke, write

BURN_IN = 10  # baseline.toml's run.burn_in, which classroom.toml extends
STEPS = BURN_IN + 14  # policy years 0..14: more than the default window of 10
LEVER = "engineering.state_support"
EXPERIMENT = f"""
name = "one_point"
scenarios = ["../scenarios/classroom.toml"]
design = "grid"
replicates = 1
seed = 3
steps = {STEPS}

[parameters]
"{LEVER}" = [0.25]
"""


def by_hand(burn_in: int, steps: int) -> pd.DataFrame:
    """A metrics frame whose Gini is its step number and whose spending grows by 10 a year."""
    step = np.arange(steps + 1)
    return pd.DataFrame(
        {
            "step": step,
            "year": step - burn_in,
            "gini": step.astype(float),
            "public_spending_cumulative": 10.0 * step,
        }
    )


def test_final_value_averages_the_last_policy_years_and_reads_totals_at_the_end():
    values = final_values(by_hand(burn_in=3, steps=20), window=4)
    assert values["gini"] == pytest.approx(np.mean([17, 18, 19, 20]))
    assert values["public_spending_cumulative"] == 200.0  # a total: its last year


def test_final_window_excludes_the_burn_in_and_the_initial_state():
    # 3 policy years (0, 1, 2) after a burn-in of 5: the window of 10 is capped to them
    assert final_window_rows(by_hand(burn_in=5, steps=7), 10)["year"].tolist() == [0, 1, 2]
    # without burn-in, year 0 is the initial state, which no step produced
    assert final_window_rows(by_hand(burn_in=0, steps=3), 10)["step"].tolist() == [1, 2, 3]
    # no policy year at all: the run is read at its last recorded year
    assert final_window_rows(by_hand(burn_in=5, steps=2), 10)["step"].tolist() == [2]
    assert final_window_rows(by_hand(burn_in=0, steps=0), 10)["step"].tolist() == [0]


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    """The same run made three ways: by `cohesim run`, by a sweep, and kept for a comparison."""
    root = tmp_path_factory.mktemp("final")
    copy_scenarios(root)
    experiment = write(root / "experiments" / "one_point.toml", EXPERIMENT)
    sweep = run_sweep(experiment, root / "sweep", workers=1)
    seed = run_seed(3, 0, 0, 0)
    out = root / "run"
    printed = invoke(
        "run",
        root / "scenarios" / "classroom.toml",
        "--steps",
        STEPS,
        "--seed",
        seed,
        "--set",
        f"{LEVER}=0.25",
        "--out",
        out,
    )
    assert printed.exit_code == 0, printed.stderr
    return sweep, out, printed.stdout


def summary_value(stdout: str, label: str) -> float:
    """The "final value" column of one row of `cohesim run`'s summary table."""
    row = next(line for line in stdout.splitlines() if label in line)
    return float(re.findall(r"-?\d+\.\d+", row.replace(",", ""))[-1])


def test_run_summary_sweep_and_comparison_agree_on_a_run(one_run):
    sweep, out, stdout = one_run
    run = read_run(out)
    window = run.manifest["scenario"]["parameters"]["metrics"]["final_window"]
    expected = final_values(run.timeseries, window)
    assert window < STEPS - BURN_IN  # the window does not reach back to the burn-in

    row = load_runs(sweep).iloc[0]
    assert row["seed"] == run.manifest["seed"]
    grants = run.manifest["scenario"]["parameters"]["funding"]["grant_years"]
    comparison = Comparison(
        ("classroom",), ("",), 0, (row["seed"],), (STEPS,), {"classroom": []}, window
    )
    comparison.runs["classroom"].append(
        RunTables(row["seed"], run.timeseries, run.inventory, grants)
    )
    compared = comparison_table(comparison).set_index("metric")["mean"]

    for metric in ("gini", "cooperation_rate", "welfare_mean", "public_spending_cumulative"):
        assert row[metric] == pytest.approx(expected[metric], rel=1e-12), metric
        assert compared[metric] == pytest.approx(expected[metric], rel=1e-12), metric
    shown = summary_value(stdout, outcome_label("gini", "en"))
    assert shown == pytest.approx(expected["gini"], abs=5e-4)
    # a window mean, not the last year (they differ on this run)
    assert expected["gini"] != run.timeseries["gini"].iloc[-1]


def test_results_folders_name_their_final_values(one_run):
    sweep, out, stdout = one_run
    for manifest in (read_manifest(sweep), json.loads((out / "manifest.json").read_text())):
        entry = manifest["final_values"]
        assert entry["window_years"] == 10
        assert "docs/analysis.md" in entry["definition"]
    assert "final value: mean over years 5–14" in stdout


def test_a_comparison_refuses_scenarios_that_average_different_windows(scenarios_dir):
    from cohesim.analysis.comparison import run_comparison
    from cohesim.experiments import load_scenario

    base = load_scenario(scenarios_dir / "classroom.toml")
    other = base.with_parameters(**{"metrics.final_window": 5})
    with pytest.raises(ValueError, match=r"different final windows .*'classroom': 10"):
        run_comparison([base, other], replicates=1, steps=1)
    # a window chosen for the comparison applies to both
    assert run_comparison([base, other], replicates=1, steps=1, window=5).window == 5

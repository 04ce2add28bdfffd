"""Calibration: target statistics from a sweep, rejection ABC, re-runs, the `calibrate` command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cohesim.analysis.calibration import (
    abc_reject,
    calibrate,
    distances,
    metropole_cooperations,
    screening_table,
)
from cohesim.analysis.calibration_targets import (
    STATISTICS,
    TARGETS,
    CalibrationTarget,
    point_statistics,
    run_statistics,
    targets,
)
from cohesim.experiments import load_runs, read_manifest, run_sweep
from cohesim.experiments.designs import design_points
from cohesim.experiments.experiment_file import Experiment, Factor, load_experiment
from cohesim.experiments.reruns import ReproductionError, rerun, scenario_sizes
from cohesim.experiments.results import ResultsError
from cohesim.model.parameters import lookup

from helpers import SCENARIOS, copy_scenarios, invoke, write

REPO = SCENARIOS.parent
DOCS = REPO / "docs" / "calibration.md"
SHIPPED = ("calibration.toml", "calibration_screening.toml", "calibration_synthetic.toml")

# Three small synthetic "regions" standing in for France and its two halves.
REGION = 'extends = "{base}"\nname = "{name}"\n[geometry]\nn = {n}\nn_urban = 2\nn_metropoles = 1\n'
PARAMETERS = """
[parameters]
"structures.syndicat.synergy" = { min = 1.1, max = 1.8 }
"foresight.continuation" = { min = 0.3, max = 0.9 }
"game.spillback" = { min = 0.25, max = 1.5 }
"""


def _regions(folder: Path) -> list[str]:
    base = (SCENARIOS / "high_competition.toml").as_posix()  # cooperation mostly a minority
    names = []
    for name, n in (("whole", 30), ("north", 20), ("south", 24)):
        write(folder / f"{name}.toml", REGION.format(base=base, name=name, n=n))
        names.append(f"{name}.toml")
    return names


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """A tiny calibration sweep: 6 LHS points × 3 regions × 2 replicates, 6 years."""
    root = tmp_path_factory.mktemp("calibration")
    names = _regions(root)
    experiment = write(
        root / "tiny.toml",
        f'name = "tiny"\nscenarios = {names!r}\ndesign = "lhs"\nsamples = 6\n'
        f"replicates = 2\nsteps = 6\nseed = 5\n{PARAMETERS}".replace("'", '"'),
    )
    return run_sweep(experiment, root / "sweep", workers=1)


# ---------------------------------------------------------------------------
# Target statistics from a sweep folder
# ---------------------------------------------------------------------------


def test_statistics_are_final_counts_per_territory(sweep):
    runs = load_runs(sweep)
    sizes = scenario_sizes(sweep)
    assert sizes["territories"].to_dict() == {"whole": 30, "north": 20, "south": 24}
    assert sizes["metropoles"].tolist() == [1, 1, 1]
    stats = run_statistics(runs, sizes).set_index("run_id")
    n = runs.set_index("run_id")["scenario"].map({"whole": 30, "north": 20, "south": 24})
    ok = runs.set_index("run_id")
    assert len(stats) == (runs["status"] == "ok").sum() == len(runs)
    np.testing.assert_allclose(
        stats["syndicats_per_territory"], ok["structures_active_syndicat"] / n
    )
    np.testing.assert_allclose(stats["poles_per_territory"], ok["structures_active_pole"] / n)
    np.testing.assert_allclose(stats["cooperation_rate"], ok["cooperation_rate"])


def test_sizes_refuse_a_sweep_that_varies_the_territories(tmp_path):
    names = _regions(tmp_path)
    experiment = write(
        tmp_path / "sizes.toml",
        f'scenario = "{names[0]}"\nsteps = 1\nseed = 1\n[parameters]\n"geometry.n" = [20, 30]\n',
    )
    folder = run_sweep(experiment, tmp_path / "sweep", workers=1)
    with pytest.raises(ResultsError, match=r"varies geometry\.n: the territories differ"):
        scenario_sizes(folder)


def test_point_statistics_average_the_replicates(sweep):
    stats = run_statistics(load_runs(sweep), scenario_sizes(sweep))
    points = point_statistics(stats, "north")
    part = stats[stats["scenario"] == "north"]
    for point_id, row in points.iterrows():
        mine = part[part["point_id"] == point_id]
        assert len(mine) == 2
        assert row["cooperation_rate"] == pytest.approx(mine["cooperation_rate"].mean())
    with pytest.raises(ResultsError, match="no successful run of scenario 'east'"):
        point_statistics(stats, "east")


def test_statistics_refuse_a_table_without_the_columns(sweep):
    runs = load_runs(sweep).drop(columns=["structures_active_pole"])
    with pytest.raises(ResultsError, match="no column structures_active_pole"):
        run_statistics(runs, scenario_sizes(sweep))


def test_failed_runs_do_not_count(sweep):
    runs = load_runs(sweep)
    runs.loc[0, "status"] = "error"
    stats = run_statistics(runs, scenario_sizes(sweep))
    assert runs.loc[0, "run_id"] not in set(stats["run_id"])


# ---------------------------------------------------------------------------
# Rejection ABC on a toy simulator whose truth is known
# ---------------------------------------------------------------------------

TRUTH = {"x": 0.5, "y": 1.2}
PRIOR_WIDTH = {"x": 0.95, "y": 2.0}


def _toy(samples: int = 2000, seed: int = 3) -> tuple[pd.DataFrame, list[CalibrationTarget]]:
    """An LHS design over x, y, z and a toy simulator: a = x² (+ noise), b = e^y; z does nothing."""
    factors = (
        Factor("x", "float", minimum=0.05, maximum=1.0),
        Factor("y", "float", minimum=0.0, maximum=2.0),
        Factor("z", "float", minimum=0.0, maximum=1.0),
    )
    design = design_points(Experiment("toy", "", (), factors, "lhs", samples, False, 4, 1, 1, seed))
    noise = np.random.default_rng(seed).normal(0, 0.005, len(design))
    points = pd.DataFrame(
        {
            "syndicats_per_territory": design["x"] ** 2 + noise,
            "poles_per_territory": np.exp(design["y"]),
            "cooperation_rate": 0.3,
        },
        index=design.index,
    )
    a, b = TRUTH["x"] ** 2, np.exp(TRUTH["y"])
    fitted = [
        CalibrationTarget("syndicats_per_territory", "a", "", a * 0.95, a * 1.05, "fitted", ""),
        CalibrationTarget("poles_per_territory", "b", "", b * 0.95, b * 1.05, "fitted", ""),
    ]
    return design.join(points), fitted


def test_abc_posterior_contains_the_truth():
    table, fitted = _toy()
    acceptance = abc_reject(table, 0.02, fitted)
    accepted = table.loc[acceptance.accepted]
    assert len(accepted) == 40
    for name, truth in TRUTH.items():
        assert accepted[name].min() <= truth <= accepted[name].max()
        assert accepted[name].median() == pytest.approx(truth, rel=0.1)
        # informative: a fraction of the prior range is left
        assert accepted[name].max() - accepted[name].min() < 0.25 * PRIOR_WIDTH[name]
    # a parameter the statistics do not depend on keeps most of its prior range
    assert accepted["z"].max() - accepted["z"].min() > 0.8
    assert (acceptance.distance.loc[acceptance.accepted] <= acceptance.threshold).all()
    rejected = acceptance.distance.drop(acceptance.accepted)
    assert (rejected >= acceptance.threshold).all()


def test_distance_is_one_at_the_edge_of_every_interval():
    fitted = [CalibrationTarget("syndicats_per_territory", "a", "", 1.0, 4.0, "fitted", "")]
    points = pd.DataFrame(
        {"syndicats_per_territory": [2.0, 4.0, 1.0, 0.0], "cooperation_rate": [0.1] * 4}
    )
    d = distances(points, fitted).to_numpy()
    assert d[:3] == pytest.approx([0.0, 1.0, 1.0])
    assert np.isfinite(d[3]) and d[3] > 5  # a zero count is far, not infinitely far


def test_abc_never_accepts_a_point_that_breaks_a_constraint():
    table, fitted = _toy(samples=200)
    best = distances(table, fitted).idxmin()
    table.loc[best, "cooperation_rate"] = 0.6  # cooperation a majority register: refused
    acceptance = abc_reject(table, 0.1, fitted)
    assert best not in acceptance.accepted
    assert np.isinf(acceptance.distance.loc[best])
    table["cooperation_rate"] = 0.7
    with pytest.raises(ValueError, match="no point of 200 satisfies the constraints"):
        abc_reject(table, 0.1, fitted)


@pytest.mark.parametrize("quantile", [0.0, -0.1, 1.5])
def test_abc_refuses_a_bad_quantile(quantile):
    table, fitted = _toy(samples=20)
    with pytest.raises(ValueError, match=r"expected a share in \(0, 1\]"):
        abc_reject(table, quantile, fitted)


# ---------------------------------------------------------------------------
# Re-runs and the métropole check
# ---------------------------------------------------------------------------


def test_reruns_reproduce_the_sweep_and_refuse_a_different_one(sweep):
    runs = load_runs(sweep)
    [again] = list(rerun(sweep, [int(runs["run_id"].iloc[3])], runs))
    final = again.timeseries.iloc[-1]
    assert final["cooperation_rate"] == runs["cooperation_rate"].iloc[3]
    changed = runs.copy()
    changed.loc[3, "cooperation_rate"] += 0.01
    with pytest.raises(ReproductionError, match="does not reproduce: cooperation_rate"):
        list(rerun(sweep, [int(runs["run_id"].iloc[3])], changed))
    with pytest.raises(ResultsError, match="run 9999 is not a successful run"):
        list(rerun(sweep, [9999], runs))


def test_metropole_cooperations_count_living_structures_with_a_current_metropole():
    territories = pd.DataFrame({"kind": ["metropole", "urban", "metropole", "rural"]})
    inventory = pd.DataFrame(
        {"structure_id": [0, 1, 2, 3], "year_dissolved": [None, None, 5, None]}
    )
    memberships = pd.DataFrame(
        {
            "structure_id": [0, 0, 1, 1, 2, 2, 3, 3, 3],
            "territory_id": [0, 3, 1, 3, 2, 3, 2, 0, 1],
            "year_left": [None, None, None, None, 5, 5, None, None, 4],
        }
    )
    result = SimpleNamespace(territories=territories, inventory=inventory, memberships=memberships)
    # structure 0 (métropole 0) and 3 (métropoles 2 and 0) count; 1 has none; 2 is dissolved
    assert metropole_cooperations(result) == 2 / 2
    memberships.loc[0, "year_left"] = 3  # métropole 0 left structure 0
    assert metropole_cooperations(result) == 1 / 2
    territories["kind"] = "rural"
    assert np.isnan(metropole_cooperations(result))


# ---------------------------------------------------------------------------
# The whole calibration and the command
# ---------------------------------------------------------------------------


def test_calibrate_fits_holds_out_and_checks(sweep):
    result = calibrate(sweep, quantile=0.5, reruns=2)
    assert result.fit_scenario == "whole" and result.holdout == ("north", "south")
    assert len(result.acceptance.accepted) == _expected_accepted(sweep, "whole", 0.5)
    assert set(result.accepted_runs["point_id"]) == set(result.acceptance.accepted)
    # fitted from the runs table for every run; the last year's, from the re-runs only
    assert result.accepted_runs["metropole_cooperations"].notna().all()
    assert result.accepted_runs["metropole_cooperations_end"].notna().sum() == min(
        2, len(result.accepted_runs)
    )
    assert list(result.fit["target"]) == [t.statistic for t in TARGETS]
    assert list(result.posterior["parameter"]) == [
        "structures.syndicat.synergy",
        "foresight.continuation",
        "game.spillback",
    ]
    # the hold-out reports the tested half at the points accepted on the fitted half
    stats = run_statistics(load_runs(sweep), scenario_sizes(sweep))
    half = abc_reject(point_statistics(stats, "north"), 0.5)
    tested = stats[(stats["scenario"] == "south") & stats["point_id"].isin(half.accepted)]
    row = result.holdout_fit.set_index("target").loc["cooperation_rate"]
    assert row["median"] == pytest.approx(tested["cooperation_rate"].median())
    assert row["runs"] == len(tested)
    with pytest.raises(ResultsError, match="no scenario 'east' in the sweep"):
        calibrate(sweep, fit_scenario="east", reruns=0)


def test_calibrate_command_writes_the_fit_and_the_defaults(sweep, tmp_path):
    out = tmp_path / "calibration"
    result = invoke("calibrate", sweep, "--out", out, "--quantile", "0.5", "--reruns", "1")
    assert result.exit_code == 0, result.stderr
    assert f"{_expected_accepted(sweep, 'whole', 0.5)} of 6 points accepted" in result.stdout
    names = {"calibration.md", "defaults.toml", "fit.csv", "posterior.csv", "accepted_runs.csv"}
    assert names | {"holdout.csv"} == {p.name for p in out.iterdir()}
    posterior = pd.read_csv(out / "posterior.csv").set_index("parameter")
    defaults = tomllib.loads((out / "defaults.toml").read_text("utf-8"))
    flat = {
        f"{table}.{key}": value
        for table, entries in _tables(defaults)
        for key, value in entries.items()
    }
    assert set(flat) == set(posterior.index)
    for path, value in flat.items():
        assert value == pytest.approx(posterior.loc[path, "median"], rel=1e-3)
        info = lookup(path)
        assert info is not None and info.minimum <= value <= info.maximum
    text = (out / "calibration.md").read_text("utf-8")
    for target in TARGETS:
        assert target.label in text
    assert "**Hold-out**" in text


def _expected_accepted(sweep: Path, scenario: str, quantile: float) -> int:
    """Points rejection ABC must accept: the quantile's share, of those within the constraints."""
    stats = point_statistics(run_statistics(load_runs(sweep), scenario_sizes(sweep)), scenario)
    within = int((stats["cooperation_rate"] < 0.5).sum())
    assert within, "no point of the tiny sweep has cooperation as a minority: change its regions"
    return min(int(quantile * len(stats)), within)


def _tables(data: dict, prefix: str = "") -> list[tuple[str, dict]]:
    """The TOML tables of ``data`` that hold values, by dotted name."""
    values = {k: v for k, v in data.items() if not isinstance(v, dict)}
    out = [(prefix.rstrip("."), values)] if values else []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _tables(value, f"{prefix}{key}.")
    return out


def test_calibrate_command_runs_an_experiment_file_then_reads_its_sweep(tmp_path, monkeypatch):
    names = _regions(tmp_path)
    experiment = write(
        tmp_path / "small.toml",
        f'name = "small"\nscenario = "{names[0]}"\ndesign = "lhs"\nsamples = 4\n'
        f"steps = 3\nseed = 2\n{PARAMETERS}",
    )
    monkeypatch.chdir(tmp_path)
    first = invoke("calibrate", experiment, "--workers", "1", "--quantile", "0.5", "--reruns", "0")
    folder = tmp_path / "results" / "sweeps" / "small"
    if first.exit_code == 2:  # every point broke the constraint: said so, nothing written
        assert "satisfies the constraints" in first.stderr
        assert not (folder / "calibration").exists()
        return
    assert first.exit_code == 0, first.stderr
    assert len(load_runs(folder)) == 4
    assert (folder / "calibration" / "defaults.toml").is_file()
    # a complete sweep is read, not run again; the output folder is refused, then replaced
    again = invoke("calibrate", experiment, "--workers", "1")
    assert again.exit_code == 2 and "already exists" in again.stderr
    again = invoke("calibrate", experiment, "--workers", "1", "--overwrite", "--quantile", "0.5")
    assert again.exit_code == 0, again.stderr
    assert len(load_runs(folder)) == 4
    # the refused call ran nothing; the other one found the sweep complete
    assert len(read_manifest(folder)["sessions"]) == 2


@pytest.mark.slow
def test_shipped_synthetic_calibration_runs_end_to_end(tmp_path, monkeypatch):
    """The documented try-out: 48 classroom runs, then the fit (about a minute on 2 cores)."""
    experiment = copy_scenarios(tmp_path) / "experiments" / "calibration_synthetic.toml"
    monkeypatch.chdir(tmp_path)
    result = invoke("calibrate", experiment, "--workers", "2", "--reruns", "2")
    out = tmp_path / "results" / "sweeps" / "calibration_synthetic" / "calibration"
    if result.exit_code == 2:  # every point broke the constraint: said so, nothing written
        assert "satisfies the constraints" in result.stderr and not out.exists()
        return
    assert result.exit_code == 0, result.stderr
    assert re.search(r"\b[12] of 24 points accepted", result.stdout)  # 10 %, within the constraint
    assert tomllib.loads((out / "defaults.toml").read_text("utf-8"))


def test_calibrate_command_refuses_bad_input(sweep, tmp_path):
    missing = invoke("calibrate", tmp_path / "nothing")
    assert missing.exit_code == 2 and "no such sweep folder or experiment file" in missing.stderr
    not_sweep = tmp_path / "empty"
    not_sweep.mkdir()
    result = invoke("calibrate", not_sweep)
    assert result.exit_code == 2 and "manifest.json" in result.stderr
    corrupt = tmp_path / "corrupt"
    import shutil

    shutil.copytree(sweep, corrupt)
    next((corrupt / "runs").glob("chunk-*.parquet")).write_bytes(b"not parquet")
    result = invoke("calibrate", corrupt, "--out", tmp_path / "c")
    assert result.exit_code == 2 and "unreadable chunk" in result.stderr
    assert not (tmp_path / "c").exists()
    result = invoke("calibrate", sweep, "--holdout", "north")
    assert result.exit_code == 2 and "expected FITTED:TESTED" in result.stderr
    result = invoke("calibrate", sweep, "--fit", "east", "--out", tmp_path / "e")
    assert result.exit_code == 2 and "no scenario 'east'" in result.stderr
    assert not (tmp_path / "e").exists()
    bad = write(tmp_path / "bad.toml", 'scenario = "nowhere.toml"\nseed = 1\n')
    result = invoke("calibrate", bad)
    assert result.exit_code == 2 and "nowhere.toml" in result.stderr
    taken = tmp_path / "taken"
    taken.mkdir()
    result = invoke("calibrate", sweep, "--out", taken)
    assert result.exit_code == 2 and "already exists" in result.stderr


def test_screening_gives_morris_indices_of_every_statistic(tmp_path):
    names = _regions(tmp_path)
    experiment = write(
        tmp_path / "screen.toml",
        f'name = "screen"\nscenario = "{names[0]}"\ndesign = "morris"\nsamples = 2\n'
        f"steps = 3\nseed = 8\n{PARAMETERS}",
    )
    folder = run_sweep(experiment, tmp_path / "sweep", workers=1)
    table = screening_table(folder)
    assert len(table) == 3 * len(STATISTICS)
    assert set(table["statistic"]) == set(STATISTICS)
    assert (table["mu_star"] >= 0).all()


def test_screening_refuses_a_design_that_is_not_morris(sweep):
    with pytest.raises(ResultsError, match="needs a morris design, not 'lhs'"):
        screening_table(sweep)


# ---------------------------------------------------------------------------
# The shipped design and its documentation
# ---------------------------------------------------------------------------


def test_shipped_calibration_designs_vary_the_same_non_lever_parameters():
    loaded = [load_experiment(SCENARIOS / "experiments" / name) for name in SHIPPED]
    ranges = [[f.resolved() for f in e.factors] for e in loaded]
    assert ranges[0] == ranges[1] == ranges[2]
    for factor in loaded[0].factors:
        info = lookup(factor.path)
        assert info is not None and not info.lever, factor.path
        assert factor.minimum <= info.default <= factor.maximum, factor.path
    full = loaded[0]
    assert [s.name for s in full.scenarios] == [
        "france_epci",
        "france_epci_north",
        "france_epci_south",
    ]


def test_docs_name_every_target_and_parameter():
    text = DOCS.read_text("utf-8")
    for target in TARGETS:
        assert f"`{target.statistic}`" in text, target.statistic
    for factor in load_experiment(SCENARIOS / "experiments" / SHIPPED[0]).factors:
        assert f"`{factor.path}`" in text, factor.path
    assert {t.role for t in TARGETS} == {"fitted", "constraint", "check"}
    assert targets("fitted")

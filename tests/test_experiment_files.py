"""Experiment files and designs: validation messages, design sizes and coverage, run seeds."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from cohesim.experiments import ExperimentError, load_experiment
from cohesim.experiments.designs import design_points
from cohesim.experiments.sweep import SweepPlan

from helpers import SHIPPED_EXPERIMENTS, copy_scenarios, invoke

HEAD = 'scenario = "../scenarios/classroom.toml"\nseed = 3\nsteps = 2\n'


@pytest.fixture
def folder(tmp_path) -> Path:
    """An experiments/ folder beside a copy of the shipped scenarios."""
    copy_scenarios(tmp_path)
    (tmp_path / "experiments").mkdir()
    return tmp_path / "experiments"


def experiment(folder: Path, text: str, name: str = "e.toml"):
    path = folder / name
    path.write_text(text)
    return load_experiment(path)


def problems(folder: Path, text: str) -> list[str]:
    with pytest.raises(ExperimentError) as caught:
        experiment(folder, text)
    return caught.value.problems


@pytest.mark.parametrize("path", SHIPPED_EXPERIMENTS, ids=lambda p: p.name)
def test_shipped_experiments_are_valid(path):
    loaded = load_experiment(path)
    assert loaded.factors and loaded.scenarios


# ---------------------------------------------------------------------------
# Clear messages for bad files
# ---------------------------------------------------------------------------

BAD = {
    "unknown top-level key": (
        HEAD + "replicate = 3\n",
        "e.toml: unknown key replicate (did you mean 'replicates'?)",
    ),
    "unknown parameter": (
        HEAD + '[parameters]\n"engineering.state_suport" = [0.1]\n',
        "e.toml: parameters.engineering.state_suport: unknown parameter "
        "(did you mean 'engineering.state_support'?)",
    ),
    "range outside the declared range": (
        HEAD + 'design = "lhs"\nsamples = 4\n[parameters]\n'
        '"funding.matching_share" = { min = 0.0, max = 0.95 }\n',
        "e.toml: parameters.funding.matching_share.max = 0.95 is not allowed: "
        "expected float 0 ≤ value ≤ 0.8",
    ),
    "value of the wrong type": (
        HEAD + '[parameters]\n"geometry.n_urban" = [1, 2.5]\n',
        "e.toml: parameters.geometry.n_urban = 2.5 is not allowed: "
        "expected values of int 1 ≤ value ≤ 6",
    ),
    "bad choice": (
        HEAD + '[parameters]\n"update.rule" = ["logit", "majority"]\n',
        "e.toml: parameters.update.rule = 'majority' is not allowed: "
        "expected values of one of 'logit', 'fermi', 'imitate_best'",
    ),
    "bad design name": (
        HEAD + 'design = "sobel"\n',
        "e.toml: design = 'sobel' is not allowed: expected one of 'grid', 'lhs', 'sobol', 'morris'",
    ),
    "sobol samples not a power of two": (
        HEAD
        + 'design = "sobol"\nsamples = 10\n[parameters]\n"game.synergy" = {min=1.0, max=2.0}\n',
        "e.toml: samples = 10 is not allowed: expected a power of 2",
    ),
    "missing seed": (
        'scenario = "../scenarios/classroom.toml"\n',
        "e.toml: seed is missing: expected an integer",
    ),
    "missing scenario file": (
        'scenario = "../scenarios/nowhere.toml"\nseed = 1\n',
        "e.toml: scenario: no such scenario file",
    ),
    "the sweep's own seed": (
        HEAD + '[parameters]\n"run.seed" = [1, 2]\n',
        "e.toml: parameters.run.seed = [1, 2] is not allowed: expected no run.seed",
    ),
    "range for a grid without count": (
        HEAD + '[parameters]\n"game.synergy" = { min = 1.0, max = 2.0 }\n',
        "e.toml: parameters.game.synergy.count = None is not allowed: expected an integer ≥ 2",
    ),
    "range for a choice parameter": (
        HEAD + 'design = "lhs"\nsamples = 4\n[parameters]\n"update.rule" = { min = 0, max = 1 }\n',
        "e.toml: parameters.update.rule = {'min': 0, 'max': 1} is not allowed: "
        "expected a list of values for this choice parameter",
    ),
    "unknown domain": (
        HEAD + '[parameters]\n"services.domains.water.demand" = [1.0]\n',
        "e.toml: parameters.services.domains.water.demand: scenario 'classroom' has no service "
        "domain 'water'",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_experiment_files_get_one_clear_message(folder, case):
    text, expected = BAD[case]
    found = problems(folder, text)
    assert len(found) == 1, found
    assert str(folder / "e.toml") in found[0]
    assert expected.replace("e.toml", str(folder / "e.toml")) in found[0], found[0]


def test_every_problem_is_reported_at_once(folder):
    found = problems(
        folder,
        HEAD + 'design = "grid"\nreplicates = 0\n[parameters]\n"game.synergy" = [0.5]\n'
        '"game.synergi" = [1.1]\n',
    )
    assert len(found) == 3
    assert any("replicates = 0" in p for p in found)


def test_cli_rejects_a_bad_experiment_with_exit_code_2(folder):
    (folder / "bad.toml").write_text(HEAD + 'design = "sobel"\n')
    result = invoke("sweep", folder / "bad.toml")
    assert result.exit_code == 2
    assert "design = 'sobel' is not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_scheduler_and_workers_together_are_refused(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (folder / "ok.toml").write_text(HEAD)
    result = invoke(
        "sweep", folder / "ok.toml", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"
    )
    assert result.exit_code == 2
    assert "--workers is for the local pool" in result.stderr
    assert not (tmp_path / "results").exists()


def test_an_unreachable_scheduler_is_a_clear_error_and_writes_nothing(folder, tmp_path):
    (folder / "ok.toml").write_text(HEAD)
    out = tmp_path / "never"
    result = invoke("sweep", folder / "ok.toml", "--scheduler", "tcp://127.0.0.1:9", "--out", out)
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert not out.exists()


def test_dotted_keys_and_nested_tables_mean_the_same(folder):
    quoted = experiment(folder, HEAD + '[parameters]\n"game.synergy" = [1.1, 1.2]\n', "a.toml")
    nested = experiment(folder, HEAD + "[parameters.game]\nsynergy = [1.1, 1.2]\n", "b.toml")
    assert quoted.factors == nested.factors


def test_a_list_of_scenarios_is_a_categorical_factor(folder):
    loaded = experiment(
        folder,
        'scenarios = ["../scenarios/classroom.toml", "../scenarios/baseline.toml"]\nseed = 1\n'
        'replicates = 2\n[parameters]\n"game.synergy" = [1.1, 1.2, 1.3]\n',
    )
    plan = SweepPlan(loaded)
    assert plan.total == 2 * 3 * 2
    assert {plan.spec(i).scenario_index for i in range(plan.total)} == {0, 1}


# ---------------------------------------------------------------------------
# Designs
# ---------------------------------------------------------------------------


def test_grid_is_the_full_product(folder):
    loaded = experiment(
        folder,
        HEAD + "[parameters]\n"
        '"engineering.state_support" = [0.0, 0.5]\n'
        '"funding.matching_share" = { min = 0.0, max = 0.8, count = 5 }\n'
        '"update.rule" = ["logit", "fermi", "imitate_best"]\n'
        '"geometry.n_urban" = { min = 1, max = 3, count = 3 }\n',
    )
    points = design_points(loaded)
    expected = set(
        itertools.product(
            [0.0, 0.5], [0.0, 0.2, 0.4, 0.6, 0.8], ["logit", "fermi", "imitate_best"], [1, 2, 3]
        )
    )
    found = {tuple(row) for row in points.itertuples(index=False)}
    assert len(points) == 2 * 5 * 3 * 3
    assert {(a, round(b, 12), c, d) for a, b, c, d in found} == expected
    assert points["geometry.n_urban"].dtype == np.int64


RANGES = (
    '"game.synergy" = { min = 1.0, max = 2.0 }\n'
    '"game.attraction" = { min = 0.0, max = 0.5 }\n'
    '"update.noise" = { min = 0.01, max = 1.0, distribution = "loguniform" }\n'
)


@pytest.mark.parametrize(("second_order", "points_per_sample"), [(True, 2 * 3 + 2), (False, 3 + 2)])
def test_sobol_gives_saltelli_sample_sizes(folder, second_order, points_per_sample):
    text = f'design = "sobol"\nsamples = 16\nsecond_order = {str(second_order).lower()}\n'
    loaded = experiment(folder, HEAD + text + "[parameters]\n" + RANGES)
    points = design_points(loaded)
    assert len(points) == 16 * points_per_sample
    assert points["update.noise"].between(0.01, 1.0).all()


def test_morris_gives_trajectories_of_d_plus_one_points(folder):
    loaded = experiment(folder, HEAD + 'design = "morris"\nsamples = 6\n[parameters]\n' + RANGES)
    assert len(design_points(loaded)) == 6 * (3 + 1)


def test_lhs_puts_one_point_in_each_stratum_of_each_range(folder):
    n = 20
    loaded = experiment(
        folder,
        HEAD + f'design = "lhs"\nsamples = {n}\n[parameters]\n'
        '"game.synergy" = { min = 1.0, max = 2.0 }\n'
        '"funding.matching_share" = { min = 0.2, max = 0.8 }\n',
    )
    points = design_points(loaded)
    assert len(points) == n
    for path, lo, hi in (("game.synergy", 1.0, 2.0), ("funding.matching_share", 0.2, 0.8)):
        strata = np.floor((points[path] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), path


def test_sampled_integers_and_choices_take_every_allowed_value(folder):
    loaded = experiment(
        folder,
        HEAD + 'design = "lhs"\nsamples = 60\n[parameters]\n'
        '"geometry.n_urban" = { min = 1, max = 3 }\n'
        '"update.rule" = ["logit", "fermi", "imitate_best"]\n'
        '"update.noise" = { min = 0.01, max = 0.5, distribution = "triangular", peak = 0.1 }\n',
    )
    points = design_points(loaded)
    assert points["geometry.n_urban"].value_counts().to_dict() == {1: 20, 2: 20, 3: 20}
    assert points["update.rule"].value_counts().to_dict() == {
        "logit": 20,
        "fermi": 20,
        "imitate_best": 20,
    }
    noise = points["update.noise"]
    assert noise.between(0.01, 0.5).all()
    assert (noise < 0.1).sum() < (noise > 0.1).sum()  # mass on the long side of the peak


def test_the_design_depends_only_on_the_seed(folder):
    text = HEAD + 'design = "lhs"\nsamples = 8\n[parameters]\n' + RANGES
    first = design_points(experiment(folder, text, "a.toml"))
    again = design_points(experiment(folder, text, "b.toml"))
    other = design_points(experiment(folder, text.replace("seed = 3", "seed = 4"), "c.toml"))
    assert first.equals(again)
    assert not first.equals(other)


# ---------------------------------------------------------------------------
# Run seeds
# ---------------------------------------------------------------------------


def test_seeds_differ_across_replicates_and_are_stable_across_reruns(folder):
    text = HEAD + 'replicates = 4\n[parameters]\n"game.synergy" = [1.1, 1.2, 1.3]\n'
    plan = SweepPlan(experiment(folder, text, "a.toml"))
    again = SweepPlan(experiment(folder, text, "b.toml"))
    seeds = [plan.spec(i).seed for i in range(plan.total)]
    assert len(set(seeds)) == plan.total == 12
    assert seeds == [again.spec(i).seed for i in range(again.total)]
    assert all(0 <= s < 2**63 for s in seeds)
    by_point = {}
    for i in range(plan.total):
        spec = plan.spec(i)
        by_point.setdefault(spec.point_id, set()).add(spec.seed)
    assert all(len(s) == 4 for s in by_point.values())


def test_validate_checks_experiment_files_too(tmp_path):
    # issue "what a newcomer hit": cohesim validate read an experiment file as a scenario
    good = invoke("validate", *SHIPPED_EXPERIMENTS)
    assert good.exit_code == 0, good.stderr
    assert "experiment 'engineering_vs_funding', grid design" in good.stdout
    assert "= 150 runs" in good.stdout
    bad = copy_scenarios(tmp_path) / "experiments" / "bad.toml"
    bad.write_text('scenario = "../baseline.toml"\ndesign = "grid"\n[parameters]\n"x.y" = [1]\n')
    result = invoke("validate", bad)
    assert result.exit_code == 2
    assert "seed" in result.stderr and "x.y" in result.stderr

"""The benchmark's idiomatic-Mesa reference follows the same rules as the model."""

import numpy as np
import pytest

from cohesim.experiments.mesa_reference import ReferenceModel
from cohesim.model import TerritoryModel

from helpers import NO_STRUCTURES, invoke, params


@pytest.mark.parametrize("observatory", [0.0, 0.3])
def test_reference_gives_the_same_numbers_from_the_same_draws(observatory):
    p = params(
        geometry={"n": 150},
        learning={"observatory": observatory},
        update={"imitation": 0.0},  # the reference implements M1 alone
        budget={"adjustment_rate": 0.0},
        population={"migration_rate": 0.0},
        **NO_STRUCTURES,
    )
    real = TerritoryModel(p, rng=21)
    reference = ReferenceModel(real)
    for _ in range(8):
        real.step()
        reference.step()
        assert real.registry.structures.size == 0
        coop = np.array([a.cooperates for a in reference.territories])
        np.testing.assert_array_equal(coop, real.cooperate)
        payoff = np.array([a.payoff for a in reference.territories])
        np.testing.assert_allclose(payoff, real.payoff, rtol=1e-9, atol=1e-6)
        budget = np.array([a.budget for a in reference.territories])
        np.testing.assert_allclose(budget, real.budget, rtol=1e-9)
    trust = np.array(
        [
            reference.territories[i].edges[j]["trust"]
            for i, j in zip(real.network.src, real.network.dst, strict=True)
        ]
    )
    np.testing.assert_allclose(trust, real.trust, rtol=1e-12)
    knowledge = np.array(
        [
            reference.territories[i].edges[j]["K"]
            for i, j in zip(real.network.src, real.network.dst, strict=True)
        ]
    )
    np.testing.assert_allclose(knowledge, real.knowledge, rtol=1e-12)
    collected = reference.datacollector.get_model_vars_dataframe()["cooperation_rate"]
    np.testing.assert_allclose(collected, real.metrics_frame()["cooperation_rate"].iloc[1:])


@pytest.mark.slow  # eight measuring subprocesses: about 25 s
def test_bench_command_measures_the_four_implementations(tmp_path):
    import json

    out = tmp_path / "bench.json"
    done = invoke("bench", "--sizes", "200,400", "--steps", "1", "--json", out)
    assert done.exit_code == 0, done.output
    summary = json.loads(out.read_text())
    assert [row["n"] for row in summary["sizes"]] == [200, 400]
    for row in summary["sizes"]:
        assert row["region"] == "synthetic"
        for key in ("model_step_s", "core_step_s", "kernel_step_s", "reference_step_s"):
            assert row[key] > 0
        assert row["model_bytes_per_territory"] >= 0  # peak RSS grows in pages: 0 at tiny N
        assert row["reference_over_model"] == pytest.approx(
            row["reference_step_s"] / row["model_step_s"]
        )
    assert set(summary["growth"]) == {"400/200"}
    assert {m["implementation"] for m in summary["measurements"]} == {
        "model",
        "core",
        "kernel",
        "reference",
    }
    assert summary["clock"] == "wall"
    assert summary["warm_up"] == 1


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_core_times_the_model_on_the_reference_rules(clock):
    from cohesim.experiments.bench import measure

    core = measure("core", 120, steps=2, clock=clock)
    model = measure("model", 120, steps=2, clock=clock)
    assert core.clock == model.clock == clock
    assert core.n == model.n == 120
    assert core.step_seconds > 0 and model.step_seconds > 0
    assert core.import_mb > 50  # read after the model's imports (mesa, numpy, scipy, pandas)


def test_bench_refuses_sizes_that_are_not_numbers():
    done = invoke("bench", "--sizes", "big")
    assert done.exit_code == 2
    assert "expected numbers" in done.output


def test_warm_up_years_are_stepped_before_the_timed_ones(monkeypatch):
    from cohesim.experiments.bench import measure
    from cohesim.model import TerritoryModel

    steps = []
    step = TerritoryModel.step
    monkeypatch.setattr(TerritoryModel, "step", lambda self: steps.append(1) or step(self))
    measured = measure("model", 120, steps=2, warm_up=4)
    assert measured.warm_up == 4
    assert len(steps) == 4 + 2


def test_bench_refuses_a_negative_warm_up():
    done = invoke("bench", "--sizes", "200", "--warm-up", "-1")
    assert done.exit_code == 2
    assert "--warm-up" in done.output


def measured(implementation, step, round_, n=1000, region="synthetic"):
    """A measurement as the measuring subprocess reports it."""
    from cohesim.experiments.bench import Measurement

    return Measurement(
        implementation, n, 0.5, step, 3, 300.0, 240.0, region, "cpu", 1, round=round_
    )


def test_ratios_over_rounds_pair_the_measurements_of_each_round():
    from cohesim.experiments.bench import summarise

    # the machine slows down in round 1: times double, each round's ratio stays
    rounds = [
        [measured("model", 0.01, 0), measured("reference", 0.05, 0)],
        [measured("model", 0.02, 1), measured("reference", 0.10, 1)],
        [measured("model", 0.01, 2), measured("reference", 0.07, 2)],
    ]
    summary = summarise([m for r in rounds for m in r])
    (row,) = summary["sizes"]
    assert summary["rounds"] == row["rounds"] == 3
    assert row["model_step_s"] == 0.01 and row["reference_step_s"] == 0.07  # medians
    # the ratio is the median of 5, 5 and 7, not the ratio of the medians (7)
    assert row["reference_over_model"] == pytest.approx(5.0)
    assert row["reference_over_model_range"] == pytest.approx([5.0, 7.0])
    assert row["model_over_kernel"] is None and row["model_over_kernel_range"] is None


def test_one_round_reports_what_it_measured():
    from cohesim.experiments.bench import summarise

    summary = summarise(
        [
            measured("model", 0.01, 0),
            measured("reference", 0.04, 0),
            measured("model", 0.3, 0, n=35_000),
        ]
    )
    small, large = summary["sizes"]
    assert small["reference_over_model"] == pytest.approx(4.0)
    assert small["reference_over_model_range"] == pytest.approx([4.0, 4.0])
    assert summary["growth"]["35000/1000"]["time_ratio"] == pytest.approx(30.0)
    assert large["reference_step_s"] is None


def test_bench_refuses_zero_rounds():
    done = invoke("bench", "--sizes", "200", "--rounds", "0")
    assert done.exit_code == 2
    assert "--rounds" in done.output

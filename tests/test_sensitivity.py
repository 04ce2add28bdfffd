"""Sobol' and Morris indices through the sweeps' own design code, and PRIM on a known box.

The sweep runner only runs the model (it has no hook for a custom evaluator), so the Ishigami
function is evaluated on the points the sweeps' ``design_points`` draws, and the indices come
from the same ``sobol_indices`` / ``morris_indices`` the sweep report calls.
"""

import numpy as np
import pandas as pd
import pytest

from cohesim.analysis.prim import parse_target, prim
from cohesim.analysis.sensitivity import morris_indices, sobol_indices
from cohesim.experiments.designs import design_points
from cohesim.experiments.experiment_file import Experiment, Factor

A, B = 7.0, 0.1
# Ishigami & Homma (1990), analytic indices (e.g. Saltelli et al. 2008, Global Sensitivity
# Analysis: The Primer, §4.6): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2
VAR = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1 = np.array([V1, V2, 0.0]) / VAR
ST = np.array([V1 + V13, V2, V13]) / VAR


def ishigami(points: pd.DataFrame) -> np.ndarray:
    x1, x2, x3 = (points[f"x{i}"].to_numpy() for i in (1, 2, 3))
    return np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)


def experiment(design: str, samples: int, **kw) -> Experiment:
    factors = tuple(Factor(f"x{i}", "float", minimum=-np.pi, maximum=np.pi) for i in (1, 2, 3))
    return Experiment(
        "ishigami",
        "",
        (),
        factors,
        design,
        samples,
        kw.get("second", False),
        kw.get("levels", 4),
        1,
        None,
        2024,
    )


def test_analytic_ishigami_values_are_the_published_ones():
    np.testing.assert_allclose(S1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(ST, [0.5576, 0.4424, 0.2437], atol=1e-4)


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_indices_of_ishigami_match_the_analytic_values(second_order):
    e = experiment("sobol", 2048, second=second_order)
    indices = sobol_indices(e, ishigami(design_points(e)))
    np.testing.assert_allclose(indices["S1"], S1, atol=0.05)
    np.testing.assert_allclose(indices["ST"], ST, atol=0.05)
    assert (indices["S1_conf"] < 0.08).all()


def test_sobol_indices_refuse_missing_points_and_other_designs():
    e = experiment("sobol", 8)
    y = ishigami(design_points(e))
    y[3] = np.nan
    with pytest.raises(ValueError, match="1 design points have no successful run"):
        sobol_indices(e, y)
    with pytest.raises(ValueError, match="need a sobol design"):
        sobol_indices(experiment("lhs", 8), y)


def test_morris_ranks_ishigami_parameters():
    e = experiment("morris", 200, levels=4)
    indices = morris_indices(e, ishigami(design_points(e))).set_index("parameter")
    # x2 on 4 levels moves between −π and π/3 or −π/3 and π (a step of 2/3 in the unit cube):
    # sin² changes by 3/4 each time, so every elementary effect is a · (3/4) / (2/3) in size
    assert indices.loc["x2", "mu_star"] == pytest.approx(A * 0.75 / (2 / 3))
    # x3 acts only with sin(x1), symmetric about 0: its signed effects cancel, not their sizes
    assert abs(indices.loc["x3", "mu"]) < 0.1 * indices.loc["x3", "mu_star"]
    assert indices.loc["x3", "sigma"] > 0
    # a linear function: μ* is the slope times the step in the unit cube, σ is 0
    linear = 3.0 * design_points(e)["x1"].to_numpy()
    lin = morris_indices(e, linear).set_index("parameter")
    assert lin.loc["x1", "sigma"] == pytest.approx(0, abs=1e-9)
    assert lin.loc["x2", "mu_star"] == pytest.approx(0, abs=1e-9)


def box_data(noise: float, seed: int):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(2000, 3)), columns=["a", "b", "c"])
    x["rule"] = rng.choice(["logit", "fermi"], 2000)
    y = ((x["a"] > 0.7) & (x["b"] < 0.4)).to_numpy()
    return x, y ^ (rng.uniform(size=len(y)) < noise)


def test_prim_finds_a_known_box():
    x, y = box_data(0.0, 1)
    found = prim(x, y).box.set_index("parameter")
    assert found.loc["a", "low"] == pytest.approx(0.7, abs=0.03)
    assert found.loc["b", "high"] == pytest.approx(0.4, abs=0.03)
    assert found["restricted"].to_dict() == {"a": True, "b": True, "c": False, "rule": False}


def test_prim_with_noisy_labels_keeps_to_the_right_parameters():
    x, y = box_data(0.05, 2)
    result = prim(x, y)
    found = result.box.set_index("parameter")
    assert found.loc["a", "low"] == pytest.approx(0.7, abs=0.05)
    assert 0.3 < found.loc["b", "high"] < 0.45
    assert not found.loc["c", "restricted"]
    assert result.density > 0.85 and result.coverage >= 0.5
    trajectory = result.trajectory
    assert trajectory["coverage"].iloc[0] == 1.0
    assert (np.diff(trajectory["support"]) < 0).all()


def test_prim_and_targets_reject_bad_input():
    x, y = box_data(0.0, 3)
    with pytest.raises(ValueError, match="both target runs and other runs"):
        prim(x, np.zeros(len(x), dtype=bool))
    with pytest.raises(ValueError, match="expected METRIC>VALUE"):
        parse_target("gini is high")
    with pytest.raises(ValueError, match="between q0 and q100"):
        parse_target("gini>q150")
    target = parse_target("gini>q75")
    chosen, cut = target.select(pd.Series(np.arange(100.0)))
    assert chosen.sum() == 25 and cut == pytest.approx(74.25)

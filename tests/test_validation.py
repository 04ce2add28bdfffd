"""Validation: the model reduces to classic games and reproduces reference results.

Reference values (MODEL.md, docs/validation.md: published, derived or simulated): Nowak & May
1992 (doi:10.1038/359826a0); well-mixed public goods with institutional incentives (derived from
Sasaki, Brännström, Dieckmann & Sigmund 2012, doi:10.1073/pnas.1115219109); two-strategy
replicator rest points. Longer versions (more
seeds, longer runs) are marked ``slow``.
"""

import numpy as np
import pytest

from cohesim.experiments import ScenarioError, load_scenario, run_scenario
from cohesim.model import Parameters, TerritoryModel, model_for
from cohesim.model.reductions import GraphGame, WellMixedGame
from cohesim.model.reductions import sequential_updates as kernel
from cohesim.model.reductions.classic_games import game_payoffs, game_tables
from cohesim.model.reductions.graphs import lattice_network, network_from_edges
from cohesim.model.reductions.well_mixed import incentive_gain, matrix_gain, rest_points

NOWAK_MAY_SHARE = 0.318


def nowak_may(b, *, self_interaction=True, side=50, seed=1):
    return Parameters.model_validate(
        {
            "geometry": {"source": "lattice"},
            "graph": {"side": side, "neighbourhood": "moore", "self_interaction": self_interaction},
            "classic_game": {"reward": 1.0, "sucker": 0.0, "temptation": b, "punishment": 0.0},
            "update": {
                "rule": "imitate_best",
                "schedule": "synchronous",
                "revision_rate": 1.0,
                "mutation": 0.0,
                "initial_cooperation": 0.9,
            },
            "run": {"burn_in": 0, "seed": seed},
        }
    )


def late_share(parameters, steps, window, seed):
    model = GraphGame(parameters, rng=seed)
    model.run(steps)
    return model.metrics_frame()["cooperation_rate"].to_numpy()[-window:].mean()


# -- Nowak & May 1992 ------------------------------------------------------------------------


@pytest.mark.parametrize("b", [1.85, 1.95])
def test_nowak_may_cooperator_share_is_0318_for_b_between_18_and_2(b):
    shares = [late_share(nowak_may(b), 250, 100, seed) for seed in (1, 2, 3)]
    assert abs(np.mean(shares) - NOWAK_MAY_SHARE) < 0.015, shares


def test_nowak_may_collapses_above_b_2():
    shares = [late_share(nowak_may(2.01), 150, 50, seed) for seed in (1, 2, 3)]
    assert np.mean(shares) < 0.08, shares


def test_nowak_may_without_self_interaction_collapses_at_b_19():
    shares = [
        late_share(nowak_may(1.9, self_interaction=False), 150, 50, seed) for seed in (1, 2, 3)
    ]
    assert np.mean(shares) < 0.08, shares


@pytest.mark.slow
@pytest.mark.parametrize("b", [1.81, 1.9, 1.99])
def test_nowak_may_long_runs_many_seeds(b):
    shares = [late_share(nowak_may(b), 1000, 500, seed) for seed in range(10)]
    assert abs(np.mean(shares) - NOWAK_MAY_SHARE) < 0.015, shares


def test_nowak_may_first_generation_follows_imitate_the_best_by_hand():
    """One synchronous generation on a 5 × 5 torus, checked against a direct computation."""
    p = nowak_may(1.9, side=5)
    model = GraphGame(p, rng=4)
    before = model.cooperate.copy()
    side = 5
    grid = before.reshape(side, side)
    shifts = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    # payoff: R = 1 per cooperating cell in the 3 × 3 block (self included) for a cooperator,
    # b per cooperating cell for a defector
    cooperating = sum(np.roll(grid, (dr, dc), axis=(0, 1)) for dr, dc in shifts)
    payoff = np.where(grid, cooperating, 1.9 * cooperating).astype(float)
    expected = grid.copy()
    best = payoff.copy()
    for dr, dc in shifts:
        if (dr, dc) == (0, 0):
            continue
        theirs = np.roll(payoff, (-dr, -dc), axis=(0, 1))
        strategy = np.roll(grid, (-dr, -dc), axis=(0, 1))
        better = theirs > best
        best = np.where(better, theirs, best)
        expected = np.where(better, strategy, expected)
    np.testing.assert_allclose(model.payoff.reshape(side, side), payoff)
    model.step()
    np.testing.assert_array_equal(model.cooperate.reshape(side, side), expected)


# -- well-mixed public goods with institutional incentives --------------------------------------


def well_mixed(incentive, budget, start, n=2000, seed=1):
    return Parameters.model_validate(
        {
            "geometry": {"source": "well_mixed", "n": n},
            "classic_game": {"game": "public_goods", "multiplication": 3.0, "cost": 1.0},
            "well_mixed": {"group_size": 5, "incentive": incentive, "budget": budget},
            "update": {
                "rule": "fermi",
                "schedule": "random_sequential",
                "revision_rate": 1.0,
                "mutation": 0.0,
                "noise": 0.1,
                "initial_cooperation": start,
            },
            "run": {"burn_in": 0, "seed": seed},
        }
    )


def gain(incentive, budget):
    return lambda x: incentive_gain(
        x, group_size=5, multiplication=3.0, cost=1.0, incentive=incentive, budget=budget
    )


@pytest.mark.parametrize(("budget", "derived"), [(0.1, 0.112), (0.2, 0.481), (0.3, 0.749)])
def test_replicator_equation_gives_the_derived_reward_rest_points(budget, derived):
    (point,) = rest_points(gain("reward", budget))
    root, stable = point
    assert stable
    assert round(root, 3) == derived


def test_replicator_equation_gives_the_derived_fine_threshold():
    (point,) = rest_points(gain("fine", 0.2))
    root, stable = point
    assert not stable  # a threshold between two basins
    assert round(root, 3) == 0.519


@pytest.mark.parametrize(("budget", "derived"), [(0.1, 0.112), (0.2, 0.481), (0.3, 0.749)])
def test_well_mixed_reward_simulation_settles_at_the_derived_share(budget, derived):
    model = WellMixedGame(well_mixed("reward", budget, 0.5), rng=1)
    model.run(400)
    late = model.metrics_frame()["cooperation_rate"].to_numpy()[-200:].mean()
    assert abs(late - derived) < 0.02


@pytest.mark.parametrize(("start", "end"), [(0.56, 1.0), (0.48, 0.0)])
def test_well_mixed_fines_are_bistable_around_0519(start, end):
    model = WellMixedGame(well_mixed("fine", 0.2, start), rng=2)
    model.run(300)
    assert model.cooperation_rate == end


def test_well_mixed_budget_changes_the_outcome():
    """The institution matters: without it, public goods with r < n lose every cooperator."""
    model = WellMixedGame(well_mixed("none", 0.0, 0.9, n=500), rng=3)
    model.run(200)
    assert model.cooperation_rate == 0.0
    assert rest_points(gain("none", 0.0)) == []


# -- two-strategy analytic rest points ----------------------------------------------------------


@pytest.mark.parametrize(
    ("reward", "sucker", "temptation", "punishment"),
    [(3.0, 1.0, 4.0, 0.0), (2.0, 0.5, 2.5, 0.0), (1.0, 0.2, 1.5, 0.1)],
)
def test_anticoordination_rest_point_is_s_minus_p_over_the_sum(
    reward, sucker, temptation, punishment
):
    (point,) = rest_points(lambda x: matrix_gain(x, reward, sucker, temptation, punishment))
    formula = (sucker - punishment) / (sucker - punishment + temptation - reward)
    assert point[0] == pytest.approx(formula, abs=1e-9)
    assert point[1]  # T > R and S > P: stable coexistence


def test_coordination_rest_point_is_unstable():
    (point,) = rest_points(lambda x: matrix_gain(x, 4.0, 0.0, 3.0, 1.0))  # stag hunt
    assert point[0] == pytest.approx(1 / 2)
    assert not point[1]


@pytest.mark.parametrize(("b", "c"), [(1.0, 0.5), (2.0, 1.0), (3.0, 2.0)])
def test_snowdrift_rest_point_analytic_and_simulated(b, c):
    reward, sucker, temptation, punishment = b - c / 2, b - c, b, 0.0
    expected = 1 - c / (2 * b - c)
    (point,) = rest_points(lambda x: matrix_gain(x, reward, sucker, temptation, punishment))
    assert point[0] == pytest.approx(expected, abs=1e-9)
    p = Parameters.model_validate(
        {
            "geometry": {"source": "well_mixed", "n": 4000},
            "classic_game": {
                "game": "matrix",
                "reward": reward,
                "sucker": sucker,
                "temptation": temptation,
                "punishment": punishment,
            },
            "update": {"rule": "fermi", "mutation": 0.0, "noise": 0.1, "revision_rate": 1.0},
            "run": {"burn_in": 0},
        }
    )
    model = WellMixedGame(p, rng=5)
    model.run(300)
    late = model.metrics_frame()["cooperation_rate"].to_numpy()[-150:].mean()
    assert abs(late - expected) < 0.02


# -- the compiled kernel against a straightforward reference ------------------------------------


def reference_sequential(game, cooperate, revisers, draws, rule, noise):
    """Elementary updates one by one, every payoff recomputed on whole arrays (no locality)."""
    s = cooperate.copy()
    net, tables = game.network, game.tables
    for k, i in enumerate(revisers):
        payoffs = game_payoffs(net, s, tables)
        lo, hi = net.indptr[i], net.indptr[i + 1]
        if rule == "imitate_best":
            group = np.concatenate([[i], net.dst[lo:hi]])
            best = group[np.argmax(payoffs[group])]  # first of the best, i first
            new = s[best]
        else:
            j = net.dst[lo + int(draws[0][k] * (hi - lo))]
            new = s[i]
            if rule == "fermi" and draws[1][k] < 1 / (
                1 + np.exp((payoffs[i] - payoffs[j]) / noise)
            ):
                new = s[j]
            if rule == "santos" and payoffs[j] > payoffs[i]:
                spread = tables.santos_unit * (max(hi - lo, net.degree[j]) + tables.santos_extra)
                if draws[1][k] < (payoffs[j] - payoffs[i]) / spread:
                    new = s[j]
            if rule == "logit":
                forced_c, forced_d = s.copy(), s.copy()
                forced_c[i], forced_d[i] = True, False
                delta = (
                    game_payoffs(net, forced_c, tables)[i] - game_payoffs(net, forced_d, tables)[i]
                )
                new = draws[1][k] < 1 / (1 + np.exp(-delta / noise))
        s[i] = new
    return s


def small_game(rule, game="matrix", source="lattice", cost_per="game"):
    p = Parameters.model_validate(
        {
            "geometry": {"source": source, "n": 30},
            "graph": {"side": 6, "neighbourhood": "moore", "self_interaction": True},
            "classic_game": {"game": game, "temptation": 1.6, "sucker": -0.2, "cost_per": cost_per},
            "update": {"rule": rule, "schedule": "random_sequential", "noise": 0.3},
        }
    )
    return GraphGame(p, rng=np.random.default_rng(0))


@pytest.mark.parametrize("rule", ["fermi", "santos", "imitate_best", "logit"])
@pytest.mark.parametrize(
    ("game", "source", "cost_per"),
    [
        ("matrix", "lattice", "game"),
        ("public_goods", "lattice", "game"),
        ("public_goods", "barabasi_albert", "individual"),
        ("matrix", "barabasi_albert", "game"),
    ],
)
def test_kernel_matches_reference_with_the_same_draws(rule, game, source, cost_per):
    g = small_game(rule, game, source, cost_per)
    rng = np.random.default_rng(42)
    n = len(g.cooperate)
    cooperate = rng.random(n) < 0.5
    revisers = rng.integers(0, n, 400)
    draws = rng.random((3, 400))
    expected = reference_sequential(g, cooperate, revisers, draws, rule, 0.3)
    got = cooperate.copy()
    rule_args = kernel.Rule(code=kernel.RULES[rule], noise=0.3, mutation=0.0)
    kernel.revise(g.tables, rule_args, kernel.Updates(revisers, *draws), got, got)
    np.testing.assert_array_equal(got, expected)
    assert (got != cooperate).any()  # the updates did something


def test_public_goods_payoffs_by_hand_on_a_path():
    """Path 0 - 1 - 2, cooperators 0 and 1, r = 3, c = 1 per game."""
    net = network_from_edges(3, np.array([[0, 1], [1, 2]]))
    cooperate = np.array([True, True, False])
    p = Parameters.model_validate(
        {
            "geometry": {"source": "lattice"},
            "classic_game": {"game": "public_goods", "multiplication": 3.0, "cost": 1.0},
        }
    )
    got = game_payoffs(net, cooperate, game_tables(p, net))
    # groups: {0,1} pot 6 → 3 each; {0,1,2} pot 6 → 2 each; {1,2} pot 3 → 1.5 each
    np.testing.assert_allclose(got, [3 + 2 - 2, 3 + 2 + 1.5 - 3, 2 + 1.5])


def test_lattice_network_is_a_torus():
    net = lattice_network(4, "von_neumann")
    assert (net.degree == 4).all()
    np.testing.assert_array_equal(np.sort(net.dst[net.indptr[0] : net.indptr[1]]), [1, 3, 4, 12])
    np.testing.assert_array_equal(net.src[net.rev], net.dst)
    np.testing.assert_array_equal(net.dst[net.rev], net.src)
    moore = lattice_network(5, "moore")
    assert (moore.degree == 8).all()
    np.testing.assert_array_equal(moore.dst[moore.rev], moore.src)


# -- determinism, scenarios, errors -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["fermi_lattice", "nowak_may", "institutional_reward", "santos_scale_free"]
)
def test_same_seed_same_series_different_seed_differs(name, repo_root):
    scenario = load_scenario(repo_root / "scenarios" / "validation" / f"{name}.toml")
    first = run_scenario(scenario, steps=20, seed=3).timeseries
    again = run_scenario(scenario, steps=20, seed=3).timeseries
    other = run_scenario(scenario, steps=20, seed=4).timeseries
    assert first.equals(again)
    assert not first["cooperation_rate"].equals(other["cooperation_rate"])


def test_every_validation_scenario_runs(repo_root):
    for path in sorted((repo_root / "scenarios" / "validation").glob("*.toml")):
        assert path.read_text(encoding="utf-8").startswith("#"), path.name
        result = run_scenario(load_scenario(path), steps=5, seed=1)
        assert len(result.timeseries) == 6
        mean, sd, steps = result.final_window()
        assert 0.0 <= mean <= 1.0 and steps == 5


def test_santos_rule_on_synthetic_territories_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[update]\nrule = "santos"\n')
    with pytest.raises(ScenarioError, match=r"santos.*graph source.*'synthetic'"):
        load_scenario(bad)


def test_odd_random_regular_graph_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[geometry]\nsource = "random_regular"\nn = 11\n[graph]\ndegree = 3\n')
    with pytest.raises(ScenarioError, match=r"bad.toml.*degree = 3.*n = 11.*even"):
        load_scenario(bad)


def test_unknown_source_names_the_choices(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[geometry]\nsource = "hexagonal"\n')
    with pytest.raises(ScenarioError, match=r"bad.toml: geometry.source = 'hexagonal'.*'lattice'"):
        load_scenario(bad)


def test_territory_model_refuses_a_reduction_and_names_its_model():
    with pytest.raises(
        ValueError, match=r"'lattice' is a validation reduction.*reductions.GraphGame"
    ):
        TerritoryModel(nowak_may(1.9, side=5))
    with pytest.raises(ValueError, match=r"'well_mixed'.*reductions.WellMixedGame"):
        TerritoryModel(well_mixed("none", 0.0, 0.5, n=50))


def test_model_for_picks_the_model_of_each_source():
    assert type(model_for(nowak_may(1.9, side=5))) is GraphGame
    assert type(model_for(well_mixed("none", 0.0, 0.5, n=50))) is WellMixedGame
    assert type(model_for(Parameters(), rng=1)) is TerritoryModel
    with pytest.raises(ValueError, match=r"'lattice' builds its own players"):
        model_for(nowak_may(1.9, side=5), territories=object())

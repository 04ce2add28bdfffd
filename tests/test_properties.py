"""Invariants that hold for any parameters drawn across their whole declared ranges."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohesim.model import Parameters, TerritoryModel, parameter_table, structures
from cohesim.model.kinds import METROPOLE
from cohesim.model.reductions import GraphGame

SMALL = {"geometry.n": (4, 120), "run.steps": (0, 0)}  # keep each example fast
# Real territories come from data files, which the model never reads: tests/test_france.py.
FIXED = {"geometry.source": "synthetic"}


def value_strategy(info):
    if info.path in FIXED:
        return st.just(FIXED[info.path])
    if info.type == "list":
        return st.just([])
    if info.type == "str" and not info.choices:
        return st.just("")
    if info.choices:
        return st.sampled_from(info.choices)
    if info.type == "bool":
        return st.booleans()
    lo, hi = SMALL.get(info.path, (info.minimum, info.maximum))
    if info.type == "int":
        return st.integers(int(lo), int(min(hi, 10**6)))
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def parameters(draw):
    data: dict = {}
    for info in parameter_table():
        value = draw(value_strategy(info))
        target = data
        *groups, key = info.path.split(".")
        for group in groups:
            target = target.setdefault(group, {})
        target[key] = value
    g = data["geometry"]
    g["source"] = "synthetic"  # the validation reductions have their own properties below
    if data["update"]["rule"] == "santos":
        data["update"]["rule"] = "fermi"
    g["n_urban"] = min(g["n_urban"], g["n"] - 1)
    g["n_metropoles"] = min(g["n_metropoles"], g["n_urban"])
    g["min_population"] = min(g["min_population"], g["largest_population"])
    return Parameters.model_validate(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=parameters(), seed=st.integers(0, 2**32))
def test_any_declared_parameters_give_finite_consistent_runs(p, seed):
    m = TerritoryModel(p, rng=seed)
    cap = p.funding.annual_cap
    for _ in range(4):
        before = m.budget.copy()
        m.step()
        np.testing.assert_allclose(
            m.budget - before,
            m.revenue - m.service_cost + m.payoff,
            rtol=1e-9,
            atol=1e-6 * max(1.0, np.abs(m.budget).max()),
        )
        # structures: engineering committed within what territories have, spending within cap
        held, need = structures.engineering_commitments(m)
        used = np.bincount(m.registry.members["territory"][held], need, len(m.population))
        assert np.all(used <= m.available_engineering + 1e-9)
        assert cap == 0 or m.public_money <= cap * (1 + 1e-9)
        assert m.public_money >= 0
        # state engineering is costed: spending is money plus staff at ω_H (science defect 2)
        staff = p.engineering.fte_cost * m.engineering_support.sum()
        assert m.public_spending == m.public_money + staff
    frame = m.metrics_frame()
    # undefined by construction: β needs a history, a count per métropole a métropole
    numeric = frame.drop(columns=["beta_convergence", "metropole_cooperations"])
    if (m.kind == METROPOLE).any():
        assert np.isfinite(frame["metropole_cooperations"]).all()
    numbers = numeric.to_numpy(dtype=float)
    assert np.isfinite(numbers).all(), numeric.columns[~np.isfinite(numbers).all(axis=0)].tolist()
    assert np.isfinite(frame["beta_convergence"].iloc[1:]).all()
    assert np.all(m.population > 0)
    assert np.all(m.capacity >= 0) and np.all(m.demand >= 0)
    assert np.all(m.engineering >= 0)
    assert np.all((m.flows.access >= 0) & (m.flows.access <= 1))
    # as last computed: a territory serves at most its capacity, a pool at most the pool's
    pool = m._shared.pool if m._shared is not None else np.full(m.capacity.shape, -1)
    for k in range(pool.shape[1]):
        alone = pool[:, k] < 0
        assert np.all(m.flows.served[alone, k] <= m._flows_capacity[alone, k] * (1 + 1e-9))
        label = pool[~alone, k]
        served = np.bincount(label, m.flows.served[~alone, k])
        assert np.all(served <= np.bincount(label, m._flows_capacity[~alone, k]) * (1 + 1e-9))
    assert np.all((m.knowledge >= 0) & (m.knowledge <= 1))
    assert np.all((m.trust >= 0) & (m.trust <= 1))
    assert frame["gini"].min() >= 0 and frame["gini"].max() < 1
    np.testing.assert_allclose(
        frame["theil"], frame["theil_between"] + frame["theil_within"], rtol=1e-9, atol=1e-12
    )
    inventory = m.inventory_frame()
    assert frame["structures_active"].iloc[-1] == inventory["year_dissolved"].isna().sum()
    assert (inventory["year_dissolved"].isna() == inventory["exit_cause"].isna()).all()


@settings(max_examples=40, deadline=None)
@given(
    source=st.sampled_from(["lattice", "random_regular", "barabasi_albert"]),
    game=st.sampled_from(["matrix", "public_goods"]),
    rule=st.sampled_from(["logit", "fermi", "imitate_best", "santos"]),
    schedule=st.sampled_from(["synchronous", "random_sequential"]),
    payoffs=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
    start=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
def test_any_classic_game_on_a_graph_gives_consistent_runs(
    source, game, rule, schedule, payoffs, start, seed
):
    reward, sucker, temptation, punishment = payoffs
    if rule == "santos" and max(temptation, reward) <= min(sucker, punishment):
        temptation = min(sucker, punishment) + 1.0  # Santos needs payoffs that can differ
    p = Parameters.model_validate(
        {
            "geometry": {"source": source, "n": 40},
            "graph": {"side": 5, "degree": 4, "attachments": 2},
            "classic_game": {
                "game": game,
                "reward": reward,
                "sucker": sucker,
                "temptation": temptation,
                "punishment": punishment,
            },
            "update": {"rule": rule, "schedule": schedule, "initial_cooperation": start},
            "run": {"burn_in": 0},
        }
    )
    m = GraphGame(p, rng=seed)
    m.run(3)
    frame = m.metrics_frame()
    assert len(frame) == 4
    assert frame["cooperation_rate"].between(0, 1).all()
    assert np.isfinite(frame["payoff_mean"]).all()
    net = m.network
    assert (net.src[net.rev] == net.dst).all() and (net.src != net.dst).all()
    assert m.inventory_frame().empty

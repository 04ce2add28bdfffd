"""Dynamic services: distance-weighted access, balanced budgets, population feedback."""

import numpy as np
import pytest

from cohesim.model import TerritoryModel
from cohesim.model.flows import CandidatePairs, gravity_flows, pair_flows

from helpers import params

STATIC = {
    "budget": {"adjustment_rate": 0.0},
    "population": {"migration_rate": 0.0},
    "structures": {"pooling": False, "reach_gain": 0.0},
}


def test_access_weighs_what_is_reached_by_its_distance():
    """a_i = Σ_j F̃_ij exp(−d_ij/d_u) / D_i, checked against the pair flows by hand."""
    x, y = np.array([0.0, 12.0, 30.0]), np.array([0.0, 5.0, 0.0])
    demand = np.array([[1000.0], [300.0], [200.0]])
    capacity = np.array([[400.0], [900.0], [150.0]])
    decay, access_decay = np.array([20.0]), np.array([15.0])
    pairs = CandidatePairs(x, y, radius=500.0)
    field = gravity_flows(pairs, demand, capacity, decay, 10.0, access_decay)
    i, j = np.repeat(np.arange(3), 3), np.tile(np.arange(3), 3)
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    flows = pair_flows(field, demand, capacity, i, j, d)[:, 0]
    reached = np.bincount(i, flows * np.exp(-d / 15.0), 3)
    np.testing.assert_allclose(field.access[:, 0], np.minimum(1, reached / demand[:, 0]))
    whole = gravity_flows(pairs, demand, capacity, decay, 10.0)
    assert np.all(field.access <= whole.access + 1e-12)
    assert np.any(field.access < whole.access - 1e-3)


def test_without_budget_or_population_feedback_services_stay_as_built():
    m = TerritoryModel(params(**STATIC), rng=1)
    flows, capacity = m.flows, m.capacity.copy()
    m.run(5)
    assert m.flows is flows
    np.testing.assert_array_equal(m.capacity, capacity)


def test_balanced_budgets_leave_no_lasting_deficit():
    """Spending follows the money: operating balances shrink to about zero (defect 4)."""
    drifting = TerritoryModel(params(**STATIC), rng=2)
    balanced = TerritoryModel(params(population={"migration_rate": 0.0}), rng=2)
    drifting.run(40)
    balanced.run(40)

    def gap(m):
        return np.abs(m.balance / m.revenue)

    assert np.median(gap(balanced)) < 0.2 * np.median(gap(drifting))
    assert (balanced.balance < -0.02 * balanced.revenue).mean() < 0.05


def test_capacity_moves_towards_what_spending_pays_for():
    p = params(budget={"adjustment_rate": 1.0}, population={"migration_rate": 0.0})
    m = TerritoryModel(p, rng=3)
    share, unit = m._spending_share, m._unit_cost
    spending = np.maximum(m.revenue + m.payoff, 0.0)
    m.step()
    paid = unit > 0
    np.testing.assert_allclose(
        m.capacity[:, paid], share[:, paid] * spending[:, None] / unit[paid], rtol=1e-12
    )
    # and the flows follow the new capacity
    fresh = gravity_flows(
        m._pairs, m.demand, m.capacity, m.flows.decay_km, p.network.flow_cutoff, m._access_decay
    )
    np.testing.assert_allclose(m.flows.access, fresh.access)


def test_population_follows_welfare_and_is_conserved():
    p = params(budget={"adjustment_rate": 0.0}, population={"migration_rate": 0.05})
    m = TerritoryModel(p, rng=4)
    before, welfare = m.population.copy(), m.welfare.copy()
    m.step()
    assert m.population.sum() == pytest.approx(before.sum(), rel=1e-12)
    growth = m.population / before
    order = np.argsort(welfare)
    assert np.all(np.diff(growth[order]) >= -1e-12)  # the better off grow more
    assert growth.max() > 1 > growth.min()
    assert np.all(np.abs(np.log(growth)) <= 2 * 0.05)  # at most ζ a year, give or take rescaling
    np.testing.assert_allclose(m.demand[:, 0], m.population * m._demand_per_capita[0])


def test_welfare_is_services_reached_plus_the_operating_balance():
    model = TerritoryModel(params(), rng=5)
    model.run(6)
    np.testing.assert_allclose(
        model.welfare, model.service_value + model.balance / model.population, rtol=1e-12
    )
    frame = model.metrics_frame()
    pop = model.population
    row = frame.iloc[-1]
    assert row["welfare_services"] == pytest.approx((model.service_value * pop).sum() / pop.sum())
    assert row["welfare_money"] == pytest.approx(model.balance.sum() / pop.sum())
    assert row["welfare_mean"] == pytest.approx(row["welfare_services"] + row["welfare_money"])

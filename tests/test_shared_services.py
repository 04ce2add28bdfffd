"""Structures share services while they live: pooled capacity and longer reach (issue 12.1)."""

import numpy as np
import pytest

from cohesim.model import TerritoryModel
from cohesim.model.flows import CandidatePairs, gravity_flows
from cohesim.model.shared_services import SharedServices, shared_services

from helpers import params

# a congested town (0) beside a village with spare capacity (1), and a far village (2)
X, Y = np.array([0.0, 10.0, 40.0]), np.zeros(3)
DEMAND = np.array([[1000.0], [100.0], [100.0]])
CAPACITY = np.array([[500.0], [600.0], [100.0]])
DECAY, ACCESS_DECAY = np.array([10.0]), np.array([15.0])


def field(shared=None):
    pairs = CandidatePairs(X, Y, radius=500.0)
    return gravity_flows(pairs, DEMAND, CAPACITY, DECAY, 5.0, ACCESS_DECAY, shared)


def sharing(pool=(0, 0, -1), weight=1.0, stretch=1.0, pairs=((0, 1), (1, 0))):
    i, j = (np.array(x) for x in zip(*pairs, strict=True))
    return SharedServices(
        pool=np.array(pool)[:, None],
        weight=np.array([[weight]]),
        i=i,
        j=j,
        d=np.hypot(X[i] - X[j], Y[i] - Y[j]),
        stretch=np.full((len(i), 1), stretch),
    )


def test_a_pool_serves_the_congested_members_users_with_its_partners_spare_capacity():
    alone, pooled = field(), field(sharing())
    assert alone.ration[0, 0] < 1 and alone.served[1, 0] < CAPACITY[1, 0]  # the premise
    assert pooled.ration[0, 0] > alone.ration[0, 0]
    assert pooled.served[:2, 0].sum() > alone.served[:2, 0].sum()
    assert pooled.served[:2, 0].sum() <= CAPACITY[:2, 0].sum() * (1 + 1e-12)
    assert pooled.access[0, 0] > alone.access[0, 0]
    np.testing.assert_allclose(pooled.ration[2], alone.ration[2])  # a non-member is untouched


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.7, 1.0])
def test_a_pool_moves_rations_by_its_weight_and_never_serves_more_than_it_has(weight):
    alone, pooled = field(), field(sharing(weight=weight))
    total = CAPACITY[:2, 0].sum()
    asked = alone.served[:2, 0] / alone.ration[:2, 0]
    target = min(1.0, total / asked.sum())
    np.testing.assert_allclose(
        pooled.ration[:2, 0], alone.ration[:2, 0] + weight * (target - alone.ration[:2, 0])
    )
    assert pooled.served[:2, 0].sum() <= total * (1 + 1e-12)


def test_longer_reach_sends_more_users_to_partners_which_helps_only_the_poorly_served():
    """Stretched kernels move users towards partners; access counts far services for less.

    So reach raises the access of a member short of services and lowers that of a member
    whose own services suffice (gravity, not access, decides where users go).
    """
    pairs = CandidatePairs(X, Y, radius=500.0)

    def flows(capacity, shared=None):
        return gravity_flows(pairs, DEMAND, capacity, DECAY, 5.0, ACCESS_DECAY, shared)

    stretch = sharing(pool=(-1, -1, -1), stretch=2.0, pairs=((1, 2), (2, 1)))
    short = CAPACITY.copy()
    short[2] = 5.0  # the far village has almost no service of its own
    assert flows(short, stretch).access[2, 0] > flows(short).access[2, 0]
    assert flows(CAPACITY, stretch).access[2, 0] < flows(CAPACITY).access[2, 0]
    # the far village's users now reach its partner: the partner serves more non-residents
    assert (
        flows(CAPACITY, stretch).served_nonresidents[1, 0]
        > flows(CAPACITY).served_nonresidents[1, 0]
    )
    # a stretch of 1 changes nothing
    np.testing.assert_allclose(
        flows(CAPACITY, sharing(stretch=1.0, weight=0.0)).access, flows(CAPACITY).access
    )


def test_a_structure_changes_access_while_it_lives_and_not_after():
    """In the model: memberships pool and stretch; dissolving them restores the flows."""
    p = params(
        budget={"adjustment_rate": 0.0},
        population={"migration_rate": 0.0},
        structures={"reach_gain": 0.5},
        funding={"conditional_grant": 50_000},
        engineering={"state_support": 0.5},
    )
    m = TerritoryModel(p, rng=3)
    built = m.flows.access.copy()
    m.run(6)
    shared = shared_services(m)
    assert shared is not None and not shared.empty
    assert not np.allclose(m.flows.access, built)
    members = np.unique(shared.i)
    moved = np.abs(m.flows.access - built).max(axis=1) > 1e-9
    assert moved[members].all()
    # every structure dissolved: the services are those of the build again
    reg = m.registry
    reg.dissolve(reg.active_structures().copy(), np.zeros(len(reg.active_structures())), m.steps)
    m._update_services()
    np.testing.assert_allclose(m.flows.access, built, rtol=1e-12, atol=1e-12)


def test_engineering_bounds_what_a_structure_shares():
    """Pool weights and stretches are the delivered share 1 − exp(−H_S/H*), below 1."""
    p = params(funding={"conditional_grant": 50_000}, structures={"reach_gain": 0.5})
    m = TerritoryModel(p, rng=3)
    m.run(6)
    shared = shared_services(m)
    assert shared is not None
    assert np.all((shared.weight >= 0) & (shared.weight <= 1))
    assert np.all((shared.stretch >= 1) & (shared.stretch <= 1.5))
    assert (shared.weight < 1).any()  # unstaffed structures share less than in full


def test_sharing_switched_off_leaves_flows_as_without_structures():
    off = {"pooling": False, "reach_gain": 0.0}
    p = params(funding={"conditional_grant": 50_000}, structures=off)
    m = TerritoryModel(p, rng=3)
    m.run(6)
    assert m.registry.active_structures().size > 0  # the premise: structures live
    assert shared_services(m) is None and m.flows.extra is None
    again = gravity_flows(
        m._pairs,
        m._flows_demand,
        m._flows_capacity,
        m.flows.decay_km,
        p.network.flow_cutoff,
        m._access_decay,
    )
    np.testing.assert_allclose(m.flows.access, again.access)
    np.testing.assert_allclose(m.flows.ration, again.ration)

"""Pool updates without a full flow pass equal the full pass (issue 12.1)."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohesim.model import TerritoryModel, flows, territory_model
from cohesim.model.flows import CandidatePairs, gravity_flows, update_pools
from cohesim.model.shared_services import SharedServices

from helpers import params

DECAY, ACCESS_DECAY = np.array([8.0, 20.0]), np.array([12.0, 30.0])
CUTOFF = 3.0


def pooling(pool: np.ndarray, weight: np.ndarray) -> SharedServices:
    """Pools and weights alone, nothing stretched."""
    none = np.zeros(0, dtype=np.int64)
    return SharedServices(
        pool=pool, weight=weight, i=none, j=none, d=np.zeros(0), stretch=np.ones((0, 2))
    )


@st.composite
def regions(draw):
    """A small random region, two domains, and two random pool layouts (possibly none)."""
    n = draw(st.integers(2, 25))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, y = rng.uniform(0, 80, n), rng.uniform(0, 80, n)
    demand = rng.uniform(0, 500, (n, 2)) * (rng.random((n, 2)) > 0.1)
    capacity = rng.uniform(0, 800, (n, 2)) * (rng.random((n, 2)) > 0.2)

    def layout():
        pools = draw(st.integers(0, 4))
        if pools == 0 and draw(st.booleans()):
            return None  # every structure dissolved
        label = rng.integers(-1, pools, (n, 2)) if pools else np.full((n, 2), -1)
        # labels in use, numbered from 0 in each domain's own range, as shared_services does
        pool = np.full((n, 2), -1)
        weights = []
        for m in range(2):
            on = label[:, m] >= 0
            used = np.unique(label[on, m])
            pool[on, m] = len(weights) + np.searchsorted(used, label[on, m])
            weights += [(m, w) for w in rng.uniform(0, 1, len(used))]
        weight = np.zeros((len(weights), 2))
        for p, (m, w) in enumerate(weights):
            weight[p, m] = w
        return pooling(pool, weight)

    access = ACCESS_DECAY if draw(st.booleans()) else None
    return x, y, demand, capacity, layout(), layout(), access


@settings(max_examples=60, deadline=None)
@given(regions())
def test_a_pool_update_equals_the_full_pass(region):
    x, y, demand, capacity, before, after, access = region
    pairs = CandidatePairs(x, y, radius=float(CUTOFF * DECAY.max()))
    old = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, access, before)
    full = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, access, after)
    updated = update_pools(pairs, old, demand, capacity, after)
    for name in ("normaliser", "ration", "access", "served", "served_nonresidents"):
        np.testing.assert_allclose(
            getattr(updated, name), getattr(full, name), rtol=1e-10, atol=0, err_msg=name
        )
        # the rows it recomputes are summed as the full pass sums them
        np.testing.assert_array_equal(getattr(updated, name), getattr(full, name), err_msg=name)


def test_a_pool_update_touches_only_what_is_within_reach_of_changed_members():
    """Two clusters far apart: pooling in one leaves the other's access as it was."""
    x = np.array([0.0, 30.0, 10.0, 500.0, 505.0])
    y = np.zeros(5)
    demand = np.full((5, 2), 300.0)
    capacity = np.array([[50.0] * 2, [500.0] * 2, [100.0] * 2, [100.0] * 2, [200.0] * 2])
    pairs = CandidatePairs(x, y, radius=float(CUTOFF * DECAY.max()))
    pool = np.array([[0, -1], [0, -1], [-1, -1], [-1, -1], [-1, -1]])
    alone = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, ACCESS_DECAY)
    pooled = update_pools(pairs, alone, demand, capacity, pooling(pool, np.array([[1.0, 0.0]])))
    assert pooled.access[0, 0] > alone.access[0, 0]  # the premise: pooling helps there
    np.testing.assert_array_equal(pooled.access[3:], alone.access[3:])
    np.testing.assert_array_equal(pooled.access[:, 1], alone.access[:, 1])


def test_a_pool_update_over_kernels_not_cached_computes_only_the_blocks_it_needs(monkeypatch):
    """Large regions recompute kernels block by block: those far from any change are skipped."""
    monkeypatch.setattr(flows, "PAIRS_PER_BLOCK", 40)
    monkeypatch.setattr(flows, "CACHED_PAIRS", 0)
    monkeypatch.setattr(flows, "COMPILED", False)  # kernel blocks rebuilt from the tree
    rng = np.random.default_rng(7)
    n = 60
    x, y = rng.uniform(0, 400, n), rng.uniform(0, 40, n)
    demand, capacity = rng.uniform(10, 500, (n, 2)), rng.uniform(10, 800, (n, 2))
    pairs = CandidatePairs(x, y, radius=float(CUTOFF * DECAY.max()))
    assert len(pairs.starts) > 5  # the premise: many blocks
    west = np.where((x < 60)[:, None], 0, -1) * np.ones((1, 2), dtype=np.int64)
    west[:, 1] = -1
    shared = pooling(west, np.array([[0.8, 0.0]]))
    old = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, ACCESS_DECAY)
    full = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, ACCESS_DECAY, shared)
    assert not np.array_equal(full.access, old.access)  # the premise: the pool changes access
    computed = []
    block = pairs.block
    monkeypatch.setattr(pairs, "block", lambda a, b: computed.append(a) or block(a, b))
    updated = update_pools(pairs, old, demand, capacity, shared)
    assert 0 < len(computed) < len(pairs.starts) - 1
    for name in ("ration", "access", "served", "served_nonresidents"):
        np.testing.assert_array_equal(getattr(updated, name), getattr(full, name), err_msg=name)


@pytest.mark.parametrize("cached", ["nothing", "flow kernels", "everything"])
def test_kernels_from_kept_distances_are_those_from_the_tree(cached, monkeypatch):
    """Kernels cached or not, access kernels from the kept distances or not: the same flows."""
    rng = np.random.default_rng(3)
    n, decay, access_decay = 80, np.array([8.0, 12.0, 20.0, 5.0]), np.full(4, 15.0)
    x, y = rng.uniform(0, 300, n), rng.uniform(0, 60, n)
    demand, capacity = rng.uniform(10, 500, (n, 4)), rng.uniform(10, 800, (n, 4))
    monkeypatch.setattr(flows, "PAIRS_PER_BLOCK", 200)
    monkeypatch.setattr(flows, "CACHED_PAIRS", 0)
    monkeypatch.setattr(flows, "COMPILED", False)  # kernel blocks rebuilt from the tree
    radius = float(CUTOFF * decay.max())
    reference = gravity_flows(
        CandidatePairs(x, y, radius), demand, capacity, decay, CUTOFF, access_decay
    )
    pairs = CandidatePairs(x, y, radius)
    # four domains, room for eight kernels a pair at CACHED_PAIRS = pairs; at half that, the
    # flow kernels fit and the access kernels are computed from the distances they kept
    budget = {"nothing": 0, "flow kernels": (pairs.total + 1) // 2, "everything": 10**9}[cached]
    monkeypatch.setattr(flows, "CACHED_PAIRS", budget)
    for _ in range(2):  # the second pass reads what the first kept
        field = gravity_flows(pairs, demand, capacity, decay, CUTOFF, access_decay)
        for name in ("normaliser", "ration", "access", "served", "served_nonresidents"):
            np.testing.assert_array_equal(getattr(field, name), getattr(reference, name))
    assert len(pairs._cache) == {"nothing": 0, "flow kernels": 1, "everything": 2}[cached]
    # kept while another kernel may need them; dropped once the access kernels are cached
    assert (pairs._distances is not None) == (cached == "flow kernels")


def test_stretched_kernels_need_the_full_pass():
    x, y = np.array([0.0, 10.0]), np.zeros(2)
    demand = capacity = np.full((2, 2), 100.0)
    pairs = CandidatePairs(x, y, radius=100.0)
    field = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, ACCESS_DECAY)
    stretched = SharedServices(
        pool=np.full((2, 2), -1),
        weight=np.zeros((0, 2)),
        i=np.array([0, 1]),
        j=np.array([1, 0]),
        d=np.array([10.0, 10.0]),
        stretch=np.full((2, 2), 1.5),
    )
    with pytest.raises(ValueError, match="reach_gain > 0"):
        update_pools(pairs, field, demand, capacity, stretched)


@pytest.mark.parametrize("dynamic", [False, True])
def test_the_models_access_is_the_same_with_pool_updates_switched_off(dynamic, monkeypatch):
    """Memberships change every year with funding; capacities too when budgets move."""
    rate = 0.2 if dynamic else 0.0
    p = params(
        budget={"adjustment_rate": rate},
        population={"migration_rate": 0.01 if dynamic else 0.0},
        funding={"conditional_grant": 50_000},
        engineering={"state_support": 0.5},
    )
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return update_pools(*args, **kwargs)

    monkeypatch.setattr(territory_model, "update_pools", counted)
    fast, full = TerritoryModel(p, rng=5), TerritoryModel(p, rng=5)
    full._incremental_pools = False
    for _ in range(8):
        fast.step()
        full.step()
        np.testing.assert_allclose(fast.flows.access, full.flows.access, rtol=1e-10, atol=0)
        np.testing.assert_array_equal(fast.welfare, full.welfare)
    # without budgets moving, pools alone change and the pass is skipped; else capacities moved
    assert (len(calls) > 0) != dynamic


def test_a_full_refresh_frees_the_old_flows_before_computing_the_new(monkeypatch):
    """Two fields alive at once were the step's peak memory on a large region."""
    p = params(budget={"adjustment_rate": 0.2})  # capacities move: full refreshes
    model = TerritoryModel(p, rng=3)
    alive = []

    def watched(*args, **kwargs):
        gc.collect()
        alive.append(old() is not None)
        return gravity_flows(*args, **kwargs)

    monkeypatch.setattr(territory_model, "gravity_flows", watched)
    for _ in range(4):
        old = weakref.ref(model.flows)
        model.step()
    assert alive and not any(alive)

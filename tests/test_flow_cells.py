"""Flows compiled over a grid of cells equal those over cached kernels (large-N path)."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from cohesim.model import flows
from cohesim.model.flow_cells import CellGrid, strongest_partners
from cohesim.model.flows import CandidatePairs, gravity_flows, interaction_network, update_pools
from cohesim.model.shared_services import SharedServices

DECAY, ACCESS_DECAY = np.array([8.0, 20.0, 5.0]), np.array([12.0, 30.0, 4.0])
CUTOFF = 3.0
FIELDS = ("normaliser", "requested", "own_ration", "ration", "access", "served")


def both_paths(monkeypatch, x, y, *args, **kwargs):
    """gravity_flows over cached kernels, then compiled over cells, with their pairs."""
    out = []
    for compiled in (False, True):
        monkeypatch.setattr(flows, "COMPILED", compiled)
        pairs = CandidatePairs(x, y, radius=float(CUTOFF * DECAY.max()))
        out.append((pairs, gravity_flows(pairs, *args, **kwargs)))
    return out


def assert_close(cached, compiled):
    for name in (*FIELDS, "served_nonresidents"):
        expected, got = getattr(cached, name), getattr(compiled, name)
        # served minus the self-pair cancels: its rounding is relative to served
        scale = np.abs(cached.served) if name == "served_nonresidents" else np.abs(expected)
        np.testing.assert_array_less(np.abs(got - expected), 1e-12 * scale + 1e-300, err_msg=name)


def shared_services(n, stretch=False):
    """Two pools in the first domain, one in the second; optionally stretched member pairs."""
    pool = np.full((n, 3), -1)
    pool[: n // 3, 0] = 0
    pool[n // 3 : n // 2, 0] = 1
    pool[n // 4 : n // 2, 1] = 2
    weight = np.array([[0.7, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.4, 0.0]])
    i = j = np.zeros(0, dtype=np.int64)
    if stretch:
        i, j = np.divmod(np.arange(9), 3)
        i, j = i[i != j], j[i != j]
    factor = np.tile([1.5, 1.0, 1.2], (len(i), 1))  # the same both ways: K stays symmetric
    return pool, weight, i, j, factor


@pytest.mark.parametrize("access", [True, False], ids=["access kernel", "flows whole"])
@pytest.mark.parametrize("sharing", ["none", "pools", "pools and stretch"])
def test_the_compiled_pass_equals_the_cached_one(access, sharing, monkeypatch):
    rng = np.random.default_rng(11)
    n = 400
    x, y = rng.uniform(0, 250, n), rng.uniform(0, 120, n)
    demand = rng.uniform(0, 500, (n, 3)) * (rng.random((n, 3)) > 0.1)
    capacity = rng.uniform(0, 800, (n, 3)) * (rng.random((n, 3)) > 0.3)
    shared = None
    if sharing != "none":
        pool, weight, i, j, stretch = shared_services(n, sharing == "pools and stretch")
        d = np.hypot(x[i] - x[j], y[i] - y[j])
        shared = SharedServices(pool=pool, weight=weight, i=i, j=j, d=d, stretch=stretch)
    decay_u = ACCESS_DECAY if access else None
    (_, cached), (pairs, compiled) = both_paths(
        monkeypatch, x, y, demand, capacity, DECAY, CUTOFF, decay_u, shared
    )
    assert not pairs._cache  # the premise: no kernel was stored
    assert np.any(cached.ration < 1) and np.any(cached.access < 1)
    assert_close(cached, compiled)


def test_the_cells_find_every_partner_within_the_radius():
    """Against all pairs: clusters, outliers far away (wide cells), coincident points."""
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 3, 150), rng.uniform(0, 60, 100), [5000.0, 5000.0, -900]])
    y = np.concatenate([rng.normal(0, 3, 150), rng.uniform(0, 60, 100), [0.0, 0.0, 4000]])
    radius = 7.0
    grid = CellGrid(x, y, radius)
    ones = np.ones((len(x), 1))
    counts = grid.sums(np.array([1e300]), np.array([radius]), ones)[:, 0]  # kernel ≈ 1
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.testing.assert_array_equal(counts, (d <= radius).sum(axis=1))
    assert grid.cells.nx * grid.cells.ny <= 4 * len(
        x
    )  # outliers widen the cells instead of multiplying them


def test_the_kernel_reaches_its_cutoff_and_no_further(monkeypatch):
    """A partner exactly at the cutoff counts, as in the cached path; one just beyond does not."""
    decay = np.array([10.0])
    x, y = np.array([0.0, 30.0, 0.0]), np.array([0.0, 0.0, 30.000001])
    capacity = np.array([[1.0], [2.0], [4.0]])
    for compiled in (False, True):
        monkeypatch.setattr(flows, "COMPILED", compiled)
        pairs = CandidatePairs(x, y, radius=31.0)
        field = gravity_flows(pairs, np.ones((3, 1)), capacity, decay, 3.0)
        np.testing.assert_allclose(field.normaliser[0, 0], 1.0 + 2.0 * np.exp(-3.0), rtol=1e-15)


def test_isolated_and_closed_territories(monkeypatch):
    """Alone with no capacity: nobody served and no access; alone with some: served in full."""
    x, y = np.array([0.0, 1.0, 500.0, 900.0]), np.zeros(4)
    demand = np.full((4, 3), 100.0)
    capacity = np.array([[50.0, 0.0, 100.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [300.0] * 3])
    (_, cached), (_, compiled) = both_paths(
        monkeypatch, x, y, demand, capacity, DECAY, CUTOFF, ACCESS_DECAY
    )
    for field in (cached, compiled):
        np.testing.assert_array_equal(field.normaliser[2], 0.0)
        np.testing.assert_array_equal(field.access[2], 0.0)
        np.testing.assert_array_equal(field.served[3], 100.0)
        np.testing.assert_array_equal(field.access[3], 1.0)
        np.testing.assert_array_equal(field.access[:2, 1], 0.0)  # no capacity near in domain 1
    assert_close(cached, compiled)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 40), access=st.booleans())
def test_a_compiled_pool_update_equals_the_compiled_full_pass(seed, n, access):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 150, n), rng.uniform(0, 60, n)
    demand = rng.uniform(0, 500, (n, 3)) * (rng.random((n, 3)) > 0.1)
    capacity = rng.uniform(0, 800, (n, 3)) * (rng.random((n, 3)) > 0.2)
    pool = np.where(rng.random((n, 3)) < 0.4, rng.integers(0, 3, (n, 3)), -1)
    pool[:, 1:] = np.where(pool[:, 1:] >= 0, pool[:, 1:] + 3 * np.arange(1, 3), -1)
    weight = rng.uniform(0, 1, (9, 3)) * (np.arange(9)[:, None] // 3 == np.arange(3))
    none = np.zeros(0, dtype=np.int64)
    shared = SharedServices(pool, weight, none, none, np.zeros(0), np.ones((0, 3)))
    decay_u = ACCESS_DECAY if access else None
    saved = flows.COMPILED
    flows.COMPILED = True
    try:
        pairs = CandidatePairs(x, y, radius=float(CUTOFF * DECAY.max()))
        old = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, decay_u)
        full = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF, decay_u, shared)
        updated = update_pools(pairs, old, demand, capacity, shared)
    finally:
        flows.COMPILED = saved
    for name in ("ration", "access", "served", "served_nonresidents"):
        np.testing.assert_array_equal(getattr(updated, name), getattr(full, name), err_msg=name)


@pytest.mark.parametrize("least", [0.0, 1e-3])
def test_the_compiled_network_is_the_cached_one(least, monkeypatch):
    rng = np.random.default_rng(2)
    n = 300
    x, y = rng.uniform(0, 200, n), rng.uniform(0, 100, n)
    demand = rng.uniform(0, 500, (n, 3)) * (rng.random((n, 3)) > 0.1)
    capacity = rng.uniform(0, 800, (n, 3))
    value = np.array([100.0, 150.0, 80.0])
    nets = []
    for (pairs, field), compiled in zip(
        both_paths(monkeypatch, x, y, demand, capacity, DECAY, CUTOFF), (False, True), strict=True
    ):
        monkeypatch.setattr(flows, "COMPILED", compiled)
        nets.append(interaction_network(pairs, field, demand, capacity, value, 5, least))
    cached, compiled = nets
    assert 0 < cached.n_edges < n * 5
    for name in ("indptr", "src", "dst", "rev"):
        np.testing.assert_array_equal(getattr(compiled, name), getattr(cached, name), err_msg=name)
    np.testing.assert_allclose(compiled.interdependence, cached.interdependence, rtol=1e-12)


def test_pair_flows_by_chunks_are_those_computed_at_once(monkeypatch):
    rng = np.random.default_rng(4)
    n = 50
    x, y = rng.uniform(0, 80, n), rng.uniform(0, 80, n)
    demand, capacity = rng.uniform(0, 500, (n, 3)), rng.uniform(0, 800, (n, 3))
    pairs = CandidatePairs(x, y, radius=float(CUTOFF * DECAY.max()))
    field = gravity_flows(pairs, demand, capacity, DECAY, CUTOFF)
    i, j = np.divmod(np.arange(n * n), n)
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    whole = flows.pair_flows(field, demand, capacity, i, j, d)
    monkeypatch.setattr(flows, "PAIRS_PER_CHUNK", 7)
    np.testing.assert_array_equal(flows.pair_flows(field, demand, capacity, i, j, d), whole)
    assert np.count_nonzero(whole) > n * n // 4
    # kernels kept by the caller give the same flows, and stay as they were
    kept = flows.pair_kernels(field, d)
    before = kept.copy()
    np.testing.assert_array_equal(
        flows.pair_flows(field, demand, capacity, i, j, d, kernel=kept), whole
    )
    stretched = replace(
        field, extra=tuple(sparse.random_array((n, n), density=0.2, rng=k) for k in range(3))
    )
    np.testing.assert_array_equal(
        flows.pair_flows(stretched, demand, capacity, i, j, d, kernel=kept),
        flows.pair_flows(stretched, demand, capacity, i, j, d),
    )
    np.testing.assert_array_equal(kept, before)


def test_equal_partners_go_to_the_lower_numbers():
    """A centre (4) with four partners equally strong, whatever order they are visited in."""
    x, y = np.array([0.0, 10.0, -10.0, 0.0, 0.0]), np.array([10.0, 0.0, 0.0, -10.0, 0.0])
    grid = CellGrid(x, y, 12.0)
    order, ones = grid.order, np.ones((1, 5))
    out = np.full((5, 2), -1, dtype=np.int64)
    strongest_partners(
        grid.cells, order, 12.0, np.array([-0.25]), np.array([12.0]), np.ones(1), ones, ones,
        np.ones(5), 2, 0.0, out,
    )  # fmt: skip
    np.testing.assert_array_equal(out[4], [0 * 5 + 4, 1 * 5 + 4])  # partners 0 and 1
    np.testing.assert_array_equal(out[:4, 0], np.arange(4) * 5 + 4)  # each keeps the centre
    np.testing.assert_array_equal(out[:4, 1], -1)  # and nobody else: 14 km is past the radius

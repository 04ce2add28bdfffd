"""Gravity flows, rationing and the interaction network, against a dense reference."""

import numpy as np
import pytest

from cohesim.model import flows
from cohesim.model.flows import CandidatePairs, gravity_flows, interaction_network, pair_flows


def random_region(n=60, m=3, seed=0):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    population = rng.lognormal(9, 1, n)
    demand = population[:, None] * rng.uniform(0.5, 2, m)[None, :]
    capacity = demand.sum(axis=0) * rng.dirichlet(np.ones(n), m).T * rng.uniform(0.6, 1.2, m)
    decay = rng.uniform(5, 30, m)
    return x, y, demand, capacity, decay


def dense_flows(x, y, demand, capacity, decay, cutoff):
    """The textbook computation on full N × N matrices (small N only)."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    raw, rationed = [], []
    for k in range(demand.shape[1]):
        kernel = np.where(d <= cutoff * decay[k], np.exp(-d / decay[k]), 0.0)
        weight = capacity[None, :, k] * kernel
        f = demand[:, k, None] * weight / weight.sum(axis=1, keepdims=True)
        ration = np.minimum(1.0, capacity[:, k] / f.sum(axis=0))
        raw.append(f)
        rationed.append(f * ration[None, :])
    return d, np.stack(raw, axis=2), np.stack(rationed, axis=2)


@pytest.fixture(
    params=[(2.0, False), (5.0, False), (2.0, True), (5.0, True)],
    ids=["cutoff 2", "cutoff 5", "cutoff 2 compiled", "cutoff 5 compiled"],
)
def region(request, monkeypatch):
    """A random region and its flows, by cached kernels or compiled over cells."""
    x, y, demand, capacity, decay = random_region()
    cutoff, compiled = request.param
    monkeypatch.setattr(flows, "COMPILED", compiled)
    pairs = CandidatePairs(x, y, radius=float(cutoff * decay.max()))
    field = gravity_flows(pairs, demand, capacity, decay, cutoff)
    return x, y, demand, capacity, decay, cutoff, pairs, field


def test_flows_match_dense_reference(region):
    x, y, demand, capacity, decay, cutoff, pairs, field = region
    d, raw, rationed = dense_flows(x, y, demand, capacity, decay, cutoff)
    n = len(x)
    i, j = np.divmod(np.arange(n * n), n)
    sparse = pair_flows(field, demand, capacity, i, j, d.ravel()).reshape(n, n, -1)
    np.testing.assert_allclose(sparse, rationed, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(field.access, rationed.sum(axis=1) / demand, rtol=1e-12)
    np.testing.assert_allclose(field.served, rationed.sum(axis=0), rtol=1e-12)
    off_diagonal = rationed.sum(axis=0) - np.einsum("iik->ik", rationed)
    np.testing.assert_allclose(field.served_nonresidents, off_diagonal, rtol=1e-9, atol=1e-6)


def test_unrationed_flows_sum_to_demand(region):
    x, y, demand, capacity, decay, cutoff, pairs, field = region
    d, raw, _ = dense_flows(x, y, demand, capacity, decay, cutoff)
    np.testing.assert_allclose(raw.sum(axis=1), demand, rtol=1e-12)


def test_rationing_never_exceeds_capacity_and_access_is_a_share(region):
    *_, demand, capacity, decay, cutoff, pairs, field = region
    assert np.all(field.served <= capacity * (1 + 1e-12))
    assert np.all((field.access >= 0) & (field.access <= 1))
    # some territories are over-requested in this region, so rationing is exercised
    assert np.any(field.ration < 1)


def test_blocks_and_recomputation_give_the_same_results(region, monkeypatch):
    x, y, demand, capacity, decay, cutoff, _, field = region
    monkeypatch.setattr(flows, "PAIRS_PER_BLOCK", 97)
    monkeypatch.setattr(flows, "CACHED_PAIRS", 0)
    monkeypatch.setattr(flows, "COMPILED", False)  # kernel blocks rebuilt from the tree
    pairs = CandidatePairs(x, y, radius=float(cutoff * decay.max()))
    assert len(pairs.starts) > 5
    blocked = gravity_flows(pairs, demand, capacity, decay, cutoff)
    np.testing.assert_allclose(blocked.access, field.access, rtol=1e-12)
    np.testing.assert_allclose(blocked.served, field.served, rtol=1e-12)


def test_network_keeps_strongest_partners_symmetrically(region):
    x, y, demand, capacity, decay, cutoff, pairs, field = region
    value = np.array([100.0, 150.0, 80.0])
    k = 4
    net = interaction_network(pairs, field, demand, capacity, value, k, 0.0)
    n = len(x)
    d, _, rationed = dense_flows(x, y, demand, capacity, decay, cutoff)
    both = (rationed + rationed.transpose(1, 0, 2)) @ value
    valued = demand @ value
    strength = both / (valued[:, None] + valued[None, :])
    np.fill_diagonal(strength, -1)
    expected = set()
    for i in range(n):
        for j in np.argsort(-strength[i], kind="stable")[:k]:
            if strength[i, j] > 0:
                expected.add((min(i, j), max(i, j)))
    got = {(min(a, b), max(a, b)) for a, b in zip(net.src, net.dst, strict=True)}
    assert got == expected
    assert np.all(net.src[net.rev] == net.dst) and np.all(net.dst[net.rev] == net.src)
    assert np.all(net.src != net.dst)
    assert np.all(np.diff(net.src) >= 0)
    np.testing.assert_allclose(net.interdependence, strength[net.src, net.dst], rtol=1e-12)
    # stored in single precision
    np.testing.assert_allclose(net.flow, rationed[net.src, net.dst], rtol=1e-6, atol=1e-6)
    assert np.all(net.degree >= np.minimum(k, (strength > 0).sum(axis=1)))


def test_min_interdependence_drops_weak_links(region):
    *_, demand, capacity, decay, cutoff, pairs, field = region
    value = np.ones(3)
    everything = interaction_network(pairs, field, demand, capacity, value, 20, 0.0)
    threshold = np.quantile(everything.interdependence, 0.5)
    strong = interaction_network(pairs, field, demand, capacity, value, 20, threshold)
    assert strong.n_edges < everything.n_edges
    assert np.all(strong.interdependence >= threshold)


def test_kernel_columns_follow_a_z_order_curve():
    """Columns are stored quadrant by quadrant of the map (the Z curve's first level), and
    ``column`` inverts ``column_order``."""
    rng = np.random.default_rng(5)
    n = 400
    # away from the quadrants' borders, the two corners pinning the bounding square
    x = np.concatenate([[0.0, 100.0], rng.choice([0.0, 60.0], n) + rng.uniform(0, 40, n)])
    y = np.concatenate([[0.0, 100.0], rng.choice([0.0, 60.0], n) + rng.uniform(0, 40, n)])
    pairs = CandidatePairs(x, y, radius=10.0)
    order = pairs.column_order
    np.testing.assert_array_equal(np.sort(order), np.arange(n + 2))
    np.testing.assert_array_equal(pairs.column[order], np.arange(n + 2))
    quadrant = (x[order] > 50) + 2 * (y[order] > 50)
    assert np.all(np.diff(quadrant) >= 0)

"""The compiled membership loops answer as scipy's sparse algebra did, in the same order."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from cohesim.model.membership_kernels import edge_structures, pool_weights, pooled_rations, pools
from cohesim.model.registry import Memberships, StructureRegistry


def scipy_pools(territory, structure, covers, n):
    """The pools as connected components of the bipartite graph (the implementation replaced)."""
    structures, n_dom = covers.shape
    pool = np.full((n, n_dom), -1, dtype=np.int64)
    numbered = 0
    for m in range(n_dom):
        on = covers[structure, m]
        if not on.any():
            continue
        graph = sparse.csr_array(
            (np.ones(on.sum()), (territory[on], n + structure[on])), shape=(n + structures,) * 2
        )
        _, label = connected_components(graph, directed=False)
        member = np.zeros(n, dtype=bool)
        member[territory[on]] = True
        own = label[:n]
        pooled = member & (np.bincount(own[member], minlength=label.max() + 1)[own] > 1)
        codes, local = np.unique(own[pooled], return_inverse=True)
        pool[pooled, m] = numbered + local
        numbered += len(codes)
    return pool


def numpy_pooled_rations(ration, requested, capacity, pool, weight):
    """The pooled rations as numpy computed them (the implementation replaced)."""
    out = ration.copy()
    for k in range(ration.shape[1]):
        label = pool[:, k]
        on = label >= 0
        if not on.any():
            continue
        pools = len(weight)
        lab = label[on]
        total = np.bincount(lab, capacity[on, k], pools)
        asked = np.bincount(lab, requested[on, k], pools)
        pooled = np.divide(total, asked, out=np.ones(pools), where=asked > 0)
        pooled = np.minimum(pooled, 1.0)
        out[on, k] += weight[lab, k] * (pooled[lab] - ration[on, k])
    return out


def numpy_pool_weights(territory, structure, pool, covers, delivered):
    """The pools' weights as numpy computed them (the implementation replaced)."""
    weight = np.zeros((int(pool.max(initial=-1)) + 1, covers.shape[1]))
    for m in range(covers.shape[1]):
        label = pool[territory, m]
        on = covers[structure, m] & (label >= 0)
        np.maximum.at(weight[:, m], label[on], np.minimum(delivered[structure[on]], 1.0))
    return weight


@st.composite
def memberships(draw):
    """A registry of random structures and memberships, some ended, and a random network."""
    n = draw(st.integers(2, 25))
    n_dom = draw(st.integers(1, 4))
    registry = StructureRegistry(n_dom)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    count = draw(st.integers(0, 12))
    founders = np.array([rng.choice(n, 2, replace=False) for _ in range(count)]).reshape(-1, 2)
    registry.form(
        rng.integers(0, 4, count).astype(np.int8), rng.random((count, n_dom)) < 0.5, founders, 0
    )
    for s in range(count):  # a few more members each, at most once at a time
        outside = np.setdiff1d(np.arange(n), founders[s])
        joining = rng.choice(outside, rng.integers(0, min(4, len(outside)) + 1), replace=False)
        registry.join(np.full(len(joining), s), joining, 1)
    held = registry.active_members()
    registry.leave(held[rng.random(len(held)) < 0.2], 0, 2)
    if count:
        registry.dissolve(np.flatnonzero(rng.random(count) < 0.2), np.int8(0), 3)
    pairs = rng.random((n, n)) < 0.3
    src, dst = np.nonzero(pairs | pairs.T)
    keep = src != dst
    return registry, n, src[keep].astype(np.int32), dst[keep].astype(np.int32)


@settings(max_examples=200, deadline=None)
@given(memberships())
def test_csr_arrays_list_each_membership_held_once_by_territory_and_by_structure(case):
    registry, n, _, _ = case
    ms = registry.memberships(n)
    held = registry.active_members()
    np.testing.assert_array_equal(ms.held, held)
    for i in range(n):
        slots = ms.territory_slots[ms.by_territory[i] : ms.by_territory[i + 1]]
        assert (ms.territory[slots] == i).all()
        assert (
            np.diff(ms.territory_structures[ms.by_territory[i] : ms.by_territory[i + 1]]) > 0
        ).all()
    for s in range(registry.structures.size):
        slots = ms.structure_slots[ms.by_structure[s] : ms.by_structure[s + 1]]
        assert (ms.structure[slots] == s).all()
        assert (
            np.diff(ms.structure_members[ms.by_structure[s] : ms.by_structure[s + 1]]) > 0
        ).all()
    assert sorted(ms.territory_slots) == sorted(ms.structure_slots) == list(range(len(held)))


def numpy_memberships(registry, n):
    """The CSR arrays as numpy built them with argsorts (the implementation replaced)."""
    held = registry.active_members()
    territory = registry.members["territory"][held].astype(np.int64)
    structure = registry.members["structure"][held].astype(np.int64)
    size = registry.structures.size
    by_territory = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(territory, minlength=n), out=by_territory[1:])
    by_structure = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(structure, minlength=size), out=by_structure[1:])
    territory_slots = np.argsort(territory * size + structure)
    structure_slots = np.argsort(structure * n + territory)
    return Memberships(
        held,
        territory,
        structure,
        by_territory,
        territory_slots,
        structure[territory_slots],
        by_structure,
        structure_slots,
        territory[structure_slots],
    )


@settings(max_examples=200, deadline=None)
@given(memberships())
def test_csr_arrays_are_numpys_argsorts(case):
    registry, n, _, _ = case
    got, expected = registry.memberships(n), numpy_memberships(registry, n)
    for name, array in expected._asdict().items():
        np.testing.assert_array_equal(getattr(got, name), array, err_msg=name)
        assert getattr(got, name).dtype == array.dtype, name


@settings(max_examples=200, deadline=None)
@given(memberships())
def test_edge_structures_are_scipys_products_in_scipys_order(case):
    registry, n, src, dst = case
    ms = registry.memberships(n)
    domains = registry.structures["domains"]
    matrix = registry.membership_matrix(n)
    pairs = edge_structures(src, dst, ms, domains)
    both = matrix[src].multiply(matrix[dst]).tocoo()
    only_src = (matrix[src] - matrix[src].multiply(matrix[dst])).tocoo()
    np.testing.assert_array_equal(pairs.edge, both.row)
    np.testing.assert_array_equal(pairs.structure, both.col)
    np.testing.assert_array_equal(pairs.outward_edge, only_src.row)
    np.testing.assert_array_equal(pairs.outward_structure, only_src.col)
    # each slot is the source's membership of that structure
    np.testing.assert_array_equal(ms.territory[pairs.slot], src[pairs.edge])
    np.testing.assert_array_equal(ms.structure[pairs.slot], pairs.structure)
    # the edges sharing a structure, and the domains their shared structures cover
    edges, group = np.unique(both.row, return_inverse=True)
    np.testing.assert_array_equal(pairs.edges, edges)
    np.testing.assert_array_equal(pairs.group, group)
    covered = np.zeros((len(edges), domains.shape[1]), dtype=bool)
    np.logical_or.at(covered, group, domains[both.col])
    np.testing.assert_array_equal(pairs.covered, covered)


@settings(max_examples=200, deadline=None)
@given(memberships())
def test_pools_are_the_connected_components_scipy_numbered(case):
    registry, n, _, _ = case
    ms = registry.memberships(n)
    covers = registry.structures["domains"]
    np.testing.assert_array_equal(
        pools(ms.territory, ms.structure, covers, n),
        scipy_pools(ms.territory, ms.structure, covers, n),
    )


def test_a_chain_of_structures_makes_one_pool_and_a_lone_member_none():
    # structures 0 = {0, 1}, 1 = {1, 2} cover domain 0; 2 = {3, 4} covers domain 1 only
    territory = np.array([0, 1, 1, 2, 3, 4])
    structure = np.array([0, 0, 1, 1, 2, 2])
    covers = np.array([[True, False], [True, False], [False, True]])
    pool = pools(territory, structure, covers, 6)
    np.testing.assert_array_equal(pool[:, 0], [0, 0, 0, -1, -1, -1])
    np.testing.assert_array_equal(pool[:, 1], [-1, -1, -1, 1, 1, -1])


def test_answers_are_kept_until_memberships_change_and_no_op_changes_keep_them():
    registry = StructureRegistry(1)
    registry.form(np.array([0], np.int8), np.ones((1, 1), bool), np.array([[0, 1]]), 0)
    first = registry.memberships(3)
    registry.leave(np.zeros(0, dtype=np.int64), 0, 1)  # nobody leaves
    registry.join(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 1)
    assert registry.memberships(3) is first
    assert not first.held.flags.writeable
    registry.join(np.array([0]), np.array([2]), 1)
    assert registry.memberships(3) is not first
    np.testing.assert_array_equal(registry.memberships(3).structure_members, [0, 1, 2])


@settings(max_examples=200, deadline=None)
@given(memberships(), st.integers(0, 2**32 - 1))
def test_pooled_rations_are_numpys_to_the_last_bit(case, seed):
    registry, n, _, _ = case
    ms = registry.memberships(n)
    pool = pools(ms.territory, ms.structure, registry.structures["domains"], n)
    rng = np.random.default_rng(seed)
    m = pool.shape[1]
    capacity = rng.uniform(0, 900, (n, m)) * (rng.random((n, m)) > 0.2)
    requested = rng.uniform(0, 1_200, (n, m)) * (rng.random((n, m)) > 0.2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ration = np.where(requested > 0, np.minimum(1.0, capacity / requested), 1.0)
    weight = rng.random((int(pool.max(initial=-1)) + 1, m))
    np.testing.assert_array_equal(
        pooled_rations(ration, requested, capacity, pool, weight),
        numpy_pooled_rations(ration, requested, capacity, pool, weight),
    )


@settings(max_examples=200, deadline=None)
@given(memberships(), st.integers(0, 2**32 - 1))
def test_pool_weights_are_numpys(case, seed):
    registry, n, _, _ = case
    ms = registry.memberships(n)
    covers = registry.structures["domains"]
    pool = pools(ms.territory, ms.structure, covers, n)
    # shares above 1 are capped; some structures deliver exactly the same share
    delivered = np.random.default_rng(seed).choice([0.0, 0.3, 0.632, 0.9, 1.0, 1.4], len(covers))
    weight = pool_weights(ms.territory, ms.structure, pool, covers, delivered)
    np.testing.assert_array_equal(
        weight, numpy_pool_weights(ms.territory, ms.structure, pool, covers, delivered)
    )
    assert weight.shape == (int(pool.max(initial=-1)) + 1, covers.shape[1])

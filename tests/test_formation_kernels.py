"""The compiled formation passes give the numpy formulas' numbers, bit for bit."""

import numpy as np
import pytest
from scipy import sparse

from cohesim.experiments import load_scenario
from cohesim.model import TerritoryModel, formation
from cohesim.model import formation_kernels as kernels
from cohesim.model.kinds import CONTRAT, GROWABLE, POLE, STRUCTURE_KINDS, is_urban
from cohesim.model.registry import kind_table
from cohesim.model.shapes import pair_shape, structure_shape
from cohesim.model.structures import free_engineering

from helpers import SCENARIOS


@pytest.mark.parametrize("seed", range(20))
def test_insertion_sort_sorts_a_view_in_place_as_np_sort(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 30, rng.integers(0, 60))  # repeats included
    count = int(rng.integers(0, len(values) + 1))
    sorted_part, rest = np.sort(values[:count]), values[count:].copy()
    kernels._insertion_sort(values[:count])  # a view: sorted in place
    np.testing.assert_array_equal(values[:count], sorted_part)
    np.testing.assert_array_equal(values[count:], rest)  # the rest untouched


@pytest.fixture(scope="module")
def model():
    """The matching-fund scenario after 20 years: a few hundred memberships, most growable."""
    m = TerritoryModel(load_scenario(SCENARIOS / "matching_fund.toml").parameters, rng=3)
    m.run(20)
    assert len(m.registry.active_members()) > 100
    return m


@pytest.mark.parametrize("length", [1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 128, 129, 300, 1031])
def test_sums_add_in_numpys_and_scipys_order(length):
    values = (
        np.random.default_rng(length).standard_normal((5, length))
        * 10.0 ** np.arange(5)[:, None]
        * np.random.default_rng(0).uniform(0.1, 1e6, length)
    )
    for row, by_numpy, by_scipy in zip(
        values, values.sum(axis=1), sparse.csr_array(values).sum(axis=1), strict=True
    ):
        assert kernels._row_sum(row, length) == by_numpy
        assert kernels._reduceat_sum(row, length) == by_scipy


def _shared_kinds(model, i, j):
    mb = model.registry.members
    held = model.registry.active_members()
    kinds = model.registry.structures["kind"]
    of = [set() for _ in model.population]
    for t, s in zip(mb["territory"][held], mb["structure"][held], strict=True):
        of[t].add(s)
    return np.array(
        [sum({1 << int(kinds[s]) for s in of[a] & of[b]}) for a, b in zip(i, j, strict=True)]
    )


def _prospects(model, edges, quality):
    """pair_prospects on whole arrays, kind after kind, from perceived_gain."""
    net, n_dom_all = model.network, len(model.domain_names)
    i, j, rev = net.src[edges], net.dst[edges], net.rev[edges]
    best, best_kind = np.full(len(edges), -np.inf), np.full(len(edges), -1)
    gain_src, gain_dst = best.copy(), best.copy()
    free, shared = free_engineering(model), _shared_kinds(model, i, j)
    exchanged = (net.flow[edges] + net.flow[rev]) * model._value
    net_i = model.edge_spillover(edges) - model.edge_spillover(rev)
    transfer_all = net_i.sum(axis=1)
    transfer_one = net_i[np.arange(len(edges)), np.argmax(exchanged, axis=1)]
    shape = pair_shape(model, i, j, quality)
    s = model.parameters.structures
    for kind, spec in enumerate(kind_table(model.parameters)):
        spans_all = kind in (CONTRAT, POLE)
        n_dom = np.full(len(edges), n_dom_all if spans_all else 1)
        need = (spec.running_fte + spec.setup_fte / s.amortisation_years) * (
            n_dom if kind == POLE else 1
        )
        feasible = ((shared & (1 << kind)) == 0) & (free[i] >= need) & (free[j] >= need)
        if kind == CONTRAT:
            feasible &= is_urban(model.kind[i]) != is_urban(model.kind[j])
        if kind == POLE:
            feasible &= is_urban(model.kind[i]) | is_urban(model.kind[j])
        transfer = transfer_all if spans_all else transfer_one
        g_i = formation.perceived_gain(
            model, i, kind, n_dom, transfer, model.knowledge[edges], model.trust[edges], shape
        )
        g_j = formation.perceived_gain(
            model, j, kind, n_dom, -transfer, model.knowledge[rev], model.trust[rev], shape
        )
        gain = np.where(feasible, np.minimum(g_i, g_j), -np.inf)
        better = gain > best
        best[better], best_kind[better] = gain[better], kind
        gain_src[better], gain_dst[better] = g_i[better], g_j[better]
    return best_kind, gain_src, gain_dst


def test_pair_prospects_are_perceived_gains_kind_by_kind(model):
    net = model.network
    edges = np.flatnonzero(net.src < net.dst)
    quality = np.maximum(0.3 * np.random.default_rng(1).standard_normal(len(edges)), -0.9)
    expected = _prospects(model, edges, quality)
    got = formation.pair_prospects(model, edges, quality)
    assert (expected[0] >= 0).sum() > 10  # the test means something: some pairs could found
    assert (_shared_kinds(model, net.src[edges], net.dst[edges]) > 0).sum() > 10
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert formation.pair_prospects(model, edges[:0])[0].shape == (0,)


def test_partnership_values_of_shared_structures_are_the_sparse_products(model):
    reg, net = model.registry, model.network
    held = reg.active_members()
    n, size = len(model.population), reg.structures.size
    territory, structure = reg.members["territory"][held], reg.members["structure"][held]
    fellows = np.bincount(structure, minlength=size) - 1.0
    share = reg.members["benefit"][held] / np.maximum(fellows[structure], 1.0)
    matrix = sparse.csr_array((share, (territory, structure)), shape=(n, size))
    member = sparse.csr_array((np.ones(len(held)), (territory, structure)), shape=(n, size))
    expected = np.asarray(matrix[net.src].multiply(member[net.dst]).sum(axis=1)).ravel()
    sharing = np.asarray(member[net.src].multiply(member[net.dst]).sum(axis=1)).ravel() > 0
    assert sharing.sum() > 50 and (expected != 0).sum() > 50

    value = formation.partnership_values(model)
    np.testing.assert_array_equal(value[sharing], expected[sharing])
    # pairs that share nothing expect what the best structure they could found would bring
    open_pairs = np.flatnonzero((net.src < net.dst) & ~sharing)
    kind, gain_src, gain_dst = _prospects(model, open_pairs, 0.0)
    possible = (kind >= 0) & (np.minimum(gain_src, gain_dst) > 0)
    assert possible.any()
    np.testing.assert_array_equal(value[open_pairs[possible]], np.maximum(gain_src[possible], 0))
    np.testing.assert_array_equal(
        value[net.rev[open_pairs[possible]]], np.maximum(gain_dst[possible], 0)
    )


def test_values_and_gains_of_some_edges_are_those_of_every_edge(model):
    """What the revisers read (their edges only) is the whole computation's, to the last bit."""
    net = model.network
    edges = np.flatnonzero(np.random.default_rng(5).random(len(net.src)) < 0.2)
    value = formation.partnership_values(model)
    assert (value[edges] != 0).sum() > 20
    np.testing.assert_array_equal(formation.partnership_values(model, edges), value[edges])
    np.testing.assert_array_equal(model.partnership_gain(edges), model.partnership_gain()[edges])


def test_join_pairs_aggregate_each_candidates_edges_to_members(model):
    """Every (non-member, growable structure with room) pair, with bincount's sums and means."""
    reg, net, p = model.registry, model.network, model.parameters
    st, mb = reg.structures, reg.members
    held = reg.active_members()
    size = np.bincount(mb["structure"][held], minlength=st.size)
    members = [set() for _ in model.population]
    for t, s in zip(mb["territory"][held], mb["structure"][held], strict=True):
        members[t].add(int(s))
    able = model.budget > 0
    entries = {}
    spill = model.edge_spillover() - model.edge_spillover(net.rev)
    for e in range(len(net.src)):
        t = int(net.src[e])
        for s in sorted(members[net.dst[e]]):
            if not (able[t] and model.stance[e] and s not in members[t]):
                continue
            if st["kind"][s] not in GROWABLE or size[s] >= p.structures.max_members:
                continue
            entries.setdefault((t, s), []).append(e)
    assert len(entries) > 20
    indptr, held_by, _ = formation._memberships(model)
    got = kernels.join_pairs(
        net.indptr, net.dst, net.rev, indptr, held_by, st["kind"],
        np.isin(np.arange(len(STRUCTURE_KINDS)), GROWABLE), size, p.structures.max_members,
        able, model.stance, model.knowledge, model.trust, net.flow,
        model._spillover_per_user, st["domains"],
    )  # fmt: skip
    keys = sorted(entries)
    np.testing.assert_array_equal(got[0], [t for t, _ in keys])
    np.testing.assert_array_equal(got[1], [s for _, s in keys])
    for k, (t, s) in enumerate(keys):
        e = np.array(entries[t, s])
        weights = (spill[e] * st["domains"][s]).sum(axis=1)
        assert got[2][k] == np.bincount(np.zeros(len(e), dtype=int), weights)[0]
        assert got[3][k] == np.bincount(np.zeros(len(e), dtype=int), model.knowledge[e])[0] / len(e)
        assert got[4][k] == np.bincount(np.zeros(len(e), dtype=int), model.trust[e])[0] / len(e)
        assert got[5][k] == st["domains"][s].sum()
    geometry = structure_shape(model)  # the joins' shapes are read from it
    assert np.isfinite(geometry["x"][got[1]]).all()

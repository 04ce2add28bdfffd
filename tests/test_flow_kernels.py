"""The compiled passes over kernel blocks are scipy's sparse products, to the last bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from cohesim.model import flows
from cohesim.model.flow_kernels import column_sums, normalised_requests, rationed_flows, row_sums
from cohesim.model.flows import CandidatePairs


@st.composite
def regions(draw):
    """A small random region with 1 to 9 domains (groups of four and a remainder), some
    demands and capacities zero, in blocks of a few pairs each."""
    n = draw(st.integers(1, 40))
    domains = draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, y = rng.uniform(0, 60, n), rng.uniform(0, 60, n)
    demand = rng.uniform(0, 500, (n, domains)) * (rng.random((n, domains)) > 0.1)
    capacity = rng.uniform(0, 800, (n, domains)) * (rng.random((n, domains)) > 0.3)
    decay = rng.uniform(3, 20, domains)
    block = draw(st.integers(1, 200))
    return x, y, demand, capacity, decay, block


def scipy_kernels(pairs, block, n):
    """A block's kernels as the scipy matrices whose products the kernels replaced, with
    territories' numbers as columns (pairs in the same order)."""
    shape = (block.stop - block.start, n)
    partner = pairs.column_order[block.column]
    return [sparse.csr_array((values, partner, block.indptr), shape=shape) for values in block.data]


def scipy_passes(pairs, blocks, demand, capacity):
    """The products the kernels replaced (main before 7 December 2026, evening)."""
    n, m = demand.shape
    normaliser = np.zeros((n, m))
    for b in blocks:
        for k, kernel in enumerate(scipy_kernels(pairs, b, n)):
            normaliser[b.start : b.stop, k] = kernel @ capacity[:, k]
    reach = np.divide(demand, normaliser, out=np.zeros_like(demand), where=normaliser > 0)
    requested = np.zeros((n, m))
    for b in blocks:
        for k, kernel in enumerate(scipy_kernels(pairs, b, n)):
            requested[:, k] += kernel.T @ reach[b.start : b.stop, k]
    received = np.zeros((n, m))
    for b in blocks:
        for k, kernel in enumerate(scipy_kernels(pairs, b, n)):
            received[b.start : b.stop, k] = kernel @ demand[:, k]
    return normaliser, reach, requested, received


@settings(max_examples=80, deadline=None)
@given(regions())
def test_the_block_passes_are_scipys_products(region):
    x, y, demand, capacity, decay, block = region
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flows, "PAIRS_PER_BLOCK", block)
        pairs = CandidatePairs(x, y, radius=float(3.0 * decay.max()))
    blocks = list(pairs.kernel_blocks(decay, 3.0 * decay))
    n, m = demand.shape
    normaliser, reach, requested = np.empty((n, m)), np.empty((n, m)), np.zeros((n, m))
    sums, columns, received = np.empty((n, m)), np.zeros((n, m)), np.empty((n, m))
    some = np.full((n, m), np.nan)
    only = np.random.default_rng(block).random(n) < 0.5
    # what is read or summed at the columns is in their order, Z-order on the map
    stored_capacity, stored_demand = capacity[pairs.column_order], demand[pairs.column_order]
    for b in blocks:
        # the pairs the block stands for: the tree's, origins derived from the row pointers
        i, j, _ = pairs.block(b.start, b.stop)
        np.testing.assert_array_equal(b.origins(), i)
        np.testing.assert_array_equal(pairs.column_order[b.column], j)
        args = (b.indptr, b.column, b.data, b.start)
        normalised_requests(*args, stored_capacity, demand, normaliser, reach, requested)
        row_sums(*args, stored_capacity, sums, flows.ALL)
        column_sums(*args, reach, columns)
        row_sums(*args, stored_demand, received, flows.ALL)
        row_sums(*args, stored_demand, some, only[b.start : b.stop])
    requested, columns = requested[pairs.column], columns[pairs.column]
    expected = scipy_passes(pairs, blocks, demand, capacity)
    assert len(blocks) == len(pairs.starts) - 1
    for got, want in zip((normaliser, reach, requested, received), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(sums, expected[0])
    np.testing.assert_array_equal(columns, expected[2])
    # only the rows asked for, untouched elsewhere
    np.testing.assert_array_equal(some[only], expected[3][only])
    assert np.isnan(some[~only]).all()


def numpy_pair_flows(kernel, normaliser, demand, capacity, ration, i, j):
    """The numpy expression the kernel replaced."""
    share = np.divide(kernel, normaliser[i], out=np.zeros_like(kernel), where=normaliser[i] > 0)
    return demand[i] * capacity[j] * share * ration[j]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rationed_flows_are_numpys(dtype):
    rng = np.random.default_rng(7)
    n, m, pairs = 50, 4, 400
    normaliser = rng.uniform(0, 10, (n, m)) * (rng.random((n, m)) > 0.2)
    demand, capacity = rng.uniform(0, 500, (n, m)), rng.uniform(0, 800, (n, m))
    ration = rng.uniform(0, 1, (n, m))
    i, j = rng.integers(0, n, pairs).astype(np.int32), rng.integers(0, n, pairs).astype(np.int32)
    kernel = np.exp(-rng.uniform(0, 30, (pairs, m)) / 8.0)
    out = np.empty((pairs, m), dtype=dtype)
    rationed_flows(kernel, normaliser, demand, capacity, ration, i, j, out)
    want = numpy_pair_flows(kernel, normaliser, demand, capacity, ration, i, j)
    np.testing.assert_array_equal(out, want.astype(dtype))

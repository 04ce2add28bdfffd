"""The compiled passes over kernel blocks are scipy's sparse products, to the last bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def scipy_passes(blocks, demand, capacity):
    """The products the kernels replaced (main before 8 December 2026)."""
    n, m = demand.shape
    normaliser = np.zeros((n, m))
    for b in blocks:
        for k, kernel in enumerate(b.kernels):
            normaliser[b.start : b.stop, k] = kernel @ capacity[:, k]
    reach = np.divide(demand, normaliser, out=np.zeros_like(demand), where=normaliser > 0)
    requested = np.zeros((n, m))
    for b in blocks:
        for k, kernel in enumerate(b.transposed):
            requested[:, k] += kernel @ reach[b.start : b.stop, k]
    received = np.zeros((n, m))
    for b in blocks:
        for k, kernel in enumerate(b.kernels):
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
    for b in blocks:
        args = (b.indptr, b.partner, b.data, b.start)
        normalised_requests(*args, capacity, demand, normaliser, reach, requested)
        row_sums(*args, capacity, sums)
        column_sums(*args, reach, columns)
        row_sums(*args, demand, received)
    expected = scipy_passes(blocks, demand, capacity)
    assert len(blocks) == len(pairs.starts) - 1
    for got, want in zip((normaliser, reach, requested, received), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(sums, expected[0])
    np.testing.assert_array_equal(columns, expected[2])


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

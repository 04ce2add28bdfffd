"""Compiled (numba) passes over the cached kernel blocks of :mod:`cohesim.model.flows`.

A refresh of the flows used to be three sparse products a domain and block (scipy's
``csr_matvec`` and ``csc_matvec``), each reading the block's indices again. Here a call walks a
block once for four domains at a time, their sums held in registers: the normalisers, the
reach R_i = D_i / S_i and the requests Σ_i K_ij R_i in one pass (a row is still in cache when
its terms are scattered), what residents receive in another.

Every sum adds the same terms in the same order as the products it replaces (a row from 0.0,
in index order; the requests block by block, each block's part summed apart then added), so
the numbers are scipy's to the last bit (tests/test_flow_kernels.py). Indices are read as
unsigned: numba then skips the check for negative ones, which cost more than the arithmetic.

Arrays read or summed at a block's indices (its columns) are in the columns' order, which the
caller chooses (:attr:`cohesim.model.flows.CandidatePairs.column_order`, a Z-order curve, so
that a row's partners are near each other in memory); rows are in territory order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GROUP = 4
"""Domains summed in one walk of a block (their sums stay in registers)."""

# The three walks spell out their loops over a group's four domains rather than share helpers:
# the same code factored into inlined functions taking tuples of domains and arrays ran about
# 1.7× slower at N = 1,000 and 35,000 (measured 7 December 2026, alternated with this code).


@njit(cache=True)
def normalised_requests(
    indptr, indices, data, start, capacity, demand, normaliser, reach, requested
):  # pragma: no cover
    """One block's S_i = Σ_j K_ij E_j and R_i = D_i / S_i (0 where S_i = 0), its Σ_i K_ij R_i.

    ``data`` holds the block's kernels, one row a domain (M × pairs), over the shared
    ``indptr`` and ``indices`` of origins ``start:``; ``capacity`` and ``requested`` (N × M)
    are in the columns' order. The block's requests are summed apart, then added to
    ``requested``, as scipy's product with the transpose did.
    """
    domains = data.shape[0]
    part = np.empty((requested.shape[0], GROUP))
    for k0 in range(0, domains, GROUP):
        # a last group of fewer domains repeats the last one in the unused slots
        k1, k2, k3 = min(k0 + 1, domains - 1), min(k0 + 2, domains - 1), min(k0 + 3, domains - 1)
        d0, d1, d2, d3 = data[k0], data[k1], data[k2], data[k3]
        part[:] = 0.0
        for r in range(len(indptr) - 1):
            i = start + r
            s0 = s1 = s2 = s3 = 0.0
            for p in range(indptr[r], indptr[r + 1]):
                j = np.uint64(indices[p])
                s0 += d0[p] * capacity[j, k0]
                s1 += d1[p] * capacity[j, k1]
                s2 += d2[p] * capacity[j, k2]
                s3 += d3[p] * capacity[j, k3]
            r0 = demand[i, k0] / s0 if s0 > 0 else 0.0
            r1 = demand[i, k1] / s1 if s1 > 0 else 0.0
            r2 = demand[i, k2] / s2 if s2 > 0 else 0.0
            r3 = demand[i, k3] / s3 if s3 > 0 else 0.0
            for p in range(indptr[r], indptr[r + 1]):
                j = np.uint64(indices[p])
                part[j, 0] += d0[p] * r0
                part[j, 1] += d1[p] * r1
                part[j, 2] += d2[p] * r2
                part[j, 3] += d3[p] * r3
            _store(normaliser, i, k0, domains, s0, s1, s2, s3)
            _store(reach, i, k0, domains, r0, r1, r2, r3)
        for q in range(min(GROUP, domains - k0)):
            for j in range(requested.shape[0]):
                requested[j, k0 + q] += part[j, q]


@njit(cache=True)
def row_sums(indptr, indices, data, start, x, out, only):  # pragma: no cover
    """out[start + r, k] = Σ_j K_rj^k x[j, k] over one block's rows r (x in the columns' order).

    Only the rows ``only`` marks, or every row when it is empty (:data:`cohesim.model.flows.ALL`).
    """
    domains = data.shape[0]
    every = len(only) == 0
    for k0 in range(0, domains, GROUP):
        k1, k2, k3 = min(k0 + 1, domains - 1), min(k0 + 2, domains - 1), min(k0 + 3, domains - 1)
        d0, d1, d2, d3 = data[k0], data[k1], data[k2], data[k3]
        for r in range(len(indptr) - 1):
            if not every and not only[r]:
                continue
            s0 = s1 = s2 = s3 = 0.0
            for p in range(indptr[r], indptr[r + 1]):
                j = np.uint64(indices[p])
                s0 += d0[p] * x[j, k0]
                s1 += d1[p] * x[j, k1]
                s2 += d2[p] * x[j, k2]
                s3 += d3[p] * x[j, k3]
            _store(out, start + r, k0, domains, s0, s1, s2, s3)


@njit(cache=True)
def column_sums(indptr, indices, data, start, x, out):  # pragma: no cover
    """out[j, k] += Σ_i K_ij^k x[i, k] over one block's rows, the block's sum taken apart.

    ``x`` is in territory order (rows), ``out`` in the columns' order.
    """
    domains = data.shape[0]
    part = np.empty((out.shape[0], GROUP))
    for k0 in range(0, domains, GROUP):
        k1, k2, k3 = min(k0 + 1, domains - 1), min(k0 + 2, domains - 1), min(k0 + 3, domains - 1)
        d0, d1, d2, d3 = data[k0], data[k1], data[k2], data[k3]
        part[:] = 0.0
        for r in range(len(indptr) - 1):
            i = start + r
            x0, x1, x2, x3 = x[i, k0], x[i, k1], x[i, k2], x[i, k3]
            for p in range(indptr[r], indptr[r + 1]):
                j = np.uint64(indices[p])
                part[j, 0] += d0[p] * x0
                part[j, 1] += d1[p] * x1
                part[j, 2] += d2[p] * x2
                part[j, 3] += d3[p] * x3
        for q in range(min(GROUP, domains - k0)):
            for j in range(out.shape[0]):
                out[j, k0 + q] += part[j, q]


@njit(inline="always")
def _store(out, i, k0, domains, v0, v1, v2, v3):  # pragma: no cover
    out[i, k0] = v0
    if k0 + 1 < domains:
        out[i, k0 + 1] = v1
    if k0 + 2 < domains:
        out[i, k0 + 2] = v2
    if k0 + 3 < domains:
        out[i, k0 + 3] = v3


@njit(cache=True)
def rationed_flows(kernel, normaliser, demand, capacity, ration, i, j, out):  # pragma: no cover
    """out[e, k] = D_i E_j (K_e / S_i) r_j for the pairs (i[e], j[e]); 0 where S_i = 0.

    ``kernel`` (pairs × M) is the pairs' decay kernel (numpy's exponential, computed by the
    caller); ``out`` may be single precision, each value then rounded once, as numpy's cast.
    """
    for e in range(len(i)):
        a, b = np.uint64(i[e]), np.uint64(j[e])
        for k in range(kernel.shape[1]):
            s = normaliser[a, k]
            share = kernel[e, k] / s if s > 0 else 0.0
            out[e, k] = demand[a, k] * capacity[b, k] * share * ration[b, k]

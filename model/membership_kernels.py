"""Compiled (numba) loops over the memberships held, in place of scipy's sparse algebra.

The structures' code asks the same few questions of the membership matrix every year: which
structures the two ends of an edge share, which the source holds without the destination, and
which territories pool their capacity through structures covering a domain. With a few
hundred memberships, building and indexing scipy matrices costs far more than the answer
(docs/performance.md, "Where the time goes"). These kernels walk the registry's CSR arrays
(:class:`~cohesim.model.registry.Memberships`) instead.

They return index lists only, in the order scipy's products listed them (edge, then structure,
ascending), and leave the arithmetic to numpy, so every number stays as it was to the last bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from .registry import Memberships


class EdgeStructures(NamedTuple):
    """What :func:`edge_structures` finds, by edge then structure, as scipy's products did.

    Shared pairs (both ends of the edge hold the structure): ``edge``, ``structure``, ``slot``
    (the source's membership, its position among those held) and ``group`` (the index of the
    edge in ``edges``); ``edges`` are the edges sharing some structure, ascending, and
    ``covered[k, m]`` whether one of the structures they share covers domain m. Outward pairs
    (the source holds the structure, the destination does not): ``outward_edge``,
    ``outward_structure``.
    """

    edge: np.ndarray
    structure: np.ndarray
    slot: np.ndarray
    group: np.ndarray
    edges: np.ndarray
    covered: np.ndarray
    outward_edge: np.ndarray
    outward_structure: np.ndarray


@njit(cache=True)
def _edge_structures(src, dst, by_territory, structures, slots, domains):
    count = 0
    for e in range(len(src)):
        count += by_territory[src[e] + 1] - by_territory[src[e]]
    edge = np.empty(count, dtype=np.int64)
    structure = np.empty(count, dtype=np.int64)
    slot = np.empty(count, dtype=np.int64)
    group = np.empty(count, dtype=np.int64)
    edges = np.empty(count, dtype=np.int64)
    covered = np.zeros((count, domains.shape[1]), dtype=np.bool_)
    outward_edge = np.empty(count, dtype=np.int64)
    outward_structure = np.empty(count, dtype=np.int64)
    k = u = o = 0
    for e in range(len(src)):
        a, a_end = by_territory[src[e]], by_territory[src[e] + 1]
        b, b_end = by_territory[dst[e]], by_territory[dst[e] + 1]
        first = True
        while a < a_end:
            s = structures[a]
            while b < b_end and structures[b] < s:
                b += 1
            if b < b_end and structures[b] == s:
                if first:
                    edges[u] = e
                    u += 1
                    first = False
                edge[k], structure[k], slot[k], group[k] = e, s, slots[a], u - 1
                for m in range(domains.shape[1]):
                    covered[u - 1, m] |= domains[s, m]
                k += 1
            else:
                outward_edge[o], outward_structure[o] = e, s
                o += 1
            a += 1
    return (
        edge[:k],
        structure[:k],
        slot[:k],
        group[:k],
        edges[:u],
        covered[:u],
        outward_edge[:o],
        outward_structure[:o],
    )


@njit(cache=True)
def _counting_order(order, key, starts):
    """``order`` re-sorted by ``key`` (its CSR ``starts``), keeping its order among equal keys."""
    fill = starts[:-1].copy()
    out = np.empty(len(order), dtype=np.int64)
    for k in order:
        out[fill[key[k]]] = k
        fill[key[k]] += 1
    return out


@njit(cache=True)
def memberships_csr(held, member_territory, member_structure, n, structures):
    """The arrays of :class:`~cohesim.model.registry.Memberships` for the memberships ``held``.

    Counting sorts in place of numpy's argsorts of territory × structures + structure (and the
    converse): a territory holds a structure once, so both orders are the same permutation.
    """
    count = len(held)
    territory = np.empty(count, dtype=np.int64)
    structure = np.empty(count, dtype=np.int64)
    by_territory = np.zeros(n + 1, dtype=np.int64)
    by_structure = np.zeros(structures + 1, dtype=np.int64)
    for k in range(count):
        territory[k] = member_territory[held[k]]
        structure[k] = member_structure[held[k]]
        by_territory[territory[k] + 1] += 1
        by_structure[structure[k] + 1] += 1
    for t in range(n):
        by_territory[t + 1] += by_territory[t]
    for s in range(structures):
        by_structure[s + 1] += by_structure[s]
    by_structure_first = _counting_order(np.arange(count), structure, by_structure)
    territory_slots = _counting_order(by_structure_first, territory, by_territory)
    structure_slots = _counting_order(territory_slots, structure, by_structure)
    return (
        territory,
        structure,
        by_territory,
        territory_slots,
        structure[territory_slots],
        by_structure,
        structure_slots,
        territory[structure_slots],
    )


def edge_structures(src, dst, memberships: Memberships, domains) -> EdgeStructures:
    """The structures each edge's source holds, split by whether its destination holds them too.

    ``memberships`` are those held now (CSR arrays by territory), ``domains`` the structures'
    domains (structures × domains, bool).
    """
    return EdgeStructures(
        *_edge_structures(
            src,
            dst,
            memberships.by_territory,
            memberships.territory_structures,
            memberships.territory_slots,
            domains,
        )
    )


@njit(cache=True)
def _root(parent, t):
    while parent[t] != t:
        parent[t] = parent[parent[t]]
        t = parent[t]
    return t


@njit(cache=True)
def pools(territory, structure, covers, n):
    """Per territory and domain, its pool (−1: none), numbered over all domains in turn.

    A pool is a set of two territories or more joined through the structures covering the
    domain (connected by union-find); a domain's pools are numbered by their smallest territory.
    """
    structures, n_dom = covers.shape
    pool = np.full((n, n_dom), -1, dtype=np.int64)
    parent = np.empty(n, dtype=np.int64)
    first = np.empty(structures, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    label = np.empty(n, dtype=np.int64)
    member = np.empty(n, dtype=np.bool_)
    numbered = 0
    for m in range(n_dom):
        for t in range(n):
            parent[t] = t
        first[:] = -1
        member[:] = False
        for k in range(len(territory)):
            s, t = structure[k], territory[k]
            if not covers[s, m]:
                continue
            member[t] = True
            if first[s] < 0:
                first[s] = t
            else:
                a, b = _root(parent, first[s]), _root(parent, t)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        size[:] = 0
        for t in range(n):
            if member[t]:
                size[_root(parent, t)] += 1
        label[:] = -1
        for t in range(n):
            if member[t]:
                r = _root(parent, t)
                if size[r] > 1:
                    if label[r] < 0:
                        label[r] = numbered
                        numbered += 1
                    pool[t, m] = label[r]
    return pool


@njit(cache=True)
def pooled_rations(ration, requested, capacity, pool, weight):  # pragma: no cover
    """Rations moved towards their pool's: r_j + w_P (r_P − r_j), r_P = min(1, ΣE / Σ requested).

    ``pool`` (N × M, −1: none) from :func:`pools`, ``weight`` (pools × M). Sums run over
    territories in order, as numpy's bincounts did (:func:`cohesim.model.flows.gravity_flows`).
    """
    n, domains = ration.shape
    out = ration.copy()
    total = np.empty(weight.shape[0])
    asked = np.empty(weight.shape[0])
    for m in range(domains):
        total[:] = 0.0
        asked[:] = 0.0
        for t in range(n):
            label = pool[t, m]
            if label >= 0:
                total[label] += capacity[t, m]
                asked[label] += requested[t, m]
        for t in range(n):
            label = pool[t, m]
            if label >= 0:
                pooled = min(total[label] / asked[label] if asked[label] > 0 else 1.0, 1.0)
                out[t, m] = out[t, m] + weight[label, m] * (pooled - ration[t, m])
    return out


@njit(cache=True)
def pool_weights(territory, structure, pool, covers, delivered):  # pragma: no cover
    """Per pool and domain, the largest delivered share (capped at 1) among its structures.

    Over the memberships (``territory``, ``structure``) held, with ``pool`` from :func:`pools`
    and each structure's ``delivered`` share: what a pool's members move by towards its ration
    (:func:`cohesim.model.shared_services.shared_services`). A maximum takes no rounding, so
    the order memberships come in does not matter.
    """
    n_dom = covers.shape[1]
    labels = 0
    for t in range(pool.shape[0]):
        for m in range(n_dom):
            labels = max(labels, pool[t, m] + 1)
    weight = np.zeros((labels, n_dom))
    for k in range(len(territory)):
        s, t = structure[k], territory[k]
        share = min(delivered[s], 1.0)
        for m in range(n_dom):
            label = pool[t, m]
            if label >= 0 and covers[s, m]:
                weight[label, m] = max(weight[label, m], share)
    return weight

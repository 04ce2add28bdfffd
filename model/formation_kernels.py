"""Compiled (numba) passes of formation: the prospects of pairs, partnership values, joins.

:mod:`cohesim.model.formation` prepares the arrays and calls these kernels; they walk the
network's edges and the current memberships as integer arrays (a territory's structures in
increasing order, from the registry's
:meth:`~cohesim.model.registry.StructureRegistry.memberships`) instead of building sparse
matrices.

The numbers are those of the numpy formulas they replace, bit for bit: the same float64
operations in the same order, while everything that needs a transcendental function (the
staffed share's exp, a pair's heterogeneity log10, distances' hypot) is computed by numpy
before the call. Sums keep numpy's order too: a row sum over domains is numpy's pairwise sum
(:func:`_row_sum`), a sum over the structures a pair shares is scipy's ``reduceat``
(:func:`_reduceat_sum`), a sum per group is ``bincount``'s sequential one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .numpy_sums import numpy_sum, pairwise_sum

POLE = 3  # kinds.POLE and CONTRAT, repeated: the kernels read them as compile-time constants
CONTRAT = 1
N_KINDS = 4
DISTANCE_UNIT_KM = 25.0  # engineering.DISTANCE_UNIT_KM

# The rows of ``kind_constants`` (one column per kind) and the entries of ``constants``.
VALUE, NEED, FIXED_COST, ENGINEERING_COST = range(4)
GRANT, DISTRUST, PARTNER_COST, HETEROGENEITY_COST, DISTANCE_COST, COVER_SAVING = range(6)
ALL_DOMAINS = 6


@njit(cache=True)
def _row_sum(values, count):
    """``a.sum(axis=1)`` of one row of a C-ordered 2-D array, as numpy adds it."""
    return numpy_sum(values[:count])


@njit(cache=True)
def _reduceat_sum(values, count):
    """``np.add.reduceat`` of one segment (scipy's sparse row sums): first + pairwise(rest)."""
    return values[0] + pairwise_sum(values[1:count])


@njit(cache=True)
def _insertion_sort(values):
    """Sort ``values`` in place (a territory's few structures, as ``np.sort`` would).

    numba compiles ``np.sort`` as a quicksort: about 0.7 s of a machine's first run.
    """
    for k in range(1, len(values)):
        value = values[k]
        at = k - 1
        while at >= 0 and values[at] > value:
            values[at + 1] = values[at]
            at -= 1
        values[at + 1] = value


@njit(cache=True)
def _minimum(a, b):
    """np.minimum: NaN if either is."""
    if a != a or b != b:
        return np.nan
    return a if a < b else b


@njit(cache=True)
def _side(knowledge, trust, members, heterogeneity, distance, quality, cover, constants):
    """The parts of a candidate's perceived gain that do not depend on the structure's kind.

    (1 + K ε, the grant share g / n_S, the transaction-cost factor, 1 + χ (1 − T)), each as
    formation.perceived_gain computes it.
    """
    rise = (
        1
        + constants[PARTNER_COST] * (members - 1)
        + constants[HETEROGENEITY_COST] * heterogeneity
        + constants[DISTANCE_COST] * distance / DISTANCE_UNIT_KM
    )
    return (
        1 + knowledge * quality,
        constants[GRANT] / members,
        rise / (1 + constants[COVER_SAVING] * cover),
        1 + constants[DISTRUST] * (1 - trust),
    )


@njit(cache=True)
def _gain(kind, n_domains, transfer, knowledge, side, population, staffed, kind_constants):
    """formation.perceived_gain for one candidate, operation for operation (``side``: _side)."""
    lift, grant, factor, distrust = side
    value = kind_constants[VALUE, kind] * n_domains
    value = value * population * staffed
    value = knowledge * value * lift
    value = value + transfer + grant
    cost = kind_constants[FIXED_COST, kind] + kind_constants[ENGINEERING_COST, kind] * factor
    if kind == POLE:
        cost = n_domains * cost
    return value - distrust * cost


@njit(cache=True)
def _shared_kinds(indptr, held, structure_kind, i, j):
    """Bitmask of the kinds of the structures territories i and j are both members of."""
    mask = 0
    a, a_end, b, b_end = indptr[i], indptr[i + 1], indptr[j], indptr[j + 1]
    while a < a_end and b < b_end:
        if held[a] < held[b]:
            a += 1
        elif held[a] > held[b]:
            b += 1
        else:
            mask |= 1 << structure_kind[held[a]]
            a += 1
            b += 1
    return mask


@njit(cache=True)
def prospects(
    edges, src, dst, rev, quality, knowledge, trust, flow, spillover_per_user, domain_value,
    indptr, held, structure_kind, free, urban, population, staffed, cover, heterogeneity,
    distance, kind_constants, constants,
):  # fmt: skip
    """formation.pair_prospects on compiled loops: (kind or −1, source's gain, destination's)."""
    count = len(edges)
    n_domains = flow.shape[1]
    best_kind = np.full(count, -1, dtype=np.int64)
    gain_src = np.full(count, -np.inf)
    gain_dst = np.full(count, -np.inf)
    net = np.empty(n_domains)
    all_domains = constants[ALL_DOMAINS]
    for p in range(count):
        e = edges[p]
        i, j, r = src[e], dst[e], rev[e]
        shared = _shared_kinds(indptr, held, structure_kind, i, j)
        # i's net transfer per domain: its cost of serving j's residents, minus j's of i's;
        # its strongest domain is the one the pair exchanges most value in
        strongest = 0
        top = -np.inf
        for d in range(n_domains):
            net[d] = flow[r, d] * spillover_per_user[d] - flow[e, d] * spillover_per_user[d]
            exchanged = (flow[e, d] + flow[r, d]) * domain_value[d]
            if exchanged > top or (d == 0):
                top = exchanged
                strongest = d
        transfer_all = _row_sum(net, n_domains)
        transfer_one = net[strongest]
        q, het, dist = quality[p], heterogeneity[p], distance[p]
        side_i = _side(knowledge[e], trust[e], 2.0, het, dist, q, cover[i], constants)
        side_j = _side(knowledge[r], trust[r], 2.0, het, dist, q, cover[j], constants)
        best = -np.inf
        for kind in range(N_KINDS):
            if shared & (1 << kind):
                continue
            if kind == CONTRAT and urban[i] == urban[j]:
                continue
            if kind == POLE and not (urban[i] or urban[j]):
                continue
            spans_all = kind in (CONTRAT, POLE)
            n_dom = all_domains if spans_all else 1.0
            need = kind_constants[NEED, kind]
            if kind == POLE:
                need = n_dom * need
            if not (free[i] >= need and free[j] >= need):
                continue
            transfer = transfer_all if spans_all else transfer_one
            g_i = _gain(
                kind, n_dom, transfer, knowledge[e], side_i, population[i], staffed[i],
                kind_constants,
            )  # fmt: skip
            g_j = _gain(
                kind, n_dom, -transfer, knowledge[r], side_j, population[j], staffed[j],
                kind_constants,
            )  # fmt: skip
            gain = _minimum(g_i, g_j)
            if gain > best:
                best = gain
                best_kind[p] = kind
                gain_src[p] = g_i
                gain_dst[p] = g_j
    return best_kind, gain_src, gain_dst


@njit(cache=True)
def shared_values(src, dst, indptr, held, rows, benefit, members_per_structure):
    """Per directed edge, the source's benefit from the structures it shares with the destination.

    Each shared structure counts the source's last net benefit from it over its fellow members
    (at least one); returns (value, whether the pair shares any structure). Summed as the sparse
    row sum did: scipy's ``reduceat`` over the nonzero shares in increasing structure order.
    """
    n_edges = len(src)
    value = np.zeros(n_edges)
    sharing = np.zeros(n_edges, dtype=np.bool_)
    longest = 0
    for t in range(len(indptr) - 1):
        longest = max(longest, indptr[t + 1] - indptr[t])
    shares = np.empty(max(longest, 1))
    for e in range(n_edges):
        a, a_end = indptr[src[e]], indptr[src[e] + 1]
        b, b_end = indptr[dst[e]], indptr[dst[e] + 1]
        if a == a_end or b == b_end:
            continue
        count = 0
        while a < a_end and b < b_end:
            if held[a] < held[b]:
                a += 1
            elif held[a] > held[b]:
                b += 1
            else:
                sharing[e] = True
                fellows = members_per_structure[held[a]] - 1.0
                share = benefit[rows[a]] / max(fellows, 1.0)
                if share != 0:  # the sparse product drops zeros before the row sum
                    shares[count] = share
                    count += 1
                a += 1
                b += 1
        if count:
            value[e] = _reduceat_sum(shares, count)
    return value, sharing


@njit(cache=True)
def _holds(indptr, held, t, s):
    """Whether territory t is a member of structure s (its structures are sorted)."""
    for a in range(indptr[t], indptr[t + 1]):
        if held[a] >= s:
            return held[a] == s
    return False


@njit(cache=True)
def join_pairs(
    edge_indptr, dst, rev, indptr, held, structure_kind, growable, size, max_members, able,
    stance, knowledge, trust, flow, spillover_per_user, domains,
):  # fmt: skip
    """The (candidate, structure) pairs of formation._join_structures, sorted by both.

    A candidate ``able`` to join, with a cooperating edge to a member of a ``growable``
    structure with room, that it is not a member of. Per pair, over those edges in order:
    the net transfer in the structure's domains (summed as ``np.bincount`` does), the mean
    knowledge and trust, and the structure's number of domains. Returns (territory, structure,
    transfer, knowledge, trust, domains).
    """
    n, n_structures, n_domains = len(edge_indptr) - 1, len(size), flow.shape[1]
    capacity = 0
    for t in range(n):
        if able[t]:
            for e in range(edge_indptr[t], edge_indptr[t + 1]):
                capacity += indptr[dst[e] + 1] - indptr[dst[e]]
    out_t = np.empty(capacity, dtype=np.int64)
    out_s = np.empty(capacity, dtype=np.int64)
    out_transfer = np.empty(capacity)
    out_knowledge = np.empty(capacity)
    out_trust = np.empty(capacity)
    out_domains = np.empty(capacity, dtype=np.int64)
    transfer = np.zeros(n_structures)
    known = np.zeros(n_structures)
    trusted = np.zeros(n_structures)
    edges = np.zeros(n_structures, dtype=np.int64)
    touched = np.empty(n_structures, dtype=np.int64)
    spill = np.empty(n_domains)
    pairs = 0
    for t in range(n):
        if not able[t]:
            continue
        count = 0
        for e in range(edge_indptr[t], edge_indptr[t + 1]):
            if not stance[e]:
                continue
            r = rev[e]
            for a in range(indptr[dst[e]], indptr[dst[e] + 1]):
                s = held[a]
                if not growable[structure_kind[s]] or size[s] >= max_members:
                    continue
                if _holds(indptr, held, t, s):
                    continue
                for d in range(n_domains):
                    net = flow[r, d] * spillover_per_user[d] - flow[e, d] * spillover_per_user[d]
                    spill[d] = net * (1.0 if domains[s, d] else 0.0)
                if edges[s] == 0:
                    touched[count] = s
                    count += 1
                transfer[s] += _row_sum(spill, n_domains)
                known[s] += knowledge[e]
                trusted[s] += trust[e]
                edges[s] += 1
        _insertion_sort(touched[:count])  # a view: sorted in place
        for s in touched[:count]:
            out_t[pairs], out_s[pairs] = t, s
            out_transfer[pairs] = transfer[s]
            out_knowledge[pairs] = known[s] / edges[s]
            out_trust[pairs] = trusted[s] / edges[s]
            spans = 0
            for d in range(n_domains):
                spans += domains[s, d]
            out_domains[pairs] = spans
            pairs += 1
            transfer[s] = known[s] = trusted[s] = 0.0
            edges[s] = 0
    return (
        out_t[:pairs],
        out_s[:pairs],
        out_transfer[:pairs],
        out_knowledge[:pairs],
        out_trust[:pairs],
        out_domains[:pairs],
    )


@njit(cache=True)
def best_joins(
    territory, structure_kind, n_domains, transfer, knowledge, trust, members, heterogeneity,
    distance, quality, free, population, staffed, cover, kind_constants, constants,
):  # fmt: skip
    """For each candidate of :func:`join_pairs`' pairs, its pair of best positive perceived gain.

    The first on a tie; a pair whose candidate lacks the free engineering gains nothing.
    Returns the chosen pairs, in the candidates' order.
    """
    count = len(territory)
    best = np.empty(count, dtype=np.int64)
    chosen = 0
    best_pair, top = -1, 0.0  # only positive gains are candidates
    for p in range(count):
        t, kind = territory[p], structure_kind[p]
        if p > 0 and territory[p - 1] != t:
            if best_pair >= 0:
                best[chosen] = best_pair
                chosen += 1
            best_pair, top = -1, 0.0
        need = kind_constants[NEED, kind]
        if kind == POLE:
            need = n_domains[p] * need
        if not free[t] >= need:
            continue
        side = _side(
            knowledge[p], trust[p], members[p], heterogeneity[p], distance[p], quality[p],
            cover[t], constants,
        )  # fmt: skip
        gain = _gain(  # kind as int64, as prospects passes it: one compiled _gain, not two
            np.int64(kind), float(n_domains[p]), transfer[p], knowledge[p], side, population[t],
            staffed[t], kind_constants,
        )  # fmt: skip
        if gain > top:
            best_pair, top = p, gain
    if best_pair >= 0:
        best[chosen] = best_pair
        chosen += 1
    return best[:chosen]

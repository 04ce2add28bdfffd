"""A year of structure returns in one compiled pass (numba), in place of some fifty numpy calls.

:func:`cohesim.model.returns.returns` prepares the memberships held and the edges they cover
(:func:`cohesim.model.membership_kernels.edge_structures`); :func:`member_returns` computes
what every membership yields and costs, the spill-over transfers inside structures, the
transaction costs of engineering time and the value reaching non-members. With a few hundred
memberships the calls cost far more than the arithmetic (docs/performance.md).

Every operation is the numpy code's, in its order: bincounts add in input order, row sums of
domains follow numpy's pairwise order (:mod:`cohesim.model.numpy_sums`), and ``expm1``,
``log10`` and ``hypot`` are the C library's in both. The returns are numpy's to the last bit
(``tests/test_returns_kernels.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .engineering import DISTANCE_UNIT_KM
from .numpy_sums import numpy_sum
from .shapes import geometry


@njit(cache=True)
def member_returns(  # pragma: no cover
    territory,
    structure,
    engineering,
    structures,
    kinds,
    years,
    edges,
    network,
    territories,
    per_member,
    per_other,
):
    """A year's returns of the memberships held (:class:`~cohesim.model.returns.Returns`).

    ``structures``: each structure's kind, domains (S × M), year formed and match quality.
    ``kinds``: per kind, synergy, setup and running costs; the kind numbered as a pôle.
    ``years``: this step, τ_a, grant years, and the money and engineering constants (φ, c_V,
    ρ, grant, ν_n, ν_h, ν_d, ν_e, ω_H). ``edges``: the pairs of :func:`edge_structures`.
    ``network``: flows, reverse edges, destinations, interdependence, spill-over cost per user.
    ``territories``: population, engineering cover, x, y. Filled (zeros on entry):
    ``per_member``: value, transfer, grant, matching, cost, coordination; ``per_other``:
    outside (per territory), edge_transfer and in_structure (per edge), delivered (per
    structure).
    """
    st_kind, st_domains, st_formed, st_quality = structures
    synergy_of, setup_of, running_of, pole = kinds
    (
        step,
        amortisation,
        grant_years,
        non_member,
        contribution,
        matching_share,
        conditional_grant,
        partner_cost,
        heterogeneity_cost,
        distance_cost,
        cover_saving,
        fte_cost,
    ) = years
    p_edge, p_structure, p_slot, p_group, p_edges, p_covered, o_edge, o_structure = edges
    flow, rev, dst, interdependence, per_user = network
    population, cover, x, y = territories
    value, transfer, grant, matching, cost, coordination = per_member
    outside, edge_transfer, in_structure, delivered = per_other
    held, n_structures, domains = len(territory), len(st_kind), st_domains.shape[1]

    # members, population span and spread of each structure (shapes.structure_shape)
    count, smallest, largest, _, _, spread = geometry(
        territory, structure, population, x, y, n_structures
    )
    # staffing: H* = Σ h_i and H_S = Σ h_i (1 + e_i) per structure (engineering.delivered_shares)
    committed = np.zeros(n_structures)
    staffed = np.zeros(n_structures)
    for h in range(held):
        committed[structure[h]] += engineering[h]
    for h in range(held):
        staffed[structure[h]] += engineering[h] * (1 + cover[territory[h]])
    delivers = np.empty(n_structures)
    for s in range(n_structures):
        ratio = staffed[s] / committed[s] if committed[s] > 0 else 1.0
        delivers[s] = -np.expm1(-ratio) * (1 + st_quality[s])

    for h in range(held):
        s = structure[h]
        kind = st_kind[s]
        n_dom = 0
        for m in range(domains):
            n_dom += st_domains[s, m]
        scale = n_dom if kind == pole else 1
        age = step - st_formed[s]
        v = (1 - non_member) * (synergy_of[kind] - 1) * contribution * n_dom
        value[h] = v * population[territory[h]] * delivers[s]
        delivered[s] += value[h]  # the members' share; what reaches non-members is added below
        instalment = scale * setup_of[kind] / amortisation if age < amortisation else 0.0
        funded = age < grant_years
        matching[h] = matching_share * instalment if funded else 0.0
        grant[h] = conditional_grant / max(count[s], 1.0) if funded else 0.0
        cost[h] = instalment + scale * running_of[kind]
    kept = max(1 - non_member, 1e-12)
    total_value = np.empty(n_structures)
    for s in range(n_structures):
        total_value[s] = delivered[s] / kept

    # spill-over costs settled inside structures covering the domain (M2)
    spill = np.empty((len(p_edges), domains))
    for u in range(len(p_edges)):
        e = p_edges[u]
        for m in range(domains):
            spill[u, m] = flow[rev[e], m] * per_user[m] - flow[e, m] * per_user[m]
    row = np.empty(domains)
    for u in range(len(p_edges)):
        for m in range(domains):
            row[m] = spill[u, m] * p_covered[u, m]
        edge_transfer[p_edges[u]] = numpy_sum(row)
        in_structure[p_edges[u]] = True
    for k in range(len(p_edge)):
        for m in range(domains):
            row[m] = spill[p_group[k], m] * st_domains[p_structure[k], m]
        transfer[p_slot[k]] += numpy_sum(row)

    # engineering time at ω_H times the transaction-cost factor (engineering.transaction_factor)
    for h in range(held):
        s = structure[h]
        span = largest[s] / (smallest[s] if smallest[s] > 0 else 1.0)
        rise = (
            1
            + partner_cost * (count[s] - 1)
            + heterogeneity_cost * np.log10(max(span, 1.0))
            + distance_cost * (2 * spread[s]) / DISTANCE_UNIT_KM
        )
        coordination[h] = (
            fte_cost * engineering[h] * (rise / (1 + cover_saving * cover[territory[h]]))
        )

    # non-members receive φ V_S through their flows, in proportion to interdependence
    total_weight = np.zeros(n_structures)
    for k in range(len(o_edge)):
        total_weight[o_structure[k]] += interdependence[o_edge[k]]
    given = np.zeros(n_structures)
    for k in range(len(o_edge)):
        s = o_structure[k]
        share = non_member * total_value[s] * interdependence[o_edge[k]]
        share = share / total_weight[s] if total_weight[s] > 0 else 0.0
        outside[dst[o_edge[k]]] += share
        given[s] += share
    for s in range(n_structures):
        delivered[s] = delivered[s] + given[s]

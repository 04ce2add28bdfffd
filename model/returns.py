"""What cooperation structures yield each year: values, grants, costs, transfers between members.

:func:`returns` computes a year of returns of the active structures when payoffs are computed;
:func:`settle` books them once the state's budget cap is known (``docs/model.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import engineering as engineering_model
from .membership_kernels import edge_structures
from .registry import POLE, kind_table
from .shapes import structure_shape
from .structures import engineering_commitments

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


@dataclass(frozen=True)
class Returns:
    """What structures yield this year, before the state's budget cap is applied."""

    held: np.ndarray  # memberships
    territory: np.ndarray  # their territories
    structure: np.ndarray  # their structures
    value: np.ndarray  # € of structure value to the member
    transfer: np.ndarray  # € the member receives (< 0: pays) for spill-over costs, net
    grant: np.ndarray  # € of conditional grant to the member (requested)
    matching: np.ndarray  # € of setup costs the state would pay for the member (requested)
    cost: np.ndarray  # € setup instalment and running costs of the member (gross)
    engineering: np.ndarray  # FTE the member devotes
    coordination: np.ndarray  # € of engineering time the member spends, at ω_H, with TC
    outside: np.ndarray  # (N,) € of structure value reaching non-members
    edge_transfer: np.ndarray  # (E2,) € the edge's source receives from its destination (M2)
    in_structure: np.ndarray  # (E2,) bool: both ends share an active structure
    delivered: np.ndarray  # (S,) € of value each structure delivered


def returns(model: TerritoryModel) -> Returns:
    """Values, costs, grants, matching and spill-over transfers of the active structures.

    A member's value is its share of the pooled surplus times the structure's match quality
    (1 + ε) and the share its staffing delivers, 1 − exp(−H_S/H*) with H_S = Σ h_i (1 + e_i)
    and H* = Σ h_i (M5). Inside a structure covering domain m, the member whose residents use
    the other's services pays the other's spill-over cost: κ_m (F̃_ij − F̃_ji) (M2, Σ = 0).
    """
    reg, net, p = model.registry, model.network, model.parameters
    st, mb = reg.structures, reg.members
    s_p, f = p.structures, p.funding
    n = len(model.population)
    held, engineering = engineering_commitments(model)
    if len(held) == 0:  # nothing to share, pay or deliver: skip the sparse algebra
        none, uncovered = np.zeros(0), np.zeros(len(net.src))
        return Returns(
            held=held,
            territory=held,
            structure=held,
            value=none,
            transfer=none,
            grant=none,
            matching=none,
            cost=none,
            engineering=none,
            coordination=none,
            outside=np.zeros(n),
            edge_transfer=uncovered,
            in_structure=np.zeros(len(net.src), dtype=bool),
            delivered=np.zeros(st.size),
        )
    territory, structure = mb["territory"][held], mb["structure"][held]
    kind = st["kind"][structure]
    n_dom = st["domains"][structure].sum(axis=1)
    kinds = kind_table(p)
    synergy = np.array([k.synergy for k in kinds])[kind]
    setup = np.array([k.setup_cost for k in kinds])[kind]
    running = np.array([k.running_cost for k in kinds])[kind]
    scale = np.where(kind == POLE, n_dom, 1)
    age = model.steps - st["formed"][structure]

    cover = model.cover[territory]
    staffing = engineering_model.delivered_shares(structure, engineering, cover, st.size)
    delivers = staffing * (1 + st["quality"])
    value = (1 - s_p.non_member_share) * (synergy - 1) * s_p.contribution * n_dom
    value = value * model.population[territory] * delivers[structure]
    instalment = np.where(age < s_p.amortisation_years, scale * setup / s_p.amortisation_years, 0)
    funded = age < f.grant_years
    matching = np.where(funded, f.matching_share * instalment, 0.0)
    size = np.bincount(structure, minlength=st.size)
    grant = np.where(funded, f.conditional_grant / np.maximum(size[structure], 1), 0.0)
    cost = instalment + scale * running
    total_value = np.bincount(structure, value, st.size) / max(1 - s_p.non_member_share, 1e-12)

    # (edge, structure) for every structure an edge's source holds, by edge then structure:
    # shared when the destination holds it too
    pairs = edge_structures(net.src, net.dst, reg.memberships(n), st["domains"])
    # net spill-over cost on edge e (src serving dst's residents, minus dst serving src's)
    spill = model.edge_spillover(pairs.edges) - model.edge_spillover(net.rev[pairs.edges])
    per_pair = (spill[pairs.group] * st["domains"][pairs.structure]).sum(axis=1)
    # an edge's domain is settled once, however many structures cover it
    edge_transfer = np.zeros(len(net.src))
    edge_transfer[pairs.edges] = (spill * pairs.covered).sum(axis=1)
    in_structure = np.zeros(len(net.src), dtype=bool)
    in_structure[pairs.edges] = True
    # a slot is the source's membership: its position in ``held``
    transfer = np.bincount(pairs.slot, per_pair, len(held))

    # engineering time valued at ω_H, times the transaction-cost factor of the structure
    geometry = structure_shape(model)
    span = geometry["largest"] / np.where(geometry["smallest"] > 0, geometry["smallest"], 1.0)
    factor = engineering_model.transaction_factor(
        s_p,
        geometry["members"][structure],
        np.log10(np.maximum(span, 1.0))[structure],
        2 * geometry["spread"][structure],
        cover,
    )
    coordination = p.engineering.fte_cost * engineering * factor

    # non-members receive φ V_S through their flows, in proportion to interdependence
    outward_edge, outward_col = pairs.outward_edge, pairs.outward_structure
    weight = net.interdependence[outward_edge]
    total_weight = np.bincount(outward_col, weight, st.size)
    share = s_p.non_member_share * total_value[outward_col] * weight
    share = np.divide(
        share,
        total_weight[outward_col],
        out=np.zeros_like(share),
        where=total_weight[outward_col] > 0,
    )
    outside = np.bincount(net.dst[outward_edge], share, n)
    delivered = np.bincount(structure, value, st.size) + np.bincount(outward_col, share, st.size)
    return Returns(
        held=held,
        territory=territory,
        structure=structure,
        value=value,
        transfer=transfer,
        grant=grant,
        matching=matching,
        cost=cost,
        engineering=engineering,
        coordination=coordination,
        outside=outside,
        edge_transfer=edge_transfer,
        in_structure=in_structure,
        delivered=delivered,
    )


def settle(model: TerritoryModel, r: Returns, state_share: float) -> np.ndarray:
    """Book a year of structure returns once the state pays ``state_share`` of what it owes.

    Updates the registry (funding, engineering, value, each member's benefit and streak of
    negative years) and returns each territory's money from structures (€).
    """
    reg = model.registry
    st, mb = reg.structures, reg.members
    n = len(model.population)
    paid = state_share * (r.grant + r.matching)
    money = r.value + paid - r.cost + r.transfer
    benefit = money - r.coordination
    mb["benefit"][r.held] = benefit
    mb["streak"][r.held] = np.where(benefit < 0, mb["streak"][r.held] + 1, 0)
    st["funding"] += np.bincount(r.structure, paid, st.size)
    st["engineering"] += np.bincount(r.structure, r.engineering, st.size)
    st["value"] += r.delivered
    st["grants"] |= np.bincount(r.structure, paid, st.size) > 0
    return np.bincount(r.territory, money - r.transfer, n) + r.outside

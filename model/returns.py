"""What cooperation structures yield each year: values, grants, costs, transfers between members.

:func:`returns` computes a year of returns of the active structures when payoffs are computed;
:func:`settle` books them once the state's budget cap is known (``docs/model.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .kinds import POLE
from .membership_kernels import edge_structures
from .registry import kind_table
from .returns_kernels import member_returns
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
    territory = mb["territory"][held].astype(np.int64)
    structure = mb["structure"][held].astype(np.int64)
    kinds = kind_table(p)
    # (edge, structure) for every structure an edge's source holds, by edge then structure:
    # shared when the destination holds it too
    pairs = edge_structures(net.src, net.dst, reg.memberships(n), st["domains"])
    value, transfer, grant, matching, cost, coordination = np.zeros((6, len(held)))
    outside, delivered = np.zeros(n), np.zeros(st.size)
    edge_transfer = np.zeros(len(net.src))
    in_structure = np.zeros(len(net.src), dtype=bool)
    member_returns(
        territory,
        structure,
        np.asarray(engineering, dtype=np.float64),
        (st["kind"], st["domains"], st["formed"], st["quality"]),
        (
            np.array([k.synergy for k in kinds]),
            np.array([k.setup_cost for k in kinds]),
            np.array([k.running_cost for k in kinds]),
            POLE,
        ),
        (
            int(model.steps),
            int(s_p.amortisation_years),
            int(f.grant_years),
            float(s_p.non_member_share),
            float(s_p.contribution),
            float(f.matching_share),
            float(f.conditional_grant),
            float(s_p.partner_cost),
            float(s_p.heterogeneity_cost),
            float(s_p.distance_cost),
            float(s_p.cover_saving),
            float(p.engineering.fte_cost),
        ),
        tuple(pairs),
        (net.flow, net.rev, net.dst, net.interdependence, model._spillover_per_user),
        (model.population, model.cover, model.x, model.y),
        (value, transfer, grant, matching, cost, coordination),
        (outside, edge_transfer, in_structure, delivered),
    )
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

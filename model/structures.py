"""The life cycle of cooperation structures, on whole arrays: engineering, exit, dissolution.

Each function reads the model's arrays and its :class:`~cohesim.model.registry.StructureRegistry`
and changes them; the model calls them in the order of the step (``docs/model.md``):
:func:`maintain` (running costs, exits, dissolution), then
:func:`~cohesim.model.formation.form` (new structures, new members, the Pacte obligation). What
living structures yield each year is in :mod:`cohesim.model.returns`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .kinds import METROPOLE, is_urban
from .membership_kernels import edge_structures
from .registry import (
    COMPETING,
    ENGINEERING,
    GRANT_ENDED,
    LOST_URBAN,
    NEGATIVE_BENEFIT,
    POLE,
    kind_table,
)

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


def engineering_commitments(model: TerritoryModel) -> tuple[np.ndarray, np.ndarray]:
    """(memberships held, FTE each needs this year)."""
    reg, p = model.registry, model.parameters

    def compute() -> tuple[object, np.ndarray, np.ndarray]:
        held = reg.active_members()
        st = reg.structures
        fte = np.array([(k.running_fte, k.setup_fte) for k in kind_table(p)])
        need = _commitments(
            held,
            reg.members["structure"],
            st["kind"],
            st["domains"],
            st["formed"],
            model.steps,
            fte,
            p.structures.amortisation_years,
        )
        return p.structures, held, need

    # asked several times a step; the answer holds the levers it was computed with, so their
    # id cannot be reused while it is remembered
    _, held, need = reg.memoised(("commitments", model.steps, id(p.structures)), compute)
    return held, need


@njit(cache=True)
def _commitments(held, member_structure, kind, domains, formed, step, fte, amortisation):
    """:func:`~cohesim.model.registry.per_year_engineering` of each membership ``held``.

    ``fte`` holds each kind's running and setup FTE; as numpy computed it, to the last bit.
    """
    need = np.empty(len(held))
    for k in range(len(held)):
        s = member_structure[held[k]]
        running, setup = fte[kind[s], 0], fte[kind[s], 1]
        scale = 1
        if kind[s] == POLE:
            scale = 0
            for m in range(domains.shape[1]):
                scale += domains[s, m]
        extra = setup / amortisation if step - formed[s] < amortisation else 0.0
        need[k] = scale * (running + extra)
    return need


def free_engineering(model: TerritoryModel) -> np.ndarray:
    """Engineering each territory can still commit this year (FTE)."""
    held, need = engineering_commitments(model)
    used = np.bincount(model.registry.members["territory"][held], need, len(model.population))
    return model.available_engineering - used


# -- maintenance, exit and dissolution --------------------------------------------------------


def maintain(model: TerritoryModel) -> None:
    """Members leave, and structures left too small dissolve.

    A member leaves when it competes with most of its fellow members, lacks the free
    engineering to keep running its structures (the newest go first), or had a negative net
    benefit n_exit years in a row;
    structures with fewer than two members, and pôles without an urban member, dissolve.
    """
    reg, p, step = model.registry, model.parameters, model.steps
    held, need = engineering_commitments(model)
    if len(held) == 0:
        return
    mb, st = reg.members, reg.structures
    territory, structure = mb["territory"][held], mb["structure"][held]
    kept = _pacte_protected(model, held)
    cause = np.full(len(held), -1, dtype=np.int8)
    cause[competes_with_fellows(model, held) & ~kept] = COMPETING
    negative = (mb["streak"][held] >= p.structures.exit_years) & ~kept & (cause < 0)
    cause[negative] = NEGATIVE_BENEFIT

    # Short of engineering: keep the oldest commitments that fit, leave the newest.
    staying = np.flatnonzero(cause < 0)
    order = staying[
        np.lexsort((-structure[staying], mb["joined"][held][staying], territory[staying]))
    ]
    cumulative = np.cumsum(need[order])
    group_start = np.searchsorted(territory[order], territory[order], side="left")
    before = np.concatenate([[0.0], cumulative])[group_start]
    over = cumulative - before > model.available_engineering[territory[order]] + 1e-9
    cause[order[over & ~kept[order]]] = ENGINEERING

    # A negative net benefit that follows the end of the structure's grants is the grant ending.
    ended = (
        st["grants"][structure]
        & (step - st["formed"][structure] >= p.funding.grant_years)
        & (step - st["formed"][structure] <= p.funding.grant_years + p.structures.exit_years)
    )
    cause[(cause == NEGATIVE_BENEFIT) & ended] = GRANT_ENDED
    leaving = cause >= 0
    reg.leave(held[leaving], cause[leaving], step)

    active = reg.active_structures()
    remaining = reg.active_members()
    owner = mb["structure"][remaining]
    count = np.bincount(owner, minlength=st.size)[active]
    urban = np.bincount(owner, is_urban(model.kind[mb["territory"][remaining]]), st.size)[active]
    lost_urban = (st["kind"][active] == POLE) & (urban == 0) & (count >= 2)
    ending = (count < 2) | lost_urban
    if not ending.any():
        return
    # the structure's cause: the last exit this year that brought it down
    last_cause = np.full(st.size, NEGATIVE_BENEFIT, dtype=np.int8)
    last_cause[structure[leaving]] = cause[leaving]
    causes = np.where(lost_urban, LOST_URBAN, last_cause[active])[ending]
    reg.dissolve(active[ending], causes, step)


def competes_with_fellows(model: TerritoryModel, held: np.ndarray) -> np.ndarray:
    """Whether each membership ``held`` (all those held now) competes with most of its partners.

    Counted over the network edges from the member to fellow members (a member with no such
    edge never leaves for competing).
    """
    reg, net = model.registry, model.network
    # ``held`` are the memberships held now: slots are positions in it
    pairs = edge_structures(
        net.src, net.dst, reg.memberships(len(model.population)), reg.structures["domains"]
    )
    slot, edge = pairs.slot, pairs.edge
    fellows = np.bincount(slot, minlength=len(held))
    cooperating = np.bincount(slot, model.stance[edge], len(held))
    return (fellows > 0) & (2 * cooperating < fellows)


def _pacte_protected(model: TerritoryModel, held: np.ndarray) -> np.ndarray:
    """Memberships the Pacte obliges a métropole to keep: its oldest one with non-urban partners."""
    protected = np.zeros(len(held), dtype=bool)
    if not model.parameters.pacte.obligation:
        return protected
    mb = model.registry.members
    territory, structure = mb["territory"][held], mb["structure"][held]
    non_urban = np.bincount(
        structure, ~is_urban(model.kind[territory]), model.registry.structures.size
    )
    candidate = np.flatnonzero((model.kind[territory] == METROPOLE) & (non_urban[structure] > 0))
    if len(candidate):
        order = candidate[np.lexsort((mb["joined"][held][candidate], territory[candidate]))]
        _, first = np.unique(territory[order], return_index=True)
        protected[order[first]] = True
    return protected

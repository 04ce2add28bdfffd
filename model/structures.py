"""The life cycle of cooperation structures, on whole arrays: exit and formation.

Each function reads the model's arrays and its :class:`~cohesim.model.registry.StructureRegistry`
and changes them; the model calls them in the order of the step (``docs/model.md``):
:func:`maintain` (running costs, exits, dissolution), then :func:`form` (new structures, new
members, the Pacte obligation). What living structures yield each year is in
:mod:`cohesim.model.returns`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .kinds import METROPOLE, is_urban
from .registry import (
    COMPETING,
    CONTRAT,
    ENGINEERING,
    GRANT_ENDED,
    GROWABLE,
    LOST_URBAN,
    NEGATIVE_BENEFIT,
    POLE,
    STRUCTURE_KINDS,
    kind_table,
    per_year_engineering,
)

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


def engineering_commitments(model: TerritoryModel) -> tuple[np.ndarray, np.ndarray]:
    """(memberships held, FTE each needs this year)."""
    reg, p = model.registry, model.parameters
    held = reg.active_members()
    s = reg.members["structure"][held]
    st = reg.structures
    need = per_year_engineering(
        kind_table(p),
        st["kind"][s],
        st["domains"][s].sum(axis=1),
        model.steps - st["formed"][s],
        p.structures.amortisation_years,
    )
    return held, need


def free_engineering(model: TerritoryModel) -> np.ndarray:
    """Engineering each territory can still commit this year (FTE)."""
    held, need = engineering_commitments(model)
    used = np.bincount(model.registry.members["territory"][held], need, len(model.population))
    return model.available_engineering - used


# -- maintenance, exit and dissolution --------------------------------------------------------


def maintain(model: TerritoryModel) -> None:
    """Members leave, and structures left too small dissolve.

    A member leaves when it competes, lacks the free engineering to keep running its
    structures (the newest go first), or had a negative net benefit n_exit years in a row;
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
    cause[~model.cooperate[territory] & ~kept] = COMPETING
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


# -- formation --------------------------------------------------------------------------------


def perceived_gain(
    model: TerritoryModel,
    who: np.ndarray,
    kind: int,
    n_domains: np.ndarray,
    relief: np.ndarray,
    knowledge: np.ndarray,
    trust: np.ndarray,
    members: np.ndarray,
) -> np.ndarray:
    """Ĝ = K V − [1 + χ (1 − T)] C, per year, for territories ``who`` joining a structure.

    V is the member's share of the structure's value, (1 − φ)(r − 1) c n_dom P, plus the
    spill-over costs it would no longer bear (``relief``) and its share of expected grants;
    C is setup money net of matching, spread over τ_a, running money and engineering valued at
    ω_H (net of the member's engineering cover). Costs scale with the domains of a pôle.
    """
    p = model.parameters
    s, f = p.structures, p.funding
    spec = kind_table(p)[kind]
    scale = n_domains if kind == POLE else np.ones_like(n_domains)
    value = (1 - s.non_member_share) * (spec.synergy - 1) * s.contribution * n_domains
    value = value * model.population[who] + relief
    funded_years = min(f.grant_years, s.amortisation_years) / s.amortisation_years
    value = value + f.conditional_grant * funded_years / members
    matched = f.matching_share * funded_years
    eng = (spec.setup_fte / s.amortisation_years + spec.running_fte) * (1 - model.cover[who])
    cost = scale * (
        (1 - matched) * spec.setup_cost / s.amortisation_years
        + spec.running_cost
        + p.engineering.fte_cost * eng
    )
    return knowledge * value - (1 + s.distrust_weight * (1 - trust)) * cost


def form(model: TerritoryModel) -> None:
    """Form new structures, admit new members, and apply the Pacte obligation."""
    if not model.parameters.structures.enabled:
        return
    formed = _found_structures(model)
    _join_structures(model, exclude=formed)
    if model.parameters.pacte.obligation:
        _pacte_structures(model)


def _strongest_domain(model: TerritoryModel, edges: np.ndarray) -> np.ndarray:
    net = model.network
    exchanged = (net.flow[edges] + net.flow[net.rev[edges]]) * model._value
    return np.argmax(exchanged, axis=1)


def _found_structures(model: TerritoryModel) -> np.ndarray:
    """Found new structures between pairs of cooperating partners.

    Each pair founds the kind whose worse-off founder gains most, if that gain is positive.
    Returns the territories that founded one this year.
    """
    net, reg, n_dom_all = model.network, model.registry, len(model.domain_names)
    edges = np.flatnonzero(net.src < net.dst)
    i, j = net.src[edges], net.dst[edges]
    able = model.cooperate & (model.budget > 0)
    keep = able[i] & able[j]
    edges, i, j = edges[keep], i[keep], j[keep]
    if len(edges) == 0:
        return np.empty(0, dtype=np.int64)
    free = free_engineering(model)
    shared_kinds = _shared_kinds(model, i, j)
    strongest = _strongest_domain(model, edges)
    urban_i, urban_j = is_urban(model.kind[i]), is_urban(model.kind[j])

    best = np.zeros(len(edges))
    best_kind = np.full(len(edges), -1)
    all_domains = np.full(len(edges), n_dom_all)
    one_domain = np.ones(len(edges), dtype=np.int64)
    rows = np.arange(len(edges))
    spill_i, spill_j = model.edge_spillover(edges), model.edge_spillover(net.rev[edges])
    spill_i_all, spill_j_all = spill_i.sum(axis=1), spill_j.sum(axis=1)
    spill_i_one, spill_j_one = spill_i[rows, strongest], spill_j[rows, strongest]
    kinds = kind_table(model.parameters)
    for kind in range(len(STRUCTURE_KINDS)):
        spans_all = kind in (CONTRAT, POLE)
        n_dom = all_domains if spans_all else one_domain
        feasible = (shared_kinds & (1 << kind)) == 0
        if kind == CONTRAT:
            feasible &= urban_i != urban_j
        if kind == POLE:
            feasible &= urban_i | urban_j
        need = per_year_engineering(
            kinds,
            np.full(len(edges), kind),
            n_dom,
            np.zeros(len(edges)),
            model.parameters.structures.amortisation_years,
        )
        feasible &= (free[i] >= need) & (free[j] >= need)
        if not feasible.any():
            continue
        two = np.full(len(edges), 2.0)
        gain_i = perceived_gain(
            model,
            i,
            kind,
            n_dom,
            spill_i_all if spans_all else spill_i_one,
            model.knowledge[edges],
            model.trust[edges],
            two,
        )
        rev = net.rev[edges]
        gain_j = perceived_gain(
            model,
            j,
            kind,
            n_dom,
            spill_j_all if spans_all else spill_j_one,
            model.knowledge[rev],
            model.trust[rev],
            two,
        )
        gain = np.where(feasible, np.minimum(gain_i, gain_j), -np.inf)
        better = gain > best
        best[better], best_kind[better] = gain[better], kind

    chosen = np.flatnonzero(best_kind >= 0)
    chosen = chosen[
        _local_maxima(i[chosen], j[chosen], model.rng.random(len(chosen)), len(model.population))
    ]
    if len(chosen) == 0:
        return np.empty(0, dtype=np.int64)
    kind = best_kind[chosen]
    domains = np.zeros((len(chosen), n_dom_all), dtype=bool)
    every = np.isin(kind, (CONTRAT, POLE))
    domains[every] = True
    domains[np.flatnonzero(~every), strongest[chosen][~every]] = True
    reg.form(kind.astype(np.int8), domains, np.column_stack([i[chosen], j[chosen]]), model.steps)
    return np.concatenate([i[chosen], j[chosen]])


def _local_maxima(a: np.ndarray, b: np.ndarray, priority: np.ndarray, n: int) -> np.ndarray:
    """Candidates with the highest priority among all candidates touching either end.

    So each territory takes on at most one new structure a year (one round of Luby 1986).
    """
    if len(a) == 0:
        return np.empty(0, dtype=np.int64)
    top = np.full(n, -1.0)
    np.maximum.at(top, a, priority)
    np.maximum.at(top, b, priority)
    return np.flatnonzero((top[a] == priority) & (top[b] == priority))


def _shared_kinds(model: TerritoryModel, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Bitmask of the kinds of the active structures each pair (i, j) shares."""
    mask = np.zeros(len(i), dtype=np.int64)
    held = model.registry.membership_matrix(len(model.population))
    is_member = np.asarray(held.sum(axis=1)).ravel() > 0
    both = np.flatnonzero(is_member[i] & is_member[j])  # only members can share a structure
    if len(both) == 0:
        return mask
    shared = (held[i[both]].multiply(held[j[both]])).tocoo()
    kinds = model.registry.structures["kind"][shared.col].astype(np.int64)
    np.bitwise_or.at(mask, both[shared.row], 1 << kinds)
    return mask


def _join_structures(model: TerritoryModel, exclude: np.ndarray) -> None:
    """Cooperating partners of members join growable structures (entente, syndicat, pôle)."""
    reg, net, p = model.registry, model.network, model.parameters
    st = reg.structures
    n = len(model.population)
    held = reg.membership_matrix(n)
    is_member = np.asarray(held.sum(axis=1)).ravel() > 0
    towards = np.flatnonzero(is_member[net.dst])
    if len(towards) == 0:
        return
    # (edge, structure) pairs: the edge's destination is a member, its source is not
    of_dst = held[net.dst[towards]].tocoo()
    e, s = towards[of_dst.row], of_dst.col
    if len(e) == 0:
        return
    outside = np.asarray(held[net.src[e], s]) == 0
    growable = np.isin(st["kind"][s], GROWABLE)
    size = np.bincount(reg.members["structure"][reg.active_members()], minlength=st.size)
    room = size < p.structures.max_members
    t = net.src[e]
    able = model.cooperate & (model.budget > 0)
    able[exclude] = False
    keep = outside & growable & room[s] & able[t]
    e, s, t = e[keep], s[keep], t[keep]
    if len(e) == 0:
        return
    # aggregate the edges from a candidate to the structure's members
    key = t.astype(np.int64) * st.size + s
    pair, inverse, edges_per_pair = np.unique(key, return_inverse=True, return_counts=True)
    t_pair, s_pair = pair // st.size, pair % st.size
    domains = st["domains"][s_pair]
    relief = np.bincount(
        inverse, (model.edge_spillover(e) * st["domains"][s]).sum(axis=1), len(pair)
    )
    knowledge = np.bincount(inverse, model.knowledge[e], len(pair)) / edges_per_pair
    trust = np.bincount(inverse, model.trust[e], len(pair)) / edges_per_pair
    n_dom = domains.sum(axis=1)
    kinds = kind_table(p)
    free = free_engineering(model)
    gain = np.full(len(pair), -np.inf)
    for kind in GROWABLE:
        these = st["kind"][s_pair] == kind
        if not these.any():
            continue
        need = per_year_engineering(
            kinds,
            np.full(these.sum(), kind),
            n_dom[these],
            np.zeros(these.sum()),
            p.structures.amortisation_years,
        )
        g = perceived_gain(
            model,
            t_pair[these],
            kind,
            n_dom[these],
            relief[these],
            knowledge[these],
            trust[these],
            size[s_pair[these]] + 1.0,
        )
        gain[these] = np.where(free[t_pair[these]] >= need, g, -np.inf)
    candidates = np.flatnonzero(gain > 0)
    if len(candidates) == 0:
        return
    # each territory joins its best structure; each structure takes joiners up to its room
    order = candidates[np.lexsort((-gain[candidates], t_pair[candidates]))]
    _, first = np.unique(t_pair[order], return_index=True)
    best = order[first]
    priority = model.rng.random(len(best))
    best = best[np.lexsort((-priority, s_pair[best]))]
    rank = np.arange(len(best)) - np.searchsorted(s_pair[best], s_pair[best], side="left")
    accepted = best[rank < (p.structures.max_members - size[s_pair[best]])]
    reg.join(s_pair[accepted], t_pair[accepted], model.steps)


def _pacte_structures(model: TerritoryModel) -> None:
    """Make each métropole without a non-urban partner structure form a contrat.

    Its partner is its most interdependent non-urban partner willing and able to.
    """
    reg, net = model.registry, model.network
    n = len(model.population)
    held = reg.active_members()
    territory = reg.members["territory"][held]
    structure = reg.members["structure"][held]
    non_urban = np.bincount(structure, ~is_urban(model.kind[territory]), reg.structures.size)
    allied = np.zeros(n, dtype=bool)
    allied[territory[non_urban[structure] > 0]] = True
    lonely = (model.kind == METROPOLE) & ~allied
    if not lonely.any():
        return
    candidates = np.flatnonzero(lonely[net.src] & ~is_urban(model.kind[net.dst]))
    if len(candidates) == 0:
        return
    free = free_engineering(model)
    kinds = kind_table(model.parameters)
    count = len(candidates)
    n_dom = np.full(count, len(model.domain_names))
    need = per_year_engineering(
        kinds,
        np.full(count, CONTRAT),
        n_dom,
        np.zeros(count),
        model.parameters.structures.amortisation_years,
    )
    partner = net.dst[candidates]
    rev = net.rev[candidates]
    gain = perceived_gain(
        model,
        partner,
        CONTRAT,
        n_dom,
        model.edge_spillover(rev).sum(axis=1),
        model.knowledge[rev],
        model.trust[rev],
        np.full(count, 2.0),
    )
    ok = (
        model.cooperate[partner]
        & (model.budget[partner] > 0)
        & (free[partner] >= need)
        & (free[net.src[candidates]] >= need)
        & (gain > 0)
    )
    edges = candidates[ok]
    if len(edges) == 0:
        return
    edges = edges[np.lexsort((-net.interdependence[edges], net.src[edges]))]
    _, first = np.unique(net.src[edges], return_index=True)
    edges = edges[first]
    # a partner allied with two métropoles at once takes the first
    _, unique_partner = np.unique(net.dst[edges], return_index=True)
    edges = edges[np.sort(unique_partner)]
    domains = np.ones((len(edges), len(model.domain_names)), dtype=bool)
    founders = np.column_stack([net.src[edges], net.dst[edges]])
    reg.form(np.full(len(edges), CONTRAT, dtype=np.int8), domains, founders, model.steps)

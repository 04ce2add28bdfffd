"""Formation of cooperation structures, and what partners expect of them, on whole arrays.

:func:`form` founds new structures between pairs of partners cooperating with each other,
admits new members to growable ones, and applies the Pacte obligation; :func:`pair_prospects`
and :func:`perceived_gain` say what a structure would bring each candidate (M1 and M5 in
``docs/model.md``), and :func:`partnership_values` feeds that into each partnership decision.
The life cycle of existing structures is in :mod:`cohesim.model.structures`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from . import engineering
from .kinds import METROPOLE, is_urban
from .registry import (
    CONTRAT,
    GROWABLE,
    POLE,
    STRUCTURE_KINDS,
    kind_table,
    per_year_engineering,
)
from .shapes import Shape, pair_shape, structure_shape
from .structures import free_engineering

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


# -- formation --------------------------------------------------------------------------------


def perceived_gain(
    model: TerritoryModel,
    who: np.ndarray,
    kind: int,
    n_domains: np.ndarray,
    transfer: np.ndarray,
    knowledge: np.ndarray,
    trust: np.ndarray,
    shape: Shape,
) -> np.ndarray:
    """Ĝ = K V (1 + K ε) + τ + g − [1 + χ (1 − T)] C, per year, for territories ``who`` joining.

    V is the member's share of the structure's value, (1 − φ)(r − 1) c n_dom P, times the share
    its engineering delivers, 1 − exp(−(1 + e)) (M5); ε the structure's match quality, seen as
    far as the pair knows its interdependence (K); τ the net transfer for spill-over costs it
    would receive (M2, negative when it pays); g its share of expected grants. C is setup money
    net of matching, spread over τ_a, running money and the engineering the structure needs
    valued at ω_H times its transaction-cost factor. Costs scale with the domains of a pôle.
    """
    p = model.parameters
    s, f = p.structures, p.funding
    spec = kind_table(p)[kind]
    scale = n_domains if kind == POLE else np.ones_like(n_domains)
    cover = model.cover[who]
    value = (1 - s.non_member_share) * (spec.synergy - 1) * s.contribution * n_domains
    value = value * model.population[who] * engineering.staffed_share(1 + cover)
    value = knowledge * value * (1 + knowledge * shape.quality)
    funded_years = min(f.grant_years, s.amortisation_years) / s.amortisation_years
    value = value + transfer + f.conditional_grant * funded_years / shape.members
    matched = f.matching_share * funded_years
    need = spec.setup_fte / s.amortisation_years + spec.running_fte
    factor = engineering.transaction_factor(
        s, shape.members, shape.heterogeneity, shape.distance_km, cover
    )
    cost = scale * (
        (1 - matched) * spec.setup_cost / s.amortisation_years
        + spec.running_cost
        + p.engineering.fte_cost * need * factor
    )
    return value - (1 + s.distrust_weight * (1 - trust)) * cost


def pair_prospects(
    model: TerritoryModel, edges: np.ndarray, quality: np.ndarray | float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best structure each pair (src, dst) of ``edges`` could found, and what each expects.

    Among the kinds the pair does not share yet, that both can staff with their free
    engineering, and that fit the pair (a contrat is urban–rural, a pôle has an urban member),
    the best is the one whose worse-off founder gains most. Returns (kind, −1 where none is
    feasible; the source's perceived gain; the destination's), gains −inf where none.
    """
    net, n_dom_all = model.network, len(model.domain_names)
    i, j = net.src[edges], net.dst[edges]
    best = np.full(len(edges), -np.inf)
    best_kind = np.full(len(edges), -1)
    gain_src, gain_dst = np.full(len(edges), -np.inf), np.full(len(edges), -np.inf)
    if len(edges) == 0:
        return best_kind, gain_src, gain_dst
    free = free_engineering(model)
    shared_kinds = _shared_kinds(model, i, j)
    strongest = _strongest_domain(model, edges)
    urban_i, urban_j = is_urban(model.kind[i]), is_urban(model.kind[j])
    all_domains = np.full(len(edges), n_dom_all)
    one_domain = np.ones(len(edges), dtype=np.int64)
    rows = np.arange(len(edges))
    rev = net.rev[edges]
    # the net transfer i would receive: its cost of serving j's residents, minus j's of i's
    net_i = model.edge_spillover(edges) - model.edge_spillover(rev)
    net_i_all, net_i_one = net_i.sum(axis=1), net_i[rows, strongest]
    shape = pair_shape(model, i, j, quality)
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
        transfer = net_i_all if spans_all else net_i_one
        g_i = perceived_gain(
            model, i, kind, n_dom, transfer, model.knowledge[edges], model.trust[edges], shape
        )
        g_j = perceived_gain(
            model, j, kind, n_dom, -transfer, model.knowledge[rev], model.trust[rev], shape
        )
        gain = np.where(feasible, np.minimum(g_i, g_j), -np.inf)
        better = gain > best
        best[better], best_kind[better] = gain[better], kind
        gain_src[better], gain_dst[better] = g_i[better], g_j[better]
    return best_kind, gain_src, gain_dst


def partnership_values(model: TerritoryModel) -> np.ndarray:
    """V^S per directed edge: what the source expects a year from structures with the destination.

    For a pair that shares structures, the source's last net benefit from each, shared among its
    fellow members; for a pair that shares none, the perceived gain of the best structure it
    could found (M1: structures enter the decision, bounded by free engineering), or 0.
    """
    reg, net = model.registry, model.network
    value = np.zeros(len(net.src))
    held = reg.active_members()
    if len(held):
        size = reg.structures.size
        territory, structure = reg.members["territory"][held], reg.members["structure"][held]
        fellows = np.bincount(structure, minlength=size) - 1.0
        share = reg.members["benefit"][held] / np.maximum(fellows[structure], 1.0)
        matrix = sparse.csr_array(
            (share, (territory, structure)), shape=(len(model.population), size)
        )
        member = reg.membership_matrix(len(model.population))
        is_member = np.zeros(len(model.population), dtype=bool)
        is_member[territory] = True
        edges = np.flatnonzero(is_member[net.src] & is_member[net.dst])
        shared = matrix[net.src[edges]].multiply(member[net.dst[edges]])
        value[edges] = np.asarray(shared.sum(axis=1)).ravel()
        sharing = np.zeros(len(net.src), dtype=bool)
        both = member[net.src[edges]].multiply(member[net.dst[edges]])
        sharing[edges] = np.asarray(both.sum(axis=1)).ravel() > 0
    else:
        sharing = np.zeros(len(net.src), dtype=bool)
    if not model.parameters.structures.enabled:
        return value
    open_pairs = np.flatnonzero((net.src < net.dst) & ~sharing)
    kind, gain_src, gain_dst = pair_prospects(model, open_pairs)
    possible = (kind >= 0) & (np.minimum(gain_src, gain_dst) > 0)  # both would found it
    value[open_pairs[possible]] = np.maximum(gain_src[possible], 0.0)
    value[net.rev[open_pairs[possible]]] = np.maximum(gain_dst[possible], 0.0)
    return value


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
    """Found new structures between pairs of partners cooperating with each other.

    Each pair meets its match quality ε ~ N(0, σ_ε) (M5), and founds the kind whose worse-off
    founder gains most, if that gain is positive. Returns the territories that founded one.
    """
    net, reg, n_dom_all = model.network, model.registry, len(model.domain_names)
    edges = np.flatnonzero(net.src < net.dst)
    mutual = model.stance[edges] & model.stance[net.rev[edges]]
    solvent = model.budget > 0
    edges = edges[mutual & solvent[net.src[edges]] & solvent[net.dst[edges]]]
    if len(edges) == 0:
        return np.empty(0, dtype=np.int64)
    quality = match_quality(model, len(edges))
    best_kind, gain_i, gain_j = pair_prospects(model, edges, quality)
    i, j = net.src[edges], net.dst[edges]
    chosen = np.flatnonzero((best_kind >= 0) & (np.minimum(gain_i, gain_j) > 0))
    chosen = chosen[
        _local_maxima(i[chosen], j[chosen], model.rng.random(len(chosen)), len(model.population))
    ]
    if len(chosen) == 0:
        return np.empty(0, dtype=np.int64)
    kind = best_kind[chosen]
    domains = np.zeros((len(chosen), n_dom_all), dtype=bool)
    every = np.isin(kind, (CONTRAT, POLE))
    domains[every] = True
    strongest = _strongest_domain(model, edges[chosen])
    domains[np.flatnonzero(~every), strongest[~every]] = True
    founders = np.column_stack([i[chosen], j[chosen]])
    reg.form(kind.astype(np.int8), domains, founders, model.steps, quality[chosen])
    return np.concatenate([i[chosen], j[chosen]])


def match_quality(model: TerritoryModel, count: int) -> np.ndarray:
    """Draw ε ~ N(0, σ_ε) for ``count`` candidate structures, kept above −0.9."""
    spread = model.parameters.structures.quality_spread
    return np.maximum(spread * model.rng.standard_normal(count), -0.9)


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
    able = model.budget > 0
    able[exclude] = False
    # a candidate joins only with members it cooperates with (its stance on the edge)
    keep = outside & growable & room[s] & able[t] & model.stance[e]
    e, s, t = e[keep], s[keep], t[keep]
    if len(e) == 0:
        return
    # aggregate the edges from a candidate to the structure's members
    key = t.astype(np.int64) * st.size + s
    pair, inverse, edges_per_pair = np.unique(key, return_inverse=True, return_counts=True)
    t_pair, s_pair = pair // st.size, pair % st.size
    domains = st["domains"][s_pair]
    net_spill = model.edge_spillover(e) - model.edge_spillover(net.rev[e])
    transfer = np.bincount(inverse, (net_spill * st["domains"][s]).sum(axis=1), len(pair))
    knowledge = np.bincount(inverse, model.knowledge[e], len(pair)) / edges_per_pair
    trust = np.bincount(inverse, model.trust[e], len(pair)) / edges_per_pair
    n_dom = domains.sum(axis=1)
    geometry = structure_shape(model)
    pop = model.population[t_pair]
    span = np.maximum(geometry["largest"][s_pair], pop) / np.minimum(
        geometry["smallest"][s_pair], pop
    )
    shape = Shape(
        members=size[s_pair] + 1.0,
        heterogeneity=np.log10(span),
        distance_km=np.hypot(
            model.x[t_pair] - geometry["x"][s_pair], model.y[t_pair] - geometry["y"][s_pair]
        ),
        quality=st["quality"][s_pair],
    )
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
            transfer[these],
            knowledge[these],
            trust[these],
            shape.select(these),
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
        (model.edge_spillover(rev) - model.edge_spillover(candidates)).sum(axis=1),
        model.knowledge[rev],
        model.trust[rev],
        pair_shape(model, partner, net.src[candidates], 0.0),
    )
    ok = (
        model.stance[rev]
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

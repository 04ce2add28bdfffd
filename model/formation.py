"""Formation of cooperation structures, and what partners expect of them, on whole arrays.

:func:`form` founds new structures between pairs of partners cooperating with each other,
admits new members to growable ones, and applies the Pacte obligation; :func:`pair_prospects`
and :func:`perceived_gain` say what a structure would bring each candidate (M1 and M5 in
``docs/model.md``), and :func:`partnership_values` feeds that into each partnership decision.
The life cycle of existing structures is in :mod:`cohesim.model.structures`.

The passes over every pair and every membership are compiled
(:mod:`cohesim.model.formation_kernels`): this module prepares their arrays, keeps what needs a
transcendental function in numpy, and draws the random numbers; :func:`perceived_gain` stays
the formula's reference (the Pacte obligation still uses it on whole arrays).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import engineering
from . import formation_kernels as kernels
from .kinds import CONTRAT, GROWABLE, METROPOLE, POLE, STRUCTURE_KINDS, is_urban
from .registry import kind_table, per_year_engineering
from .shapes import Shape, pair_shape, structure_shape
from .structures import free_engineering

if TYPE_CHECKING:
    from .parameters import Parameters
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
    :func:`perceived_gain` gives each founder's gain; the kernel repeats it pair by pair.
    """
    if len(edges) == 0:
        return np.full(0, -1), np.full(0, -np.inf), np.full(0, -np.inf)
    net = model.network
    i, j = net.src[edges], net.dst[edges]
    shape = pair_shape(model, i, j, quality)
    indptr, held, _ = _memberships(model)
    kind_constants, constants = model.formation_constants
    return kernels.prospects(
        edges,
        net.src,
        net.dst,
        net.rev,
        shape.quality,
        model.knowledge,
        model.trust,
        net.flow,
        model._spillover_per_user,
        model._value,
        indptr,
        held,
        model.registry.structures["kind"],
        free_engineering(model),
        is_urban(model.kind),
        model.population,
        engineering.staffed_share(1 + model.cover),
        model.cover,
        shape.heterogeneity,
        shape.distance_km,
        kind_constants,
        constants,
    )


def constants(p: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`perceived_gain` computes from parameters alone, as the kernels read it.

    The model derives them when the levers in force change (``TerritoryModel.formation_constants``).
    """
    s, f = p.structures, p.funding
    funded_years = min(f.grant_years, s.amortisation_years) / s.amortisation_years
    matched = f.matching_share * funded_years
    kind_constants = np.empty((4, len(STRUCTURE_KINDS)))
    for kind, spec in enumerate(kind_table(p)):
        need = spec.setup_fte / s.amortisation_years + spec.running_fte
        setup_per_year = spec.setup_fte / s.amortisation_years if s.amortisation_years > 0 else 0.0
        kind_constants[:, kind] = (
            (1 - s.non_member_share) * (spec.synergy - 1) * s.contribution,
            spec.running_fte + setup_per_year,  # per_year_engineering at age 0
            (1 - matched) * spec.setup_cost / s.amortisation_years + spec.running_cost,
            p.engineering.fte_cost * need,
        )
    constants = np.array(
        [
            f.conditional_grant * funded_years,
            s.distrust_weight,
            s.partner_cost,
            s.heterogeneity_cost,
            s.distance_cost,
            s.cover_saving,
            len(p.domain_names),
        ],
        dtype=float,
    )
    return kind_constants, constants


_GROWABLE = np.isin(np.arange(len(STRUCTURE_KINDS)), GROWABLE)
"""Per kind, whether it accepts members beyond its founders (as the join kernel reads it)."""


def _memberships(model: TerritoryModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The memberships held, by territory: (indptr, structures in increasing order, their rows)."""
    reg = model.registry
    n = len(model.population)

    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        held = reg.memberships(n)
        return held.by_territory, held.territory_structures, held.held[held.territory_slots]

    return reg.memoised(("formation.memberships", n), build)


def partnership_values(model: TerritoryModel, edges: np.ndarray | None = None) -> np.ndarray:
    """V^S per directed edge: what the source expects a year from structures with the destination.

    For a pair that shares structures, the source's last net benefit from each, shared among its
    fellow members; for a pair that shares none, the perceived gain of the best structure it
    could found (M1: structures enter the decision, bounded by free engineering), or 0. With
    ``edges``, for those edges only (each pair's prospects are its own: the same numbers).
    """
    reg, net = model.registry, model.network
    indptr, held, rows = _memberships(model)
    size = reg.structures.size
    owners = reg.members["structure"][reg.active_members()]
    value, sharing = kernels.shared_values(
        net.src,
        net.dst,
        indptr,
        held,
        rows,
        reg.members["benefit"],
        np.bincount(owners, minlength=size).astype(float),
    )
    if not model.parameters.structures.enabled:
        return value if edges is None else value[edges]
    open_pairs = np.flatnonzero((net.src < net.dst) & ~sharing)
    if edges is not None:  # the prospects are most of the cost: only the pairs asked for
        wanted = np.zeros(len(net.src), dtype=bool)
        wanted[edges] = wanted[net.rev[edges]] = True
        open_pairs = open_pairs[wanted[open_pairs]]
    kind, gain_src, gain_dst = pair_prospects(model, open_pairs)
    possible = (kind >= 0) & (np.minimum(gain_src, gain_dst) > 0)  # both would found it
    value[open_pairs[possible]] = np.maximum(gain_src[possible], 0.0)
    value[net.rev[open_pairs[possible]]] = np.maximum(gain_dst[possible], 0.0)
    return value if edges is None else value[edges]


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
    every = (kind == CONTRAT) | (kind == POLE)
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


def _join_structures(model: TerritoryModel, exclude: np.ndarray) -> None:
    """Cooperating partners of members join growable structures (entente, syndicat, pôle).

    A candidate weighs each structure by :func:`perceived_gain`, its edges to the members
    giving the transfer (summed), knowledge and trust (averaged); the kernels walk the edges.
    """
    reg, net, p = model.registry, model.network, model.parameters
    st = reg.structures
    indptr, held, _ = _memberships(model)
    if len(held) == 0:
        return
    size = np.bincount(reg.members["structure"][reg.active_members()], minlength=st.size)
    able = model.budget > 0
    able[exclude] = False
    t_pair, s_pair, transfer, knowledge, trust, n_dom = kernels.join_pairs(
        net.indptr,
        net.dst,
        net.rev,
        indptr,
        held,
        st["kind"],
        _GROWABLE,
        size,
        p.structures.max_members,
        able,
        model.stance,
        model.knowledge,
        model.trust,
        net.flow,
        model._spillover_per_user,
        st["domains"],
    )
    if len(t_pair) == 0:
        return
    geometry = structure_shape(model)
    pop = model.population[t_pair]
    span = np.maximum(geometry["largest"][s_pair], pop) / np.minimum(
        geometry["smallest"][s_pair], pop
    )
    kind_constants, constants = model.formation_constants
    best = kernels.best_joins(
        t_pair,
        st["kind"][s_pair],
        n_dom,
        transfer,
        knowledge,
        trust,
        size[s_pair] + 1.0,
        np.log10(span),
        np.hypot(model.x[t_pair] - geometry["x"][s_pair], model.y[t_pair] - geometry["y"][s_pair]),
        st["quality"][s_pair],
        free_engineering(model),
        model.population,
        engineering.staffed_share(1 + model.cover),
        model.cover,
        kind_constants,
        constants,
    )
    if len(best) == 0:
        return
    # each territory joins its best structure; each structure takes joiners up to its room
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

"""The policy model's decisions as compiled (numba) kernels.

Under ``update.schedule = "random_sequential"`` each elementary update sees the stances left by
the previous ones, and the imitation rules compare payoffs replayed under the current stances
(:meth:`~cohesim.model.territory_model.TerritoryModel._local_scores`), so the updates cannot run
on whole arrays. :func:`revise_sequentially` runs them one after the other in compiled code.
Under the synchronous schedule, :func:`revise_synchronously` and :func:`territory_stances` fuse
the logit rule's choices, imitation and mutation, which numpy ran as a dozen array passes; and
:func:`partnership_gains`, :func:`matched_subsidy`, :func:`contest_payoffs` and :func:`learn`
are the step's other per-edge passes (decision gains, contest payoffs, learning), one loop each.

No kernel draws a random number itself. The caller draws the revisers, then enough uniforms for
the longest possible sequence, from the model's generator; the kernel reads them in the order the
Python path of :class:`~cohesim.model.territory_model.TerritoryModel` draws them
(``rng.random`` calls of any length read one stream of doubles) and says how many it used, so
that the caller rewinds the generator and advances it by exactly that many: a run's numbers are
those of the Python loop, to the last bit. To keep them so, the kernel computes what numpy
computes in numpy's order: sums in numpy's pairwise order (:mod:`.numpy_sums`), the logistic
function as scipy's ``expit`` (1 / (1 + exp(−x))), and the logit choice probabilities of the
step are computed by the caller, in numpy.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from .numpy_sums import numpy_sum

LOGIT, FERMI, IMITATE_BEST = 0, 1, 2
RULES = {"logit": LOGIT, "fermi": FERMI, "imitate_best": IMITATE_BEST}


class StepGame(NamedTuple):
    """What an elementary update reads (the kernel writes only ``stance`` and ``cooperate``).

    ``indptr``, ``dst`` and ``rev`` are the network's CSR arrays; ``stake``, ``sucker_share``
    and the scalar shares are the contest (:class:`~cohesim.model.contest.Contest`); ``unpaid``
    the share of matching the state cannot pay this year; ``payoff`` and ``contest_payoff``
    last year's, per territory; ``positive`` the edges of positive interdependence and
    ``cumulative`` the running sum of their interdependence (with a leading 0), for the Fermi
    partner draw; ``choice`` the logit probability of cooperating on each edge (empty for the
    other rules; :func:`revise_synchronously` takes its revisers' own).
    """

    indptr: np.ndarray
    dst: np.ndarray
    rev: np.ndarray
    stake: np.ndarray
    sucker_share: np.ndarray
    reward_share: float
    temptation_share: float
    punishment_share: float
    subsidy_share: float
    unpaid: float
    spillback: np.ndarray
    payoff: np.ndarray
    contest_payoff: np.ndarray
    population: np.ndarray
    payoff_scale: float
    positive: np.ndarray
    cumulative: np.ndarray
    choice: np.ndarray


def uniforms_needed(rule: int, degree: np.ndarray, mutation: float, imitation: float) -> int:
    """The most uniforms the updates of territories of ``degree`` (one per update) can read."""
    mutations = int(degree.sum()) if rule == LOGIT else len(degree)
    mutations *= mutation > 0
    if rule == LOGIT:
        # imitating or not, then Fermi's partner and adoption or one logit choice per edge
        choices = 3 * len(degree) + int(degree.sum()) if imitation > 0 else int(degree.sum())
    else:
        choices = 2 * len(degree) if rule == FERMI else 0
    return choices + mutations


@njit(cache=True)
def _share(own, other, sucker, reward, temptation, punishment):
    """The contest's payoff share of a player of stance ``own`` against ``other``."""
    if own:
        return reward if other else sucker
    return temptation if other else punishment


@njit(cache=True)
def _edge_contest(e, stance, rev, stake, sucker_share, shares, unpaid, spillback):
    """What edge e's source gets from the contest: its payoff plus its spill-back k π_ji.

    As :meth:`TerritoryModel._contest_payoffs` computes it; ``shares`` are the reward,
    temptation, punishment and subsidy shares.
    """
    reward, temptation, punishment, subsidy = shares
    r = rev[e]
    own, other = stance[e], stance[r]
    lost = unpaid * (subsidy if own and other else 0.0)
    mine = (
        _share(own, other, sucker_share[e], reward, temptation, punishment) * stake[e]
        - lost * stake[e]
    )
    theirs = (
        _share(other, own, sucker_share[r], reward, temptation, punishment) * stake[r]
        - lost * stake[r]
    )
    return mine + spillback[e] * theirs


@njit(cache=True)
def _local_score(i, stance, g, scratch):
    """Territory i's payoff under the current stances over the payoff scale, per inhabitant.

    ``_contest_payoffs`` on i's edges, summed, plus last year's payoff less its contest part,
    in the order :meth:`TerritoryModel._local_scores` computes them.
    """
    lo, hi = g.indptr[i], g.indptr[i + 1]
    shares = (g.reward_share, g.temptation_share, g.punishment_share, g.subsidy_share)
    for e in range(lo, hi):
        scratch[e - lo] = _edge_contest(
            e, stance, g.rev, g.stake, g.sucker_share, shares, g.unpaid, g.spillback
        )
    played = numpy_sum(scratch[: hi - lo])
    return (played + g.payoff[i] - g.contest_payoff[i]) / g.population[i] / g.payoff_scale


@njit(cache=True)
def _first_at_least(ordered, value):
    """``np.searchsorted(ordered, value)``: the first position whose value is not below ``value``.

    A bisection: numba's ``np.searchsorted`` takes a second of a first run to compile.
    """
    lo, hi = 0, len(ordered)
    while lo < hi:
        mid = (lo + hi) // 2
        if ordered[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _fermi_partner(i, u, g):
    """A partner of i drawn ∝ interdependence with the uniform u (-1 if none).

    As :func:`~cohesim.model.decisions.fermi_partner` draws it.
    """
    positive, cumulative = g.positive, g.cumulative
    if len(positive) == 0:
        return -1
    lo = _first_at_least(positive, g.indptr[i])
    hi = _first_at_least(positive, g.indptr[i + 1])
    if hi <= lo:
        return -1
    target = cumulative[lo] + u * (cumulative[hi] - cumulative[lo])
    # the last running sum at or below the target, kept within i's own edges
    pick = lo
    while pick + 1 < hi and cumulative[pick + 1] <= target:
        pick += 1
    return g.dst[positive[pick]]


@njit(cache=True)
def _fermi_adopts(i, partner, u, noise, stance, g, scratch):
    """Whether i adopts ``partner``'s strategy: u < expit((π̂_j − π̂_i)/K) (never without one)."""
    own = _local_score(i, stance, g, scratch)
    theirs = _local_score(partner, stance, g, scratch) if partner >= 0 else 0.0
    return partner >= 0 and u < 1.0 / (1.0 + math.exp(-((theirs - own) / noise)))


@njit(cache=True)
def _territory_stance(i, stance, cooperate, g, scratch):
    """Cooperating on at least half its stake (:meth:`TerritoryModel._territory_stance`)."""
    lo, hi = g.indptr[i], g.indptr[i + 1]
    if hi == lo:
        return cooperate[i]
    total = numpy_sum(g.stake[lo:hi])
    kept = 0
    for e in range(lo, hi):
        if stance[e]:
            scratch[kept] = g.stake[e]
            kept += 1
    return 2 * numpy_sum(scratch[:kept]) >= total


@njit(cache=True)
def revise_sequentially(
    revisers, uniforms, rule, noise, mutation, imitation, stance, cooperate, g, scratch
):
    """Run the elementary updates of ``revisers`` in order; return the uniforms read.

    Per update, as :meth:`TerritoryModel._revise_territories` draws for one territory: under
    logit, whether it imitates (when ι > 0), then Fermi's partner and adoption if it does or one
    logit choice per edge if not, then one mutation draw per edge (when μ > 0); under fermi, the
    partner and the adoption, then one mutation draw; under imitate_best, one mutation draw.
    ``scratch`` holds at least the largest degree.
    """
    used = 0
    for i in revisers:
        lo, hi = g.indptr[i], g.indptr[i + 1]
        if rule == LOGIT:
            imitating = False
            if imitation > 0:
                imitating = uniforms[used] < imitation
                used += 1
            if imitating:
                partner = _fermi_partner(i, uniforms[used], g)
                adopt = _fermi_adopts(i, partner, uniforms[used + 1], noise, stance, g, scratch)
                used += 2
                if adopt:
                    copied = cooperate[partner]
                    for e in range(lo, hi):
                        stance[e] = copied
            else:
                for e in range(lo, hi):
                    stance[e] = uniforms[used] < g.choice[e]
                    used += 1
            if mutation > 0:
                for e in range(lo, hi):
                    stance[e] = stance[e] ^ (uniforms[used] < mutation)
                    used += 1
            cooperate[i] = _territory_stance(i, stance, cooperate, g, scratch)
            continue
        if rule == FERMI:
            partner = _fermi_partner(i, uniforms[used], g)
            adopt = _fermi_adopts(i, partner, uniforms[used + 1], noise, stance, g, scratch)
            used += 2
            new = cooperate[partner] if adopt else cooperate[i]
        else:  # imitate_best: the best-scoring of i and its partners, i on a tie
            new = cooperate[i]
            best = _local_score(i, stance, g, scratch)
            for e in range(lo, hi):
                j = g.dst[e]
                score = _local_score(j, stance, g, scratch)
                if score > best:
                    best, new = score, cooperate[j]
        if mutation > 0:
            new = new ^ (uniforms[used] < mutation)
            used += 1
        cooperate[i] = new
        for e in range(lo, hi):
            stance[e] = new
    return used


@njit(cache=True)
def revise_synchronously(
    revisers, edges, choice, score, uniforms, noise, mutation, imitation, stance, cooperate, g
):
    """The logit revisers' stances, all at once; return the uniforms read.

    What :meth:`TerritoryModel._revise_territories` does under logit for ``revisers``
    (ascending) and their ``edges`` (in CSR order), ``choice`` the logit probability of each of
    those edges and ``score`` last year's scores of every territory, reading the uniforms in the
    order of its draws: whether each reviser imitates (when ι > 0), the imitators' partners,
    their adoptions, the others' logit choices edge by edge, then one mutation draw per edge
    (when μ > 0). Revisers read last year's strategies; their own are set last.
    """
    n_revisers = len(revisers)
    used = 0
    imitators = 0
    if imitation > 0:
        for k in range(n_revisers):
            imitators += uniforms[k] < imitation
        used = n_revisers
    partners_at, adoptions_at = used, used + imitators
    used += 2 * imitators
    imitator = 0
    at = 0  # position of the reviser's first edge in ``edges``
    for k in range(n_revisers):
        i = revisers[k]
        degree = g.indptr[i + 1] - g.indptr[i]
        if imitation > 0 and uniforms[k] < imitation:
            partner = _fermi_partner(i, uniforms[partners_at + imitator], g)
            adopt = False
            if partner >= 0:  # (without one, its adoption is drawn all the same)
                odds = (score[partner] - score[i]) / noise
                adopt = uniforms[adoptions_at + imitator] < 1.0 / (1.0 + math.exp(-odds))
            imitator += 1
            if adopt:  # the partner's strategy of last year on every edge; else kept
                copied = cooperate[partner]
                for e in range(at, at + degree):
                    stance[edges[e]] = copied
        else:
            for e in range(at, at + degree):
                stance[edges[e]] = uniforms[used] < choice[e]
                used += 1
        at += degree
    if mutation > 0:
        for e in range(len(edges)):
            stance[edges[e]] = stance[edges[e]] ^ (uniforms[used] < mutation)
            used += 1
    return used


@njit(cache=True)
def territory_stances(which, stance, cooperate, stake, indptr):
    """Set ``which`` to cooperate where they cooperate on at least half their stake.

    From running sums over all edges, as :meth:`TerritoryModel._territory_stance` computes it
    for several territories (isolated territories keep their strategy).
    """
    total_at = np.empty(len(stake) + 1)  # np.cumsum's running sums, after a leading 0
    shared_at = np.empty(len(stake) + 1)
    total_at[0] = shared_at[0] = 0.0
    for e in range(len(stake)):
        total_at[e + 1] = total_at[e] + stake[e]
        shared_at[e + 1] = shared_at[e] + (stake[e] if stance[e] else 0.0)
    for i in which:
        lo, hi = indptr[i], indptr[i + 1]
        if hi > lo:
            cooperate[i] = 2 * (shared_at[hi] - shared_at[lo]) >= total_at[hi] - total_at[lo]


@njit(cache=True)
def matched_subsidy(stance, rev, stake, subsidy_share, scratch):
    """The state's matching ρ c on mutually cooperating edges, summed as numpy sums it."""
    kept = 0
    for e in range(len(stake)):
        if stance[e] and stance[rev[e]]:
            scratch[kept] = subsidy_share * stake[e]
            kept += 1
    return numpy_sum(scratch[:kept])


@njit(cache=True)
def contest_payoffs(stance, src, rev, stake, sucker_share, shares, unpaid, spillback, n):
    """Each territory's contest payoff: its edges' (:func:`_edge_contest`), in edge order."""
    out = np.zeros(n)
    for e in range(len(stake)):
        out[src[e]] += _edge_contest(e, stance, rev, stake, sucker_share, shares, unpaid, spillback)
    return out


@njit(cache=True)
def learn(state, inside, relative, stance, rev, dst, kept, recorded, rates):
    """One year of learning on every edge, in place, as :meth:`TerritoryModel._learn` computes it.

    ``state`` holds knowledge, the years seen, those seen cooperating and trust; ``rates`` the
    knowledge rate, the observatory's weight, the knowledge decay, the initial knowledge, the
    share of past observations kept, a_0, the prior weight and the inventory's visibility.
    """
    knowledge, seen, seen_cooperating, trust = state
    rate0, observatory, decay, initial, keep, a0, prior_weight, visibility = rates
    for e in range(len(knowledge)):
        within = 1.0 if inside[e] else 0.0
        rate = rate0 * (within + observatory * relative[e])
        k = knowledge[e]
        k += rate * (1 - k) - decay * (k - initial) * (1.0 - within)
        knowledge[e] = min(max(k, 0.0), 1.0)
        seen[e] = keep * seen[e] + 1
        seen_cooperating[e] = keep * seen_cooperating[e] + (1.0 if stance[rev[e]] else 0.0)
        j = dst[e]
        trust[e] = (a0 + seen_cooperating[e] + visibility * kept[j]) / (
            prior_weight + seen[e] + visibility * recorded[j]
        )


@njit(cache=True)
def partnership_gains(knowledge, spillback, stake, sucker_share, shares, value, trust, delta):
    """G_ij / Q_ij per edge: the partnership gain over the stake (floored at 1e-12).

    As :func:`~cohesim.model.decisions.perceived_contest` then
    :func:`~cohesim.model.decisions.partnership_gain` compute it, in one pass; ``shares`` are
    the reward, temptation and punishment shares, ``value`` the structures' values V^S and
    ``delta`` the continuation chance δ.
    """
    reward_share, temptation_share, punishment_share = shares
    out = np.empty(len(stake))
    for e in range(len(stake)):
        k = knowledge[e] * spillback[e]
        reward, sucker = reward_share * stake[e], sucker_share[e] * stake[e]
        temptation, punishment = temptation_share * stake[e], punishment_share * stake[e]
        seen_reward, seen_punishment = reward * (1 + k), punishment * (1 + k)
        seen_sucker, seen_temptation = sucker + k * temptation, temptation + k * sucker
        mutual = (seen_reward + value[e] - delta * seen_punishment) / (1 - delta) - seen_temptation
        gain = trust[e] * mutual + (1 - trust[e]) * (seen_sucker - seen_punishment)
        q = stake[e]
        out[e] = gain / (q if q >= 1e-12 or q != q else 1e-12)  # np.maximum, NaN kept
    return out

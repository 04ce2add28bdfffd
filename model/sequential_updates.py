"""Elementary strategy updates, one after the other, as a compiled (numba) kernel.

Random sequential updating is inherently sequential: each elementary update sees the strategies
left by the previous one, so it cannot be written on whole arrays. :func:`revise` runs a list of
elementary updates in compiled code. It draws no random number itself: the caller draws, in bulk
and from the model's generator, the revisers and three uniforms per update (partner choice,
adoption, mutation), so results are reproducible and do not depend on numba's own generator.

The same kernel runs a synchronous step: give it a frozen copy of the strategies to read and
another array to write.

Payoffs are recomputed locally around the territories involved. The game is either a 2 × 2
matrix per directed edge (plus, optionally, a game against oneself, as in Nowak & May 1992) or a
public goods game in overlapping groups (each territory's group is itself and its neighbours;
Santos, Santos & Pacheco 2008, doi:10.1038/nature06940). The score compared is
(payoff + offset) / scale per territory (offset 0 and scale 1 for plain payoffs).

Rules (integer codes below):

logit
    Cooperate with probability 1 / (1 + exp(-(π_i(C) - π_i(D)) / K)), the payoff i would get
    as a cooperator or a defector against its neighbours' current strategies (Blume 1993,
    doi:10.1006/game.1993.1023).
fermi
    Pick a partner j with probability ∝ its edge weight, adopt its strategy with probability
    1 / (1 + exp((π_i - π_j) / K)) (Szabó & Tőke 1998, doi:10.1103/PhysRevE.58.69).
imitate_best
    Adopt the strategy of the best-scoring of oneself and one's neighbours, keeping one's own on
    a tie and the first neighbour among equals (Nowak & May 1992, doi:10.1038/359826a0).
santos
    Pick a partner j as for fermi, adopt its strategy with probability (π_j - π_i) / M when
    positive, M the largest possible payoff difference between the two (Santos & Pacheco 2005,
    doi:10.1103/PhysRevLett.95.098104): M = max(g_i, g_j) (max(T, R) - min(S, P)) for a matrix
    game, g the number of games played (degree, plus one with self-interaction), and
    M = (max(k_i, k_j) + 1) c (r + 1) for public goods (a bound on any payoff difference).

A reviser then switches strategy with probability μ (mutation).
"""

from __future__ import annotations

import numpy as np
from numba import njit

LOGIT, FERMI, IMITATE_BEST, SANTOS = 0, 1, 2, 3
RULES = {"logit": LOGIT, "fermi": FERMI, "imitate_best": IMITATE_BEST, "santos": SANTOS}
MATRIX, PUBLIC_GOODS = 0, 1
GAMES = {"matrix": MATRIX, "public_goods": PUBLIC_GOODS}


@njit(cache=True)
def _matrix_payoff(i, own, strategy, indptr, dst, edge_payoff, self_payoff):
    """Payoff of i playing ``own`` on each of its edges (and against itself if so declared)."""
    total = self_payoff[i, 0] if own else self_payoff[i, 1]
    row = 0 if own else 2
    for e in range(indptr[i], indptr[i + 1]):
        total += edge_payoff[e, row if strategy[dst[e]] else row + 1]
    return total


@njit(cache=True)
def _group_pot(g, i, own, strategy, indptr, dst, contribution, factor):
    """Multiplied contributions in the group centred on g, with i playing ``own``."""
    given = 0.0
    if own if g == i else strategy[g]:
        given += contribution[g]
    for e in range(indptr[g], indptr[g + 1]):
        member = dst[e]
        if own if member == i else strategy[member]:
            given += contribution[member]
    return factor * given


@njit(cache=True)
def _public_goods_payoff(i, own, strategy, indptr, dst, contribution, factor):
    """Payoff of i playing ``own`` in its k_i + 1 groups: shares of the pots minus its cost."""
    groups = indptr[i + 1] - indptr[i] + 1
    total = _group_pot(i, i, own, strategy, indptr, dst, contribution, factor) / groups
    for e in range(indptr[i], indptr[i + 1]):
        g = dst[e]
        size = indptr[g + 1] - indptr[g] + 1
        total += _group_pot(g, i, own, strategy, indptr, dst, contribution, factor) / size
    if own:
        total -= contribution[i] * groups
    return total


@njit(cache=True)
def _score(
    i,
    own,
    strategy,
    game,
    indptr,
    dst,
    edge_payoff,
    self_payoff,
    contribution,
    factor,
    offset,
    scale,
):
    if game == 0:
        payoff = _matrix_payoff(i, own, strategy, indptr, dst, edge_payoff, self_payoff)
    else:
        payoff = _public_goods_payoff(i, own, strategy, indptr, dst, contribution, factor)
    return (payoff + offset[i]) / scale[i]


@njit(cache=True)
def _partner(i, u, indptr, dst, cumulative):
    """The partner whose cumulative-weight interval holds the uniform ``u`` (-1 if none)."""
    lo, hi = indptr[i], indptr[i + 1]
    if hi == lo:
        return -1
    target = cumulative[lo] + u * (cumulative[hi] - cumulative[lo])
    edge = lo
    while edge < hi - 1 and cumulative[edge + 1] <= target:
        edge += 1
    return dst[edge]


@njit(cache=True)
def revise(
    rule,
    game,
    indptr,
    dst,
    cumulative,
    edge_payoff,
    self_payoff,
    contribution,
    factor,
    offset,
    scale,
    santos_unit,
    santos_extra,
    current,
    target,
    revisers,
    u_partner,
    u_adopt,
    u_mutate,
    noise,
    mutation,
):
    """Run the elementary updates of ``revisers`` in order, reading ``current``, writing ``target``.

    Pass the same array as ``current`` and ``target`` for random sequential updating (each
    update sees the previous ones), a frozen copy as ``current`` for a synchronous step.
    ``cumulative`` holds the running sum of edge weights (length E + 1); ``edge_payoff`` the
    (E, 4) payoffs R, S, T, P of each directed edge's source; ``self_payoff`` the (N, 2) payoffs
    of playing oneself as a cooperator and as a defector; ``contribution`` and ``factor`` the
    public goods contribution per group of each territory and the multiplication factor.
    Santos's M is (max(g_i, g_j) + ``santos_extra``) · ``santos_unit``, g the degree.
    """
    for k in range(len(revisers)):
        i = revisers[k]
        own = current[i]
        new = own
        if rule == 0:  # logit
            gain = _score(
                i, True, current, game, indptr, dst, edge_payoff, self_payoff, contribution,
                factor, offset, scale,
            ) - _score(
                i, False, current, game, indptr, dst, edge_payoff, self_payoff, contribution,
                factor, offset, scale,
            )  # fmt: skip
            new = u_adopt[k] < 1.0 / (1.0 + np.exp(-gain / noise))
        elif rule == 2:  # imitate the best
            best = _score(
                i, own, current, game, indptr, dst, edge_payoff, self_payoff, contribution,
                factor, offset, scale,
            )  # fmt: skip
            for e in range(indptr[i], indptr[i + 1]):
                j = dst[e]
                theirs = _score(
                    j, current[j], current, game, indptr, dst, edge_payoff, self_payoff,
                    contribution, factor, offset, scale,
                )  # fmt: skip
                if theirs > best:
                    best = theirs
                    new = current[j]
        else:  # fermi or santos: compare with one partner
            j = _partner(i, u_partner[k], indptr, dst, cumulative)
            if j >= 0 and current[j] != own:
                mine = _score(
                    i, own, current, game, indptr, dst, edge_payoff, self_payoff, contribution,
                    factor, offset, scale,
                )  # fmt: skip
                theirs = _score(
                    j, current[j], current, game, indptr, dst, edge_payoff, self_payoff,
                    contribution, factor, offset, scale,
                )  # fmt: skip
                if rule == 1:
                    if u_adopt[k] < 1.0 / (1.0 + np.exp((mine - theirs) / noise)):
                        new = current[j]
                elif theirs > mine:
                    games = max(indptr[i + 1] - indptr[i], indptr[j + 1] - indptr[j])
                    if u_adopt[k] < (theirs - mine) / ((games + santos_extra) * santos_unit):
                        new = current[j]
        if u_mutate[k] < mutation:
            new = not new
        target[i] = new

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

The kernel's arguments come in three named tuples (numba compiles attribute access on them):
:class:`GameTables` (the game on its graph), :class:`Rule` and :class:`Updates` (who revises,
with which uniforms).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

LOGIT, FERMI, IMITATE_BEST, SANTOS = 0, 1, 2, 3
RULES = {"logit": LOGIT, "fermi": FERMI, "imitate_best": IMITATE_BEST, "santos": SANTOS}
MATRIX, PUBLIC_GOODS = 0, 1
GAMES = {"matrix": MATRIX, "public_goods": PUBLIC_GOODS}


class GameTables(NamedTuple):
    """The game on its graph, as the kernel reads it (no array is written).

    ``indptr`` and ``dst`` are the graph's CSR arrays; ``cumulative`` the running sum of edge
    weights (length E + 1); ``edge_payoff`` the (E, 4) payoffs R, S, T, P of each directed
    edge's source; ``self_payoff`` the (N, 2) payoffs of playing oneself as a cooperator and as
    a defector; ``contribution`` and ``factor`` the public goods contribution per group of each
    territory and the multiplication factor; the score is (payoff + ``offset``) / ``scale``.
    Santos's M is (max(g_i, g_j) + ``santos_extra``) · ``santos_unit``, g the degree.
    """

    game: int
    indptr: np.ndarray
    dst: np.ndarray
    cumulative: np.ndarray
    edge_payoff: np.ndarray
    self_payoff: np.ndarray
    contribution: np.ndarray
    factor: float
    offset: np.ndarray
    scale: np.ndarray
    santos_unit: float
    santos_extra: float


class Rule(NamedTuple):
    """The update rule (a code of :data:`RULES`), its noise K and the mutation probability μ."""

    code: int
    noise: float
    mutation: float


class Updates(NamedTuple):
    """The elementary updates to run, in order, and one uniform of each kind per update."""

    revisers: np.ndarray
    u_partner: np.ndarray
    u_adopt: np.ndarray
    u_mutate: np.ndarray


@njit(cache=True)
def _matrix_payoff(i, own, strategy, t):
    """Payoff of i playing ``own`` on each of its edges (and against itself if so declared)."""
    total = t.self_payoff[i, 0] if own else t.self_payoff[i, 1]
    row = 0 if own else 2
    for e in range(t.indptr[i], t.indptr[i + 1]):
        total += t.edge_payoff[e, row if strategy[t.dst[e]] else row + 1]
    return total


@njit(cache=True)
def _group_pot(g, i, own, strategy, t):
    """Multiplied contributions in the group centred on g, with i playing ``own``."""
    given = 0.0
    if own if g == i else strategy[g]:
        given += t.contribution[g]
    for e in range(t.indptr[g], t.indptr[g + 1]):
        member = t.dst[e]
        if own if member == i else strategy[member]:
            given += t.contribution[member]
    return t.factor * given


@njit(cache=True)
def _public_goods_payoff(i, own, strategy, t):
    """Payoff of i playing ``own`` in its k_i + 1 groups: shares of the pots minus its cost."""
    indptr = t.indptr
    groups = indptr[i + 1] - indptr[i] + 1
    total = _group_pot(i, i, own, strategy, t) / groups
    for e in range(indptr[i], indptr[i + 1]):
        g = t.dst[e]
        size = indptr[g + 1] - indptr[g] + 1
        total += _group_pot(g, i, own, strategy, t) / size
    if own:
        total -= t.contribution[i] * groups
    return total


@njit(cache=True)
def _score(i, own, strategy, t):
    if t.game == MATRIX:
        payoff = _matrix_payoff(i, own, strategy, t)
    else:
        payoff = _public_goods_payoff(i, own, strategy, t)
    return (payoff + t.offset[i]) / t.scale[i]


@njit(cache=True)
def _partner(i, u, t):
    """The partner whose cumulative-weight interval holds the uniform ``u`` (-1 if none)."""
    lo, hi = t.indptr[i], t.indptr[i + 1]
    if hi == lo:
        return -1
    cumulative = t.cumulative
    target = cumulative[lo] + u * (cumulative[hi] - cumulative[lo])
    edge = lo
    while edge < hi - 1 and cumulative[edge + 1] <= target:
        edge += 1
    return t.dst[edge]


@njit(cache=True)
def revise(tables, rule, updates, current, target):
    """Run ``updates`` in order, reading the strategies ``current``, writing ``target``.

    Pass the same array as ``current`` and ``target`` for random sequential updating (each
    update sees the previous ones), a frozen copy as ``current`` for a synchronous step.
    ``tables`` is a :class:`GameTables`, ``rule`` a :class:`Rule`, ``updates`` an
    :class:`Updates`.
    """
    t, indptr, noise = tables, tables.indptr, rule.noise
    for k in range(len(updates.revisers)):
        i = updates.revisers[k]
        own = current[i]
        new = own
        if rule.code == LOGIT:
            gain = _score(i, True, current, t) - _score(i, False, current, t)
            new = updates.u_adopt[k] < 1.0 / (1.0 + np.exp(-gain / noise))
        elif rule.code == IMITATE_BEST:
            best = _score(i, own, current, t)
            for e in range(indptr[i], indptr[i + 1]):
                j = t.dst[e]
                theirs = _score(j, current[j], current, t)
                if theirs > best:
                    best = theirs
                    new = current[j]
        else:  # fermi or santos: compare with one partner
            j = _partner(i, updates.u_partner[k], t)
            if j >= 0 and current[j] != own:
                mine = _score(i, own, current, t)
                theirs = _score(j, current[j], current, t)
                if rule.code == FERMI:
                    if updates.u_adopt[k] < 1.0 / (1.0 + np.exp((mine - theirs) / noise)):
                        new = current[j]
                elif theirs > mine:
                    games = max(indptr[i + 1] - indptr[i], indptr[j + 1] - indptr[j])
                    spread = (games + t.santos_extra) * t.santos_unit
                    if updates.u_adopt[k] < (theirs - mine) / spread:
                        new = current[j]
        if updates.u_mutate[k] < rule.mutation:
            new = not new
        target[i] = new

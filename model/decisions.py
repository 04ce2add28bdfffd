"""Strategy revision rules, on whole arrays (synchronous) or one territory at a time.

Rules
-----
logit
    P(cooperate) = 1 / (1 + exp(-Δ_i / K)), Δ_i the expected gain of cooperating over competing
    per euro at stake, expecting each partner j to cooperate with probability T_ij (trust) and
    perceiving the synergy as 1 + K_ij (σ - 1) (knowledge). Logit choice: McFadden 1974; in
    evolutionary games, Blume 1993, doi:10.1006/game.1993.1023.
fermi
    Pick a partner j with probability ∝ I_ij, adopt its strategy with probability
    1 / (1 + exp((π̂_i - π̂_j) / K)), π̂ the payoff per inhabitant over the mean stake per
    inhabitant. Szabó & Tőke 1998, doi:10.1103/PhysRevE.58.69.
imitate_best
    Adopt the strategy of the best-paid territory among oneself and one's partners (payoff per
    inhabitant; one keeps one's own strategy on a tie). Nowak & May 1992, doi:10.1038/359826a0.

A reviser then switches strategy with probability μ (mutation).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .flows import InteractionNetwork


def expected_gain(
    network: InteractionNetwork,
    reward: np.ndarray,
    sucker: np.ndarray,
    temptation: np.ndarray,
    punishment: np.ndarray,
    trust: np.ndarray,
    stake_total: np.ndarray,
) -> np.ndarray:
    """Δ_i = Σ_j E[π_ij | C] - E[π_ij | D], per euro at stake (0 for isolated territories)."""
    per_edge = trust * (reward - temptation) + (1 - trust) * (sucker - punishment)
    gain = np.bincount(network.src, per_edge, len(stake_total))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(stake_total > 0, gain / stake_total, 0.0)


def logit_choice(gain: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Draw cooperate (True) with probability expit(gain / noise)."""
    return rng.random(len(gain)) < expit(gain / noise)


def fermi_partner(
    network: InteractionNetwork, revisers: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each reviser, a partner drawn with probability ∝ interdependence (-1 if none).

    Only partners with a positive weight can be drawn: the draw runs over those edges alone, so
    neither a rounding at the end of a reviser's range nor an all-zero range picks a partner
    of weight zero (a reviser whose partners all weigh zero has none).
    """
    draws = rng.random(len(revisers))  # one per reviser, drawn even when none can be used
    positive = np.flatnonzero(network.interdependence > 0)
    if len(positive) == 0:
        return np.full(len(revisers), -1)
    cumulative = np.concatenate([[0.0], np.cumsum(network.interdependence[positive])])
    lo = np.searchsorted(positive, network.indptr[revisers])
    hi = np.searchsorted(positive, network.indptr[revisers + 1])
    target = cumulative[lo] + draws * (cumulative[hi] - cumulative[lo])
    pick = np.clip(np.searchsorted(cumulative, target, side="right") - 1, lo, hi - 1)
    return np.where(hi > lo, network.dst[positive[np.maximum(pick, 0)]], -1)


def fermi_adopt(
    own_payoff: np.ndarray, partner_payoff: np.ndarray, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """Whether each reviser adopts its partner's strategy: probability 1/(1+exp((π_i-π_j)/K))."""
    return rng.random(len(own_payoff)) < expit((partner_payoff - own_payoff) / noise)


def best_neighbour(
    network: InteractionNetwork, score: np.ndarray, revisers: np.ndarray
) -> np.ndarray:
    """For each reviser, the best-scoring of itself and its partners (itself on a tie)."""
    n = len(score)
    neighbour_score = score[network.dst]
    best = np.full(n, -np.inf)
    starts = network.indptr[:-1][network.degree > 0]
    if len(starts):
        best[network.degree > 0] = np.maximum.reduceat(neighbour_score, starts)
    winner = np.arange(n)
    better = best > score
    # first edge of each source whose partner attains the best score
    at_best = better[network.src] & (neighbour_score == best[network.src])
    sources, first = np.unique(network.src[at_best], return_index=True)
    winner[sources] = network.dst[np.flatnonzero(at_best)[first]]
    return winner[revisers]


def mutate(strategy: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Flip each strategy with probability ``rate``."""
    if rate <= 0:
        return strategy
    return strategy ^ (rng.random(len(strategy)) < rate)

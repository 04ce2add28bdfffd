"""Strategy revision rules, on whole arrays (synchronous) or one territory at a time.

Rules
-----
logit
    The policy model's rule: a decision per partnership (M1 in docs/model.md). On edge (i, j),
    P(cooperate) = 1 / (1 + exp(-G_ij / (K Q_ij))) with G_ij the forward-looking gain of
    conditional cooperation over competing (:func:`partnership_gain`): the perceived contest
    (:func:`perceived_contest`), the value of the structures the pair shares or could form, the
    chance δ that the relationship goes on, and the belief p̂_ij that j cooperates
    (:func:`belief`). Logit choice: McFadden 1974; in evolutionary games, Blume 1993,
    doi:10.1006/game.1993.1023. Repeated games: Axelrod & Hamilton 1981,
    doi:10.1126/science.7466396; Dal Bó & Fréchette 2011, doi:10.1257/aer.101.1.411.
    With probability ι (``update.imitation``) a reviser imitates instead (M6, policy diffusion:
    Shipan & Volden 2008, doi:10.1111/j.1540-5907.2008.00346.x): as the fermi rule below, it
    may adopt a partner's territory-level strategy, then on all its own edges.
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

MUNICIPAL_TERM = 6
"""Years between French municipal elections (Code électoral, art. L227); policy year 0 is 2026,
an election year."""


def continuation(year: int, continuation: float, election_drop: float) -> float:
    """δ_t = δ_0 (1 − ω_E 1[municipal elections in year t + 1])."""
    election_next_year = (year + 1) % MUNICIPAL_TERM == 0
    return continuation * (1 - election_drop * election_next_year)


def perceived_contest(
    reward: np.ndarray,
    sucker: np.ndarray,
    temptation: np.ndarray,
    punishment: np.ndarray,
    spillback: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 2 × 2 seen by a territory that gets back a share k of its partner's payoff.

    R̂ = R (1 + k), Ŝ = S + k T, T̂ = T + k S, P̂ = P (1 + k): the Hamilton (assortment)
    transform of the contest (Hamilton 1964; Bergstrom 2003, doi:10.1111/1467-9779.00128).
    Cooperation is a best reply to cooperation once k ≥ (T − R)/(R − S).
    """
    k = spillback
    return (
        reward * (1 + k),
        sucker + k * temptation,
        temptation + k * sucker,
        punishment * (1 + k),
    )


def partnership_gain(
    reward: np.ndarray,
    sucker: np.ndarray,
    temptation: np.ndarray,
    punishment: np.ndarray,
    structure_value: np.ndarray,
    belief: np.ndarray,
    continuation: float,
) -> np.ndarray:
    """U_C − U_D = p̂ [(R̃ − δ P)/(1 − δ) − T] + (1 − p̂)(S − P), with R̃ = R + V^S.

    Conditional cooperation (grim trigger) against competing, in a relationship that goes on
    with probability δ each year, expecting the partner to cooperate conditionally with
    probability p̂ (Dal Bó & Fréchette 2011).
    """
    delta = continuation
    mutual = (reward + structure_value - delta * punishment) / (1 - delta) - temptation
    return belief * mutual + (1 - belief) * (sucker - punishment)


def cooperation_threshold(
    reward: float,
    sucker: float,
    temptation: float,
    punishment: float,
    continuation: float,
    structure_value: float = 0.0,
) -> float:
    """q* = (P − S) / [(R̃ − δP)/(1 − δ) − T + P − S]: the belief above which cooperating pays."""
    delta = continuation
    mutual = (reward + structure_value - delta * punishment) / (1 - delta) - temptation
    return (punishment - sucker) / (mutual + punishment - sucker)


def belief(
    prior: float,
    prior_weight: float,
    seen_cooperating: np.ndarray,
    seen: np.ndarray,
    recorded_kept: np.ndarray,
    recorded: np.ndarray,
    visibility: float,
) -> np.ndarray:
    """p̂ = (a_0 + n^C + ω m^C) / (a_0 + b_0 + n + ω m), a Beta–Bernoulli belief.

    n, n^C: (discounted) years i saw j, and saw it cooperate; m, m^C: j's recorded partnerships
    with others, and those it did not leave by competing, read in the inventory with visibility ω
    (image scoring: Nowak & Sigmund 1998, doi:10.1038/31225).
    """
    a0 = prior * prior_weight
    return (a0 + seen_cooperating + visibility * recorded_kept) / (
        prior_weight + seen + visibility * recorded
    )


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

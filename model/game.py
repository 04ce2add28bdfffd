"""The pairwise cooperate/compete contest played on every edge of the interaction network.

On edge (i, j) the stake is Q_ij = q Σ_m v_m (F̃_ij^m + F̃_ji^m). Payoffs to i:

    both cooperate       R = Q/2 + (σ - 1 + ρ) c
    i cooperates alone   S = (1 - θ) Q - c_0 (1 - e_i)
    i competes alone     T = θ Q - a
    both compete         P = Q/2 - a

with c, c_0 and a proportional to the stake. The matching share ρ raises R (less temptation:
a prisoner's dilemma becomes a stag hunt); the engineering cover e_i raises S (less risk of
being betrayed: towards a snowdrift). Arrays are per directed edge, for the edge's source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .flows import InteractionNetwork
from .parameters import Parameters


@dataclass(frozen=True)
class Contest:
    """Payoff matrix of each directed edge, for its source territory (€/yr each)."""

    stake: np.ndarray
    reward: np.ndarray  # R
    sucker: np.ndarray  # S
    temptation: np.ndarray  # T
    punishment: np.ndarray  # P
    subsidy: np.ndarray  # ρ c, the state's share of R, paid when both cooperate

    def payoffs(
        self, own: np.ndarray, other: np.ndarray, edges: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """Payoff of each edge's source given both ends' strategies (True = cooperate).

        ``edges`` restricts the computation to some edges (``own`` and ``other`` then hold the
        strategies on those edges only).
        """
        return np.where(
            own,
            np.where(other, self.reward[edges], self.sucker[edges]),
            np.where(other, self.temptation[edges], self.punishment[edges]),
        )


def edge_stakes(network: InteractionNetwork, value: np.ndarray, stake_share: float) -> np.ndarray:
    """Q_e = q Σ_m v_m (F̃_ij^m + F̃_ji^m), symmetric across an edge's two directions."""
    return stake_share * ((network.flow + network.flow[network.rev]) @ value)


def contest(
    parameters: Parameters, stake: np.ndarray, cover: np.ndarray, synergy: np.ndarray | float
) -> Contest:
    """Build the payoff matrices from stakes, each source's engineering cover e and synergy σ."""
    g = parameters.game
    rho = parameters.funding.matching_share
    c = g.contribution * stake
    a = g.attraction * stake
    return Contest(
        stake=stake,
        reward=stake / 2 + (synergy - 1 + rho) * c,
        sucker=(1 - g.attacker_share) * stake - g.betrayal_loss * c * (1 - cover),
        temptation=g.attacker_share * stake - a,
        punishment=stake / 2 - a,
        subsidy=rho * c,
    )

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
    """Payoff matrix of each directed edge, for its source territory (€/yr each).

    Every payoff is the edge's stake times a share; only the sucker's share varies between
    edges (with the source's engineering cover), so the matrix costs one float per edge.
    """

    stake: np.ndarray  # Q, per edge
    sucker_share: np.ndarray  # S / Q, per edge
    reward_share: float  # R / Q
    temptation_share: float  # T / Q
    punishment_share: float  # P / Q
    subsidy_share: float  # ρ c / Q, the state's part of R, paid when both cooperate

    @property
    def reward(self) -> np.ndarray:
        """R per edge."""
        return self.reward_share * self.stake

    @property
    def sucker(self) -> np.ndarray:
        """S per edge."""
        return self.sucker_share * self.stake

    @property
    def temptation(self) -> np.ndarray:
        """T per edge."""
        return self.temptation_share * self.stake

    @property
    def punishment(self) -> np.ndarray:
        """P per edge."""
        return self.punishment_share * self.stake

    @property
    def subsidy(self) -> np.ndarray:
        """The state's matching ρ c per edge."""
        return self.subsidy_share * self.stake

    def payoffs(
        self, own: np.ndarray, other: np.ndarray, edges: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """Payoff of each edge's source given both ends' strategies (True = cooperate).

        ``edges`` restricts the computation to some edges (``own`` and ``other`` then hold the
        strategies on those edges only).
        """
        share = np.where(
            own,
            np.where(other, self.reward_share, self.sucker_share[edges]),
            np.where(other, self.temptation_share, self.punishment_share),
        )
        return share * self.stake[edges]


def edge_stakes(network: InteractionNetwork, value: np.ndarray, stake_share: float) -> np.ndarray:
    """Q_e = q Σ_m v_m (F̃_ij^m + F̃_ji^m), symmetric across an edge's two directions."""
    return stake_share * ((network.flow + network.flow[network.rev]) @ value)


def contest(parameters: Parameters, stake: np.ndarray, cover: np.ndarray) -> Contest:
    """Build the payoff matrices from stakes and each source's engineering cover e."""
    g = parameters.game
    rho = parameters.funding.matching_share
    c, a = g.contribution, g.attraction  # shares of the stake
    return Contest(
        stake=stake,
        sucker_share=(1 - g.attacker_share) - g.betrayal_loss * c * (1 - cover),
        reward_share=0.5 + (g.synergy - 1 + rho) * c,
        temptation_share=g.attacker_share - a,
        punishment_share=0.5 - a,
        subsidy_share=rho * c,
    )

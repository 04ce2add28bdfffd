"""Classic games on graphs: the validation reductions of the territory model.

With ``geometry.source`` = ``lattice``, ``random_regular`` or ``barabasi_albert``, territories
are uniform nodes of a graph (:mod:`cohesim.model.graphs`): no flows, structures, budgets or
learning. Each step, every territory plays a game given directly by ``[classic_game]``:

matrix
    the 2 × 2 game R, S, T, P with each neighbour (and with itself when
    ``graph.self_interaction``, as in Nowak & May 1992, doi:10.1038/359826a0);
public_goods
    a public goods game in each group made of a territory and its neighbours (a territory of
    degree k plays in k + 1 groups): each cooperator pays c in every group (``cost_per`` =
    ``game``) or c in total split over its k + 1 groups (``individual``); each group's pot is
    multiplied by r and shared equally among its members (Santos, Santos & Pacheco 2008,
    doi:10.1038/nature06940).

Payoffs are plain (not per inhabitant), partners are chosen uniformly among neighbours, and one
step is one generation (synchronous) or one Monte Carlo step of N elementary updates (random
sequential, ``update.revision_rate`` = 1), run by the compiled kernel of
:mod:`cohesim.model.sequential_updates`.
"""

from __future__ import annotations

import numpy as np

from . import sequential_updates as kernel
from .flows import InteractionNetwork
from .graphs import barabasi_albert_network, lattice_network, random_regular_network
from .kinds import RURAL
from .parameters import Parameters
from .territories import TerritoryTable


class GraphGame:
    """A game given directly, played on a validation graph.

    Parameters
    ----------
    parameters
        The run's parameters (``geometry.source`` a graph source).
    rng
        The model's generator: graph generation and every update draw from it.
    """

    def __init__(self, parameters: Parameters, rng: np.random.Generator):
        source, graph = parameters.geometry.source, parameters.graph
        if source == "lattice":
            self.network = lattice_network(graph.side, graph.neighbourhood)
        elif source == "random_regular":
            self.network = random_regular_network(parameters.geometry.n, graph.degree, rng)
        elif source == "barabasi_albert":
            self.network = barabasi_albert_network(parameters.geometry.n, graph.attachments, rng)
        else:
            raise ValueError(
                f"geometry.source = {source!r} is not a graph source "
                "(lattice, random_regular or barabasi_albert)"
            )
        self.parameters = parameters
        net = self.network
        self.n = len(net.indptr) - 1
        degree = net.degree.astype(np.float64)
        g = parameters.classic_game
        self.game = kernel.GAMES[g.game]
        matrix = np.array([g.reward, g.sucker, g.temptation, g.punishment])
        self.edge_payoff = np.tile(matrix, (len(net.src), 1))
        self_games = self.game == kernel.MATRIX and graph.self_interaction
        self.self_payoff = np.tile([g.reward, g.punishment], (self.n, 1)) * self_games
        # a cooperator's contribution to each of its k + 1 groups
        per_group = g.cost if g.cost_per == "game" else g.cost / (degree + 1)
        self.contribution = np.broadcast_to(per_group, (self.n,)).astype(np.float64)
        self.factor = g.multiplication
        if self.game == kernel.MATRIX:
            spread = max(g.temptation, g.reward) - min(g.sucker, g.punishment)
            self.santos_unit, self.santos_extra = spread, float(self_games)
        else:
            self.santos_unit, self.santos_extra = g.cost * (g.multiplication + 1), 1.0
        if self.santos_unit <= 0 and parameters.update.rule == "santos":
            raise ValueError(
                "update.rule = 'santos' needs a game whose payoffs can differ "
                "(max(T, R) > min(S, P), or c > 0)"
            )
        self.cumulative = np.arange(len(net.src) + 1, dtype=np.float64)  # uniform partners
        self.offset = np.zeros(self.n)
        self.scale = np.ones(self.n)

    def territories(self) -> TerritoryTable:
        """Uniform territories: one inhabitant each, unit area, at their lattice cell if any."""
        n = self.n
        if self.parameters.geometry.source == "lattice":
            y, x = np.divmod(np.arange(n), self.parameters.graph.side)
        else:
            x = y = np.zeros(n, dtype=np.int64)
        width = len(str(n))
        return TerritoryTable(
            name=np.array([f"T{i:0{width}d}" for i in range(n)]),
            kind=np.full(n, RURAL, dtype=np.int8),
            population=np.ones(n),
            x=x.astype(np.float64),
            y=y.astype(np.float64),
            area=np.ones(n),
        )

    def payoffs(self, cooperate: np.ndarray) -> np.ndarray:
        """Every territory's payoff under ``cooperate``, on whole arrays."""
        return game_payoffs(
            self.network,
            cooperate,
            self.game,
            self.edge_payoff,
            self.self_payoff,
            self.contribution,
            self.factor,
        )

    def step(self, cooperate: np.ndarray, rng: np.random.Generator) -> None:
        """One generation (synchronous) or one Monte Carlo step (random sequential), in place."""
        u = self.parameters.update
        n = self.n
        if u.schedule == "synchronous":
            revisers = np.flatnonzero(rng.random(n) < u.revision_rate)
            current = cooperate.copy()
        else:
            revisers = rng.integers(0, n, size=round(u.revision_rate * n))
            current = cooperate
        m = len(revisers)
        draws = rng.random((3, m))
        kernel.revise(
            kernel.RULES[u.rule],
            self.game,
            self.network.indptr,
            self.network.dst,
            self.cumulative,
            self.edge_payoff,
            self.self_payoff,
            self.contribution,
            self.factor,
            self.offset,
            self.scale,
            self.santos_unit,
            self.santos_extra,
            current,
            cooperate,
            revisers,
            draws[0],
            draws[1],
            draws[2],
            u.noise,
            u.mutation,
        )

    def metrics(self, step: int, cooperate: np.ndarray, payoff: np.ndarray) -> dict[str, float]:
        """The row recorded each step: cooperator share, mutual cooperation, mean payoff."""
        net = self.network
        share = float(cooperate.mean())
        return {
            "step": step,
            "year": step - self.parameters.run.burn_in,
            "cooperation_rate": share,
            "cooperation_rate_pop": share,
            "mutual_cooperation": float((cooperate[net.src] & cooperate[net.dst]).mean()),
            "payoff_mean": float(payoff.mean()),
        }


def game_payoffs(
    network: InteractionNetwork,
    cooperate: np.ndarray,
    game: int,
    edge_payoff: np.ndarray,
    self_payoff: np.ndarray,
    contribution: np.ndarray,
    factor: float,
) -> np.ndarray:
    """Payoffs of every territory on whole arrays (the kernel recomputes them locally).

    Matrix: π_i = Σ_j A_e[s_i, s_j] (+ A[s_i, s_i] with self-interaction). Public goods:
    π_i = Σ_{g ∋ i} r Σ_{l ∈ g} s_l c_l / |g| - s_i c_i (k_i + 1), the groups g being each
    territory with its neighbours.
    """
    n = len(cooperate)
    src, dst = network.src, network.dst
    if game == kernel.MATRIX:
        column = 2 * ~cooperate[src] + ~cooperate[dst]
        played = edge_payoff[np.arange(len(src)), column]
        return np.bincount(src, played, n) + np.where(
            cooperate, self_payoff[:, 0], self_payoff[:, 1]
        )
    given = np.where(cooperate, contribution, 0.0)
    size = network.degree + 1.0
    share = factor * (given + np.bincount(src, given[dst], n)) / size
    return share + np.bincount(src, share[dst], n) - given * size

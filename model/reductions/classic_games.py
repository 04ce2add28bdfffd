"""Classic games on graphs: the game tables and payoffs of :class:`GraphGame`.

With ``geometry.source`` = ``lattice``, ``random_regular`` or ``barabasi_albert``, players are
uniform nodes of a graph (:mod:`cohesim.model.reductions.graphs`): no flows, structures, budgets
or learning. Each step, every player plays a game given directly by ``[classic_game]``:

matrix
    the 2 × 2 game R, S, T, P with each neighbour (and with itself when
    ``graph.self_interaction``, as in Nowak & May 1992, doi:10.1038/359826a0);
public_goods
    a public goods game in each group made of a player and its neighbours (a player of
    degree k plays in k + 1 groups): each cooperator pays c in every group (``cost_per`` =
    ``game``) or c in total split over its k + 1 groups (``individual``); each group's pot is
    multiplied by r and shared equally among its members (Santos, Santos & Pacheco 2008,
    doi:10.1038/nature06940).

Payoffs are plain (not per inhabitant) and partners are chosen uniformly among neighbours.
"""

from __future__ import annotations

import numpy as np

from ..flows import InteractionNetwork
from ..kinds import RURAL
from ..parameters import Parameters
from ..territories import TerritoryTable
from . import sequential_updates as kernel
from .graphs import barabasi_albert_network, lattice_network, random_regular_network

GRAPH_SOURCES = ("lattice", "random_regular", "barabasi_albert")


def graph_network(parameters: Parameters, rng: np.random.Generator) -> InteractionNetwork:
    """The graph ``geometry.source`` names; the generated graphs draw their seed from ``rng``."""
    source, graph = parameters.geometry.source, parameters.graph
    if source == "lattice":
        return lattice_network(graph.side, graph.neighbourhood)
    if source == "random_regular":
        return random_regular_network(parameters.geometry.n, graph.degree, rng)
    if source == "barabasi_albert":
        return barabasi_albert_network(parameters.geometry.n, graph.attachments, rng)
    raise ValueError(
        f"geometry.source = {source!r} is not a graph source "
        "(lattice, random_regular or barabasi_albert)"
    )


def game_tables(parameters: Parameters, network: InteractionNetwork) -> kernel.GameTables:
    """The game of ``[classic_game]`` on ``network``, as the compiled kernel reads it."""
    n = len(network.indptr) - 1
    degree = network.degree.astype(np.float64)
    g = parameters.classic_game
    game = kernel.GAMES[g.game]
    matrix = np.array([g.reward, g.sucker, g.temptation, g.punishment])
    self_games = game == kernel.MATRIX and parameters.graph.self_interaction
    # a cooperator's contribution to each of its k + 1 groups
    per_group = g.cost if g.cost_per == "game" else g.cost / (degree + 1)
    if game == kernel.MATRIX:
        santos_unit = max(g.temptation, g.reward) - min(g.sucker, g.punishment)
        santos_extra = float(self_games)
    else:
        santos_unit, santos_extra = g.cost * (g.multiplication + 1), 1.0
    if santos_unit <= 0 and parameters.update.rule == "santos":
        raise ValueError(
            "update.rule = 'santos' needs a game whose payoffs can differ "
            "(max(T, R) > min(S, P), or c > 0)"
        )
    return kernel.GameTables(
        game=game,
        indptr=network.indptr,
        dst=network.dst,
        cumulative=np.arange(len(network.src) + 1, dtype=np.float64),  # uniform partners
        edge_payoff=np.tile(matrix, (len(network.src), 1)),
        self_payoff=np.tile([g.reward, g.punishment], (n, 1)) * self_games,
        contribution=np.broadcast_to(per_group, (n,)).astype(np.float64),
        factor=g.multiplication,
        offset=np.zeros(n),
        scale=np.ones(n),
        santos_unit=santos_unit,
        santos_extra=santos_extra,
    )


def graph_territories(parameters: Parameters, n: int) -> TerritoryTable:
    """Uniform players: one inhabitant each, unit area, at their lattice cell if any."""
    if parameters.geometry.source == "lattice":
        y, x = np.divmod(np.arange(n), parameters.graph.side)
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


def game_payoffs(
    network: InteractionNetwork, cooperate: np.ndarray, tables: kernel.GameTables
) -> np.ndarray:
    """Payoffs of every player on whole arrays (the kernel recomputes them locally).

    Matrix: π_i = Σ_j A_e[s_i, s_j] (+ A[s_i, s_i] with self-interaction). Public goods:
    π_i = Σ_{g ∋ i} r Σ_{l ∈ g} s_l c_l / |g| - s_i c_i (k_i + 1), the groups g being each
    player with its neighbours.
    """
    n = len(cooperate)
    src, dst = network.src, network.dst
    if tables.game == kernel.MATRIX:
        column = 2 * ~cooperate[src] + ~cooperate[dst]
        played = tables.edge_payoff[np.arange(len(src)), column]
        return np.bincount(src, played, n) + np.where(
            cooperate, tables.self_payoff[:, 0], tables.self_payoff[:, 1]
        )
    given = np.where(cooperate, tables.contribution, 0.0)
    size = network.degree + 1.0
    share = tables.factor * (given + np.bincount(src, given[dst], n)) / size
    return share + np.bincount(src, share[dst], n) - given * size

"""Parameters of the validation reductions only: graphs, games given directly, well-mixed games.

Read by :mod:`cohesim.model.reductions` when ``geometry.source`` is a validation source.
"""

from __future__ import annotations

from typing import Literal

from .declaration import Group, param


class Graph(Group):
    """Validation graphs: the L × L torus, random regular and Barabási–Albert graphs.

    Used only when ``geometry.source`` is ``lattice``, ``random_regular`` or
    ``barabasi_albert`` (``geometry.n`` territories for the generated graphs, L² on the torus).
    """

    side: int = param(50, "side of the L × L torus (lattice source)", ge=4, le=2_000, symbol="L")
    neighbourhood: Literal["von_neumann", "moore"] = param(
        "moore", "lattice neighbours: the 4 nearest (von Neumann) or the 8 around (Moore)"
    )
    self_interaction: bool = param(
        True, "each territory also plays the 2 × 2 game with itself (Nowak & May 1992)"
    )
    degree: int = param(
        4, "degree of every territory (random_regular source)", ge=2, le=100, symbol="k"
    )
    attachments: int = param(
        2,
        "edges each new territory attaches, so the mean degree is z = 2m (barabasi_albert source)",
        ge=1,
        le=50,
        symbol="m",
    )


class ClassicGame(Group):
    """Games given directly, for validation sources: a 2 × 2 matrix or a public goods game."""

    game: Literal["matrix", "public_goods"] = param(
        "matrix",
        "a 2 × 2 game on every edge, or a public goods game in each territory's group "
        "(itself and its neighbours)",
    )
    reward: float = param(
        1.0, "payoff of cooperating against a cooperator", ge=-100, le=100, symbol="R"
    )
    sucker: float = param(
        0.0, "payoff of cooperating against a defector", ge=-100, le=100, symbol="S"
    )
    temptation: float = param(
        1.9, "payoff of defecting against a cooperator", ge=-100, le=100, symbol="T"
    )
    punishment: float = param(
        0.0, "payoff of defecting against a defector", ge=-100, le=100, symbol="P"
    )
    multiplication: float = param(
        3.0, "public goods multiplication factor", ge=0.0, le=100.0, symbol="r"
    )
    cost: float = param(1.0, "a cooperator's contribution", ge=0.0, le=100.0, symbol="c")
    cost_per: Literal["game", "individual"] = param(
        "game",
        "a cooperator pays c in each of its groups, or c in total split over its k + 1 groups",
    )


class WellMixed(Group):
    """Well-mixed public goods with an institutional incentive (well_mixed source).

    ``geometry.n`` individuals play in groups of n drawn at random; the game is
    ``classic_game`` (public goods: r, c; or a 2 × 2 matrix, played against one random partner).
    """

    group_size: int = param(5, "players per public goods group", ge=2, le=100, symbol="n")
    incentive: Literal["none", "reward", "fine"] = param(
        "none",
        "institutional incentive: a budget δ n per group shared among its cooperators "
        "(reward) or taken from its defectors (fine)",
    )
    budget: float = param(0.0, "incentive budget per group member", ge=0.0, le=10.0, symbol="δ")

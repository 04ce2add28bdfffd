"""GraphGame: a classic game on a validation graph, as its own Mesa model.

Players are uniform nodes of a graph (``geometry.source`` = ``lattice``, ``random_regular`` or
``barabasi_albert``) playing a game given directly (:mod:`.classic_games`). One step is one
generation (synchronous) or one Monte Carlo step of N elementary updates (random sequential,
``update.revision_rate`` = 1), run by the compiled kernel of :mod:`.sequential_updates`.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from ..agents import StrategyView, state_frame
from ..outcomes import records_frame
from ..parameters import Parameters
from ..registry import StructureRegistry, inventory_frame, memberships_frame
from . import sequential_updates as kernel
from .classic_games import (
    GRAPH_SOURCES,
    game_payoffs,
    game_tables,
    graph_network,
    graph_territories,
)


class Player(StrategyView):
    """One player of a game on a graph: a thin view onto its row of the model's arrays."""

    model: GraphGame

    @property
    def position(self) -> tuple[float, float]:
        """(column, row) of its lattice cell; (0, 0) on a generated graph."""
        return float(self.model.x[self.index]), float(self.model.y[self.index])

    @property
    def payoff(self) -> float:
        """Payoff of the last step."""
        return float(self.model.payoff[self.index])

    @property
    def partners(self) -> list[Player]:
        """The player's neighbours on the graph."""
        network = self.model.network
        lo, hi = network.indptr[self.index], network.indptr[self.index + 1]
        return [self.model.players[j] for j in network.dst[lo:hi]]

    def __repr__(self) -> str:
        return f"Player({self.index}, {self.strategy})"


class GraphGame(mesa.Model):
    """A game given directly, played on a validation graph (docs/validation.md).

    Parameters
    ----------
    parameters
        The run's parameters; ``geometry.source`` must be a graph source.
    rng
        Seed or generator for every random draw (graph generation and updates);
        ``parameters.run.seed`` when None.

    Examples
    --------
    >>> from cohesim.model import Parameters
    >>> from cohesim.model.reductions import GraphGame
    >>> p = Parameters.model_validate({"geometry": {"source": "lattice"},
    ...     "graph": {"side": 10}, "update": {"rule": "imitate_best"}})
    >>> model = GraphGame(p, rng=1)
    >>> model.run(3)
    >>> len(model.agents), list(model.metrics_frame()["step"])
    (100, [0, 1, 2, 3])
    """

    def __init__(self, parameters: Parameters, *, rng: int | np.random.Generator | None = None):
        super().__init__(rng=parameters.run.seed if rng is None else rng)
        if parameters.geometry.source not in GRAPH_SOURCES:
            raise ValueError(
                f"GraphGame needs a graph source (lattice, random_regular or barabasi_albert), "
                f"not geometry.source = {parameters.geometry.source!r}"
            )
        self.parameters = parameters
        self.network = graph_network(parameters, self.rng)
        self.tables = game_tables(parameters, self.network)
        n = len(self.network.indptr) - 1
        table = graph_territories(parameters, n)
        self.name, self.kind, self.population = table.name, table.kind, table.population
        self.x, self.y, self.area = table.x, table.y, table.area
        u = parameters.update
        self.rule = kernel.Rule(code=kernel.RULES[u.rule], noise=u.noise, mutation=u.mutation)
        self.cooperate = self.rng.random(n) < u.initial_cooperation
        self.players = [Player(self, i) for i in range(n)]
        self._rows: list[dict[str, float]] = []
        self._play()

    def step(self) -> None:
        """One generation (synchronous) or one Monte Carlo step (random sequential)."""
        u = self.parameters.update
        n = len(self.cooperate)
        if u.schedule == "synchronous":
            revisers = np.flatnonzero(self.rng.random(n) < u.revision_rate)
            current = self.cooperate.copy()
        else:
            revisers = self.rng.integers(0, n, size=round(u.revision_rate * n))
            current = self.cooperate
        u_partner, u_adopt, u_mutate = self.rng.random((3, len(revisers)))
        updates = kernel.Updates(revisers, u_partner, u_adopt, u_mutate)
        kernel.revise(self.tables, self.rule, updates, current, self.cooperate)
        self._play()

    def run(self, steps: int) -> None:
        """Advance ``steps`` generations or Monte Carlo steps."""
        for _ in range(steps):
            self.step()

    def _play(self) -> None:
        """Every player's payoff under the current strategies, then the step's record."""
        self.payoff = game_payoffs(self.network, self.cooperate, self.tables)
        net, share = self.network, float(self.cooperate.mean())
        self._rows.append(
            {
                "step": self.steps,
                "year": self.steps - self.parameters.run.burn_in,
                "cooperation_rate": share,
                "cooperation_rate_pop": share,
                "mutual_cooperation": float(
                    (self.cooperate[net.src] & self.cooperate[net.dst]).mean()
                ),
                "payoff_mean": float(self.payoff.mean()),
            }
        )

    @property
    def cooperation_rate(self) -> float:
        """Share of players cooperating now."""
        return float(self.cooperate.mean())

    def metrics_frame(self) -> pd.DataFrame:
        """One row per step recorded so far (step 0 is the initial state)."""
        return records_frame(self._rows, self.parameters)

    def territories_frame(self) -> pd.DataFrame:
        """One row per player, with the columns of the territory model's table.

        Budgets and engineering are zero and welfare is the payoff: a graph game has neither.
        """
        n = len(self.cooperate)
        return state_frame(
            self,
            budget=np.zeros(n),
            engineering=np.zeros(n),
            payoff=self.payoff,
            welfare=self.payoff,
        )

    def inventory_frame(self) -> pd.DataFrame:
        """No cooperation structures in a graph game: an empty inventory."""
        return inventory_frame(
            StructureRegistry(0), self.name, self.kind, (), self.parameters.run.burn_in
        )

    def memberships_frame(self) -> pd.DataFrame:
        """No memberships in a graph game: an empty table."""
        return memberships_frame(StructureRegistry(0), self.parameters.run.burn_in)

"""Territories as Mesa agents: thin views onto their row of the model's arrays.

The state lives in the model's numpy arrays (one row per territory), so the step runs on whole
arrays; each :class:`Territory` reads and writes its row, so that AgentSet queries, DataCollector
reporters and SolaraViz see live values. Writing through an agent changes the model's arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from .kinds import KINDS

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


def state_frame(model: mesa.Model, **state: np.ndarray) -> pd.DataFrame:
    """Every agent's row as a table: who and where it is, its strategy, then ``state``.

    ``model`` holds the arrays ``name``, ``kind``, ``population``, ``x``, ``y``, ``area`` and
    ``cooperate`` and a ``network``; the ``partners`` column (its degree) comes last.
    """
    return pd.DataFrame(
        {
            "id": np.arange(len(model.population)),
            "name": model.name,
            "kind": pd.Categorical.from_codes(model.kind, categories=list(KINDS)),
            "population": model.population,
            "x": model.x,
            "y": model.y,
            "area": model.area,
            "strategy": np.where(model.cooperate, "cooperate", "compete"),
            **state,
            "partners": model.network.degree,
        }
    )


class StrategyView(mesa.Agent):
    """An agent that is row ``index`` of its model's arrays, with the strategy every model has.

    The model holds ``cooperate``, a boolean array with one entry per agent.
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def cooperates(self) -> bool:
        """Whether the agent currently cooperates (settable)."""
        return bool(self.model.cooperate[self.index])

    @cooperates.setter
    def cooperates(self, value: bool) -> None:
        self.model.cooperate[self.index] = bool(value)

    @property
    def strategy(self) -> str:
        """``cooperate`` or ``compete``."""
        return "cooperate" if self.cooperates else "compete"


class Territory(StrategyView):
    """One territory (métropole, town, periurban or rural community)."""

    model: TerritoryModel

    @property
    def name(self) -> str:
        """Territory name."""
        return str(self.model.name[self.index])

    @property
    def kind(self) -> str:
        """One of ``metropole``, ``urban``, ``periurban``, ``rural``."""
        return KINDS[self.model.kind[self.index]]

    @property
    def population(self) -> float:
        """Inhabitants."""
        return float(self.model.population[self.index])

    @property
    def position(self) -> tuple[float, float]:
        """(x, y) in km."""
        return float(self.model.x[self.index]), float(self.model.y[self.index])

    @property
    def budget(self) -> float:
        """Budget in € (settable)."""
        return float(self.model.budget[self.index])

    @budget.setter
    def budget(self, value: float) -> None:
        self.model.budget[self.index] = value

    @property
    def engineering(self) -> float:
        """Engineering capacity in FTE (settable)."""
        return float(self.model.engineering[self.index])

    @engineering.setter
    def engineering(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"engineering must be ≥ 0 FTE, got {value}")
        self.model.engineering[self.index] = value

    @property
    def payoff(self) -> float:
        """Payoff of the last year, € (contest minus spill-over costs)."""
        return float(self.model.payoff[self.index])

    @property
    def welfare(self) -> float:
        """Welfare per inhabitant, €/inh./yr."""
        return float(self.model.welfare[self.index])

    @property
    def access(self) -> dict[str, float]:
        """Access to each service domain, in [0, 1]."""
        row = self.model.flows.access[self.index]
        return dict(zip(self.model.domain_names, map(float, row), strict=True))

    @property
    def partners(self) -> list[Territory]:
        """Territories linked to this one in the interaction network."""
        network = self.model.network
        lo, hi = network.indptr[self.index], network.indptr[self.index + 1]
        return [self.model.territories[j] for j in network.dst[lo:hi]]

    def __repr__(self) -> str:
        return f"Territory({self.index}, {self.name!r}, {self.kind}, {self.strategy})"

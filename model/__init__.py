"""The cohesion model: territories that exchange services and cooperate or compete.

:class:`TerritoryModel` is the policy model; the validation reductions are models of their own
(:mod:`cohesim.model.reductions`); :func:`model_for` builds the one a ``geometry.source`` needs.
Nothing here reads files or knows the command line: scenarios, runs and results live in
``cohesim.experiments``.
"""

from .agents import Territory
from .kinds import KINDS
from .parameters import Parameters, lookup, parameter_table
from .sources import model_for
from .territories import TerritoryTable, synthetic_territories
from .territory_model import TerritoryModel

__all__ = [
    "KINDS",
    "Parameters",
    "Territory",
    "TerritoryModel",
    "TerritoryTable",
    "lookup",
    "model_for",
    "parameter_table",
    "synthetic_territories",
]

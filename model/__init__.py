"""The cohesion model: territories that exchange services and cooperate or compete.

:class:`TerritoryModel` is the policy model; the validation reductions are models of their own
(:mod:`cohesim.model.reductions`); :func:`model_for` builds the one a ``geometry.source`` needs.
Nothing here reads files or knows the command line: scenarios, runs and results live in
``cohesim.experiments``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Imported on first use (PEP 562): importing a light sub-module such as
# `cohesim.model.parameters` (all `cohesim validate` needs) must not import mesa and numba
# through this package's names. Name → module of this package that defines it.
_EXPORTS = {
    "Territory": "agents",
    "KINDS": "kinds",
    "Parameters": "parameters",
    "lookup": "parameters",
    "parameter_table": "parameters",
    "model_for": "sources",
    "TerritoryTable": "territories",
    "synthetic_territories": "territories",
    "TerritoryModel": "territory_model",
}

if TYPE_CHECKING:
    from .agents import Territory
    from .kinds import KINDS
    from .parameters import Parameters, lookup, parameter_table
    from .sources import model_for
    from .territories import TerritoryTable, synthetic_territories
    from .territory_model import TerritoryModel


def __getattr__(name: str):
    """Import the module that defines ``name`` when it is first asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


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

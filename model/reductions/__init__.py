"""Validation reductions: classic games the territory model reduces to (docs/validation.md).

Each is its own Mesa model, with agents that are views onto its arrays:
:class:`GraphGame` (a 2 × 2 or public goods game on a torus, a random regular or a
Barabási–Albert graph) and :class:`WellMixedGame` (a finite well-mixed population).
:func:`cohesim.model.model_for` picks the model a ``geometry.source`` needs.
"""

from .graph_game import GraphGame, Player
from .well_mixed import Individual, WellMixedGame

REDUCTION_MODELS: dict[str, type[GraphGame] | type[WellMixedGame]] = {
    "lattice": GraphGame,
    "random_regular": GraphGame,
    "barabasi_albert": GraphGame,
    "well_mixed": WellMixedGame,
}
"""The model simulating each validation source of ``geometry.source``."""

__all__ = ["REDUCTION_MODELS", "GraphGame", "Individual", "Player", "WellMixedGame"]

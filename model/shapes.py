"""The shape of cooperation structures: size, spread of sizes, distance, match quality.

What transaction costs depend on (:func:`cohesim.model.engineering.transaction_factor`), for
structures that exist (:func:`structure_shape`) and for those a pair could found
(:func:`pair_shape`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


@dataclass(frozen=True)
class Shape:
    """What a prospective structure would look like, per candidate: size, spread, quality."""

    members: np.ndarray  # n_S
    heterogeneity: np.ndarray  # orders of magnitude of population spanned by the members
    distance_km: np.ndarray  # mean distance between members
    quality: np.ndarray  # match quality ε (0 when unknown)

    def select(self, which: np.ndarray) -> Shape:
        """The candidates ``which`` only."""
        return Shape(
            self.members[which],
            self.heterogeneity[which],
            self.distance_km[which],
            self.quality[which],
        )


def pair_shape(model: TerritoryModel, i: np.ndarray, j: np.ndarray, quality) -> Shape:
    """The shape of a structure of the pairs (i, j)."""
    pop = model.population
    quality = np.asarray(quality, dtype=float)
    return Shape(
        members=np.full(len(i), 2.0),
        heterogeneity=np.abs(np.log10(pop[i] / pop[j])),
        distance_km=np.hypot(model.x[i] - model.x[j], model.y[i] - model.y[j]),
        # np.full, not broadcast_to: as fast for a scalar, and contiguous for the kernels
        quality=np.full(len(i), quality) if quality.ndim == 0 else quality,
    )


def structure_shape(model: TerritoryModel) -> dict[str, np.ndarray]:
    """Per structure (all rows): members, smallest and largest population, centroid, spread."""
    reg = model.registry
    size = reg.structures.size
    held = reg.active_members()
    t, s = reg.members["territory"][held], reg.members["structure"][held]
    count = np.bincount(s, minlength=size).astype(float)
    pop = model.population[t]
    smallest = np.full(size, np.inf)
    largest = np.zeros(size)
    np.minimum.at(smallest, s, pop)
    np.maximum.at(largest, s, pop)
    with np.errstate(invalid="ignore", divide="ignore"):
        cx = np.bincount(s, model.x[t], size) / count
        cy = np.bincount(s, model.y[t], size) / count
        spread = np.bincount(s, np.hypot(model.x[t] - cx[s], model.y[t] - cy[s]), size) / count
    return {
        "members": count,
        "smallest": smallest,
        "largest": largest,
        "x": cx,
        "y": cy,
        "spread": np.nan_to_num(spread),
    }

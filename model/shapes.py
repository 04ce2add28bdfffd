"""The shape of cooperation structures: size, spread of sizes, distance, match quality.

What transaction costs depend on (:func:`cohesim.model.engineering.transaction_factor`), for
structures that exist (:func:`structure_shape`) and for those a pair could found
(:func:`pair_shape`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

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
    held = reg.active_members()
    # int64 indices, as the returns' kernel passes them: one compiled geometry, not two
    count, smallest, largest, cx, cy, spread = geometry(
        reg.members["territory"][held].astype(np.int64),
        reg.members["structure"][held].astype(np.int64),
        model.population,
        model.x,
        model.y,
        reg.structures.size,
    )
    return {
        "members": count,
        "smallest": smallest,
        "largest": largest,
        "x": cx,
        "y": cy,
        "spread": spread,
    }


@njit(cache=True)
def geometry(territory, structure, population, x, y, structures):  # pragma: no cover
    """Per structure: members, smallest and largest population, centroid, mean distance to it.

    Over memberships (``territory``, ``structure``), sums in their order (numpy's bincounts
    did the same); a structure without members has a NaN centroid and a spread of 0.
    """
    count = np.zeros(structures)
    smallest = np.full(structures, np.inf)
    largest = np.zeros(structures)
    cx = np.zeros(structures)
    cy = np.zeros(structures)
    for h in range(len(territory)):
        s, t = structure[h], territory[h]
        count[s] += 1
        smallest[s] = min(smallest[s], population[t])
        largest[s] = max(largest[s], population[t])
        cx[s] += x[t]
        cy[s] += y[t]
    for s in range(structures):
        cx[s] = cx[s] / count[s] if count[s] > 0 else np.nan
        cy[s] = cy[s] / count[s] if count[s] > 0 else np.nan
    spread = np.zeros(structures)
    for h in range(len(territory)):
        s, t = structure[h], territory[h]
        spread[s] += np.hypot(x[t] - cx[s], y[t] - cy[s])
    for s in range(structures):
        spread[s] = spread[s] / count[s] if count[s] > 0 else 0.0
    return count, smallest, largest, cx, cy, spread

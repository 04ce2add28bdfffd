"""Where territories come from, and what they hold at the start.

A territory source produces a :class:`TerritoryTable` (names, kinds, populations, positions in
km, areas). Endowments (service capacity, engineering, revenue) are then derived from it by
:func:`endowments`, whatever the source, so synthetic and real territories are treated alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from .kinds import METROPOLE, PERIURBAN, RURAL, URBAN
from .parameters import Parameters


@dataclass(frozen=True)
class TerritoryTable:
    """The static description of N territories (one row each)."""

    name: np.ndarray  # str, (N,)
    kind: np.ndarray  # int8 codes into kinds.KINDS, (N,)
    population: np.ndarray  # float64, inhabitants, (N,)
    x: np.ndarray  # float64, km, (N,)
    y: np.ndarray  # float64, km, (N,)
    area: np.ndarray  # float64, km², (N,)
    code: np.ndarray | None = None  # str official codes (INSEE, SIREN) of real territories, (N,)
    # Known endowments replacing derived ones, NaN where unknown: see endowments().
    overrides: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.population)


def synthetic_territories(parameters: Parameters, rng: np.random.Generator) -> TerritoryTable:
    """Build a synthetic region: rank-size populations around a few urban centres.

    Populations follow the rank-size rule P_k = P_1 k^-α, floored at P_min (Zipf 1949; Pumain
    2006 for French urban systems). The n_U largest territories are urban centres (the largest
    n_ME of them métropoles), placed uniformly in the W × W square; every other territory is
    scattered around a centre chosen in proportion to its population, at a distance drawn so that
    the density in the plane decays as exp(-d/λ) (a Gamma(2, λ) radius), reflected into the
    square. A territory within d_PU km of a centre is periurban, otherwise rural. Areas are
    shares of W² proportional to P^γ_A.
    """
    g = parameters.geometry
    n = g.n
    rank = np.arange(1, n + 1, dtype=np.float64)
    population = np.maximum(
        g.largest_population * rank ** (-g.rank_size_exponent), g.min_population
    )

    kind = np.full(n, RURAL, dtype=np.int8)
    kind[: g.n_urban] = URBAN
    kind[: g.n_metropoles] = METROPOLE

    margin = 0.15 * g.width_km
    cx = rng.uniform(margin, g.width_km - margin, g.n_urban)
    cy = rng.uniform(margin, g.width_km - margin, g.n_urban)

    others = n - g.n_urban
    centre = rng.choice(
        g.n_urban, size=others, p=population[: g.n_urban] / population[: g.n_urban].sum()
    )
    radius = rng.gamma(2.0, g.scatter_km, others)
    angle = rng.uniform(0.0, 2.0 * np.pi, others)
    x = np.concatenate([cx, _reflect(cx[centre] + radius * np.cos(angle), g.width_km)])
    y = np.concatenate([cy, _reflect(cy[centre] + radius * np.sin(angle), g.width_km)])

    nearest = np.sqrt(
        (x[g.n_urban :, None] - cx[None, :]) ** 2 + (y[g.n_urban :, None] - cy[None, :]) ** 2
    ).min(axis=1)
    kind[g.n_urban :] = np.where(nearest <= g.periurban_km, PERIURBAN, RURAL)

    weight = population**g.area_exponent
    area = g.width_km**2 * weight / weight.sum()
    width = len(str(n))
    name = np.array([f"T{i:0{width}d}" for i in range(n)])
    return TerritoryTable(name=name, kind=kind, population=population, x=x, y=y, area=area)


def kinds_around_centres(
    metropole: np.ndarray,
    urban: np.ndarray,
    urban_area: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    centre_x: np.ndarray,
    centre_y: np.ndarray,
    periurban_km: float,
) -> np.ndarray:
    """Kind codes of real territories from their status and their distance to urban centres.

    A territory flagged ``metropole`` is a métropole, else one flagged ``urban`` is urban; any
    other is periurban if it lies in an urban area (``urban_area``) or within ``periurban_km`` of
    the nearest centre (``centre_x``, ``centre_y``, in the same km frame as ``x``, ``y``), and
    rural otherwise: the rule of the synthetic regions, applied to real centres.
    """
    kind = np.full(len(x), RURAL, dtype=np.int8)
    if len(centre_x):
        distance, _ = cKDTree(np.column_stack([centre_x, centre_y])).query(np.column_stack([x, y]))
        kind[distance <= periurban_km] = PERIURBAN
    kind[urban_area] = PERIURBAN
    kind[urban] = URBAN
    kind[metropole] = METROPOLE
    return kind


def _reflect(coordinate: np.ndarray, width: float) -> np.ndarray:
    """Fold coordinates back into [0, width] by reflection at the borders."""
    period = np.mod(coordinate, 2.0 * width)
    return np.where(period > width, 2.0 * width - period, period)


@dataclass(frozen=True)
class Endowments:
    """What territories own, derived from population and area."""

    demand: np.ndarray  # users/yr, (N, M)
    capacity: np.ndarray  # users/yr, (N, M)
    engineering: np.ndarray  # FTE, (N,)
    revenue: np.ndarray  # €/yr, (N,)
    service_cost: np.ndarray  # €/yr, (N,)
    budget: np.ndarray  # €, (N,)


def endowments(table: TerritoryTable, parameters: Parameters) -> Endowments:
    """Derive demand, service capacity, engineering and budgets.

    Demand is D_i^m = d_m P_i. Capacity is E_i^m = e_m P_i^β_m (A_i^β_m for land-based domains),
    the scale e_m set so that total capacity equals the supply ratio times total demand: urban
    services scale super-linearly with population (Bettencourt et al. 2007, PNAS,
    doi:10.1073/pnas.0610172104). Engineering is H_i = h_0 + h_1 (P_i / 10⁴)^γ_H. Fiscal revenue
    is y_0 · 10⁴ · (P_i / 10⁴)^β_Y; running services costs each domain's unit cost per unit of
    capacity.

    Known values in ``table.overrides`` replace derived ones where they are not NaN:
    ``capacity_<domain>`` (users/yr), ``engineering`` (FTE), ``revenue`` (€/yr) and ``budget``
    (€); service costs and the default budget follow the replaced capacity and revenue.
    """
    domains = parameters.services.domains
    p = table.population
    demand = np.column_stack([d.demand * p for d in domains.values()])
    base = np.column_stack(
        [(table.area if d.land_based else p) ** d.scaling for d in domains.values()]
    )
    capacity = base * (parameters.services.supply_ratio * demand.sum(axis=0) / base.sum(axis=0))
    for k, name in enumerate(domains):
        capacity[:, k] = _known(table, f"capacity_{name}", capacity[:, k])

    e = parameters.engineering
    engineering = _known(table, "engineering", e.base_fte + e.scale_fte * (p / 1e4) ** e.exponent)

    b = parameters.budget
    revenue = _known(table, "revenue", b.revenue_per_capita * 1e4 * (p / 1e4) ** b.revenue_exponent)
    service_cost = capacity @ np.array([d.unit_cost for d in domains.values()])
    budget = _known(table, "budget", b.initial_reserve_years * revenue)
    return Endowments(demand, capacity, engineering, revenue, service_cost, budget)


OVERRIDABLE = ("engineering", "revenue", "budget")
"""Endowments a territory table may give (besides ``capacity_<domain>``)."""


def _known(table: TerritoryTable, name: str, derived: np.ndarray) -> np.ndarray:
    """The table's known values of ``name`` where given (not NaN), the derived ones elsewhere."""
    given = table.overrides.get(name)
    return derived if given is None else np.where(np.isnan(given), derived, given)

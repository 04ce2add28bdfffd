"""Where territories come from and what they exchange: geometry, real territories, services.

``geometry.source`` and ``geometry.n`` are read by every model; the rest describes the regions
of the policy model (:class:`~cohesim.model.TerritoryModel`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from .declaration import Group, fill_defaults, param


class Geometry(Group):
    """Synthetic territories: how many, how large, where."""

    source: Literal[
        "synthetic", "france", "lattice", "random_regular", "barabasi_albert", "well_mixed"
    ] = param(
        "synthetic",
        "where territories come from: a synthetic rank-size region, real French territories "
        "chosen in [france], or a validation reduction (a torus, a generated graph, a "
        "well-mixed population; docs/validation.md)",
    )
    n: int = param(100, "number of territories", ge=4, le=1_000_000, symbol="N")
    rank_size_exponent: float = param(
        1.0, "rank-size exponent of populations, P_k = P_1 k^-α", ge=0.8, le=1.3, symbol="α"
    )
    largest_population: float = param(
        500_000,
        "population of the largest territory",
        ge=1_000,
        le=10_000_000,
        unit="inh.",
        symbol="P_1",
    )
    min_population: float = param(
        5_000,
        "population floor of the rank-size law",
        ge=100,
        le=1_000_000,
        unit="inh.",
        symbol="P_min",
    )
    width_km: float = param(
        200.0, "side of the square region", ge=10, le=50_000, unit="km", symbol="W"
    )
    n_urban: int = param(
        3, "number of urban centres (the largest territories)", ge=1, le=6, symbol="n_U"
    )
    n_metropoles: int = param(
        1, "how many of the urban centres are métropoles", ge=0, le=6, symbol="n_ME"
    )
    periurban_km: float = param(
        30.0,
        "distance to an urban centre within which a territory is periurban",
        ge=15,
        le=50,
        unit="km",
        symbol="d_PU",
    )
    scatter_km: float = param(
        20.0,
        "decay length of territory density around centres, ∝ exp(-d/λ)",
        ge=5,
        le=5_000,
        unit="km",
        symbol="λ",
    )
    area_exponent: float = param(
        0.3, "territory area ∝ P^γ_A, areas summing to W²", ge=0.0, le=1.0, symbol="γ_A"
    )

    @model_validator(mode="after")
    def _consistent_counts(self) -> Geometry:
        if self.n_metropoles > self.n_urban:
            raise ValueError(
                f"n_metropoles = {self.n_metropoles} exceeds n_urban = {self.n_urban}: "
                "métropoles are chosen among the urban centres"
            )
        if self.n_urban >= self.n:
            raise ValueError(f"n_urban = {self.n_urban} must be smaller than n = {self.n}")
        if self.min_population > self.largest_population:
            raise ValueError(
                f"min_population = {self.min_population} exceeds "
                f"largest_population = {self.largest_population}"
            )
        return self


class France(Group):
    """Real French territories (used when geometry.source = "france"); filters combine (AND)."""

    level: Literal["epci", "commune"] = param(
        "epci", "EPCI à fiscalité propre (about 1,250) or communes (about 35,000)"
    )
    regions: list[str] = param([], "keep these régions, by INSEE code or name (all when empty)")
    departements: list[str] = param([], "keep these départements, by code or name (all when empty)")
    codes: list[str] = param(
        [], "keep these territories, by SIREN (EPCI) or INSEE code (commune); all when empty"
    )
    around: str = param(
        "", "keep territories within radius_km of this commune (name or INSEE code); none if empty"
    )
    radius_km: float = param(50.0, "radius of the `around` filter", ge=1.0, le=1_000.0, unit="km")
    overseas: bool = param(
        False,
        "select overseas départements (one projection frame at a time) instead of "
        "metropolitan France",
    )
    urban_population: float = param(
        10_000,
        "at commune level, communes at least this populous are urban",
        ge=2_000,
        le=200_000,
        unit="inh.",
    )


class Network(Group):
    """The sparse interaction network built from interdependence."""

    partners: int = param(6, "strongest partners kept per territory", ge=2, le=20, symbol="k_N")
    min_interdependence: float = param(
        0.001, "weakest interdependence kept as a network edge", ge=0.0, le=0.1, symbol="I_min"
    )
    flow_cutoff: float = param(
        5.0,
        "gravity flows are truncated beyond this many decay lengths d0",
        ge=2.0,
        le=20.0,
        unit="× d0",
    )


class Domain(Group):
    """One service domain (health, jobs, mobility, food...)."""

    scaling: float = param(
        1.0,
        "exponent of service capacity in population (or area if land-based)",
        ge=0.9,
        le=1.25,
        symbol="β_m",
    )
    decay_km: float = param(
        20.0, "distance decay length of gravity flows", ge=5, le=60, unit="km", symbol="d0_m"
    )
    access_decay_km: float = param(
        20.0,
        "distance over which a service reached counts for less in access (weight exp(−d/d_u))",
        ge=5,
        le=100,
        unit="km",
        symbol="d_u",
    )
    demand: float = param(
        1.0, "users per inhabitant per year", ge=0.1, le=5.0, unit="users/inh./yr", symbol="d_m"
    )
    value: float = param(
        100.0, "value of one user served", ge=50, le=500, unit="€/user", symbol="v_m"
    )
    spillover_cost: float = param(
        80.0,
        "uncompensated public cost of serving one non-resident user",
        ge=0,
        le=200,
        unit="€/user",
        symbol="κ_m",
    )
    unit_cost: float = param(
        90.0, "public running cost of one unit of capacity", ge=0, le=500, unit="€/user/yr"
    )
    land_based: bool = param(False, "capacity scales with area rather than population")


DOMAIN_DEFAULTS: dict[str, dict[str, Any]] = {
    # access decay: DREES's APL counts a GP fully within 10 minutes by road and not beyond 20
    # (about 15 km): docs/model.md
    "health": {"scaling": 1.1, "decay_km": 25.0, "access_decay_km": 15.0},
    "jobs": {"scaling": 1.15, "decay_km": 30.0, "access_decay_km": 30.0},
    "mobility": {"scaling": 1.0, "decay_km": 20.0, "access_decay_km": 15.0},
    # Food is produced on land and sold, not a public service: no public cost (docs/model.md).
    "food": {
        "scaling": 1.0,
        "decay_km": 15.0,
        "access_decay_km": 15.0,
        "land_based": True,
        "spillover_cost": 0.0,
        "unit_cost": 0.0,
    },
}
"""Defaults of the four standard domains; a domain table that omits a key takes them."""


def _default_domains() -> dict[str, Domain]:
    return {name: Domain(**values) for name, values in DOMAIN_DEFAULTS.items()}


class Services(Group):
    """Service domains and the overall balance of supply and demand."""

    supply_ratio: float = param(1.0, "total capacity / total demand, per domain", ge=0.8, le=1.2)
    refresh_tolerance: float = param(
        0.02,
        "relative change of a territory's capacity or demand since flows were last computed "
        "that makes them be computed again (0 = every year)",
        ge=0.0,
        le=0.5,
    )
    domains: dict[str, Domain] = Field(
        default_factory=_default_domains,
        description="service domains, by name",
        min_length=1,
        max_length=12,
    )

    @model_validator(mode="before")
    @classmethod
    def _standard_domain_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and "domains" in data:
            data = {**data, "domains": fill_defaults(data["domains"], DOMAIN_DEFAULTS)}
        return data

    @model_validator(mode="after")
    def _domain_names(self) -> Services:
        for name in self.domains:
            if not name.isidentifier() or not name.islower():
                raise ValueError(
                    f"domain name {name!r} must be a lower-case identifier "
                    "(it names output columns)"
                )
        return self

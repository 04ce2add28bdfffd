"""Every parameter of the model, declared once.

Each parameter is a pydantic field carrying its type, default, valid range, unit, symbol (as in
``docs/model.md``), a one-line meaning and whether it is a policy lever. Scenario validation,
``--set`` overrides, the generated parameter reference (``docs/parameters.md``), sweep ranges and
dashboard sliders are all derived from these declarations; nothing else states a default or a range.

Groups map one-to-one onto the tables of a scenario file (``[geometry]``, ``[game]``...).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


def param(
    default: Any,
    meaning: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    unit: str = "",
    symbol: str = "",
    lever: bool = False,
) -> Any:
    """Declare one parameter: default, closed range [ge, le], unit, symbol, meaning, lever flag."""
    return Field(
        default,
        ge=ge,
        le=le,
        description=meaning,
        json_schema_extra={"unit": unit, "symbol": symbol, "lever": lever},
    )


class Group(BaseModel):
    """A table of parameters: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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
    "health": {"scaling": 1.1, "decay_km": 25.0},
    "jobs": {"scaling": 1.15, "decay_km": 30.0},
    "mobility": {"scaling": 1.0, "decay_km": 20.0},
    # Food is produced on land and sold, not a public service: no public cost (docs/model.md).
    "food": {
        "scaling": 1.0,
        "decay_km": 15.0,
        "land_based": True,
        "spillover_cost": 0.0,
        "unit_cost": 0.0,
    },
}
"""Defaults of the four standard domains; a domain table that omits a key takes them."""


def _default_domains() -> dict[str, Domain]:
    return {name: Domain(**values) for name, values in DOMAIN_DEFAULTS.items()}


def _fill_defaults(given: Any, defaults: dict[str, dict[str, Any]]) -> Any:
    """Complete partial tables of known names with their own defaults (not the class's)."""
    if not isinstance(given, dict):
        return given
    return {
        name: {**defaults[name], **table} if name in defaults and isinstance(table, dict) else table
        for name, table in given.items()
    }


class Services(Group):
    """Service domains and the overall balance of supply and demand."""

    supply_ratio: float = param(1.0, "total capacity / total demand, per domain", ge=0.8, le=1.2)
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
            data = {**data, "domains": _fill_defaults(data["domains"], DOMAIN_DEFAULTS)}
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


class Engineering(Group):
    """Engineering capacity (ingénierie) of territories, and state support."""

    base_fte: float = param(
        0.5, "engineering of the smallest territory", ge=0.0, le=5.0, unit="FTE", symbol="h_0"
    )
    scale_fte: float = param(
        1.0,
        "engineering per 10⁴ inhabitants (before the exponent)",
        ge=0.0,
        le=10.0,
        unit="FTE",
        symbol="h_1",
    )
    exponent: float = param(1.2, "H = h_0 + h_1 (P/10⁴)^γ_H", ge=1.0, le=1.5, symbol="γ_H")
    routine_share: float = param(
        0.8, "share of engineering tied to routine work", ge=0.6, le=0.95, symbol="ℓ"
    )
    fte_cost: float = param(
        60_000,
        "cost of one FTE-year of engineering",
        ge=20_000,
        le=150_000,
        unit="€/FTE-yr",
        symbol="ω_H",
    )
    state_support: float = param(
        0.0,
        "state engineering support per rural and periurban territory",
        ge=0.0,
        le=0.5,
        unit="FTE",
        symbol="H_state",
        lever=True,
    )
    targeting: Literal["uniform", "needs", "rural_first"] = param(
        "uniform",
        "how the state pool is shared: equally, by engineering deficit, or rural territories only",
        lever=True,
    )
    lending_share: float = param(
        0.0,
        "share of a métropole's engineering lent to its non-urban partners",
        ge=0.0,
        le=0.2,
        symbol="η_H",
        lever=True,
    )
    full_cover_fte: float = param(
        0.5,
        "support that fully covers the engagement lost when betrayed (e = 1)",
        ge=0.05,
        le=5.0,
        unit="FTE",
    )


class Game(Group):
    """The pairwise cooperate/compete contest on each network edge."""

    stake_share: float = param(
        0.05,
        "share of the value of exchanged services at stake between two partners",
        ge=0.0,
        le=0.2,
        symbol="q",
    )
    synergy: float = param(
        1.3, "return on each euro contributed by two cooperators", ge=1.0, le=2.0, symbol="σ"
    )
    attacker_share: float = param(
        0.7,
        "share of the stake a competitor takes from a cooperator (competition intensity)",
        ge=0.5,
        le=1.0,
        symbol="θ",
        lever=True,
    )
    attraction: float = param(
        0.1,
        "attraction spending of a competitor, as a share of the stake",
        ge=0.0,
        le=0.5,
        unit="× Q",
        symbol="a",
        lever=True,
    )
    contribution: float = param(
        0.2,
        "contribution of a cooperator, as a share of the stake",
        ge=0.0,
        le=1.0,
        unit="× Q",
        symbol="c",
    )
    betrayal_loss: float = param(
        0.5,
        "engagement lost when betrayed, as a multiple of the contribution",
        ge=0.0,
        le=2.0,
        unit="× c",
        symbol="c_0",
    )


class Update(Group):
    """How territories revise their strategy."""

    rule: Literal["logit", "fermi", "imitate_best", "santos"] = param(
        "logit", "strategy update rule (santos: validation sources only)"
    )
    schedule: Literal["synchronous", "random_sequential"] = param(
        "synchronous", "revisers decide all at once, or one by one in random order"
    )
    noise: float = param(
        0.1,
        "decision noise (temperature), on payoffs per euro at stake",
        ge=0.01,
        le=1.0,
        symbol="K",
    )
    mutation: float = param(
        0.005, "probability that a reviser switches strategy at random", ge=0.0, le=0.05, symbol="μ"
    )
    revision_rate: float = param(
        0.2, "share of territories revising their strategy each year", ge=0.1, le=1.0, symbol="u"
    )
    initial_cooperation: float = param(
        0.5, "probability that a territory starts as a cooperator", ge=0.0, le=1.0
    )


class Learning(Group):
    """Knowledge of interdependence and trust, per network edge."""

    initial_knowledge: float = param(
        0.3, "perceived share of the true interdependence at start", ge=0.0, le=1.0, symbol="K_0"
    )
    knowledge_rate: float = param(
        0.3, "learning rate of interdependence inside a structure", ge=0.05, le=0.5, symbol="α_K"
    )
    knowledge_decay: float = param(
        0.05, "decay of knowledge towards K_0 outside structures", ge=0.0, le=0.2, symbol="δ_K"
    )
    observatory: float = param(
        0.0,
        "observatory of interdependencies: learning for every pair",
        ge=0.0,
        le=0.5,
        symbol="ψ",
        lever=True,
    )
    initial_trust: float = param(
        0.5, "trust between partners at start", ge=0.0, le=1.0, symbol="T_0"
    )
    trust_rate: float = param(
        0.3, "weight of the latest behaviour in trust", ge=0.1, le=0.6, symbol="λ"
    )


class Budget(Group):
    """Municipal budgets: revenue, service costs, reserves."""

    revenue_per_capita: float = param(
        400.0,
        "fiscal revenue per inhabitant at 10⁴ inhabitants",
        ge=50,
        le=5_000,
        unit="€/inh./yr",
        symbol="y_0",
    )
    revenue_exponent: float = param(
        1.05, "revenue ∝ P^β_Y (agglomeration economies)", ge=0.9, le=1.3, symbol="β_Y"
    )
    initial_reserve_years: float = param(
        1.0, "initial budget, in years of fiscal revenue", ge=0.0, le=10.0, unit="yr"
    )


class Funding(Group):
    """State funding of cooperation (matching, grants, the annual budget)."""

    matching_share: float = param(
        0.0,
        "share of cooperators' contributions and of structures' setup costs paid by the state",
        ge=0.0,
        le=0.8,
        symbol="ρ",
        lever=True,
    )
    grant_years: int = param(
        3,
        "years of a structure's life during which matching and grants are paid",
        ge=1,
        le=10,
        unit="yr",
        symbol="T_g",
        lever=True,
    )
    conditional_grant: float = param(
        0.0,
        "grant per structure-year while the structure delivers (first T_g years)",
        ge=0.0,
        le=100_000,
        unit="€/structure/yr",
        symbol="g_cond",
        lever=True,
    )
    annual_cap: float = param(
        0.0,
        "state budget for cooperation per year; payments are scaled down to fit (0 = no cap)",
        ge=0.0,
        le=1e12,
        unit="€/yr",
        lever=True,
    )


class StructureKind(Group):
    """Costs and returns of one kind of cooperation structure (per domain for a pôle)."""

    setup_fte: float = param(
        0.1, "engineering to set it up", ge=0.0, le=10.0, unit="FTE", symbol="κ_H"
    )
    setup_cost: float = param(
        0.0, "money to set it up, per member", ge=0.0, le=1e6, unit="€", symbol="κ_M"
    )
    running_fte: float = param(
        0.05, "engineering to run it, per member", ge=0.0, le=5.0, unit="FTE/yr", symbol="μ_H"
    )
    running_cost: float = param(
        2_000, "money to run it, per member", ge=0.0, le=1e6, unit="€/yr", symbol="μ_M"
    )
    synergy: float = param(
        1.05,
        "return on pooled contributions (value = (r - 1) × pooled)",
        ge=1.0,
        le=2.0,
        symbol="r",
    )


class Structures(Group):
    """Cooperation structures: ententes, contrats de réciprocité, syndicats mixtes, pôles."""

    enabled: bool = param(True, "structures can form (false: the pairwise contest alone)")
    contribution: float = param(
        20.0,
        "spending pooled per inhabitant and domain covered",
        ge=5.0,
        le=100.0,
        unit="€/inh./yr",
        symbol="c_m",
    )
    non_member_share: float = param(
        0.3,
        "share of a structure's value reaching non-members through their flows",
        ge=0.0,
        le=1.0,
        symbol="φ",
    )
    amortisation_years: int = param(
        5, "years over which setup costs are spread", ge=1, le=20, unit="yr", symbol="τ_a"
    )
    exit_years: int = param(
        3,
        "years of negative net benefit in a row after which a member leaves",
        ge=1,
        le=5,
        unit="yr",
        symbol="n_exit",
    )
    distrust_weight: float = param(
        1.0, "weight of distrust on perceived costs", ge=0.0, le=3.0, symbol="χ"
    )
    max_members: int = param(
        12, "largest entente, syndicat or pôle (a contrat has two members)", ge=2, le=100
    )
    entente: StructureKind = Field(
        default_factory=lambda: StructureKind(**KIND_DEFAULTS["entente"]),
        description="entente / association: informal, cheap, weak synergy, one domain",
    )
    contrat: StructureKind = Field(
        default_factory=lambda: StructureKind(**KIND_DEFAULTS["contrat"]),
        description="contrat de réciprocité: bilateral, urban–rural, every domain",
    )
    syndicat: StructureKind = Field(
        default_factory=lambda: StructureKind(**KIND_DEFAULTS["syndicat"]),
        description="syndicat mixte: one domain, several members",
    )
    pole: StructureKind = Field(
        default_factory=lambda: StructureKind(**KIND_DEFAULTS["pole"]),
        description="pôle métropolitain: every domain (costs per domain), an urban member",
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        return _fill_defaults(data, KIND_DEFAULTS)


KIND_DEFAULTS: dict[str, dict[str, float]] = {
    "entente": {
        "setup_fte": 0.1,
        "setup_cost": 0,
        "running_fte": 0.05,
        "running_cost": 2_000,
        "synergy": 1.05,
    },
    "contrat": {
        "setup_fte": 0.5,
        "setup_cost": 20_000,
        "running_fte": 0.2,
        "running_cost": 10_000,
        "synergy": 1.2,
    },
    "syndicat": {
        "setup_fte": 1.0,
        "setup_cost": 100_000,
        "running_fte": 0.5,
        "running_cost": 50_000,
        "synergy": 1.4,
    },
    "pole": {
        "setup_fte": 1.5,
        "setup_cost": 150_000,
        "running_fte": 0.5,
        "running_cost": 50_000,
        "synergy": 1.3,
    },
}
"""Costs and returns of each structure kind (MODEL.md); a kind's table that omits a key
takes these, not the generic StructureKind defaults."""


class Pacte(Group):
    """The Pacte État-métropoles (2016): each métropole allied with its neighbours."""

    obligation: bool = param(
        False,
        "each métropole keeps at least one structure with non-urban partners",
        lever=True,
    )


class Metrics(Group):
    """How outcomes are measured."""

    convergence_window: int = param(
        10, "years over which β-convergence is measured", ge=1, le=50, unit="yr"
    )
    final_window: int = param(
        100,
        "last steps over which the reported mean cooperator share is taken",
        ge=1,
        le=10_000,
        unit="steps",
    )


class Run(Group):
    """Run length and seed (what the CLI's --steps and --seed override)."""

    steps: int = param(40, "years simulated", ge=0, le=10_000, unit="yr")
    burn_in: int = param(
        10, "years before policy year 0 (the `year` column)", ge=0, le=1_000, unit="yr"
    )
    seed: int = param(0, "root seed of the run's random generator", ge=0, le=2**63 - 1)


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


class Parameters(Group):
    """All the parameters of one model run, grouped as in a scenario file."""

    run: Run = Field(default_factory=Run, description="run length and seed")
    geometry: Geometry = Field(default_factory=Geometry, description="synthetic territories")
    network: Network = Field(default_factory=Network, description="interaction network")
    graph: Graph = Field(default_factory=Graph, description="validation graphs")
    classic_game: ClassicGame = Field(
        default_factory=ClassicGame, description="games given directly (validation)"
    )
    well_mixed: WellMixed = Field(
        default_factory=WellMixed, description="well-mixed public goods with incentives"
    )
    services: Services = Field(default_factory=Services, description="service domains")
    engineering: Engineering = Field(
        default_factory=Engineering, description="engineering capacity"
    )
    game: Game = Field(default_factory=Game, description="pairwise contest")
    update: Update = Field(default_factory=Update, description="strategy revision")
    learning: Learning = Field(default_factory=Learning, description="knowledge and trust")
    budget: Budget = Field(default_factory=Budget, description="municipal budgets")
    funding: Funding = Field(default_factory=Funding, description="state funding")
    structures: Structures = Field(default_factory=Structures, description="cooperation structures")
    pacte: Pacte = Field(default_factory=Pacte, description="Pacte État-métropoles")
    metrics: Metrics = Field(default_factory=Metrics, description="outcome measurement")
    france: France = Field(default_factory=France, description="real French territories")
    changes: list[Change] = Field(
        default_factory=list,
        description="policy levers changed at given years ([[changes]] tables)",
    )

    @property
    def domain_names(self) -> tuple[str, ...]:
        """Service domain names, in column order."""
        return tuple(self.services.domains)

    @model_validator(mode="after")
    def _reductions_are_consistent(self) -> Parameters:
        source, n, graph, rule = self.geometry.source, self.geometry.n, self.graph, self.update.rule
        if rule == "santos" and source in ("synthetic", "well_mixed"):
            raise ValueError(
                f"update.rule = 'santos' needs a graph source (lattice, random_regular or "
                f"barabasi_albert), not geometry.source = {source!r}"
            )
        if source == "well_mixed" and rule != "fermi":
            raise ValueError(
                f"geometry.source = 'well_mixed' updates by Fermi imitation: "
                f"update.rule = {rule!r} is not available there (use 'fermi')"
            )
        if source == "random_regular" and (graph.degree >= n or n * graph.degree % 2):
            raise ValueError(
                f"graph.degree = {graph.degree} with geometry.n = {n}: a random regular graph "
                "needs degree < n and n × degree even"
            )
        if source == "barabasi_albert" and graph.attachments >= n:
            raise ValueError(
                f"graph.attachments = {graph.attachments} with geometry.n = {n}: a "
                "Barabási–Albert graph needs attachments < n"
            )
        if source == "well_mixed" and self.well_mixed.group_size > n:
            raise ValueError(
                f"well_mixed.group_size = {self.well_mixed.group_size} exceeds geometry.n = {n}"
            )
        return self

    @property
    def reduced(self) -> bool:
        """Whether the run is a validation reduction (no flows, structures or budgets)."""
        return self.geometry.source not in ("synthetic", "france")

    @model_validator(mode="after")
    def _changes_are_valid(self) -> Parameters:
        for k, change in enumerate(self.changes):
            try:
                self.updated(change.set)
            except ValidationError as error:
                first = error.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(
                    f"changes[{k}] (year {change.year}): {where} = {first['input']!r}: "
                    f"{first['msg']}"
                ) from None
        return self

    def updated(self, assignments: Mapping[str, Any]) -> Parameters:
        """A validated copy with dotted-path assignments applied (``{"game.synergy": 1.5}``)."""
        data = self.model_dump(exclude={"changes"})  # the copy holds no pending changes
        for path, value in assignments.items():
            set_dotted(data, path, value)
        return Parameters.model_validate(data, strict=True)

    def at_year(self, year: int) -> Parameters:
        """The parameters in force in policy year ``year``, after the changes made so far.

        Before year 0 (the burn-in) every policy lever is at its declared default: no policy.
        So every scenario of a region reaches year 0 in the same state for the same seed.
        """
        if year < 0:
            return self.updated({info.path: info.default for info in _lever_defaults()})
        current = self
        for change in sorted(self.changes, key=lambda c: c.year):
            if change.year <= year:
                current = current.updated(change.set)
        return current


class Change(Group):
    """Levers set to new values from a given policy year on (year 0 = end of burn-in)."""

    year: int = param(0, "policy year from which the values apply", ge=0, le=10_000)
    set: dict[str, bool | int | float | str] = Field(
        description='lever paths and their new values, e.g. {"funding.matching_share" = 0}',
        min_length=1,
    )

    @model_validator(mode="after")
    def _only_levers(self) -> Change:
        for path in self.set:
            info = lookup(path)
            if info is None or not info.lever:
                levers = ", ".join(p.path for p in parameter_table() if p.lever)
                raise ValueError(f"{path!r} is not a policy lever; levers are: {levers}")
        return self


def set_dotted(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data["a"]["b"]["c"] = value`` for ``path = "a.b.c"``, creating tables as needed."""
    *tables, key = path.split(".")
    for table in tables:
        data = data.setdefault(table, {})
    data[key] = value


@dataclass(frozen=True)
class ParameterInfo:
    """What the declaration says of one parameter (for docs, CLI help, sliders, sweeps)."""

    path: str
    type: str
    default: Any
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...] | None
    unit: str
    symbol: str
    meaning: str
    lever: bool

    def allowed(self) -> str:
        """Describe the allowed values in words."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type == "bool":
            return "true or false"
        if self.type == "list":
            return 'a list of text values, e.g. ["84", "Bretagne"]'
        lo = "" if self.minimum is None else f"{format_number(self.minimum)} ≤ "
        hi = "" if self.maximum is None else f" ≤ {format_number(self.maximum)}"
        return f"{self.type} {lo}value{hi}".strip()


def format_number(value: float) -> str:
    """Numbers as people read them: 500 000, 0.05, 1.2 (no exponents for whole numbers)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:g}"


def _field_info(path: str, field: Any) -> ParameterInfo:
    annotation = field.annotation
    choices = typing.get_args(annotation) if typing.get_origin(annotation) is Literal else None
    lo = hi = None
    for constraint in field.metadata:
        lo = getattr(constraint, "ge", lo)
        hi = getattr(constraint, "le", hi)
    extra = field.json_schema_extra or {}
    type_name = "str" if choices else getattr(annotation, "__name__", str(annotation))
    return ParameterInfo(
        path=path,
        type=type_name,
        default=field.default,
        minimum=lo,
        maximum=hi,
        choices=tuple(choices) if choices else None,
        unit=extra.get("unit", ""),
        symbol=extra.get("symbol", ""),
        meaning=field.description or "",
        lever=bool(extra.get("lever", False)),
    )


def parameter_table(parameters: Parameters | None = None) -> list[ParameterInfo]:
    """List every scalar parameter with its declaration, in declaration order.

    Nested tables (structure kinds) are walked; service domains are listed under the names of
    ``parameters`` (the defaults when None) with that domain's values as defaults. Timed
    ``changes`` are not parameters and are not listed.
    """
    parameters = parameters or Parameters()
    rows: list[ParameterInfo] = []
    for name, field in Parameters.model_fields.items():
        if name != "changes":
            rows.extend(_walk(name, field.annotation, getattr(parameters, name)))
    return rows


def _walk(prefix: str, cls: type[Group], value: Group) -> list[ParameterInfo]:
    rows = []
    for name, field in cls.model_fields.items():
        path = f"{prefix}.{name}"
        if isinstance(field.annotation, type) and issubclass(field.annotation, Group):
            rows.extend(_walk(path, field.annotation, getattr(value, name)))
        elif name == "domains":
            for domain, values in value.domains.items():
                rows.extend(_walk(f"{path}.{domain}", Domain, values))
        else:
            rows.append(_with_default(_field_info(path, field), getattr(value, name)))
    return rows


def _with_default(info: ParameterInfo, default: Any) -> ParameterInfo:
    return ParameterInfo(**{**info.__dict__, "default": default})


def lookup(path: str) -> ParameterInfo | None:
    """Find a parameter's declaration by dotted path (any domain name is accepted).

    The default given is the one in force in a default ``Parameters()`` (e.g. a pôle's own
    synergy rather than the generic structure kind's).
    """
    cls: Any = Parameters
    value: Any = _defaults()
    parts = path.split(".")
    k = 0
    while k < len(parts):
        field = cls.model_fields.get(parts[k])
        if field is None or (cls is Parameters and parts[k] == "changes"):
            return None
        if cls is Services and parts[k] == "domains":
            if len(parts) != k + 3:
                return None
            cls, value = Domain, value.domains.get(parts[k + 1], Domain())
            k += 2
            continue
        if isinstance(field.annotation, type) and issubclass(field.annotation, Group):
            cls, value = field.annotation, getattr(value, parts[k])
            k += 1
            continue
        if k != len(parts) - 1:
            return None
        return _with_default(_field_info(path, field), getattr(value, parts[k]))
    return None


@functools.cache
def _defaults() -> Parameters:
    return Parameters()


@functools.cache
def _lever_defaults() -> tuple[ParameterInfo, ...]:
    return tuple(info for info in parameter_table(_defaults()) if info.lever)

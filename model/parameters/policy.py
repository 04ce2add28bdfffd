"""The policy model's behaviour and levers: engineering, the contest, learning, money, structures.

Read by :class:`~cohesim.model.TerritoryModel` only; the validation reductions ignore them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from .declaration import Group, fill_defaults, param


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
        "cost of one FTE-year of engineering, salary and employer's charges (docs/model.md)",
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
    spillback: float = param(
        0.56,
        "share of a partner's gains returning to a territory, per unit of its residents' "
        "service use located there",
        ge=0.0,
        le=2.0,
        symbol="ξ",
    )
    betrayal_loss: float = param(
        0.5,
        "engagement lost when betrayed, as a multiple of the contribution",
        ge=0.0,
        le=2.0,
        unit="× c",
        symbol="c_0",
    )


class Foresight(Group):
    """The shadow of the future in each partnership decision (docs/model.md, M1)."""

    continuation: float = param(
        0.46,
        "chance that a partnership goes on next year, outside election years",
        ge=0.0,
        le=0.95,
        symbol="δ_0",
    )
    election_drop: float = param(
        0.5,
        "relative fall of the continuation chance in the year before municipal elections",
        ge=0.0,
        le=1.0,
        symbol="ω_E",
    )


class Learning(Group):
    """Knowledge of interdependence and trust, per network edge."""

    initial_knowledge: float = param(
        0.29, "perceived share of the true interdependence at start", ge=0.0, le=1.0, symbol="K_0"
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
        0.5,
        "prior belief that a partner cooperates conditionally (trust at start)",
        ge=0.0,
        le=1.0,
        symbol="T_0",
    )
    trust_rate: float = param(
        0.3,
        "forgetting rate of past observations of a partner (weight of the latest one)",
        ge=0.1,
        le=0.6,
        symbol="λ",
    )
    prior_weight: float = param(
        2.0,
        "weight of the prior belief, in observations",
        ge=0.5,
        le=20.0,
        symbol="a_0 + b_0",
    )
    inventory_visibility: float = param(
        0.0,
        "visibility of partners' recorded partnerships (0: no inventory, 1: public recensement)",
        ge=0.0,
        le=1.0,
        symbol="ω",
        lever=True,
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
    adjustment_rate: float = param(
        0.2,
        "speed at which service spending follows the money available (balanced budgets; "
        "0 = capacities and flows stay as built)",
        ge=0.0,
        le=1.0,
        unit="1/yr",
        symbol="ϵ",
    )


class Population(Group):
    """Population feedback: territories gain or lose inhabitants with their welfare."""

    migration_rate: float = param(
        0.01,
        "yearly growth of a territory per unit of relative welfare advantage (0 = off)",
        ge=0.0,
        le=0.1,
        unit="1/yr",
        symbol="ζ",
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
        27.0,
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
    quality_spread: float = param(
        0.32,
        "spread of match quality between structures (standard deviation)",
        ge=0.0,
        le=1.0,
        symbol="σ_ε",
    )
    partner_cost: float = param(
        0.2,
        "rise of transaction costs per additional member",
        ge=0.0,
        le=2.0,
        symbol="ν_n",
    )
    heterogeneity_cost: float = param(
        0.2,
        "rise of transaction costs per order of magnitude of population between members",
        ge=0.0,
        le=2.0,
        symbol="ν_h",
    )
    distance_cost: float = param(
        0.39,
        "rise of transaction costs per 25 km of mean distance between members",
        ge=0.0,
        le=2.0,
        symbol="ν_d",
    )
    cover_saving: float = param(
        1.0,
        "fall of transaction costs with engineering cover: divided by 1 + ν_e e",
        ge=0.0,
        le=5.0,
        symbol="ν_e",
    )
    pooling: bool = param(
        True,
        "members pool their capacity in the structure's domains: one ration for the pool",
    )
    reach_gain: float = param(
        0.0,
        "stretch of the distances over which members reach each other's services, when staffed",
        ge=0.0,
        le=2.0,
        symbol="ξ_S",
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
        return fill_defaults(data, KIND_DEFAULTS)


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
        "setup_fte": 0.62,
        "setup_cost": 100_000,
        "running_fte": 0.23,
        "running_cost": 28_000,
        "synergy": 1.31,
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

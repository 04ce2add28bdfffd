"""The root of the parameter tree: :class:`Parameters`, timed :class:`Change` s, the reference.

Also the groups every model reads: the run, the update rule, the metrics.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from .declaration import Group, ParameterInfo, find, group_class, param, set_dotted, walk
from .policy import (
    Budget,
    Engineering,
    Foresight,
    Funding,
    Game,
    Learning,
    Pacte,
    Population,
    Structures,
)
from .region import France, Geometry, Network, Services
from .validation import ClassicGame, Graph, WellMixed


class Run(Group):
    """Run length and seed (what the CLI's --steps and --seed override)."""

    steps: int = param(40, "years simulated", ge=0, le=10_000, unit="yr")
    burn_in: int = param(
        10, "years before policy year 0 (the `year` column)", ge=0, le=1_000, unit="yr"
    )
    seed: int = param(0, "root seed of the run's random generator", ge=0, le=2**63 - 1)


class Update(Group):
    """How territories revise their strategy."""

    rule: Literal["logit", "fermi", "imitate_best", "santos"] = param(
        "logit", "strategy update rule (santos: validation sources only)"
    )
    schedule: Literal["synchronous", "random_sequential"] = param(
        "synchronous", "revisers decide all at once, or one by one in random order"
    )
    noise: float = param(
        0.08,
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
    imitation: float = param(
        0.18,
        "probability that a logit reviser instead imitates, by the Fermi rule, the partnership "
        "choice of an interdependent partner (M6, policy diffusion: Shipan & Volden 2008); "
        "the other rules, which imitate already, ignore it",
        ge=0.0,
        le=1.0,
        symbol="ι",
    )


class Metrics(Group):
    """How outcomes are measured."""

    convergence_window: int = param(
        10, "years over which β-convergence is measured", ge=1, le=50, unit="yr"
    )
    final_window: int = param(
        10,
        "last policy years averaged into a run's final value (docs/analysis.md)",
        ge=1,
        le=10_000,
        unit="yr",
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
    foresight: Foresight = Field(
        default_factory=Foresight, description="shadow of the future in partnerships"
    )
    learning: Learning = Field(default_factory=Learning, description="knowledge and trust")
    budget: Budget = Field(default_factory=Budget, description="municipal budgets")
    population: Population = Field(default_factory=Population, description="population feedback")
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

    def changes_in_force(self, year: int) -> int:
        """How many of the timed changes :meth:`at_year` applies in ``year`` (−1: the burn-in).

        ``at_year`` depends on ``year`` through this number alone: the changes it applies are
        the first ones in order of their years.
        """
        return -1 if year < 0 else sum(change.year <= year for change in self.changes)

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
            rows.extend(walk(name, group_class(field.annotation), getattr(parameters, name)))
    return rows


def lookup(path: str) -> ParameterInfo | None:
    """Find a parameter's declaration by dotted path (any domain name is accepted).

    The default given is the one in force in a default ``Parameters()`` (e.g. a pôle's own
    synergy rather than the generic structure kind's).
    """
    if path.split(".")[0] == "changes":  # timed changes are not parameters
        return None
    return find(Parameters, _defaults(), path)


def declared(path: str) -> ParameterInfo:
    """Like :func:`lookup`, for a path known to name a parameter: KeyError when it does not."""
    info = lookup(path)
    if info is None:
        raise KeyError(f"{path!r} is not a declared parameter")
    return info


@functools.cache
def _defaults() -> Parameters:
    return Parameters()


@functools.cache
def _lever_defaults() -> tuple[ParameterInfo, ...]:
    return tuple(info for info in parameter_table(_defaults()) if info.lever)

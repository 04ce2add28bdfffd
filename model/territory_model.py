"""TerritoryModel: territories exchanging services and choosing to cooperate or compete.

Data-oriented: the state is a structure of numpy arrays (one row per territory, one entry per
directed network edge); :class:`~cohesim.model.agents.Territory` agents are views onto the rows.
Flows and the interaction network are computed once, at start. One step is one year, in the
order of ``docs/model.md``:

1. the levers in force this year (timed ``changes``) set engineering support and the contest,
2. the revising territories revise their strategies,
3. structures are maintained: members leave (competing, short of engineering, or at a loss
   n_exit years in a row) and structures left too small dissolve,
4. new structures form and admit members (and the Pacte obligation applies),
5. play: the contest on every edge, the returns of structures, minus uncompensated spill-over
   costs,
6. learning (knowledge and trust per edge),
7. budgets,
8. the year's outcomes (cooperation, cohesion, convergence, spending, structures, access) are
   recorded as one row of :meth:`~TerritoryModel.metrics_frame`.

The validation reductions (graph and well-mixed sources) are other models:
:mod:`cohesim.model.reductions`.

Over 450 lines on purpose: the stages of the step are methods sharing the model's arrays; the
mechanics of each live in their own module (decisions, formation, structures, returns).
"""

from __future__ import annotations

from dataclasses import replace

import mesa
import numpy as np
import pandas as pd
from scipy.special import expit

from . import (
    decisions,
    engineering,
    formation,
    metrics_kernels,
    outcomes,
    returns,
    step_kernels,
    structures,
)
from .agents import Territory, state_frame
from .contest import contest, edge_stakes
from .flows import gravity_flows, pair_flows, pair_kernels, update_pools
from .kinds import METROPOLE, is_urban
from .parameters import Parameters
from .reductions import REDUCTION_MODELS
from .region import Region, build_region
from .registry import (
    COMPETING,
    StructureRegistry,
    inventory_frame,
    memberships_frame,
)
from .shared_services import SharedServices, shared_services
from .territories import TerritoryTable


class TerritoryModel(mesa.Model):
    """Cooperation versus competition between territories.

    Parameters
    ----------
    parameters
        All parameters (defaults when None); see ``docs/parameters.md``.
    rng
        Seed or generator for every random draw; ``parameters.run.seed`` when None.
    territories
        Territories to use instead of the synthetic region the parameters describe.
    region
        The region built already (:func:`~cohesim.model.region.build_region`) from these
        parameters and the same seed, or these territories: the run is the same as if it had
        built it, without the cost (sweeps reuse one region across lever settings).

    Examples
    --------
    >>> from cohesim.model import TerritoryModel
    >>> model = TerritoryModel(rng=1)
    >>> model.run(5)
    >>> len(model.agents), model.steps
    (100, 5)
    >>> frame = model.metrics_frame()
    >>> list(frame["step"])
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(
        self,
        parameters: Parameters | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        territories: TerritoryTable | None = None,
        region: Region | None = None,
    ):
        parameters = parameters if parameters is not None else Parameters()
        source = parameters.geometry.source
        if source in REDUCTION_MODELS:
            raise ValueError(
                f"geometry.source = {source!r} is a validation reduction, not simulated by "
                f"TerritoryModel: use cohesim.model.reductions.{REDUCTION_MODELS[source].__name__} "
                "(cohesim.model.model_for picks the model for any source)"
            )
        super().__init__(rng=parameters.run.seed if rng is None else rng)
        self.scenario_parameters = parameters  # with the timed lever changes still to come
        self.parameters = parameters.at_year(-parameters.run.burn_in)  # in force now
        # (scenario parameters, changes in force, the parameters then): see _in_force
        self._parameters_held: tuple[Parameters, int, Parameters] = (
            parameters,
            parameters.changes_in_force(-parameters.run.burn_in),
            self.parameters,
        )
        parameters = self.parameters
        self.domain_names = parameters.domain_names
        domains = list(parameters.services.domains.values())
        self._value = np.array([d.value for d in domains])

        if region is None:
            region = build_region(parameters, self.rng, territories)  # draws from self.rng
        elif territories is not None and territories is not region.table:
            raise ValueError("pass territories= or region=, not both")
        else:
            region.enter(parameters, self.rng)
        table = region.table  # not kept: a run alone frees its candidate pairs when done
        n = len(table)
        self.name, self.kind, self.code = table.name, table.kind, table.code
        self.population, self.x, self.y, self.area = table.population, table.x, table.y, table.area
        own = region.own
        # the region is shared by the runs on it, read-only: copy what a run changes in place
        self.demand, self.capacity = own.demand, own.capacity.copy()
        self.engineering = own.engineering.copy()
        self.revenue, self.service_cost = own.revenue, own.service_cost
        self.budget = own.budget.copy()

        # Flows and the network are built once, with the region; only what the step needs is kept.
        self._access_decay = region.access_decay
        pairs = region.pairs
        self.flows = region.flows
        self.network = region.network
        # flows follow capacities and populations when budgets or populations move (step 0)
        self._dynamic = parameters.budget.adjustment_rate > 0 or (
            parameters.population.migration_rate > 0
        )
        # ... and structures share services while they live (model/shared_services.py)
        s = parameters.structures
        self._sharing = s.enabled and (s.pooling or s.reach_gain > 0)
        self._shared: SharedServices | None = None
        self._incremental_pools = True  # tests switch it off to compare with full passes
        self._pairs = pairs if self._dynamic or self._sharing else None
        self._flows_capacity, self._flows_demand = self.capacity.copy(), self.demand.copy()
        del pairs
        self._unit_cost = np.array([d.unit_cost for d in domains])
        self._demand_per_capita = np.array([d.demand for d in domains])
        # the share of its service spending a territory gives each domain, as built
        paid = self.capacity * self._unit_cost
        self._spending_share = np.divide(
            paid,
            paid.sum(axis=1, keepdims=True),
            out=np.zeros_like(paid),
            where=paid.sum(axis=1, keepdims=True) > 0,
        )
        spillover = np.array([d.spillover_cost for d in domains])
        self.spillover_cost = self.flows.served_nonresidents @ spillover
        self._spillover_per_user = spillover
        self.service_value = np.minimum(self.flows.access, 1.0) @ (
            self._value * self._demand_per_capita
        )

        net = self.network
        self._edge_km = np.hypot(
            self.x[net.src] - self.x[net.dst], self.y[net.src] - self.y[net.dst]
        )
        # the edges' kernels are kept where the flows' are (the cached path): refreshing the edge
        # flows then takes no exponential; above, they would add 32 bytes an edge to the peak
        self._edge_kernel = None
        if self._pairs is not None and not self._pairs.compiled(len(self.domain_names)):
            self._edge_kernel = pair_kernels(self.flows, self._edge_km)
        self.stake = edge_stakes(net, self._value, parameters.game.stake_share)
        self.stake_total = np.bincount(net.src, self.stake, n)
        # Scale of payoffs per inhabitant, so that the imitation noise K is dimensionless.
        self.payoff_scale = max(self.stake_total.sum() / self.population.sum(), 1e-12)
        self.registry = StructureRegistry(len(self.domain_names))
        self._apply_levers()

        self.knowledge = np.full(len(net.src), parameters.learning.initial_knowledge)
        self.trust = np.full(len(net.src), parameters.learning.initial_trust)  # the belief p̂
        self.seen = np.zeros(len(net.src))  # discounted years i observed j
        self.seen_cooperating = np.zeros(len(net.src))  # ... and saw it cooperate
        self.in_structure = np.zeros(len(net.src), dtype=bool)  # edges sharing a structure
        # k_ij = ξ × the share of i's valued service use located in j (M3)
        valued_demand = self.demand @ self._value
        self.spillback = parameters.game.spillback * np.divide(
            net.flow @ self._value,
            valued_demand[net.src],
            out=np.zeros(len(net.src)),
            where=valued_demand[net.src] > 0,
        )
        strongest = np.zeros(n)
        np.maximum.at(strongest, net.src, net.interdependence)
        self._relative_interdependence = np.divide(
            net.interdependence,
            strongest[net.src],
            out=np.zeros_like(net.interdependence),
            where=strongest[net.src] > 0,
        )

        # what the metrics read of the network and the kinds, which never change
        self._undirected = net.src < net.dst
        urban = is_urban(self.kind)
        self._mixed = self._undirected & (urban[net.src] != urban[net.dst])
        self._metropoles = np.count_nonzero(self.kind == METROPOLE)

        self.cooperate = self.rng.random(n) < parameters.update.initial_cooperation
        # the stance of each territory towards each partner (M1); a territory starts with one
        self.stance = self.cooperate[net.src].copy()
        self.payoff = np.zeros(n)
        self.public_money = self.public_engineering = self.public_spending = 0.0
        self.public_spending_total = 0.0
        self.engineering_used = 0.0
        self.territories = [Territory(self, i) for i in range(n)]

        # the metrics table, a row a year, and the log welfare of the last W + 1 years (a ring,
        # oldest at row _history_first) that β-convergence reads; float32: W years, kept small
        self._metric_columns = metrics_kernels.columns(self.domain_names)
        self._metrics = np.empty((64, len(self._metric_columns)))
        self._recorded = 0
        self._log_history = np.empty((parameters.metrics.convergence_window + 1, n), np.float32)
        self._history_first = self._history_held = 0
        self._play()
        self._record()

    # -- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one year."""
        in_force = self._in_force()
        # the same object unless the levers changed, or ``parameters`` was set from outside
        if in_force is not self.parameters and in_force != self.parameters:
            self.parameters = in_force
            self._apply_levers()
        self._update_services()
        self._revise()
        structures.maintain(self)
        formation.form(self)
        self._play()
        self._learn()
        self.budget += self.balance
        self._record()

    def _in_force(self) -> Parameters:
        """``scenario_parameters.at_year`` for this year, built once for each set of changes.

        Building and comparing a ``Parameters`` took 0.2 ms a burn-in year and 0.03 ms a later
        one, a few percent of a small region's run.
        """
        scenario = self.scenario_parameters
        year = self.steps - self.parameters.run.burn_in
        stage = scenario.changes_in_force(year)
        held = self._parameters_held
        if held[0] is not scenario or held[1] != stage:
            held = self._parameters_held = (scenario, stage, scenario.at_year(year))
        return held[2]

    def _update_services(self) -> None:
        """Budgets fund capacity, populations follow welfare, flows and access follow both.

        Balanced budgets (science review, defect 4): spending adjusts, not the tax effort. Each
        domain's capacity moves at rate ϵ towards what the territory's money can pay for,
        E ← (1 − ϵ) E + ϵ s^m max(Y + π, 0) / u_m (domains with a public cost), s^m its share
        of service spending as built. Populations grow with their relative welfare,
        P ← P exp(ζ tanh((w − w̄) / |w̄|)), rescaled so that the total is kept: at most ζ a year.
        Then flows, access and spill-over costs are recomputed on the network as it was built
        (MODEL.md step 7).
        """
        if not (self._dynamic or self._sharing):
            return
        p, net = self.parameters, self.network
        rate = p.budget.adjustment_rate
        if rate > 0:
            paid = self._unit_cost > 0
            spending = np.maximum(self.revenue + self.payoff, 0.0)
            funded = self._spending_share[:, paid] * spending[:, None] / self._unit_cost[paid]
            self.capacity[:, paid] = (1 - rate) * self.capacity[:, paid] + rate * funded
            self.service_cost = self.capacity @ self._unit_cost
        zeta = p.population.migration_rate
        if zeta > 0:
            pop = self.population
            mean = float((self.welfare * pop).sum() / pop.sum())
            advantage = np.tanh((self.welfare - mean) / max(abs(mean), 1e-12))
            grown = pop * np.exp(zeta * advantage)
            grown *= pop.sum() / grown.sum()  # people move; the region's total is kept
            self.revenue = self.revenue * (grown / pop) ** p.budget.revenue_exponent
            self.population = grown
            self.demand = grown[:, None] * self._demand_per_capita
        # flows cost a pass over every pair: refresh them when some territory's capacity or
        # demand has moved by more than the tolerance since they were computed
        moved = max(
            _largest_change(self.capacity, self._flows_capacity),
            _largest_change(self.demand, self._flows_demand),
        )
        shared = shared_services(self) if self._sharing else None
        if moved <= p.services.refresh_tolerance and not _sharing_changed(
            shared, self._shared, p.services.refresh_tolerance
        ):
            return
        assert self._pairs is not None  # kept whenever services are dynamic or shared
        stretched = shared is not None and shared.stretched
        if moved == 0.0 and self._incremental_pools and not stretched and self.flows.extra is None:
            # only pools or their weights moved: update rations and the access near them
            self._shared = shared
            self.flows = update_pools(
                self._pairs, self.flows, self._flows_demand, self._flows_capacity, shared
            )
        else:
            self._flows_capacity, self._flows_demand = self.capacity.copy(), self.demand.copy()
            self._shared = shared
            decay_km = self.flows.decay_km
            # the old field's arrays go before the new ones are made: they were a large region's
            # peak (docs/performance.md, "Memory")
            del self.flows
            self.flows = gravity_flows(
                self._pairs,
                self.demand,
                self.capacity,
                decay_km,
                p.network.flow_cutoff,
                self._access_decay,
                shared,
            )
        flow = pair_flows(
            self.flows,
            self.demand,
            self.capacity,
            net.src,
            net.dst,
            self._edge_km,
            np.float32,
            self._edge_kernel,
        )
        self.network = replace(net, flow=flow)
        self.spillover_cost = self.flows.served_nonresidents @ self._spillover_per_user
        self.service_value = np.minimum(self.flows.access, 1.0) @ (
            self._value * self._demand_per_capita
        )

    def edge_spillover(self, edges: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Cost to each edge's source of serving its destination's residents, per domain (€)."""
        net = self.network
        return net.flow[net.rev[edges]] * self._spillover_per_user

    def _apply_levers(self) -> None:
        """Derive what the levers in force set: engineering support and lending, the contest."""
        p, net = self.parameters, self.network
        routine_free = (1 - p.engineering.routine_share) * self.engineering
        contrat = p.structures.contrat
        need = contrat.setup_fte / p.structures.amortisation_years + contrat.running_fte
        self.engineering_support = engineering.state_support(
            self.kind, routine_free, p.engineering, need
        )
        self.engineering_lent, received = engineering.lent_engineering(
            self.kind, self.engineering, routine_free, net, p.engineering.lending_share
        )
        self.available_engineering = (
            routine_free + self.engineering_support + received - self.engineering_lent
        )
        self.cover = np.minimum(
            1.0, (self.engineering_support + received) / p.engineering.full_cover_fte
        )
        self.contest = contest(p, self.stake, self.cover[net.src])
        self.formation_constants = formation.constants(p)

    def run(self, steps: int) -> None:
        """Advance ``steps`` years."""
        for _ in range(steps):
            self.step()

    def _revise(self) -> None:
        u = self.parameters.update
        n = len(self.cooperate)
        logit = u.rule == "logit"
        # Beliefs and values only change in _learn and _play: the gains hold for the whole step
        # (and draw nothing, so they may be computed after the revisers are drawn).
        if u.schedule == "synchronous":
            revisers = np.flatnonzero(self.rng.random(n) < u.revision_rate)
            if logit and len(revisers) > 1:
                self._revise_logit(revisers)
            else:
                gain = self.partnership_gain() if logit else None
                self._revise_territories(revisers, self._scores, gain)
        else:  # elementary updates one after the other, each seeing the strategies so far
            revisers = self.rng.integers(0, n, size=round(u.revision_rate * n))
            self._revise_sequentially(revisers, self.partnership_gain() if logit else None)

    def _step_game(self, choice: np.ndarray) -> step_kernels.StepGame:
        """What the compiled decisions read (``choice``: logit probabilities, if any)."""
        net, c = self.network, self.contest
        positive = np.flatnonzero(net.interdependence > 0)
        return step_kernels.StepGame(
            net.indptr,
            net.dst,
            net.rev,
            c.stake,
            c.sucker_share,
            float(c.reward_share),
            float(c.temptation_share),
            float(c.punishment_share),
            float(c.subsidy_share),
            float(1 - self._cap_share),
            self.spillback,
            self.payoff,
            self.contest_payoff,
            self.population,
            float(self.payoff_scale),
            positive,
            np.concatenate([[0.0], np.cumsum(net.interdependence[positive])]),
            choice,
        )

    def _bulk_uniforms(self, bound: int, draw) -> None:
        """Give ``draw`` ``bound`` uniforms; it returns how many it read, in order.

        The generator is then left where drawing only those would have left it (``random``
        calls of any length read one stream of doubles), so a kernel reading uniforms in the
        order of the Python path's draws gives its numbers.
        """
        generator = self.rng.bit_generator
        before = generator.state
        used = draw(self.rng.random(bound))
        if used < bound:  # rewind, and draw only what was read
            generator.state = before
            self.rng.random(used)

    def _revise_logit(self, revisers: np.ndarray) -> None:
        """Synchronous logit revision (and imitation at rate ι) of several ``revisers``.

        :meth:`_revise_territories` compiled, with the same draws and numbers. Only the
        revisers' edges need their partnership gains (a fifth of them at the default rate).
        """
        u, net = self.parameters.update, self.network
        revising = np.zeros(len(self.cooperate), dtype=bool)
        revising[revisers] = True
        edges = np.flatnonzero(revising[net.src])
        choice = expit(self.partnership_gain(edges) / u.noise)
        game = self._step_game(choice)
        score = self.payoff / self.population / self.payoff_scale
        self._bulk_uniforms(
            3 * len(revisers) + 2 * len(edges),
            lambda uniforms: step_kernels.revise_synchronously(
                revisers,
                edges,
                choice,
                score,
                uniforms,
                float(u.noise),
                float(u.mutation),
                float(u.imitation),
                self.stance,
                self.cooperate,
                game,
            ),
        )
        step_kernels.territory_stances(
            revisers, self.stance, self.cooperate, self.contest.stake, net.indptr
        )

    def _revise_sequentially(self, revisers: np.ndarray, gain: np.ndarray | None) -> None:
        """The elementary updates of ``revisers``, in order, in the compiled kernel.

        Each is what :meth:`_revise_territories` does for one territory, scoring with
        :meth:`_local_scores`, with the same draws: the kernel reads uniforms drawn in bulk and
        the generator is then left exactly where the one-by-one draws would have left it.
        """
        u, net = self.parameters.update, self.network
        rule = step_kernels.RULES[u.rule]
        game = self._step_game(expit(gain / u.noise) if gain is not None else np.empty(0))
        degree = net.indptr[revisers + 1] - net.indptr[revisers]
        scratch = np.empty(max(1, int(np.diff(net.indptr).max(initial=0))))
        self._bulk_uniforms(
            step_kernels.uniforms_needed(rule, degree, u.mutation, u.imitation),
            lambda uniforms: step_kernels.revise_sequentially(
                revisers,
                uniforms,
                rule,
                float(u.noise),
                float(u.mutation),
                float(u.imitation),
                self.stance,
                self.cooperate,
                game,
                scratch,
            ),
        )

    def _revise_territories(self, revisers: np.ndarray, score, gain: np.ndarray | None) -> None:
        """Revisers choose a stance per partner (logit, or imitation at rate ι) or one for all."""
        u, net = self.parameters.update, self.network
        if len(revisers) == 1:
            (i,) = revisers
            edges = np.arange(net.indptr[i], net.indptr[i + 1])
        else:
            revising = np.zeros(len(self.cooperate), dtype=bool)
            revising[revisers] = True
            edges = np.flatnonzero(revising[net.src])
        if u.rule == "logit":
            # _revise, the only caller, computes the gains whenever the rule is logit
            assert gain is not None, "the logit rule needs the partnership gains"
            chosen = self._choose_stances(revisers, edges, gain, score)
            self.stance[edges] = decisions.mutate(chosen, u.mutation, self.rng)
            self.cooperate[revisers] = self._territory_stance(revisers)
            return
        new = decisions.mutate(self._decide(revisers, score), u.mutation, self.rng)
        self.cooperate[revisers] = new
        self.stance[edges] = self.cooperate[net.src[edges]]

    def _choose_stances(
        self, revisers: np.ndarray, edges: np.ndarray, gain: np.ndarray, score
    ) -> np.ndarray:
        """Stances of the revisers' ``edges``: M1's logit, or with probability ι imitation (M6).

        An imitator picks a partner j and adopts, by the Fermi rule on ``score``
        (:meth:`_fermi_pick`), j's partnership choice: j's territory-level strategy, on every
        one of its own edges. If it does not adopt, it keeps its stances. ``revisers`` are in
        ascending order and ``edges`` are theirs in CSR order. With ι = 0 nothing more is drawn
        than M1 alone draws.
        """
        u, net = self.parameters.update, self.network
        if u.imitation <= 0:
            return decisions.logit_choice(gain[edges], u.noise, self.rng)
        imitating = self.rng.random(len(revisers)) < u.imitation
        partner, adopt = self._fermi_pick(revisers[imitating], score)
        # per reviser: whether it takes its partner's choice, and that choice
        takes = np.zeros(len(revisers), dtype=bool)
        takes[imitating] = adopt
        copied = np.zeros(len(revisers), dtype=bool)
        copied[imitating] = adopt & self.cooperate[np.maximum(partner, 0)]
        owner = np.repeat(np.arange(len(revisers)), net.indptr[revisers + 1] - net.indptr[revisers])
        chosen = self.stance[edges].copy()  # an imitator that does not adopt keeps its stances
        logit = ~imitating[owner]
        chosen[logit] = decisions.logit_choice(gain[edges[logit]], u.noise, self.rng)
        return np.where(takes[owner], copied[owner], chosen)

    def _territory_stance(self, which: np.ndarray) -> np.ndarray:
        """Whether each territory cooperates on at least half its stake (unchanged if isolated)."""
        net, stake = self.network, self.contest.stake
        if len(which) == 1:  # one elementary update: its own edges, not a pass over all of them
            (i,) = which
            lo, hi = net.indptr[i], net.indptr[i + 1]
            mine = stake[lo:hi]
            total = np.array([mine.sum()])
            share = np.array([mine[self.stance[lo:hi]].sum()])
            return np.where(hi > lo, 2 * share >= total, self.cooperate[which])
        lo, hi = net.indptr[which], net.indptr[which + 1]
        cumulative = np.concatenate([[0.0], np.cumsum(stake)])
        cooperative = np.concatenate([[0.0], np.cumsum(np.where(self.stance, stake, 0.0))])
        total = cumulative[hi] - cumulative[lo]
        share = cooperative[hi] - cooperative[lo]
        return np.where(hi > lo, 2 * share >= total, self.cooperate[which])

    def _fermi_pick(self, revisers: np.ndarray, score) -> tuple[np.ndarray, np.ndarray]:
        """Each reviser's partner j, drawn ∝ interdependence (-1 if none), and whether it adopts.

        It adopts j's strategy with probability 1/(1+exp((π̂_i − π̂_j)/K)), π̂ = ``score``: payoffs
        per inhabitant over the payoff scale, last year's (synchronous) or replayed under the
        current strategies (random sequential order).
        """
        u = self.parameters.update
        partner = decisions.fermi_partner(self.network, revisers, self.rng)
        has = partner >= 0
        theirs = np.zeros(len(revisers))
        theirs[has] = score(partner[has])
        adopt = has & decisions.fermi_adopt(score(revisers), theirs, u.noise, self.rng)
        return partner, adopt

    def _decide(self, revisers: np.ndarray, score) -> np.ndarray:
        """New strategies of ``revisers`` by imitation, comparing ``score(territories)``."""
        u = self.parameters.update
        if u.rule == "fermi":
            partner, adopt = self._fermi_pick(revisers, score)
            return np.where(adopt, self.cooperate[np.maximum(partner, 0)], self.cooperate[revisers])
        if len(revisers) == 1:  # imitate_best for one territory: itself and its partners only
            (i,) = revisers
            lo, hi = self.network.indptr[i], self.network.indptr[i + 1]
            group = np.concatenate([[i], self.network.dst[lo:hi]])
            return self.cooperate[group[[int(np.argmax(score(group)))]]]
        winner = decisions.best_neighbour(
            self.network, score(np.arange(len(self.payoff))), revisers
        )
        return self.cooperate[winner]

    def partnership_gain(self, edges: np.ndarray | slice = slice(None)) -> np.ndarray:
        """G_ij / Q_ij per directed edge: the forward-looking gain of cooperating with j (M1).

        Perceived through knowledge (k̂ = K_ij k_ij), with the value of structures the pair
        shares or could found, this year's continuation chance δ_t and the belief p̂_ij. Of
        every edge, or of ``edges`` only (each edge's gain is its own: the same numbers).
        """
        c, f = self.contest, self.parameters.foresight
        year = self.steps - self.parameters.run.burn_in
        shares = (c.reward_share, c.temptation_share, c.punishment_share)
        return step_kernels.partnership_gains(  # decisions.partnership_gain, fused
            self.knowledge[edges],
            self.spillback[edges],
            c.stake[edges],
            c.sucker_share[edges],
            tuple(float(x) for x in shares),
            formation.partnership_values(self, edges if isinstance(edges, np.ndarray) else None),
            self.trust[edges],
            float(decisions.continuation(year, f.continuation, f.election_drop)),
        )

    def _scores(self, which: np.ndarray) -> np.ndarray:
        """Last year's payoffs per inhabitant, over the mean stake per inhabitant."""
        return self.payoff[which] / self.population[which] / self.payoff_scale

    def _local_scores(self, which: np.ndarray) -> np.ndarray:
        """Payoffs under the current strategies, recomputed for a few territories.

        The contest is replayed on their edges as :meth:`_play` pays it, matching scaled down
        by the share of its cap the state could pay last year.
        """
        net = self.network
        out = np.empty(len(which))
        for k, i in enumerate(which):
            edges = np.arange(net.indptr[i], net.indptr[i + 1])
            played = self._contest_payoffs(edges, 1 - self._cap_share)
            out[k] = played.sum() + self.payoff[i] - self.contest_payoff[i]
        return out / self.population[which] / self.payoff_scale

    def _contest_payoffs(self, edges: np.ndarray, unpaid: float) -> np.ndarray:
        """What each edge's source gets from the contest: its payoff plus its spill-back k π_ji.

        ``unpaid`` is the share of the state's matching on mutual cooperation it cannot pay.
        """
        net, c = self.network, self.contest
        rev = net.rev[edges]
        own, other = self.stance[edges], self.stance[rev]
        lost = unpaid * np.where(own & other, c.subsidy_share, 0.0)
        mine = c.payoffs(own, other, edges) - lost * c.stake[edges]
        theirs = c.payoffs(other, own, rev) - lost * c.stake[rev]
        return mine + self.spillback[edges] * theirs

    def _play(self) -> None:
        """Payoffs: the contest and its spill-back, structures, spill-over costs and transfers.

        The state pays matching on cooperating edges and on structures' setup costs, and
        conditional grants; when they exceed the annual cap, all are scaled down to fit.
        """
        net, c, n = self.network, self.contest, len(self.cooperate)
        yielded = returns.returns(self)
        matched = step_kernels.matched_subsidy(
            self.stance, net.rev, c.stake, float(c.subsidy_share), np.empty(len(c.stake))
        )
        owed = float(matched + yielded.grant.sum() + yielded.matching.sum())
        cap = self.parameters.funding.annual_cap
        share = min(1.0, cap / owed) if cap > 0 and owed > 0 else 1.0
        self._cap_share = share  # what _local_scores replays
        shares = (c.reward_share, c.temptation_share, c.punishment_share, c.subsidy_share)
        self.contest_payoff = step_kernels.contest_payoffs(  # _contest_payoffs, on every edge
            self.stance,
            net.src,
            net.rev,
            c.stake,
            c.sucker_share,
            tuple(float(x) for x in shares),
            float(1 - share),
            self.spillback,
            n,
        )
        from_structures = returns.settle(self, yielded, share)
        transfers = np.bincount(net.src, yielded.edge_transfer, n)
        self.payoff = self.contest_payoff + from_structures + transfers - self.spillover_cost
        self.in_structure = yielded.in_structure
        self.public_money = cap if share < 1 else owed  # the cap exactly when it binds
        # state engineering support is staff the state pays, used or not (science defect 2)
        fte_cost = self.parameters.engineering.fte_cost
        self.public_engineering = fte_cost * float(self.engineering_support.sum())
        self.public_spending = self.public_money + self.public_engineering
        self.public_spending_total += self.public_spending
        self.engineering_used = float(yielded.engineering.sum())
        self.balance = self.revenue - self.service_cost + self.payoff
        self.welfare = outcomes.welfare(self.service_value, self.balance, self.population)

    def _learn(self) -> None:
        """Knowledge K_ij and trust T_ij per directed edge (i perceives j)."""
        learning, net = self.parameters.learning, self.network
        kept, recorded = self._records()
        # knowledge: K += r (1[inside] + o I_rel)(1 − K) − λ (K − K_0) 1[outside], within [0, 1];
        # beliefs: discounted observations of each partner, and its public record (M4,
        # decisions.belief)
        step_kernels.learn(
            (self.knowledge, self.seen, self.seen_cooperating, self.trust),
            self.in_structure,
            self._relative_interdependence,
            self.stance,
            net.rev,
            net.dst,
            kept,
            recorded,
            (
                float(learning.knowledge_rate),
                float(learning.observatory),
                float(learning.knowledge_decay),
                float(learning.initial_knowledge),
                float(1 - learning.trust_rate),
                float(learning.initial_trust * learning.prior_weight),
                float(learning.prior_weight),
                float(learning.inventory_visibility),
            ),
        )

    def _records(self) -> tuple[np.ndarray, np.ndarray]:
        """Per territory: partnerships recorded in the inventory, and those not left competing."""
        mb, n = self.registry.members, len(self.population)
        recorded = np.bincount(mb["territory"], minlength=n).astype(float)
        broken = np.bincount(mb["territory"], mb["cause"] == COMPETING, n)
        return recorded - broken, recorded

    # -- outcomes ------------------------------------------------------------------------------

    def _record(self) -> None:
        """Append the year's row to the metrics table (:func:`metrics_kernels.record`)."""
        floored = np.maximum(self.welfare, outcomes.WELFARE_FLOOR)
        log_w = np.log(floored)
        then, years = self._remember(log_w)
        if self._recorded == len(self._metrics):
            self._metrics = np.concatenate([self._metrics, np.empty_like(self._metrics)])
        st, mb = self.registry.structures, self.registry.members
        public = (
            self.public_spending,
            self.public_spending_total,
            self.public_money,
            self.public_engineering,
            self.engineering_used,
        )
        metrics_kernels.record(
            self._metrics[self._recorded],
            floored,
            np.argsort(floored),
            log_w,
            float(np.std(log_w)),
            then,
            np.exp(then) if years > 0 else then,  # in float32, as the numpy code computed it
            years,
            self.steps,
            self.steps - self.parameters.run.burn_in,
            self.welfare,
            _read_only(self.population),  # as the region's is: one compiled version, not two
            self.kind,
            self.cooperate,
            self.stance,
            self.network.rev,
            self.service_value,
            self.balance,
            _read_only(self.flows.access),
            self.flows.access.mean(axis=1),
            np.array(public, dtype=np.float64),
            (st["kind"], st["formed"], st["dissolved"]),
            (mb["structure"], mb["territory"], mb["left"]),
            self.in_structure,
            self._undirected,
            self._mixed,
            self._metropoles,
        )
        self._recorded += 1

    def _remember(self, log_w: np.ndarray) -> tuple[np.ndarray, int]:
        """Keep this year's log welfare; the oldest kept and how many years lie between them."""
        history, kept = self._log_history, len(self._log_history)
        if self._history_held < kept:
            slot = (self._history_first + self._history_held) % kept
            self._history_held += 1
        else:  # full: this year's replaces the oldest
            slot = self._history_first
            self._history_first = (slot + 1) % kept
        history[slot] = log_w
        return history[self._history_first], self._history_held - 1

    def inventory_frame(self) -> pd.DataFrame:
        """The recensement: one row per structure ever formed (see docs/model.md)."""
        return inventory_frame(
            self.registry, self.name, self.kind, self.domain_names, self.parameters.run.burn_in
        )

    def memberships_frame(self) -> pd.DataFrame:
        """One row per membership ever held."""
        return memberships_frame(self.registry, self.parameters.run.burn_in)

    def metrics_frame(self) -> pd.DataFrame:
        """One row per step recorded so far (step 0 is the initial state)."""
        return outcomes.table_frame(self._metrics[: self._recorded], self._metric_columns)

    def territories_frame(self) -> pd.DataFrame:
        """One row per territory, current state."""
        frame = state_frame(
            self,
            budget=self.budget,
            engineering=self.engineering,
            payoff=self.payoff,
            welfare=self.welfare,
        )
        if self.code is not None:
            frame.insert(1, "code", self.code)
        for k, m in enumerate(self.domain_names):
            frame[f"access_{m}"] = self.flows.access[:, k]
        return frame

    @property
    def cooperation_rate(self) -> float:
        """Share of territories cooperating now."""
        return float(self.cooperate.mean())

    def probability_cooperate(self) -> np.ndarray:
        """Logit propensity to cooperate of every territory: over its partners, stake-weighted.

        Isolated territories get 0.5.
        """
        chance = expit(self.partnership_gain() / self.parameters.update.noise)
        n, net = len(self.population), self.network
        stake = np.bincount(net.src, self.contest.stake, n)
        weighted = np.bincount(net.src, chance * self.contest.stake, n)
        return np.divide(weighted, stake, out=np.full(n, 0.5), where=stake > 0)


def _sharing_changed(
    now: SharedServices | None, then: SharedServices | None, tolerance: float
) -> bool:
    """Whether pools, their weights or members' stretches differ (beyond ``tolerance``)."""
    if now is None or then is None:
        return (now is None) != (then is None)
    if not np.array_equal(now.pool, then.pool) or not (
        np.array_equal(now.i, then.i) and np.array_equal(now.j, then.j)
    ):
        return True
    return bool(
        np.abs(now.weight - then.weight).max(initial=0.0) > tolerance
        or np.abs(now.stretch - then.stretch).max(initial=0.0) > tolerance
    )


def _largest_change(now: np.ndarray, then: np.ndarray) -> float:
    """The largest relative change of any entry (0 where both are 0)."""
    change = np.abs(now - then) / np.maximum(np.abs(then), 1e-12)
    return float(change.max()) if change.size else 0.0


def _read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view: numba compiles a kernel once per writability of its arrays."""
    view = array.view()
    view.flags.writeable = False
    return view

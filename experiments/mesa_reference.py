"""The model's core step written the idiomatic Mesa way: the benchmark's reference.

One :class:`ReferenceTerritory` agent per territory, holding its partners and the per-partner
state (stake, payoff matrix, knowledge, trust) in Python dicts; per-agent ``decide``,
``advance``, ``play``, ``learn`` methods called through AgentSet ``shuffle_do``/``do``; a Mesa
``DataCollector``. The rules are those of :class:`~cohesim.model.TerritoryModel` (logit
decisions, synchronous revision, mutation, the pairwise contest, spill-over costs, trust and
knowledge learning, budgets), built from a real model's territories, flows and network so that
both start from the same state.

Random numbers: each step draws the same arrays, in the same order, from a generator in the
same state as the real model's, and each agent reads its own entries; so both produce the same
numbers (``tests/test_bench.py``) whatever order ``shuffle_do`` visits agents in.
Structures are not part of the reference: compare it with models in which none form.
"""

from __future__ import annotations

import copy
import math

import mesa
import numpy as np

from cohesim.model import TerritoryModel


class ReferenceTerritory(mesa.Agent):
    """A territory as a Mesa user writes it: its own state and its partners."""

    def __init__(self, model: ReferenceModel, index: int, population: float, budget: float):
        super().__init__(model)
        self.index = index
        self.population = population
        self.budget = budget
        self.cooperates = False
        self.next_cooperates = False
        self.payoff = 0.0
        self.spillover = 0.0
        self.revenue = 0.0
        self.service_cost = 0.0
        self.partners: list[ReferenceTerritory] = []
        self.edges: dict[int, dict[str, float]] = {}  # partner index -> edge state

    def expected_gain(self) -> float:
        """Expected gain of cooperating per euro at stake (the logit rule's Δ)."""
        p = self.model.parameters
        sigma, share = p.game.synergy, p.game.contribution
        gain = stake = 0.0
        for partner in self.partners:
            e = self.edges[partner.index]
            perceived = e["R"] - (1 - e["K"]) * (sigma - 1) * share * e["Q"]
            t = e["trust"]
            gain += t * (perceived - e["T"]) + (1 - t) * (e["S"] - e["P"])
            stake += e["Q"]
        return gain / stake if stake > 0 else 0.0

    def decide(self) -> None:
        """Revise the strategy if drawn to (logit choice, then mutation)."""
        m = self.model
        self.next_cooperates = self.cooperates
        slot = m.reviser_slot.get(self.index)
        if slot is None:
            return
        u = m.parameters.update
        chance = 1 / (1 + math.exp(-self.expected_gain() / u.noise))
        choice = bool(m.choice_draws[slot] < chance)
        if u.mutation > 0 and m.mutation_draws[slot] < u.mutation:
            choice = not choice
        self.next_cooperates = choice

    def advance(self) -> None:
        """Apply the revised strategy."""
        self.cooperates = self.next_cooperates

    def play(self) -> None:
        """Payoff of the contest with each partner, minus spill-over costs."""
        total = 0.0
        for partner in self.partners:
            e = self.edges[partner.index]
            if self.cooperates:
                total += e["R"] if partner.cooperates else e["S"]
            else:
                total += e["T"] if partner.cooperates else e["P"]
        self.payoff = total - self.spillover

    def learn(self) -> None:
        """Trust follows each partner's behaviour; knowledge decays towards its start."""
        lr = self.model.parameters.learning
        for partner in self.partners:
            e = self.edges[partner.index]
            e["trust"] += lr.trust_rate * (float(partner.cooperates) - e["trust"])
            learnt = lr.knowledge_rate * lr.observatory * e["relative"] * (1 - e["K"])
            forgotten = lr.knowledge_decay * (e["K"] - lr.initial_knowledge)
            e["K"] = min(1.0, max(0.0, e["K"] + learnt - forgotten))

    def account(self) -> None:
        """The budget's yearly identity."""
        self.budget += self.revenue - self.service_cost + self.payoff


class ReferenceModel(mesa.Model):
    """The reference, built from a real model's state just after its construction."""

    def __init__(self, real: TerritoryModel):
        super().__init__(rng=0)
        # the same random stream as the real model from here on
        self.rng = copy.deepcopy(real.rng)
        self.parameters = real.parameters
        net, c = real.network, real.contest
        self.territories = [
            ReferenceTerritory(self, i, float(real.population[i]), float(real.budget[i]))
            for i in range(len(real.population))
        ]
        # the payoff matrix per edge, read once (the contest derives it from stakes)
        reward, sucker, temptation, punishment = c.reward, c.sucker, c.temptation, c.punishment
        for agent in self.territories:
            i = agent.index
            agent.cooperates = bool(real.cooperate[i])
            agent.spillover = float(real.spillover_cost[i])
            agent.revenue = float(real.revenue[i])
            agent.service_cost = float(real.service_cost[i])
            agent.payoff = float(real.payoff[i])
            for e in range(net.indptr[i], net.indptr[i + 1]):
                j = int(net.dst[e])
                agent.partners.append(self.territories[j])
                agent.edges[j] = {
                    "Q": float(c.stake[e]),
                    "R": float(reward[e]),
                    "S": float(sucker[e]),
                    "T": float(temptation[e]),
                    "P": float(punishment[e]),
                    "K": float(real.knowledge[e]),
                    "trust": float(real.trust[e]),
                    "relative": float(real._relative_interdependence[e]),
                }
        self.reviser_slot: dict[int, int] = {}
        self.choice_draws = np.empty(0)
        self.mutation_draws = np.empty(0)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "cooperation_rate": lambda m: float(np.mean([a.cooperates for a in m.agents])),
                "payoff_total": lambda m: float(sum(a.payoff for a in m.agents)),
            }
        )

    def step(self) -> None:
        """One year: revise (synchronously), play, learn, account, collect."""
        u = self.parameters.update
        n = len(self.territories)
        # the same draws, in the same order, as TerritoryModel's synchronous logit step
        revisers = np.flatnonzero(self.rng.random(n) < u.revision_rate)
        self.choice_draws = self.rng.random(len(revisers))
        self.mutation_draws = (
            self.rng.random(len(revisers)) if u.mutation > 0 else np.ones(len(revisers))
        )
        self.reviser_slot = {int(i): k for k, i in enumerate(revisers)}
        self.agents.shuffle_do("decide")
        self.agents.do("advance")
        self.agents.do("play")
        self.agents.do("learn")
        self.agents.do("account")
        self.datacollector.collect(self)

"""The model's core step written the idiomatic Mesa way: the benchmark's reference.

One :class:`ReferenceTerritory` agent per territory, holding its partners and the per-partner
state (stake, payoff matrix, stance, knowledge, beliefs) in Python dicts; per-agent ``decide``,
``advance``, ``play``, ``learn`` methods called through AgentSet ``shuffle_do``/``do``; a Mesa
``DataCollector``. The rules are those of :class:`~cohesim.model.TerritoryModel` (logit
decisions per partnership, synchronous revision, mutation, the pairwise contest and its
spill-back, spill-over costs, beliefs and knowledge learning, budgets), built from a real
model's territories, flows and network so that both start from the same state. It refuses
the other rules, the random sequential schedule and imitation (M6, ``update.imitation`` > 0).

Random numbers: each step draws the same arrays, in the same order, from a generator in the
same state as the real model's, and each agent reads its own entries; so both produce the same
numbers (``tests/test_bench.py``) whatever order ``shuffle_do`` visits agents in.
Structures and dynamic services are not part of the reference: compare it with models in which
none form and services stay as built.
"""

from __future__ import annotations

import copy
import math

import mesa
import numpy as np

from cohesim.model import TerritoryModel
from cohesim.model.decisions import MUNICIPAL_TERM


class ReferenceTerritory(mesa.Agent):
    """A territory as a Mesa user writes it: its own state and its partners."""

    def __init__(self, model: ReferenceModel, index: int, population: float, budget: float):
        super().__init__(model)
        self.index = index
        self.population = population
        self.budget = budget
        self.cooperates = False
        self.payoff = 0.0
        self.spillover = 0.0
        self.revenue = 0.0
        self.service_cost = 0.0
        self.partners: list[ReferenceTerritory] = []
        self.edges: dict[int, dict[str, float]] = {}  # partner index -> edge state

    def gain(self, e: dict[str, float]) -> float:
        """The logit rule's gain of cooperating with one partner, per euro at stake (M1)."""
        m = self.model
        f = m.parameters.foresight
        year = m.steps - m.parameters.run.burn_in
        delta = f.continuation * (1 - f.election_drop * ((year + 1) % MUNICIPAL_TERM == 0))
        k = e["K"] * e["k"]
        reward, sucker = e["R"] * (1 + k), e["S"] + k * e["T"]
        temptation, punishment = e["T"] + k * e["S"], e["P"] * (1 + k)
        b = e["trust"]
        gain = b * ((reward - delta * punishment) / (1 - delta) - temptation)
        gain += (1 - b) * (sucker - punishment)
        return gain / max(e["Q"], 1e-12)

    def decide(self) -> None:
        """Revise the stance towards each partner if drawn to (logit choice, then mutation)."""
        m = self.model
        for e in self.edges.values():
            e["next"] = e["stance"]
        first = m.reviser_offset.get(self.index)
        if first is None:
            return
        u = m.parameters.update
        for k, partner in enumerate(self.partners):
            e = self.edges[partner.index]
            chance = 1 / (1 + math.exp(-self.gain(e) / u.noise))
            choice = bool(m.choice_draws[first + k] < chance)
            if u.mutation > 0 and m.mutation_draws[first + k] < u.mutation:
                choice = not choice
            e["next"] = choice

    def advance(self) -> None:
        """Apply the revised stances; the territory cooperates on at least half its stake."""
        for e in self.edges.values():
            e["stance"] = e["next"]
        if self.partners:
            stake = sum(e["Q"] for e in self.edges.values())
            kept = sum(e["Q"] for e in self.edges.values() if e["stance"])
            self.cooperates = 2 * kept >= stake

    def play(self) -> None:
        """The contest with each partner and its spill-back, minus spill-over costs."""
        total = 0.0
        for partner in self.partners:
            e = self.edges[partner.index]
            back = partner.edges[self.index]
            total += _payoff(e, e["stance"], back["stance"])
            total += e["k"] * _payoff(back, back["stance"], e["stance"])
        self.payoff = total - self.spillover

    def learn(self) -> None:
        """Beliefs count each partner's stance, with forgetting; knowledge decays to its start."""
        lr = self.model.parameters.learning
        a0 = lr.initial_trust * lr.prior_weight
        for partner in self.partners:
            e = self.edges[partner.index]
            e["seen"] = (1 - lr.trust_rate) * e["seen"] + 1
            cooperated = float(partner.edges[self.index]["stance"])
            e["seen_cooperating"] = (1 - lr.trust_rate) * e["seen_cooperating"] + cooperated
            e["trust"] = (a0 + e["seen_cooperating"]) / (lr.prior_weight + e["seen"])
            learnt = lr.knowledge_rate * lr.observatory * e["relative"] * (1 - e["K"])
            forgotten = lr.knowledge_decay * (e["K"] - lr.initial_knowledge)
            e["K"] = min(1.0, max(0.0, e["K"] + learnt - forgotten))

    def account(self) -> None:
        """The budget's yearly identity."""
        self.budget += self.revenue - self.service_cost + self.payoff


def _payoff(edge: dict[str, float], mine: float, theirs: float) -> float:
    if mine:
        return edge["R"] if theirs else edge["S"]
    return edge["T"] if theirs else edge["P"]


class ReferenceModel(mesa.Model):
    """The reference, built from a real model's state just after its construction."""

    def __init__(self, real: TerritoryModel):
        u = real.parameters.update
        if u.rule != "logit" or u.schedule != "synchronous" or u.imitation > 0:
            raise ValueError(
                "the Mesa reference implements the synchronous logit rule alone (M1): it needs "
                "update.rule = 'logit', update.schedule = 'synchronous' and update.imitation = 0, "
                f"not {u.rule!r}, {u.schedule!r} and {u.imitation}"
            )
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
                    "seen": float(real.seen[e]),
                    "seen_cooperating": float(real.seen_cooperating[e]),
                    "relative": float(real._relative_interdependence[e]),
                    "k": float(real.spillback[e]),
                    "stance": bool(real.stance[e]),
                    "next": bool(real.stance[e]),
                }
        self.reviser_offset: dict[int, int] = {}
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
        degree = [len(self.territories[i].partners) for i in revisers]
        edges = int(sum(degree))
        self.choice_draws = self.rng.random(edges)
        self.mutation_draws = self.rng.random(edges) if u.mutation > 0 else np.ones(edges)
        offsets = np.concatenate([[0], np.cumsum(degree)])
        self.reviser_offset = {int(i): int(o) for i, o in zip(revisers, offsets, strict=False)}
        self.agents.shuffle_do("decide")
        self.agents.do("advance")
        self.agents.do("play")
        self.agents.do("learn")
        self.agents.do("account")
        self.datacollector.collect(self)

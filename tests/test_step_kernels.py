"""The compiled random-sequential schedule against the one-territory Python path, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from cohesim.model import TerritoryModel, decisions, formation, step_kernels
from cohesim.model.numpy_sums import numpy_sum

from helpers import NO_STRUCTURES, params


def _one_by_one(model: TerritoryModel, revisers: np.ndarray, gain: np.ndarray | None) -> None:
    """The schedule as it ran before the kernel: one elementary update after the other."""
    for i in revisers:
        model._revise_territories(np.array([i]), model._local_scores, gain)


CASES = {
    "logit, imitation": {},
    "logit alone": {"update": {"imitation": 0.0}},
    "logit, much imitation, mutation": {"update": {"imitation": 0.6, "mutation": 0.05}},
    "logit, no mutation": {"update": {"mutation": 0.0}},
    "fermi": {"update": {"rule": "fermi"}},
    "fermi, no mutation": {"update": {"rule": "fermi", "mutation": 0.0}},
    "imitate_best": {"update": {"rule": "imitate_best", "mutation": 0.03}},
    "binding cap": {
        "update": {"rule": "fermi"},
        "funding": {"matching_share": 0.8, "annual_cap": 1_000.0},
        **NO_STRUCTURES,
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_kernel_revises_as_the_python_path_did(case):
    groups = CASES[case]
    update = {"schedule": "random_sequential", "revision_rate": 0.6, **groups.get("update", {})}
    p = params(**{**groups, "geometry": {"n": 60}, "update": update})
    compiled, python = TerritoryModel(p, rng=5), TerritoryModel(p, rng=5)
    python._revise_sequentially = lambda revisers, gain: _one_by_one(python, revisers, gain)
    moved = 0
    for _ in range(6):
        before = compiled.stance.copy()
        compiled.step()
        python.step()
        np.testing.assert_array_equal(compiled.stance, python.stance)
        np.testing.assert_array_equal(compiled.cooperate, python.cooperate)
        assert compiled.rng.bit_generator.state == python.rng.bit_generator.state
        moved += int((compiled.stance != before).sum())
    assert moved > 0
    np.testing.assert_array_equal(compiled.payoff, python.payoff)


def test_sums_are_numpys_to_the_last_bit():
    rng = np.random.default_rng(3)
    for n in [*range(40), 127, 128, 129, 300, 1000, 5003]:
        a = rng.standard_normal(n + 5) * 10.0 ** rng.uniform(-3, 6, n + 5)
        assert numpy_sum(a[5:]) == a[5:].sum()


def test_bisection_finds_what_searchsorted_finds():
    rng = np.random.default_rng(4)
    for n in [0, 1, 2, 5, 64, 333]:
        ordered = np.sort(rng.integers(0, 50, n))  # repeats included
        for value in range(-2, 53):
            assert step_kernels._first_at_least(ordered, value) == np.searchsorted(ordered, value)


SYNCHRONOUS = {
    "imitation": {},
    "logit alone": {"imitation": 0.0},
    "much imitation, mutation": {"imitation": 0.6, "mutation": 0.05},
    "no mutation": {"mutation": 0.0},
}


@pytest.mark.parametrize("case", sorted(SYNCHRONOUS))
def test_the_synchronous_logit_kernel_revises_as_numpy_did(case):
    update = {"revision_rate": 0.5, **SYNCHRONOUS[case]}
    p = params(geometry={"n": 60}, update=update)
    compiled, python = TerritoryModel(p, rng=7), TerritoryModel(p, rng=7)
    # the numpy path, with the gains of every edge (the kernel's path computes the revisers')
    python._revise_logit = lambda revisers: python._revise_territories(
        revisers, python._scores, python.partnership_gain()
    )
    moved = 0
    for _ in range(6):
        before = compiled.cooperate.copy()
        compiled.step()
        python.step()
        np.testing.assert_array_equal(compiled.stance, python.stance)
        np.testing.assert_array_equal(compiled.cooperate, python.cooperate)
        assert compiled.rng.bit_generator.state == python.rng.bit_generator.state
        moved += int((compiled.cooperate != before).sum())
    assert moved > 0
    np.testing.assert_array_equal(compiled.payoff, python.payoff)


def test_contest_payoffs_and_learning_are_numpys_to_the_last_bit():
    p = params(geometry={"n": 60}, funding={"matching_share": 0.8, "annual_cap": 1_000.0})
    m = TerritoryModel(p, rng=3)
    m.run(3)
    net, n = m.network, len(m.population)
    edges = np.arange(len(net.src))
    played = np.bincount(net.src, m._contest_payoffs(edges, 1 - m._cap_share), n)
    assert 0 < m._cap_share < 1  # the cap binds: the unpaid matching counts
    np.testing.assert_array_equal(m.contest_payoff, played)
    # learning, as numpy computed it before the kernel
    lr, inside = m.parameters.learning, m.in_structure.copy()
    k, seen, cooperating = m.knowledge.copy(), m.seen.copy(), m.seen_cooperating.copy()
    rate = lr.knowledge_rate * (inside + lr.observatory * m._relative_interdependence)
    k += rate * (1 - k) - lr.knowledge_decay * (k - lr.initial_knowledge) * ~inside
    np.clip(k, 0.0, 1.0, out=k)
    seen = (1 - lr.trust_rate) * seen + 1
    cooperating = (1 - lr.trust_rate) * cooperating + m.stance[net.rev]
    kept, recorded = m._records()
    m._learn()
    np.testing.assert_array_equal(m.knowledge, k)
    np.testing.assert_array_equal(m.seen, seen)
    np.testing.assert_array_equal(m.seen_cooperating, cooperating)
    trust = decisions.belief(
        lr.initial_trust,
        lr.prior_weight,
        cooperating,
        seen,
        kept[net.dst],
        recorded[net.dst],
        lr.inventory_visibility,
    )
    np.testing.assert_array_equal(m.trust, trust)


def test_partnership_gains_are_the_decision_rules_to_the_last_bit():
    m = TerritoryModel(params(geometry={"n": 60}), rng=4)
    m.run(5)  # policy year 5: municipal elections next year
    c, f = m.contest, m.parameters.foresight
    perceived = decisions.perceived_contest(
        c.reward, c.sucker, c.temptation, c.punishment, m.knowledge * m.spillback
    )
    delta = decisions.continuation(m.steps - m.parameters.run.burn_in, f.continuation, 0.3)
    assert delta < f.continuation
    f = f.model_copy(update={"election_drop": 0.3})
    m.parameters = m.parameters.model_copy(update={"foresight": f})
    values = formation.partnership_values(m)
    gain = decisions.partnership_gain(*perceived, values, m.trust, delta)
    np.testing.assert_array_equal(m.partnership_gain(), gain / np.maximum(c.stake, 1e-12))

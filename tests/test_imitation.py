"""M6: imitation mixed into the partnership decision (docs/model.md), on its own.

With probability ι (``update.imitation``) a logit reviser imitates: it draws a partner j ∝
interdependence and, by the Fermi rule on the scores, takes j's territory-level strategy on all
its edges; otherwise it decides each partnership by M1's logit.
"""

import copy

import numpy as np
import pytest
from scipy.special import expit

from cohesim.analysis.statistics import paired_difference
from cohesim.analysis.stylised_facts import _assortment
from cohesim.experiments import build_model, load_scenario
from cohesim.experiments.mesa_reference import ReferenceModel
from cohesim.model import TerritoryModel, decisions

from helpers import NO_STRUCTURES, SCENARIOS, invoke, params, write

BASELINE = SCENARIOS / "baseline.toml"


def uniform(model: TerritoryModel, i: int) -> set[bool]:
    """The distinct stances of territory i towards its partners."""
    net = model.network
    return set(model.stance[net.indptr[i] : net.indptr[i + 1]].tolist())


# -- ι = 0 is M1 exactly ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 7])
def test_no_imitation_is_the_logit_rule_draw_for_draw(seed):
    """ι = 0: the stances are M1's from the same draws, and no draw more is taken."""
    p = params(update={"imitation": 0.0})
    model = TerritoryModel(p, rng=seed)
    model.run(4)
    u, net, n = p.update, model.network, len(model.population)
    for _ in range(3):
        rng = copy.deepcopy(model.rng)
        gain = model.partnership_gain()
        expected = model.stance.copy()
        model._revise()
        revisers = rng.random(n) < u.revision_rate
        edges = np.flatnonzero(revisers[net.src])
        chosen = rng.random(len(edges)) < expit(gain[edges] / u.noise)
        expected[edges] = decisions.mutate(chosen, u.mutation, rng)
        np.testing.assert_array_equal(model.stance, expected)
        assert model.rng.bit_generator.state == rng.bit_generator.state
        model.step()


# -- ι = 1, noise → 0: the Fermi rule on scores ---------------------------------------------


def imitating_model() -> TerritoryModel:
    """A small model whose revisers always imitate, with (almost) no noise and no mutation."""
    p = params(
        geometry={"n": 40},
        update={"imitation": 1.0, "noise": 0.01, "mutation": 0.0},
        **NO_STRUCTURES,
    )
    model = TerritoryModel(p, rng=11)
    model.run(3)
    return model


@pytest.mark.parametrize("better", [True, False])
def test_an_imitator_copies_a_better_partner_and_never_a_worse_one(better):
    """Territory i competes on every edge; all its partners cooperate.

    Partners scoring clearly more: i cooperates with everyone after revising. Scoring clearly
    less: i keeps all its stances.
    """
    model = imitating_model()
    net = model.network
    gain = model.partnership_gain()
    tried = 0
    for i in np.flatnonzero(net.degree > 0):
        lo, hi = net.indptr[i], net.indptr[i + 1]
        partners = net.dst[lo:hi]
        if not (net.interdependence[lo:hi] > 0).any():
            continue
        tried += 1
        model.cooperate[:] = True
        model.stance[:] = True
        model.cooperate[i] = False
        model.stance[lo:hi] = False
        # scores are payoffs per inhabitant over the payoff scale: ±1 is 100 times the noise
        model.payoff[:] = (1.0 if better else -1.0) * model.population * model.payoff_scale
        model.payoff[i] = 0.0
        assert (model._scores(partners) > model._scores(np.array([i])) + 0.5).all() == better
        before = model.stance.copy()
        model._revise_territories(np.array([i]), model._scores, gain)
        if better:
            assert uniform(model, i) == {True}
            assert model.cooperate[i]
        else:
            np.testing.assert_array_equal(model.stance, before)
            assert not model.cooperate[i]
    assert tried > 30


def test_synchronous_imitators_copy_only_better_partners_read_before_anyone_revised():
    """All revise at once with distinct scores: a territory that changed now plays, on every
    edge, the former strategy of a partner that scored more; the best of each neighbourhood
    keeps its stances."""
    model = imitating_model()
    net, n = model.network, len(model.population)
    rng = np.random.default_rng(4)  # the test's own set-up, not the model's stream
    model.cooperate[:] = rng.random(n) < 0.5
    model.stance[:] = rng.random(len(net.src)) < 0.5  # mixed stances: a change is visible
    model.payoff[:] = rng.permutation(n) * model.population * model.payoff_scale
    score = model._scores(np.arange(n))
    strategy, before = model.cooperate.copy(), model.stance.copy()
    changed = 0
    model._revise_territories(np.arange(n), model._scores, model.partnership_gain())
    for i in range(n):
        lo, hi = net.indptr[i], net.indptr[i + 1]
        if np.array_equal(model.stance[lo:hi], before[lo:hi]):
            continue
        changed += 1
        partners = net.dst[lo:hi]
        (copied,) = uniform(model, i)
        assert ((score[partners] > score[i]) & (strategy[partners] == copied)).any()
    assert changed > 5
    # a territory scoring more than all its partners never changes
    for i in range(n):
        lo, hi = net.indptr[i], net.indptr[i + 1]
        if hi > lo and (score[net.dst[lo:hi]] < score[i]).all():
            np.testing.assert_array_equal(model.stance[lo:hi], before[lo:hi])


@pytest.mark.parametrize("schedule", ["synchronous", "random_sequential"])
def test_full_imitation_leaves_each_territory_as_it_was_or_one_stance_for_all(schedule):
    """ι = 1, no mutation: no logit decision, so a revised territory either kept its stances or
    took one strategy for all its partners; under both schedules."""
    p = params(
        geometry={"n": 60},
        update={"imitation": 1.0, "mutation": 0.0, "schedule": schedule},
        **NO_STRUCTURES,
    )
    model = TerritoryModel(p, rng=2)
    net = model.network
    model.run(2)
    rng = np.random.default_rng(9)
    model.stance[:] = rng.random(len(net.src)) < 0.5
    before = model.stance.copy()
    model._revise()
    moved = 0
    for i in np.flatnonzero(net.degree > 1):
        lo, hi = net.indptr[i], net.indptr[i + 1]
        if not np.array_equal(model.stance[lo:hi], before[lo:hi]):
            moved += 1
            assert len(uniform(model, i)) == 1
    assert moved > 0


@pytest.mark.parametrize("schedule", ["synchronous", "random_sequential"])
def test_imitation_runs_reproducibly_and_changes_the_run(schedule):
    def run(imitation):
        p = params(update={"imitation": imitation, "schedule": schedule}, geometry={"n": 60})
        model = TerritoryModel(p, rng=3)
        model.run(10)
        return model.stance.copy()

    np.testing.assert_array_equal(run(0.5), run(0.5))
    assert not np.array_equal(run(0.5), run(0.0))


# -- what imitation does: cooperators cluster -------------------------------------------------


def test_imitation_raises_the_assortment_of_cooperators():
    """P(partner cooperates | cooperator) − the same with strategies shuffled, averaged over
    the baseline's last 10 years (one year alone is noisy at 100 territories): higher with
    ι = 0.5 than with ι = 0, paired over seeds."""
    baseline = load_scenario(BASELINE)
    assortment: dict[float, list[float]] = {0.0: [], 0.5: []}
    for seed in range(16):
        for imitation, values in assortment.items():
            scenario = baseline.with_parameters(**{"run.seed": seed, "update.imitation": imitation})
            model = build_model(scenario)
            assert isinstance(model, TerritoryModel)
            steps = scenario.parameters.run.steps
            model.run(steps - 10)
            late = []
            for _ in range(10):
                model.step()
                late.append(_assortment(model))
            values.append(float(np.mean(late)))
    d = paired_difference(assortment[0.0], assortment[0.5])
    assert d.ci_low > 0, d


# -- bad values and the reference ---------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [("-0.1", "-0.1"), ("1.5", "1.5"), ('"x"', "'x'")])
def test_bad_imitation_exits_2_with_a_clear_message(tmp_path, value, shown):
    scenario = write(tmp_path / "bad.toml", f"[update]\nimitation = {value}\n")
    out = tmp_path / "run"
    result = invoke("run", scenario, "--out", out, "-q")
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    for fragment in (str(scenario), f"update.imitation = {shown}", "0 ≤ value ≤ 1"):
        assert fragment in result.stderr, (fragment, result.stderr)
    assert not out.exists()


def test_the_mesa_reference_refuses_imitation():
    model = TerritoryModel(params(geometry={"n": 30}, update={"imitation": 0.25}), rng=0)
    with pytest.raises(ValueError, match=r"update.imitation = 0, not 'logit', 'synchronous'"):
        ReferenceModel(model)

"""The science review's mechanisms, each on its own (docs/model.md, M1 to M5)."""

import numpy as np
import pytest
from scipy.special import expit

from cohesim.model import (
    TerritoryModel,
    TerritoryTable,
    decisions,
    engineering,
    lookup,
    returns,
    structures,
)
from cohesim.model.kinds import RURAL, URBAN
from cohesim.model.parameters import Structures
from cohesim.model.registry import COMPETING

from helpers import NO_STRUCTURES, params

# -- M1: a forward-looking decision per partnership ---------------------------------------------


@pytest.mark.parametrize("delta", [0.3, 0.5, 0.7])
def test_the_belief_threshold_q_star_separates_cooperating_from_competing(delta):
    """Two territories: the logit choice flips at q* = (P − S)/[(R − δP)/(1 − δ) − T + P − S]."""
    two = TerritoryTable(
        name=np.array(["A", "B"]),
        kind=np.array([URBAN, RURAL], dtype=np.int8),
        population=np.array([30_000.0, 5_000.0]),
        x=np.array([0.0, 8.0]),
        y=np.array([0.0, 0.0]),
        area=np.array([80.0, 120.0]),
    )
    p = params(
        foresight={"continuation": delta, "election_drop": 0.0},
        game={"spillback": 0.0},
        update={"noise": 0.01},
        **NO_STRUCTURES,
    )
    m = TerritoryModel(p, rng=3, territories=two)
    c = m.contest
    q = decisions.cooperation_threshold(
        c.reward[0], c.sucker[0], c.temptation[0], c.punishment[0], delta
    )
    assert 0 < q < 1
    for belief, cooperates in ((q - 0.15, False), (q + 0.15, True)):
        m.trust[:] = belief
        chance = expit(m.partnership_gain()[0] / p.update.noise)
        share = (np.random.default_rng(0).random(2000) < chance).mean()
        assert share > 0.95 if cooperates else share < 0.05
    m.trust[:] = q
    assert abs(m.partnership_gain()[0]) < 1e-9


def test_threshold_at_the_reviews_defaults():
    """R = 0.56, S = 0.2, T = 0.6, P = 0.4 (per unit of stake): q* = 0.125 at δ = 0.9."""
    assert decisions.cooperation_threshold(0.56, 0.2, 0.6, 0.4, 0.9) == pytest.approx(0.125)
    assert decisions.cooperation_threshold(0.56, 0.2, 0.6, 0.4, 0.5) == pytest.approx(0.625)
    # a structure's value enters mutual cooperation and lowers the threshold
    assert decisions.cooperation_threshold(0.56, 0.2, 0.6, 0.4, 0.5, 0.1) < 0.625


def test_cooperation_is_bistable_it_depends_on_where_it_starts():
    """Same parameters, all cooperating and trusted against all competing and distrusted."""

    def long_run(start):
        p = params(
            learning={"initial_trust": start},
            update={"initial_cooperation": start, "noise": 0.02},
            **NO_STRUCTURES,
        )
        shares = []
        for seed in range(3):
            m = TerritoryModel(p, rng=seed)
            m.run(40)
            shares.append(m.metrics_frame()["mutual_cooperation"].iloc[-10:].mean())
        return np.array(shares)

    cooperative, competitive = long_run(1.0), long_run(0.0)
    assert cooperative.min() > 0.6 > 0.2 > competitive.max()


def test_partnerships_go_on_less_surely_the_year_before_municipal_elections():
    # policy year 0 is 2026, an election year: the next are years 6, 12...
    assert decisions.continuation(5, 0.6, 0.5) == pytest.approx(0.3)
    assert decisions.continuation(4, 0.6, 0.5) == pytest.approx(0.6)
    assert decisions.continuation(11, 0.6, 0.5) == pytest.approx(0.3)
    assert decisions.continuation(5, 0.6, 0.0) == pytest.approx(0.6)


def test_a_member_leaves_a_structure_when_it_competes_with_its_fellow_members():
    p = params(engineering={"state_support": 0.5}, learning={"observatory": 0.5})
    m = TerritoryModel(p, rng=2)
    m.run(25)
    held = m.registry.active_members()
    assert len(held) > 0, "no structure formed: pick other settings"
    territory = m.registry.members["territory"][held[0]]
    m.stance[m.network.src == territory] = False  # turns to competing with every partner
    structures.maintain(m)
    mb = m.registry.members
    assert mb["left"][held[0]] == m.steps
    assert mb["cause"][held[0]] == COMPETING


# -- M2: spill-over costs are settled between members, and money is conserved -------------------


@pytest.mark.parametrize("seed", range(4))
def test_transfers_between_members_sum_to_zero(seed):
    """Over draws of the declared ranges of the parameters that move structures and flows."""
    rng = np.random.default_rng(seed)

    def draw(path):
        info = lookup(path)
        return float(rng.uniform(info.minimum, info.maximum))

    m = TerritoryModel(
        params(
            geometry={"n": 80},
            engineering={"state_support": draw("engineering.state_support")},
            funding={"conditional_grant": draw("funding.conditional_grant")},
            learning={"observatory": draw("learning.observatory")},
            structures={"non_member_share": draw("structures.non_member_share")},
        ),
        rng=seed,
    )
    for _ in range(15):
        m.step()
        r = returns.returns(m)
        assert abs(r.edge_transfer.sum()) <= 1e-9 * max(1.0, np.abs(r.edge_transfer).sum())
        np.testing.assert_allclose(r.edge_transfer, -r.edge_transfer[m.network.rev], atol=1e-6)
    assert m.in_structure.any(), "no structure formed: pick other settings"


# -- M3: knowledge reveals the spill-back from partners -------------------------------------------


def test_a_recognised_spillback_turns_the_dilemma_into_a_stag_hunt():
    """C is a best reply to C once k ≥ (T − R)/(R − S); D stays the best reply to D below 1."""
    r, s, t, p = 0.56, 0.2, 0.6, 0.4
    k_star = (t - r) / (r - s)
    below = decisions.perceived_contest(r, s, t, p, k_star - 0.01)
    above = decisions.perceived_contest(r, s, t, p, k_star + 0.01)
    assert below[0] < below[2] and above[0] > above[2]  # R̂ against T̂
    assert above[3] > above[1]  # P̂ > Ŝ: a stag hunt, not harmony


def test_the_observatory_raises_what_territories_perceive_of_the_spillback():
    quiet = TerritoryModel(params(**NO_STRUCTURES), rng=4)
    watched = TerritoryModel(params(learning={"observatory": 0.5}, **NO_STRUCTURES), rng=4)
    quiet.run(15)
    watched.run(15)
    assert (watched.knowledge * watched.spillback).mean() > (
        quiet.knowledge * quiet.spillback
    ).mean()
    assert watched.spillback.max() > 0


# -- M4: beliefs fed by the inventory ------------------------------------------------------------


def test_a_visible_record_of_kept_partnerships_raises_the_belief():
    seen = np.array([2.0, 2.0])
    cooperating = np.array([1.0, 1.0])
    kept, recorded = np.array([5.0, 0.0]), np.array([5.0, 5.0])
    hidden = decisions.belief(0.5, 2.0, cooperating, seen, kept, recorded, 0.0)
    public = decisions.belief(0.5, 2.0, cooperating, seen, kept, recorded, 1.0)
    np.testing.assert_allclose(hidden, [0.5, 0.5])
    assert public[0] > 0.5 > public[1]  # a good record helps, a record of betrayals hurts


# -- M5: engineering as an input to results and to transaction costs -----------------------------


def test_engineering_delivers_with_diminishing_returns():
    share = engineering.staffed_share(np.array([0.0, 0.5, 1.0, 2.0, 4.0]))
    assert share[0] == 0 and np.all(np.diff(share) > 0) and np.all(np.diff(share, 2) < 0)
    assert share[2] == pytest.approx(1 - np.exp(-1))


def test_transaction_costs_rise_with_partners_spread_and_distance_and_fall_with_cover():
    s = Structures()

    def factor(n=2, het=0.0, d=0.0, cover=0.0):
        return float(engineering.transaction_factor(s, n, het, d, cover))

    assert factor(n=5) > factor(n=2)
    assert factor(het=1.0) > factor()
    assert factor(d=50.0) > factor()
    assert factor(cover=1.0) == pytest.approx(factor() / (1 + s.cover_saving))


def test_grants_alone_make_structures_that_end_with_the_grants_engineering_keeps_them():
    """Funding without engineering: paper structures; with engineering they outlive the grants."""

    def ended_with_grants(support):
        p = params(funding={"conditional_grant": 50_000}, engineering={"state_support": support})
        causes = []
        for seed in range(3):
            m = TerritoryModel(p, rng=seed)
            m.run(40)
            inventory = m.inventory_frame()
            causes.append((inventory["exit_cause"] == "grant_ended").sum() / len(inventory))
        return np.mean(causes)

    assert ended_with_grants(0.0) > ended_with_grants(0.5) + 0.05

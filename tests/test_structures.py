"""Cooperation structures, the inventory and the policy levers."""

import numpy as np
import pytest

from cohesim.model import TerritoryModel, TerritoryTable, engineering, formation, structures
from cohesim.model.kinds import CONTRAT, METROPOLE, PERIURBAN, RURAL, STRUCTURE_KINDS, URBAN
from cohesim.model.registry import kind_table, per_year_engineering

from helpers import params

KINDS = ("entente", "contrat", "syndicat", "pole")


def pair(rural_population=8_000.0, urban_kind=URBAN):
    """An urban centre and a rural community 10 km apart."""
    return TerritoryTable(
        name=np.array(["Ville", "Village"]),
        kind=np.array([urban_kind, RURAL], dtype=np.int8),
        population=np.array([50_000.0, rural_population]),
        x=np.array([0.0, 10.0]),
        y=np.array([0.0, 0.0]),
        area=np.array([100.0, 200.0]),
    )


# Two faithful cooperators: imitating the best of two cooperators never changes anything.
STEADY = {"update": {"rule": "imitate_best", "initial_cooperation": 1.0, "mutation": 0.0}}
# Only contrats de réciprocité: the other kinds cost more than they can ever return.
ONLY_CONTRATS = {
    "structures": {k: {"running_cost": 1e6} for k in ("entente", "syndicat", "pole")},
}


# No spill-over costs, so that no structure pays for itself by sharing them: the tests of a
# lever's threshold then turn on the pooled value alone.
NO_SPILLOVER = {
    "services": {
        "domains": {d: {"spillover_cost": 0.0} for d in ("health", "jobs", "mobility", "food")}
    }
}


# Partners who know most of their interdependence, and settle no spill-over costs (M2): the
# tests of a lever's threshold then turn on the structure's value and costs alone.
SEEING = {"learning": {"initial_knowledge": 0.6}, **NO_SPILLOVER}


def pair_model(rural_population=8_000.0, steps=1, **groups):
    merged = {**STEADY, **ONLY_CONTRATS, **SEEING}
    for key, value in groups.items():
        merged[key] = {**merged.get(key, {}), **value}
    if "structures" in groups:
        merged["structures"] = {**ONLY_CONTRATS["structures"], **groups["structures"]}
    m = TerritoryModel(params(**merged), rng=1, territories=pair(rural_population))
    m.run(steps)
    return m


def kinds_formed(m):
    return [STRUCTURE_KINDS[k] for k in m.registry.structures["kind"]]


# -- levers in a controlled setting -------------------------------------------------------------


def test_without_engineering_a_rural_community_cannot_enter_a_contrat():
    m = pair_model(steps=10, funding={"conditional_grant": 100_000})
    free = (1 - m.parameters.engineering.routine_share) * m.engineering[1]
    assert free < 0.3  # a contrat asks 0.5 / 5 + 0.2 FTE a year
    assert m.registry.structures.size == 0


def test_state_engineering_support_lets_the_contrat_form():
    m = pair_model(steps=3, engineering={"state_support": 0.5})
    assert kinds_formed(m) == ["contrat"]
    assert m.registry.structures["formed"][0] == 1


def test_matching_share_large_enough_makes_a_contrat_form():
    costly = {"structures": {"contrat": {"setup_cost": 800_000}}}
    support = {"engineering": {"state_support": 0.5}}
    grant_years = {"grant_years": 5}
    without = pair_model(20_000, 5, **costly, **support, funding=grant_years)
    with_matching = pair_model(
        20_000,
        5,
        **costly,
        **support,
        funding={"matching_share": 0.8, **grant_years},
    )
    assert without.registry.structures.size == 0
    assert kinds_formed(with_matching) == ["contrat"]
    # the state paid 80 % of the setup instalments
    instalment = 800_000 / 5
    assert with_matching.inventory_frame()["funding_received"].iloc[0] == pytest.approx(
        2 * 0.8 * instalment * (with_matching.steps - 0)
    )


def test_observatory_makes_partners_see_the_value_of_cooperating():
    quiet = {"structures": {"distrust_weight": 0.0}, "engineering": {"state_support": 0.5}}
    blind = pair_model(3_000, 30, **quiet, learning={"initial_knowledge": 0.3})
    informed = pair_model(
        3_000, 30, **quiet, learning={"initial_knowledge": 0.3, "observatory": 0.5}
    )
    assert blind.registry.structures.size == 0
    assert kinds_formed(informed) == ["contrat"]
    assert informed.knowledge.min() > 0.6


def test_withdrawn_engineering_support_ends_the_contrat_for_lack_of_engineering():
    m = pair_model(steps=20, engineering={"state_support": 0.5})
    assert m.registry.structures.size == 1 and len(m.registry.active_structures()) == 1
    p = params(
        **STEADY,
        **ONLY_CONTRATS,
        **SEEING,
        engineering={"state_support": 0.5},
        run={"burn_in": 0},
        # while setup is still being spread (5 years), a contrat asks 0.3 FTE a year
        changes=[{"year": 3, "set": {"engineering.state_support": 0.0}}],
    )
    withdrawn = TerritoryModel(p, rng=1, territories=pair())
    withdrawn.run(20)
    inventory = withdrawn.inventory_frame()
    assert list(inventory["exit_cause"]) == ["engineering"]
    assert list(inventory["year_dissolved"]) == [3]


def test_structures_kept_by_grants_end_when_the_grants_end():
    generous = pair_model(
        3_000,
        20,
        engineering={"state_support": 0.5},
        learning={"initial_knowledge": 1.0, "initial_trust": 1.0},
        structures={"contrat": {"running_cost": 50_000}},
        funding={"conditional_grant": 100_000, "grant_years": 3},
        **NO_SPILLOVER,
    )
    inventory = generous.inventory_frame()
    first = inventory.iloc[0]
    assert first["kind"] == "contrat" and first["exit_cause"] == "grant_ended"
    # grants for 3 years, then 3 years of losses before leaving
    assert first["year_dissolved"] - first["year_formed"] == 3 + 3
    assert first["funding_received"] == pytest.approx(3 * 100_000)


def test_annual_cap_limits_the_money_the_state_pays():
    rich = {
        "funding": {"conditional_grant": 100_000, "matching_share": 0.8},
        "engineering": {"state_support": 0.5},
    }
    uncapped = TerritoryModel(params(**rich), rng=3)
    uncapped.run(15)
    spending = uncapped.metrics_frame()["public_money"]
    cap = float(spending.iloc[1:].median()) / 2
    capped = TerritoryModel(
        params(funding={**rich["funding"], "annual_cap": cap}, engineering=rich["engineering"]),
        rng=3,
    )
    capped.run(15)
    spent = capped.metrics_frame()["public_money"]
    assert (spent <= cap * (1 + 1e-9)).all()
    assert np.isclose(spent, cap, rtol=1e-9).sum() > 5  # the cap binds


def test_pacte_keeps_a_competing_metropole_in_its_alliance():
    p = {**STEADY, **ONLY_CONTRATS, **SEEING, "engineering": {"state_support": 0.5}}
    results = {}
    for obligation in (False, True):
        m = TerritoryModel(
            params(**p, pacte={"obligation": obligation}),
            rng=1,
            territories=pair(urban_kind=METROPOLE),
        )
        m.run(2)
        assert len(m.registry.active_structures()) == 1
        m.cooperate[0] = False  # the métropole turns to competing with its partner
        m.stance[m.network.src == 0] = False
        structures.maintain(m)
        results[obligation] = len(m.registry.active_structures())
    assert results == {False: 0, True: 1}


def test_pacte_makes_a_metropole_form_an_alliance_even_when_competing():
    p = {**STEADY, **ONLY_CONTRATS, **SEEING, "engineering": {"state_support": 0.5}}
    formed = {}
    for obligation in (False, True):
        m = TerritoryModel(
            params(**p, pacte={"obligation": obligation}),
            rng=1,
            territories=pair(urban_kind=METROPOLE),
        )
        m.cooperate[0] = False
        m.stance[m.network.src == 0] = False
        formation.form(m)
        formed[obligation] = kinds_formed(m)
    assert formed == {False: [], True: ["contrat"]}


def test_state_support_targeting():
    kind = np.array([URBAN, PERIURBAN, RURAL, RURAL, METROPOLE])
    free = np.array([5.0, 0.25, 0.1, 0.3, 9.0])
    need = 0.3

    def support(targeting):
        e = params(engineering={"state_support": 0.4, "targeting": targeting}).engineering
        return engineering.state_support(kind, free, e, need)

    pool = 0.4 * 3
    np.testing.assert_allclose(support("uniform"), [0, 0.4, 0.4, 0.4, 0])
    np.testing.assert_allclose(support("rural_first"), [0, 0, 0.6, 0.6, 0])
    # deficits below 0.3 FTE: 0.05 and 0.2, the third has none
    np.testing.assert_allclose(support("needs"), [0, pool * 0.2, pool * 0.8, 0, 0])


def test_metropoles_lend_engineering_to_their_non_urban_partners():
    m = TerritoryModel(params(engineering={"lending_share": 0.2}), rng=2)
    base = TerritoryModel(params(), rng=2)
    lent = m.engineering_lent
    metropole = m.kind == METROPOLE
    assert lent[metropole].sum() > 0 and lent[~metropole].sum() == 0
    gained = m.available_engineering - base.available_engineering
    np.testing.assert_allclose(gained[metropole], -lent[metropole])
    receivers = gained > 1e-12
    assert not (np.isin(m.kind[receivers], [METROPOLE, URBAN])).any()
    assert gained[receivers].sum() == pytest.approx(lent.sum())


# -- accounting and the inventory ---------------------------------------------------------------

LEVERS = {
    "funding": {"conditional_grant": 40_000, "annual_cap": 2_000_000},
    "engineering": {"state_support": 0.4, "lending_share": 0.1},
    "learning": {"observatory": 0.3},
    "pacte": {"obligation": True},
    "changes": [{"year": 5, "set": {"funding.conditional_grant": 0.0}}],
}


@pytest.fixture(scope="module")
def busy():
    """A run where every kind of structure forms and dissolves, with the accounting checked
    after each step."""
    m = TerritoryModel(params(geometry={"n": 120}, **LEVERS), rng=5)
    checks = []
    for _ in range(30):
        m.step()
        held, need = structures.engineering_commitments(m)
        used = np.bincount(m.registry.members["territory"][held], need, len(m.population))
        checks.append(bool(np.all(used <= m.available_engineering + 1e-9)))
    return m, checks


def test_engineering_used_never_exceeds_what_territories_have_plus_support(busy):
    m, checks = busy
    assert all(checks)
    assert m.metrics_frame()["engineering_used"].max() > 0


def test_state_money_never_exceeds_the_cap_and_matches_the_inventory(busy):
    m, _ = busy
    frame = m.metrics_frame()
    assert (frame["public_money"] <= 2_000_000 * (1 + 1e-9)).all()
    # no matching share: all the state's money went to structures
    assert frame["public_money"].sum() == pytest.approx(
        m.inventory_frame()["funding_received"].sum()
    )
    year = frame["year"]
    assert (frame.loc[year >= 5 + 3, "public_money"] == 0).all()  # grants withdrawn


def test_inventory_members_existed_and_were_neighbours(busy):
    m, _ = busy
    inventory = m.inventory_frame()
    assert set(inventory["kind"]) >= {"entente", "contrat"}
    edges = set(zip(m.network.src.tolist(), m.network.dst.tolist(), strict=True))
    for members, names, kinds in zip(
        inventory["members"], inventory["member_names"], inventory["member_kinds"], strict=True
    ):
        assert len(members) >= 2 and len(set(members)) == len(members)
        assert all(0 <= t < len(m.population) for t in members)
        assert names == [str(m.name[t]) for t in members]
        assert kinds == [m.territories[t].kind for t in members]
        for t in members:  # each member is a partner of another member
            assert any((t, u) in edges for u in members if u != t)


def test_contrats_are_urban_rural_pairs_and_poles_have_an_urban_member(busy):
    m, _ = busy
    inventory = m.inventory_frame()
    urban = {"metropole", "urban"}
    for kind, kinds in zip(inventory["kind"], inventory["member_kinds"], strict=True):
        if kind == "contrat":
            assert len(kinds) == 2 and len(urban & set(kinds)) == 1 and set(kinds) - urban
        if kind == "pole":
            assert urban & set(kinds)


def test_dissolved_structures_have_a_cause_and_active_ones_none(busy):
    m, _ = busy
    inventory = m.inventory_frame()
    ended = inventory["year_dissolved"].notna()
    assert ended.any() and (~ended).any()
    assert inventory.loc[ended, "exit_cause"].notna().all()
    assert inventory.loc[~ended, "exit_cause"].isna().all()
    memberships = m.memberships_frame()
    left = memberships["year_left"].notna()
    assert memberships.loc[left, "exit_cause"].notna().all()


def test_time_series_counts_equal_counts_from_the_inventory(busy):
    m, _ = busy
    frame, inventory = m.metrics_frame(), m.inventory_frame()
    formed, ended = inventory["year_formed"], inventory["year_dissolved"]
    for _, row in frame.iterrows():
        year = row["year"]
        alive = (formed <= year) & (ended.isna() | (ended > year)).to_numpy(dtype=bool)
        assert row["structures_active"] == alive.sum()
        for kind in KINDS:
            assert row[f"structures_active_{kind}"] == (alive & (inventory["kind"] == kind)).sum()
        if row["step"] > 0:
            assert row["structures_formed"] == (formed == year).sum()
            assert row["structures_dissolved"] == (ended == year).sum()


def test_no_territory_holds_two_memberships_of_one_structure_at_once(busy):
    m, _ = busy
    held = m.registry.active_members()
    pairs = set()
    for s, t in zip(
        m.registry.members["structure"][held], m.registry.members["territory"][held], strict=True
    ):
        assert (s, t) not in pairs
        pairs.add((s, t))


def test_a_contrat_is_one_of_the_kinds_formed_between_the_pair_only_once():
    m = pair_model(steps=15, engineering={"state_support": 0.5})
    assert kinds_formed(m) == ["contrat"]  # never a second one while the first lives
    assert m.registry.structures["kind"][0] == CONTRAT


def test_state_engineering_is_counted_in_public_spending():
    # defect 2 of the science review: 0.4 FTE of state engineering per rural territory was
    # counted as 0 € of public money, so every cost comparison favoured engineering
    m = pair_model(steps=2, engineering={"state_support": 0.4})
    staff = 0.4 * m.parameters.engineering.fte_cost  # one rural territory in the pair
    frame = m.metrics_frame()
    assert m.public_money == 0.0  # no grant, no matching
    assert frame["public_engineering"].iloc[-1] == pytest.approx(staff)
    assert frame["public_spending"].iloc[-1] == pytest.approx(staff)
    # levers act from step 0 here (no burn-in): step 0 is paid too
    assert frame["public_spending_cumulative"].iloc[-1] == pytest.approx(len(frame) * staff)


@pytest.mark.parametrize("seed", range(5))
def test_compiled_commitments_are_per_year_engineering_to_the_last_bit(seed):
    rng = np.random.default_rng(seed)
    p = params(structures={"amortisation_years": int(rng.integers(1, 8))})
    count, n_dom = int(rng.integers(1, 40)), int(rng.integers(1, 5))
    kind = rng.integers(0, len(STRUCTURE_KINDS), count).astype(np.int8)
    domains = rng.random((count, n_dom)) < 0.6
    formed = rng.integers(0, 20, count).astype(np.int32)
    member_structure = rng.integers(0, count, 3 * count).astype(np.int32)
    held = np.flatnonzero(rng.random(3 * count) < 0.7)
    kinds = kind_table(p)
    s = member_structure[held]
    expected = per_year_engineering(
        kinds, kind[s], domains[s].sum(axis=1), 20 - formed[s], p.structures.amortisation_years
    )
    fte = np.array([(k.running_fte, k.setup_fte) for k in kinds])
    got = structures._commitments(
        held, member_structure, kind, domains, formed, 20, fte, p.structures.amortisation_years
    )
    np.testing.assert_array_equal(got, expected)

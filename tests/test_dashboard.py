"""The dashboard's sliders come from the declarations; its model is the CLI's model."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba

from cohesim.experiments import load_scenario, run_scenario
from cohesim.experiments.dashboard import figures, sliders, tables
from cohesim.experiments.dashboard.assets import missing_assets, required_assets
from cohesim.experiments.dashboard.model import DashboardModel
from cohesim.experiments.dashboard.sliders import (
    MAIN_PARAMETERS,
    MAX_TERRITORIES,
    controls,
    settings_overrides,
    slider_paths,
    slider_step,
)
from cohesim.experiments.dashboard.text import PARAMETER_LABELS, TEXT, tr
from cohesim.model.kinds import STRUCTURE_KINDS
from cohesim.model.parameters import lookup, parameter_table
from cohesim.model.registry import EXIT_CAUSES


@pytest.fixture(scope="module")
def classroom(scenarios_dir):
    return load_scenario(scenarios_dir / "classroom.toml")


def test_sliders_are_every_lever_and_the_main_parameters():
    levers = [info.path for info in parameter_table() if info.lever]
    assert levers, "the declarations name no lever"
    assert slider_paths() == levers + [p for p in MAIN_PARAMETERS if p not in levers]


def _controls(scenario, lang="fr"):
    return {c.path: c for c in controls(scenario, lang)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_slider_ranges_are_the_declared_ranges_and_start_at_the_scenarios_values(classroom, lang):
    inputs = _controls(classroom, lang)
    assert list(inputs) == slider_paths()
    for path in slider_paths():
        info, options = lookup(path), inputs[path]
        assert options.value == sliders.parameter_value(classroom.parameters, path)
        if info.choices:
            assert options.kind == "select"
            assert [key for key, _ in options.choices] == list(info.choices)
            continue
        if info.type == "bool":
            assert options.kind == "checkbox"
            continue
        assert options.minimum == info.minimum
        if sliders.is_wide(info):
            assert options.kind == "log"
            assert options.values[0] == info.minimum and options.values[-1] == info.maximum
            continue
        top = min(info.maximum, MAX_TERRITORIES) if path == "geometry.n" else info.maximum
        assert options.maximum == top
        assert options.kind == "slider" and options.integer == (info.type == "int")


def test_sliders_follow_the_scenario_not_the_defaults(classroom):
    changed = classroom.with_parameters(**{"game.attacker_share": 0.93, "update.rule": "fermi"})
    inputs = _controls(changed)
    assert inputs["game.attacker_share"].value == 0.93
    assert inputs["update.rule"].value == "fermi"
    assert inputs["geometry.n"].value == 40 != lookup("geometry.n").default


def test_territory_slider_reaches_a_larger_scenario(classroom):
    big = classroom.with_parameters(**{"geometry.n": 800})
    assert _controls(big)["geometry.n"].maximum == 800


def test_the_annual_cap_gets_a_log_slider_of_round_values():
    """Issue 16: 0 to 10¹² € on a linear slider leaves every useful cap on its first tick."""
    info = lookup("funding.annual_cap")
    assert sliders.is_wide(info)
    values = sliders.log_values(info)
    assert values[0] == 0 and values[-1] == info.maximum
    assert {1e6, 2e6, 5e6, 1e7} <= set(values)
    assert values == sorted(values) and len(values) < 40
    assert sliders.nearest_position(tuple(values), 0.0) == 0
    assert values[sliders.nearest_position(tuple(values), 4.4e6)] == 5e6
    narrow = [p for p in slider_paths() if p != "funding.annual_cap"]
    assert not any(sliders.is_wide(lookup(p)) for p in narrow)


def test_settings_are_shown_in_words_with_french_decimal_commas():
    shown = sliders.shown_value
    assert shown(lookup("pacte.obligation"), False, "fr") == "non"
    assert shown(lookup("pacte.obligation"), True, "en") == "yes"
    assert shown(lookup("game.attacker_share"), 0.7, "fr") == "0,7"
    assert shown(lookup("game.attacker_share"), 0.7, "en") == "0.7"
    assert shown(lookup("funding.annual_cap"), 0.0, "fr") == "sans plafond"
    assert shown(lookup("funding.annual_cap"), 6_333_583.0, "fr") == "6,3\u00a0M€"
    assert shown(lookup("funding.annual_cap"), 2e9, "en") == "2\u00a0bn€"
    assert shown(lookup("engineering.targeting"), "rural_first", "fr") == "ruraux d'abord"


@pytest.mark.parametrize("path", slider_paths())
def test_slider_steps_land_on_the_declared_default(path):
    info = lookup(path)
    if info.choices or info.type == "bool":
        return
    step = slider_step(info)
    if info.type == "int":
        assert step == 1
        return
    ticks = (info.maximum - info.minimum) / step
    assert 10 <= ticks <= 200
    offset = (info.default - info.minimum) / step
    assert offset == pytest.approx(round(offset))


def test_every_slider_is_labelled_in_both_languages_in_words():
    assert set(TEXT["fr"]) == set(TEXT["en"])
    for path in slider_paths():
        assert set(PARAMETER_LABELS[path]) == {"fr", "en"}, path
        info = lookup(path)
        for lang in ("fr", "en"):
            short, long = PARAMETER_LABELS[path][lang]
            assert len(short) <= 28, f"{path}: {short!r} does not fit the sidebar"
            assert len(long) >= len(short)
            label = sliders.parameter_label(info, lang)
            assert label == short
            assert not info.symbol or not label.endswith(info.symbol)  # words, not H_state
    assert sliders.parameter_label(lookup("engineering.state_support"), "fr") == (
        "Ingénierie d'État (ETP)"
    )


def test_an_unlabelled_lever_falls_back_to_its_meaning():
    info = lookup("game.synergy")
    assert sliders.parameter_label(info, "en") == info.meaning
    info = lookup("engineering.fte_cost")
    assert sliders.parameter_label(info, "fr", long=True) == f"{info.meaning} (€/FTE-yr) ω_H"


def test_settings_lose_the_browsers_binary_noise():
    assert settings_overrides({"game.attacker_share": 0.7000000000000001}) == {
        "game.attacker_share": 0.7
    }
    with pytest.raises(ValueError, match=r"unknown parameter 'game\.nope'"):
        settings_overrides({"game.nope": 1.0})


def test_rejected_settings_keep_the_scenario_and_say_why(classroom):
    model = DashboardModel(classroom, **{"geometry.n": 2})
    assert model.problem is not None
    assert "geometry.n = 2" in model.problem
    assert len(model.population) == classroom.parameters.geometry.n


def test_the_dashboard_model_is_the_cli_model(classroom):
    expected = run_scenario(classroom, steps=6).timeseries
    model = DashboardModel(classroom)
    model.run(6)
    pd.testing.assert_frame_equal(model.metrics_frame(), expected)


def test_slider_settings_give_the_run_with_the_same_overrides(classroom):
    settings = {"game.attacker_share": 0.9000000000000001, "funding.matching_share": 0.5}
    model = DashboardModel(classroom, **settings)
    assert model.problem is None
    steps = classroom.parameters.run.burn_in + 5  # levers act from year 0
    model.run(steps)
    cli = load_scenario(
        classroom.files[0], {"game.attacker_share": 0.9, "funding.matching_share": 0.5}
    )
    pd.testing.assert_frame_equal(model.metrics_frame(), run_scenario(cli, steps=steps).timeseries)
    assert model.metrics_frame()["public_spending"].iloc[1:].gt(0).any()


def _scatter_points(fig):
    return sum(
        len(c.get_offsets()) for c in fig.axes[0].collections if isinstance(c, PathCollection)
    )


def _lines(fig):
    return [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_map_draws_every_territory_and_every_link_once(classroom, lang):
    model = DashboardModel(classroom)
    fig = figures.map_figure(model, lang)
    assert _scatter_points(fig) == len(model.population)
    (links,) = _lines(fig)
    assert len(links.get_segments()) == len(model.network.src) // 2
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert tr("cooperate", lang) in legend and tr("rural", lang) in legend
    # every structure kind has its legend entry, structures or not (colours stay put)
    assert all(tr(f"kind_{k}", lang) in legend for k in STRUCTURE_KINDS)


@pytest.fixture(scope="module")
def with_structures(classroom):
    """The classroom region with engineering support and an observatory, 20 policy years on."""
    model = DashboardModel(
        classroom, **{"engineering.state_support": 0.5, "learning.observatory": 0.5}
    )
    model.run(classroom.parameters.run.burn_in + 20)
    return model


def test_structure_links_are_the_analysis_maps_links(with_structures):
    from cohesim.analysis.plots.maps import structure_links

    model = with_structures
    source, target, kind = figures.structure_links(model)
    expected = structure_links(model.inventory_frame(), model.memberships_frame())
    assert len(expected) > 3, "no structure to draw: pick other settings"
    assert sorted(zip(source, target, (STRUCTURE_KINDS[k] for k in kind), strict=True)) == sorted(
        expected.itertuples(index=False, name=None)
    )


def test_map_draws_structures_over_the_links_coloured_by_kind(with_structures):
    model = with_structures
    fig = figures.map_figure(model, "en")
    links, *structures = _lines(fig)
    assert len(links.get_segments()) == len(model.network.src) // 2
    _, _, kind = figures.structure_links(model)
    drawn = {c.get_label(): c for c in structures}
    assert set(drawn) == {STRUCTURE_KINDS[k] for k in kind}
    for name, collection in drawn.items():
        assert len(collection.get_segments()) == np.count_nonzero(
            kind == STRUCTURE_KINDS.index(name)
        )
        np.testing.assert_allclose(
            collection.get_colors()[0], to_rgba(figures.STRUCTURE_COLOURS[name])
        )
    # the widest kinds first, so narrower ones stay visible on top of them
    widths = [c.get_linewidths()[0] for c in structures]
    assert widths == sorted(widths, reverse=True)
    legend = fig.axes[0].get_legend()
    for text, line in zip(legend.get_texts(), legend.get_lines(), strict=True):
        for k in STRUCTURE_KINDS:
            if text.get_text() == tr(f"kind_{k}", "en"):
                assert to_rgba(line.get_color()) == to_rgba(figures.STRUCTURE_COLOURS[k])


def test_kinds_have_their_own_colours_apart_from_the_strategies():
    colours = [figures.STRUCTURE_COLOURS[k] for k in STRUCTURE_KINDS]
    assert len(set(colours)) == len(STRUCTURE_KINDS)
    assert not {figures.COOPERATE_COLOUR, figures.COMPETE_COLOUR} & set(colours)


def test_plots_draw_every_recorded_year(classroom):
    model = DashboardModel(classroom)
    model.run(3)
    frame, run = model.metrics_frame(), model.parameters.run
    for draw in (
        figures.cooperation_figure,
        figures.cohesion_figure,
        figures.money_figure,
        figures.structures_figure,
    ):
        fig = draw(frame, run, "en")
        if draw is figures.structures_figure:
            xdata = fig.axes[0].collections[0].get_paths()[0].vertices[:, 0]
            assert set(xdata) == set(frame["year"])
        else:
            line = fig.axes[0].get_lines()[0]
            np.testing.assert_array_equal(line.get_xdata(), frame["year"])
        assert fig.axes[0].get_xlim() == (-run.burn_in, run.steps - run.burn_in)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_structures_plot_stacks_the_active_structures_by_kind(with_structures, lang):
    frame, run = with_structures.metrics_frame(), with_structures.parameters.run
    fig = figures.structures_figure(frame, run, lang)
    ax = fig.axes[0]
    layers = ax.collections
    assert len(layers) == len(STRUCTURE_KINDS)
    for layer, k in zip(layers, STRUCTURE_KINDS, strict=True):
        np.testing.assert_allclose(
            layer.get_facecolor()[0][:3], to_rgba(figures.STRUCTURE_COLOURS[k])[:3]
        )
    # the top of the stack is the number of active structures, year by year
    top = layers[-1].get_paths()[0].vertices
    tops = {x: y for x, y in top if y > 0}
    assert tops, "no structure formed"
    for year, count in tops.items():
        assert count == frame.loc[frame["year"] == year, "structures_active"].item()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(tr(f"kind_{k}", lang) for k in STRUCTURE_KINDS)
    assert ax.get_title() == TEXT[lang]["structures"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_inventory_table_has_one_row_per_structure_newest_first(with_structures, lang):
    inventory = with_structures.inventory_frame()
    table = tables.inventory_table(inventory, lang)
    t = TEXT[lang]
    assert len(table) == len(inventory) > 0
    assert list(table.columns) == [
        t[k] for k in ("kind", "formed", "ended", "cause", "funding", "members", "domains")
    ]
    assert table[t["formed"]].is_monotonic_decreasing
    active = inventory["year_dissolved"].isna()
    assert (table[t["ended"]] == t["active"]).sum() == active.sum() > 0
    assert set(table[t["kind"]]) <= {tr(f"kind_{k}", lang) for k in STRUCTURE_KINDS}
    causes = set(table[t["cause"]]) - {""}
    assert causes, "no structure ended"
    assert causes <= {tr(f"cause_{c}", lang) for c in EXIT_CAUSES}
    assert (table[t["cause"]] == "").sum() == active.sum()
    assert table[t["funding"]].ge(0).all()


def test_inventory_table_translates_and_shortens():
    inventory = pd.DataFrame(
        {
            "structure_id": [0, 1, 2],
            "kind": pd.Categorical(["syndicat", "entente", "pole"], categories=STRUCTURE_KINDS),
            "domains": [["health"], ["food", "transport"], ["jobs"]],
            "member_names": [
                ["Communauté de communes du Genevois", "Communauté d'agglomération Arlysère"],
                [f"T{i:02d}" for i in range(7)],
                ["Lyon", "Vienne"],
            ],
            "year_formed": [-3, 4, 4],
            "year_dissolved": pd.array([2, None, 9], dtype="Int64"),
            "exit_cause": pd.array(["grant_ended", None, "lost_urban_member"], dtype="string"),
            "funding_received": [12_345.6, 0.0, 1e6],
        }
    )
    table = tables.inventory_table(inventory, "fr")
    assert table.to_dict("records") == [
        {
            "type": "pôle métropolitain",
            "membres": "Lyon, Vienne",
            "domaines": "emploi",
            "créée (année)": 4,
            "dissoute (année)": "9",
            "cause de la fin": "plus de membre urbain",
            "aides reçues (€)": 1_000_000,
        },
        {
            "type": "entente / association",
            "membres": "T00, T01, T02, T03 + 3",
            "domaines": "alimentation, transport",  # a scenario's own domain keeps its name
            "créée (année)": 4,
            "dissoute (année)": "active",
            "cause de la fin": "",
            "aides reçues (€)": 0,
        },
        {
            "type": "syndicat mixte",
            "membres": "CC du Genevois, CA Arlysère",
            "domaines": "santé",
            "créée (année)": -3,
            "dissoute (année)": "2",
            "cause de la fin": "fin des aides",
            "aides reçues (€)": 12_346,
        },
    ]


def test_every_exit_cause_kind_and_standard_domain_reads_the_shared_words():
    from cohesim.model import labels
    from cohesim.model.parameters import DOMAIN_DEFAULTS

    for prefix, keys, table in (
        ("kind_", STRUCTURE_KINDS, labels.STRUCTURE_KINDS),
        ("cause_", EXIT_CAUSES, labels.EXIT_CAUSES),
        ("domain_", DOMAIN_DEFAULTS, labels.DOMAINS),
    ):
        for key in keys:
            assert key in table
            for lang in ("fr", "en"):
                assert tr(prefix + key, lang) == labels.label(key, lang)


def test_the_dashboard_runs_a_france_scenario(scenarios_dir):
    from cohesim.experiments.runs import scenario_territories

    region = load_scenario(scenarios_dir / "auvergne_rhone_alpes.toml")
    territories = scenario_territories(region.parameters)
    model = DashboardModel(region, territories=territories)
    assert model.problem is None
    assert len(model.population) > 100
    model.run(3)
    pd.testing.assert_frame_equal(model.metrics_frame(), run_scenario(region, steps=3).timeseries)


def test_territory_table_lists_every_territory_in_the_chosen_language(classroom):
    model = DashboardModel(classroom)
    table = tables.territory_table(model, "fr")
    assert len(table) == len(model.population)
    assert table[TEXT["fr"]["population"]].is_monotonic_decreasing
    assert set(table[TEXT["fr"]["strategy"]]) <= {tr("cooperate", "fr"), tr("compete", "fr")}
    assert table.iloc[0][TEXT["fr"]["kind"]] == tr("metropole", "fr")


def test_asset_versions_come_from_solaras_templates():
    import solara

    assets = required_assets()
    assert any(a.startswith("@widgetti/solara-vuetify-app@") for a in assets)
    assert any(a.startswith("requirejs@") for a in assets)
    assert solara.__version__ == "1.64.1", "new solara: check docs/dashboard.md asset notes"


def test_missing_assets_are_reported(tmp_path):
    assert missing_assets(tmp_path) == required_assets()


def _cohesim(*args, env=None):
    cli = Path(sys.executable).with_name("cohesim")
    return subprocess.run([str(cli), *args], capture_output=True, text=True, env=env, timeout=60)


def test_dashboard_refuses_a_bad_scenario(tmp_path):
    done = _cohesim("dashboard", str(tmp_path / "nowhere.toml"))
    assert done.returncode == 2
    assert "no such scenario file" in done.stderr


def test_dashboard_without_assets_npm_or_cdn_refuses_with_both_reasons(tmp_path, scenarios_dir):
    import os

    from helpers import free_port

    unreachable = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(tmp_path),
        "SOLARA_ASSETS_CDN": unreachable,
        "PATH": str(tmp_path),  # no npm
        "COLUMNS": "300",
    }
    done = _cohesim("dashboard", str(scenarios_dir / "classroom.toml"), env=env)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "npm is not on the PATH" in message
    assert unreachable in message
    assert "cohesim docs dashboard-assets" in message
    assert "fetching them once" in message  # it said what it tried first
    assert missing_assets(tmp_path) == required_assets()  # nothing half written


def test_without_npm_the_first_start_lets_solaras_proxy_fetch_from_its_cdn(tmp_path, monkeypatch):
    import http.server
    import threading

    from solara import settings as solara_settings
    from solara.server import settings as server_settings

    from cohesim.experiments.dashboard import assets

    site = tmp_path / "site"
    for spec in required_assets():
        (site / spec).mkdir(parents=True)
        (site / spec / "package.json").write_text("{}")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(site))  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(solara_settings.assets, "cdn", f"http://127.0.0.1:{httpd.server_port}/")
        monkeypatch.setattr(server_settings.assets, "proxy_cache_dir", tmp_path / "cache")
        monkeypatch.setenv("PATH", str(tmp_path))  # no npm
        said: list[str] = []
        assert assets.prepare_assets(said.append) == "cdn"
        assert "npm could not fetch them" in said[1]
        assert said[-1].startswith("solara will fetch them from http://127.0.0.1:")
    finally:
        httpd.shutdown()
        httpd.server_close()


# What docs/classroom.md tells teachers they will see, at year 30 of the classroom scenario.
GUIDE_CLAIMS = [
    ({}, 0.05, 0.2),
    ({"funding.matching_share": 0.5}, 0.55, 0.75),
    ({"funding.matching_share": 0.5, "engineering.state_support": 0.3}, 0.7, 0.9),
    ({"engineering.state_support": 0.3}, 0.25, 0.42),
    ({"engineering.state_support": 0.5}, 0.25, 0.45),
    ({"game.attacker_share": 1.0}, 0.0, 0.05),
    ({"game.attacker_share": 1.0, "funding.matching_share": 0.5}, 0.0, 0.06),
    ({"game.attacker_share": 0.5}, 0.9, 1.0),
]


@pytest.mark.parametrize(("settings", "low", "high"), GUIDE_CLAIMS)
def test_the_classroom_guide_describes_what_the_dashboard_shows(classroom, settings, low, high):
    model = DashboardModel(classroom, **settings)
    model.run(classroom.parameters.run.burn_in + 30)
    assert low <= model.cooperation_rate <= high, "docs/classroom.md needs updating"


# What docs/classroom.md says of the structures in experiment 1 (years 0 to 30 of the classroom).
STRUCTURE_CLAIMS = [
    # settings, structures formed since year 0, most at once after year 0, active at year 30
    ({"funding.matching_share": 0.5}, (0, 2), (0, 2), (0, 2)),
    ({"funding.conditional_grant": 50_000}, (125, 165), (55, 80), (55, 80)),
    (
        {"funding.conditional_grant": 50_000, "engineering.state_support": 0.5},
        (105, 145),
        (75, 105),
        (75, 105),
    ),
]


@pytest.mark.parametrize(("settings", "formed", "peak", "active"), STRUCTURE_CLAIMS)
def test_the_classroom_guide_describes_the_structures(classroom, settings, formed, peak, active):
    model = DashboardModel(classroom, **settings)
    model.run(classroom.parameters.run.burn_in + 30)
    inventory, frame = model.inventory_frame(), model.metrics_frame()
    since = inventory[inventory["year_formed"] >= 0]
    ended = since[since["year_dissolved"].notna()]
    lasted = ended["year_dissolved"] - ended["year_formed"]
    after = frame[frame["year"] >= 0]
    assert formed[0] <= len(since) <= formed[1], "docs/classroom.md needs updating"
    assert peak[0] <= after["structures_active"].max() <= peak[1]
    assert active[0] <= frame["structures_active"].iloc[-1] <= active[1]
    if "funding.conditional_grant" not in settings:
        return
    grant_ended = int((ended["exit_cause"] == "grant_ended").sum())
    if "engineering.state_support" in settings:  # "about 20 against 40"
        assert 14 <= grant_ended <= 27
    else:  # "median life 6 years ... about half fin des aides, the others mostly rivalise"
        assert lasted.median() == 6 and 33 <= grant_ended <= 48
        assert 0.4 < grant_ended / len(ended) < 0.65
        assert 0.25 <= (ended["exit_cause"] == "competing").mean() <= 0.5


# The session: what one page holds (no browser needed: solara reactives work outside a page).


@pytest.fixture
def session(classroom):
    from cohesim.experiments.dashboard.session import Session

    return Session(classroom)


def test_a_slider_acts_at_once_before_the_run_starts(session):
    session.set_setting("game.attacker_share", 0.9)
    assert session.model.value.chosen.parameters.game.attacker_share == 0.9
    assert session.pending() == set()


def test_a_slider_moved_during_a_run_waits_for_reset_and_says_so(session):
    session.step()
    session.set_setting("game.attacker_share", 0.9)
    model = session.model.value
    assert model.steps == 1 and model.chosen.parameters.game.attacker_share == 0.7
    assert session.pending() == {"game.attacker_share"}
    session.reset()
    assert session.model.value.chosen.parameters.game.attacker_share == 0.9
    assert session.model.value.steps == 0
    assert session.pending() == set()


def test_a_late_slider_value_after_reset_is_applied_not_lost(session):
    """Issue 16's desync: the Reset reached the server before the slider's last value."""
    session.step()
    session.set_setting("engineering.state_support", 0.01)
    session.reset()  # the click overtook the slider's later value
    session.set_setting("engineering.state_support", 0.5)
    assert session.model.value.chosen.parameters.engineering.state_support == 0.5
    assert session.pending() == set()


def test_reset_keeps_the_previous_run_as_a_trace(session):
    assert session.previous.value is None
    for _ in range(3):
        session.step()
    expected = session.model.value.metrics_frame()
    session.reset()
    pd.testing.assert_frame_equal(session.previous.value, expected)


def test_runs_reaching_the_end_join_the_table_of_finished_runs(session, classroom):
    from cohesim.experiments.dashboard.history import runs_csv, runs_table

    run = classroom.parameters.run
    for _ in range(run.steps):
        session.step()
    assert session.at_end()
    session.set_setting("funding.matching_share", 0.5)
    session.reset()
    for _ in range(run.steps):
        session.step()
    first, second = session.finished.value
    assert (first["run"], second["run"]) == (1, 2)
    assert first["changed"] == {} and second["changed"] == {"funding.matching_share": 0.5}
    frame = session.model.value.metrics_frame()
    assert second["year"] == run.steps - run.burn_in == frame["year"].iloc[-1]
    assert second["cooperation_rate"] == frame["cooperation_rate"].iloc[-1]
    assert second["public_spending_cumulative"] == pytest.approx(
        frame.loc[frame["year"] >= 0, "public_spending"].sum()
    )
    table = runs_table(session.finished.value, "fr")
    assert list(table[tr("changed", "fr")]) == ["scénario tel quel", "Cofinancement (part) = 0,5"]
    csv = runs_csv(session.finished.value, "fr")
    header, row1, row2 = csv.strip().splitlines()
    assert header.split(";")[:2] == ["n°", "réglages changés"]
    assert row2.startswith("2;Cofinancement (part) = 0,5;")
    assert "." not in row2.split(";", 2)[2]  # decimal commas
    assert runs_csv(session.finished.value, "en").splitlines()[0].startswith("no.,")


def test_cohesion_has_two_panels_on_fixed_scales(classroom):
    model = DashboardModel(classroom)
    model.run(3)
    fig = figures.cohesion_figure(model.metrics_frame(), model.parameters.run, "fr")
    gini, gap = fig.axes
    assert gini.get_ylim() == figures.GINI_LIMITS
    assert gap.get_ylim() == figures.GAP_LIMITS
    assert len(gini.get_shared_x_axes().get_siblings(gini)) == 1  # no twin axes


def test_the_previous_run_is_drawn_faded(classroom):
    model = DashboardModel(classroom)
    model.run(5)
    previous = model.metrics_frame()
    again = DashboardModel(classroom)
    again.run(2)
    fig = figures.cooperation_figure(again.metrics_frame(), again.parameters.run, "en", previous)
    faded = [line for line in fig.axes[0].get_lines() if line.get_alpha() == figures.PREVIOUS_ALPHA]
    assert len(faded) == 1
    np.testing.assert_array_equal(faded[0].get_xdata(), previous["year"])
    assert "previous run" in faded[0].get_label()


def test_the_money_plot_gives_the_public_money_spent_since_year_0(classroom):
    from cohesim.experiments.dashboard.text import euros

    model = DashboardModel(classroom, **{"funding.matching_share": 0.5})
    model.run(classroom.parameters.run.burn_in + 5)
    frame = model.metrics_frame()
    spent = frame.loc[frame["year"] >= 0, "public_spending"].sum()
    assert spent > 0
    fig = figures.money_figure(frame, model.parameters.run, "fr")
    assert euros(spent, "fr") in fig.axes[0].get_title()


def test_a_click_on_a_territorys_marker_picks_it(classroom):
    from io import BytesIO

    from matplotlib.image import imread

    from cohesim.experiments.dashboard.components import DPI, PICK_RADIUS, png

    model = DashboardModel(classroom)
    fig = figures.map_figure(model, "fr")
    image = imread(BytesIO(png(fig)))
    pixels = figures.territory_pixels(fig, model)
    height, width = image.shape[:2]
    assert (width, height) == tuple(round(v * DPI) for v in fig.get_size_inches())
    for territory in range(len(model.population)):
        x, y = pixels[territory]
        assert not np.allclose(image[int(y), int(x), :3], 1.0), "no marker where it is said to be"
        picked = figures.nearest_territory(pixels, x + 1, y, PICK_RADIUS)
        assert picked is not None
        assert np.hypot(*(pixels[picked] - pixels[territory])) <= 1.0 + 1e-9 or picked == territory
    assert figures.nearest_territory(pixels, -100, -100, PICK_RADIUS) is None
    labelled = figures.map_figure(model, "fr", picked=3)
    assert str(model.name[3]) in [t.get_text() for t in labelled.axes[0].texts]


# Speed (issue 16, teachers 5): each year redraws only what carries the run's data.


@pytest.mark.parametrize("kind", ["cooperation", "cohesion"])
def test_a_live_plot_updated_year_by_year_is_the_plot_drawn_afresh(classroom, kind):
    from cohesim.experiments.dashboard.components import DPI
    from cohesim.experiments.dashboard.live import LivePlot

    model = DashboardModel(classroom)
    run = model.parameters.run
    live = LivePlot(kind, run, "fr", None, DPI)
    for _ in range(12):
        model.step()
        updated = live.png(model.metrics_frame())
    assert live.redraws == 1  # drawn once, then only updated
    fresh = LivePlot(kind, run, "fr", None, DPI).png(model.metrics_frame())
    assert updated == fresh


def test_stacked_live_plots_redraw_only_when_the_data_leave_the_axis(classroom):
    from cohesim.experiments.dashboard.components import DPI
    from cohesim.experiments.dashboard.live import LivePlot

    # grants make structures form and end all along the run
    model = DashboardModel(classroom, **{"funding.conditional_grant": 50_000})
    run = model.parameters.run
    plots = {k: LivePlot(k, run, "en", None, DPI) for k in ("money", "structures")}
    images = {k: set() for k in plots}
    for _ in range(run.steps):
        model.step()
        for kind, live in plots.items():
            images[kind].add(live.png(model.metrics_frame()))
    for kind, live in plots.items():
        assert 1 <= live.redraws < run.steps // 4, kind
        assert len(images[kind]) > run.steps // 2, f"{kind}: the plot did not follow the run"
    top = plots["structures"]._drawn.fig.axes[0].get_ylim()[1]
    assert model.metrics_frame()["structures_active"].max() <= top


def test_the_live_map_updated_year_by_year_is_the_map_drawn_afresh(classroom):
    from cohesim.experiments.dashboard.components import DPI
    from cohesim.experiments.dashboard.live import LiveMap

    # populations fixed: the live map keeps the axes of its first drawing, markers sized by them
    fixed = classroom.with_parameters(**{"population.migration_rate": 0.0})
    model = DashboardModel(fixed, **{"engineering.state_support": 0.5})
    live = LiveMap(model, "fr", DPI)
    first = live.png(None)
    model.run(classroom.parameters.run.burn_in + 5)
    updated = live.png(3)
    assert updated != first
    assert updated == LiveMap(model, "fr", DPI).png(3)
    fig = figures.map_figure(model, "fr")
    from cohesim.experiments.dashboard.components import png

    png(fig)
    np.testing.assert_allclose(live.pixels, figures.territory_pixels(fig, model))


# What the handouts (docs/handout_fr.md, docs/handout_en.md) tell students they will see. They
# state directions, not numbers: the model's science changes, the direction should not.


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_handouts_name_every_slider_as_the_page_does(repo_root, lang):
    text = (repo_root / "docs" / f"handout_{lang}.md").read_text(encoding="utf-8")
    for path in slider_paths():
        assert sliders.parameter_label(lookup(path), lang) in text, path
    for key in ("reset", "step_button", "cause", "export", "exact"):
        word = tr(key, lang).removeprefix("▶ ")
        assert word in text, key
    assert len(text.splitlines()) <= 60, "no longer one printable page"


def test_handout_experiment_1_fiercer_competition_means_less_cooperation(classroom):
    rates = {}
    for share in (1.0, 0.5):
        model = DashboardModel(classroom, **{"game.attacker_share": share})
        model.run(classroom.parameters.run.burn_in + 10)
        rates[share] = model.cooperation_rate
    assert rates[1.0] < rates[0.5]


def test_handout_experiment_2_grants_alone_make_structures_that_end_with_the_grants(classroom):
    active = {}
    for support in (0.0, 0.5):
        settings = {"funding.conditional_grant": 50_000, "engineering.state_support": support}
        model = DashboardModel(classroom, **settings)
        model.run(classroom.parameters.run.burn_in + 30)
        causes = model.inventory_frame()["exit_cause"].dropna()
        if support == 0.0:
            assert causes.value_counts().index[0] == "grant_ended"
        active[support] = model.metrics_frame()["structures_active"].iloc[-1]
    assert active[0.5] > active[0.0]


def test_handout_experiment_3_a_cap_bounds_every_years_spending(classroom):
    spent = {}
    for cap in (0.0, 200_000.0):
        model = DashboardModel(
            classroom, **{"funding.matching_share": 0.8, "funding.annual_cap": cap}
        )
        model.run(classroom.parameters.run.burn_in + 30)
        frame = model.metrics_frame()
        policy = frame[frame["year"] >= 0]
        if cap:
            assert policy["public_money"].max() == pytest.approx(cap)
            assert policy["public_money"].max() <= cap * (1 + 1e-9)
        spent[cap] = policy["public_spending"].sum()
    assert spent[200_000.0] < spent[0.0]


def test_the_server_opens_the_page_in_the_chosen_language_without_solaras_banner(tmp_path):
    from cohesim.experiments.dashboard.server import LANGUAGE_ENV, server_environment

    scenario = tmp_path / "s.toml"
    env = server_environment(scenario, "en")
    assert env[LANGUAGE_ENV] == "en"
    assert env["SOLARA_THEME_SHOW_BANNER"] == "False"  # it covered the tables' page buttons
    assert server_environment(scenario)[LANGUAGE_ENV] == "fr"


def test_dashboard_refuses_an_unknown_language(scenarios_dir):
    done = _cohesim("dashboard", str(scenarios_dir / "classroom.toml"), "--lang", "de")
    assert done.returncode == 2
    assert "'de' is not one of 'fr', 'en'" in done.stderr

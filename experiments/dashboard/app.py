"""The dashboard page: ``solara run cohesim.experiments.dashboard.app``.

:func:`Page` is what solara serves: the dashboard of the scenario file named in the environment
variable :data:`~cohesim.experiments.dashboard.server.SCENARIO_ENV` (``cohesim dashboard`` sets
it), in the language of :data:`~cohesim.experiments.dashboard.server.LANGUAGE_ENV`.
:func:`Dashboard` is the page of any scenario object, e.g. in a notebook.

The page is laid out as Mesa's SolaraViz lays it out (controls and levers on the left, cards in
two columns) but with its own controls: SolaraViz's speak only English and lose slider moves
(see :mod:`.controls`).
"""

from __future__ import annotations

import os

import solara

from cohesim.experiments.runs import scenario_territories
from cohesim.experiments.scenario import load_scenario
from cohesim.model.territories import TerritoryTable

from .components import (
    STYLE,
    CohesionCard,
    CooperationCard,
    InventoryCard,
    LanguageSwitch,
    MapCard,
    MoneyCard,
    RunsCard,
    StatusCard,
    StructuresCard,
    TerritoryCard,
    language,
)
from .controls import ParameterControls, RunControls
from .model import ScenarioLike
from .server import LANGUAGE_ENV, SCENARIO_ENV
from .session import Session
from .text import LANGUAGES, tr


@solara.component
def Dashboard(scenario: ScenarioLike, territories: TerritoryTable | None = None):
    """The whole page for ``scenario``: controls and levers, map, plots, tables, past runs."""
    session = solara.use_memo(lambda: Session(scenario, territories), [])
    lang = language.value
    solara.Style(STYLE)
    solara.Title(tr("title", lang))
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lang))
        LanguageSwitch()
    with solara.Sidebar(), solara.Column(gap="8px"):
        RunControls(session, lang)
        ParameterControls(session, lang)
    with solara.Column(gap="8px", style={"padding": "8px"}):
        with solara.Div(classes=["cohesim-grid"]):
            with solara.Column(gap="2px"):
                MapCard(session, lang)
            StatusCard(session, lang)
            CooperationCard(session, lang)
            CohesionCard(session, lang)
            MoneyCard(session, lang)
            RunsCard(session, lang)
            StructuresCard(session, lang)
            InventoryCard(session, lang)
        TerritoryCard(session, lang)


@solara.component
def Page():
    """The page solara serves: the dashboard of the scenario in ``$COHESIM_DASHBOARD_SCENARIO``."""
    scenario = solara.use_memo(lambda: load_scenario(os.environ[SCENARIO_ENV]), [])
    territories = solara.use_memo(lambda: scenario_territories(scenario.parameters), [])

    def first_language():
        chosen = os.environ.get(LANGUAGE_ENV, "fr")
        language.set(chosen if chosen in LANGUAGES else "fr")

    solara.use_memo(first_language, [])
    Dashboard(scenario, territories)

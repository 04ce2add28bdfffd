"""The dashboard page, in Mesa's app shape: ``solara run cohesim.experiments.dashboard.app``.

:func:`Page` is what solara serves: the dashboard of the scenario file named in the environment
variable :data:`~cohesim.experiments.dashboard.server.SCENARIO_ENV` (``cohesim dashboard`` sets
it). :func:`Dashboard` is the page of any scenario object, e.g. in a notebook.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from cohesim.experiments.runs import scenario_territories
from cohesim.experiments.scenario import load_scenario
from cohesim.model.territories import TerritoryTable

from .components import COMPONENTS, LanguageSwitch, language
from .model import DashboardModel, ScenarioLike
from .server import SCENARIO_ENV
from .sliders import model_params
from .text import tr


@solara.component
def Dashboard(scenario: ScenarioLike, territories: TerritoryTable | None = None):
    """The whole page for ``scenario``: SolaraViz with our sliders, map, plots and table."""
    model = solara.use_memo(lambda: DashboardModel(scenario, territories=territories), [])
    lang = language.value
    with solara.AppBar():
        LanguageSwitch()
    SolaraViz(
        model,
        components=[(component, 0) for component in COMPONENTS],
        model_params=model_params(scenario, lang, territories),
        name=tr("title", lang),
        play_interval=300,
    )


@solara.component
def Page():
    """The page solara serves: the dashboard of the scenario in ``$COHESIM_DASHBOARD_SCENARIO``."""
    scenario = solara.use_memo(lambda: load_scenario(os.environ[SCENARIO_ENV]), [])
    territories = solara.use_memo(lambda: scenario_territories(scenario.parameters), [])
    Dashboard(scenario, territories)

"""The cards of the dashboard page: the map, the plots, the tables and the status.

Plain functions of the model: SolaraViz wraps each in a component that redraws after every step.
"""

from __future__ import annotations

from collections.abc import Callable

import solara
from matplotlib.figure import Figure

from cohesim.model.parameters import format_number

from .figures import (
    cohesion_figure,
    cooperation_figure,
    map_figure,
    money_figure,
    structures_figure,
)
from .model import DashboardModel
from .tables import inventory_table, settings_summary, territory_table
from .text import LANGUAGES, percent, tr

INVENTORY_ROWS_PER_PAGE = 15
"""Rows per page of the inventory table (solara pages it on the server: only one page is sent)."""

language = solara.reactive("fr")
"""The language of the labels (one per browser session: solara scopes reactives per session)."""


def _figure(make: Callable[[], Figure]) -> None:
    solara.FigureMatplotlib(make(), format="png", dpi=90)


def map_view(model: DashboardModel):
    """The map card."""
    _figure(lambda: map_figure(model, language.value))


def cooperation_plot(model: DashboardModel):
    """The cooperation card."""
    _figure(lambda: cooperation_figure(model.metrics_frame(), model.parameters.run, language.value))


def cohesion_plot(model: DashboardModel):
    """The cohesion card."""
    _figure(lambda: cohesion_figure(model.metrics_frame(), model.parameters.run, language.value))


def money_plot(model: DashboardModel):
    """The public money card."""
    _figure(lambda: money_figure(model.metrics_frame(), model.parameters.run, language.value))


def structures_plot(model: DashboardModel):
    """The structures card."""
    _figure(lambda: structures_figure(model.metrics_frame(), model.parameters.run, language.value))


def status_card(model: DashboardModel):
    """Where the run stands, the settings in force, and any settings that were rejected."""
    lang = language.value
    year = model.steps - model.parameters.run.burn_in
    with solara.Card(f"{tr('scenario', lang)} {model.chosen.name}", margin=0):
        solara.Text(
            f"{tr('step', lang)} {model.steps} · {tr('year', lang)} {year} · "
            f"{format_number(len(model.population))} {tr('table', lang).lower()} · "
            f"{tr('cooperation', lang)} {percent(model.cooperation_rate, lang)}",
            classes=["cohesim-status"],
            style={"display": "block"},
        )
        if model.problem:
            solara.Error(f"{tr('rejected', lang)} {model.problem}")
        # Plain text, not solara.Markdown: Markdown pulls mermaid from a CDN, unusable offline.
        solara.Text(tr("settings", lang), style={"font-weight": "bold"})
        for line in settings_summary(model, lang):
            solara.Text(f"• {line}", style={"display": "block"})


def territory_view(model: DashboardModel):
    """The table of territories, scrolling inside its grid cell."""
    lang = language.value
    with solara.Column(style={"height": "100%", "overflow-y": "auto"}):
        solara.Text(tr("table", lang), style={"font-weight": "bold"})
        solara.DataFrame(territory_table(model, lang), items_per_page=50)


def inventory_view(model: DashboardModel):
    """The inventory of structures, newest first, a page at a time."""
    lang = language.value
    inventory = model.inventory_frame()
    active = int(inventory["year_dissolved"].isna().sum())
    with solara.Column(
        style={"height": "100%", "overflow-y": "auto"}, classes=["cohesim-inventory"]
    ):
        solara.Text(tr("inventory", lang), style={"font-weight": "bold"})
        solara.Text(
            tr("inventory_note", lang).format(formed=len(inventory), active=active),
            classes=["cohesim-inventory-note"],
        )
        solara.DataFrame(inventory_table(inventory, lang), items_per_page=INVENTORY_ROWS_PER_PAGE)


COMPONENTS = [
    map_view,
    cooperation_plot,
    cohesion_plot,
    money_plot,
    structures_plot,
    inventory_view,
    status_card,
    territory_view,
]
"""In SolaraViz's two-column grid: map and cooperation, cohesion and money, structures and their
inventory, status and territories."""


@solara.component
def LanguageSwitch():
    """FR / EN toggle in the app bar."""
    solara.ToggleButtonsSingle(value=language, values=list(LANGUAGES), classes=["cohesim-language"])

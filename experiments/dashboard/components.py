"""The cards of the dashboard page: the map, the plots, the tables, the status and past runs.

Each card reads the session's model and redraws when :attr:`Session.tick` changes; a card whose
drawing depends on nothing that changed keeps its last image (:func:`solara.use_memo`).
"""

from __future__ import annotations

import base64
import io
import math

import pandas as pd
import solara
from matplotlib.figure import Figure

from cohesim.analysis.report import table_html

from .figures import nearest_territory, structure_links
from .history import runs_csv, runs_table
from .live import LiveMap, LivePlot
from .session import Session
from .tables import inventory_table, settings_summary, territory_table
from .text import LANGUAGES, number, percent, tr

INVENTORY_ROWS_PER_PAGE = 8
"""Rows per page of the inventory table: a page fits beside the structures plot at 1366 × 768."""
TERRITORY_ROWS_PER_PAGE = 10
"""Rows per page of the table of territories."""
PICK_RADIUS = 12
"""How close (pixels) a click must fall to a territory's marker to pick it."""
DPI = 80
"""Resolution of the figures: a 6.4-inch figure is 512 pixels wide, two fit side by side at
1366 pixels beside the controls."""

language = solara.reactive("fr")
"""The language of the labels (one per browser session: solara scopes reactives per session)."""


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes at :data:`DPI` (its pixel positions are the browser's)."""
    fig.set_dpi(DPI)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _image(data: bytes, alt: str, classes: list[str]) -> None:
    source = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    solara.v.Html(
        tag="img",
        attributes={"src": source, "alt": alt, "style": "max-width: 100%"},
        class_=" ".join(classes),
    )


@solara.component
def MapCard(session: Session, lang: str):
    """The map; a click on a territory names it, its kind and its strategy."""
    session.tick.get()
    model = session.model.value
    picked = session.picked.value

    live = solara.use_memo(lambda: LiveMap(model, lang, DPI), [lang, id(model)])
    # Strategies and structures are all the map shows of a year: unchanged, it is not redrawn.
    shown = (model.cooperate.tobytes(), *(a.tobytes() for a in structure_links(model)))
    data = solara.use_memo(lambda: live.png(picked), [shown, picked, live, model.steps])
    pixels, width = live.pixels, live.width
    source = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    # At its own pixel size, never scaled: a click's position is then a position in the PNG.
    style = f"cursor: crosshair; width: {width}px; max-width: none"
    image = solara.v.Html(
        tag="img",
        attributes={"src": source, "alt": tr("map", lang), "style": style},
        class_="cohesim-map",
    )

    def on_click(widget, event, payload):
        x, y = float(payload.get("offsetX", -1)), float(payload.get("offsetY", -1))
        session.picked.value = nearest_territory(pixels, x, y, PICK_RADIUS)

    solara.v.use_event(image, "click", on_click)
    frame = model.territories_frame()
    if picked is None:
        text = tr("pick", lang)
    else:
        row = frame.iloc[picked]
        text = tr("picked", lang).format(
            name=row["name"],
            kind=tr(str(row["kind"]), lang),
            strategy=tr(str(row["strategy"]), lang),
            population=number(float(row["population"]), lang),
        )
    solara.Text(text, classes=["cohesim-picked"], style={"display": "block"})


def _plot_card(session: Session, lang: str, kind: str, title: str) -> None:
    """A plot drawn once per run and language, then only its data redrawn each year."""
    tick = session.tick.value
    model = session.model.value
    previous = session.previous.value
    live = solara.use_memo(
        lambda: LivePlot(kind, model.parameters.run, lang, previous, DPI),
        [lang, id(model), id(previous)],
    )
    data = solara.use_memo(lambda: live.png(model.metrics_frame()), [tick, live])
    _image(data, tr(title, lang), [f"cohesim-{kind}"])


@solara.component
def CooperationCard(session: Session, lang: str):
    """Cooperation over the years, with the previous run faded."""
    _plot_card(session, lang, "cooperation", "cooperation")


@solara.component
def CohesionCard(session: Session, lang: str):
    """Gini and the urban / rural ratio, on two fixed scales."""
    _plot_card(session, lang, "cohesion", "cohesion")


@solara.component
def MoneyCard(session: Session, lang: str):
    """Public money each year and since year 0."""
    _plot_card(session, lang, "money", "money")


@solara.component
def StructuresCard(session: Session, lang: str):
    """Structures active, stacked by kind."""
    _plot_card(session, lang, "structures", "structures")


@solara.component
def PagedTable(frame: pd.DataFrame, rows: int, lang: str, classes: list[str]):
    """A table shown ``rows`` at a time, with French or English page buttons."""
    page, set_page = solara.use_state(0)
    pages = max(1, math.ceil(len(frame) / rows))
    page = min(page, pages - 1)
    shown = frame.iloc[page * rows : (page + 1) * rows]
    solara.HTML(
        tag="div",
        unsafe_innerHTML=table_html(shown, lang),
        classes=["cohesim-table", *classes],
    )
    if pages > 1:
        with solara.Row(style={"align-items": "center"}, classes=["cohesim-pages"]):
            solara.Button(
                f"‹ {tr('previous', lang)}",
                on_click=lambda: set_page(page - 1),
                disabled=page == 0,
                text=True,
                small=True,
            )
            solara.Text(tr("page", lang).format(page=page + 1, pages=pages))
            solara.Button(
                f"{tr('next', lang)} ›",
                on_click=lambda: set_page(page + 1),
                disabled=page >= pages - 1,
                text=True,
                small=True,
            )


@solara.component
def InventoryCard(session: Session, lang: str):
    """The inventory of structures, newest first, a page at a time."""
    session.tick.get()
    inventory = session.model.value.inventory_frame()
    active = int(inventory["year_dissolved"].isna().sum())
    with solara.Column(classes=["cohesim-inventory"], gap="4px"):
        solara.Text(tr("inventory", lang), style={"font-weight": "bold"})
        solara.Text(
            tr("inventory_note", lang).format(formed=len(inventory), active=active),
            classes=["cohesim-inventory-note"],
        )
        PagedTable(inventory_table(inventory, lang), INVENTORY_ROWS_PER_PAGE, lang, [])


@solara.component
def StatusCard(session: Session, lang: str):
    """Where the run stands, the settings in force, and any settings that were rejected."""
    session.tick.get()
    model = session.model.value
    year = model.steps - model.parameters.run.burn_in
    with solara.Card(f"{tr('scenario', lang)} {model.chosen.name}", margin=0):
        solara.Text(
            f"{tr('step', lang)} {model.steps} · {tr('year', lang)} {year} · "
            f"{number(len(model.population), lang)} {tr('table', lang).lower()} · "
            f"{tr('cooperation', lang)} {percent(model.cooperation_rate, lang)}",
            classes=["cohesim-status"],
            style={"display": "block"},
        )
        if model.problem:
            solara.Error(f"{tr('rejected', lang)} {model.problem}")
        # Plain text, not solara.Markdown: Markdown pulls mermaid from a CDN, unusable offline.
        solara.Text(tr("settings", lang), style={"font-weight": "bold"})
        for line in settings_summary(model, lang):
            solara.Text(
                f"• {line}",
                style={"display": "block", "font-size": "0.85em"},
                classes=["cohesim-setting"],
            )


@solara.component
def TerritoryCard(session: Session, lang: str):
    """The table of territories, largest first."""
    session.tick.get()
    with solara.Column(gap="4px"):
        solara.Text(tr("table", lang), style={"font-weight": "bold"})
        PagedTable(
            territory_table(session.model.value, lang),
            TERRITORY_ROWS_PER_PAGE,
            lang,
            ["cohesim-territories"],
        )


@solara.component
def RunsCard(session: Session, lang: str):
    """The finished runs side by side, and their export as CSV."""
    finished = session.finished.value
    run = session.model.value.parameters.run
    year = run.steps - run.burn_in
    with solara.Column(gap="4px", classes=["cohesim-runs"]):
        solara.Text(tr("runs", lang).format(year=year), style={"font-weight": "bold"})
        if not finished:
            solara.Text(tr("runs_empty", lang).format(year=year))
            return
        table = runs_table(finished, lang)
        for column in table.columns[2:4]:  # shares as percentages
            table[column] = [percent(v, lang) for v in table[column]]
        solara.HTML(tag="div", unsafe_innerHTML=table_html(table, lang), classes=["cohesim-table"])
        solara.FileDownload(
            runs_csv(finished, lang),
            filename="cohesim_runs.csv",
            label=tr("export", lang),
            mime_type="text/csv",
        )


@solara.component
def LanguageSwitch():
    """FR / EN toggle in the app bar."""
    solara.ToggleButtonsSingle(value=language, values=list(LANGUAGES), classes=["cohesim-language"])


STYLE = """
.cohesim-table table { border-collapse: collapse; font-size: 12px; width: 100%; }
.cohesim-table th, .cohesim-table td { padding: 1px 6px; border-bottom: 1px solid #ddd;
  text-align: right; vertical-align: top; }
.cohesim-table th, .cohesim-table td.text { text-align: left; }
.cohesim-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
.cohesim-grid img { max-width: 100%; height: auto; }
.cohesim-grid img.cohesim-map { max-width: none; }
"""
"""The page's own CSS: compact tables, two columns of cards that fit 1366 × 768."""

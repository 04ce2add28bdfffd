"""The teaching dashboard: a Mesa SolaraViz page on a scenario's territories.

What a class sees: sliders for the policy levers and a few main parameters (derived from the
declarations in :mod:`.parameters`, with the scenario's values as starting points), a map of
territories coloured by strategy with the cooperation structures drawn between their members, live
plots of cooperation, cohesion, public money and structures by kind, the inventory of structures
and a table of territories; labels in French or English. Step, play/pause, speed and reset are
SolaraViz's own controls.

This module knows nothing of files: it is given a scenario object (anything with
``parameters`` and ``with_parameters(**dotted_overrides)``, as
:class:`cohesim.experiments.scenario.Scenario`), so that slider values are validated by the
very code that validates scenario files. ``cohesim dashboard`` serves it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any, Protocol

import matplotlib
import numpy as np
import pandas as pd
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz

from .kinds import KINDS
from .parameters import (
    ParameterInfo,
    Parameters,
    Run,
    format_number,
    lookup,
    parameter_table,
)
from .registry import STRUCTURE_KINDS
from .territories import TerritoryTable
from .territory_model import TerritoryModel

matplotlib.use("Agg")  # figures are rendered to images on the server, never in a window

LANGUAGES = ("fr", "en")
MAIN_PARAMETERS = ("update.rule", "update.noise", "geometry.n")
"""Sliders shown besides the levers (every parameter declared with ``lever=True``)."""
MAX_TERRITORIES = 500
"""Upper end of the territory-count slider: beyond it a map and a browser stop being lively.

Larger regions run in the dashboard too when their scenario file says so."""
SLIDER_TICKS = 50
"""A float slider moves in about this many steps over its declared range (rounded to 1, 2, 5)."""

COOPERATE_COLOUR, COMPETE_COLOUR = "#0072B2", "#E69F00"  # Okabe–Ito: readable by colour-blind
KIND_MARKERS = {"metropole": "*", "urban": "s", "periurban": "^", "rural": "o"}
LINK_COLOUR = "#9a9a9a"
STRUCTURE_COLOURS = {
    "entente": "#009E73",
    "contrat": "#CC79A7",
    "syndicat": "#D55E00",
    "pole": "#222222",
}
"""One colour per structure kind, on the map and the structures plot (Okabe–Ito, without the
strategies' blue and orange)."""
STRUCTURE_WIDTHS = {"pole": 7.0, "syndicat": 5.0, "contrat": 3.2, "entente": 1.3}
"""Line widths (points, for 100 territories or fewer) of each kind's links on the map, drawn widest
first: two structures joining the same territories show as a thin line inside a wider one."""
INVENTORY_ROWS_PER_PAGE = 15
"""Rows per page of the inventory table (solara pages it on the server: only one page is sent)."""
NAMES_SHOWN = 4
"""Member names listed per structure in the inventory; the others are counted (+ 12)."""
SHORT_NAMES = {
    "Communauté de communes ": "CC ",
    "Communauté d'agglomération ": "CA ",
    "Communauté urbaine ": "CU ",
}
"""The usual abbreviations of EPCI names, so that a structure's members fit on a line."""

# Names of the parameters: short on sliders (a long label squeezes the slider to nothing), longer
# in the list of settings in force. A lever missing here falls back to its declared meaning, so a
# new lever always gets a slider.
PARAMETER_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "engineering.state_support": {
        "fr": ("Ingénierie d'État", "Ingénierie d'État par territoire rural ou périurbain (ETP)"),
        "en": ("State engineering", "State engineering per rural or periurban territory (FTE)"),
    },
    "game.attacker_share": {
        "fr": ("Concurrence", "Intensité de la concurrence (part de l'enjeu prise)"),
        "en": ("Competition", "Intensity of competition (share of the stake taken)"),
    },
    "game.attraction": {
        "fr": ("Attractivité", "Dépenses d'attractivité des concurrents (× enjeu)"),
        "en": ("Attraction", "Attraction spending of competitors (× stake)"),
    },
    "learning.observatory": {
        "fr": ("Observatoire", "Observatoire des interdépendances"),
        "en": ("Observatory", "Observatory of interdependencies"),
    },
    "funding.matching_share": {
        "fr": ("Cofinancement", "Part des contributions cofinancée par l'État"),
        "en": ("Matching fund", "Share of contributions matched by the State"),
    },
    "engineering.targeting": {
        "fr": ("Ciblage ingénierie", "Répartition de l'ingénierie d'État (égale, besoins, rural)"),
        "en": ("Support targeting", "How State engineering is shared (equal, needs, rural)"),
    },
    "engineering.lending_share": {
        "fr": ("Prêt métropoles", "Part de l'ingénierie des métropoles prêtée aux voisins"),
        "en": ("Métropole lending", "Share of métropoles' engineering lent to neighbours"),
    },
    "funding.grant_years": {
        "fr": ("Durée des aides", "Années d'aide pour chaque structure (ans)"),
        "en": ("Grant years", "Years of support for each structure (yr)"),
    },
    "funding.conditional_grant": {
        "fr": ("Subvention", "Subvention par structure et par an (€)"),
        "en": ("Grant", "Grant per structure and year (€)"),
    },
    "funding.annual_cap": {
        "fr": ("Plafond annuel", "Budget annuel de l'État pour la coopération (€, 0 = aucun)"),
        "en": ("Annual cap", "State's yearly budget for cooperation (€, 0 = none)"),
    },
    "pacte.obligation": {
        "fr": ("Pacte métropoles", "Pacte État-métropoles : alliance obligatoire"),
        "en": ("Métropole pact", "Pacte État-métropoles: alliance required"),
    },
    "update.rule": {
        "fr": ("Règle de décision", "Règle de décision"),
        "en": ("Decision rule", "Decision rule"),
    },
    "update.noise": {
        "fr": ("Hasard", "Hasard des décisions"),
        "en": ("Randomness", "Randomness of decisions"),
    },
    "geometry.n": {
        "fr": ("Territoires", "Nombre de territoires"),
        "en": ("Territories", "Number of territories"),
    },
}

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "title": "cohesim : coopérer ou rivaliser entre territoires",
        "language": "Langue",
        "year": "Année",
        "step": "Pas",
        "policy_start": "début de la politique",
        "map": "Carte des territoires",
        "cooperate": "coopère",
        "compete": "rivalise",
        "metropole": "métropole",
        "urban": "ville",
        "periurban": "périurbain",
        "rural": "rural",
        "link": "interdépendance",
        "size": "taille : population",
        "km": "km",
        "cooperation": "Coopération",
        "share_territories": "part des territoires",
        "share_population": "part de la population",
        "cohesion": "Cohésion",
        "gini": "Gini du bien-être (0 = égalité)",
        "gap": "écart urbain / rural (1 = aucun)",
        "money": "Argent public dépensé pour la coopération",
        "per_year": "M€ par an",
        "table": "Territoires",
        "name": "nom",
        "kind": "type",
        "strategy": "stratégie",
        "population": "population",
        "welfare": "bien-être (€/hab./an)",
        "rejected": "Réglages refusés, le scénario d'origine est utilisé :",
        "scenario": "Scénario",
        "settings": "Réglages (les leviers agissent à partir de l'année 0)",
        "structures": "Structures de coopération actives",
        "count": "nombre",
        "kind_entente": "entente / association",
        "kind_contrat": "contrat de réciprocité",
        "kind_syndicat": "syndicat mixte",
        "kind_pole": "pôle métropolitain",
        "inventory": "Inventaire des structures",
        "inventory_note": "{formed} formées, {active} actives ; les plus récentes d'abord",
        "members": "membres",
        "domains": "domaines",
        "formed": "créée (année)",
        "ended": "dissoute (année)",
        "active": "active",
        "cause": "cause de la fin",
        "funding": "aides reçues (€)",
        "cause_competing": "un membre rivalise",
        "cause_engineering": "manque d'ingénierie",
        "cause_negative_benefit": "bénéfice négatif",
        "cause_grant_ended": "fin des aides",
        "cause_lost_urban_member": "plus de membre urbain",
        "cause_dissolved": "dissolution",
        "domain_health": "santé",
        "domain_jobs": "emploi",
        "domain_mobility": "mobilité",
        "domain_food": "alimentation",
    },
    "en": {
        "title": "cohesim: territories cooperating or competing",
        "language": "Language",
        "year": "Year",
        "step": "Step",
        "policy_start": "policy starts",
        "map": "Map of territories",
        "cooperate": "cooperates",
        "compete": "competes",
        "metropole": "métropole",
        "urban": "town",
        "periurban": "periurban",
        "rural": "rural",
        "link": "interdependence",
        "size": "size: population",
        "km": "km",
        "cooperation": "Cooperation",
        "share_territories": "share of territories",
        "share_population": "share of population",
        "cohesion": "Cohesion",
        "gini": "Gini of welfare (0 = equality)",
        "gap": "urban / rural gap (1 = none)",
        "money": "Public money spent on cooperation",
        "per_year": "M€ per year",
        "table": "Territories",
        "name": "name",
        "kind": "kind",
        "strategy": "strategy",
        "population": "population",
        "welfare": "welfare (€/inh./yr)",
        "rejected": "Settings rejected, the original scenario is used:",
        "scenario": "Scenario",
        "settings": "Settings (levers act from year 0)",
        "structures": "Active cooperation structures",
        "count": "number",
        "kind_entente": "entente / association",
        "kind_contrat": "reciprocity contract",
        "kind_syndicat": "joint syndicate",
        "kind_pole": "metropolitan pole",
        "inventory": "Inventory of structures",
        "inventory_note": "{formed} formed, {active} active; newest first",
        "members": "members",
        "domains": "domains",
        "formed": "formed (year)",
        "ended": "dissolved (year)",
        "active": "active",
        "cause": "why it ended",
        "funding": "funding received (€)",
        "cause_competing": "a member competes",
        "cause_engineering": "lack of engineering",
        "cause_negative_benefit": "negative net benefit",
        "cause_grant_ended": "grants ended",
        "cause_lost_urban_member": "no urban member left",
        "cause_dissolved": "dissolved",
        "domain_health": "health",
        "domain_jobs": "jobs",
        "domain_mobility": "mobility",
        "domain_food": "food",
    },
}

language = solara.reactive("fr")
"""The language of the labels (one per browser session: solara scopes reactives per session)."""


class ScenarioLike(Protocol):
    """What the dashboard needs of a scenario: its parameters and validated overrides."""

    name: str
    parameters: Parameters

    def with_parameters(self, **overrides: Any) -> ScenarioLike:
        """A copy with dotted-path overrides applied and validated."""
        ...


# -- sliders, derived from the declarations -------------------------------------------------------


def slider_paths() -> list[str]:
    """Dotted paths of the parameters on sliders: every lever, then :data:`MAIN_PARAMETERS`."""
    levers = [info.path for info in parameter_table() if info.lever]
    return levers + [p for p in MAIN_PARAMETERS if p not in levers]


def slider_step(info: ParameterInfo) -> float:
    """Slider increment: 1 for integers, else a round step (1, 2 or 5 × 10^k).

    The largest at most range / SLIDER_TICKS on whose grid, counted from the minimum, the
    declared default lies.
    """
    if info.type == "int":
        return 1
    raw = (info.maximum - info.minimum) / SLIDER_TICKS
    power = 10.0 ** math.floor(math.log10(raw))
    candidates = [m * power * 10.0**k for k in (0, -1, -2) for m in (5, 2, 1)]
    for step in candidates:
        offset = (info.default - info.minimum) / step
        if step <= raw and abs(offset - round(offset)) < 1e-9:
            return step
    return candidates[-1]


def parameter_value(parameters: Parameters, path: str) -> Any:
    """The value of a dotted-path parameter (``game.attacker_share``) in ``parameters``."""
    return reduce(getattr, path.split("."), parameters)


def parameter_label(info: ParameterInfo, lang: str, *, long: bool = False) -> str:
    """A parameter's name and symbol: short for a slider, long for the settings list.

    Without a name of its own, the parameter is called by its declared meaning and unit.
    """
    names = PARAMETER_LABELS.get(info.path, {}).get(lang)
    if names is None:
        unit = f" ({info.unit})" if info.unit else ""
        name = f"{info.meaning}{unit}"
    else:
        name = names[long]
    return f"{name} {info.symbol}" if info.symbol else name


def slider_options(info: ParameterInfo, value: Any, lang: str) -> dict[str, Any]:
    """One SolaraViz user input for a parameter: its kind, range and starting value."""
    label = parameter_label(info, lang)
    if info.choices:
        return {"type": "Select", "label": label, "value": value, "values": list(info.choices)}
    if info.type == "bool":
        return {"type": "Checkbox", "label": label, "value": value}
    if info.minimum is None or info.maximum is None:
        raise ValueError(f"{info.path} has no declared range: it cannot be a slider")
    top = info.maximum
    if info.path == "geometry.n":
        top = min(top, max(MAX_TERRITORIES, value))
    return {
        "type": "SliderInt" if info.type == "int" else "SliderFloat",
        "label": label,
        "value": value,
        "min": info.minimum,
        "max": top,
        "step": slider_step(info),
    }


def model_params(
    scenario: ScenarioLike, lang: str = "fr", territories: TerritoryTable | None = None
) -> dict[str, Any]:
    """SolaraViz ``model_params``: the scenario and its territories (fixed), one input per slider.

    Inputs are keyed by dotted parameter path; they start at the scenario's values.
    ``territories`` are the real territories of a ``france`` scenario, read by the caller
    (this package reads no file).
    """
    params: dict[str, Any] = {"base": scenario, "territories": territories}
    for path in slider_paths():
        info = lookup(path)
        params[path] = slider_options(info, parameter_value(scenario.parameters, path), lang)
    return params


def settings_overrides(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Slider values as dotted-path overrides, floats rounded to their slider's increment.

    Browsers add binary noise to slider values (0.7000000000000001); rounding keeps a value
    typed on a slider identical to the same value in a scenario file.
    """
    overrides = {}
    for path, value in settings.items():
        info = lookup(path)
        if info is None:
            raise ValueError(f"unknown parameter {path!r} from the dashboard")
        if isinstance(value, float) and info.type == "float":
            digits = max(0, -math.floor(math.log10(slider_step(info))))
            value = round(value, digits)
        overrides[path] = value
    return overrides


class DashboardModel(TerritoryModel):
    """The model a dashboard shows: a scenario with the sliders' values applied.

    SolaraViz's reset rebuilds it as ``DashboardModel(**model_params)``: the fixed ``base``
    scenario and one keyword per slider, named by dotted parameter path. Settings the scenario's
    validation rejects leave the base scenario in force and their message in :attr:`problem`.

    Parameters
    ----------
    base
        The scenario (validated); its ``run.seed`` seeds the model, as in ``cohesim run``.
    scenario
        Mesa's own experiment scenario, which SolaraViz passes on reset; unused, since seeds
        come from the cohesim scenario.
    **settings
        Slider values keyed by dotted parameter path.
    """

    def __init__(
        self,
        base: ScenarioLike,
        scenario: Any = None,
        territories: TerritoryTable | None = None,
        **settings: Any,
    ):
        self.problem: str | None = None
        try:
            chosen = base.with_parameters(**settings_overrides(settings))
        except ValueError as error:
            chosen, self.problem = base, str(error)
        self.chosen = chosen
        parameters = chosen.parameters
        super().__init__(parameters, rng=parameters.run.seed, territories=territories)


# -- what is drawn ---------------------------------------------------------------------------------


def _text(key: str, lang: str) -> str:
    return TEXT[lang][key]


def percent(share: float, lang: str) -> str:
    """A share as a whole percentage, with French spacing in French (55 %)."""
    return f"{share:.0%}".replace("%", " %" if lang == "fr" else "%")


def marker_sizes(population: np.ndarray) -> np.ndarray:
    """Marker areas (points²) growing with √population, smaller when territories are many."""
    n = len(population)
    largest = 260 * min(1.0, math.sqrt(100 / max(n, 1)))
    return 6 + largest * np.sqrt(population / population.max())


def link_segments(model: TerritoryModel) -> np.ndarray:
    """Line segments, one per undirected network link: shape (links, 2, 2), the ends' (x, y)."""
    net = model.network
    keep = net.src < net.dst  # each link is stored once per direction
    src, dst = net.src[keep], net.dst[keep]
    start = np.column_stack([model.x[src], model.y[src]])
    end = np.column_stack([model.x[dst], model.y[dst]])
    return np.stack([start, end], axis=1)


def structure_links(model: TerritoryModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active structures as stars from their earliest current member to each other member.

    The links of :func:`cohesim.analysis.maps.structure_links`, read from the model's registry
    without building the inventory. Returns ``(source, target, kind)`` arrays (territory ids and
    structure kind codes), one entry per link.
    """
    registry = model.registry
    held = registry.active_members()
    structure = registry.members["structure"][held]
    territory = registry.members["territory"][held]
    order = np.lexsort((territory, registry.members["joined"][held], structure))
    structure, territory = structure[order], territory[order]
    first = np.r_[True, structure[1:] != structure[:-1]] if len(structure) else np.zeros(0, bool)
    hub = territory[first][np.cumsum(first) - 1]
    keep = hub != territory
    kind = registry.structures["kind"][structure[keep]].astype(np.int64)
    return hub[keep], territory[keep], kind


def map_figure(model: TerritoryModel, lang: str) -> Figure:
    """Territories at their positions, sized by population, coloured by strategy, shaped by kind.

    Network links are thin grey lines; each active structure is drawn over them as links from its
    earliest member to the others, coloured (and wide) by structure kind. The legend names every
    kind, so that its colours stay put while structures come and go.
    """
    fig = Figure(figsize=(6.4, 4.3), layout="constrained")
    ax = fig.subplots()
    ax.add_collection(
        LineCollection(link_segments(model), colors=LINK_COLOUR, linewidths=0.5, alpha=0.6)
    )
    source, target, structure_kind = structure_links(model)
    thinner = max(0.5, min(1.0, math.sqrt(100 / len(model.population))))
    for kind in sorted(STRUCTURE_KINDS, key=STRUCTURE_WIDTHS.get, reverse=True):
        mine = structure_kind == STRUCTURE_KINDS.index(kind)
        if mine.any():
            a, b = source[mine], target[mine]
            segments = np.stack(
                [
                    np.column_stack([model.x[a], model.y[a]]),
                    np.column_stack([model.x[b], model.y[b]]),
                ],
                axis=1,
            )
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=STRUCTURE_COLOURS[kind],
                    linewidths=STRUCTURE_WIDTHS[kind] * thinner,
                    capstyle="round",
                    label=kind,
                )
            )
    sizes = marker_sizes(model.population)
    colours = np.where(model.cooperate, COOPERATE_COLOUR, COMPETE_COLOUR)
    for code, kind in enumerate(KINDS):
        mine = model.kind == code
        if mine.any():
            ax.scatter(
                model.x[mine],
                model.y[mine],
                s=sizes[mine] * (2.2 if kind == "metropole" else 1.0),
                c=colours[mine],
                marker=KIND_MARKERS[kind],
                edgecolors="white",
                linewidths=0.5,
                zorder=3,
            )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel(_text("km", lang))
    ax.set_ylabel(_text("km", lang))
    year = model.steps - model.parameters.run.burn_in
    ax.set_title(
        f"{_text('year', lang)} {year} · {_text('cooperation', lang)} "
        f"{percent(model.cooperation_rate, lang)}"
    )
    handles = [
        Line2D(
            [], [], ls="", marker="o", ms=8, color=COOPERATE_COLOUR, label=_text("cooperate", lang)
        ),
        Line2D([], [], ls="", marker="o", ms=8, color=COMPETE_COLOUR, label=_text("compete", lang)),
        *(
            Line2D(
                [], [], ls="", marker=KIND_MARKERS[k], ms=7, color="#555555", label=_text(k, lang)
            )
            for k in KINDS
        ),
        Line2D([], [], color=LINK_COLOUR, label=_text("link", lang)),
    ]
    handles += [
        Line2D(
            [],
            [],
            color=STRUCTURE_COLOURS[k],
            lw=min(STRUCTURE_WIDTHS[k], 4.0),
            label=_text(f"kind_{k}", lang),
        )
        for k in STRUCTURE_KINDS
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize="small",
        frameon=False,
        title=_text("size", lang),
        title_fontsize="small",
    )
    return fig


def _years_axis(ax, frame: pd.DataFrame, run: Run, lang: str) -> None:
    """Years from the start to the scenario's end (or further once there), policy start marked."""
    first = -run.burn_in
    ax.set_xlim(first, max(first + run.steps, int(frame["year"].max())))
    ax.set_xlabel(_text("year", lang))
    if frame["year"].min() <= 0 <= frame["year"].max():
        ax.axvline(0, color="#888888", lw=0.8, ls=":")
        ax.annotate(
            _text("policy_start", lang),
            (0, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            va="top",
            fontsize="x-small",
            color="#666666",
        )


def cooperation_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Share of territories, and of population, that cooperate, year by year."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(
        frame["year"],
        frame["cooperation_rate"],
        color=COOPERATE_COLOUR,
        marker=".",
        label=_text("share_territories", lang),
    )
    ax.plot(
        frame["year"],
        frame["cooperation_rate_pop"],
        color=COOPERATE_COLOUR,
        ls="--",
        label=_text("share_population", lang),
    )
    ax.set_ylim(0, 1)
    ax.set_title(_text("cooperation", lang))
    _years_axis(ax, frame, run, lang)
    ax.legend(fontsize="small", loc="lower left")
    return fig


def cohesion_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Gini of welfare (left axis) and the urban–rural welfare gap (right axis)."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(frame["year"], frame["gini"], color="#CC79A7", marker=".", label=_text("gini", lang))
    ax.set_ylabel("Gini")
    right = ax.twinx()
    right.plot(
        frame["year"],
        frame["urban_rural_gap"],
        color="#009E73",
        marker=".",
        label=_text("gap", lang),
    )
    right.set_ylabel(_text("gap", lang).split(" (")[0])
    ax.set_title(_text("cohesion", lang))
    _years_axis(ax, frame, run, lang)
    lines = ax.get_lines()[:1] + right.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], fontsize="small", loc="best")
    return fig


def money_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Public money spent each year on matching cooperators' contributions, in M€."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.fill_between(frame["year"], frame["public_spending"] / 1e6, color="#56B4E9", alpha=0.5)
    ax.plot(frame["year"], frame["public_spending"] / 1e6, color="#0072B2", marker=".")
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_text("per_year", lang))
    ax.set_title(_text("money", lang))
    _years_axis(ax, frame, run, lang)
    return fig


def structures_figure(frame: pd.DataFrame, run: Run, lang: str) -> Figure:
    """Structures active each year, stacked by kind (the map's colours)."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.stackplot(
        frame["year"],
        *(frame[f"structures_active_{k}"] for k in STRUCTURE_KINDS),
        colors=[STRUCTURE_COLOURS[k] for k in STRUCTURE_KINDS],
        labels=[_text(f"kind_{k}", lang) for k in STRUCTURE_KINDS],
        alpha=0.8,
    )
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(_text("count", lang))
    ax.set_title(_text("structures", lang))
    _years_axis(ax, frame, run, lang)
    ax.legend(
        fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, reverse=True
    )
    return fig


def short_name(name: str) -> str:
    """A territory's name with its EPCI prefix abbreviated (CC, CA, CU)."""
    for long, short in SHORT_NAMES.items():
        if name.startswith(long):
            return short + name.removeprefix(long)
    return name


def _names(names: list[str]) -> str:
    shown = ", ".join(short_name(n) for n in names[:NAMES_SHOWN])
    return f"{shown} + {len(names) - NAMES_SHOWN}" if len(names) > NAMES_SHOWN else shown


def inventory_table(inventory: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The inventory of structures, newest first, in ``lang``.

    Kind, members' names (the first :data:`NAMES_SHOWN`, then how many more), domains, year
    formed, year dissolved or "active", why it ended, and the public funding it received (€).
    """
    newest = inventory.sort_values(["year_formed", "structure_id"], ascending=False)
    ended = newest["year_dissolved"]
    return pd.DataFrame(
        {
            _text("kind", lang): [_text(f"kind_{k}", lang) for k in newest["kind"].astype(str)],
            _text("members", lang): [_names(m) for m in newest["member_names"]],
            _text("domains", lang): [
                ", ".join(TEXT[lang].get(f"domain_{d}", d) for d in domains)
                for domains in newest["domains"]
            ],
            _text("formed", lang): newest["year_formed"].to_numpy(),
            _text("ended", lang): [_text("active", lang) if pd.isna(y) else str(y) for y in ended],
            _text("cause", lang): [
                "" if pd.isna(c) else _text(f"cause_{c}", lang) for c in newest["exit_cause"]
            ],
            _text("funding", lang): newest["funding_received"].round().astype(np.int64).to_numpy(),
        }
    )


def territory_table(model: TerritoryModel, lang: str) -> pd.DataFrame:
    """Territories, largest first: name, kind, strategy, population, welfare, in ``lang``."""
    frame = model.territories_frame().sort_values("population", ascending=False)
    return pd.DataFrame(
        {
            _text("name", lang): frame["name"].to_numpy(),
            _text("kind", lang): [_text(k, lang) for k in frame["kind"].astype(str)],
            _text("strategy", lang): [_text(s, lang) for s in frame["strategy"]],
            _text("population", lang): frame["population"].round().astype(int).to_numpy(),
            _text("welfare", lang): frame["welfare"].round().astype(int).to_numpy(),
        }
    )


# -- what the page shows ---------------------------------------------------------------------------
# Plain functions of the model: SolaraViz wraps each in a component that redraws after every step.


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


def settings_summary(model: DashboardModel, lang: str) -> list[str]:
    """One line per slider parameter: its label and its value, as in force from year 0 on.

    During the burn-in levers are off (docs/model.md); showing the values that will act from
    year 0 tells students what the run is about.
    """
    year = max(0, model.steps - model.parameters.run.burn_in)
    in_force = model.scenario_parameters.at_year(year)
    lines = []
    for path in slider_paths():
        value = parameter_value(in_force, path)
        shown = format_number(value) if isinstance(value, int | float) else str(value)
        lines.append(f"{parameter_label(lookup(path), lang, long=True)} = {shown}")
    return lines


def status_card(model: DashboardModel):
    """Where the run stands, the settings in force, and any settings that were rejected."""
    lang = language.value
    year = model.steps - model.parameters.run.burn_in
    with solara.Card(f"{_text('scenario', lang)} {model.chosen.name}", margin=0):
        solara.Text(
            f"{_text('step', lang)} {model.steps} · {_text('year', lang)} {year} · "
            f"{format_number(len(model.population))} {_text('table', lang).lower()} · "
            f"{_text('cooperation', lang)} {percent(model.cooperation_rate, lang)}",
            classes=["cohesim-status"],
            style={"display": "block"},
        )
        if model.problem:
            solara.Error(f"{_text('rejected', lang)} {model.problem}")
        # Plain text, not solara.Markdown: Markdown pulls mermaid from a CDN, unusable offline.
        solara.Text(_text("settings", lang), style={"font-weight": "bold"})
        for line in settings_summary(model, lang):
            solara.Text(f"• {line}", style={"display": "block"})


def territory_view(model: DashboardModel):
    """The table of territories, scrolling inside its grid cell."""
    lang = language.value
    with solara.Column(style={"height": "100%", "overflow-y": "auto"}):
        solara.Text(_text("table", lang), style={"font-weight": "bold"})
        solara.DataFrame(territory_table(model, lang), items_per_page=50)


def inventory_view(model: DashboardModel):
    """The inventory of structures, newest first, a page at a time."""
    lang = language.value
    inventory = model.inventory_frame()
    active = int(inventory["year_dissolved"].isna().sum())
    with solara.Column(
        style={"height": "100%", "overflow-y": "auto"}, classes=["cohesim-inventory"]
    ):
        solara.Text(_text("inventory", lang), style={"font-weight": "bold"})
        solara.Text(
            _text("inventory_note", lang).format(formed=len(inventory), active=active),
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
        name=_text("title", lang),
        play_interval=300,
    )

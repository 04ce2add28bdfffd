"""The dashboard's labels, in French and English."""

from __future__ import annotations

from cohesim.analysis.report import number
from cohesim.model.labels import label
from cohesim.model.outcomes import outcome_label

__all__ = ["LANGUAGES", "choice_label", "euros", "number", "percent", "series_label", "tr"]

LANGUAGES = ("fr", "en")

# Names of the parameters: words and unit on a slider (no symbols: students read them), longer
# and with the model's symbol in the list of settings in force. A lever missing here falls back to
# its declared meaning, so a new lever always gets a slider.
PARAMETER_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "engineering.state_support": {
        "fr": (
            "Ingénierie d'État (ETP)",
            "Ingénierie d'État par territoire rural ou périurbain (ETP)",
        ),
        "en": (
            "State engineering (FTE)",
            "State engineering per rural or periurban territory (FTE)",
        ),
    },
    "game.attacker_share": {
        "fr": ("Concurrence (part prise)", "Intensité de la concurrence (part de l'enjeu prise)"),
        "en": ("Competition (share taken)", "Intensity of competition (share of the stake taken)"),
    },
    "game.attraction": {
        "fr": ("Attractivité (× enjeu)", "Dépenses d'attractivité des concurrents (× enjeu)"),
        "en": ("Attraction (× stake)", "Attraction spending of competitors (× stake)"),
    },
    "learning.observatory": {
        "fr": ("Observatoire", "Observatoire des interdépendances"),
        "en": ("Observatory", "Observatory of interdependencies"),
    },
    "learning.inventory_visibility": {
        "fr": ("Recensement", "Visibilité publique des coopérations passées (recensement)"),
        "en": ("Inventory", "Public visibility of past partnerships (inventory)"),
    },
    "funding.matching_share": {
        "fr": ("Cofinancement (part)", "Part des contributions cofinancée par l'État"),
        "en": ("Matching fund (share)", "Share of contributions matched by the State"),
    },
    "engineering.targeting": {
        "fr": ("Ciblage de l'ingénierie", "Répartition de l'ingénierie d'État"),
        "en": ("Support targeting", "How State engineering is shared"),
    },
    "engineering.lending_share": {
        "fr": (
            "Prêt des métropoles (part)",
            "Part de l'ingénierie des métropoles prêtée aux voisins",
        ),
        "en": ("Métropole lending (share)", "Share of métropoles' engineering lent to neighbours"),
    },
    "funding.grant_years": {
        "fr": ("Durée des aides (ans)", "Années d'aide pour chaque structure (ans)"),
        "en": ("Grant years (yr)", "Years of support for each structure (yr)"),
    },
    "funding.conditional_grant": {
        "fr": ("Subvention (€/structure/an)", "Subvention par structure et par an (€)"),
        "en": ("Grant (€/structure/yr)", "Grant per structure and year (€)"),
    },
    "funding.annual_cap": {
        "fr": ("Plafond annuel (€/an)", "Budget annuel de l'État pour la coopération (€/an)"),
        "en": ("Annual cap (€/yr)", "State's yearly budget for cooperation (€/yr)"),
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
        "fr": ("Hasard des décisions", "Hasard des décisions"),
        "en": ("Randomness", "Randomness of decisions"),
    },
    "geometry.n": {
        "fr": ("Nombre de territoires", "Nombre de territoires"),
        "en": ("Territories", "Number of territories"),
    },
}

CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "engineering.targeting": {
        "uniform": ("equal shares", "à parts égales"),
        "needs": ("by needs", "selon les besoins"),
        "rural_first": ("rural first", "ruraux d'abord"),
    },
    "update.rule": {
        "logit": ("logit", "logit"),
        "fermi": ("Fermi", "Fermi"),
        "imitate_best": ("imitate the best", "imiter le meilleur"),
        "santos": ("Santos", "Santos"),
    },
}
"""Names of the choices of a select, (English, French); a choice missing here shows its key."""

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "title": "cohesim : coopérer ou rivaliser entre territoires",
        "language": "Langue",
        "year": "Année",
        "step": "Pas",
        "policy_start": "début de la politique",
        "map": "Carte des territoires",
        "link": "interdépendance",
        "size": "taille : population",
        "km": "km",
        "cooperation": "Coopération",
        "cohesion": "Cohésion",
        "money": "Dépense publique pour la coopération",
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
        "inventory": "Inventaire des structures",
        "inventory_note": "{formed} formées, {active} actives ; les plus récentes d'abord",
        "members": "membres",
        "domains": "domaines",
        "formed": "créée (année)",
        "ended": "dissoute (année)",
        "active": "active",
        "cause": "cause de la fin",
        "funding": "aides reçues (€)",
        "controls": "Commandes",
        "reset": "Réinitialiser",
        "play": "▶ Lancer",
        "pause": "❚❚ Pause",
        "step_button": "+1 an",
        "interval": "Intervalle entre deux années (ms)",
        "levers": "Leviers et réglages",
        "applies": (
            "Un curseur agit tout de suite tant que la simulation n'a pas commencé, "
            "sinon au prochain « Réinitialiser »."
        ),
        "pending": "Curseurs modifiés, en attente de « Réinitialiser » :",
        "exact": "valeur exacte",
        "yes": "oui",
        "no": "non",
        "no_cap": "sans plafond",
        "page": "Page {page} sur {pages}",
        "previous": "précédente",
        "next": "suivante",
        "cumulative": "Argent public cumulé depuis l'année 0 : {money}",
        "previous_run": "simulation précédente",
        "runs": "Simulations terminées (valeurs à l'année {year})",
        "runs_empty": "Aucune simulation n'a encore atteint l'année {year}.",
        "export": "Exporter (CSV)",
        "run": "n°",
        "changed": "réglages changés",
        "none_changed": "scénario tel quel",
        "money_total": "argent public cumulé (€)",
        "gini_short": "Gini du bien-être",
        "cooperation_pop": "coopération (part de la population)",
        "cooperation_share": "coopération (part des territoires)",
        "gap_short": "bien-être urbain / rural",
        "pick": "Cliquez un territoire sur la carte pour le voir ici.",
        "picked": "{name} : {kind}, {strategy}, {population} hab.",
    },
    "en": {
        "title": "cohesim: territories cooperating or competing",
        "language": "Language",
        "year": "Year",
        "step": "Step",
        "policy_start": "policy starts",
        "map": "Map of territories",
        "link": "interdependence",
        "size": "size: population",
        "km": "km",
        "cooperation": "Cooperation",
        "cohesion": "Cohesion",
        "money": "Public spending on cooperation",
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
        "inventory": "Inventory of structures",
        "inventory_note": "{formed} formed, {active} active; newest first",
        "members": "members",
        "domains": "domains",
        "formed": "formed (year)",
        "ended": "dissolved (year)",
        "active": "active",
        "cause": "why it ended",
        "funding": "funding received (€)",
        "controls": "Controls",
        "reset": "Reset",
        "play": "▶ Play",
        "pause": "❚❚ Pause",
        "step_button": "+1 year",
        "interval": "Interval between years (ms)",
        "levers": "Levers and settings",
        "applies": (
            "A slider acts at once while the run has not started, otherwise at the next Reset."
        ),
        "pending": "Sliders changed, waiting for Reset:",
        "exact": "exact value",
        "yes": "yes",
        "no": "no",
        "no_cap": "no cap",
        "page": "Page {page} of {pages}",
        "previous": "previous",
        "next": "next",
        "cumulative": "Public money spent since year 0: {money}",
        "previous_run": "previous run",
        "runs": "Finished runs (values at year {year})",
        "runs_empty": "No run has reached year {year} yet.",
        "export": "Export (CSV)",
        "run": "no.",
        "changed": "settings changed",
        "none_changed": "scenario as is",
        "money_total": "public money spent (€)",
        "gini_short": "welfare Gini",
        "cooperation_pop": "cooperation (share of population)",
        "cooperation_share": "cooperation (share of territories)",
        "gap_short": "urban / rural welfare",
        "pick": "Click a territory on the map to see it here.",
        "picked": "{name}: {kind}, {strategy}, {population} inhabitants",
    },
}


CATEGORY_PREFIXES = ("kind_", "cause_", "domain_")
"""Keys ``kind_<structure kind>``, ``cause_<exit cause>`` and ``domain_<domain>`` name the words
of :mod:`cohesim.model.labels`, as do the territory kinds and the two strategies."""


def tr(key: str, lang: str) -> str:
    """The label ``key`` in ``lang``: the dashboard's own words, or a category's shared word."""
    if key in TEXT[lang]:
        return TEXT[lang][key]
    for prefix in CATEGORY_PREFIXES:
        if key.startswith(prefix):
            return label(key.removeprefix(prefix), lang)
    return label(key, lang)


READING = {
    "gini": {"fr": "0 = égalité", "en": "0 = equality"},
    "urban_rural_gap": {"fr": "1 = parité", "en": "1 = parity"},
}
"""How to read a plotted outcome, added to its declared label."""


def series_label(column: str, lang: str) -> str:
    """A plotted outcome's declared label (cohesim.model.outcomes), with how to read it."""
    text = outcome_label(column, lang)
    return f"{text} ({READING[column][lang]})" if column in READING else text


def percent(share: float, lang: str) -> str:
    """A share as a whole percentage, with French spacing in French (55 %)."""
    return f"{share:.0%}".replace("%", "\u00a0%" if lang == "fr" else "%")


EURO_SCALES = ((1e9, "Md€", "bn€"), (1e6, "M€", "M€"), (1e3, "k€", "k€"))
"""Units for amounts of euros, largest first: (size, French, English)."""


def euros(amount: float, lang: str) -> str:
    """An amount of euros as people write it: 6,3 M€ in French, 6.3 M€ in English, 750 €.

    Two significant digits below 10 of the unit, whole units above.
    """
    for size, french, english in EURO_SCALES:
        if abs(amount) >= size:
            value, unit = amount / size, french if lang == "fr" else english
            break
    else:
        value, unit = amount, "€"
    digits = 2 if abs(value) < 10 else 3
    shown = number(round(value) if abs(value) >= 100 else value, lang, digits)
    return f"{shown}\u00a0{unit}"


def choice_label(path: str, choice: str, lang: str) -> str:
    """The name of one choice of a select parameter in ``lang`` (its key when not named)."""
    names = CHOICE_LABELS.get(path, {}).get(choice)
    return names[lang == "fr"] if names else choice

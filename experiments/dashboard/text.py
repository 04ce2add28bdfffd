"""The dashboard's labels, in French and English."""

from __future__ import annotations

from cohesim.model.labels import label
from cohesim.model.outcomes import outcome_label

LANGUAGES = ("fr", "en")

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
    "learning.inventory_visibility": {
        "fr": ("Recensement", "Visibilité publique des coopérations passées (recensement)"),
        "en": ("Inventory", "Public visibility of past partnerships (inventory)"),
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
    return f"{share:.0%}".replace("%", " %" if lang == "fr" else "%")

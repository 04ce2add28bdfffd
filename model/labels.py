"""The words for the model's categories, in English and French, declared once.

Territory kinds, structure kinds, service domains, exit causes and strategies each have one
entry here; reports, the dashboard, figures and the CLI read them, so that a structure kind reads
the same everywhere. French uses the terms of the field (contrat de réciprocité, syndicat mixte,
pôle métropolitain, EPCI); English keeps the French institution in brackets where no English
term is usual.

>>> label("syndicat", "fr"), label("syndicat", "en")
('syndicat mixte', 'joint authority (syndicat mixte)')
>>> label("grant_ended", "fr")
'fin des aides'
"""

from __future__ import annotations

from types import MappingProxyType

LANGUAGES = ("en", "fr")
"""Languages every label exists in."""


def _table(entries: dict[str, tuple[str, str]]) -> MappingProxyType[str, tuple[str, str]]:
    return MappingProxyType(entries)


TERRITORY_KINDS = _table(
    {
        "metropole": ("métropole", "métropole"),
        "urban": ("town", "ville"),
        "periurban": ("periurban", "périurbain"),
        "rural": ("rural", "rural"),
    }
)
"""Kinds of territory (:data:`cohesim.model.kinds.KINDS`)."""

STRUCTURE_KINDS = _table(
    {
        "entente": ("entente or association", "entente / association"),
        "contrat": ("reciprocity contract (contrat de réciprocité)", "contrat de réciprocité"),
        "syndicat": ("joint authority (syndicat mixte)", "syndicat mixte"),
        "pole": ("pôle métropolitain (metropolitan authority)", "pôle métropolitain"),
    }
)
"""Kinds of cooperation structure (:data:`cohesim.model.kinds.STRUCTURE_KINDS`)."""

DOMAINS = _table(
    {
        "health": ("health", "santé"),
        "jobs": ("jobs", "emploi"),
        "mobility": ("mobility", "mobilité"),
        "food": ("food", "alimentation"),
        "culture": ("culture", "culture"),
        "water": ("water", "eau"),
        "environment": ("environment", "environnement"),
    }
)
"""Service domains; a scenario may declare others, which are then shown by their key."""

EXIT_CAUSES = _table(
    {
        "competing": ("a member competes", "un membre rivalise"),
        "engineering": ("lack of engineering", "manque d'ingénierie"),
        "negative_benefit": ("negative net benefit", "bénéfice net négatif"),
        "grant_ended": ("grants ended", "fin des aides"),
        "lost_urban_member": ("no urban member left", "plus de membre urbain"),
        "dissolved": ("dissolved", "dissolution"),
    }
)
"""Why a membership or a structure ended (:data:`cohesim.model.registry.EXIT_CAUSES`)."""

STRATEGIES = _table(
    {
        "cooperate": ("cooperates", "coopère"),
        "compete": ("competes", "rivalise"),
    }
)
"""The two strategies, as the territories table names them."""

PARAMETERS = _table(
    {
        "engineering.state_support": (
            "state engineering per rural or periurban territory",
            "ingénierie d'État par territoire rural ou périurbain",
        ),
        "engineering.targeting": (
            "targeting of state engineering",
            "ciblage de l'ingénierie d'État",
        ),
        "engineering.lending_share": (
            "share of métropoles' engineering lent to partners",
            "part de l'ingénierie des métropoles prêtée aux partenaires",
        ),
        "game.attacker_share": (
            "competition intensity (share of the stake taken)",
            "intensité de la concurrence (part de l'enjeu prise)",
        ),
        "game.attraction": (
            "attraction spending of competitors",
            "dépenses d'attractivité des concurrents",
        ),
        "learning.observatory": (
            "observatory of interdependencies",
            "observatoire des interdépendances",
        ),
        "learning.inventory_visibility": (
            "public visibility of past partnerships (inventory)",
            "visibilité publique des coopérations passées (recensement)",
        ),
        "funding.matching_share": (
            "share of contributions matched by the state",
            "part des contributions cofinancée par l'État",
        ),
        "funding.grant_years": ("years of support per structure", "années d'aide par structure"),
        "funding.conditional_grant": (
            "grant per structure and year",
            "subvention par structure et par an",
        ),
        "funding.annual_cap": (
            "state's yearly budget for cooperation",
            "budget annuel de l'État pour la coopération",
        ),
        "pacte.obligation": (
            "Pacte État-métropoles: alliance required",
            "Pacte État-métropoles : alliance obligatoire",
        ),
        "geometry.n": ("number of territories", "nombre de territoires"),
        "update.noise": ("randomness of decisions", "hasard des décisions"),
        "update.rule": ("decision rule", "règle de décision"),
        "update.imitation": (
            "imitation of successful partners",
            "imitation des partenaires qui réussissent",
        ),
    }
)
"""Names of parameters for readers (sweep reports), by dotted path; every policy lever has one.
Units come from the parameter declarations, not from here."""

UNITS = _table(
    {
        "yr": ("yr", "ans"),
        "FTE": ("FTE", "ETP"),
        "FTE/yr": ("FTE/yr", "ETP/an"),
        "€/yr": ("€/yr", "€/an"),
        "€/structure/yr": ("€/structure/yr", "€/structure/an"),
        "€/inh./yr": ("€/inh./yr", "€/hab./an"),
        "€/user/yr": ("€/user/yr", "€/usager/an"),
        "€/user": ("€/user", "€/usager"),
        "users/inh./yr": ("users/inh./yr", "usagers/hab./an"),
        "€/FTE-yr": ("€/FTE-yr", "€/ETP-an"),
        "inh.": ("inh.", "hab."),
        "steps": ("steps", "pas"),
        "× Q": ("× stake", "× enjeu"),
    }
)
"""Units of parameters as readers write them; a unit not listed reads the same in both."""

_ALL = {
    **TERRITORY_KINDS,
    **STRUCTURE_KINDS,
    **DOMAINS,
    **EXIT_CAUSES,
    **STRATEGIES,
}


def parameter_name(path: str, lang: str) -> str | None:
    """The name of a parameter for readers, or None when :data:`PARAMETERS` has none."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    words = PARAMETERS.get(path)
    return words[LANGUAGES.index(lang)] if words else None


def unit_name(unit: str, lang: str) -> str:
    """A declared unit as readers of ``lang`` write it ("yr" → "ans", "FTE" → "ETP")."""
    words = UNITS.get(unit)
    return words[LANGUAGES.index(lang)] if words else unit


def label(key: str, lang: str) -> str:
    """The word for ``key`` (a kind, domain, exit cause or strategy) in ``lang``.

    An unknown key (a domain a scenario declared, say) is shown as it is, with ``_`` as spaces.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    words = _ALL.get(key)
    return words[LANGUAGES.index(lang)] if words else key.replace("_", " ")

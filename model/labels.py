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
        "pole": ("metropolitan pole (pôle métropolitain)", "pôle métropolitain"),
    }
)
"""Kinds of cooperation structure (:data:`cohesim.model.registry.STRUCTURE_KINDS`)."""

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

_ALL = {
    **TERRITORY_KINDS,
    **STRUCTURE_KINDS,
    **DOMAINS,
    **EXIT_CAUSES,
    **STRATEGIES,
}


def label(key: str, lang: str) -> str:
    """The word for ``key`` (a kind, domain, exit cause or strategy) in ``lang``.

    An unknown key (a domain a scenario declared, say) is shown as it is, with ``_`` as spaces.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    words = _ALL.get(key)
    return words[LANGUAGES.index(lang)] if words else key.replace("_", " ")

"""Every parameter of the model, declared once.

Each parameter is a pydantic field carrying its type, default, valid range, unit, symbol (as in
``docs/model.md``), a one-line meaning and whether it is a policy lever. Scenario validation,
``--set`` overrides, the generated parameter reference (``docs/parameters.md``), sweep ranges and
dashboard sliders are all derived from these declarations; nothing else states a default or a range.

Groups map one-to-one onto the tables of a scenario file (``[geometry]``, ``[game]``...). The
package holds the declaration machinery (:mod:`.declaration`), the groups of the regions
(:mod:`.region`), of the policy model (:mod:`.policy`) and of the validation reductions
(:mod:`.validation`), and the root :class:`Parameters` with the groups every model reads
(:mod:`.root`). Import any of these names from ``cohesim.model.parameters``.
"""

from .declaration import Group, ParameterInfo, format_number, group_class, param, set_dotted
from .policy import (
    KIND_DEFAULTS,
    Budget,
    Engineering,
    Foresight,
    Funding,
    Game,
    Learning,
    Pacte,
    Population,
    StructureKind,
    Structures,
)
from .region import DOMAIN_DEFAULTS, Domain, France, Geometry, Network, Services
from .root import Change, Metrics, Parameters, Run, Update, declared, lookup, parameter_table
from .validation import ClassicGame, Graph, WellMixed

__all__ = [
    "DOMAIN_DEFAULTS",
    "KIND_DEFAULTS",
    "Budget",
    "Change",
    "ClassicGame",
    "Domain",
    "Engineering",
    "Foresight",
    "France",
    "Funding",
    "Game",
    "Geometry",
    "Graph",
    "Group",
    "Learning",
    "Metrics",
    "Network",
    "Pacte",
    "ParameterInfo",
    "Parameters",
    "Population",
    "Run",
    "Services",
    "StructureKind",
    "Structures",
    "Update",
    "WellMixed",
    "declared",
    "format_number",
    "group_class",
    "lookup",
    "param",
    "parameter_table",
    "set_dotted",
]

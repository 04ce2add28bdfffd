"""How a parameter is declared, and what its declaration says: the machinery, no declarations.

:func:`param` declares one parameter as a pydantic field (default, closed range, unit, symbol,
meaning, lever flag); a :class:`Group` is a table of them. :func:`walk` and :func:`find` read the
declarations back as :class:`ParameterInfo` rows, for any tree of groups (a field holding a
group is a sub-table; a ``dict[str, Group]`` field, such as the service domains, a table of
named sub-tables).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from pydantic import BaseModel, ConfigDict, Field


def param(
    default: Any,
    meaning: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    unit: str = "",
    symbol: str = "",
    lever: bool = False,
) -> Any:
    """Declare one parameter: default, closed range [ge, le], unit, symbol, meaning, lever flag."""
    return Field(
        default,
        ge=ge,
        le=le,
        description=meaning,
        json_schema_extra={"unit": unit, "symbol": symbol, "lever": lever},
    )


class Group(BaseModel):
    """A table of parameters: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def fill_defaults(given: Any, defaults: dict[str, dict[str, Any]]) -> Any:
    """Complete partial tables of known names with their own defaults (not the class's)."""
    if not isinstance(given, dict):
        return given
    return {
        name: {**defaults[name], **table} if name in defaults and isinstance(table, dict) else table
        for name, table in given.items()
    }


def set_dotted(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data["a"]["b"]["c"] = value`` for ``path = "a.b.c"``, creating tables as needed."""
    *tables, key = path.split(".")
    for table in tables:
        data = data.setdefault(table, {})
    data[key] = value


@dataclass(frozen=True)
class ParameterInfo:
    """What the declaration says of one parameter (for docs, CLI help, sliders, sweeps)."""

    path: str
    type: str
    default: Any
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...] | None
    unit: str
    symbol: str
    meaning: str
    lever: bool

    def allowed(self) -> str:
        """Describe the allowed values in words."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type == "bool":
            return "true or false"
        if self.type == "list":
            return 'a list of text values, e.g. ["84", "Bretagne"]'
        lo = "" if self.minimum is None else f"{format_number(self.minimum)} ≤ "
        hi = "" if self.maximum is None else f" ≤ {format_number(self.maximum)}"
        return f"{self.type} {lo}value{hi}".strip()


def format_number(value: float) -> str:
    """Numbers as people read them: 500 000, 0.05, 1.2 (no exponents for whole numbers)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:g}"


def field_info(path: str, field: Any) -> ParameterInfo:
    """What the pydantic ``field`` at ``path`` declares (its declared default)."""
    annotation = field.annotation
    choices = typing.get_args(annotation) if typing.get_origin(annotation) is Literal else None
    lo = hi = None
    for constraint in field.metadata:
        lo = getattr(constraint, "ge", lo)
        hi = getattr(constraint, "le", hi)
    extra = field.json_schema_extra or {}
    type_name = "str" if choices else getattr(annotation, "__name__", str(annotation))
    return ParameterInfo(
        path=path,
        type=type_name,
        default=field.default,
        minimum=lo,
        maximum=hi,
        choices=tuple(choices) if choices else None,
        unit=extra.get("unit", ""),
        symbol=extra.get("symbol", ""),
        meaning=field.description or "",
        lever=bool(extra.get("lever", False)),
    )


def walk(prefix: str, cls: type[Group], value: Group) -> list[ParameterInfo]:
    """Every scalar parameter of the group ``value`` (of class ``cls``), under ``prefix``.

    Sub-tables are walked; a table of named sub-tables lists each name's parameters with that
    name's values as defaults.
    """
    rows = []
    for name, field in cls.model_fields.items():
        path = f"{prefix}.{name}"
        named = _named_tables(field.annotation)
        if _is_group(field.annotation):
            rows.extend(walk(path, field.annotation, getattr(value, name)))
        elif named is not None:
            for key, table in getattr(value, name).items():
                rows.extend(walk(f"{path}.{key}", named, table))
        else:
            rows.append(with_default(field_info(path, field), getattr(value, name)))
    return rows


def find(cls: type[Group], value: Group, path: str) -> ParameterInfo | None:
    """The declaration of the parameter at dotted ``path`` below ``value``, else None.

    Any name is accepted in a table of named sub-tables (a new name takes the sub-table's
    declared defaults); the default given is the one in force in ``value``.
    """
    parts = path.split(".")
    k = 0
    while k < len(parts):
        field = cls.model_fields.get(parts[k])
        if field is None:
            return None
        named = _named_tables(field.annotation)
        if named is not None:
            if len(parts) != k + 3:
                return None
            cls, value = named, getattr(value, parts[k]).get(parts[k + 1], named())
            k += 2
            continue
        if _is_group(field.annotation):
            cls, value = field.annotation, getattr(value, parts[k])
            k += 1
            continue
        if k != len(parts) - 1:
            return None
        return with_default(field_info(path, field), getattr(value, parts[k]))
    return None


def with_default(info: ParameterInfo, default: Any) -> ParameterInfo:
    """``info`` with another default (the value in force rather than the declared one)."""
    return ParameterInfo(**{**info.__dict__, "default": default})


def _is_group(annotation: object) -> TypeGuard[type[Group]]:
    return isinstance(annotation, type) and issubclass(annotation, Group)


def group_class(annotation: object) -> type[Group]:
    """The group class of a field that holds one table of parameters; TypeError otherwise."""
    if not _is_group(annotation):
        raise TypeError(f"{annotation!r} is not a table of parameters (a Group subclass)")
    return annotation


def _named_tables(annotation: Any) -> type[Group] | None:
    """The group class of a ``dict[str, Group]`` field, else None."""
    if typing.get_origin(annotation) is not dict:
        return None
    item = typing.get_args(annotation)[1]
    return item if _is_group(item) else None

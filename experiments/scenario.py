"""Scenario files: TOML, with ``extends`` and overrides, validated against the declarations.

A scenario file holds ``name`` (its identifier), ``title`` (the name readers see) and
``description``, an optional ``extends = "other.toml"`` (a path relative to the file) and one
table per parameter group (``[geometry]``, ``[game]``...; see
``docs/parameters.md``). Tables are merged key by key over the file it extends. Every problem is
reported with the file it comes from, the key path, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cohesim.model.parameters import (
    Change,
    Domain,
    Parameters,
    group_class,
    lookup,
    parameter_table,
)

META_KEYS = ("extends", "name", "title", "description")
DISPLAY_LANGUAGES = ("en", "fr")
"""Languages a scenario's ``title`` and ``description`` may be given in (both, or one text)."""


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one message per mistake."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its parameters and where they came from."""

    name: str
    description: str
    parameters: Parameters
    files: tuple[Path, ...] = ()  # the file itself first, then what it extends
    overrides: dict[str, Any] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)  # display name per language
    descriptions: Mapping[str, str] = field(default_factory=dict)  # description per language

    def title(self, lang: str) -> str:
        """The name readers see in ``lang`` ("en" or "fr"); the identifier if none is given."""
        return self.titles.get(lang) or self.name

    def described(self, lang: str) -> str:
        """The description in ``lang``; the one text given for all languages otherwise."""
        return self.descriptions.get(lang) or self.description

    def with_parameters(self, **overrides: Any) -> Scenario:
        """A copy with dotted-path overrides applied and validated (``run.seed=3``...)."""
        return apply_overrides(self, overrides, label="override")

    def resolved(self) -> dict[str, Any]:
        """Everything needed to reproduce the scenario, as plain JSON-able data."""
        return {
            "name": self.name,
            "description": self.description,
            "titles": dict(self.titles),
            "descriptions": dict(self.descriptions),
            "files": portable_paths(self.files),
            "overrides": self.overrides,
            "parameters": self.parameters.model_dump(mode="json"),
        }


def portable_paths(files: Sequence[Path]) -> list[str]:
    """Paths to record in results, that read the same on another machine.

    The first file relative to the working folder (the project root, where commands run), or
    its bare name if it lies outside; the files it extends relative to its own folder.
    Never an absolute path of this machine.

    >>> portable_paths([Path("scenarios/matching_fund.toml"), Path("scenarios/baseline.toml")])
    ['scenarios/matching_fund.toml', 'baseline.toml']
    """
    if not files:
        return []
    first = Path(files[0]).resolve()
    try:
        shown = first.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = first.name
    parents = [Path(os.path.relpath(Path(f).resolve(), first.parent)).as_posix() for f in files[1:]]
    return [shown, *parents]


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file, then apply ``overrides``.

    Raises
    ------
    ScenarioError
        With one message per problem, each naming the file, key path, value and what is allowed.
    """
    path = Path(path)
    data, origin, files = _read_chain(path, ())
    unknown = [k for k in data if k not in META_KEYS and k not in Parameters.model_fields]
    if unknown:
        raise ScenarioError(
            [
                _unknown_key(origin[(k,)], (k,), [*META_KEYS, *Parameters.model_fields])
                for k in unknown
            ]
        )
    if "name" in data and not isinstance(data["name"], str):
        raise ScenarioError([f"{path}: name = {data['name']!r}: expected a string"])
    titles = _display_text(data, "title", path)
    descriptions = _display_text(data, "description", path)
    groups = {k: v for k, v in data.items() if k not in META_KEYS}
    parameters = _validate(groups, origin, str(path))
    scenario = Scenario(
        name=data.get("name", path.stem),
        description=descriptions.get("en", data.get("description", "")),
        parameters=parameters,
        files=files,
        titles=titles,
        descriptions=descriptions,
    )
    return apply_overrides(scenario, overrides or {})


def apply_overrides(
    scenario: Scenario, overrides: Mapping[str, Any], label: str = "--set"
) -> Scenario:
    """Apply dotted-path overrides (``--set game.attacker_share=0.8``) and validate the result."""
    if not overrides:
        return scenario
    problems = []
    data = scenario.parameters.model_dump()
    origin: dict[tuple[str, ...], str] = {}
    for dotted, value in overrides.items():
        keys = tuple(dotted.split("."))
        if lookup(dotted) is None:
            problems.append(_unknown_override(dotted, label))
            continue
        target = data
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value
        origin[keys] = f"{label} {dotted}"
    if problems:
        raise ScenarioError(problems)
    default_origin = str(scenario.files[0]) if scenario.files else "parameters"
    parameters = _validate(data, origin, default_origin)
    merged = {**scenario.overrides, **dict(overrides)}
    return dataclasses.replace(scenario, parameters=parameters, overrides=merged)


def _display_text(data: Mapping[str, Any], key: str, path: Path) -> dict[str, str]:
    """``title`` or ``description``: one text, or a table of texts per language.

    Returns the texts per language: one text stands for every language; none gives {}.
    """
    value = data.get(key, "")
    if isinstance(value, str):
        return {lang: value for lang in DISPLAY_LANGUAGES} if value.strip() else {}
    expected = " and ".join(DISPLAY_LANGUAGES)
    if not isinstance(value, dict) or set(value) != set(DISPLAY_LANGUAGES):
        raise ScenarioError(
            [
                f"{path}: {key} = {value!r}: expected a text, or a table with {expected} texts "
                f'({key} = {{ en = "...", fr = "..." }})'
            ]
        )
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise ScenarioError([f"{path}: {key}.{lang} = {text!r}: expected a non-empty text"])
    return {lang: value[lang] for lang in DISPLAY_LANGUAGES}


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` as given to ``--set``: VALUE is a TOML value, or else a bare string."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise ScenarioError([f"--set {text!r}: expected KEY=VALUE, e.g. game.attacker_share=0.8"])
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


# -- reading and merging -------------------------------------------------------------------------


def _read_chain(
    path: Path, seen: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[tuple[str, ...], str], tuple[Path, ...]]:
    """Read a file and what it extends; merged data, the file each key came from, the files."""
    resolved = path.resolve()
    if resolved in seen:
        cycle = " → ".join(str(p.name) for p in (*seen, resolved))
        raise ScenarioError([f"{seen[-1]}: extends forms a cycle: {cycle}"])
    if not path.is_file():
        where = f"{seen[-1]}: extends = {str(path.name)!r}: " if seen else ""
        raise ScenarioError([f"{where}no such scenario file: {path}"])
    data = read_toml(path)

    own_origin = {keys: str(path) for keys in _leaf_paths(data)}
    parent = data.get("extends")
    if parent is None:
        return data, own_origin, (path,)
    if not isinstance(parent, str):
        raise ScenarioError([f"{path}: extends = {parent!r}: expected a file name (a string)"])
    base, origin, files = _read_chain(path.parent / parent, (*seen, resolved))
    for key in ("name", "title", "description"):  # a file's own, never inherited
        base.pop(key, None)
    merged = _merge(base, {k: v for k, v in data.items() if k != "extends"})
    return merged, {**origin, **own_origin}, (path, *files)


def read_toml(path: Path, error: type[ScenarioError] = ScenarioError) -> dict[str, Any]:
    """A TOML file's tables; unreadable or invalid files raise ``error`` naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as problem:
        raise error([f"{path}: not valid TOML: {problem}"]) from None
    except (OSError, UnicodeDecodeError) as problem:
        raise error([f"{path}: cannot be read: {problem}"]) from None


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _leaf_paths(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    for key, value in data.items():
        yield (*prefix, key)
        if isinstance(value, Mapping):
            yield from _leaf_paths(value, (*prefix, key))


# -- validation ----------------------------------------------------------------------------------


def _validate(
    groups: dict[str, Any], origin: Mapping[tuple[str, ...], str], default_origin: str = "scenario"
) -> Parameters:
    try:
        parameters = Parameters.model_validate(groups, strict=True)
    except ValidationError as error:
        raise ScenarioError(
            [_describe(e, origin, default_origin) for e in error.errors(include_url=False)]
        ) from None
    if parameters.geometry.source == "france":  # a filter that selects nothing is an error now
        from . import france  # reads the tables with pandas: imported only for real territories

        try:
            france.france_territories(parameters)
        except france.SelectionError as error:
            loc = ("france", error.key) if error.key else ("france",)
            where = _file_of(loc, origin, default_origin)
            raise ScenarioError([f"{where}: [{'.'.join(loc)}]: {error}"]) from None
    return parameters


def _file_of(loc: tuple[str, ...], origin: Mapping[tuple[str, ...], str], default: str) -> str:
    for end in range(len(loc), 0, -1):
        if loc[:end] in origin:
            return origin[loc[:end]]
    return default


def _writers(
    table: tuple[str, ...], message: str, origin: Mapping[tuple[str, ...], str], default: str
) -> str:
    """Where the keys a cross-key error names were written (e.g. a parent file, or --set)."""
    named = {
        where
        for keys, where in origin.items()
        if keys[:-1] == table and re.search(rf"\b{re.escape(keys[-1])}\b", message)
    }
    return ", ".join(sorted(named)) if named else default


def _describe(error: Mapping[str, Any], origin: Mapping[tuple[str, ...], str], default: str) -> str:
    loc = tuple(str(part) for part in error["loc"])
    where = _file_of(loc, origin, default)
    dotted = ".".join(loc)
    if error["type"] == "extra_forbidden":
        return _unknown_key(where, loc, _allowed_keys(loc[:-1]))
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        return f"{_writers(loc, message, origin, default)}: [{dotted}]: {message}"
    info = lookup(dotted)
    allowed = info.allowed() if info else error["msg"]
    meaning = f" ({info.meaning})" if info and info.meaning else ""
    return f"{where}: {dotted} = {error['input']!r} is not allowed: expected {allowed}{meaning}"


def _allowed_keys(group: tuple[str, ...]) -> list[str]:
    if not group:
        return [*META_KEYS, *Parameters.model_fields]
    if group[:2] == ("services", "domains") and len(group) == 3:
        return list(Domain.model_fields)
    if group[0] == "changes":  # a list of tables: the key is under ("changes", index)
        return list(Change.model_fields)
    declared = Parameters.model_fields.get(group[0])
    return list(group_class(declared.annotation).model_fields) if declared else []


def _unknown_key(where: str, loc: tuple[str, ...], allowed: list[str]) -> str:
    table = f"[{'.'.join(loc[:-1])}]" if len(loc) > 1 else "the top level"
    close = difflib.get_close_matches(loc[-1], allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where}: unknown key {'.'.join(loc)}{hint}; allowed in {table}: {', '.join(allowed)}"


def _unknown_override(dotted: str, label: str) -> str:
    known = [p.path for p in parameter_table()]
    close = difflib.get_close_matches(dotted, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{label} {dotted}: unknown parameter{hint}; `cohesim params` lists them all"

"""The dashboard's sliders, derived from the parameter declarations.

Every lever gets a control, with its declared range and the scenario's value as starting point;
nothing here states a default or a range of its own. A range spanning many orders of magnitude
(the annual cap, 0 to 10¹² €) gets a logarithmic slider of round values and a box to type an
exact value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any

from cohesim.model.parameters import ParameterInfo, Parameters, declared, lookup, parameter_table

from .text import PARAMETER_LABELS, choice_label, number, tr

if TYPE_CHECKING:
    from .model import ScenarioLike

MAIN_PARAMETERS = ("update.rule", "update.noise", "geometry.n")
"""Sliders shown besides the levers (every parameter declared with ``lever=True``)."""
MAX_TERRITORIES = 500
"""Upper end of the territory-count slider: beyond it a map and a browser stop being lively.

Larger regions run in the dashboard too when their scenario file says so."""
SLIDER_TICKS = 50
"""A float slider moves in about this many steps over its declared range (rounded to 1, 2, 5)."""
WIDE_RANGE = 1e7
"""A float range reaching this far (in its unit) gets a logarithmic slider: with 50 linear steps,
the values one wants (a few M€ of a 10¹² € cap) would all sit on the first tick."""
LOG_MANTISSAS = (1, 2, 5)
"""Values of a logarithmic slider: 1, 2 and 5 times each power of ten in the range."""


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
    if info.minimum is None or info.maximum is None:
        raise ValueError(f"{info.path} has no declared range: it has no slider step")
    raw = (info.maximum - info.minimum) / SLIDER_TICKS
    power = 10.0 ** math.floor(math.log10(raw))
    candidates = [m * power * 10.0**k for k in (0, -1, -2) for m in (5, 2, 1)]
    for step in candidates:
        offset = (info.default - info.minimum) / step
        if step <= raw and abs(offset - round(offset)) < 1e-9:
            return step
    return candidates[-1]


def is_wide(info: ParameterInfo) -> bool:
    """Whether a float parameter spans so many orders of magnitude that it needs a log slider."""
    if info.type != "float" or info.choices or info.minimum is None or info.maximum is None:
        return False
    return info.minimum >= 0 and info.maximum >= WIDE_RANGE


def log_values(info: ParameterInfo) -> list[float]:
    """The positions of a logarithmic slider: the minimum, then 1, 2, 5 × 10^k up to the maximum.

    Starting at the first power of ten at least 10⁻⁸ of the maximum (a millionth of the range is
    as good as zero for a lever), so that the slider has a few dozen positions.
    """
    if info.minimum is None or info.maximum is None:
        raise ValueError(f"{info.path} has no declared range: it cannot be a slider")
    top = info.maximum
    first = max(math.floor(math.log10(top)) - 8, 0)
    values = [float(info.minimum)]
    for power in range(first, math.floor(math.log10(top)) + 1):
        for mantissa in LOG_MANTISSAS:
            value = float(mantissa * 10**power)
            if info.minimum < value <= top:
                values.append(value)
    if values[-1] != top:
        values.append(float(top))
    return values


@dataclass(frozen=True)
class Control:
    """One input of the dashboard, as derived from a parameter declaration.

    ``kind`` is ``"slider"`` (linear, ``minimum``…``maximum`` by ``step``), ``"log"`` (one of
    ``values``, plus a box for an exact value), ``"select"`` (one of ``choices``, shown by their
    translated names) or ``"checkbox"``.
    """

    path: str
    kind: str
    label: str
    value: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    values: tuple[float, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    integer: bool = False


def parameter_value(parameters: Parameters, path: str) -> Any:
    """The value of a dotted-path parameter (``game.attacker_share``) in ``parameters``."""
    return reduce(getattr, path.split("."), parameters)


def parameter_label(info: ParameterInfo, lang: str, *, long: bool = False) -> str:
    """A parameter's name: words and unit on a slider; longer, with its symbol, in the settings.

    Without a name of its own, the parameter is called by its declared meaning and unit.
    """
    names = PARAMETER_LABELS.get(info.path, {}).get(lang)
    if names is None:
        unit = f" ({info.unit})" if info.unit else ""
        name = f"{info.meaning}{unit}"
    else:
        name = names[long]
    return f"{name} {info.symbol}" if long and info.symbol else name


def control(info: ParameterInfo, value: Any, lang: str) -> Control:
    """The input for one parameter: its kind, range, starting value and label in ``lang``."""
    label = parameter_label(info, lang)
    if info.choices:
        choices = tuple((c, choice_label(info.path, c, lang)) for c in info.choices)
        return Control(info.path, "select", label, value, choices=choices)
    if info.type == "bool":
        return Control(info.path, "checkbox", label, bool(value))
    if info.minimum is None or info.maximum is None:
        raise ValueError(f"{info.path} has no declared range: it cannot be a slider")
    if is_wide(info):
        values = tuple(log_values(info))
        return Control(info.path, "log", label, value, info.minimum, info.maximum, values=values)
    top = info.maximum
    if info.path == "geometry.n":
        top = min(top, max(MAX_TERRITORIES, value))
    return Control(
        info.path,
        "slider",
        label,
        value,
        info.minimum,
        top,
        slider_step(info),
        integer=info.type == "int",
    )


def controls(scenario: ScenarioLike, lang: str = "fr") -> list[Control]:
    """One input per slider parameter, starting at the scenario's values, labelled in ``lang``."""
    return [
        control(declared(path), parameter_value(scenario.parameters, path), lang)
        for path in slider_paths()
    ]


def start_settings(scenario: ScenarioLike) -> dict[str, Any]:
    """The sliders' starting values: the scenario's, keyed by dotted path."""
    return {path: parameter_value(scenario.parameters, path) for path in slider_paths()}


def nearest_position(values: tuple[float, ...], value: float) -> int:
    """The position of a logarithmic slider closest to ``value`` (by ratio; 0 is its own)."""
    if value <= values[0]:
        return 0
    positive = [i for i, v in enumerate(values) if v > 0]
    return min(positive, key=lambda i: abs(math.log(values[i] / value)))


def shown_value(info: ParameterInfo, value: Any, lang: str) -> str:
    """A setting as the page shows it: yes/no, a choice's name, a number with its unit."""
    if isinstance(value, bool):
        return tr("yes" if value else "no", lang)
    if isinstance(value, str):
        return choice_label(info.path, value, lang)
    if info.path == "funding.annual_cap" and value == 0:
        return tr("no_cap", lang)
    if "€" in info.unit:
        from .text import euros

        return euros(float(value), lang)
    return number(float(value), lang)


def settings_overrides(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Slider values as dotted-path overrides, floats rounded to their slider's increment.

    Browsers add binary noise to slider values (0.7000000000000001); rounding keeps a value
    typed on a slider identical to the same value in a scenario file. Values of a logarithmic
    slider or its box are kept as they are.
    """
    overrides = {}
    for path, value in settings.items():
        info = lookup(path)
        if info is None:
            raise ValueError(f"unknown parameter {path!r} from the dashboard")
        if isinstance(value, float) and info.type == "float" and not is_wide(info):
            digits = max(0, -math.floor(math.log10(slider_step(info))))
            value = round(value, digits)
        overrides[path] = value
    return overrides

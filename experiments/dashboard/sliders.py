"""The dashboard's sliders, derived from the parameter declarations.

Every lever gets a slider, with its declared range and the scenario's value as starting point;
nothing here states a default or a range of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import reduce
from typing import TYPE_CHECKING, Any

from cohesim.model.parameters import ParameterInfo, Parameters, declared, lookup, parameter_table
from cohesim.model.territories import TerritoryTable

from .text import PARAMETER_LABELS

if TYPE_CHECKING:
    from .model import ScenarioLike

MAIN_PARAMETERS = ("update.rule", "update.noise", "geometry.n")
"""Sliders shown besides the levers (every parameter declared with ``lever=True``)."""
MAX_TERRITORIES = 500
"""Upper end of the territory-count slider: beyond it a map and a browser stop being lively.

Larger regions run in the dashboard too when their scenario file says so."""
SLIDER_TICKS = 50
"""A float slider moves in about this many steps over its declared range (rounded to 1, 2, 5)."""


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
        info = declared(path)
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

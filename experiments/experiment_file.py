"""Experiment files: which scenarios, which parameters to vary, which design, how many runs.

An experiment file is TOML, read relative to its own folder::

    name = "engineering_vs_funding"
    scenario = "../baseline.toml"             # or scenarios = [..., ...]: a categorical factor
    design = "grid"                           # grid, lhs, sobol or morris
    replicates = 5
    seed = 20260101
    steps = 40                                # optional: the scenario's run.steps otherwise

    [parameters]
    "engineering.state_support" = [0.0, 0.25, 0.5]             # values
    "funding.matching_share" = { min = 0.0, max = 0.8, count = 5 }  # a grid over a range

    [record]
    timeseries = true                         # one row per run per step (default false)

Every parameter is checked against its declaration in :mod:`cohesim.model.parameters`: an
unknown path, a value of the wrong type or a range reaching outside the declared one is reported
with the file, the key, the value and what is allowed, all problems at once.

Over 450 lines on purpose: most of it is the checker of the file format, one method per table,
and it reads best beside the dataclasses it fills.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from cohesim.model.parameters import ParameterInfo, format_number, lookup, parameter_table

from .scenario import Scenario, ScenarioError, load_scenario, read_toml

DESIGNS = ("grid", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "loguniform", "triangular")
TOP_KEYS = (
    "name",
    "description",
    "scenario",
    "scenarios",
    "design",
    "samples",
    "second_order",
    "levels",
    "replicates",
    "steps",
    "seed",
    "timeout",
    "parameters",
    "record",
)
RECORD_KEYS = ("timeseries", "territories")
RANGE_KEYS = ("min", "max", "count", "distribution", "peak")
# The sweep owns these: every run gets its seed from the experiment's, and `steps` sets the length.
SWEEP_OWNED = ("run.seed", "run.steps")
MAX_SEED = 2**63 - 1


EXPERIMENT_KEYS = frozenset({"design", "parameters", "replicates", "scenario", "scenarios"})
"""Top-level keys that only an experiment file has: they tell it from a scenario file."""


class ExperimentError(ScenarioError):
    """An experiment file that cannot be used; ``problems`` holds one message per mistake."""


@dataclass(frozen=True)
class Factor:
    """One varied parameter: either a list of values or a range with a distribution.

    ``kind`` is the declared type: ``float``, ``int``, ``bool`` or ``choice``.
    """

    path: str
    kind: str
    values: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    count: int | None = None
    distribution: str = "uniform"
    peak: float | None = None

    def bounds(self) -> tuple[float, float]:
        """``(minimum, maximum)`` of a range factor; ValueError for one that lists its values."""
        if self.minimum is None or self.maximum is None:
            raise ValueError(f"factor {self.path} lists its values: it has no range")
        return self.minimum, self.maximum

    def resolved(self) -> dict[str, Any]:
        """The factor as plain JSON-able data."""
        if self.values is not None:
            return {"path": self.path, "kind": self.kind, "values": list(self.values)}
        out = {"path": self.path, "kind": self.kind, "min": self.minimum, "max": self.maximum}
        if self.count is not None:
            out["count"] = self.count
        else:
            out["distribution"] = self.distribution
        if self.peak is not None:
            out["peak"] = self.peak
        return out


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: base scenarios, factors, design and run settings."""

    name: str
    description: str
    scenarios: tuple[Scenario, ...]
    factors: tuple[Factor, ...]
    design: str
    samples: int | None
    second_order: bool
    levels: int
    replicates: int
    steps: int | None
    seed: int
    timeout: float | None = None  # seconds a run may take; an execution setting, not a result
    record_timeseries: bool = False
    record_territories: bool = False
    file: Path | None = None

    def steps_of(self, scenario_index: int) -> int:
        """Years each run of a scenario lasts: the experiment's ``steps``, else the scenario's."""
        if self.steps is not None:
            return self.steps
        return self.scenarios[scenario_index].parameters.run.steps

    def resolved(self) -> dict[str, Any]:
        """Everything that decides the runs, as plain data (no file paths: they move)."""
        return {
            "name": self.name,
            "description": self.description,
            "scenarios": [
                {"name": s.name, "parameters": s.parameters.model_dump(mode="json")}
                for s in self.scenarios
            ],
            "design": {
                "kind": self.design,
                "samples": self.samples,
                "second_order": self.second_order if self.design == "sobol" else None,
                "levels": self.levels if self.design == "morris" else None,
            },
            "factors": [f.resolved() for f in self.factors],
            "replicates": self.replicates,
            "steps": [self.steps_of(i) for i in range(len(self.scenarios))],
            "seed": self.seed,
            "record": {
                "timeseries": self.record_timeseries,
                "territories": self.record_territories,
            },
        }


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file and the scenario files it names.

    Raises
    ------
    ExperimentError
        With one message per problem, each naming the file, key, value and what is allowed.
    """
    path = Path(path)
    if not path.is_file():
        raise ExperimentError([f"no such experiment file: {path}"])
    return _Checker(path, read_toml(path, ExperimentError)).experiment()


class _Checker:
    """Collects every problem of one experiment file before reporting them together."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path = path
        self.data = data
        self.problems: list[str] = []

    def fail(self, key: str, value: Any, expected: str) -> None:
        self.problems.append(f"{self.path}: {key} = {value!r} is not allowed: expected {expected}")

    def experiment(self) -> Experiment:
        data = self.data
        for key in data:
            if key not in TOP_KEYS:
                self.problems.append(_unknown(self.path, key, TOP_KEYS, "the top level"))
        name = self.text("name", self.path.stem)
        description = self.text("description", "")
        design = data.get("design", "grid")
        if design not in DESIGNS:
            self.fail("design", design, "one of " + ", ".join(repr(d) for d in DESIGNS))
        replicates = self.integer("replicates", 1, 1, 1_000_000)
        seed = self.integer("seed", None, 0, MAX_SEED)
        steps = self.integer("steps", None, 0, 10_000, required=False)
        timeout = self.seconds("timeout")
        samples, second_order, levels = self.design_settings(design)
        record = self.record()
        scenarios = self.scenarios()
        factors = self.factors(design, scenarios)
        if self.problems:
            raise ExperimentError(self.problems)
        # the seed is required and has no default: had it been missing or wrong, a problem
        # would have been raised just above
        assert seed is not None
        return Experiment(
            name=name,
            description=description,
            scenarios=tuple(scenarios),
            factors=tuple(factors),
            design=design,
            samples=samples,
            second_order=second_order,
            levels=levels,
            replicates=replicates,
            steps=steps,
            seed=seed,
            timeout=timeout,
            record_timeseries=record["timeseries"],
            record_territories=record["territories"],
            file=self.path,
        )

    # -- simple keys -----------------------------------------------------------------------------

    def seconds(self, key: str) -> float | None:
        """An optional duration in seconds, above 0 and at most a week."""
        value = self.data.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= 604_800
        ):
            self.fail(key, value, "a number of seconds above 0 (at most 604800, a week)")
            return None
        return float(value)

    def text(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            self.fail(key, value, "a string")
            return default
        return value

    @overload
    def integer(
        self, key: str, default: int, lo: int, hi: int, *, required: bool = True
    ) -> int: ...
    @overload
    def integer(
        self, key: str, default: None, lo: int, hi: int, *, required: bool = True
    ) -> int | None: ...
    def integer(
        self, key: str, default: int | None, lo: int, hi: int, *, required: bool = True
    ) -> int | None:
        """The integer at ``key`` in [lo, hi]; ``default`` when it is missing or wrong.

        A wrong value, or a missing required one without a default, is recorded as a problem.
        """
        if key not in self.data:
            if default is None and required:
                self.problems.append(f"{self.path}: {key} is missing: expected an integer")
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.fail(key, value, f"an integer {format_number(lo)} ≤ value ≤ {format_number(hi)}")
            return default
        return value

    def design_settings(self, design: str) -> tuple[int | None, bool, int]:
        data = self.data
        sampled = design in ("lhs", "sobol", "morris")
        samples = None
        if sampled:
            samples = self.integer("samples", None, 1, 10_000_000)
            if design == "sobol" and samples is not None and samples & (samples - 1):
                self.fail("samples", samples, "a power of 2 for a Sobol design (e.g. 64, 128)")
        elif "samples" in data:
            self.fail("samples", data["samples"], "no `samples` for a grid (list the values)")
        second_order = data.get("second_order", True)
        if "second_order" in data and design != "sobol":
            self.fail("second_order", second_order, "second_order only with design = 'sobol'")
        elif not isinstance(second_order, bool):
            self.fail("second_order", second_order, "true or false")
            second_order = True
        levels = 4
        if "levels" in data:
            if design != "morris":
                self.fail("levels", data["levels"], "levels only with design = 'morris'")
            else:
                levels = self.integer("levels", 4, 2, 1_000) or 4
                if levels % 2:
                    self.fail("levels", levels, "an even number of Morris levels (e.g. 4)")
        return samples, second_order, levels

    def record(self) -> dict[str, bool]:
        record = {"timeseries": False, "territories": False}
        table = self.data.get("record", {})
        if not isinstance(table, dict):
            self.fail("record", table, "a table, e.g. [record] timeseries = true")
            return record
        for key, value in table.items():
            if key not in RECORD_KEYS:
                self.problems.append(_unknown(self.path, f"record.{key}", RECORD_KEYS, "[record]"))
            elif not isinstance(value, bool):
                self.fail(f"record.{key}", value, "true or false")
            else:
                record[key] = value
        return record

    # -- scenarios -------------------------------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        data = self.data
        if ("scenario" in data) == ("scenarios" in data):
            self.problems.append(
                f'{self.path}: give either scenario = "file.toml" or scenarios = [...] '
                "(paths relative to the experiment file)"
            )
            return []
        key = "scenario" if "scenario" in data else "scenarios"
        names = data[key] if key == "scenarios" else [data[key]]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.fail(key, data[key], "a file name, or a non-empty list of file names")
            return []
        scenarios = []
        for name in names:
            try:
                scenarios.append(load_scenario(self.path.parent / name))
            except ScenarioError as error:
                self.problems.extend(f"{self.path}: {key}: {p}" for p in error.problems)
        return scenarios

    # -- factors ---------------------------------------------------------------------------------

    def factors(self, design: str, scenarios: list[Scenario]) -> list[Factor]:
        table = self.data.get("parameters", {})
        if not isinstance(table, dict):
            self.fail("parameters", table, 'a table of dotted paths, e.g. "game.synergy" = [...]')
            return []
        factors = []
        for path, spec in _flatten(table):
            key = f"parameters.{path}"
            info = lookup(path)
            if info is None or path.endswith(".domains"):
                self.problems.append(_unknown_parameter(self.path, key, path))
                continue
            if path in SWEEP_OWNED:
                self.fail(key, spec, "no run.seed or run.steps here: use the top-level seed/steps")
                continue
            missing = self.missing_domain(path, scenarios)
            if missing:
                self.problems.append(
                    f"{self.path}: {key}: scenario {missing!r} has no service domain "
                    f"{path.split('.')[2]!r}"
                )
                continue
            factor = self.factor(key, info, spec, design)
            if factor is not None:
                factors.append(factor)
        if design != "grid" and not table and design in DESIGNS:
            self.problems.append(
                f"{self.path}: design = {design!r} needs at least one entry in [parameters]"
            )
        return factors

    @staticmethod
    def missing_domain(path: str, scenarios: list[Scenario]) -> str | None:
        parts = path.split(".")
        if parts[:2] != ["services", "domains"]:
            return None
        for scenario in scenarios:
            if parts[2] not in scenario.parameters.services.domains:
                return scenario.name
        return None

    def factor(self, key: str, info: ParameterInfo, spec: Any, design: str) -> Factor | None:
        kind = "choice" if info.choices else info.type
        if isinstance(spec, list):
            return self.value_list(key, info, kind, spec)
        if not isinstance(spec, dict):
            self.fail(key, spec, "a list of values, or a range table { min = .., max = .. }")
            return None
        if kind in ("choice", "bool"):
            self.fail(key, spec, f"a list of values for this {kind} parameter ({info.allowed()})")
            return None
        return self.value_range(key, info, kind, spec, design)

    def value_list(self, key: str, info: ParameterInfo, kind: str, values: list) -> Factor | None:
        if not values:
            self.fail(key, values, f"a non-empty list of values ({info.allowed()})")
            return None
        bad = [v for v in values if not _allowed(info, kind, v)]
        if bad:
            self.fail(key, bad[0], f"values of {info.allowed()} ({info.meaning})")
            return None
        if len(set(values)) != len(values):
            self.fail(key, values, "distinct values")
            return None
        return Factor(info.path, kind, values=tuple(values))

    def value_range(
        self, key: str, info: ParameterInfo, kind: str, spec: dict, design: str
    ) -> Factor | None:
        before = len(self.problems)
        for extra in spec:
            if extra not in RANGE_KEYS:
                self.problems.append(_unknown(self.path, f"{key}.{extra}", RANGE_KEYS, key))
        for bound in ("min", "max"):
            if bound not in spec:
                self.problems.append(
                    f"{self.path}: {key}: missing {bound} (allowed: {info.allowed()})"
                )
            elif not _allowed(info, kind, spec[bound]):
                self.fail(f"{key}.{bound}", spec[bound], f"{info.allowed()} ({info.meaning})")
        if len(self.problems) > before:
            return None
        lo, hi = spec["min"], spec["max"]
        if not lo < hi:
            self.fail(f"{key}.max", hi, f"a value above min = {lo!r}")
            return None
        count = spec.get("count")
        distribution = spec.get("distribution", "uniform")
        peak = spec.get("peak")
        if design == "grid":
            if "distribution" in spec or "peak" in spec:
                self.fail(
                    key,
                    spec,
                    "for a grid, { min, max, count } (distributions are for lhs, sobol, morris)",
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 2:
                self.fail(f"{key}.count", count, "an integer ≥ 2: how many evenly spaced values")
                return None
        else:
            if count is not None:
                self.fail(
                    f"{key}.count", count, f"no count for design = {design!r} (samples sets it)"
                )
            if distribution not in DISTRIBUTIONS:
                self.fail(
                    f"{key}.distribution",
                    distribution,
                    "one of " + ", ".join(repr(d) for d in DISTRIBUTIONS),
                )
            elif distribution == "loguniform" and lo <= 0:
                self.fail(f"{key}.min", lo, "a value above 0 for a loguniform distribution")
            elif distribution == "triangular":
                if (
                    isinstance(peak, bool)
                    or not isinstance(peak, int | float)
                    or not lo <= peak <= hi
                ):
                    self.fail(f"{key}.peak", peak, f"the most likely value, {lo!r} ≤ peak ≤ {hi!r}")
            elif peak is not None:
                self.fail(f"{key}.peak", peak, "peak only with distribution = 'triangular'")
        if len(self.problems) > before:
            return None
        return Factor(
            info.path,
            kind,
            minimum=lo,
            maximum=hi,
            count=count,
            distribution=distribution,
            peak=peak,
        )


def _allowed(info: ParameterInfo, kind: str, value: Any) -> bool:
    """Whether one value fits the declaration (type, choices, closed range)."""
    if kind == "choice":  # the kind of a parameter declared with choices
        return info.choices is not None and value in info.choices
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "int" and not isinstance(value, int):
        return False
    if kind == "float" and (not isinstance(value, int | float) or not math.isfinite(value)):
        return False
    if kind not in ("int", "float"):
        return False
    lo = -math.inf if info.minimum is None else info.minimum
    hi = math.inf if info.maximum is None else info.maximum
    return lo <= value <= hi


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Dotted paths and their specs: `a.b = x`, `"a.b" = x` and `[parameters.a] b = x` alike."""
    out = []
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and lookup(path) is None and not (value.keys() & {"min", "max"}):
            out.extend(_flatten(value, f"{path}."))
        else:
            out.append((path, value))
    return out


def _unknown(path: Path, key: str, allowed: tuple[str, ...], where: str) -> str:
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{path}: unknown key {key}{hint}; allowed in {where}: {', '.join(allowed)}"


def _unknown_parameter(path: Path, key: str, dotted: str) -> str:
    known = [p.path for p in parameter_table()]
    close = difflib.get_close_matches(dotted, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{path}: {key}: unknown parameter{hint}; `cohesim params` lists them all"

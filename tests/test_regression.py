"""Pinned regression numbers: the first years of a few scenarios at seed 1.

Counts, strategies, memberships and every other exact value are compared exactly; floats to
within 1e-9 of their size. numpy picks its vectorised exp, log and sums by the processor's
instruction set (AVX-512 or AVX2), and those differ in the last bit: the same code and seed give
floats a few units in the 14th digit apart on two machines (measured: 1e-13 at most over these
cases). A real change moves them by far more, or changes a decision, which is compared exactly.

A refactor must leave every number here unchanged. A change of the science changes them on
purpose: regenerate with ``pytest tests/test_regression.py --regen-golden`` and say so, with the
reason, in the commit message.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohesim.experiments import load_scenario, run_scenario

GOLDEN = Path(__file__).parent / "golden"

# name: (scenario file, years, overrides, tables pinned)
CASES = {
    "baseline": (
        "baseline.toml",
        20,
        {},
        ("timeseries", "inventory", "memberships", "territories"),
    ),
    "matching_fund": ("matching_fund.toml", 20, {}, ("timeseries", "inventory", "memberships")),
    "baseline_sequential": (
        "baseline.toml",
        12,
        {"update.schedule": "random_sequential"},
        ("timeseries", "inventory"),
    ),
    "fermi_imitation": ("fermi_imitation.toml", 15, {}, ("timeseries", "inventory")),
    "auvergne_rhone_alpes": ("auvergne_rhone_alpes.toml", 6, {}, ("timeseries", "territories")),
    "nowak_may": ("validation/nowak_may.toml", 20, {}, ("timeseries",)),
    "santos_scale_free": ("validation/santos_scale_free.toml", 10, {}, ("timeseries",)),
    "institutional_reward": ("validation/institutional_reward.toml", 20, {}, ("timeseries",)),
}


def _plain(value):
    """A JSON value that compares exactly: floats keep every bit, missing values are None."""
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tables(name: str, scenarios_dir: Path) -> dict[str, dict[str, list]]:
    file, years, overrides, pinned = CASES[name]
    scenario = load_scenario(scenarios_dir / file).with_parameters(**overrides)
    result = run_scenario(scenario, steps=years, seed=1)
    return {
        table: {
            column: [_plain(v) for v in getattr(result, table)[column].tolist()]
            for column in getattr(result, table).columns
        }
        for table in pinned
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_pinned_numbers_are_unchanged(name, scenarios_dir, request):
    path = GOLDEN / f"{name}.json"
    tables = _tables(name, scenarios_dir)
    if request.config.getoption("--regen-golden"):
        path.write_text(json.dumps(tables, indent=1, ensure_ascii=False) + "\n")
        pytest.skip(f"regenerated {path.name}")
    assert path.exists(), f"no golden file {path.name}: run pytest --regen-golden once"
    golden = json.loads(path.read_text())
    assert set(tables) == set(golden)
    for table, columns in golden.items():
        assert list(tables[table]) == list(columns), f"{name}: the columns of {table} changed"
        for column, values in columns.items():
            where = _first_difference(tables[table][column], values)
            assert where is None, f"{name}: {table}.{column} changed at {where}"


def _first_difference(new, old, at: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    """Where ``new`` first differs from ``old``: floats within 1e-9, everything else exactly."""
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return at
        for k, (a, b) in enumerate(zip(new, old, strict=True)):
            found = _first_difference(a, b, (*at, k))
            if found is not None:
                return found
        return None
    if isinstance(old, float) and isinstance(new, float):
        return None if math.isclose(new, old, rel_tol=1e-9, abs_tol=1e-12) else at
    return None if new == old else at


def test_the_comparison_forgives_the_last_digits_only():
    assert _first_difference([1.0, [2.0, 3]], [1.0 + 1e-15, [2.0, 3]]) is None
    assert _first_difference([1.0, [2.0, 3]], [1.0, [2.0 + 1e-6, 3]]) == (1, 0)
    assert _first_difference([1.0, [2.0, 4]], [1.0, [2.0, 3]]) == (1, 1)
    assert _first_difference([1.0, None], [1.0, 0.5]) == (1,)
    assert _first_difference([1.0], [1.0, 2.0]) == ()

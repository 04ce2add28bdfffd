"""The contract every model configuration passes (as Axelrod's shared TestPlayer).

A configuration is a function ``make(seed)`` returning a fresh model; :func:`check_model` runs
every check on it. The checks only use what every model offers: ``step()``, ``run(steps)``,
``metrics_frame()``, ``territories_frame()``, ``cooperate`` and ``payoff`` arrays, and Mesa
agents with an ``index`` that are views onto those arrays.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable

import mesa
import numpy as np
import pandas as pd

from cohesim.model import TerritoryModel
from cohesim.model.outcomes import INDEX_COLUMNS, recorded

Make = Callable[[int], mesa.Model]

UNDEFINED_AT_START = {"beta_convergence"}
"""Outcomes with no value at step 0 (β-convergence needs at least one year of history)."""


def declared_outcomes(model: mesa.Model) -> list[str]:
    """The columns a model's metrics frame must hold at every step, in order (the declarations)."""
    return [*INDEX_COLUMNS, *recorded(model.parameters)]


def check_model(make: Make, steps: int = 4) -> None:
    """Run every check of the contract on the configuration ``make``."""
    start = make(1)
    check_step_zero_is_recorded(start)
    check_agents_are_views(start)
    history = run(make(1), steps)
    check_same_seed_same_history(make, steps, history)
    check_pickled_run_continues_identically(make, steps, history)
    check_no_nan(history, make(1))
    check_outcome_columns(start, history)


def run(model: mesa.Model, steps: int) -> pd.DataFrame:
    """``model``'s metrics frame after ``steps`` more steps."""
    model.run(steps)
    return model.metrics_frame()


def check_step_zero_is_recorded(model: mesa.Model) -> None:
    """A new model has recorded its initial state, as step 0, and nothing else."""
    frame = model.metrics_frame()
    assert model.steps == 0
    assert list(frame["step"]) == [0]


def check_agents_are_views(model: mesa.Model) -> None:
    """One agent per row of the model's arrays, reporting what the arrays hold now."""
    n = len(model.cooperate)
    assert len(model.agents) == n == len(model.territories_frame())
    assert sorted(agent.index for agent in model.agents) == list(range(n))
    for agent in list(model.agents)[:: max(1, n // 7)]:
        i = agent.index
        assert agent.cooperates == model.cooperate[i]
        assert agent.payoff == model.payoff[i]
        model.cooperate[i] = not model.cooperate[i]
        assert agent.cooperates == model.cooperate[i]
        assert agent.strategy == ("cooperate" if model.cooperate[i] else "compete")
        model.cooperate[i] = not model.cooperate[i]
    if isinstance(model, TerritoryModel):
        agent = model.territories[0]
        model.budget[0] += 1.0
        assert agent.budget == model.budget[0]
        model.budget[0] -= 1.0


def check_same_seed_same_history(make: Make, steps: int, history: pd.DataFrame) -> None:
    """The same seed gives the same history, bit for bit; another seed gives another one."""
    assert run(make(1), steps).equals(history)
    assert not run(make(2), steps).equals(history)


def check_pickled_run_continues_identically(make: Make, steps: int, history: pd.DataFrame) -> None:
    """Pickled after a few steps and continued, a model gives the uninterrupted history."""
    model = make(1)
    done = steps // 2
    model.run(done)
    copy = pickle.loads(pickle.dumps(model))
    assert run(copy, steps - done).equals(history)


def check_no_nan(history: pd.DataFrame, model: mesa.Model) -> None:
    """No missing value in the records, but for outcomes undefined at step 0."""
    missing = history.isna()
    assert not missing.iloc[1:].to_numpy().any(), history.columns[missing.iloc[1:].any()].tolist()
    assert set(history.columns[missing.iloc[0]]) <= UNDEFINED_AT_START
    numbers = model.territories_frame().select_dtypes("number")
    assert not np.isnan(numbers.to_numpy(dtype=np.float64)).any()


def check_outcome_columns(start: mesa.Model, history: pd.DataFrame) -> None:
    """The declared outcomes are recorded, and step 0's columns stay every step."""
    first = start.metrics_frame()
    assert list(first.columns) == declared_outcomes(start)
    assert list(history.columns) == list(first.columns)

"""The compiled metrics are the numpy implementation's: to the last bit, or to rounding where
numpy's dot products, logs and exps round differently (see model/metrics_kernels.py)."""

from collections import deque

import numpy as np
import pandas as pd
import pytest

from cohesim.model import TerritoryModel, metrics_kernels, outcomes
from cohesim.model.inequality import beta_convergence, summary
from cohesim.model.kinds import METROPOLE, PERIURBAN, RURAL, STRUCTURE_KINDS, URBAN, is_urban
from cohesim.model.outcomes import (
    ACCESS_FLOOR,
    INDEX_COLUMNS,
    WELFARE_FLOOR,
    final_values,
    final_window_rows,
    recorded,
)

from helpers import metrics_row, params

ROUNDED = ("gini", "theil", "theil_between", "theil_within", "cv", "beta_convergence")
"""Columns computed with dot products, logs or exps: equal to rounding, not to the bit."""


def _share(mask, within):
    count = np.count_nonzero(within)
    return np.count_nonzero(mask & within) / count if count else 0.0


def _distinct(indices, size):
    return int(np.count_nonzero(np.bincount(indices, minlength=size)))


def _mean(values, weights, mask):
    total = weights[mask].sum()
    return float((values[mask] * weights[mask]).sum() / total) if total > 0 else float("nan")


def cohesion(w, population, kind):
    """Population-weighted inequality of welfare, its split over kinds, the urban–rural gap."""
    floored = np.maximum(w, WELFARE_FLOOR)
    indices = summary(floored, population, groups=kind)
    urban = is_urban(kind)
    rural = (kind == PERIURBAN) | (kind == RURAL)
    gap = _mean(floored, population, urban) / _mean(floored, population, rural)
    return {
        "gini": indices.gini,
        "theil": indices.theil.total,
        "theil_between": indices.theil.between,
        "theil_within": indices.theil.within,
        "cv": indices.cv,
        "urban_rural_gap": gap,
        "urban_rural_divergence": abs(float(np.log(gap))),
        "sigma_convergence": indices.sigma,
        "welfare_floored": int(np.count_nonzero(w < WELFARE_FLOOR)),
    }


def urban_rural_divergence(value, population, kind):
    urban = is_urban(kind)
    rural = ~urban
    if not urban.any() or not rural.any():
        return float("nan")
    ratio = max(_mean(value, population, urban), ACCESS_FLOOR) / max(
        _mean(value, population, rural), ACCESS_FLOOR
    )
    return abs(float(np.log(ratio)))


def convergence(log_w_then, log_w_now, years):
    if years <= 0:
        return float("nan")
    if np.ptp(log_w_then) == 0:
        return 0.0
    return beta_convergence(np.exp(log_w_then), np.exp(log_w_now), years)


def numpy_row(model, log_welfare):
    """The numpy implementation the kernel replaced (main before 8 December 2026), with the
    functions above, which were ``outcomes.cohesion``, ``convergence`` and
    ``urban_rural_divergence``.

    ``log_welfare`` is its deque of past log welfare (float32), which this call appends to.
    """
    w, pop = model.welfare, model.population
    people = pop.sum()
    net = model.network
    mutual = np.count_nonzero(model.stance & model.stance[net.rev])
    log_w = np.log(np.maximum(w, WELFARE_FLOOR))
    log_welfare.append(log_w.astype(np.float32))
    years = len(log_welfare) - 1
    welfare_total = (w * pop).sum()
    st, reg = model.registry.structures, model.registry
    active = reg.active_structures()
    by_kind = np.bincount(st["kind"][active], minlength=len(STRUCTURE_KINDS))
    members = reg.members["territory"][reg.active_members()]
    n = len(pop)
    held = reg.active_members()
    mb = reg.members
    with_metropole = mb["structure"][held][model.kind[mb["territory"][held]] == METROPOLE]
    row = {
        "step": model.steps,
        "year": model.steps - model.parameters.run.burn_in,
        "cooperation_rate": np.count_nonzero(model.cooperate) / len(model.cooperate),
        "cooperation_rate_pop": float(pop[model.cooperate].sum() / people),
        "mutual_cooperation": mutual / len(model.stance) if len(model.stance) else 0.0,
        **cohesion(w, pop, model.kind),
        "beta_convergence": convergence(log_welfare[0], log_w, years),
        "welfare_mean": float(welfare_total / people),
        "welfare_total": float(welfare_total),
        "welfare_services": float((model.service_value * pop).sum() / people),
        "welfare_money": float(model.balance.sum() / people),
        "public_spending": model.public_spending,
        "public_spending_cumulative": model.public_spending_total,
        "public_money": model.public_money,
        "public_engineering": model.public_engineering,
        "engineering_used": model.engineering_used,
        "structures_active": len(active),
        **{f"structures_active_{k}": int(c) for k, c in zip(STRUCTURE_KINDS, by_kind, strict=True)},
        "structures_formed": int(np.count_nonzero(st["formed"] == model.steps))
        if model.steps
        else 0,
        "structures_dissolved": int(np.count_nonzero(st["dissolved"] == model.steps)),
        "structures_mean_age": float((model.steps - st["formed"][active]).mean())
        if len(active)
        else 0.0,
        "edge_coverage": _share(model.in_structure, model._undirected),
        "urban_rural_coverage": _share(model.in_structure, model._mixed),
        "territories_in_structures": _distinct(members, n) / n,
        "metropole_cooperations": _distinct(with_metropole, st.size) / model._metropoles
        if model._metropoles
        else float("nan"),
    }
    access = (model.flows.access * pop[:, None]).sum(axis=0) / people
    row.update({f"access_{m}": float(a) for m, a in zip(model.domain_names, access, strict=True)})
    row["urban_rural_access_divergence"] = urban_rural_divergence(
        model.flows.access.mean(axis=1), pop, model.kind
    )
    return row


def _assert_row_equal(kernel_row, numpy_row, where):
    for column, expected in numpy_row.items():
        got = kernel_row[column]
        if column in ROUNDED:
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-15, nan_ok=True), where
        else:
            assert got == expected or (np.isnan(got) and np.isnan(expected)), (where, column)


@pytest.mark.parametrize(
    "overrides",
    [
        {"geometry.n": 60},
        {"geometry.n": 80, "structures.enabled": True, "funding.matching_share": 0.6},
        {"geometry.n": 50, "geometry.n_metropoles": 0, "metrics.convergence_window": 3},
        {"geometry.n": 40, "population.migration_rate": 0.0, "budget.adjustment_rate": 0.0},
    ],
)
def test_each_years_row_is_the_numpy_implementations(overrides):
    model = TerritoryModel(params().updated(overrides), rng=4)
    history = deque(maxlen=model.parameters.metrics.convergence_window + 1)
    rows = [numpy_row(model, history)]
    for _ in range(16):  # past the convergence window, so the ring wraps
        model.step()
        rows.append(numpy_row(model, history))
    frame = model.metrics_frame()
    assert sorted(frame.columns) == sorted(rows[0])  # the frame in declared order
    for step, expected in enumerate(rows):
        _assert_row_equal(frame.iloc[step], expected, (overrides, step))


def test_columns_are_those_the_model_declares():
    p = params()
    assert metrics_kernels.columns(p.domain_names) == (*INDEX_COLUMNS, *recorded(p))


def test_counts_are_integer_columns_and_the_rest_floats():
    frame = TerritoryModel(params().updated({"geometry.n": 30}), rng=1).metrics_frame()
    counts = {"step", "year", "welfare_floored", "structures_formed", "structures_dissolved"}
    counts |= {c for c in frame.columns if c.startswith("structures_active")}
    assert {c for c in frame.columns if frame[c].dtype == np.int64} == counts
    assert all(frame[c].dtype == np.float64 for c in frame.columns if c not in counts)


def test_cohesion_matches_the_inequality_module_on_any_welfare():
    rng = np.random.default_rng(7)
    for trial in range(50):
        n = int(rng.integers(2, 300))
        welfare = np.exp(rng.normal(7, rng.uniform(0.01, 2), n))
        welfare[rng.random(n) < 0.1] = rng.uniform(-50, 1)  # some below the floor
        if trial % 5 == 0:
            welfare[:] = welfare[0]  # all equal
        population = rng.lognormal(8, 2, n)
        kind = rng.integers(0, 4, n)
        row = metrics_row(welfare, population, kind)
        expected = cohesion(welfare, population, kind)
        for column, value in expected.items():
            tolerance = 1e-12 if column in ROUNDED else 0
            assert row[column] == pytest.approx(value, rel=tolerance, abs=1e-15, nan_ok=True), (
                trial,
                column,
            )


def test_means_of_an_absent_kind_are_nan_and_access_divergence_needs_both():
    welfare, population = np.array([5.0, 9.0, 20.0]), np.array([1.0, 2.0, 3.0])
    only_urban = metrics_row(welfare, population, [METROPOLE, URBAN, URBAN])
    assert np.isnan(only_urban["urban_rural_gap"])
    assert np.isnan(only_urban["urban_rural_access_divergence"])
    mixed = metrics_row(
        welfare, population, [URBAN, PERIURBAN, RURAL], access=np.array([[1, 1], [0.5, 0], [0, 0]])
    )
    # urban mean access 1, non-urban (2·0.25 + 3·0) / 5 = 0.1
    assert mixed["urban_rural_access_divergence"] == pytest.approx(np.log(10.0))


def test_non_finite_welfare_is_refused():
    with pytest.raises(ValueError, match="must be finite"):
        metrics_row(np.array([1.0, np.nan]), np.ones(2), [URBAN, RURAL])


def pandas_final_values(timeseries, window):
    """The pandas implementation :func:`final_values` replaced (main before 8 December 2026)."""
    last = final_window_rows(timeseries, window)
    values = {}
    for column in timeseries.columns.drop(list(INDEX_COLUMNS), errors="ignore"):
        reported = outcomes.outcome(column).reported
        if reported == "window":
            values[column] = float(last[column].mean())
        elif reported == "final":
            values[column] = float(timeseries[column].iloc[-1])
        else:
            values[column] = float(timeseries.loc[timeseries["step"] >= 1, column].sum())
    return values


def test_final_values_are_pandas_means_and_sums_to_the_bit():
    model = TerritoryModel(params().updated({"geometry.n": 40, "run.burn_in": 3}), rng=2)
    model.run(30)
    full = model.metrics_frame()
    rng = np.random.default_rng(3)
    holed = full.copy()
    holed.loc[rng.random(len(holed)) < 0.4, "gini"] = np.nan
    holed["cv"] = np.nan
    holed.loc[rng.random(len(holed)) < 0.5, "public_spending"] = np.nan
    for frame in (full, holed):
        for window in (1, 4, 10, 40):
            for rows in (len(frame), 12, 4, 1):
                got = final_values(frame.iloc[:rows], window)
                expected = pandas_final_values(frame.iloc[:rows], window)
                assert list(got) == list(expected)
                assert pd.Series(got).equals(pd.Series(expected)), (window, rows)

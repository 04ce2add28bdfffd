"""The outcomes the policy model records each year, as one compiled (numba) pass.

:func:`record` fills one row of the model's metrics table, its columns in the order
:func:`columns` gives (``step``, ``year``, then those of
:func:`~cohesim.model.outcomes.policy_columns`). It replaces some forty numpy calls and a dict a
year, which at the hundred territories of a sweep's region cost more than the indices themselves.

What the numpy code summed with ``.sum()`` is summed here in numpy's pairwise order
(:mod:`.numpy_sums`), and counts are exact, so those columns are numpy's to the last bit. Dot
products (numpy hands them to BLAS, whose order depends on the machine), and logarithms and
exponentials (numpy picks vectorised ones by processor) round differently: the Gini and Theil
indices, the CV and β-convergence agree with :mod:`cohesim.model.inequality` to about 1e-14 of
their size (tests/test_metrics_kernels.py). None of these values feeds back into the dynamics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numba import njit

from .kinds import METROPOLE, PERIURBAN, RURAL, URBAN
from .numpy_sums import numpy_sum
from .outcomes import ACCESS_FLOOR, INDEX_COLUMNS, WELFARE_FLOOR, policy_columns
from .registry import STRUCTURE_KINDS

N_PUBLIC = 5
"""The year's money scalars :func:`record` copies, in column order: public spending, its running
total, public money, public engineering, and the engineering structures used."""

N_KINDS = len(STRUCTURE_KINDS)


def columns(domains: Sequence[str]) -> tuple[str, ...]:
    """The columns :func:`record` fills, in order."""
    return (*INDEX_COLUMNS, *policy_columns(domains, STRUCTURE_KINDS))


@njit(cache=True)
def _urban(k):
    return k in (METROPOLE, URBAN)


@njit(cache=True)
def _mean(values, weights, kind, urban, scratch):
    """Weighted mean of ``values`` over urban (or periurban and rural) territories; NaN if none.

    As ``outcomes._mean``: the weights' and the products' sums in numpy's order.
    """
    count = 0
    for i in range(len(values)):
        k = kind[i]
        if _urban(k) if urban else k in (PERIURBAN, RURAL):
            scratch[0, count] = weights[i]
            scratch[1, count] = values[i] * weights[i]
            count += 1
    total = numpy_sum(scratch[0], 0, count)
    return numpy_sum(scratch[1], 0, count) / total if total > 0 else np.nan


@njit(cache=True)
def _gini(x, w, scratch):
    """The weighted Gini index as ``inequality._gini`` computes it (numba's quicksort)."""
    order = np.argsort(x)
    cum = scratch[0]
    running = 0.0
    for r in range(len(order)):
        running += w[order[r]]
        cum[r] = running
    total_w, lowest = running, x[order[0]]
    numerator = denominator = before = 0.0
    for r in range(len(order)):
        i = order[r]
        numerator += w[i] * (x[i] - lowest) * (cum[r] + before - total_w)
        denominator += w[i] * x[i]
        before = cum[r]
    return max(numerator / (total_w * denominator), 0.0)


@njit(cache=True)
def _theil_cv(x, w, kind, out, at):
    """Theil T with its split by kind, then the CV, into ``out[at:at + 4]``.

    As ``inequality._theil`` and ``inequality._cv`` compute them for unequal values.
    """
    n = len(x)
    total_w = numpy_sum(w, 0, n)
    p = np.empty(n)
    mu = 0.0
    for i in range(n):
        p[i] = w[i] / total_w
        mu += p[i] * x[i]
    p_g, px_g, mu_g = np.zeros(4), np.zeros(4), np.ones(4)
    for i in range(n):
        p_g[kind[i]] += p[i]
        px_g[kind[i]] += p[i] * x[i]
    between = 0.0
    for g in range(4):
        if p_g[g] > 0.0:
            mu_g[g] = px_g[g] / p_g[g]
            ratio = mu_g[g] / mu
            between += p_g[g] * ratio * math.log(ratio)
    total = within = spread = 0.0
    for i in range(n):
        share = p[i] * (x[i] / mu)
        total += share * math.log(x[i] / mu)
        within += share * math.log(x[i] / mu_g[kind[i]])
        spread += p[i] * ((x[i] - mu) * (x[i] - mu))
    out[at], out[at + 1], out[at + 2] = total, between, within
    out[at + 3] = math.sqrt(spread) / mu


@njit(cache=True)
def _sigma(logs):
    """``np.std`` of the log values: numpy's mean and mean square, in its pairwise order."""
    n = len(logs)
    mean = numpy_sum(logs, 0, n) / n
    squares = np.empty(n)
    for i in range(n):
        squares[i] = (logs[i] - mean) * (logs[i] - mean)
    return math.sqrt(numpy_sum(squares, 0, n) / n)


@njit(cache=True)
def _beta(then, initial, log_w, years):
    """``outcomes.convergence``: the OLS slope of annual growth on initial log welfare.

    ``then`` is the oldest log welfare kept (float32) and ``initial`` numpy's ``exp`` of it (in
    float32, as the numpy code computes it); growth is measured up to this year's ``log_w``.
    """
    n = len(log_w)
    if years <= 0:
        return np.nan
    if then.min() == then.max():
        return 0.0
    if n < 2:
        return np.nan
    log0, growth = np.empty(n), np.empty(n)
    for i in range(n):
        log0[i] = math.log(np.float64(initial[i]))
        growth[i] = (math.log(math.exp(log_w[i])) - log0[i]) / years
    if log0.min() == log0.max():
        return np.nan
    mean0, mean_growth = numpy_sum(log0, 0, n) / n, numpy_sum(growth, 0, n) / n
    sxx = sxy = 0.0
    for i in range(n):
        sxx += (log0[i] - mean0) * (log0[i] - mean0)
        sxy += (log0[i] - mean0) * (growth[i] - mean_growth)
    return sxy / sxx if sxx != 0.0 else np.nan


@njit(cache=True)
def _structure_metrics(out, col, steps, structures, members, kind, metropoles):
    """Structures active (by kind), formed and dissolved this year, their age, per métropole."""
    st_kind, formed, dissolved = structures
    structure, territory, left = members
    active = formed_now = dissolved_now = age = 0
    by_kind = np.zeros(N_KINDS, dtype=np.int64)
    for s in range(len(st_kind)):
        if dissolved[s] < 0:
            active += 1
            by_kind[st_kind[s]] += 1
            age += steps - formed[s]
        formed_now += formed[s] == steps
        dissolved_now += dissolved[s] == steps
    out[col] = active
    for k in range(N_KINDS):
        out[col + 1 + k] = by_kind[k]
    col += 1 + N_KINDS
    out[col] = formed_now if steps else 0
    out[col + 1] = dissolved_now
    out[col + 2] = age / active if active else 0.0
    if metropoles == 0:
        out[col + 3] = np.nan
    else:
        with_metropole = np.zeros(len(st_kind), dtype=np.bool_)
        for m in range(len(left)):
            if left[m] < 0 and kind[territory[m]] == METROPOLE:
                with_metropole[structure[m]] = True
        out[col + 3] = with_metropole.sum() / metropoles
    return col + 4


@njit(cache=True)
def record(
    out,
    scratch,
    log_w,
    then,
    initial,
    years,
    steps,
    year,
    welfare,
    population,
    kind,
    cooperate,
    stance,
    rev,
    service_value,
    balance,
    access,
    public,
    structures,
    members,
    in_structure,
    undirected,
    mixed,
    metropoles,
):
    """Fill ``out`` with the year's outcomes, in the order of :func:`columns`.

    ``scratch`` is (2, N) float64. ``log_w`` is numpy's ``log`` of the floored welfare, ``then``
    and ``initial`` what :func:`_beta` reads, ``years`` how many years lie between them.
    ``public`` holds the :data:`N_PUBLIC` money scalars; ``structures`` the registry's kind,
    formed and dissolved columns, ``members`` its structure, territory and left columns.
    """
    n, n_edges, n_dom = len(welfare), len(stance), access.shape[1]
    floored = np.empty(n)
    below = 0
    for i in range(n):
        if not (math.isfinite(welfare[i]) and math.isfinite(population[i])):
            raise ValueError("welfare and population must be finite")
        floored[i] = max(welfare[i], WELFARE_FLOOR)
        below += welfare[i] < WELFARE_FLOOR
    people = numpy_sum(population, 0, n)
    # population weights rescaled by a power of two, as inequality._as_weights does
    shift = -math.frexp(population.max())[1]
    weights = np.empty(n)
    for i in range(n):
        weights[i] = math.ldexp(population[i], shift)

    out[0], out[1] = steps, year
    col = 2
    cooperating = 0
    for i in range(n):
        if cooperate[i]:
            scratch[0, cooperating] = population[i]
            cooperating += 1
    out[col] = cooperating / n
    out[col + 1] = numpy_sum(scratch[0], 0, cooperating) / people
    mutual = 0
    for e in range(n_edges):
        mutual += stance[e] and stance[rev[e]]
    out[col + 2] = mutual / n_edges if n_edges else 0.0
    col += 3

    # cohesion (outcomes.cohesion), on the floored welfare
    if floored.min() == floored.max():
        out[col : col + 5] = 0.0  # Gini, Theil and its parts, CV
        sigma = 0.0
    else:
        out[col] = _gini(floored, weights, scratch)
        _theil_cv(floored, weights, kind, out, col + 1)
        sigma = _sigma(log_w)
    gap = _mean(floored, population, kind, True, scratch) / _mean(
        floored, population, kind, False, scratch
    )
    out[col + 5] = gap
    out[col + 6] = abs(math.log(gap))
    out[col + 7] = sigma
    out[col + 8] = below
    out[col + 9] = _beta(then, initial, log_w, years)
    col += 10

    for i in range(n):
        scratch[0, i] = welfare[i] * population[i]
    welfare_total = numpy_sum(scratch[0], 0, n)
    out[col], out[col + 1] = welfare_total / people, welfare_total
    for i in range(n):
        scratch[0, i] = service_value[i] * population[i]
    out[col + 2] = numpy_sum(scratch[0], 0, n) / people
    out[col + 3] = numpy_sum(balance, 0, n) / people
    col += 4
    for k in range(N_PUBLIC):
        out[col + k] = public[k]
    col += N_PUBLIC

    col = _structure_metrics(out, col, steps, structures, members, kind, metropoles)
    covered = edges = covered_mixed = edges_mixed = 0
    for e in range(n_edges):
        edges += undirected[e]
        covered += undirected[e] and in_structure[e]
        edges_mixed += mixed[e]
        covered_mixed += mixed[e] and in_structure[e]
    out[col] = covered / edges if edges else 0.0
    out[col + 1] = covered_mixed / edges_mixed if edges_mixed else 0.0
    member_of = np.zeros(n, dtype=np.bool_)
    _, territory, left = members
    for m in range(len(left)):
        if left[m] < 0:
            member_of[territory[m]] = True
    out[col + 2] = member_of.sum() / n
    col += 3

    # access: numpy sums an (N, D) array over its rows one row after the other
    for d in range(n_dom):
        out[col + d] = access[0, d] * population[0]
    for i in range(1, n):
        for d in range(n_dom):
            out[col + d] += access[i, d] * population[i]
    for d in range(n_dom):
        out[col + d] /= people
    col += n_dom
    mean_access = floored  # the floored welfare is read no more
    urban = 0
    for i in range(n):
        mean_access[i] = numpy_sum(access[i], 0, n_dom) / n_dom
        urban += _urban(kind[i])
    if urban == 0 or urban == n:
        out[col] = np.nan
    else:
        ratio = max(_mean(mean_access, population, kind, True, scratch), ACCESS_FLOOR) / max(
            _mean(mean_access, population, kind, False, scratch), ACCESS_FLOOR
        )
        out[col] = abs(math.log(ratio))

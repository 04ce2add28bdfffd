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

from .kinds import METROPOLE, STRUCTURE_KINDS, URBAN
from .numpy_sums import numpy_sums
from .outcomes import ACCESS_FLOOR, INDEX_COLUMNS, WELFARE_FLOOR, policy_columns

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
def _gini(x, w, order):
    """The weighted Gini index as ``inequality._gini`` computes it, ``order`` sorting ``x``."""
    cum = np.empty(len(x))
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
def _all_equal(values):
    """Whether every value equals the first (a loop: numba's ``min`` and ``max`` compile slowly)."""
    k = 1
    while k < len(values) and values[k] == values[0]:
        k += 1
    return k >= len(values)


@njit(cache=True)
def _theil_cv(x, w, total_w, kind, out, at):
    """Theil T with its split by kind, then the CV, into ``out[at:at + 4]``.

    As ``inequality._theil`` and ``inequality._cv`` compute them for unequal values, ``total_w``
    the sum of the weights ``w``.
    """
    n = len(x)
    p = np.empty(n)
    mu = 0.0
    for i in range(n):
        p[i] = w[i] / total_w
        mu += p[i] * x[i]
    p_g, px_g, mu_g = np.empty(4), np.empty(4), np.empty(4)
    for g in range(4):
        p_g[g], px_g[g], mu_g[g] = 0.0, 0.0, 1.0
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
def _beta_terms(then, initial, log_w, years, log0, growth):
    """Fill ``log0`` and ``growth`` for :func:`_beta`; False if there is no slope to fit.

    ``then`` is the oldest log welfare kept (float32) and ``initial`` numpy's ``exp`` of it (in
    float32, as the numpy code computes it); growth is measured up to this year's ``log_w``.
    """
    if years <= 0 or _all_equal(then) or len(log_w) < 2:
        return False
    for i in range(len(log_w)):
        log0[i] = math.log(np.float64(initial[i]))  # float() stays float32 in numba
        growth[i] = (math.log(math.exp(log_w[i])) - log0[i]) / years
    return True


@njit(cache=True)
def _beta(then, log0, growth, sum_log0, sum_growth, years):
    """β-convergence: the OLS slope of annual growth on initial log welfare.

    NaN at step 0, 0 when initial welfare is equal everywhere; ``sum_log0`` and ``sum_growth``
    are the sums of ``log0`` and ``growth`` in numpy's order.
    """
    n = len(log0)
    if years <= 0:
        return np.nan
    if _all_equal(then):
        return 0.0
    if n < 2 or _all_equal(log0):
        return np.nan
    mean0, mean_growth = sum_log0 / n, sum_growth / n
    sxx = sxy = 0.0
    for i in range(n):
        sxx += (log0[i] - mean0) * (log0[i] - mean0)
        sxy += (log0[i] - mean0) * (growth[i] - mean_growth)
    return sxy / sxx if sxx != 0.0 else np.nan


@njit(cache=True)
def _distinct(values, territory, left, kind, only, size):
    """How many different ``values`` (< ``size``) the memberships held have.

    Held: ``left`` < 0; only those of territories of kind ``only`` count (all if -1).
    """
    seen = np.empty(size, dtype=np.bool_)
    for v in range(size):
        seen[v] = False
    count = 0
    for m in range(len(left)):
        if left[m] < 0 and (only < 0 or kind[territory[m]] == only) and not seen[values[m]]:
            seen[values[m]] = True
            count += 1
    return count


@njit(cache=True)
def _structure_metrics(out, col, steps, structures, members, kind, metropoles):
    """Structures active (by kind), formed and dissolved this year, their age, per métropole."""
    st_kind, formed, dissolved = structures
    structure, territory, left = members
    active = formed_now = dissolved_now = age = 0
    by_kind = np.empty(N_KINDS, dtype=np.int64)
    for k in range(N_KINDS):
        by_kind[k] = 0
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
        held = _distinct(structure, territory, left, kind, np.int64(METROPOLE), len(st_kind))
        out[col + 3] = held / metropoles
    return col + 4


# the rows of the sums record() takes in numpy's pairwise order, all in one call
(POPULATION, COOPERATING, WELFARE, SERVICES, BALANCE, WEIGHTS) = range(6)
(URBAN_PEOPLE, RURAL_PEOPLE, URBAN_WELFARE, RURAL_WELFARE) = range(6, 10)
(URBAN_ACCESS, RURAL_ACCESS, LOG0, GROWTH) = range(10, 14)
N_SUMS = 14


@njit(cache=True)
def _mean(total, weight):
    """A weighted mean from its sums, NaN without weight (as the numpy code's ``_mean``)."""
    return total / weight if weight > 0 else np.nan


@njit(cache=True)
def record(
    out,
    floored,
    order,
    log_w,
    sigma,
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
    mean_access,
    public,
    structures,
    members,
    in_structure,
    undirected,
    mixed,
    metropoles,
):
    """Fill ``out`` with the year's outcomes, in the order of :func:`columns`.

    ``floored`` is the welfare floored at ``WELFARE_FLOOR``, ``order`` numpy's ``argsort`` of
    it, ``log_w`` numpy's ``log`` of it and ``sigma`` numpy's ``std`` of that; ``then`` and
    ``initial`` what :func:`_beta_terms` reads, ``years`` how many years lie between them.
    ``mean_access`` is numpy's mean of ``access`` over domains. ``public`` holds the
    :data:`N_PUBLIC` money scalars; ``structures`` the registry's kind, formed and dissolved
    columns, ``members`` its structure, territory and left columns.

    Every sum numpy took with ``.sum()`` is a row of ``terms``, summed in one call of
    :func:`numpy_sums`: LLVM copies a pairwise sum wherever it is called, and each copy costs
    about a second of compilation on a machine's first run.
    """
    n, n_edges, n_dom = len(welfare), len(stance), access.shape[1]
    largest = 0.0
    for i in range(n):
        if not (math.isfinite(welfare[i]) and math.isfinite(population[i])):
            raise ValueError("welfare and population must be finite")
        largest = max(largest, population[i])
    shift = -math.frexp(largest)[1]  # weights rescaled by a power of two (_as_weights)
    weights = np.empty(n)
    terms = np.empty((N_SUMS, n))
    slope = _beta_terms(then, initial, log_w, years, terms[LOG0], terms[GROWTH])
    below = cooperating = urban = rural = 0
    for i in range(n):
        p = population[i]
        below += welfare[i] < WELFARE_FLOOR
        weights[i] = math.ldexp(p, shift)
        terms[POPULATION, i], terms[WEIGHTS, i] = p, weights[i]
        terms[WELFARE, i] = welfare[i] * p
        terms[SERVICES, i] = service_value[i] * p
        terms[BALANCE, i] = balance[i]
        if cooperate[i]:
            terms[COOPERATING, cooperating] = p
            cooperating += 1
        if _urban(kind[i]):  # periurban and rural are the others
            terms[URBAN_PEOPLE, urban], terms[URBAN_WELFARE, urban] = p, floored[i] * p
            terms[URBAN_ACCESS, urban] = mean_access[i] * p
            urban += 1
        else:
            terms[RURAL_PEOPLE, rural], terms[RURAL_WELFARE, rural] = p, floored[i] * p
            terms[RURAL_ACCESS, rural] = mean_access[i] * p
            rural += 1
    counts = np.empty(N_SUMS, dtype=np.int64)
    for r in range(N_SUMS):
        counts[r] = n
    counts[COOPERATING] = cooperating
    counts[URBAN_PEOPLE], counts[URBAN_WELFARE], counts[URBAN_ACCESS] = urban, urban, urban
    counts[RURAL_PEOPLE], counts[RURAL_WELFARE], counts[RURAL_ACCESS] = rural, rural, rural
    if not slope:
        counts[LOG0] = counts[GROWTH] = 0
    sums = np.empty(N_SUMS)
    numpy_sums(terms, counts, sums)
    people = sums[POPULATION]

    out[0], out[1] = steps, year
    col = 2
    out[col] = cooperating / n
    out[col + 1] = sums[COOPERATING] / people
    mutual = 0
    for e in range(n_edges):
        mutual += stance[e] and stance[rev[e]]
    out[col + 2] = mutual / n_edges if n_edges else 0.0
    col += 3

    # cohesion: inequality of the floored welfare, and the urban–rural gap
    if _all_equal(floored):
        for k in range(5):  # Gini, Theil and its parts, CV
            out[col + k] = 0.0
        sigma = 0.0
    else:
        out[col] = _gini(floored, weights, order)
        _theil_cv(floored, weights, sums[WEIGHTS], kind, out, col + 1)
    urban_welfare = _mean(sums[URBAN_WELFARE], sums[URBAN_PEOPLE])
    gap = urban_welfare / _mean(sums[RURAL_WELFARE], sums[RURAL_PEOPLE])
    out[col + 5] = gap
    out[col + 6] = abs(math.log(gap))
    out[col + 7] = sigma
    out[col + 8] = below
    out[col + 9] = _beta(then, terms[LOG0], terms[GROWTH], sums[LOG0], sums[GROWTH], years)
    col += 10

    out[col], out[col + 1] = sums[WELFARE] / people, sums[WELFARE]
    out[col + 2] = sums[SERVICES] / people
    out[col + 3] = sums[BALANCE] / people
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
    _, territory, left = members
    # ``only`` as int64, not a constant: numba compiles a copy of _distinct for each constant
    out[col + 2] = _distinct(territory, territory, left, kind, np.int64(-1), n) / n
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
    if urban == 0 or rural == 0:
        out[col] = np.nan
    else:
        urban_access = max(_mean(sums[URBAN_ACCESS], sums[URBAN_PEOPLE]), ACCESS_FLOOR)
        rural_access = max(_mean(sums[RURAL_ACCESS], sums[RURAL_PEOPLE]), ACCESS_FLOOR)
        out[col] = abs(math.log(urban_access / rural_access))

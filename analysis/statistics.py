"""Means, confidence intervals and paired differences across replicates.

Replicates of a scenario are independent runs; two scenarios run on the same seeds (common random
numbers) are paired by seed, so their difference is estimated from the per-seed differences,
which removes the run-to-run noise the two share (Law 2015, *Simulation Modeling and Analysis*,
5th ed., §11.2 "common random numbers").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of independent values.

    Parameters
    ----------
    values
        One value per replicate (NaN values are dropped).
    confidence
        Coverage of the interval.

    Returns
    -------
    tuple of float
        ``(mean, low, high)``; the interval is NaN with fewer than two values, and collapses onto
        the mean when every value is the same.

    Examples
    --------
    >>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    sd = float(x.std(ddof=1))
    if sd == 0:
        return m, m, m
    half = float(stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * sd / np.sqrt(len(x)))
    return m, m - half, m + half


@dataclass(frozen=True)
class PairedDifference:
    """The mean of ``b − a`` over paired replicates, its interval and its effect size.

    ``effect_size`` is Cohen's d_z for paired samples (Cohen 1988, *Statistical Power Analysis
    for the Behavioral Sciences*, 2nd ed., eq. 2.3.5; Lakens 2013, doi:10.3389/fpsyg.2013.00863):
    the mean difference divided by the standard deviation of the differences. It is 0 when every
    difference is exactly zero and NaN when the differences are all equal but not zero (no
    spread to scale by) or fewer than two pairs are complete.
    """

    diff: float
    ci_low: float
    ci_high: float
    effect_size: float
    pairs: int


def paired_difference(
    a: Iterable[float], b: Iterable[float], confidence: float = CONFIDENCE
) -> PairedDifference:
    """Paired-t estimate of the mean of ``b − a`` (pairs with a NaN on either side are dropped).

    Parameters
    ----------
    a, b
        One value per replicate, in the same replicate order (same seeds).
    confidence
        Coverage of the interval.

    Examples
    --------
    >>> d = paired_difference([1.0, 2.0, 3.0], [2.0, 2.5, 4.5])
    >>> d.diff, round(d.effect_size, 3)
    (1.0, 2.0)
    """
    a = np.asarray(list(a), dtype=float)
    b = np.asarray(list(b), dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples must have the same length, got {len(a)} and {len(b)}")
    d = (b - a)[~(np.isnan(a) | np.isnan(b))]
    m, lo, hi = mean_ci(d, confidence)
    if len(d) < 2:
        effect = float("nan")
    else:
        sd = float(d.std(ddof=1))
        effect = m / sd if sd > 0 else (0.0 if m == 0 else float("nan"))
    return PairedDifference(m, lo, hi, effect, len(d))


def fieller_ratio_ci(
    numerator: Iterable[float], denominator: Iterable[float], confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Ratio of means ``mean(numerator) / mean(denominator)`` of paired values, Fieller interval.

    Fieller's theorem (Fieller 1954, doi:10.1111/j.2517-6161.1954.tb00159.x) gives the set of
    ratios θ with (x̄ − θȳ)² ≤ t² · var(x̄ − θȳ), var from the paired sample covariance. When the
    denominator's mean is not distinguishable from zero at this confidence, that set is not a
    bounded interval and (−inf, inf) is returned: the data then say nothing about the ratio.
    The ratio itself is NaN when the denominator's mean is not positive.

    Examples
    --------
    >>> r, lo, hi = fieller_ratio_ci([2.0, 4.1, 6.0, 7.9], [1.0, 2.0, 3.1, 3.9])
    >>> round(r, 3), lo < r < hi
    (2.0, True)
    """
    x = np.asarray(list(numerator), dtype=float)
    y = np.asarray(list(denominator), dtype=float)
    n = len(x)
    if n == 0 or y.mean() <= 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(x.mean() / y.mean())
    if n < 2:
        return ratio, float("nan"), float("nan")
    t2 = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) ** 2
    cov = np.cov(x, y, ddof=1) / n  # covariance matrix of the two means
    a = y.mean() ** 2 - t2 * cov[1, 1]
    b = -2 * (x.mean() * y.mean() - t2 * cov[0, 1])
    c = x.mean() ** 2 - t2 * cov[0, 0]
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return ratio, float("-inf"), float("inf")
    root = np.sqrt(disc)
    return ratio, float((-b - root) / (2 * a)), float((-b + root) / (2 * a))

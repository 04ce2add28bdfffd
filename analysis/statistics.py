"""Means, confidence intervals and differences across replicates, paired or not.

Replicates of a scenario are independent runs; two scenarios run on the same seeds (common random
numbers) are paired by seed, so their difference is estimated from the per-seed differences,
which removes the run-to-run noise the two share (Law 2015, *Simulation Modeling and Analysis*,
5th ed., §11.2 "common random numbers"). Scenarios on different regions share nothing through
their seeds: their difference is that of two independent means (Welch 1947).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95


def _t_quantile(q: float, df: float) -> float:
    """Student's t quantile.

    scipy.stats is imported here, on first use: it takes about a second to import, and
    `cohesim run` draws its figures through this package without needing it.
    """
    from scipy import stats

    return float(stats.t.ppf(q, df))


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
    half = float(_t_quantile(0.5 + confidence / 2, len(x) - 1) * sd / np.sqrt(len(x)))
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


def mean_ci_text(values: Iterable[float], digits: int = 2) -> str:
    """Mean and 95 % CI as text: ``0.31 [0.27, 0.34]``."""
    mean, low, high = mean_ci(values)
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


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


def welch_difference(
    a: Iterable[float], b: Iterable[float], confidence: float = CONFIDENCE
) -> PairedDifference:
    """Welch's estimate of ``mean(b) − mean(a)`` for independent samples (NaN values dropped).

    The interval uses Welch's standard error and the Welch–Satterthwaite degrees of freedom
    (Welch 1947, doi:10.1093/biomet/34.1-2.28). ``effect_size`` is Cohen's d, the difference
    over the pooled standard deviation (Cohen 1988, eq. 2.2.1); ``pairs`` is the smaller sample.

    Examples
    --------
    >>> d = welch_difference([1.0, 2.0, 3.0], [3.0, 4.0, 5.0, 6.0])
    >>> d.diff, round(d.ci_low, 2), round(d.ci_high, 2), round(d.effect_size, 2)
    (2.5, 0.27, 4.73, 2.11)
    """
    x = np.asarray(list(a), dtype=float)
    y = np.asarray(list(b), dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n = min(len(x), len(y))
    if n == 0:
        return PairedDifference(*(float("nan"),) * 4, 0)
    diff = float(y.mean() - x.mean())
    if n < 2:
        return PairedDifference(diff, float("nan"), float("nan"), float("nan"), n)
    vx, vy = float(x.var(ddof=1)) / len(x), float(y.var(ddof=1)) / len(y)
    se = np.sqrt(vx + vy)
    if se == 0:
        return PairedDifference(diff, diff, diff, 0.0 if diff == 0 else float("nan"), n)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    half = float(_t_quantile(0.5 + confidence / 2, df) * se)
    pooled = np.sqrt(
        ((len(x) - 1) * x.var(ddof=1) + (len(y) - 1) * y.var(ddof=1)) / (len(x) + len(y) - 2)
    )
    return PairedDifference(diff, diff - half, diff + half, float(diff / pooled), n)


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
    if n < 2:
        return float(x.mean() / y.mean()), float("nan"), float("nan")
    cov = np.cov(x, y, ddof=1) / n  # covariance matrix of the two means
    return _fieller(float(x.mean()), float(y.mean()), cov, n - 1, confidence)


def fieller_difference_ratio_ci(
    x0: Iterable[float],
    y0: Iterable[float],
    x1: Iterable[float],
    y1: Iterable[float],
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float]:
    """``(mean(x1) − mean(x0)) / (mean(y1) − mean(y0))`` for two independent groups, Fieller.

    The unpaired counterpart of :func:`fieller_ratio_ci` on per-seed differences: each group's
    (x, y) pairs come from the same runs, the groups from unrelated runs, so the covariance of
    the two differences of means is the sum of the groups' covariances of means. Degrees of
    freedom are the smaller group's n − 1 (conservative). NaN when the denominator's mean is not
    positive; (−inf, inf) when it is not distinguishable from zero.

    Examples
    --------
    >>> r, lo, hi = fieller_difference_ratio_ci([0, 1, 2], [0, 1, 0], [10, 12, 11], [5, 5.5, 4.5])
    >>> round(r, 2), lo < r < hi
    (2.14, True)
    """
    groups = [np.asarray(list(v), dtype=float) for v in (x0, y0, x1, y1)]
    x0a, y0a, x1a, y1a = groups
    n = min(len(x0a), len(x1a))
    if n == 0 or y1a.mean() - y0a.mean() <= 0:
        return float("nan"), float("nan"), float("nan")
    mx, my = float(x1a.mean() - x0a.mean()), float(y1a.mean() - y0a.mean())
    if n < 2:
        return mx / my, float("nan"), float("nan")
    cov = np.cov(x0a, y0a, ddof=1) / len(x0a) + np.cov(x1a, y1a, ddof=1) / len(x1a)
    return _fieller(mx, my, cov, n - 1, confidence)


def _fieller(
    mx: float, my: float, cov: np.ndarray, df: int, confidence: float
) -> tuple[float, float, float]:
    """Fieller's interval for mx / my, given the covariance matrix of (mx, my)."""
    ratio = mx / my
    t2 = _t_quantile(0.5 + confidence / 2, df) ** 2
    a = my**2 - t2 * cov[1, 1]
    b = -2 * (mx * my - t2 * cov[0, 1])
    c = mx**2 - t2 * cov[0, 0]
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return ratio, float("-inf"), float("inf")
    root = np.sqrt(disc)
    return ratio, float((-b - root) / (2 * a)), float((-b + root) / (2 * a))

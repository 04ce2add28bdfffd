"""Confidence intervals, paired differences and ratios on synthetic data with known answers."""

import numpy as np
import pytest

from cohesim.analysis.statistics import fieller_ratio_ci, mean_ci, paired_difference

# With M simulated samples, the observed coverage of a 95 % interval has standard error
# sqrt(0.95 · 0.05 / M); 4 standard errors (M = 4000: ±0.0138) fails a correct method with
# probability below 1e-4 and catches an interval of true coverage 0.93 or 0.97.
SAMPLES = 4000
TOLERANCE = 4 * np.sqrt(0.95 * 0.05 / SAMPLES)


@pytest.mark.parametrize("n", [5, 10, 30])
def test_paired_interval_has_its_nominal_coverage(n):
    rng = np.random.default_rng(12345 + n)
    true_diff = 0.3
    covered = 0
    for _ in range(SAMPLES):
        shared = rng.normal(0, 2.0, n)  # what common random numbers share: cancels in pairs
        a = 1.0 + shared + rng.normal(0, 0.5, n)
        b = 1.0 + true_diff + shared + rng.normal(0, 0.5, n)
        d = paired_difference(a, b)
        covered += d.ci_low <= true_diff <= d.ci_high
    assert covered / SAMPLES == pytest.approx(0.95, abs=TOLERANCE)


def test_mean_interval_has_its_nominal_coverage():
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(SAMPLES):
        m, lo, hi = mean_ci(rng.exponential(2.0, 40))  # skewed: t is approximate at n = 40
        hits += lo <= 2.0 <= hi
    assert hits / SAMPLES == pytest.approx(0.95, abs=TOLERANCE + 0.01)


def test_paired_difference_beats_unpaired_when_runs_share_noise():
    rng = np.random.default_rng(3)
    shared = rng.normal(0, 5.0, 10)
    a, b = shared + rng.normal(0, 0.1, 10), shared + 1.0 + rng.normal(0, 0.1, 10)
    d = paired_difference(a, b)
    assert d.ci_low > 0.8 and d.ci_high < 1.2
    _, lo_b, hi_b = mean_ci(b)
    assert hi_b - lo_b > 5 * (d.ci_high - d.ci_low)


def test_a_sample_against_itself_differs_by_exactly_zero():
    x = np.random.default_rng(1).normal(size=8)
    d = paired_difference(x, x.copy())
    assert (d.diff, d.ci_low, d.ci_high, d.effect_size) == (0.0, 0.0, 0.0, 0.0)


def test_effect_size_is_cohens_dz():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = a + np.array([1.0, 2.0, 1.0, 2.0])
    d = paired_difference(a, b)
    assert d.effect_size == pytest.approx(1.5 / np.std([1, 2, 1, 2], ddof=1))
    assert np.isnan(paired_difference([1.0, 2.0], [2.0, 3.0]).effect_size)  # constant, no spread


def test_intervals_need_two_values_and_matching_lengths():
    m, lo, hi = mean_ci([2.0])
    assert m == 2.0 and np.isnan(lo) and np.isnan(hi)
    assert np.isnan(paired_difference([1.0], [2.0]).ci_low)
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1.0, 2.0], [1.0])


def test_fieller_interval_covers_the_true_ratio():
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(SAMPLES):
        y = rng.normal(2.0, 0.3, 12)
        x = 5.0 * y + rng.normal(0, 1.0, 12)  # true ratio of means: 5
        r, lo, hi = fieller_ratio_ci(x, y)
        hits += lo <= 5.0 <= hi
    assert hits / SAMPLES == pytest.approx(0.95, abs=TOLERANCE)


def test_fieller_is_unbounded_when_the_denominator_may_be_zero():
    r, lo, hi = fieller_ratio_ci([1.0, 2.0, 3.0], [0.1, -0.1, 0.05])
    assert r == pytest.approx(2.0 / (0.05 / 3)) and (lo, hi) == (-np.inf, np.inf)
    assert np.isnan(fieller_ratio_ci([1.0, 2.0], [-1.0, 0.5])[0])  # no reduction: undefined

"""Confidence intervals of the summaries against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from skyshield.analysis.stats import mean_ci, paired_difference, summarise


@pytest.mark.parametrize("seed", [0, 1])
def test_a_continuous_metric_gets_the_student_t_interval(seed: int) -> None:
    x = np.random.default_rng(seed).normal(10.0, 3.0, 40)
    m, lo, hi = mean_ci(x)
    half = stats.t.ppf(0.975, 39) * x.std(ddof=1) / np.sqrt(40)
    assert m == pytest.approx(x.mean()) and hi - m == pytest.approx(half) and m - lo == pytest.approx(half)


@pytest.mark.parametrize("k,n", [(0, 100), (1, 100), (37, 50), (20, 20), (0, 3)])
def test_an_indicator_gets_wilsons_interval_inside_zero_one(k: int, n: int) -> None:
    # a 0/1 metric (P(direct) on a night, P(rung >= k)) is a proportion: the t interval would
    # go below 0 (1 of 100: [-0.0098, 0.0298]) or collapse to [0, 0] when all agree
    x = [1.0] * k + [0.0] * (n - k)
    m, lo, hi = mean_ci(x, proportion=True)
    assert m == k / n
    assert 0.0 <= lo <= m <= hi <= 1.0 and hi > lo
    # the closed form of Wilson's score interval
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert lo == pytest.approx(max(0.0, centre - half), abs=1e-12)
    assert hi == pytest.approx(min(1.0, centre + half), abs=1e-12)


def test_counts_and_differences_that_are_zero_stay_exactly_zero() -> None:
    # only probabilities get Wilson's interval; a count or a paired difference of zeros is [0, 0]
    rows = [{"leaked": 0.0, "p_direct_engagement": 0.0} for _ in range(50)]
    s = summarise(rows)
    assert s["leaked"]["ci95"] == [0.0, 0.0]
    assert s["p_direct_engagement"]["ci95"][0] == 0.0 and 0.0 < s["p_direct_engagement"]["ci95"][1] < 0.08
    assert paired_difference([1.0] * 30, [1.0] * 30) == (0.0, 0.0, 0.0)


# --- against scipy.stats, and coverage by simulation ---------------------------------------------

@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_mean_ci_is_scipys_t_interval_at_every_level(level: float) -> None:
    """Independent computation: ``scipy.stats.t.interval`` around the sample mean with the
    standard error ``scipy.stats.sem``. Mutants killed: the quantile at ``level`` instead of
    ``(1 + level) / 2``, the population standard deviation, a normal quantile."""
    x = np.random.default_rng(3).gamma(2.0, 5.0, 12)
    m, lo, hi = mean_ci(x, level)
    ref_lo, ref_hi = stats.t.interval(level, 11, loc=x.mean(), scale=stats.sem(x))
    assert m == pytest.approx(x.mean(), rel=1e-12)
    assert lo == pytest.approx(ref_lo, rel=1e-12) and hi == pytest.approx(ref_hi, rel=1e-12)


def test_paired_difference_is_scipys_paired_t_interval_and_narrower_than_unpaired() -> None:
    """Common random numbers: two options scored on the same raids share most of their
    variance. The paired difference is ``scipy.stats.ttest_rel``'s interval, much narrower
    than the unpaired one (``ttest_ind``), and it holds the true difference (1.5). Mutant
    killed: the difference taken on shuffled (unpaired) replications."""
    rng = np.random.default_rng(8)
    raid = rng.normal(100.0, 20.0, 30)  # what both options face
    a = raid + rng.normal(0.0, 1.0, 30)
    b = raid - 1.5 + rng.normal(0.0, 1.0, 30)
    d, lo, hi = paired_difference(a, b)
    ref = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert d == pytest.approx(np.mean(a - b)) and lo == pytest.approx(ref.low) and hi == pytest.approx(ref.high)
    unpaired = stats.ttest_ind(a, b).confidence_interval(0.95)
    assert (hi - lo) < 0.2 * (unpaired.high - unpaired.low)
    assert lo < 1.5 < hi and lo > 0.0 > unpaired.low  # pairing detects what the unpaired test cannot


def _covered(k: int, n: int) -> float:
    """Simulated intervals that hold the truth out of ``n``: a 95 % interval covers in
    Binomial(n, 0.95); the tolerance is 3.5 of its standard deviations (0.017 at n = 2000)."""
    return k / n


def test_t_interval_covers_the_true_mean_95_percent_of_the_time_on_normal_samples() -> None:
    """2,000 samples of 8 from N(5, 2^2): the Student-t interval is exact for normal data,
    so its coverage is 0.95 within binomial tolerance (a normal quantile would cover about
    0.92; a 90 % quantile 0.90)."""
    rng = np.random.default_rng(12)
    n = 2000
    hits = 0
    for x in rng.normal(5.0, 2.0, (n, 8)):
        _, lo, hi = mean_ci(x)
        hits += lo <= 5.0 <= hi
    tol = 3.5 * np.sqrt(0.95 * 0.05 / n)
    assert abs(_covered(hits, n) - 0.95) < tol, hits / n


def test_paired_difference_covers_the_true_difference_95_percent_of_the_time() -> None:
    """2,000 pairs of samples of 10 sharing a common raid effect: coverage of the true mean
    difference (2.0) is 0.95 within binomial tolerance."""
    rng = np.random.default_rng(13)
    n = 2000
    hits = 0
    for _ in range(n):
        common = rng.exponential(50.0, 10)
        a = common + rng.normal(2.0, 1.0, 10)
        b = common + rng.normal(0.0, 1.0, 10)
        _, lo, hi = paired_difference(a, b)
        hits += lo <= 2.0 <= hi
    tol = 3.5 * np.sqrt(0.95 * 0.05 / n)
    assert abs(_covered(hits, n) - 0.95) < tol, hits / n


@pytest.mark.parametrize(("p", "size"), [(0.3, 40), (0.05, 100)])
def test_wilson_interval_coverage_matches_its_exact_binomial_coverage(p: float, size: int) -> None:
    """2,000 simulated 0/1 samples: the fraction of Wilson intervals holding p agrees, within
    binomial tolerance, with the exact coverage summed over the Binomial(size, p) law
    (independent of the simulation), and that exact coverage is near the nominal 0.95."""
    covers = np.array([(lambda c: c[1] <= p <= c[2])(mean_ci([1.0] * k + [0.0] * (size - k), proportion=True))
                       for k in range(size + 1)])
    exact = float(stats.binom.pmf(np.arange(size + 1), size, p)[covers].sum())
    assert 0.92 < exact < 0.98, exact
    rng = np.random.default_rng(14)
    n = 2000
    k = rng.binomial(size, p, n)
    hits = int(covers[k].sum())
    tol = 3.5 * np.sqrt(exact * (1 - exact) / n)
    assert abs(_covered(hits, n) - exact) < tol, (hits / n, exact)

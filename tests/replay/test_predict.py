"""Predictive interval of a reported count: closed forms and properties that must hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skyshield.replay.predict import estimate_rho, mixture_pmf, predictive_interval


@pytest.mark.parametrize("n,p", [(10, 0.3), (100, 0.85), (810, 0.92), (4, 0.0), (7, 1.0)])
def test_without_spread_the_interval_is_the_binomial_quantiles(n: int, p: float) -> None:
    lo, hi = predictive_interval(n, [p], 0.0, 0.9)
    assert lo == pytest.approx(stats.binom.ppf(0.05, n, p) / n)
    assert hi == pytest.approx(stats.binom.ppf(0.95, n, p) / n)


@given(n=st.integers(1, 400), p=st.floats(0.0, 1.0), rho=st.sampled_from([0.0, 0.01, 0.1, 0.5]),
       level=st.sampled_from([0.5, 0.8, 0.9, 0.95]))
@settings(max_examples=60, deadline=None)
def test_the_interval_holds_at_least_its_level_of_probability(n: int, p: float, rho: float, level: float) -> None:
    pmf = mixture_pmf(n, [p], rho)
    lo, hi = predictive_interval(n, [p], rho, level)
    k = np.arange(n + 1) / n
    inside = pmf[(k >= lo - 1e-12) & (k <= hi + 1e-12)].sum()
    assert inside >= level - 1e-9
    assert 0.0 <= lo <= hi <= 1.0


@pytest.mark.parametrize("n,p,rho", [(50, 0.8, 0.05), (200, 0.6, 0.2), (20, 0.3, 0.01)])
def test_night_spread_inflates_the_variance_as_the_beta_binomial_does(n: int, p: float, rho: float) -> None:
    pmf = mixture_pmf(n, [p], rho)
    k = np.arange(n + 1)
    mean = (pmf * k).sum()
    var = (pmf * (k - mean) ** 2).sum()
    assert mean == pytest.approx(n * p, rel=1e-6)
    assert var == pytest.approx(n * p * (1 - p) * (1 + (n - 1) * rho), rel=1e-4)


def test_parameter_uncertainty_adds_the_spread_of_the_draws() -> None:
    """Law of total variance: Var K = E[n m (1 - m)] + n^2 Var(m) for a mixture over draws m."""
    n, means = 100, np.array([0.6, 0.7, 0.8, 0.9])
    pmf = mixture_pmf(n, means, 0.0)
    k = np.arange(n + 1)
    var = (pmf * (k - (pmf * k).sum()) ** 2).sum()
    assert var == pytest.approx((n * means * (1 - means)).mean() + n**2 * means.var(), rel=1e-9)
    lo1, hi1 = predictive_interval(n, [0.75], 0.0)
    lo4, hi4 = predictive_interval(n, means, 0.0)
    assert hi4 - lo4 > (hi1 - lo1) + 0.1  # the draws widen the interval by more than 10 points here


def test_estimate_rho_recovers_the_spread_of_beta_binomial_nights() -> None:
    rng = np.random.default_rng(12)
    n = rng.integers(40, 600, 3000)
    m = rng.uniform(0.6, 0.95, n.size)
    rho = 0.03
    a, b = m * (1 / rho - 1), (1 - m) * (1 / rho - 1)
    r = rng.binomial(n, rng.beta(a, b)) / n
    assert estimate_rho(r, m, n) == pytest.approx(rho, abs=0.005)
    r0 = rng.binomial(n, m) / n  # binomial nights: no spread beyond the count's own noise
    assert estimate_rho(r0, m, n) < 0.002


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        mixture_pmf(0, [0.5])
    with pytest.raises(ValueError):
        mixture_pmf(10, [0.5], 1.0)
    with pytest.raises(ValueError):
        predictive_interval(10, [0.5], 0.0, 1.0)


@pytest.mark.parametrize("p", [2.2250738585072014e-308, 5e-324, 1.0 - 1e-17])
def test_a_mean_at_the_edge_of_the_doubles_gives_the_degenerate_interval(p: float) -> None:
    # found by hypothesis: SciPy's binomial pmf overflowed at p = 2.2e-308
    lo, hi = predictive_interval(4, [p], 0.0, 0.5)
    assert (lo, hi) == ((0.0, 0.0) if p < 0.5 else (1.0, 1.0))


def test_a_mixture_of_no_component_is_refused_with_its_reason():
    with pytest.raises(ValueError, match=r"^at least one mean is needed$"):
        mixture_pmf(10, [], 0.1)

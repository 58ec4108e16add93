"""Convergence check: replications needed against a brute-force search of the t-interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skyshield.analysis import check_convergence, mean_ci, replications_needed, running_mean_ci


def _brute(std: float, h: float, level: float) -> int:
    n = 2
    while stats.t.ppf(0.5 + level / 2, n - 1) * std / math.sqrt(n) > h:
        n += 1
    return n


@settings(max_examples=40, deadline=None)
@given(std=st.floats(0.1, 50), ratio=st.floats(0.05, 3.0), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_replications_needed_is_the_smallest_n_whose_interval_fits(std, ratio, level) -> None:
    h = std * ratio
    assert replications_needed(std, h, level) == _brute(std, h, level)


def test_large_n_approaches_the_normal_formula() -> None:
    # (z s / h)^2 with z = 1.959964: s = 10, h = 0.1 -> 38414.6
    assert abs(replications_needed(10.0, 0.1) - 38415) <= 3


def test_check_against_a_stated_relative_precision() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(100.0, 10.0, 400)  # half-width ~ 1 = 1 % of the mean
    ok = check_convergence(x, relative=0.02)
    assert ok.converged and ok.n_required <= 400
    bad = check_convergence(x[:20], relative=0.005)
    assert not bad.converged and bad.n_required > 20
    m, lo, hi = mean_ci(x[:20])
    assert bad.half_width == pytest.approx((hi - lo) / 2)
    assert check_convergence(np.full(5, 3.0)).converged  # no spread: converged
    assert check_convergence([1.0]).n_required is None


def test_running_interval_matches_mean_ci_at_every_n() -> None:
    x = np.random.default_rng(1).exponential(2.0, 30)
    n, mean, half = running_mean_ci(x)
    for k in (2, 7, 30):
        m, lo, hi = mean_ci(x[:k])
        assert mean[k - 1] == pytest.approx(m) and half[k - 1] == pytest.approx((hi - lo) / 2)

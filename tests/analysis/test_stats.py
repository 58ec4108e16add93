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

"""Engagement oracles reproduced by the engine's own Monte Carlo, within its 95 % interval.

The corridor: missiles at 1000 m/s fly one by one straight over a single SAM. With a 2 km
envelope a missile crosses it in 4 s, less than a look (5 s): it meets exactly one salvo of
``k``. With a 4 km envelope (8 s) it meets at most two single shots under shoot-look-shoot.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest

from skyshield.engage.doctrine import (
    expected_shots_sls,
    interceptors_for_confidence,
    p_kill_sls,
    p_zero_leakers,
)
from skyshield.engine import simulate

from ..engage.corridor import corridor


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    ci = binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    return ci.low, ci.high


def _p_clean(params, reps: int, seed: int) -> tuple[int, int]:
    clean = 0
    for r in range(reps):
        m = simulate(params, seed=seed, replication=r).metrics
        assert m["interceptors_used"] == m["engagements"] * params.shooters.salvo.max()
        clean += m["leaked"] == 0
    return int(clean), reps


@pytest.mark.parametrize(("k", "expected"), [(2, 0.6648), (4, 0.9841)])
def test_zero_leakers_ten_warheads_k_each_matches_closed_form(tmp_path: Path, k: int, expected: float) -> None:
    assert round(p_zero_leakers(0.8, k, 10), 4) == expected
    params = corridor(tmp_path, pk=0.8, salvo=k, n=10)
    lo, hi = _wilson(*_p_clean(params, 300, seed=21 + k))
    assert lo <= expected <= hi, (lo, hi)


def test_shoot_look_shoot_perfect_assessment_kills_096_with_12_shots(tmp_path: Path) -> None:
    assert round(p_kill_sls(0.8, 2), 4) == 0.96 and round(expected_shots_sls(0.8, 2), 4) == 1.2
    params = corridor(tmp_path, pk=0.8, salvo=1, n=10, max_range="4 km",
                      doctrine={"firing": "shoot-look-shoot", "kill_assessment": 1.0, "look_time": "5 s"})
    reps = 250
    killed = shots = 0
    for r in range(reps):
        m = simulate(params, seed=3, replication=r).metrics
        killed += int(m["destroyed"])
        shots += int(m["interceptors_used"])
        assert m["interceptors_used"] <= 20  # never a third shot at one missile
    trials = 10 * reps
    lo, hi = _wilson(killed, trials)
    assert lo <= 0.96 <= hi, (killed / trials, lo, hi)
    # Shots per warhead: 1 + (1 - pk) = 1.2; the sample mean's 95 % interval.
    per = shots / trials
    se = np.sqrt(0.8 * 0.2 / trials)  # the second shot is a Bernoulli(0.2) per warhead
    assert abs(per - 1.2) <= 1.96 * se + 1e-9, per


def test_imperfect_kill_assessment_lowers_kill_probability_as_closed_form(tmp_path: Path) -> None:
    q = 0.5
    params = corridor(tmp_path, pk=0.8, salvo=1, n=10, max_range="4 km",
                      doctrine={"kill_assessment": q, "look_time": "5 s"})
    reps = 250
    killed = sum(int(simulate(params, seed=4, replication=r).metrics["destroyed"]) for r in range(reps))
    lo, hi = _wilson(killed, 10 * reps)
    assert lo <= p_kill_sls(0.8, 2, assess=q) <= hi  # 0.88


def test_interceptors_for_ninety_percent_confidence_is_three_each(tmp_path: Path) -> None:
    k = interceptors_for_confidence(0.8, 10, 0.9)
    assert k == 3
    assert p_zero_leakers(0.8, k, 10) >= 0.9 > p_zero_leakers(0.8, k - 1, 10)
    params = corridor(tmp_path, pk=0.8, salvo=k, n=10)
    lo, hi = _wilson(*_p_clean(params, 300, seed=9))
    assert lo <= p_zero_leakers(0.8, 3, 10) <= hi
    assert hi >= 0.9  # the engine agrees that three each can reach 90 %

"""Closed forms reproduced by the engine's own Monte Carlo, within its 95 % interval.

Each missile crosses one SAM's envelope in 4 s, shorter than a look (5 s), so it receives
exactly one salvo of ``k`` interceptors: P(kill) = 1 - (1 - pk)^k, and with n missiles
P(no leaker) = (1 - (1 - pk)^k)^n.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.stats import binom, binomtest, chisquare

from skyshield.engine import simulate

from .oracle_setup import corridor_params


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    ci = binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    return ci.low, ci.high


def test_salvo_of_two_at_pk_07_kills_with_091(tmp_path: Path) -> None:
    params = corridor_params(tmp_path, pk=0.7, salvo=2, n=10)
    reps = 200
    killed = shots = 0
    for r in range(reps):
        m = simulate(params, seed=11, replication=r).metrics
        killed += int(m["destroyed"])
        shots += int(m["interceptors_used"])
        assert m["engagements"] == 10  # one salvo per missile, never a second look
    trials = 10 * reps
    assert shots == 2 * trials
    lo, hi = _wilson(killed, trials)
    assert lo <= 1 - (1 - 0.7) ** 2 <= hi, (killed / trials, lo, hi)


def test_zero_leakers_ten_warheads_two_each_pk_08_is_06648(tmp_path: Path) -> None:
    params = corridor_params(tmp_path, pk=0.8, salvo=2, n=10)
    reps = 400
    leaked = np.array([simulate(params, seed=5, replication=r).metrics["leaked"] for r in range(reps)])
    expected = (1 - (1 - 0.8) ** 2) ** 10  # 0.6648
    lo, hi = _wilson(int((leaked == 0).sum()), reps)
    assert lo <= expected <= hi, ((leaked == 0).mean(), lo, hi)
    # The whole law, not only its zero: leakers per night are Binomial(10, 0.2^2), mean 0.4
    # (a chi-square test of the counts 0, 1, 2+ against it). Mutant killed: the salvo's second
    # interceptor drawing the same die as the first (leak 0.2 per missile, mean 2).
    observed = [int((leaked == 0).sum()), int((leaked == 1).sum()), int((leaked >= 2).sum())]
    law = binom(10, 0.04)
    probs = np.array([law.pmf(0), law.pmf(1), law.sf(1)])
    assert chisquare(observed, probs * reps).pvalue > 0.001, observed


def test_leakers_reach_their_aim_and_are_counted_once(tmp_path: Path) -> None:
    params = corridor_params(tmp_path, pk=0.0, salvo=1, n=10)
    m = simulate(params, seed=1, replication=0).metrics
    assert m["destroyed"] == 0 and m["leaked"] == 10 and m["assets_hit"] == 10
    assert m["launched"] == m["destroyed"] + m["leaked"] + m["in_flight_at_end"]

"""Closed forms reproduced by the engine's own Monte Carlo, within its 95 % interval.

Each missile crosses one SAM's envelope in 4 s, shorter than a look (5 s), so it receives
exactly one salvo of ``k`` interceptors: P(kill) = 1 - (1 - pk)^k, and with n missiles
P(no leaker) = (1 - (1 - pk)^k)^n.
"""

from __future__ import annotations

from pathlib import Path

from scipy.stats import binomtest

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
    clean = sum(simulate(params, seed=5, replication=r).metrics["leaked"] == 0 for r in range(reps))
    expected = (1 - (1 - 0.8) ** 2) ** 10
    assert round(expected, 4) == 0.6648
    lo, hi = _wilson(int(clean), reps)
    assert lo <= expected <= hi, (clean / reps, lo, hi)


def test_leakers_reach_their_aim_and_are_counted_once(tmp_path: Path) -> None:
    params = corridor_params(tmp_path, pk=0.0, salvo=1, n=10)
    m = simulate(params, seed=1, replication=0).metrics
    assert m["destroyed"] == 0 and m["leaked"] == 10 and m["assets_hit"] == 10
    assert m["launched"] == m["destroyed"] + m["leaked"] + m["in_flight_at_end"]

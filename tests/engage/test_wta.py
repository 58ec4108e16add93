"""Weapon-target assignment: the optimal solver against brute force, greedy as its baseline."""

from __future__ import annotations

import itertools

import numpy as np

from skyshield.engage.wta import assignment_value, greedy_assign, optimal_assign


def _brute(value: np.ndarray, cap: np.ndarray) -> float:
    rows = np.repeat(np.arange(value.shape[0]), cap)
    best = 0.0
    n_t = value.shape[1]
    for perm in itertools.permutations(list(range(n_t)) + [-1] * len(rows), len(rows)):
        used = [t for t in perm if t >= 0]
        if len(set(used)) != len(used):
            continue
        v = sum(max(value[r, t], 0.0) if np.isfinite(value[r, t]) else -np.inf for r, t in zip(rows, perm) if t >= 0)
        best = max(best, v)
    return best


def test_greedy_takes_the_best_pair_and_can_lose_to_optimal() -> None:
    v = np.array([[10.0, 9.0], [9.0, -np.inf]])
    gj, gt = greedy_assign(v, np.array([1, 1]))
    oj, ot = optimal_assign(v, np.array([1, 1]))
    assert list(zip(gj, gt)) == [(0, 0)]
    assert sorted(zip(oj.tolist(), ot.tolist())) == [(0, 1), (1, 0)]
    assert assignment_value(v, oj, ot) == 18.0 > assignment_value(v, gj, gt) == 10.0


def test_optimal_equals_brute_force_and_beats_greedy_on_random_problems() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        J, T = rng.integers(1, 4), rng.integers(1, 5)
        v = rng.uniform(0.0, 1.0, (J, T))
        v[rng.random((J, T)) < 0.2] = -np.inf
        cap = rng.integers(1, 3, J)
        oj, ot = optimal_assign(v, cap)
        gj, gt = greedy_assign(v, cap)
        for j, t in ((oj, ot), (gj, gt)):
            assert len(set(t.tolist())) == t.size  # one shooter per threat
            assert (np.bincount(j, minlength=J) <= cap).all()  # channels respected
            assert np.isfinite(v[j, t]).all()
        opt = assignment_value(v, oj, ot)
        assert abs(opt - _brute(v, cap)) < 1e-9
        assert opt >= assignment_value(v, gj, gt) - 1e-12
        assert assignment_value(v, gj, gt) >= 0.5 * opt - 1e-12  # greedy's 1/2 guarantee


def test_no_shooter_no_threat_or_no_capacity_assigns_nothing() -> None:
    """Empty problems: no pair at all, as int64 arrays (the battle indexes with them).
    Mutants killed: an empty problem returning a phantom pair (0, 0)."""
    for v, cap in ((np.zeros((0, 3)), np.zeros(0, np.int64)), (np.zeros((2, 0)), np.array([1, 1])),
                   (np.ones((2, 2)), np.array([0, 0]))):
        for solve in (greedy_assign, optimal_assign):
            j, t = solve(v, cap)
            assert j.size == 0 and t.size == 0 and j.dtype == np.int64 and t.dtype == np.int64, solve

"""GOSPA against an independent brute-force computation over all assignments."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from skyshield.tracking.gospa import gospa


def _brute_force_gospa(X: np.ndarray, Y: np.ndarray, c: float, p: float, alpha: float) -> float:
    """Definition (Rahmathullah et al. 2017): min over injections of the smaller set."""
    if len(X) > len(Y):
        X, Y = Y, X
    m, n = len(X), len(Y)
    best = math.inf
    for perm in itertools.permutations(range(n), m):
        s = sum(min(float(np.linalg.norm(X[i] - Y[j])), c) ** p for i, j in enumerate(perm))
        best = min(best, s)
    if m == 0:
        best = 0.0
    return (best + c**p / alpha * (n - m)) ** (1 / p)


def _brute_force_assignment_form(X: np.ndarray, Y: np.ndarray, c: float, p: float) -> float:
    """alpha = 2 assignment form: partial matchings of pairs closer than c."""
    best = math.inf
    m, n = len(X), len(Y)
    for choice in itertools.product(range(-1, n), repeat=m):
        used = [j for j in choice if j >= 0]
        if len(set(used)) < len(used):
            continue
        d = [float(np.linalg.norm(X[i] - Y[j])) for i, j in enumerate(choice) if j >= 0]
        if any(v >= c for v in d):
            continue
        k = len(d)
        best = min(best, sum(v**p for v in d) + c**p / 2 * (m + n - 2 * k))
    return best ** (1 / p)


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("p", [1.0, 2.0])
def test_alpha2_gospa_matches_brute_force_on_tiny_random_sets(seed: int, p: float) -> None:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 20, (int(rng.integers(0, 5)), 2))
    Y = rng.uniform(0, 20, (int(rng.integers(0, 5)), 2))
    got = gospa(X, Y, c=8.0, p=p)
    assert got.distance == pytest.approx(_brute_force_gospa(X, Y, 8.0, p, 2.0), rel=1e-12)
    assert got.distance == pytest.approx(_brute_force_assignment_form(X, Y, 8.0, p), rel=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_general_alpha_gospa_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    X = rng.uniform(0, 20, (int(rng.integers(1, 5)), 2))
    Y = rng.uniform(0, 20, (int(rng.integers(1, 5)), 2))
    got = gospa(X, Y, c=6.0, p=1.0, alpha=1.0)
    assert got.distance == pytest.approx(_brute_force_gospa(X, Y, 6.0, 1.0, 1.0), rel=1e-12)


def test_decomposition_adds_up_for_p1() -> None:
    X = np.array([[0.0, 0.0], [50.0, 50.0], [3.0, 0.0]])
    Y = np.array([[0.0, 1.0], [3.0, 3.0], [-40.0, 0.0], [100.0, 0.0]])
    r = gospa(X, Y, c=10.0, p=1.0)
    assert (r.n_missed, r.n_false) == (2, 1)
    assert r.localisation == pytest.approx(1.0 + 3.0)
    assert r.distance == pytest.approx(r.localisation + 5.0 * (r.n_missed + r.n_false))


def test_empty_sets_cost_half_cutoff_each() -> None:
    assert gospa(np.empty((0, 2)), np.empty((0, 2))).distance == 0.0
    assert gospa(np.empty((0, 2)), np.zeros((3, 2)), c=10.0).distance == pytest.approx(15.0)
    assert gospa(np.zeros((2, 2)), np.empty((0, 2)), c=10.0, p=2.0).distance == pytest.approx(
        math.sqrt(100.0)
    )


def test_gospa_is_symmetric_and_zero_only_on_identical_sets() -> None:
    rng = np.random.default_rng(7)
    X, Y = rng.uniform(0, 30, (6, 2)), rng.uniform(0, 30, (4, 2))
    assert gospa(X, Y).distance == pytest.approx(gospa(Y, X).distance)
    assert gospa(X, X).distance == 0.0
    assert gospa(X, X + 0.01).distance > 0.0


def test_pairs_at_or_beyond_cutoff_count_as_miss_plus_false() -> None:
    r = gospa([[0.0, 0.0]], [[10.0, 0.0]], c=10.0, p=1.0)
    assert (r.n_missed, r.n_false, r.distance) == (1, 1, 10.0)


def test_matches_reference_harness_gospa_when_available() -> None:
    from pathlib import Path
    import importlib.util

    path = Path(__file__).resolve().parents[2].parent / "shared/bench/stonesoup/bench_stonesoup.py"
    if not path.exists():
        pytest.skip("reference harness not present")
    spec = importlib.util.spec_from_file_location("bench_stonesoup_ref", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = np.random.default_rng(3)
    for _ in range(20):
        X = rng.uniform(0, 100, (int(rng.integers(0, 40)), 2))
        Y = rng.uniform(0, 100, (int(rng.integers(0, 40)), 2))
        assert gospa(X, Y).distance == pytest.approx(mod.gospa(X, Y, 10.0, 1.0)[0], rel=1e-12)

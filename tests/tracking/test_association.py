"""Tests for kd-tree gating and sparse GNN assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from skyshield.tracking.association import gate_pairs, gnn_assign, sparse_assignment


def _random_S(rng: np.random.Generator, t: int) -> np.ndarray:
    a = rng.normal(scale=1.5, size=(t, 2, 2))
    return a @ np.swapaxes(a, -1, -2) + np.eye(2)


def test_gate_pairs_finds_exactly_the_brute_force_pairs() -> None:
    rng = np.random.default_rng(10)
    z_pred = rng.uniform(0, 50, (40, 2))
    S = _random_S(rng, 40)
    z = rng.uniform(0, 50, (60, 2))
    rows, cols, dist = gate_pairs(z_pred, S, z, 3.0)
    expected = {}
    for i in range(40):
        Si = np.linalg.inv(S[i])
        for j in range(60):
            nu = z[j] - z_pred[i]
            d = float(np.sqrt(nu @ Si @ nu))
            if d < 3.0:
                expected[(i, j)] = d
    got = {(int(i), int(j)): float(d) for i, j, d in zip(rows, cols, dist, strict=True)}
    assert got.keys() == expected.keys()
    assert len(got) > 10
    for key, d in expected.items():
        assert got[key] == pytest.approx(d, rel=1e-12)


def test_gate_pairs_with_no_tracks_or_no_detections_is_empty() -> None:
    r, c, d = gate_pairs(np.empty((0, 2)), np.empty((0, 2, 2)), np.ones((3, 2)), 3.0)
    assert len(r) == len(c) == len(d) == 0
    r, c, d = gate_pairs(np.ones((2, 2)), np.stack([np.eye(2)] * 2), np.empty((0, 2)), 3.0)
    assert len(r) == 0


def _dense_cost(n_rows: int, n_cols: int, rows: np.ndarray, cols: np.ndarray,
                cost: np.ndarray, miss: float) -> np.ndarray:
    m = np.full((n_rows, n_cols + n_rows), np.inf)
    m[rows, cols] = cost
    m[np.arange(n_rows), n_cols + np.arange(n_rows)] = miss
    return m


@pytest.mark.parametrize("seed", range(8))
def test_sparse_assignment_matches_dense_assignment_with_dummies(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 30, 35
    mask = rng.random((n_rows, n_cols)) < 0.08
    rows, cols = np.nonzero(mask)
    cost = rng.uniform(0, 3.5, len(rows))
    a = sparse_assignment(n_rows, n_cols, rows, cols, cost, 3.0)
    dense = _dense_cost(n_rows, n_cols, rows, cols, cost, 3.0)
    r, c = linear_sum_assignment(dense)
    expected = np.where(c < n_cols, c, -1)[np.argsort(r)]
    np.testing.assert_array_equal(a, expected)
    used = a[a >= 0]
    assert len(np.unique(used)) == len(used)  # one-to-one


def test_sparse_assignment_agrees_with_exhaustive_search_on_tiny_problems() -> None:
    rng = np.random.default_rng(99)
    for _ in range(30):
        n_rows, n_cols = 3, 3
        mask = rng.random((n_rows, n_cols)) < 0.6
        rows, cols = np.nonzero(mask)
        cost = rng.uniform(0, 4, len(rows))
        table = {(int(i), int(j)): float(c) for i, j, c in zip(rows, cols, cost, strict=True)}
        best = np.inf
        for choice in itertools.product(range(-1, n_cols), repeat=n_rows):
            used = [j for j in choice if j >= 0]
            if len(set(used)) < len(used):
                continue
            if any(j >= 0 and (i, j) not in table for i, j in enumerate(choice)):
                continue
            best = min(best, sum(table[(i, j)] if j >= 0 else 3.0 for i, j in enumerate(choice)))
        a = sparse_assignment(n_rows, n_cols, rows, cols, cost, 3.0)
        got = sum(table[(i, int(j))] if j >= 0 else 3.0 for i, j in enumerate(a))
        assert got == pytest.approx(best)


def test_gnn_gives_a_contested_detection_to_the_globally_best_track() -> None:
    # Track 0 is closest to detection 0, but giving it to track 1 (whose only option it is)
    # and detection 1 to track 0 lowers the total cost.
    z_pred = np.array([[0.0, 0.0], [1.5, 0.0]])
    S = np.stack([np.eye(2), np.eye(2)])
    z = np.array([[1.0, 0.0], [-2.0, 0.0]])
    assign, dist = gnn_assign(z_pred, S, z, 3.0)
    np.testing.assert_array_equal(assign, [1, 0])
    np.testing.assert_allclose(dist, [2.0, 0.5])


def test_gnn_leaves_tracks_without_gated_detections_unassigned() -> None:
    z_pred = np.array([[0.0, 0.0], [100.0, 100.0]])
    S = np.stack([np.eye(2)] * 2)
    assign, dist = gnn_assign(z_pred, S, np.array([[0.5, 0.5]]), 3.0)
    np.testing.assert_array_equal(assign, [0, -1])
    assert np.isnan(dist[1]) and dist[0] == pytest.approx(np.sqrt(0.5))

"""Designs of experiments: stratification, balance, counts, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.experiments import design_points


def test_latin_hypercube_puts_one_point_in_each_stratum_of_every_parameter() -> None:
    n = 16
    X = design_points("lhs", [0, 100], [1, 200], samples=n, seed_entropy=7)
    assert X.shape == (n, 2)
    for j, (lo, hi) in enumerate([(0, 1), (100, 200)]):
        strata = np.floor((X[:, j] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_sobol_points_are_balanced_over_dyadic_boxes() -> None:
    X = design_points("sobol", [0, 0], [1, 1], samples=64, seed_entropy=3)
    # a (t, m, s)-net property: each of the 8 x 8 elementary boxes of area 1/64 holds one point
    cells = (np.floor(X[:, 0] * 8) * 8 + np.floor(X[:, 1] * 8)).astype(int)
    assert sorted(cells) == list(range(64))


def test_grid_is_the_full_factorial_last_parameter_fastest() -> None:
    X = design_points("grid", [0, 0], [1, 1], levels=[[1.0, 2.0], [10.0, 20.0, 30.0]])
    assert X.tolist() == [[1, 10], [1, 20], [1, 30], [2, 10], [2, 20], [2, 30]]


def test_saltelli_design_has_n_times_d_plus_two_points() -> None:
    assert design_points("saltelli", [0, 0, 0], [1, 2, 3], samples=8, seed_entropy=1).shape == (40, 3)


def test_designs_are_reproducible_from_the_seed_and_vary_with_it() -> None:
    a = design_points("lhs", [0], [1], samples=5, seed_entropy=1)
    assert np.array_equal(a, design_points("lhs", [0], [1], samples=5, seed_entropy=1))
    assert not np.array_equal(a, design_points("lhs", [0], [1], samples=5, seed_entropy=2))


def test_no_design_is_one_empty_point() -> None:
    assert design_points("none", [], []).shape == (1, 0)
    with pytest.raises(ValueError):
        design_points("latin", [0], [1], samples=3)

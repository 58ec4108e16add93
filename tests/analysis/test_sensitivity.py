"""Sobol indices through SALib against closed forms: a linear model and the Ishigami function."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.analysis import sobol_indices
from skyshield.experiments import design_points


def test_ishigami_indices_from_a_saltelli_design() -> None:
    # Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    lo, hi = [-np.pi] * 3, [np.pi] * 3
    X = design_points("saltelli", lo, hi, samples=2048, seed_entropy=1, names=["x1", "x2", "x3"])
    assert X.shape == (2048 * 5, 3)
    Y = np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])
    r = sobol_indices(X, Y, ["x1", "x2", "x3"], lo, hi, method="saltelli")
    assert r["S1"] == pytest.approx([0.3139, 0.4424, 0.0], abs=0.05)
    assert r["ST"] == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.05)


def test_linear_model_first_order_indices_from_a_latin_hypercube() -> None:
    # Y = 3 x1 + x2, xi ~ U(0, 1): S_i = a_i^2 / sum a^2 = 0.9, 0.1
    X = design_points("lhs", [0, 0], [1, 1], samples=300, seed_entropy=2)
    Y = 3 * X[:, 0] + X[:, 1]
    r = sobol_indices(X, Y, ["a", "b"], [0, 0], [1, 1], method="lhs", num_resamples=10)
    assert r["S1"] == pytest.approx([0.9, 0.1], abs=0.1)  # the binned estimator is biased low at n = 300
    assert r["S1"][0] > 5 * r["S1"][1]


def test_a_constant_output_gives_a_reason_not_an_exception() -> None:
    X = design_points("lhs", [0], [1], samples=32, seed_entropy=2)
    assert "does not vary" in sobol_indices(X, np.ones(32), ["a"], [0], [1], method="lhs")["error"]
    assert "at least" in sobol_indices(X[:8], np.arange(8.0), ["a"], [0], [1], method="lhs")["error"]

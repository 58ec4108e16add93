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
    assert "too few" in sobol_indices(X[:3], np.arange(3.0), ["a"], [0], [1], method="lhs")["error"]


def test_a_small_design_gets_a_linear_screening_that_hits_the_linear_closed_form(capfd) -> None:
    # The shipped example's size: 16 LHS points of 3 inputs. Y = 3 x1 + x2 + 0 x3: S = 0.9, 0.1, 0.
    X = design_points("lhs", [0, 0, 0], [1, 1, 1], samples=16, seed_entropy=5)
    Y = 3 * X[:, 0] + X[:, 1]
    r = sobol_indices(X, Y, ["a", "b", "c"], [0] * 3, [1] * 3, method="lhs", num_resamples=50)
    assert "linear screening" in r["method"] and r["r2"] == pytest.approx(1.0)
    # 16 points carry sampling error (the columns of a small LHS are never quite uncorrelated):
    # the closed form lies in every reported 95 % interval, and the ranking is right.
    for s1, conf, truth in zip(r["S1"], r["S1_conf"], [0.9, 0.1, 0.0]):
        assert abs(s1 - truth) <= conf + 1e-9
    assert r["S1"][0] > 4 * r["S1"][1] and r["S1"][2] == pytest.approx(0.0, abs=1e-12)
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # nothing printed: no SALib notes on the console


def test_a_nonlinear_small_design_says_how_little_the_screening_explains() -> None:
    X = design_points("lhs", [-np.pi] * 3, [np.pi] * 3, samples=16, seed_entropy=5)
    Y = np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])
    r = sobol_indices(X, Y, ["x1", "x2", "x3"], [-np.pi] * 3, [np.pi] * 3, method="lhs", num_resamples=20)
    assert r["r2"] < 0.6 and f"R^2 = {r['r2']:.2f}" in r["method"]


def test_the_delta_method_never_prints_and_never_returns_nan(capfd) -> None:
    X = design_points("lhs", [0, 0], [1, 1], samples=64, seed_entropy=3)
    r = sobol_indices(X, 3 * X[:, 0] + X[:, 1], ["a", "b"], [0, 0], [1, 1], method="lhs", num_resamples=10)
    assert ("S1" in r and all(np.isfinite(r["S1"]))) or "error" in r
    out, err = capfd.readouterr()
    assert out == "" and err == ""

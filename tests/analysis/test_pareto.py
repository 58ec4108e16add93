"""Pareto fronts against the definition, checked pair by pair."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.analysis import pareto_mask


def _dominated(p: np.ndarray, i: int) -> bool:
    return any((p[j] <= p[i]).all() and (p[j] < p[i]).any() for j in range(len(p)) if j != i)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=25))
def test_front_is_exactly_the_non_dominated_points(pts) -> None:
    p = np.array(pts, float)
    mask = pareto_mask(p)
    assert mask.tolist() == [not _dominated(p, i) for i in range(len(p))]


def test_maximised_objectives_are_negated() -> None:
    # protection (max) against cost (min)
    pts = [[10, 1], [20, 5], [15, 6], [5, 0.5]]
    assert pareto_mask(pts, ["max", "min"]).tolist() == [True, True, False, True]


def test_rows_with_nan_are_never_on_the_front() -> None:
    assert pareto_mask([[1, np.nan], [2, 2]]).tolist() == [False, True]

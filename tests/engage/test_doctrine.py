"""Doctrine closed forms against hand values and against a direct enumeration."""

from __future__ import annotations

import pytest

from skyshield.engage.doctrine import (
    expected_shots_sls,
    interceptors_for_confidence,
    p_kill_salvo,
    p_kill_sls,
    p_zero_leakers,
)


def test_published_values() -> None:
    assert round(p_zero_leakers(0.8, 2, 10), 4) == 0.6648
    assert round(p_zero_leakers(0.8, 4, 10), 4) == 0.9841
    assert round(p_kill_sls(0.8, 2), 4) == 0.96
    assert round(expected_shots_sls(0.8, 2), 4) == 1.2
    assert interceptors_for_confidence(0.8, 10, 0.9) == 3
    assert p_kill_salvo(0.7, 2) == pytest.approx(0.91)


def _sls_by_recursion(pk: float, s: int, q: float) -> tuple[float, float]:
    """(P(kill), E[shots]) by the outcome tree: hit; miss recognised (shoot again); miss
    taken for a kill (stop)."""
    if s == 0:
        return 0.0, 0.0
    k_next, n_next = _sls_by_recursion(pk, s - 1, q)
    return pk + (1 - pk) * q * k_next, 1.0 + (1 - pk) * q * n_next


@pytest.mark.parametrize("pk", [0.3, 0.55, 0.8])
@pytest.mark.parametrize("q", [1.0, 0.7])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_sls_closed_form_equals_the_outcome_tree(pk: float, q: float, s: int) -> None:
    kill, shots = _sls_by_recursion(pk, s, q)
    assert kill == pytest.approx(p_kill_sls(pk, s, q))
    assert shots == pytest.approx(expected_shots_sls(pk, s, q))
    if q == 1.0:
        assert kill == pytest.approx(p_kill_salvo(pk, s))  # perfect looks: as good as a salvo of s


def test_confidence_sizing_is_the_smallest_sufficient_salvo() -> None:
    for pk in (0.5, 0.7, 0.9):
        for n in (1, 5, 20):
            for c in (0.5, 0.9, 0.99):
                k = interceptors_for_confidence(pk, n, c)
                assert p_zero_leakers(pk, k, n) >= c - 1e-12
                assert k == 1 or p_zero_leakers(pk, k - 1, n) < c

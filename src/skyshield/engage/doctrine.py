r"""Firing doctrine in closed form: salvoes, shoot-look-shoot and magazine sizing.

These are the analytic oracles the engine's Monte Carlo must reproduce (see
``tests/engine/test_oracles_engagement.py``), and the sizing rules an analyst uses by hand.

A salvo of :math:`k` independent interceptors of single-shot kill probability :math:`p`
kills with

.. math:: P_k = 1 - (1 - p)^k,

and :math:`n` warheads each met by such a salvo all die with :math:`P_0 = P_k^n` (probability
of zero leakers). Shoot-look-shoot with :math:`s` single shots, the next fired only after an
assessment that recognises a miss with probability :math:`q`, kills with
:math:`P = p\sum_{r<s}((1-p)q)^r`; with perfect assessment :math:`P = 1 - (1-p)^s` for an
expected :math:`\sum_{r<s}(1-p)^r` shots, e.g. 0.96 with 1.2 shots per warhead for
:math:`p = 0.8, s = 2`.
"""

from __future__ import annotations

import math

__all__ = [
    "p_kill_salvo",
    "p_zero_leakers",
    "p_kill_sls",
    "expected_shots_sls",
    "interceptors_for_confidence",
]


def p_kill_salvo(pk: float, k: int) -> float:
    """Kill probability of a salvo of ``k`` independent shots: :math:`1 - (1-p_k)^k`."""
    return 1.0 - (1.0 - pk) ** k


def p_zero_leakers(pk: float, k: int, n: int) -> float:
    r"""Probability that none of ``n`` warheads leaks when each meets ``k`` interceptors.

    .. math:: P_0 = \bigl(1 - (1 - p_k)^k\bigr)^n

    >>> round(p_zero_leakers(0.8, 2, 10), 4), round(p_zero_leakers(0.8, 4, 10), 4)
    (0.6648, 0.9841)
    """
    return p_kill_salvo(pk, k) ** n


def p_kill_sls(pk: float, looks: int, assess: float = 1.0) -> float:
    r"""Kill probability of shoot-look-shoot with ``looks`` single shots.

    After a miss the next shot is fired only if the assessment recognises the miss
    (probability ``assess``):

    .. math:: P = p \sum_{r=0}^{s-1} \bigl((1-p)\,q\bigr)^r = p\,\frac{1 - ((1-p)q)^s}{1 - (1-p)q}.

    >>> round(p_kill_sls(0.8, 2), 4)
    0.96
    """
    x = (1.0 - pk) * assess
    return pk * sum(x**r for r in range(looks))


def expected_shots_sls(pk: float, looks: int, assess: float = 1.0) -> float:
    r"""Expected shots per warhead under shoot-look-shoot with single shots.

    Shot :math:`r+1` is fired when the first :math:`r` missed and were recognised:
    :math:`E[S] = \sum_{r=0}^{s-1} ((1-p)q)^r`.

    >>> round(expected_shots_sls(0.8, 2), 4)
    1.2
    """
    x = (1.0 - pk) * assess
    return sum(x**r for r in range(looks))


def interceptors_for_confidence(pk: float, n: int, confidence: float, k_max: int = 64) -> int:
    r"""Smallest salvo ``k`` per warhead such that :math:`P_0 \ge` ``confidence``.

    .. math:: k = \left\lceil \frac{\ln\bigl(1 - c^{1/n}\bigr)}{\ln(1 - p_k)} \right\rceil

    >>> interceptors_for_confidence(0.8, 10, 0.9)
    3
    """
    if not 0.0 < pk <= 1.0:
        raise ValueError("pk must be in (0, 1]")
    if pk == 1.0:
        return 1
    k = math.ceil(math.log(1.0 - confidence ** (1.0 / n)) / math.log(1.0 - pk) - 1e-12)
    k = max(k, 1)
    if k > k_max:
        raise ValueError(f"more than {k_max} interceptors per warhead needed")
    return k

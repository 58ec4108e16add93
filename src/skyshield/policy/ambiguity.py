r"""Strategic ambiguity: the adversary's expected cost under a distribution over responses.

A published rule commits to one response :math:`r` (executed with probability :math:`p`); the
adversary's expected cost of crossing the line is :math:`C\,p\,c_r`, with :math:`C` the
clause's credibility and :math:`c_r` the cost of the response to the adversary. Under
ambiguity the response is drawn from a distribution :math:`q`; an ambiguity-averse adversary
(Gilboa-Schmeidler alpha-maxmin with weight :math:`\alpha` on the worst case) perceives

.. math::

    \tilde c = C\,p\left[(1-\alpha)\sum_r q_r c_r + \alpha \max_{r: q_r > 0} c_r\right].

With :math:`\alpha = 0` this is the plain expectation; a degenerate :math:`q` gives the
published rule back.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["expected_cost", "perceived_cost", "draw_response"]


def expected_cost(dist: Mapping[str, float], cost: Mapping[str, float]) -> float:
    """:math:`\\sum_r q_r c_r` with ``q`` normalised."""
    tot = sum(dist.values())
    return float(sum(q * cost.get(r, 0.0) for r, q in dist.items()) / tot)


def perceived_cost(
    dist: Mapping[str, float], cost: Mapping[str, float], aversion: float,
    p_execute: float = 1.0, credibility: float = 1.0,
) -> float:
    """The adversary's perceived cost of crossing the line (see the module docstring)."""
    worst = max(cost.get(r, 0.0) for r, q in dist.items() if q > 0)
    return float(credibility * p_execute * ((1.0 - aversion) * expected_cost(dist, cost) + aversion * worst))


def draw_response(dist: Mapping[str, float], u: float) -> str:
    """The response kind at quantile ``u`` of ``dist`` (keys in their given order)."""
    keys = list(dist)
    cum = np.cumsum([dist[k] for k in keys])
    return keys[int(np.searchsorted(cum / cum[-1], u, side="right").clip(0, len(keys) - 1))]

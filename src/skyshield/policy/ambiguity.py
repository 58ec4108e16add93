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

**Tiers.** Ambiguity is about *which* response of a clause's weight comes, not whether a minor
provocation may bring an extreme one: each clause keeps its tier (its ``tier``, or the tier of
its own response kind), and :math:`q` for that clause is the option's ambiguity distribution
restricted to the response kinds of the tier (:data:`TIER_RESPONSE_KINDS`), evenly spread
over them when the distribution gives none of them weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "TIER_RESPONSE_KINDS", "RESPONSE_TIER", "clause_tier", "tier_distribution", "expected_cost",
    "perceived_cost", "draw_response",
]

TIER_RESPONSE_KINDS: dict[str, tuple[str, ...]] = {
    "minor": ("more-aid", "add-assets"),
    "major": ("more-aid", "add-assets", "authorise-beyond-border"),
    "extreme": ("suppress-air-defences", "stand-off-strikes"),
}
"""Response kinds a clause of each tier may execute under strategic ambiguity. Minor: aid and
more allied assets (rungs 0 and 3 by default); major: those or engagement beyond the border
(rung 4); extreme: suppression of air defences or stand-off strikes (rung 7)."""

RESPONSE_TIER: dict[str, str] = {
    "more-aid": "minor", "add-assets": "minor", "authorise-beyond-border": "major",
    "suppress-air-defences": "extreme", "stand-off-strikes": "extreme",
}
"""Tier of a clause without a ``tier``: the lowest tier that lists its own response kind."""


def clause_tier(tier: str | None, own_kind: str) -> str:
    """The clause's tier: as given, else the tier of its own response kind."""
    return tier if tier is not None else RESPONSE_TIER[own_kind]


def tier_distribution(tier: str, own_kind: str, responses: Mapping[Any, float]) -> dict[str, float]:
    """The distribution a clause of ``tier`` draws its response from under ambiguity.

    The ambiguity weights of the tier's kinds (the clause's own kind included), normalised;
    evenly over them when none has weight.

    >>> tier_distribution("minor", "add-assets", {"more-aid": 0.5, "stand-off-strikes": 0.5})
    {'more-aid': 1.0, 'add-assets': 0.0}
    """
    kinds = list(TIER_RESPONSE_KINDS[tier])
    if own_kind not in kinds:
        kinds.append(own_kind)
    w = {k: float(responses.get(k, 0.0)) for k in kinds}
    tot = sum(w.values())
    if tot <= 0.0:
        return {k: 1.0 / len(kinds) for k in kinds}
    return {k: v / tot for k, v in w.items()}


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

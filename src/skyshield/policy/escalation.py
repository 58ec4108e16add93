r"""Adversary-response hazard, proportional responses and clause credibility.

**What draws a response.** The adversary reacts to what allies do, not to each intercept:
allied actions are grouped by *kind* (what, where, against what; e.g. intercepts of unmanned
threats over the defended country, intercepts over adversary territory, a clause's response).
The :math:`n`-th action of kind :math:`a` in a night, at rung :math:`\rho_a` through channel
:math:`c_a`, carries the hazard

.. math::

    h_{a,n} = \eta_a \left(n^{\beta} - (n-1)^{\beta}\right), \qquad
    \eta_a = \lambda_{c_a}\, g^{\,\rho_a - 4}\,\bigl(1 - D\,\tilde c\bigr)\,(1 + \kappa T)\,\phi_a,

so that :math:`n` actions of one kind carry :math:`\eta_a n^{\beta}` in all, and
:math:`P(\text{no response to them}) = e^{-\eta_a n^\beta}`. :math:`\beta \in [0, 1]` is
``action_count_exponent`` (0: one hazard per kind and night, whatever the count; 1: every
action independent, which made risk scale with raid size). It is 0 below rung 2 (aid and
intelligence sharing alone draw no response). :math:`\lambda_c` is the channel's rate
(deliberate, inadvertent, accidental; RAND MG-614), :math:`g \ge 1` the growth of severity
per rung (a more severe action never lowers the hazard), :math:`D` the deterrence weight,
:math:`\tilde c \in [0, 1]` the adversary's perceived cost of the option's clauses
(:mod:`skyshield.policy.ambiguity`), :math:`1 + \kappa T` the campaign tension multiplier
(:mod:`skyshield.policy.persistence`) and :math:`\phi_a` the standing-posture factor (1 for a
new action).

**Proportional responses.** The adversary answers an allied action at rung :math:`\rho` at the
same rung (tit-for-tat), or one rung up with probability ``p_response_step_up``; never higher
(:data:`skyshield.policy.ladder.ADVERSARY_ACTIONS` says what it does at each rung).

**Credibility** :math:`C` of the clauses falls to :math:`C(1-\delta)` each time a clause is not
honoured and regains :math:`\gamma(1-C)` each time one is (Press 2005 argues reputations move
less than folk wisdom holds; :math:`\delta, \gamma` are scenario parameters).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CHANNELS", "REFERENCE_RUNG", "MIN_RESPONSE_RUNG", "SENSITIVITY_RANGES", "hazard", "count_weight",
    "p_response", "response_rung", "update_credibility",
]

CHANNELS = ("deliberate", "inadvertent", "accidental")
REFERENCE_RUNG = 4
MIN_RESPONSE_RUNG = 2
TOP_RUNG = 9

SENSITIVITY_RANGES: dict[str, tuple[float, float]] = {
    "response_rate_deliberate": (0.01, 0.2),
    "response_rate_inadvertent": (0.0005, 0.01),
    "response_rate_accidental": (0.002, 0.05),
    "severity_growth": (1.5, 3.0),
    "action_count_exponent": (0.0, 1.0),
    "p_response_step_up": (0.02, 0.3),
    "standing_posture_factor": (0.02, 0.5),
    "exposure_fire_rate_per_h": (5e-5, 1e-3),
    "envelope_scale": (0.6, 1.3),
    "allied_airspace_factor": (0.01, 0.3),
    "deterrence": (0.0, 1.0),
    "p_war_given_retaliation": (0.02, 0.3),
    "tension_gain": (0.0, 3.0),
    "tension_half_life": (2 * 86400.0, 30 * 86400.0),
}
"""Low and high value of every notional escalation parameter in the sensitivity tables
(``benchmarks/escalation_sensitivity.py``, ``docs/escalation.md``); defaults are in
:class:`skyshield.policy.spec.Escalation`."""


def hazard(
    rung: ArrayLike, rate: ArrayLike, growth: float, deterrence: float = 0.0, perceived_cost: float = 0.0
) -> NDArray[np.float64]:
    r"""Hazard of one action: :math:`\lambda_c g^{\rho-4}(1 - D\tilde c)` (vectorised), 0 below rung 2."""
    r = np.asarray(rung, dtype=float)
    lam = np.asarray(rate, dtype=float)
    m = max(0.0, 1.0 - deterrence * perceived_cost)
    h = lam * np.power(growth, r - REFERENCE_RUNG) * m
    return np.where(r >= MIN_RESPONSE_RUNG, h, 0.0)


def count_weight(n: int, exponent: float) -> float:
    r""":math:`n^\beta - (n-1)^\beta`: the share of one action's hazard that the ``n``-th (from 1) carries.

    Summed over the first ``n`` actions it is :math:`n^\beta`:

    >>> sum(count_weight(k, 0.5) for k in (1, 2, 3, 4))
    2.0
    """
    return n**exponent - ((n - 1) ** exponent if n > 1 else 0.0)  # 0 ** 0 would be 1


def p_response(h: ArrayLike) -> NDArray[np.float64]:
    """:math:`1 - e^{-h}`."""
    return -np.expm1(-np.asarray(h, dtype=float))


def response_rung(action_rung: int, u: float, p_step_up: float) -> int:
    """The rung of the adversary's answer to an allied action: the same, or one up if ``u < p_step_up``."""
    return int(min(TOP_RUNG, action_rung + (1 if u < p_step_up else 0)))


def update_credibility(c: float, honoured: bool, decay: float, recovery: float) -> float:
    """Credibility after one clause is honoured (or not)."""
    return c + recovery * (1.0 - c) if honoured else c * (1.0 - decay)

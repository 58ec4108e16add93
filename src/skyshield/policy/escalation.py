r"""Adversary-response hazard and clause credibility.

Each allied action :math:`e` at rung :math:`\rho_e`, through channel :math:`c_e`, carries the
hazard that the adversary responds (climbs the ladder):

.. math::

    h_e = \lambda_{c_e}\, g^{\,\rho_e - 4}\,\bigl(1 - D\,\tilde c\bigr),
    \qquad P(\text{response to } e) = 1 - e^{-h_e},

for :math:`\rho_e \ge 2` (zero below: aid and intelligence sharing alone draw no response in
this model), with :math:`\lambda_c` the channel's rate (deliberate, inadvertent, accidental;
RAND MG-614), :math:`g \ge 1` the growth of severity per rung (so a more severe event never
lowers the hazard), :math:`D` the deterrence weight and :math:`\tilde c \in [0, 1]` the
adversary's perceived cost of the option's clauses (:mod:`skyshield.policy.ambiguity`).

Credibility :math:`C` of the clauses falls to :math:`C(1-\delta)` each time a clause is not
honoured and regains :math:`\gamma(1-C)` each time one is (Press 2005 argues reputations move
less than folk wisdom holds; :math:`\delta, \gamma` are scenario parameters).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CHANNELS", "REFERENCE_RUNG", "hazard", "p_response", "update_credibility"]

CHANNELS = ("deliberate", "inadvertent", "accidental")
REFERENCE_RUNG = 4
MIN_RESPONSE_RUNG = 2


def hazard(
    rung: ArrayLike, rate: ArrayLike, growth: float, deterrence: float = 0.0, perceived_cost: float = 0.0
) -> NDArray[np.float64]:
    """Hazard :math:`h_e` of each action (vectorised over ``rung`` and ``rate``)."""
    r = np.asarray(rung, dtype=float)
    lam = np.asarray(rate, dtype=float)
    m = max(0.0, 1.0 - deterrence * perceived_cost)
    h = lam * np.power(growth, r - REFERENCE_RUNG) * m
    return np.where(r >= MIN_RESPONSE_RUNG, h, 0.0)


def p_response(h: ArrayLike) -> NDArray[np.float64]:
    """:math:`1 - e^{-h}`."""
    return -np.expm1(-np.asarray(h, dtype=float))


def update_credibility(c: float, honoured: bool, decay: float, recovery: float) -> float:
    """Credibility after one clause is honoured (or not)."""
    return c + recovery * (1.0 - c) if honoured else c * (1.0 - decay)

r"""The ladder carried from night to night in campaigns: persistence and de-escalation.

A single night starts from :class:`LadderState()` (rung 0, no tension). In a campaign the
escalate phase starts night :math:`d + 1` from the state night :math:`d` left:

- **rung**: the night starts at the carried rung (a crisis does not end at dawn); after a
  *quiet* night (no adversary action on the ladder: no response, no fire on allied aircraft,
  no strike on allied territory, no tripwire hit) the carried rung comes down by
  ``rung_decay_per_quiet_night``; after a night with adversary action it stays where the
  night ended. Standing allied postures re-set their own rung every night.
- **tension** :math:`T`: the decayed count of recent adversary actions,

  .. math::

      T_{d+1} = (T_d + A_d)\, 2^{-1/\tau},

  with :math:`A_d` the adversary actions of night :math:`d` and :math:`\tau` the half-life in
  nights (``tension_half_life``). Response hazards and fire-upon rates of night :math:`d` are
  multiplied by :math:`1 + \kappa T_d` (``tension_gain``): after an exchange the adversary is
  primed and its forces are on alert; quiet nights bring the multiplier back toward 1.

The state also keeps what a 90-day result is explained by (nights at direct engagement,
adversary actions, peak tension), reported by :meth:`LadderState.summary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from .ladder import DIRECT_ENGAGEMENT

__all__ = ["LadderState", "next_rung", "next_tension", "LADDER_CAMPAIGN_METRIC_DOCS"]

LADDER_CAMPAIGN_METRIC_DOCS: dict[str, str] = {
    "nights_direct_engagement": "nights: nights whose highest rung was direct engagement or above (rung >= 6)",
    "adversary_actions": "count: adversary actions on the ladder over the campaign (responses, fire on allied aircraft, strikes on allied territory, tripwire hits)",
    "rung_final": "rung (0..9): rung carried out of the last night, after its decay",
    "tension_final": "dimensionless: tension carried out of the last night (decayed count of recent adversary actions)",
    "tension_max": "dimensionless: highest tension any night started with",
}
"""Campaign outputs of the carried ladder (merged into the campaign's metric docs)."""


def next_rung(rung_end: int, adversary_actions: float, decay_per_quiet_night: int) -> int:
    """Rung the next night starts at: unchanged after adversary action, lower after a quiet night."""
    if adversary_actions > 0:
        return int(rung_end)
    return max(0, int(rung_end) - int(decay_per_quiet_night))


def next_tension(tension: float, adversary_actions: float, half_life_s: float) -> float:
    r""":math:`(T + A)\,2^{-1/\tau}` with :math:`\tau` the half-life in nights (days)."""
    return (tension + adversary_actions) * 2.0 ** (-86400.0 / half_life_s)


@dataclass(frozen=True)
class LadderState:
    """Escalation state at the start of a night (carried by campaigns through ``PolicyParams.ladder``)."""

    rung: int = 0
    tension: float = 0.0
    nights: int = 0  # nights already simulated
    nights_direct: int = 0  # of which at direct engagement or above
    adversary_actions: float = 0.0  # summed over those nights
    tension_max: float = 0.0

    def multiplier(self, gain: float) -> float:
        """:math:`1 + \\kappa T`: the factor on tonight's response hazards and fire-upon rates."""
        return 1.0 + gain * self.tension

    def after(self, metrics: Mapping[str, float] | None, esc) -> LadderState:
        """The state the next night starts from, given tonight's metrics (``None``: a night not simulated, quiet)."""
        if metrics is None:
            return replace(self, rung=next_rung(self.rung, 0.0, esc.rung_decay_per_quiet_night),
                           tension=next_tension(self.tension, 0.0, esc.tension_half_life), nights=self.nights + 1,
                           tension_max=max(self.tension_max, self.tension))
        return LadderState(
            rung=int(metrics["ladder_rung_next"]),
            tension=float(metrics["ladder_tension_next"]),
            nights=self.nights + 1,
            nights_direct=self.nights_direct + int(metrics["max_rung"] >= DIRECT_ENGAGEMENT),
            adversary_actions=self.adversary_actions + float(metrics["adversary_actions"]),
            tension_max=max(self.tension_max, self.tension),
        )

    def summary(self) -> dict[str, float]:
        """Campaign outputs (documented in :data:`LADDER_CAMPAIGN_METRIC_DOCS`)."""
        return {
            "nights_direct_engagement": float(self.nights_direct),
            "adversary_actions": float(self.adversary_actions),
            "rung_final": float(self.rung),
            "tension_final": float(self.tension),
            "tension_max": float(self.tension_max),
        }

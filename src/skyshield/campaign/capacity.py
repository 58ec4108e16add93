r"""The adversary's launch capacity over a campaign: over-the-horizon strikes and regeneration.

Campaign level only, never target level: the adversary's capacity to launch is an aggregate
index :math:`\kappa = c_1 c_2 \in [0, 1]` (1 = undiminished), the product of the surviving
fractions of its **launch sites and areas** (:math:`k = 1`: launchers, airfields of the
missile carriers, drone launch pads) and of its **stocks** (:math:`k = 2`: storage and
production of drones and missiles). A night's launches are the generator's draw times
:math:`\kappa`.

Each day :math:`d`, :math:`N_k(d)` strikes enabled by allied ISR (or allied stand-off strikes)
reach component :math:`k`, Poisson with mean :math:`\phi_k s` (:math:`s` strikes a day, a share
:math:`\phi_1 = \phi` on sites and :math:`\phi_2 = 1 - \phi` on stocks, so the two counts are
independent); each strike removes a fraction :math:`e_k` of what is left, then the adversary
restores a fraction :math:`g_k` of the gap to full (repair and dispersal of sites, new
production):

.. math::

    c_k(d+1) = g_k + (1 - g_k)\,(1 - e_k)^{N_k(d)}\,c_k(d), \qquad c_k(0) = 1.

With a constant number :math:`n_k` of strikes a day the recurrence is linear with the fixed point

.. math::

    c_k^* = \frac{g_k}{1 - (1 - g_k) q_k}, \qquad q_k = (1 - e_k)^{n_k},

reached geometrically, :math:`c_k(d) = c_k^* + (1 - c_k^*) \left((1 - g_k) q_k\right)^d`. With
Poisson strikes, :math:`q_k(d)` is independent of :math:`c_k(d)`, so the expectation follows the
same recurrence with :math:`\mathbb E[q_k] = e^{-\phi_k s e_k}`; the two components being
independent, :math:`\mathbb E[\kappa(d)] = \prod_k \mathbb E[c_k(d)]`.

Clause responses (stand-off strikes, suppression of air defences) remove their
``launch_capacity_reduction`` from the launch sites on the night they are executed; the
adversary regenerates from there as from any other loss. Without an over-the-horizon option
(no strikes), the regeneration rates are the :class:`~skyshield.policy.spec.OverTheHorizon`
defaults.

Strike counts come from ``Poisson`` quantiles of uniform draws (stream ``campaign/oth``), so
with common random numbers a higher strike rate never gives fewer strikes on any day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ..policy.spec import OverTheHorizon

__all__ = ["COMPONENTS", "OTH_RANGES", "OTH_SOURCES", "LaunchCapacityModel"]

F = NDArray[np.float64]

COMPONENTS = ("sites", "stocks")
"""Components of launch capacity, in the order of the model's arrays."""

OTH_SOURCES: dict[str, str] = {
    "notional-oth-strike-rate": (
        "Strikes a day that reach the adversary's launch capacity with allied ISR support: no "
        "public series separates strikes on launch sites, carriers' airfields, storage and "
        "production from other long-range strikes; order of magnitude chosen (one strike every "
        "two days), range 0.1-2 a day, to be varied in sensitivity sweeps"),
    "notional-oth-share": "Share of those strikes on launch sites and areas rather than stocks: notional, 0.5 (0.2-0.8)",
    "notional-oth-effect": (
        "Fraction of the remaining capacity one strike removes: notional; a strike on one of "
        "some tens of launch sites and airfields, or on one store among many, removes a few per "
        "cent at most: sites 0.02 (0.005-0.05), stocks 0.01 (0.002-0.03)"),
    "notional-oth-regeneration": (
        "Fraction of the gap to full capacity the adversary restores a day: notional; launch "
        "sites are repaired or moved within weeks, 0.05 (0.02-0.15: a gap halves in 5 to 35 "
        "days); stocks are refilled by production more slowly, 0.02 (0.005-0.05: 14 to 140 days)"),
}
"""Sources of the over-the-horizon parameters (every one notional, with its range)."""

OTH_RANGES: dict[str, tuple[float, float, float, str]] = {
    "strikes_per_day": (0.5, 0.1, 2.0, "notional-oth-strike-rate"),
    "share_on_sites": (0.5, 0.2, 0.8, "notional-oth-share"),
    "effect_on_sites": (0.02, 0.005, 0.05, "notional-oth-effect"),
    "effect_on_stocks": (0.01, 0.002, 0.03, "notional-oth-effect"),
    "regeneration_sites": (0.05, 0.02, 0.15, "notional-oth-regeneration"),
    "regeneration_stocks": (0.02, 0.005, 0.05, "notional-oth-regeneration"),
}
"""``field: (default, low, high, source)``: the sensitivity table of ``docs/campaign.md``."""


@dataclass(frozen=True)
class LaunchCapacityModel:
    """Over-the-horizon attrition and regeneration of launch capacity (arrays over COMPONENTS)."""

    strikes_per_day: float
    share: F  # (2,) share of strikes on each component
    effect: F  # (2,) fraction of the remaining component one strike removes
    regeneration: F  # (2,) fraction of the gap to full restored a day

    @classmethod
    def from_spec(cls, oth: OverTheHorizon | None) -> LaunchCapacityModel:
        """The model of an option's over-the-horizon spec; without one, no strikes."""
        o = oth if oth is not None else OverTheHorizon.model_validate({"strikes_per_day": 0.0})
        return cls(
            float(o.strikes_per_day),
            np.array([o.share_on_sites, 1.0 - o.share_on_sites]),
            np.array([o.effect_on_sites, o.effect_on_stocks]),
            np.array([o.regeneration_sites, o.regeneration_stocks]),
        )

    @property
    def rate(self) -> F:
        """(2,) mean strikes a day on each component."""
        return self.strikes_per_day * self.share

    def strikes(self, u: F) -> NDArray[np.int64]:
        """``(..., 2)`` strike counts: Poisson quantiles of uniforms ``u`` (monotone in the rate)."""
        lam = np.broadcast_to(self.rate, np.shape(u))
        n = np.where(lam > 0, stats.poisson.ppf(u, np.where(lam > 0, lam, 1.0)), 0.0)
        return np.maximum(n, 0).astype(np.int64)

    def step(self, c: F, n: NDArray, cut_sites: float = 0.0) -> F:
        """One day: ``cut_sites`` of the sites removed by clause responses, ``n`` strikes
        (``(..., 2)``, may be fractional for the deterministic recurrence), regeneration."""
        c = np.asarray(c, dtype=float) * np.array([1.0 - cut_sites, 1.0])
        g = self.regeneration
        return g + (1.0 - g) * (1.0 - self.effect) ** np.asarray(n, dtype=float) * c

    def fixed_point(self, strikes: NDArray | None = None) -> F:
        """(2,) fixed point under a constant ``strikes`` a day on each component (default: the
        mean rates), :math:`g / (1 - (1 - g)(1 - e)^n)`."""
        n = self.rate if strikes is None else np.asarray(strikes, dtype=float)
        return self._fixed(self.regeneration, (1.0 - self.effect) ** n)

    def mean_fixed_point(self) -> F:
        """(2,) long-run expectation under Poisson strikes, :math:`g / (1 - (1 - g) e^{-\\phi s e})`."""
        return self._fixed(self.regeneration, np.exp(-self.rate * self.effect))

    def mean_path(self, days: int) -> F:
        """``(days + 1,)`` expected capacity :math:`\\mathbb E[\\kappa(d)]`, ``d = 0 .. days``."""
        q = np.exp(-self.rate * self.effect)
        g = self.regeneration
        c_star = self._fixed(g, q)
        d = np.arange(days + 1)[:, None]
        return np.prod(c_star + (1.0 - c_star) * ((1.0 - g) * q) ** d, axis=1)

    @staticmethod
    def _fixed(g: F, q: F) -> F:
        den = 1.0 - (1.0 - g) * q
        return np.where(den > 0, g / np.where(den > 0, den, 1.0), 1.0)

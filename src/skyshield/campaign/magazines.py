r"""National magazines carried from night to night, with resupply at production rates.

A weapon's *nightly capacity* :math:`K_w` is every round its units can fire in one night
(loads times one plus reloads). Its stock starts at ``stock_nights`` :math:`\times K_w` and
evolves as

.. math::

    S_w(d+1) = S_w(d) - U_w(d) + r_w + A_w(d),

with :math:`U_w(d)` the rounds fired on night :math:`d`, :math:`r_w` the resupply rate
(rounds a day: production allotted to the defended country, a parameter) and :math:`A_w(d)`
aid delivered by clauses. On a night the units of weapon :math:`w` carry only
:math:`\min(1, S_w / K_w)` of their loads. Days of defence remaining are
:math:`S_w / (\bar U_w - r_w)` over the last 14 nights (capped at ten years where
the stock is not falling).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["Magazines"]


@dataclass
class Magazines:
    """Mutable campaign state of stocks by weapon name (the one mutable object of a campaign)."""

    capacity: dict[str, float]  # rounds per night at full loads
    stock: dict[str, float]
    resupply_per_day: dict[str, float]
    history: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def start(cls, shooters, stock_nights: float, resupply: dict[str, float], resupply_fraction: float) -> "Magazines":
        cap: dict[str, float] = {}
        for j in range(len(shooters.ids)):
            for k, w in enumerate(shooters.slot_weapon[j]):
                if w >= 0:
                    name = shooters.weapon_names[w]
                    cap[name] = cap.get(name, 0.0) + float(shooters.slot_rounds[j, k]) * (1 + int(shooters.reloads[j]))
        stock = {w: stock_nights * c for w, c in cap.items()}
        rate = {w: resupply.get(w, resupply_fraction * stock[w]) for w in cap}
        return cls(cap, stock, rate, {w: [] for w in cap})

    def scale_shooters(self, shooters):
        """Shooters whose loads are cut to what the stocks allow tonight."""
        f = {w: (min(1.0, self.stock[w] / c) if c > 0 else 1.0) for w, c in self.capacity.items()}
        names = shooters.weapon_names
        frac = np.array([f.get(n, 1.0) for n in names] + [1.0])  # index -1: no slot
        rounds = np.floor(shooters.slot_rounds * frac[shooters.slot_weapon]).astype(np.int64)
        return replace(shooters, slot_rounds=rounds)

    def night(self, used: dict[str, float], aid: float = 0.0) -> None:
        """Book one night: rounds fired, then a day's resupply and any aid (spread by capacity)."""
        tot = sum(self.capacity.values()) or 1.0
        for w in self.capacity:
            u = used.get(w, 0.0)
            self.history[w].append(u)
            self.stock[w] = max(self.stock[w] - u, 0.0) + self.resupply_per_day[w] + aid * self.capacity[w] / tot

    def days_remaining(self, window: int = 14, cap_days: float = 3650.0) -> dict[str, float]:
        """Stock over the net daily drawdown (use less resupply) of the last ``window`` nights;
        ``cap_days`` where the stock is not falling."""
        out = {}
        for w, h in self.history.items():
            net = (float(np.mean(h[-window:])) if h else 0.0) - self.resupply_per_day[w]
            out[w] = min(self.stock[w] / net, cap_days) if net > 0 else cap_days
        return out

r"""Campaign magazines, per side and per unit, carried from night to night with resupply.

Who holds what
--------------
- **The defended country** keeps a *national stock* of each weapon type, shared by all its
  units of that type (its own forces and, once they have arrived, transferred aircraft: every
  shooter whose side is ``DEFENDED``). A battery reloads from the country's depot of its
  interceptor type, so this is a national pool, one per weapon type, on the defended side only.
- **Each allied unit** fights from its own magazine (one per weapon it carries), resupplied
  by its own nation. Allied units never share stocks with the defended country nor with one
  another, so an allied package never changes the defended country's stocks, and the other
  way round, whatever weapon names they have in common.

A unit's *nightly load* :math:`K_{u,w}` is every round of weapon :math:`w` it can fire in one
night (rounds per load times one plus reloads). A unit brings ``stock_nights``
:math:`\times K_{u,w}` to its holder the first night it is present; a unit that is absent
(rotation, transfer lead time, supplier cut, clause not fired) neither holds nor draws stock.
A holder's stock :math:`S` evolves over the nights it is in use (at least one of its units
present) as

.. math::

    S(d+1) = \max(S(d) - U(d), 0) + r + A(d),

with :math:`U` the rounds its units fired (engage events), :math:`r` its resupply a day and
:math:`A` aid (defended country only: ``more-aid`` clause responses name the types and rounds
they deliver). National stocks are resupplied every day; an allied unit's magazine is frozen
while the unit is away. On a night, the units of a holder carry :math:`\min(1, S / K)` of their
loads, :math:`K` being the summed loads of the holder's units present that night.

Days of defence remaining are :math:`S / (\bar U - r)`, :math:`\bar U` the mean rounds fired
over the holder's last 14 nights in use (capped at ten years where the stock is not falling);
allied figures add up the magazines of the allied units carrying the weapon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ..engine.params import ALLIED, DEFENDED

__all__ = ["NATIONAL", "Magazines", "Pool", "rounds_fired", "weapon_slug"]

NATIONAL = "national"
"""Holder name of the defended country's national stock of a weapon type."""

PoolKey = tuple[int, str, str]  # (side, holder, weapon)


def weapon_slug(name: str) -> str:
    """Metric-name form of a weapon name: ``'PAC-3 MSE'`` -> ``'pac_3_mse'``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def rounds_fired(events) -> dict[tuple[str, str], float]:
    """Rounds fired per ``(unit id, weapon)`` in one night's engine events (engage rows)."""
    out: dict[tuple[str, str], float] = {}
    if events.num_rows == 0 or "weapon" not in events.column_names:
        return out
    kinds = events.column("kind").to_pylist()
    units = events.column("shooter").to_pylist()
    weapons = events.column("weapon").to_pylist()
    n = events.column("interceptors").to_pylist()
    for k, u, w, x in zip(kinds, units, weapons, n):
        if k == "engage" and w is not None and u is not None:
            out[(u, w)] = out.get((u, w), 0.0) + float(x or 0)
    return out


@dataclass
class Pool:
    """The stock of one weapon held by one holder (national stock or an allied unit)."""

    side: int  # DEFENDED or ALLIED
    holder: str  # NATIONAL, or the allied unit's id
    weapon: str
    stock: float = 0.0
    brought: float = 0.0  # rounds its units brought when they first appeared
    resupply_per_day: float = 0.0
    history: list[float] = field(default_factory=list)  # rounds fired on each night in use
    has_units: bool = False  # False for aid of a type no unit of the country fires


@dataclass
class Magazines:
    """Mutable campaign state of every holder's stocks (the one mutable object of a campaign).

    Parameters
    ----------
    stock_nights
        Stock a unit brings, in nights of its full loads (notional).
    resupply
        Defended country's resupply, rounds a day by weapon name (production allotted to it);
        overrides ``resupply_fraction`` for those types.
    resupply_fraction
        Resupply a day as a fraction of the stock the units brought (notional), for the
        defended types not in ``resupply`` and for every allied magazine.
    """

    stock_nights: float
    resupply: Mapping[str, float] = field(default_factory=dict)
    resupply_fraction: float = 0.0
    pools: dict[PoolKey, Pool] = field(default_factory=dict)
    arrived: set[str] = field(default_factory=set)  # unit ids that have brought their stock

    @staticmethod
    def key(side: int, unit_id: str, weapon: str) -> PoolKey:
        """The holder of ``weapon`` for a unit: the national stock on the defended side, the
        unit itself on the allied side."""
        return (DEFENDED, NATIONAL, weapon) if side == DEFENDED else (ALLIED, unit_id, weapon)

    @staticmethod
    def unit_loads(shooters) -> Iterable[tuple[int, str, int, str, float]]:
        """``(row, unit id, side, weapon, rounds a night)`` for every weapon of every unit."""
        for j, uid in enumerate(shooters.ids):
            loads: dict[str, float] = {}
            for k, w in enumerate(shooters.slot_weapon[j]):
                if w >= 0:
                    name = shooters.weapon_names[w]
                    loads[name] = loads.get(name, 0.0) + float(shooters.slot_rounds[j, k]) * (1 + int(shooters.reloads[j]))
            for name, r in loads.items():
                yield j, uid, int(shooters.side[j]), name, r

    def _pool(self, key: PoolKey) -> Pool:
        if key not in self.pools:
            self.pools[key] = Pool(key[0], key[1], key[2])
        return self.pools[key]

    def arrive(self, shooters) -> None:
        """Units present tonight for the first time bring ``stock_nights`` of their loads."""
        new = [row for row in self.unit_loads(shooters) if row[1] not in self.arrived]
        for _, uid, side, w, r in new:
            p = self._pool(self.key(side, uid, w))
            p.has_units = True
            p.brought += self.stock_nights * r
            p.stock += self.stock_nights * r
            if side == DEFENDED and w in self.resupply:
                p.resupply_per_day = float(self.resupply[w])
            else:
                p.resupply_per_day = self.resupply_fraction * p.brought
        self.arrived.update(row[1] for row in new)

    def scale_shooters(self, shooters):
        """Tonight's shooters with loads cut to what their holders' stocks allow."""
        need: dict[PoolKey, float] = {}
        for _, uid, side, w, r in self.unit_loads(shooters):
            k = self.key(side, uid, w)
            need[k] = need.get(k, 0.0) + r
        frac = {k: min(1.0, self.pools[k].stock / c) if c > 0 else 1.0 for k, c in need.items()}
        f = np.ones(shooters.slot_rounds.shape)
        for j, uid in enumerate(shooters.ids):
            for s, w in enumerate(shooters.slot_weapon[j]):
                if w >= 0:
                    f[j, s] = frac[self.key(int(shooters.side[j]), uid, shooters.weapon_names[w])]
        rounds = np.floor(shooters.slot_rounds * f).astype(np.int64)
        return replace(shooters, slot_rounds=rounds)

    def night(self, shooters, used: Mapping[tuple[str, str], float],
              aid: Mapping[str, float] | None = None) -> None:
        """Book one night of tonight's ``shooters``: rounds ``used`` per (unit, weapon), then a
        day's resupply, and ``aid`` (weapon -> rounds) to the defended country's stocks."""
        side = dict(zip(shooters.ids, (int(s) for s in shooters.side)))
        fired: dict[PoolKey, float] = {}
        for _, uid, s, w, _ in self.unit_loads(shooters):
            fired.setdefault(self.key(s, uid, w), 0.0)
        for (uid, w), n in used.items():
            k = self.key(side[uid], uid, w)
            fired[k] = fired.get(k, 0.0) + float(n)
        for k, u in fired.items():
            p = self._pool(k)
            p.history.append(u)
            p.stock = max(p.stock - u, 0.0)
            if p.side == ALLIED:
                p.stock += p.resupply_per_day
        for p in self.pools.values():
            if p.side == DEFENDED:
                p.stock += p.resupply_per_day
        for w, n in (aid or {}).items():
            self._pool((DEFENDED, NATIONAL, w)).stock += float(n)

    def _days(self, pools: list[Pool], window: int, cap_days: float) -> float:
        stock = sum(p.stock for p in pools)
        net = sum(float(np.mean(p.history[-window:])) - p.resupply_per_day for p in pools)
        return min(stock / net, cap_days) if net > 0 else cap_days

    def days_remaining(self, window: int = 14, cap_days: float = 3650.0) -> tuple[dict[str, float], dict[str, float]]:
        """Days of defence by weapon: ``(defended country's own stocks, allied magazines)``.

        Stock over the net daily drawdown (rounds fired less resupply) of the last ``window``
        nights in use; ``cap_days`` where the stock is not falling. Holders never in use (no
        unit ever present, or aid of a type no unit fires) are left out.
        """
        by: dict[tuple[int, str], list[Pool]] = {}
        for p in self.pools.values():
            if p.has_units and p.history:
                by.setdefault((p.side, p.weapon), []).append(p)
        own = {w: self._days(ps, window, cap_days) for (s, w), ps in by.items() if s == DEFENDED}
        allied = {w: self._days(ps, window, cap_days) for (s, w), ps in by.items() if s == ALLIED}
        return own, allied

    def used(self) -> tuple[set[str], set[str]]:
        """Weapons fired at least once: ``(defended country's, allies')``."""
        own = {p.weapon for p in self.pools.values() if p.side == DEFENDED and sum(p.history) > 0}
        allied = {p.weapon for p in self.pools.values() if p.side == ALLIED and sum(p.history) > 0}
        return own, allied

    def stock_of(self, side: int, weapon: str) -> float:
        """Total stock of ``weapon`` held on ``side`` (national stock, or all allied magazines)."""
        return sum(p.stock for p in self.pools.values() if p.side == side and p.weapon == weapon)

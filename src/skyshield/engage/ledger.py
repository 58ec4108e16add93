r"""The cost ledger: interceptors by type and cost, exchange ratio, value protected, magazines.

Per replication:

- interceptors fired and their cost, by weapon (``interceptors_<weapon>``,
  ``interceptor_cost_usd_<weapon>``);
- cost-exchange ratio :math:`\text{CER} = \sum \text{interceptor cost} / \sum \text{cost of
  threats destroyed}` (below 1: the defender spends less than the attacker loses);
- value protected: the notional value of the assets aimed at by warhead-carrying threats
  that were not damaged, and the interceptor cost per dollar of it;
- magazine depletion: rounds fired over rounds available (first load plus reloads), overall
  and for the most depleted unit.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray

__all__ = ["ledger_metrics", "metric_suffix"]


def metric_suffix(name: str) -> str:
    """A weapon name as a metric suffix: lower case, non-alphanumerics as ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def ledger_metrics(
    weapon_names: tuple[str, ...],
    eng_weapon: NDArray[np.int64],
    eng_rounds: NDArray[np.int64],
    eng_cost: NDArray[np.float64],
    eng_shooter: NDArray[np.int64],
    capacity_per_shooter: NDArray[np.float64],
    threat_cost_destroyed_usd: float,
    value_protected_usd: float,
) -> dict[str, float]:
    """Cost metrics of one replication (see the module docstring)."""
    m: dict[str, float] = {}
    for w, name in enumerate(weapon_names):
        sel = eng_weapon == w
        sfx = metric_suffix(name)
        m[f"interceptors_{sfx}"] = float(eng_rounds[sel].sum())
        m[f"interceptor_cost_usd_{sfx}"] = float(eng_cost[sel].sum())
    total = float(eng_cost.sum())
    used = np.bincount(eng_shooter, weights=eng_rounds, minlength=capacity_per_shooter.size) if capacity_per_shooter.size else np.zeros(0)
    cap = capacity_per_shooter
    m["magazine_used_fraction"] = float(used.sum() / cap.sum()) if cap.sum() > 0 else 0.0
    m["magazine_max_unit_used_fraction"] = float(np.max(np.where(cap > 0, used / np.maximum(cap, 1e-9), 0.0), initial=0.0))
    m["value_protected_usd"] = value_protected_usd
    m["cost_per_value_protected"] = total / value_protected_usd if value_protected_usd > 0 else 0.0
    return m

r"""Trigger semantics of contingency clauses, offline (vectorised) and online (event by event).

A trigger with threshold :math:`N` and window :math:`W` holds at time :math:`t` when

.. math::

    \#\{k : t - W < t_k \le t\} \ge N

over the times :math:`t_k` of its matching events. It first holds at the :math:`N`-th
matching event :math:`t_{(k)}` (sorted) for the smallest :math:`k \ge N` with
:math:`t_{(k)} - t_{(k-N+1)} < W`. The response is scheduled at :math:`t^* + \text{delay}`
and executed with the clause's probability; a clause that re-arms counts afresh from events
after :math:`t^*`.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["first_trigger_time", "trigger_times", "TriggerCounter"]


def first_trigger_time(t_s: ArrayLike, at_least: int, within_s: float) -> float:
    """First time the trigger holds over sorted event times ``t_s`` (``inf`` if never).

    >>> first_trigger_time([0.0, 10.0, 50.0, 55.0], at_least=2, within_s=20.0)
    10.0
    >>> first_trigger_time([0.0, 30.0, 70.0], at_least=2, within_s=20.0)
    inf
    """
    t = np.sort(np.asarray(t_s, dtype=float))
    n = int(at_least)
    if t.size < n:
        return float("inf")
    # t_(k-N+1) > t_(k) - W, written as the window test itself (floating-point consistent).
    ok = np.flatnonzero(t[: t.size - n + 1] > t[n - 1 :] - within_s)
    return float(t[ok[0] + n - 1]) if ok.size else float("inf")


def trigger_times(t_s: ArrayLike, at_least: int, within_s: float, repeat: bool) -> list[float]:
    """Every time the trigger fires; after a firing, counting starts afresh (``repeat``)."""
    t = np.sort(np.asarray(t_s, dtype=float))
    out: list[float] = []
    while True:
        f = first_trigger_time(t, at_least, within_s)
        if not np.isfinite(f):
            return out
        out.append(f)
        if not repeat:
            return out
        t = t[t > f]


class TriggerCounter:
    """Online form of the same rule, fed one matching event at a time in time order."""

    def __init__(self, at_least: int, within_s: float, repeat: bool) -> None:
        self.n = int(at_least)
        self.w = float(within_s)
        self.repeat = repeat
        self.times: deque[float] = deque()
        self.spent = False

    def add(self, t_s: float) -> bool:
        """Count an event at ``t_s``; True if the trigger fires now."""
        if self.spent:
            return False
        self.times.append(t_s)
        while self.times and self.times[0] <= t_s - self.w:
            self.times.popleft()
        if len(self.times) >= self.n:
            self.times.clear()
            self.spent = not self.repeat
            return True
        return False

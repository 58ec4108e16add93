r"""Electronic warfare: threats that lose their way (soft kills, counted apart from kills).

A GNSS jammer or spoofer covers a circle of radius :math:`R_c` for threat class :math:`c`.
A threat whose path enters it is led astray with probability :math:`p_c` per site passed
(drones and decoys navigate by satellite; cruise missiles far less so; ballistic missiles
not at all), from the moment it enters. It then leaves the battle: it neither reaches its
aim nor draws fire. Entry times are closed forms (:func:`skyshield.engine.trajectory.circle_windows`);
the draw for each (site, threat) pair is counter-based, so adding a site changes nothing
for the others.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..rng import keyed_uniform

__all__ = ["soft_kill_times"]


def soft_kill_times(
    n_threats: int,
    site: NDArray[np.int64],
    threat: NDArray[np.int64],
    t_enter_s: NDArray[np.float64],
    p_soft: NDArray[np.float64],
    site_key: NDArray[np.int64],
    key: int,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Time each threat loses its way (``inf`` if never) and the site that did it (-1).

    Parameters
    ----------
    n_threats
        Threats in the raid.
    site, threat, t_enter_s, p_soft
        One row per (site, threat) exposure: first entry time and soft-kill probability.
    site_key
        Stable name key of each site (for the counter-based draw).
    key
        The replication's key for the ``engagement/ew`` draws.
    """
    t_lost = np.full(n_threats, np.inf)
    by = np.full(n_threats, -1, dtype=np.int64)
    if site.size == 0:
        return t_lost, by
    u = keyed_uniform(key, site_key[site], threat)
    hit = u < p_soft
    if not hit.any():
        return t_lost, by
    t, i, s = t_enter_s[hit], threat[hit], site[hit]
    order = np.lexsort((s, t, i))  # earliest effective site per threat
    t, i, s = t[order], i[order], s[order]
    first = np.r_[True, i[1:] != i[:-1]]
    t_lost[i[first]] = t[first]
    by[i[first]] = s[first]
    return t_lost, by

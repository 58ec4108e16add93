"""Sample a raid: which threats fly, from where, when, by which route, toward which asset,
and which of them fail on the way.

Each raid group draws from its own named stream (``raid/<group id>``), so changing one group
leaves every other group's threats exactly as they were. Launch failures of types that have
them (``launch_failure`` in the catalog) draw from ``raid/<group id>/failure``: a failing
missile stops at a uniform point of the first :data:`FAILURE_SPAN` of its flight time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..geo import destination_point
from ..rng import Streams
from .params import EngineParams, RaidGroupPlan

__all__ = ["Raid", "sample_raid", "FAILURE_SPAN"]

FAILURE_SPAN = 0.8
"""Notional: failures (at launch, in boost or in midcourse) happen over the first 80 % of the
flight; a missile that re-enters arrives (public accounts of failed Iranian missiles in April
2024 had them falling in Iran, Iraq and Jordan, short of Israel)."""


@dataclass(frozen=True)
class Raid:
    type_index: NDArray[np.int64]  # (N,) row in ThreatTypes
    group: NDArray[np.int64]  # (N,) raid group index
    launch_s: NDArray[np.float64]  # (N,)
    target: NDArray[np.int64]  # (N,) asset row
    waypoints: NDArray[np.float64]  # (N, W, 2) lon/lat: launch, via..., aim; NaN padded
    n_points: NDArray[np.int64]  # (N,) valid rows of `waypoints` (>= 2)
    fail_frac: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (N,) failure point as a fraction of the flight time; NaN: no failure (empty: none fail)

    @property
    def failed(self) -> NDArray[np.bool_]:
        """Threats that fail on the way (never arrive)."""
        return np.isfinite(self.fail_frac) if self.fail_frac.size == self.size else np.zeros(self.size, bool)

    @property
    def size(self) -> int:
        return int(self.type_index.shape[0])


def _scatter(rng: np.random.Generator, lonlat: NDArray[np.float64], sigma_m: float) -> NDArray[np.float64]:
    """Offset points by an isotropic Gaussian of ``sigma_m`` metres per axis."""
    if sigma_m <= 0:
        return lonlat
    d = rng.normal(0.0, sigma_m, size=(*lonlat.shape[:-1], 2))
    dist = np.hypot(d[..., 0], d[..., 1])
    brg = np.degrees(np.arctan2(d[..., 0], d[..., 1]))
    lon, lat = destination_point(lonlat[..., 0], lonlat[..., 1], brg, dist)
    return np.stack([lon, lat], axis=-1)


def _in_disc(rng: np.random.Generator, centre: NDArray[np.float64], radius_m: NDArray[np.float64]) -> NDArray[np.float64]:
    n = centre.shape[0]
    dist = radius_m * np.sqrt(rng.random(n))
    brg = rng.uniform(0.0, 360.0, n)
    lon, lat = destination_point(centre[:, 0], centre[:, 1], brg, dist)
    return np.stack([lon, lat], axis=-1)


def _sample_group(g: RaidGroupPlan, params: EngineParams, rng: np.random.Generator, width: int):
    n = g.count
    area = rng.integers(0, len(g.launch_radius_m), n)
    launch = _in_disc(rng, g.launch_lonlat[area], g.launch_radius_m[area])
    t_launch = rng.uniform(g.window_s[0], g.window_s[1], n)
    tgt = g.target_index[rng.choice(len(g.target_index), size=n, p=g.target_weight)]
    a = params.assets
    aim = _in_disc(rng, a.lonlat[tgt], 0.5 * a.radius_m[tgt])
    pts = np.full((n, width, 2), np.nan)
    pts[:, 0] = launch
    npts = np.full(n, 2, dtype=np.int64)
    if g.routes:
        route = rng.integers(0, len(g.routes), n)
        for r, wp in enumerate(g.routes):
            sel = np.flatnonzero(route == r)
            k = wp.shape[0]
            via = _scatter(rng, np.broadcast_to(wp, (sel.size, k, 2)).copy(), g.dispersion_m)
            pts[sel, 1 : 1 + k] = via
            pts[sel, 1 + k] = aim[sel]
            npts[sel] = k + 2
    else:
        pts[:, 1] = aim
    return g.type_index, t_launch, tgt, pts, npts


def sample_raid(params: EngineParams, streams: Streams) -> Raid:
    """Draw one replication's raid from the scenario's raid groups (adapted to the option when
    the adversary adapts: :mod:`skyshield.engine.adversary`)."""
    raid = _sample_plans(params, streams)
    adv = params.adversary
    return raid if adv is None else adv.adapt(raid, params, streams)  # type: ignore[attr-defined]


def _sample_plans(params: EngineParams, streams: Streams) -> Raid:
    width = 2 + max((max((r.shape[0] for r in g.routes), default=0) for g in params.raid), default=0)
    parts = []
    for gi, g in enumerate(params.raid):
        if g.count == 0:
            continue
        ti, t, tgt, pts, npts = _sample_group(g, params, streams.generator(f"raid/{g.id}"), width)
        fail = np.full(g.count, np.nan)
        p_fail = params.threat_types.launch_failure[ti] if params.threat_types.launch_failure.size else 0.0
        if p_fail > 0:
            rng = streams.generator(f"raid/{g.id}/failure")
            u, where = rng.random(g.count), rng.uniform(0.0, FAILURE_SPAN, g.count)
            fail = np.where(u < p_fail, where, np.nan)
        parts.append((np.full(g.count, ti), np.full(g.count, gi), t, tgt, pts, npts, fail))
    if not parts:
        z = np.zeros(0, dtype=np.int64)
        return Raid(z, z, np.zeros(0), z, np.zeros((0, width, 2)), z, np.zeros(0))
    cols = list(zip(*parts))
    return Raid(
        type_index=np.concatenate(cols[0]).astype(np.int64),
        group=np.concatenate(cols[1]).astype(np.int64),
        launch_s=np.concatenate(cols[2]),
        target=np.concatenate(cols[3]).astype(np.int64),
        waypoints=np.concatenate(cols[4]),
        n_points=np.concatenate(cols[5]),
        fail_frac=np.concatenate(cols[6]),
    )

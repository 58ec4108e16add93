"""The policy event table of one replication: what clauses count and what moves the ladder.

Derived from the engine's events (kills, leaks, hits), the raid (aim assets, launch times)
and the flight paths (incursions into allied territory), plus the option's standing posture
(data sharing, over-the-horizon support, allied aircraft in the defended airspace) and the
draws of the replication (exposure of allied aircraft, outside events).

Each row is ``(t_s, kind, threat class, asset kind, rung, channel, threat, detail)``:
``rung >= 0`` marks an action on the escalation ladder (allied or adversary), ``channel``
names its RAND channel, and ``kind`` is what a clause trigger may count
(:data:`skyshield.policy.spec.TRIGGER_EVENTS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..catalog import THREAT_CLASSES
from ..geo import Zone
from ..rng import Streams, keyed_uniform, name_key
from .compile import PolicyParams
from .ladder import RUNG

__all__ = ["PolicyEvent", "derive_events", "incursion_times"]

_ALLIED_INTERCEPT_RUNG = {
    "allied": RUNG["intercepts-over-allied"],
    "adversary": RUNG["direct-engagement"],  # firing into the adversary's airspace
}


@dataclass(frozen=True, order=True)
class PolicyEvent:
    t_s: float
    seq: int  # total order among simultaneous events
    kind: str
    threat_class: str = ""
    asset_kind: str = ""
    rung: int = -1  # >= 0: a move on the ladder
    channel: str = ""  # deliberate / inadvertent / accidental ("" for adversary actions)
    actor: str = ""  # "allied", "adversary" or ""
    threat: int = -1
    lon_deg: float = float("nan")
    lat_deg: float = float("nan")
    detail: str = ""
    ref: int = -1  # clause index for scheduled clause executions
    flag: bool = False  # clause executions: honoured


def incursion_times(params, seg, n_threats: int, n_samples: int = 16) -> np.ndarray:
    """First time each threat's path is over allied territory (``inf`` if never), sampled."""
    from ..engine.trajectory import lonlat_at

    out = np.full(n_threats, np.inf)
    if seg.t0_s.size == 0:
        return out
    frac = np.linspace(0.0, 1.0, n_samples)
    ts = seg.t0_s[:, None] + (seg.t1_s - seg.t0_s)[:, None] * frac[None, :]
    lon, lat = lonlat_at(seg, np.repeat(np.arange(seg.t0_s.size), n_samples), ts.ravel())
    allied = (params.theatre.classify(lon, lat) == Zone.ALLIED).reshape(-1, n_samples)
    first = np.where(allied.any(axis=1), ts[np.arange(ts.shape[0]), np.argmax(allied, axis=1)], np.inf)
    np.minimum.at(out, seg.threat, first)
    return out


def _force_id(unit_id: str) -> str:
    return unit_id.split("#", 1)[0]


def _dist_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    from ..geo import great_circle_distance_m

    return np.asarray(great_circle_distance_m(lon1, lat1, lon2, lat2), dtype=float)


def derive_events(params, pol: PolicyParams, raid, seg, events: pa.Table, streams: Streams) -> list[PolicyEvent]:
    """Every policy event of one replication, unsorted (the phase orders them)."""
    out: list[PolicyEvent] = []
    tt = params.threat_types
    cls_names = np.array(THREAT_CLASSES, dtype=object)[tt.cls[raid.type_index]] if raid.size else np.zeros(0, object)
    asset_kind = np.array(params.assets.kind, dtype=object)
    aimed_kind = asset_kind[raid.target] if raid.size else np.zeros(0, object)

    def add(**kw) -> None:
        out.append(PolicyEvent(seq=len(out), **kw))

    # Standing posture of the option.
    if pol.sharing_level >= 1:
        add(t_s=0.0, kind="posture", rung=RUNG["intelligence"], actor="allied",
            detail="allied early-warning and track data shared with the defended country")
    if pol.over_the_horizon is not None:
        oth = pol.over_the_horizon
        rung = RUNG["targeting-support"] if oth.mode == "isr" else RUNG["strikes-on-adversary"]
        add(t_s=0.0, kind="posture", rung=rung, channel="deliberate", actor="allied",
            detail=f"over-the-horizon {oth.mode}: allied support to strikes on adversary launch capacity")
    for uid in sorted(set(pol.exposed_ids)):
        add(t_s=0.0, kind="posture", rung=RUNG["allied-aircraft-over-defended"], channel="inadvertent",
            actor="allied", detail=f"allied aircraft {uid} operating in the defended airspace")

    # Strikes: every threat aimed at an asset (its launch), reaching it (leak) or damaging it (hit).
    outcomes = {c.trigger.outcome for c in pol.clauses if c.trigger.event == "strike"}
    for i in range(raid.size if "aimed" in outcomes else 0):
        add(t_s=float(raid.launch_s[i]), kind="strike:aimed", threat_class=cls_names[i],
            asset_kind=aimed_kind[i], threat=i)
    kind_col = events.column("kind").to_numpy(zero_copy_only=False)
    t_col = events.column("t_s").to_numpy()
    thr_col = events.column("threat").to_numpy(zero_copy_only=False)
    for ev in ("leak", "hit"):
        for r in np.flatnonzero(kind_col == ev):
            i = int(thr_col[r])
            if ("leaked" if ev == "leak" else "hit") in outcomes:
                add(t_s=float(t_col[r]), kind=f"strike:{'leaked' if ev == 'leak' else 'hit'}",
                    threat_class=cls_names[i], asset_kind=aimed_kind[i], threat=i)
            if ev == "hit" and aimed_kind[i] == "corridor":
                add(t_s=float(t_col[r]), kind="corridor-strike", threat_class=cls_names[i],
                    asset_kind="corridor", threat=i)

    # Incursions into allied territory.
    t_inc = incursion_times(params, seg, raid.size)
    for i in np.flatnonzero(np.isfinite(t_inc)):
        add(t_s=float(t_inc[i]), kind="incursion", threat_class=cls_names[i], threat=int(i),
            detail=f"{tt.names[raid.type_index[i]]} crossed into allied territory")

    # Kills: allied intercepts move the ladder; debris on allied soil is counted.
    kills = np.flatnonzero(kind_col == "kill")
    if kills.size:
        shooters = events.column("shooter").to_pylist()
        zones = events.column("zone").to_pylist()
        dz = events.column("debris_zone").to_pylist() if "debris_zone" in events.column_names else zones
        for r in kills:
            i = int(thr_col[r])
            t = float(t_col[r])
            if dz[r] == "allied":
                add(t_s=t, kind="debris-on-allied", threat_class=cls_names[i], threat=i)
            fid = _force_id(shooters[r] or "")
            if fid not in pol.allied_forces:
                continue
            if cls_names[i] == "aircraft":
                rung = RUNG["direct-engagement"]
            else:
                rung = _ALLIED_INTERCEPT_RUNG.get(zones[r] or "", RUNG["intercepts-over-defended"])
            add(t_s=t, kind="allied-intercept", threat_class=cls_names[i], rung=rung,
                channel="inadvertent", actor="allied", threat=i,
                detail=f"{shooters[r]} intercepted a {cls_names[i]} over {zones[r]} territory")

    # Tripwires: a warhead leaker within the lethal radius, or debris with casualties.
    if pol.tripwire_ids:
        u_trip = streams.key("escalation/tripwire")
        hits = np.flatnonzero(kind_col == "hit")
        lon = events.column("lon_deg").to_numpy(zero_copy_only=False)
        lat = events.column("lat_deg").to_numpy(zero_copy_only=False)
        d_lon = events.column("debris_lon_deg").to_numpy(zero_copy_only=False) if "debris_lon_deg" in events.column_names else lon
        d_lat = events.column("debris_lat_deg").to_numpy(zero_copy_only=False) if "debris_lat_deg" in events.column_names else lat
        for k, uid in enumerate(pol.tripwire_ids):
            site = pol.tripwire_lonlat[k]
            for rows, why, p in ((hits, "a warhead hit", 1.0), (kills, "intercept debris", pol.tripwire_p_debris[k])):
                if rows.size == 0:
                    continue
                x = np.where(why == "a warhead hit", lon[rows], d_lon[rows]).astype(float)
                y = np.where(why == "a warhead hit", lat[rows], d_lat[rows]).astype(float)
                ok = np.isfinite(x) & np.isfinite(y)
                d = np.full(rows.size, np.inf)
                d[ok] = _dist_m(x[ok], y[ok], np.full(ok.sum(), site[0]), np.full(ok.sum(), site[1]))
                u = keyed_uniform(u_trip, name_key(uid + why), thr_col[rows].astype(np.int64))
                for r in rows[(d <= pol.tripwire_radius_m[k]) & (u < p)]:
                    add(t_s=float(t_col[r]), kind="tripwire", actor="adversary", threat=int(thr_col[r]),
                        lon_deg=float(site[0]), lat_deg=float(site[1]),
                        detail=f"tripwire unit {uid} hit by {why}")

    # Allied aircraft in the defended airspace are fired upon at a Poisson rate.
    esc = pol.escalation
    if pol.exposed_ids and esc.exposure_fire_rate_per_h > 0:
        g = streams.generator("escalation/exposure")
        hours = params.duration_s / 3600.0
        for uid in pol.exposed_ids:
            n = int(g.poisson(esc.exposure_fire_rate_per_h * hours))
            for t in np.sort(g.uniform(0.0, params.duration_s, n)):
                add(t_s=float(t), kind="allied-fired-upon", rung=RUNG["direct-engagement"],
                    channel="accidental", actor="adversary",
                    detail=f"allied aircraft {uid} fired upon by adversary air defences or fighters")

    # Outside events (chemical or nuclear use ...), drawn with their probability per night.
    if esc.exogenous:
        g = streams.generator("policy/exogenous")
        for name in sorted(esc.exogenous):
            u, t = g.random(), g.uniform(0.0, params.duration_s)
            if u < esc.exogenous[name]:
                add(t_s=float(t), kind=f"exogenous:{name}", detail=f"outside event: {name}")
    return out

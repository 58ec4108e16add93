"""Assess: what got through, what it hit, what it cost; events and metrics of one replication."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from ..catalog import THREAT_CLASSES
from ..geo import Zone
from .battle import Engagements, Opportunities
from .params import ALLIED, DEFENDED, EngineParams
from .raid import Raid
from .sense import Picture
from .trajectory import Segments, lonlat_at

__all__ = ["Outcome", "assess", "EVENT_SCHEMA", "METRIC_DOCS"]

EVENT_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("kind", pa.string()),
        ("threat", pa.int32()),
        ("threat_type", pa.string()),
        ("shooter", pa.string()),
        ("interceptors", pa.int32()),
        ("cost_usd", pa.float64()),
        ("lon_deg", pa.float64()),
        ("lat_deg", pa.float64()),
        ("zone", pa.string()),
    ]
)
"""One row per event: launch, detect (first in the defended picture), engage, kill, leak, hit."""

METRIC_DOCS: dict[str, str] = {
    "launched": "threats launched",
    "destroyed": "threats destroyed by interceptors",
    "leaked": "threats that reached their aim area",
    "in_flight_at_end": "threats still flying when the scenario ended",
    "assets_hit": "leakers with a warhead that damaged the asset they reached",
    "assets_hit_distinct": "distinct assets damaged at least once",
    "population_exposed": "population of the distinct assets damaged",
    "interceptors_used": "interceptors (or gun bursts) fired",
    "interceptor_cost_usd": "cost of the interceptors fired",
    "threat_cost_destroyed_usd": "cost of the threats destroyed",
    "cost_exchange_ratio": "interceptor cost / cost of threats destroyed",
    "engagements": "salvoes fired",
    "allied_engagements": "salvoes fired by allied shooters",
    "engagements_denied_roe": "engagement opportunities ruled out by rules of engagement",
    "debris_on_allied_territory": "intercepts whose debris falls on allied territory",
    "detected_fraction": "share of threats in the defended country's picture before arrival",
    "early_warning_s": "mean warning time: arrival minus first detection in the defended picture",
    "early_warning_gain_s": "mean warning gained from allied data over the defended country's own sensors",
}


@dataclass(frozen=True)
class Outcome:
    metrics: dict[str, float]
    events: pa.Table


def assess(
    params: EngineParams,
    raid: Raid,
    seg: Segments,
    pic: Picture,
    opp: Opportunities,
    eng: Engagements,
    damage_u: NDArray[np.float64],
) -> Outcome:
    tt = params.threat_types
    sh = params.shooters
    n = raid.size
    cls = tt.cls[raid.type_index]
    arrival = seg.arrival_s

    killed = np.zeros(n, bool)
    k_e = np.flatnonzero(eng.killed)
    killed[eng.threat[k_e]] = True
    ends_in_time = arrival <= params.duration_s
    leaked = ~killed & ends_in_time
    in_flight = ~killed & ~ends_in_time
    hit = leaked & tt.warhead[raid.type_index] & (damage_u < tt.p_damage[raid.type_index])
    hit_assets = np.unique(raid.target[hit])

    # Where intercepts happened (debris) and where leakers arrived.
    k_lon, k_lat = lonlat_at(params_seg := seg, eng.segment[k_e], eng.t_intercept_s[k_e]) if k_e.size else (np.zeros(0), np.zeros(0))
    k_zone = params.theatre.classify(k_lon, k_lat) if k_e.size else np.zeros(0, np.int8)
    aim = raid.waypoints[np.arange(n), raid.n_points - 1]

    cost = eng.n_interceptors * sh.interceptor_cost_usd[eng.shooter]
    threat_cost_destroyed = float(tt.cost_usd[raid.type_index][killed].sum())
    t_def = pic.network_t[DEFENDED]
    seen = np.isfinite(t_def) & (t_def <= arrival)
    warn = np.where(seen, arrival - t_def, 0.0)
    own = pic.own_t[DEFENDED]
    own_seen = np.isfinite(own) & (own <= arrival)
    gain = np.where(seen, np.where(own_seen, own, arrival) - t_def, 0.0)

    m: dict[str, float] = {
        "launched": float(n),
        "destroyed": float(killed.sum()),
        "leaked": float(leaked.sum()),
        "in_flight_at_end": float(in_flight.sum()),
        "assets_hit": float(hit.sum()),
        "assets_hit_distinct": float(hit_assets.size),
        "population_exposed": float(params.assets.population[hit_assets].sum()),
        "interceptors_used": float(eng.n_interceptors.sum()),
        "interceptor_cost_usd": float(cost.sum()),
        "threat_cost_destroyed_usd": threat_cost_destroyed,
        "cost_exchange_ratio": float(cost.sum() / threat_cost_destroyed) if threat_cost_destroyed > 0 else 0.0,
        "engagements": float(eng.shooter.size),
        "allied_engagements": float((sh.side[eng.shooter] == ALLIED).sum()),
        "engagements_denied_roe": float(opp.denied_roe),
        "debris_on_allied_territory": float((k_zone == Zone.ALLIED).sum()),
        "detected_fraction": float(seen.mean()) if n else 0.0,
        "early_warning_s": float(warn.mean()) if n else 0.0,
        "early_warning_gain_s": float(gain.mean()) if n else 0.0,
    }
    m.update(pic.metrics)
    for c, name in enumerate(THREAT_CLASSES):
        sel = cls == c
        if not sel.any():
            continue
        m[f"launched_{name}"] = float(sel.sum())
        m[f"destroyed_{name}"] = float((killed & sel).sum())
        m[f"leaked_{name}"] = float((leaked & sel).sum())

    events = _events(params, raid, pic, eng, k_e, k_lon, k_lat, k_zone, leaked, hit, aim, arrival)
    return Outcome(m, events)


def _events(params, raid, pic, eng, k_e, k_lon, k_lat, k_zone, leaked, hit, aim, arrival) -> pa.Table:
    tt = params.threat_types
    sh = params.shooters
    n = raid.size
    names = np.array(tt.names, dtype=object)[raid.type_index]
    zone_names = np.array([z.name.lower() for z in Zone], dtype=object)
    sh_ids = np.array(sh.ids, dtype=object)
    first = raid.waypoints[:, 0]
    t_def = pic.network_t[0]
    det = np.flatnonzero(np.isfinite(t_def))
    lk = np.flatnonzero(leaked)
    hk = np.flatnonzero(hit)
    parts = [
        ("launch", raid.launch_s, np.arange(n), None, 0, 0.0, first[:, 0], first[:, 1], None),
        ("detect", t_def[det], det, None, 0, 0.0, None, None, None),
        ("engage", eng.t_fire_s, eng.threat, sh_ids[eng.shooter], eng.n_interceptors,
         eng.n_interceptors * sh.interceptor_cost_usd[eng.shooter], None, None, None),
        ("kill", eng.t_intercept_s[k_e], eng.threat[k_e], sh_ids[eng.shooter[k_e]], 0, 0.0, k_lon, k_lat,
         zone_names[k_zone.astype(int)] if k_e.size else None),
        ("leak", arrival[lk], lk, None, 0, 0.0, aim[lk, 0], aim[lk, 1], None),
        ("hit", arrival[hk], hk, None, 0, 0.0, aim[hk, 0], aim[hk, 1], None),
    ]
    cols: dict[str, list] = {f.name: [] for f in EVENT_SCHEMA}
    for kind, t, thr, shooter, ni, c, lon, lat, zone in parts:
        size = len(thr)
        if size == 0:
            continue
        cols["t_s"].append(np.asarray(t, float))
        cols["kind"].append(np.full(size, kind, dtype=object))
        cols["threat"].append(np.asarray(thr, np.int32))
        cols["threat_type"].append(names[thr])
        cols["shooter"].append(shooter if shooter is not None else np.full(size, None, dtype=object))
        cols["interceptors"].append(np.broadcast_to(np.asarray(ni, np.int32), size))
        cols["cost_usd"].append(np.broadcast_to(np.asarray(c, float), size))
        cols["lon_deg"].append(np.asarray(lon, float) if lon is not None else np.full(size, np.nan))
        cols["lat_deg"].append(np.asarray(lat, float) if lat is not None else np.full(size, np.nan))
        cols["zone"].append(zone if zone is not None else np.full(size, None, dtype=object))
    if not cols["t_s"]:
        return EVENT_SCHEMA.empty_table()
    arrays = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((arrays["threat"], arrays["t_s"]))
    # Missing coordinates are nulls, not NaN: nulls compare equal and mean "not applicable".
    return pa.table(
        {k: pa.array(v[order], type=EVENT_SCHEMA.field(k).type, from_pandas=k in ("lon_deg", "lat_deg"))
         for k, v in arrays.items()},
        schema=EVENT_SCHEMA,
    )

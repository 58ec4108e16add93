"""Assess: what got through, what it hit, what it cost; events and metrics of one replication.

Every threat ends in exactly one state: destroyed (hard kill), suppressed (lost its way to
electronic warfare, a soft kill counted apart), failed (fell short: a launch or in-flight
failure), leaked (reached its aim area) or still in flight at the end. Intercept debris lands where :func:`~skyshield.engine.opportunities.debris_points`
puts it; the cost ledger is :func:`skyshield.engage.ledger.ledger_metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from ..catalog import THREAT_CLASSES
from ..geo import EARTH_RADIUS_M, Zone
from ..engage.ledger import ledger_metrics
from ..engage.roe import REASONS
from .battle import Engagements
from .explain import CAUSE_DOCS, CAUSES, cause_metrics, leaker_causes
from .opportunities import Opportunities, debris_points
from .params import ALLIED, DEFENDED, SHOOTER_KINDS, EngineParams
from .raid import Raid
from .redeploy import REDEPLOYMENT_METRIC_DOCS
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
        ("weapon", pa.string()),
        ("debris_lon_deg", pa.float64()),
        ("debris_lat_deg", pa.float64()),
        ("debris_zone", pa.string()),
    ]
)
"""One row per event: launch, detect (first in the defended picture), engage, kill, suppress
(lost to electronic warfare; ``shooter`` is the EW site), leak, hit. Engage rows name the
weapon; kill rows give the intercept point (``lon_deg``, ``lat_deg``, ``zone``) and where its
debris lands."""

METRIC_DOCS: dict[str, str] = {
    "launched": "threats launched",
    "destroyed": "threats destroyed by interceptors",
    "leaked": "threats that reached their aim area",
    "in_flight_at_end": "threats still flying when the scenario ended",
    "failed": "threats that failed at launch or in flight and fell short (catalog launch_failure), not in `destroyed`",
    "assets_hit": "leakers with a warhead that damaged the asset they reached",
    "assets_hit_distinct": "distinct assets damaged at least once",
    "population_at_damaged_assets": "people: population of the distinct assets damaged",
    "population_exposed": "people: population of the assets damaged less those who sheltered on warning "
    "(scenario civil_defence; the least-warned damaging hit of an asset sets its share)",
    "expected_damage_usd": "USD: expected damage to assets from the warhead leakers that reached them "
    "(value x (1 - prod(1 - p_damage x damage_fraction)))",
    "engagements_on_remote": "salvoes fired on another sensor's fire-control track before the shooter's own "
    "radar held the threat (engage-on-remote)",
    "interceptors_used": "interceptors (or gun bursts) fired",
    "interceptor_cost_usd": "cost of the interceptors fired",
    "threat_cost_destroyed_usd": "cost of the threats destroyed",
    "cost_exchange_ratio": "interceptor cost / cost of threats destroyed",
    "engagements": "salvoes fired",
    "allied_engagements": "salvoes fired by allied shooters",
    "engagements_denied_roe": "engagement opportunities ruled out by rules of engagement",
    "debris_on_allied_territory": "intercepts whose debris falls on allied territory",
    "debris_on_defended_assets": "intercepts whose debris falls inside a defended asset's area",
    "suppressed_ew": "threats that lost their way to electronic warfare (soft kills, not in `destroyed`)",
    "destroyed_or_suppressed": "destroyed plus suppressed (the Ukrainian Air Force's 'shot down or suppressed')",
    "wasted_interceptors": "interceptors fired at threats already destroyed or lost (double engagements, wrong kill assessments)",
    "double_engagements": "salvoes whose target was already gone when they arrived",
    "fighter_engagements": "salvoes (missiles or gun passes) fired by fighters",
    "value_protected_usd": "USD: expected damage avoided, i.e. the expected damage had every warhead threat "
    "aimed at an asset arrived, less the expected damage of those that did",
    "cost_per_value_protected": "interceptor cost per dollar of value protected",
    "magazine_used_fraction": "rounds fired over rounds available (first loads plus reloads)",
    "magazine_max_unit_used_fraction": "the most depleted unit's rounds fired over its rounds available",
    "detected_fraction": "share of threats in the defended country's picture before arrival",
    "early_warning_s": "mean warning time: arrival minus first detection in the defended picture",
    "early_warning_gain_s": "mean warning gained from allied data over the defended country's own sensors",
}


METRIC_DOCS.update({f"leaked_by_cause_{c.replace('-', '_')}": f"leakers: {d}" for c, d in CAUSE_DOCS.items()})
METRIC_DOCS.update({f"leaked_by_cause_denied_roe_{r.replace('-', '_')}": f"leakers denied by the ROE rule '{r}'"
                    for r in REASONS[1:]})


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
    lost = np.isfinite(eng.ew_t_lost_s) & ~killed if eng.ew_t_lost_s.size == n else np.zeros(n, bool)
    failed = raid.failed & ~killed & ~lost  # fell on the way (launch or in-flight failure)
    ends_in_time = arrival <= params.duration_s
    leaked = ~killed & ~lost & ~failed & ends_in_time
    in_flight = ~killed & ~lost & ~failed & ~ends_in_time
    hit = leaked & tt.warhead[raid.type_index] & (damage_u < tt.p_damage[raid.type_index])
    hit_assets = np.unique(raid.target[hit])
    t_def = pic.network_t[DEFENDED]
    seen = np.isfinite(t_def) & (t_def <= arrival)

    # Where intercepts happened (debris) and where leakers arrived.
    k_lon, k_lat = lonlat_at(params_seg := seg, eng.segment[k_e], eng.t_intercept_s[k_e]) if k_e.size else (np.zeros(0), np.zeros(0))
    k_zone = params.theatre.classify(k_lon, k_lat) if k_e.size else np.zeros(0, np.int8)
    if k_e.size:
        d_lon, d_lat = debris_points(seg, eng.segment[k_e], eng.t_intercept_s[k_e],
                                     tt.speed_mps[raid.type_index[eng.threat[k_e]]])
        d_zone = params.theatre.classify(d_lon, d_lat)
    else:
        d_lon, d_lat, d_zone = np.zeros(0), np.zeros(0), np.zeros(0, np.int8)
    aim = raid.waypoints[np.arange(n), raid.n_points - 1]

    cost = eng.cost_usd if eng.cost_usd.size == eng.shooter.size else eng.n_interceptors * sh.interceptor_cost_usd[eng.shooter]
    threat_cost_destroyed = float(tt.cost_usd[raid.type_index][killed].sum())
    warn = np.where(seen, arrival - t_def, 0.0)
    own = pic.own_t[DEFENDED]
    own_seen = np.isfinite(own) & (own <= arrival)
    gain = np.where(seen, np.where(own_seen, own, arrival) - t_def, 0.0)

    m: dict[str, float] = {
        "launched": float(n),
        "destroyed": float(killed.sum()),
        "leaked": float(leaked.sum()),
        "in_flight_at_end": float(in_flight.sum()),
        "failed": float(failed.sum()),
        "assets_hit": float(hit.sum()),
        "assets_hit_distinct": float(hit_assets.size),
        "population_at_damaged_assets": float(params.assets.population[hit_assets].sum()),
        "population_exposed": float((params.assets.population * exposed_share(params, raid, hit, warn)).sum()),
        "interceptors_used": float(eng.n_interceptors.sum()),
        "interceptor_cost_usd": float(cost.sum()),
        "threat_cost_destroyed_usd": threat_cost_destroyed,
        "cost_exchange_ratio": float(cost.sum() / threat_cost_destroyed) if threat_cost_destroyed > 0 else 0.0,
        "engagements": float(eng.shooter.size),
        "allied_engagements": float((sh.side[eng.shooter] == ALLIED).sum()),
        "engagements_denied_roe": float(opp.denied_roe),
        "debris_on_allied_territory": float((d_zone == Zone.ALLIED).sum()),
        "debris_on_defended_assets": float(_inside_assets(params, d_lon, d_lat).sum()),
        "suppressed_ew": float(lost.sum()),
        "destroyed_or_suppressed": float(killed.sum() + lost.sum()),
        "wasted_interceptors": float(eng.n_interceptors[eng.wasted].sum()) if eng.wasted.size else 0.0,
        "double_engagements": float(eng.wasted.sum()) if eng.wasted.size else 0.0,
        "fighter_engagements": float((sh.kind[eng.shooter] == SHOOTER_KINDS.index("fighter")).sum()),
        "engagements_on_remote": _on_remote(params, pic, eng),
        "detected_fraction": float(seen.mean()) if n else 0.0,
        "early_warning_s": float(warn.mean()) if n else 0.0,
        "early_warning_gain_s": float(gain.mean()) if n else 0.0,
    }
    m.update(pic.metrics)
    cause, rule = leaker_causes(params, raid, seg, pic, opp, eng, leaked)
    m.update(cause_metrics(cause, rule, cls))
    for r, why in enumerate(REASONS[1:]):
        by = opp.denied_by_reason
        m[f"engagements_denied_roe_{why.replace('-', '_')}"] = float(by[r]) if r < len(by) else 0.0
    for c, name in enumerate(THREAT_CLASSES):
        sel = cls == c
        if not sel.any():
            continue
        m[f"launched_{name}"] = float(sel.sum())
        m[f"destroyed_{name}"] = float((killed & sel).sum())
        m[f"leaked_{name}"] = float((leaked & sel).sum())
        m[f"suppressed_ew_{name}"] = float((lost & sel).sum())
        m[f"failed_{name}"] = float((failed & sel).sum())
    m.update(_by_nationality(params, raid, eng, killed, cls, cost))
    for kind in sorted(set(params.assets.kind)):
        rows = np.array([k == kind for k in params.assets.kind])
        m[f"assets_hit_{kind}"] = float(rows[raid.target[hit]].sum())
    # Cost ledger and expected damage.
    expected, avoided, by_asset = _expected_damage(params, raid, leaked, ends_in_time & ~raid.failed, per_asset=True)
    m["expected_damage_usd"] = expected
    m.update(_asset_metrics(params, raid, leaked, hit, warn, by_asset))
    weapon = eng.weapon if eng.weapon.size == eng.shooter.size else np.zeros(eng.shooter.size, np.int64)
    capacity = (sh.slot_rounds.sum(axis=1) * (1 + sh.reloads)).astype(float)
    m.update(ledger_metrics(sh.weapon_names, weapon, eng.n_interceptors, np.asarray(cost, float), eng.shooter,
                            capacity, threat_cost_destroyed, avoided))

    events = _events(params, raid, pic, eng, k_e, k_lon, k_lat, k_zone, leaked, hit, aim, arrival,
                     lost, d_lon, d_lat, d_zone)
    return Outcome(m, events)


def _by_nationality(params: EngineParams, raid: Raid, eng: Engagements, killed, cls, cost) -> dict[str, float]:
    """Kills, rounds and their cost by the shooter's nationality (and its kind: fighter, ship,
    sam, gun), for the nationalities named in the scenario: ``destroyed_<class>_by_<nat>``,
    ``destroyed_<class>_by_<nat>_<shooter>``, ``interceptors_by_<nat>``,
    ``interceptor_cost_usd_by_<nat>``."""
    sh = params.shooters
    nats = getattr(params, "nationalities", ())
    if not nats or sh.nationality.size == 0:
        return {}
    m: dict[str, float] = {}
    kill_row = np.flatnonzero(eng.killed)
    k_nat = sh.nationality[eng.shooter[kill_row]]
    k_kind = sh.kind[eng.shooter[kill_row]]
    k_cls = cls[eng.threat[kill_row]]
    e_nat = sh.nationality[eng.shooter]
    present = np.unique(cls)
    for n, nat in enumerate(nats):
        if not nat:
            continue
        key = nat.lower()
        mine = sh.nationality == n
        m[f"destroyed_by_{key}"] = float((k_nat == n).sum())
        m[f"interceptors_by_{key}"] = float(eng.n_interceptors[e_nat == n].sum())
        m[f"interceptor_cost_usd_by_{key}"] = float(np.asarray(cost, float)[e_nat == n].sum())
        for c in present:
            m[f"destroyed_{THREAT_CLASSES[c]}_by_{key}"] = float(((k_nat == n) & (k_cls == c)).sum())
            for kd in np.unique(sh.kind[mine]):
                m[f"destroyed_{THREAT_CLASSES[c]}_by_{key}_{SHOOTER_KINDS[kd]}"] = float(
                    ((k_nat == n) & (k_cls == c) & (k_kind == kd)).sum())
    return m


METRIC_DOCS.update({
    "destroyed_by_<nat>": "threats destroyed by shooters of one nationality (ISO 3166 alpha-3, lower case)",
    "destroyed_<class>_by_<nat>": "threats of a class destroyed by shooters of one nationality",
    "destroyed_<class>_by_<nat>_<shooter>": "the same, by that nationality's shooters of one kind (sam, gun, ship, fighter)",
    "interceptors_by_<nat>": "interceptors fired by shooters of one nationality",
    "interceptor_cost_usd_by_<nat>": "USD: cost of the interceptors fired by shooters of one nationality",
})


def exposed_share(params: EngineParams, raid: Raid, hit: NDArray[np.bool_], warn_s: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Share of each asset's people exposed to its damaging hits, after sheltering on warning.

    A hit after a warning :math:`W` leaves :math:`1 - f\min(1, W/T)` of the asset's people
    exposed (:math:`f` the shelter fraction, :math:`T` the time to shelter); an asset hit several
    times counts once, at its least-warned hit; an asset not hit exposes nobody.
    """
    share = np.zeros(params.assets.population.size)
    h = np.flatnonzero(hit)
    if h.size:
        s = 1.0 - params.shelter_fraction * np.minimum(1.0, warn_s[h] / params.time_to_shelter_s)
        np.maximum.at(share, raid.target[h], s)
    return share


def asset_key(asset_id: str) -> str:
    """An asset id as part of a metric name (``.`` and ``-`` read as ``_``)."""
    return asset_id.replace("-", "_").replace(".", "_")


ASSET_QUANTITIES = {
    "aimed": "threats aimed at it",
    "leaked": "threats that reached its aim area",
    "hits": "damaging hits on it",
    "expected_damage_usd": "USD: expected damage to it from its leakers",
    "population_exposed": "people exposed there after sheltering (0 unless damaged)",
}
"""Per-asset metrics ``asset_<id>_<quantity>``."""
METRIC_DOCS.update(REDEPLOYMENT_METRIC_DOCS)
METRIC_DOCS.update({f"asset_<id>_{q}": f"per asset (id with . and - as _): {d}" for q, d in ASSET_QUANTITIES.items()})


def _asset_metrics(params: EngineParams, raid: Raid, leaked, hit, warn_s, damage) -> dict[str, float]:
    a = params.assets
    n = len(a.ids)
    aimed = np.bincount(raid.target, minlength=n) if raid.size else np.zeros(n)
    lk = np.bincount(raid.target[leaked], minlength=n) if raid.size else np.zeros(n)
    hits = np.bincount(raid.target[hit], minlength=n) if raid.size else np.zeros(n)
    people = a.population * exposed_share(params, raid, hit, warn_s)
    m: dict[str, float] = {}
    for k, aid in enumerate(a.ids):
        key = asset_key(aid)
        for q, v in (("aimed", aimed), ("leaked", lk), ("hits", hits), ("expected_damage_usd", damage),
                     ("population_exposed", people)):
            m[f"asset_{key}_{q}"] = float(v[k])
    return m


def _expected_damage(params: EngineParams, raid: Raid, leaked, arrives, per_asset: bool = False):
    r"""Expected damage of the leakers, and the damage they would have done had none been stopped.

    Asset :math:`a` of value :math:`V_a` reached by warhead leakers :math:`i` loses in expectation
    :math:`V_a\,(1 - \prod_i (1 - p_i f_i))`, with :math:`p_i` the damage probability and
    :math:`f_i` the share of value one damaging hit destroys. The second figure uses every warhead
    threat aimed at the asset that would have arrived in time; the difference is the value the
    defence protected (never negative, and it falls with every extra leaker).
    """
    tt = params.threat_types
    a = params.assets
    if raid.size == 0:
        return (0.0, 0.0, np.zeros(a.value_usd.size)) if per_asset else (0.0, 0.0)
    q = tt.p_damage[raid.type_index] * tt.damage_fraction[raid.type_index] * tt.warhead[raid.type_index]
    log_keep = np.log1p(-np.minimum(q, 1.0 - 1e-12))
    n = a.value_usd.size
    kept_leaked = np.exp(np.bincount(raid.target, weights=np.where(leaked, log_keep, 0.0), minlength=n))
    kept_all = np.exp(np.bincount(raid.target, weights=np.where(arrives, log_keep, 0.0), minlength=n))
    damage = a.value_usd * (1.0 - kept_leaked)
    avoided = float((a.value_usd * (kept_leaked - kept_all)).sum())
    if per_asset:
        return float(damage.sum()), max(avoided, 0.0), damage
    return float(damage.sum()), max(avoided, 0.0)


def _on_remote(params: EngineParams, pic: Picture, eng: Engagements) -> float:
    """Salvoes fired before the shooter's own radar held the threat, by non-vectored shooters."""
    sh = params.shooters
    if eng.shooter.size == 0:
        return 0.0
    j = eng.shooter
    own = pic.sensor_time(sh.radar[j], eng.threat)
    vectored = (sh.kind[j] == SHOOTER_KINDS.index("fighter")) | (sh.mobile_reach_m[j] > 0)
    return float((~vectored & (eng.t_fire_s < own)).sum())


def _inside_assets(params: EngineParams, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether points fall inside any defended asset's aim area."""
    a = params.assets
    if lon.size == 0 or a.radius_m.size == 0:
        return np.zeros(lon.shape, bool)
    from ..geo import lonlat_to_unit

    u = lonlat_to_unit(lon, lat).reshape(-1, 3)
    c = lonlat_to_unit(a.lonlat[:, 0], a.lonlat[:, 1]).reshape(-1, 3)
    ang = np.arccos(np.clip(u @ c.T, -1.0, 1.0))
    return (ang * EARTH_RADIUS_M <= a.radius_m[None, :]).any(axis=1)


def _events(params, raid, pic, eng, k_e, k_lon, k_lat, k_zone, leaked, hit, aim, arrival,
            lost=None, d_lon=None, d_lat=None, d_zone=None) -> pa.Table:
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
    e_cost = eng.cost_usd if eng.cost_usd.size == eng.shooter.size else eng.n_interceptors * sh.interceptor_cost_usd[eng.shooter]
    w_names = np.array(sh.weapon_names + (None,), dtype=object)
    e_weapon = w_names[eng.weapon] if eng.weapon.size == eng.shooter.size else None
    sk = np.flatnonzero(lost) if lost is not None else np.zeros(0, np.int64)
    ew_ids = np.array(params.ew.ids if params.ew is not None else ("",), dtype=object)
    s_ids = ew_ids[eng.ew_site[sk]] if sk.size else None
    d_zn = zone_names[d_zone.astype(int)] if d_zone is not None and d_zone.size else None
    # kind, t, threat, shooter, interceptors, cost, lon, lat, zone, weapon, debris lon, lat, zone
    parts = [
        ("launch", raid.launch_s, np.arange(n), None, 0, 0.0, first[:, 0], first[:, 1], None, None, None, None, None),
        ("detect", t_def[det], det, None, 0, 0.0, None, None, None, None, None, None, None),
        ("engage", eng.t_fire_s, eng.threat, sh_ids[eng.shooter], eng.n_interceptors, e_cost,
         None, None, None, e_weapon, None, None, None),
        ("kill", eng.t_intercept_s[k_e], eng.threat[k_e], sh_ids[eng.shooter[k_e]], 0, 0.0, k_lon, k_lat,
         zone_names[k_zone.astype(int)] if k_e.size else None, None, d_lon, d_lat, d_zn),
        ("suppress", eng.ew_t_lost_s[sk] if sk.size else np.zeros(0), sk, s_ids, 0, 0.0,
         None, None, None, None, None, None, None),
        ("leak", arrival[lk], lk, None, 0, 0.0, aim[lk, 0], aim[lk, 1], None, None, None, None, None),
        ("hit", arrival[hk], hk, None, 0, 0.0, aim[hk, 0], aim[hk, 1], None, None, None, None, None),
    ]
    cols: dict[str, list] = {f.name: [] for f in EVENT_SCHEMA}
    for kind, t, thr, shooter, ni, c, lon, lat, zone, weapon, dlon, dlat, dzone in parts:
        size = len(thr)
        if size == 0:
            continue
        none = np.full(size, None, dtype=object)
        cols["t_s"].append(np.asarray(t, float))
        cols["kind"].append(np.full(size, kind, dtype=object))
        cols["threat"].append(np.asarray(thr, np.int32))
        cols["threat_type"].append(names[thr])
        cols["shooter"].append(shooter if shooter is not None else none)
        cols["interceptors"].append(np.broadcast_to(np.asarray(ni, np.int32), size))
        cols["cost_usd"].append(np.broadcast_to(np.asarray(c, float), size))
        cols["lon_deg"].append(np.asarray(lon, float) if lon is not None else np.full(size, np.nan))
        cols["lat_deg"].append(np.asarray(lat, float) if lat is not None else np.full(size, np.nan))
        cols["zone"].append(zone if zone is not None else none)
        cols["weapon"].append(weapon if weapon is not None else none)
        cols["debris_lon_deg"].append(np.asarray(dlon, float) if dlon is not None else np.full(size, np.nan))
        cols["debris_lat_deg"].append(np.asarray(dlat, float) if dlat is not None else np.full(size, np.nan))
        cols["debris_zone"].append(dzone if dzone is not None else none)
    if not cols["t_s"]:
        return EVENT_SCHEMA.empty_table()
    arrays = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((arrays["threat"], arrays["t_s"]))
    # Missing coordinates are nulls, not NaN: nulls compare equal and mean "not applicable".
    return pa.table(
        {k: pa.array(v[order], type=EVENT_SCHEMA.field(k).type, from_pandas=k.endswith(("lon_deg", "lat_deg")))
         for k, v in arrays.items()},
        schema=EVENT_SCHEMA,
    )

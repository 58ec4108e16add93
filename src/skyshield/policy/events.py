"""The policy event table of one replication: what clauses count and what moves the ladder.

Derived from the engine's events (kills, leaks, hits), the raid (aim assets, launch times)
and the flight paths (incursions into allied territory), plus the option's standing posture
(data sharing, over-the-horizon support, allied aircraft in the defended airspace) and the
draws of the replication (allied aircraft fired upon, outside events).

Each row is ``(t_s, kind, threat class, asset kind, rung, channel, actor, threat, detail,
action)``: ``rung >= 0`` marks an action on the escalation ladder (allied or adversary),
``channel`` names its RAND channel, ``action`` the kind of allied action it is (what, where,
against what: the adversary's response hazard is counted per kind,
:mod:`skyshield.policy.escalation`), and ``kind`` is what a clause trigger may count
(:data:`skyshield.policy.spec.TRIGGER_EVENTS`).

What moves the ladder (table in ``docs/escalation.md``):

- allied intercepts by the zone of the intercept point
  (:data:`~skyshield.policy.ladder.INTERCEPT_RUNG_BY_ZONE`): unmanned threats over allied soil
  or over a host nation that permits them rung 3, over the defended country (occupied part
  included), the sea, a neutral, another third country or disputed land rung 4, over adversary
  territory rung 6; the event names whose territory it was (a country code or a disputed area); a kill of a manned aircraft is rung 6 anywhere
  (deliberate: allies knowingly fire on an adversary crew), whether it is a raid threat of class
  ``aircraft`` or a launch platform of the aviation phase (a ``platform-kill`` row: bomber or
  glide-bomb carrier shot down before release); defensive intercepts are the
  inadvertent channel; debris of an intercept outside adversary territory falling on it is an
  allied accident (rung 4);
- adversary threats arriving in allied territory (leak or hit rows): *deliberate* (rung 8,
  retaliation on allied territory) when the threat was aimed at an asset in allied territory,
  a *stray* (rung 3, accidental) when it was aimed at the defended country and arrived across
  the border (dispersion, navigation error, spoofing);
- allied aircraft fired upon (rung 6, accidental channel) inside the envelopes of the adversary
  laydown, at the rates of :mod:`skyshield.policy.exposure`, each with the Pk of the envelope
  that fired.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..catalog import THREAT_CLASSES
from ..geo import Zone
from ..rng import Streams, keyed_uniform, name_key
from .compile import PolicyParams
from .exposure import (
    envelope_rates_per_h,
    expected_losses,
    fire_upon_times,
    station_exposure,
    station_intervals,
    which_envelope,
)
from .ladder import INTERCEPT_RUNG_BY_ZONE, RUNG

__all__ = ["PolicyEvent", "derive_events", "exposure_events", "incursion_times", "EXPOSURE_METRICS"]

EXPOSURE_METRICS = ("allied_aircraft_h", "exposure_weighted_h", "exposure_hazard", "exposure_h_in_sam_envelopes",
                    "exposure_h_in_fighter_envelopes", "exposure_expected_losses")


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
    action: str = ""  # allied actions: the kind the response hazard is counted by ("" = ``kind``)
    p_loss: float = -1.0  # allied-fired-upon: P(loss) of this engagement (< 0: ``p_loss_if_fired_upon``)


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


def _whose(territory: str, zone: str) -> str:
    """Where an intercept happened, in words: the territory and its zone (``JOR (host
    territory)``, ``the sea``)."""
    if zone == "sea" or territory == "sea":
        return "the sea"
    return f"{territory} ({zone} territory)" if territory else f"{zone} territory"


def _force_id(unit_id: str) -> str:
    return unit_id.split("#", 1)[0]


def _dist_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    from ..geo import great_circle_distance_m

    return np.asarray(great_circle_distance_m(lon1, lat1, lon2, lat2), dtype=float)


def derive_events(
    params, pol: PolicyParams, raid, seg, events: pa.Table, streams: Streams
) -> tuple[list[PolicyEvent], dict[str, float]]:
    """Every policy event of one replication, unsorted (the phase orders them), and the exposure metrics."""
    out: list[PolicyEvent] = []
    tt = params.threat_types
    esc = pol.escalation
    cls_names = np.array(THREAT_CLASSES, dtype=object)[tt.cls[raid.type_index]] if raid.size else np.zeros(0, object)
    asset_kind = np.array(params.assets.kind, dtype=object)
    aimed_kind = asset_kind[raid.target] if raid.size else np.zeros(0, object)

    def add(**kw) -> None:
        out.append(PolicyEvent(seq=len(out), **kw))

    # Standing posture of the option.
    if pol.sharing_level >= 1:
        add(t_s=0.0, kind="posture", rung=RUNG["intelligence"], actor="allied", action="posture:intelligence",
            detail="allied early-warning and track data shared with the defended country")
    if pol.over_the_horizon is not None:
        oth = pol.over_the_horizon
        rung = RUNG["targeting-support"] if oth.mode == "isr" else RUNG["strikes-on-adversary"]
        add(t_s=0.0, kind="posture", rung=rung, channel="deliberate", actor="allied",
            action=f"posture:over-the-horizon-{oth.mode}",
            detail=f"over-the-horizon {oth.mode}: allied support to strikes on adversary launch capacity")
    if pol.exposed_ids:
        units = sorted(set(pol.exposed_ids))
        add(t_s=0.0, kind="posture", rung=RUNG["allied-aircraft-over-defended"], channel="inadvertent",
            actor="allied", action="posture:aircraft-over-defended",
            detail=f"{len(pol.exposed_ids)} allied aircraft units operating in the defended airspace ({', '.join(units)})")

    # Strikes: every threat aimed at an asset (its launch), reaching it (leak) or damaging it (hit).
    outcomes = {c.trigger.outcome for c in pol.clauses if c.trigger.event == "strike"}
    for i in range(raid.size if "aimed" in outcomes else 0):
        add(t_s=float(raid.launch_s[i]), kind="strike:aimed", threat_class=cls_names[i],
            asset_kind=aimed_kind[i], threat=i)
    kind_col = events.column("kind").to_numpy(zero_copy_only=False)
    t_col = events.column("t_s").to_numpy()
    thr_col = events.column("threat").to_numpy(zero_copy_only=False)
    lon = events.column("lon_deg").to_numpy(zero_copy_only=False).astype(float)
    lat = events.column("lat_deg").to_numpy(zero_copy_only=False).astype(float)
    for ev in ("leak", "hit"):
        for r in np.flatnonzero(kind_col == ev):
            i = int(thr_col[r])
            if ("leaked" if ev == "leak" else "hit") in outcomes:
                add(t_s=float(t_col[r]), kind=f"strike:{'leaked' if ev == 'leak' else 'hit'}",
                    threat_class=cls_names[i], asset_kind=aimed_kind[i], threat=i)
            if ev == "hit" and aimed_kind[i] == "corridor":
                add(t_s=float(t_col[r]), kind="corridor-strike", threat_class=cls_names[i],
                    asset_kind="corridor", threat=i)

    # Adversary threats arriving in allied territory: strikes on it (aimed there) or strays.
    arr = np.flatnonzero(np.isin(kind_col, ("leak", "hit")))
    if arr.size:
        ok = np.isfinite(lon[arr]) & np.isfinite(lat[arr])
        arr = arr[ok]
        in_allied = params.theatre.classify(lon[arr], lat[arr]) == Zone.ALLIED
        a_ll = params.assets.lonlat
        asset_allied = params.theatre.classify(a_ll[:, 0], a_ll[:, 1]) == Zone.ALLIED if a_ll.size else np.zeros(0, bool)
        seen: set[int] = set()
        for r in arr[in_allied][np.argsort(t_col[arr[in_allied]], kind="stable")]:
            j = int(thr_col[r])
            if j in seen:
                continue
            seen.add(j)
            name = params.assets.ids[raid.target[j]]
            if asset_allied[raid.target[j]]:
                add(t_s=float(t_col[r]), kind="strike-on-allied", threat_class=cls_names[j], asset_kind=aimed_kind[j],
                    rung=RUNG["retaliation-on-allied"], channel="deliberate", actor="adversary", threat=j,
                    lon_deg=float(lon[r]), lat_deg=float(lat[r]),
                    detail=f"{tt.names[raid.type_index[j]]} aimed at {name} struck allied territory")
            else:
                add(t_s=float(t_col[r]), kind="stray-on-allied", threat_class=cls_names[j], asset_kind=aimed_kind[j],
                    rung=RUNG["intercepts-over-allied"], channel="accidental", actor="adversary", threat=j,
                    lon_deg=float(lon[r]), lat_deg=float(lat[r]),
                    detail=f"{tt.names[raid.type_index[j]]} aimed at {name} strayed into allied territory")

    # Incursions into allied territory.
    t_inc = incursion_times(params, seg, raid.size)
    for i in np.flatnonzero(np.isfinite(t_inc)):
        add(t_s=float(t_inc[i]), kind="incursion", threat_class=cls_names[i], threat=int(i),
            detail=f"{tt.names[raid.type_index[i]]} crossed into allied territory")

    # Kills: allied intercepts move the ladder by what and where; debris on allied soil is counted.
    kills = np.flatnonzero(kind_col == "kill")
    if kills.size:
        shooters = events.column("shooter").to_pylist()
        zones = events.column("zone").to_pylist()
        whose = dict(zip(kills.tolist(), params.theatre.territory(lon[kills], lat[kills]).tolist()))
        dz = events.column("debris_zone").to_pylist() if "debris_zone" in events.column_names else zones
        for r in kills:
            i = int(thr_col[r])
            t = float(t_col[r])
            if dz[r] == "allied":
                add(t_s=t, kind="debris-on-allied", threat_class=cls_names[i], threat=i)
            fid = _force_id(shooters[r] or "")
            if fid not in pol.allied_forces:
                continue
            zone = zones[r] or "other"
            if cls_names[i] == "aircraft":
                add(t_s=t, kind="allied-intercept", threat_class="aircraft", rung=RUNG["direct-engagement"],
                    channel="deliberate", actor="allied", threat=i, action=f"intercept:manned:{zone}",
                    lon_deg=float(lon[r]), lat_deg=float(lat[r]),
                    detail=f"{shooters[r]} shot down an adversary aircraft over {_whose(whose[r], zone)}")
                continue
            add(t_s=t, kind="allied-intercept", threat_class=cls_names[i],
                rung=INTERCEPT_RUNG_BY_ZONE.get(zone, RUNG["intercepts-over-defended"]), channel="inadvertent",
                actor="allied", threat=i, action=f"intercept:unmanned:{zone}",
                lon_deg=float(lon[r]), lat_deg=float(lat[r]),
                detail=f"{shooters[r]} intercepted a {cls_names[i]} over {_whose(whose[r], zone)}")
            if dz[r] == "adversary" and zone != "adversary":
                add(t_s=t, kind="allied-accident", threat_class=cls_names[i], rung=RUNG["intercepts-over-defended"],
                    channel="accidental", actor="allied", threat=i, action="debris-on-adversary",
                    detail=f"debris of {shooters[r]}'s intercept over {zone} territory fell on adversary territory")

    # Launch platforms shot down (engine/aviation.py ``platform-kill`` rows: bombers, glide-bomb
    # carriers; not raid threats, so never also a ``kill`` row): by an allied shooter, a crewed
    # adversary aircraft shot down, rung 6 like any manned kill (deliberate), of the same action kind.
    pk_rows = np.flatnonzero(kind_col == "platform-kill")
    if pk_rows.size:
        p_shooter = events.column("shooter").to_pylist()
        p_zone = events.column("zone").to_pylist()
        p_type = events.column("threat_type").to_pylist()
        p_whose = params.theatre.territory(lon[pk_rows], lat[pk_rows]).tolist()
        for r, who in zip(pk_rows.tolist(), p_whose):
            if _force_id(p_shooter[r] or "") not in pol.allied_forces:
                continue
            zone = p_zone[r] or "other"
            add(t_s=float(t_col[r]), kind="allied-intercept", threat_class="aircraft", rung=RUNG["direct-engagement"],
                channel="deliberate", actor="allied", action=f"intercept:manned:{zone}",
                lon_deg=float(lon[r]), lat_deg=float(lat[r]),
                detail=f"{p_shooter[r]} shot down an adversary {p_type[r]} (launch platform) over {_whose(who, zone)}")

    # Tripwires: a warhead leaker within the lethal radius, or debris with casualties.
    if pol.tripwire_ids:
        u_trip = streams.key("escalation/tripwire")
        hits = np.flatnonzero(kind_col == "hit")
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

    # Outside events (chemical or nuclear use ...), drawn with their probability per night.
    if esc.exogenous:
        g = streams.generator("policy/exogenous")
        for name in sorted(esc.exogenous):
            u, t = g.random(), g.uniform(0.0, params.duration_s)
            if u < esc.exogenous[name]:
                add(t_s=float(t), kind=f"exogenous:{name}", detail=f"outside event: {name}")
    fired, expo = exposure_events(params, pol, streams, start_seq=len(out))
    return out + fired, expo


def exposure_events(params, pol: PolicyParams, streams: Streams, start_seq: int = 0) -> tuple[list[PolicyEvent], dict[str, float]]:
    """Allied aircraft fired upon at the geometric exposure of every station, and the exposure metrics.

    The last events of :func:`derive_events` (numbered from ``start_seq``); apart so that a
    sensitivity sweep can redraw them under other rates without re-deriving the rest.
    """
    esc = pol.escalation
    out: list[PolicyEvent] = []
    expo = dict.fromkeys(EXPOSURE_METRICS, 0.0)
    if not pol.stations:
        return out, expo
    k_exp = streams.key("escalation/exposure")
    mult = pol.ladder.multiplier(esc.tension_gain)
    lay = pol.laydown
    for st in pol.stations:
        iv = station_intervals(params, st)
        hours = sum(t1 - t0 for t0, t1 in iv) / 3600.0
        expo["allied_aircraft_h"] += hours
        if lay is None or not lay.envelopes or hours <= 0.0:
            continue
        sx = station_exposure(st, lay, float(esc.envelope_scale), float(esc.allied_airspace_factor))
        if not sx.envelope:
            continue
        rates = envelope_rates_per_h(sx, esc, mult)
        h = float(rates.sum()) * hours
        sam = np.array([lay.envelopes[k].kind == "sam" for k in sx.envelope])
        expo["exposure_weighted_h"] += float(np.sum(sx.rate_factor * sx.share_inside)) * sx.airspace * hours
        expo["exposure_h_in_sam_envelopes"] += float(np.sum(sx.share_inside[sam])) * hours
        expo["exposure_h_in_fighter_envelopes"] += float(np.sum(sx.share_inside[~sam])) * hours
        expo["exposure_hazard"] += h
        expo["exposure_expected_losses"] += expected_losses(sx, hours, esc, mult)
        times = fire_upon_times(k_exp, st, h, iv)
        for t, j in zip(times, which_envelope(k_exp, st, rates, len(times))):
            e = lay.envelopes[sx.envelope[j]]
            out.append(PolicyEvent(
                t_s=t, seq=start_seq + len(out), kind="allied-fired-upon", rung=RUNG["direct-engagement"],
                channel="accidental", actor="adversary", p_loss=float(sx.pk[j]),
                detail=f"allied {st.kind} {st.force_id} fired upon by {e.system} ({e.region}; "
                f"{sx.share_inside[j]:.0%} of its orbit inside that envelope, "
                f"station {st.dist_m / 1e3:.0f} km from adversary-held territory)"))
    return out, expo

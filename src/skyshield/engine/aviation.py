r"""Adversary aviation: launch platforms that release munitions, engaged where ROE allows.

A scenario's ``aviation`` section (:class:`skyshield.scenario.model.Aviation`) adds launch
platforms to the night: bombers launching cruise missiles from launch areas (Tu-95MS with
Kh-101) and tactical aircraft releasing glide bombs near the front (Su-34 with UMPK/KAB-class
bombs), and adversary fighter patrols that screen them. A scenario without the section flies
exactly as before (its raid, its streams and its hash are untouched).

**Flight.** Each platform takes off from a uniform point of one of its group's base areas at a
uniform time of the group's window, picks its aim asset by weight, and flies a great circle
toward the asset's centre at its catalog speed and altitude. Its release point is on that
line, ``release_range`` short of the centre (default: the munition's catalog range, the
farthest stand-off the munition allows); a platform already that close releases at take-off.
Its munitions then fly from the release point to their own aim points (uniform in the inner
half of the asset's aim area) as ordinary threats of the night (:mod:`skyshield.engine.raid`),
sensed, engaged and assessed like any other.

**The stand-off rule** (the adversary keeps out of threatened airspace). The adversary knows
every force of the option (its posture is published, SAM sites are found by ISR) except those
the scenario lists in ``unknown_to_adversary`` (a SAM moved forward in secret). Point
:math:`x` is *threatened* by shooter :math:`j` if

.. math::

    d(x, j) < R_j, \quad \text{ROE}_j \text{ allows an intercept over } x, \quad
    h_{\min,j} \le h \le h_{\max,j}, \quad x \notin \text{keep-out}_j, \quad
    (j \text{ fighter}) \Rightarrow x \notin \text{adversary fighter cover},

with :math:`R_j` the shooter's reach against aircraft (a fighter's commit or combat radius),
:math:`h` the platform's altitude and the keep-out that of the option's stand-off rule
(:mod:`skyshield.engage.standoff`). A platform whose path from take-off to release comes
within :math:`R_j + m` (``standoff_margin`` :math:`m`) of a *known* shooter at a point that
shooter's ROE lets it fire over **aborts**: it releases nothing and is never engaged. The
adversary reads the ROE: airspace a shooter may not fire into is not threatened by it.

**Engagement.** Each shooter that threatens a point of a flying platform's path (known or not;
a known one cannot, by the rule) fires one salvo at it when it first reaches such a point,
if it is on station then (``avail_from_s``..``avail_to_s``) and holds rounds; the salvo kills
with :math:`1 - (1 - p_k)^n` (class ``aircraft`` envelope). A platform killed before its
release point launches none of its munitions; one that survives an engagement presses on
(notional). Path points are tested every :data:`STEP_M`.

**Randomness.** Platforms draw from ``aviation/<group id>`` (the same stream for every
option); kill draws are counter-based, keyed by ``aviation/<group id>/engagement``, the
shooter's name and the platform's index. Munitions are appended to the raid after the raid
groups' threats, so those keep their rows (and their dice). Munitions of platforms that fly
keep their launch point, time and aim across options; their rows, and so their engagement and
damage dice, shift when an earlier platform's munitions are withheld (the paired difference
stays unbiased, with more noise).

**Escalation.** Every platform shot down is a ``platform-kill`` row of the night's events
(:func:`platform_kill_events`: the time of the killing salvo, the shooter, the platform type
and where it was, on its leg at its speed), which the escalate phase reads: an allied kill of
a crewed platform is direct engagement (:mod:`skyshield.policy.events`).

**Not modelled** (documented limits): salvoes at platforms do not draw on the magazines used
against the night's missiles; the return
leg after release is not engaged; adversary SAM cover of the platforms is the exposure model's
(:mod:`skyshield.policy.exposure`), not this one's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from ..catalog import THREAT_CLASSES
from ..engage.roe import roe_allows
from ..geo import (
    EARTH_RADIUS_M,
    destination_point,
    great_circle_distance_m,
    initial_bearing_deg,
    lonlat_to_unit,
)
from ..rng import Streams, keyed_uniform, name_key
from .params import ALLIED, SHOOTER_KINDS, EngineParams
from .raid import Raid

__all__ = [
    "AVIATION_METRIC_DOCS",
    "STEP_M",
    "AircraftPlan",
    "AviationParams",
    "Sortie",
    "compile_aviation",
    "fly",
    "launch",
    "platform_kill_events",
]

STEP_M = 5000.0
"""Spacing of the path points tested against envelopes (m)."""
AIR = THREAT_CLASSES.index("aircraft")

F = NDArray[np.float64]
I = NDArray[np.int64]
B = NDArray[np.bool_]

AVIATION_METRIC_DOCS: dict[str, str] = {
    "launch_platforms": "adversary launch platforms (bombers, glide-bomb carriers) that took off",
    "launch_platforms_aborted": "launch platforms that aborted under the stand-off rule: their path entered a "
    "known engagement envelope plus the margin (they release nothing)",
    "launch_platforms_destroyed": "launch platforms shot down before their release point (their munitions are "
    "not launched)",
    "launch_platforms_destroyed_by_allied": "launch platforms shot down by allied shooters",
    "launch_platform_engagements": "salvoes fired at launch platforms",
    "launch_platform_interceptors": "interceptors fired at launch platforms (not drawn from the night's magazines)",
    "munitions_withheld": "munitions not launched because their platform aborted or was shot down",
    "glide_bombs_launched": "glide bombs released by the platforms that reached their release point",
    "glide_bombs_leaked": "glide bombs that reached their aim area",
    "air_launched_missiles_launched": "cruise missiles launched by bombers that reached their release point",
}
"""Metrics of the aviation phase (units in :mod:`skyshield.analysis.metricdocs`)."""


@dataclass(frozen=True)
class AircraftPlan:
    """One aviation group, ready to fly."""

    id: str
    glide: bool  # role glide-bomb (else missile-carrier)
    count: int
    base_lonlat: F  # (L, 2) base area centres
    base_radius_m: F  # (L,)
    window_s: tuple[float, float]
    target_index: I  # (T,) asset rows
    target_weight: F  # (T,) normalised
    munition: int  # row in ThreatTypes
    per_platform: int
    release_m: float
    speed_mps: float
    alt_m: float
    platform: str = ""  # catalog name of the platform type (events name it)


@dataclass(frozen=True)
class AviationParams:
    groups: tuple[AircraftPlan, ...]
    fighter_lonlat: F  # (S, 2) adversary fighter stations
    fighter_radius_m: F  # (S,)
    margin_m: float
    known: B  # (J,) shooter rows whose positions the adversary knows


def compile_aviation(sc, catalog, t_names: list[str], shooters) -> AviationParams | None:
    """The scenario's aviation section as arrays (``None`` without one)."""
    av = sc.aviation
    if av is None:
        return None
    areas = {a.id: a for a in sc.launch_areas}
    row = {a.id: i for i, a in enumerate(sc.assets)}
    groups = []
    for g in av.groups:
        p, mu = catalog.threats[g.platform], catalog.threats[g.munition]
        w = np.array(list(g.targets.values()), dtype=float)
        groups.append(AircraftPlan(
            id=g.id, glide=g.role == "glide-bomb", count=g.count,
            base_lonlat=np.array([areas[b].lonlat for b in g.bases], dtype=float).reshape(-1, 2),
            base_radius_m=np.array([areas[b].radius for b in g.bases], dtype=float),
            window_s=(float(g.launch_window[0]), float(g.launch_window[1])),
            target_index=np.array([row[t] for t in g.targets], dtype=np.int64), target_weight=w / w.sum(),
            munition=t_names.index(g.munition), per_platform=g.munitions_per_platform,
            release_m=float(g.release_range) if g.release_range is not None else float(mu.range.value),
            speed_mps=float(p.speed.value), alt_m=float(p.altitude.value), platform=g.platform,
        ))
    unknown = set(av.unknown_to_adversary)
    return AviationParams(
        groups=tuple(groups),
        fighter_lonlat=np.array([s.lonlat for s in av.fighters], dtype=float).reshape(-1, 2),
        fighter_radius_m=np.array([s.radius for s in av.fighters], dtype=float),
        margin_m=float(av.standoff_margin),
        known=np.array([f not in unknown for f in shooters.force], dtype=bool),
    )


@dataclass(frozen=True)
class Sortie:
    """What the platforms of one replication did (rows: platforms of every group, in order)."""

    group: I  # (P,) aviation group index
    origin: F  # (P, 2) take-off point
    t_takeoff_s: F  # (P,)
    target: I  # (P,) asset row
    release: F  # (P, 2) release point
    t_release_s: F  # (P,)
    aborted: B  # (P,) stand-off rule
    destroyed: B  # (P,) shot down before release
    killer: I  # (P,) shooter row, -1
    min_margin_m: F  # (P,) least distance beyond a known threatening envelope along the path (inf: none)
    eng_platform: I  # (E,) salvoes at platforms
    eng_shooter: I  # (E,)
    eng_t_s: F  # (E,)
    eng_n: I  # (E,) interceptors
    eng_killed: B  # (E,)
    aim: F  # (P, M, 2) munition aim points (NaN beyond the group's per_platform)
    fail_frac: F  # (P, M) munition failure point (NaN: none)

    @property
    def launches(self) -> B:
        return ~self.aborted & ~self.destroyed


def _leg_points(origin: F, release: F) -> tuple[F, F, F]:
    """Points every :data:`STEP_M` along each origin -> release leg: lon, lat ``(P, K)`` and
    the distance flown ``(P, K)`` (NaN past the leg's end)."""
    length = great_circle_distance_m(origin[:, 0], origin[:, 1], release[:, 0], release[:, 1])
    length = np.atleast_1d(np.asarray(length, dtype=float))
    k = int(np.ceil(length.max(initial=0.0) / STEP_M)) + 1
    frac = np.linspace(0.0, 1.0, max(k, 2))
    n_pts = np.ceil(length / STEP_M).astype(np.int64) + 1
    s = np.where(np.arange(frac.size)[None, :] < n_pts[:, None],
                 np.minimum(np.arange(frac.size)[None, :] * STEP_M, length[:, None]), np.nan)
    s[np.arange(s.shape[0]), n_pts - 1] = length  # the release point itself is tested
    brg = initial_bearing_deg(origin[:, 0], origin[:, 1], release[:, 0], release[:, 1])
    lon, lat = destination_point(origin[:, 0:1], origin[:, 1:2], np.asarray(brg)[:, None], np.nan_to_num(s))
    return np.where(np.isnan(s), np.nan, lon), np.where(np.isnan(s), np.nan, lat), s


def _threat_mask(params: EngineParams, av: AviationParams, lon: F, lat: F, alt_m: float) -> tuple[F, B]:
    """Distance ``(J, Q)`` from each shooter to each point and whether the shooter may fire
    over it at a platform at ``alt_m`` (ROE, altitude band, stand-off keep-out, fighter screen)."""
    from ..engage.standoff import inside_keepout

    sh = params.shooters
    d = EARTH_RADIUS_M * np.arccos(np.clip(sh.unit @ lonlat_to_unit(lon, lat).reshape(-1, 3).T, -1.0, 1.0))
    zone = params.theatre.classify(lon, lat)
    ok, _ = roe_allows(sh.roe[:, None], sh.zone[:, None], zone[None, :], zone[None, :], False, False)
    ok &= ((sh.min_alt_m[:, AIR] <= alt_m) & (alt_m <= sh.max_alt_m[:, AIR]) & (sh.pk[:, AIR] > 0))[:, None]
    for r, rule in enumerate(params.standoffs):
        rows = sh.standoff == r
        if rows.any():
            ok[rows] &= ~inside_keepout(params.theatre, rule, lon, lat)[None, :]
    if av.fighter_radius_m.size:
        screen = (great_circle_distance_m(lon[:, None], lat[:, None], av.fighter_lonlat[None, :, 0],
                                          av.fighter_lonlat[None, :, 1]) < av.fighter_radius_m[None, :]).any(axis=1)
        fighter = sh.kind == SHOOTER_KINDS.index("fighter")
        ok[fighter] &= ~screen[None, :]
    return d, ok


def _fly_group(params: EngineParams, av: AviationParams, gi: int, g: AircraftPlan, streams: Streams):
    rng = streams.generator(f"aviation/{g.id}")
    n, m = g.count, g.per_platform
    a = params.assets
    area = rng.integers(0, len(g.base_radius_m), n)
    dist = g.base_radius_m[area] * np.sqrt(rng.random(n))
    lon0, lat0 = destination_point(g.base_lonlat[area, 0], g.base_lonlat[area, 1], rng.uniform(0.0, 360.0, n), dist)
    origin = np.stack([np.atleast_1d(lon0), np.atleast_1d(lat0)], axis=-1).reshape(n, 2)
    t0 = rng.uniform(g.window_s[0], g.window_s[1], n)
    tgt = g.target_index[rng.choice(len(g.target_index), size=n, p=g.target_weight)]
    r_aim = 0.5 * a.radius_m[tgt][:, None] * np.sqrt(rng.random((n, m)))
    alon, alat = destination_point(a.lonlat[tgt, 0][:, None], a.lonlat[tgt, 1][:, None],
                                   rng.uniform(0.0, 360.0, (n, m)), r_aim)
    aim = np.stack([alon, alat], axis=-1).reshape(n, m, 2)
    p_fail = params.threat_types.launch_failure[g.munition] if params.threat_types.launch_failure.size else 0.0
    fail = np.full((n, m), np.nan)
    if p_fail > 0:
        frng = streams.generator(f"aviation/{g.id}/failure")
        u, where = frng.random((n, m)), frng.uniform(0.0, 0.8, (n, m))
        fail = np.where(u < p_fail, where, np.nan)
    centre = a.lonlat[tgt]
    d_oc = np.atleast_1d(great_circle_distance_m(origin[:, 0], origin[:, 1], centre[:, 0], centre[:, 1]))
    back = np.atleast_1d(initial_bearing_deg(centre[:, 0], centre[:, 1], origin[:, 0], origin[:, 1]))
    rlon, rlat = destination_point(centre[:, 0], centre[:, 1], back, np.minimum(g.release_m, d_oc))
    release = np.where((d_oc <= g.release_m)[:, None], origin,
                       np.stack([np.atleast_1d(rlon), np.atleast_1d(rlat)], axis=-1).reshape(n, 2))
    t_rel = t0 + np.maximum(d_oc - g.release_m, 0.0) / g.speed_mps
    # The path and who threatens it.
    lon, lat, s = _leg_points(origin, release)
    valid = ~np.isnan(s)
    q = np.flatnonzero(valid.ravel())
    d, ok = _threat_mask(params, av, lon.ravel()[q], lat.ravel()[q], g.alt_m)
    reach = params.shooters.max_range_m[:, AIR][:, None]
    owner = np.repeat(np.arange(n), valid.sum(axis=1))
    known = av.known[:, None] & ok
    slack = np.where(known, d - reach, np.inf)  # distance beyond a known envelope (negative: inside)
    min_slack = np.full(n, np.inf)
    if slack.size:
        np.minimum.at(min_slack, owner, slack.min(axis=0))
    aborted = min_slack < av.margin_m
    # Engagements of the platforms that fly: each shooter's first point in reach, in time order.
    sh = params.shooters
    t_pt = t0[owner] + s.ravel()[q] / g.speed_mps
    rounds = (sh.slot_rounds * (sh.slot_pk[:, :, AIR] > 0)).sum(axis=1) if sh.slot_rounds.size else sh.inventory
    can = ok & (d < reach) & (sh.avail_from_s[:, None] <= t_pt[None, :]) & (t_pt[None, :] <= sh.avail_to_s[:, None])
    can &= (rounds > 0)[:, None] & ~aborted[owner][None, :]
    jj, qq = np.nonzero(can)
    t_first = np.full((n, len(sh.ids)), np.inf)
    np.minimum.at(t_first, (owner[qq], jj), t_pt[qq])
    p_idx, j_idx = np.nonzero(np.isfinite(t_first))
    order = np.lexsort((j_idx, p_idx, t_first[p_idx, j_idx]))  # by time, then platform, then shooter
    p_idx, j_idx = p_idx[order], j_idx[order]
    u = keyed_uniform(streams.key(f"aviation/{g.id}/engagement"),
                      np.array([name_key(sh.ids[j]) for j in j_idx.tolist()], dtype=np.int64), p_idx)
    salvo = sh.salvo[j_idx, AIR]
    hit = u < 1.0 - (1.0 - sh.pk[j_idx, AIR]) ** salvo
    destroyed = np.zeros(n, bool)
    killer = np.full(n, -1, np.int64)
    fired = np.zeros(p_idx.size, bool)
    for k, p in enumerate(p_idx.tolist()):  # salvoes at a platform stop at its first kill
        if destroyed[p]:
            continue
        fired[k] = True
        if hit[k]:
            destroyed[p], killer[p] = True, j_idx[k]
    e_p, e_j, e_t, e_n, e_k = (p_idx[fired], j_idx[fired], t_first[p_idx, j_idx][fired], salvo[fired].astype(np.int64),
                               hit[fired])
    return {"group": np.full(n, gi, np.int64), "origin": origin, "t_takeoff_s": t0, "target": tgt,
            "release": release, "t_release_s": t_rel, "aborted": aborted, "destroyed": destroyed, "killer": killer,
            "min_margin_m": min_slack, "eng_platform": e_p.astype(np.int64), "eng_shooter": e_j.astype(np.int64),
            "eng_t_s": e_t.astype(float), "eng_n": e_n, "eng_killed": e_k.astype(bool), "aim": aim,
            "fail_frac": fail}


def fly(params: EngineParams, streams: Streams) -> Sortie:
    """Fly every aviation group of ``params`` for one replication (see the module docstring)."""
    av = cast(AviationParams, params.aviation)
    parts = [_fly_group(params, av, gi, g, streams) for gi, g in enumerate(av.groups)]
    width = max((g.per_platform for g in av.groups), default=1)
    off = np.cumsum(np.array([0] + [g.count for g in av.groups], dtype=np.int64))
    out = {}
    for k in parts[0] if parts else ():
        if k in ("aim", "fail_frac"):
            pad = [np.concatenate([p[k], np.full((p[k].shape[0], width - p[k].shape[1], *p[k].shape[2:]), np.nan)],
                                  axis=1) for p in parts]
            out[k] = np.concatenate(pad)
        elif k == "eng_platform":
            out[k] = np.concatenate([p[k] + off[i] for i, p in enumerate(parts)])
        else:
            out[k] = np.concatenate([p[k] for p in parts])
    return Sortie(**out)


def launch(params: EngineParams, raid: Raid, streams: Streams) -> tuple[Raid, Sortie | None]:
    """The night's raid with the munitions of the platforms that reached their release point
    appended (after every raid-group threat), and the sortie; ``raid`` unchanged without an
    aviation section."""
    if params.aviation is None:
        return raid, None
    sortie = fly(params, streams)
    av = cast(AviationParams, params.aviation)
    per = np.array([g.per_platform for g in av.groups], dtype=np.int64)[sortie.group]
    slot = np.arange(sortie.aim.shape[1])[None, :] < per[:, None]
    p, k = np.nonzero(slot & sortie.launches[:, None])
    if p.size == 0:
        return raid, sortie
    width = raid.waypoints.shape[1]
    pts = np.full((p.size, width, 2), np.nan)
    pts[:, 0] = sortie.release[p]
    pts[:, 1] = sortie.aim[p, k]
    mun = np.array([g.munition for g in av.groups], dtype=np.int64)[sortie.group[p]]
    fail = raid.fail_frac if raid.fail_frac.size == raid.size else np.full(raid.size, np.nan)
    return Raid(
        type_index=np.concatenate([raid.type_index, mun]),
        group=np.concatenate([raid.group, len(params.raid) + sortie.group[p]]),
        launch_s=np.concatenate([raid.launch_s, sortie.t_release_s[p]]),
        target=np.concatenate([raid.target, sortie.target[p]]),
        waypoints=np.concatenate([raid.waypoints, pts]),
        n_points=np.concatenate([raid.n_points, np.full(p.size, 2, np.int64)]),
        fail_frac=np.concatenate([fail, sortie.fail_frac[p, k]]),
    ), sortie


def aviation_metrics(params: EngineParams, raid: Raid, sortie: Sortie, events) -> dict[str, float]:
    """:data:`AVIATION_METRIC_DOCS` of one replication; ``events`` is the night's event table."""
    av = cast(AviationParams, params.aviation)
    sh = params.shooters
    per = np.array([g.per_platform for g in av.groups], dtype=np.int64)[sortie.group]
    glide_g = np.array([g.glide for g in av.groups], dtype=np.bool_)
    n0 = raid.size - int((per * sortie.launches).sum())
    mine = raid.group[n0:] - len(params.raid)
    glide_row = np.zeros(raid.size, bool)
    glide_row[n0:] = glide_g[mine]
    kind = np.asarray(events.column("kind").to_pylist(), dtype=object)
    thr = np.asarray(events.column("threat").to_pylist(), dtype=object)
    leaked = {int(t) for kd, t in zip(kind, thr) if kd == "leak" and t is not None}
    rows = np.flatnonzero(glide_row)
    by = sortie.killer[sortie.destroyed]
    allied = int((sh.side[by] == ALLIED).sum()) if by.size else 0
    return {
        "launch_platforms": float(sortie.group.size),
        "launch_platforms_aborted": float(sortie.aborted.sum()),
        "launch_platforms_destroyed": float(sortie.destroyed.sum()),
        "launch_platforms_destroyed_by_allied": float(allied),
        "launch_platform_engagements": float(sortie.eng_platform.size),
        "launch_platform_interceptors": float(sortie.eng_n.sum()),
        "munitions_withheld": float((per * ~sortie.launches).sum()),
        "glide_bombs_launched": float(rows.size),
        "glide_bombs_leaked": float(sum(1 for r in rows.tolist() if r in leaked)),
        "air_launched_missiles_launched": float((raid.size - n0) - rows.size),
    }


def platform_kill_events(params: EngineParams, sortie: Sortie):
    """One ``platform-kill`` event row (:data:`skyshield.engine.assess.EVENT_SCHEMA`) per platform
    shot down: the killing salvo's time and shooter, the platform type (``threat_type``; no raid
    row, ``threat`` null) and its position then on its take-off -> release leg, with the zone."""
    import pyarrow as pa

    from ..geo import Zone
    from .assess import EVENT_SCHEMA

    k = np.flatnonzero(sortie.eng_killed)
    if k.size == 0:
        return EVENT_SCHEMA.empty_table()
    av = cast(AviationParams, params.aviation)
    p = sortie.eng_platform[k]
    t = sortie.eng_t_s[k]
    o, r = sortie.origin[p], sortie.release[p]
    speed = np.array([g.speed_mps for g in av.groups], dtype=float)[sortie.group[p]]
    leg = np.atleast_1d(great_circle_distance_m(o[:, 0], o[:, 1], r[:, 0], r[:, 1]))
    flown = np.clip((t - sortie.t_takeoff_s[p]) * speed, 0.0, leg)
    brg = initial_bearing_deg(o[:, 0], o[:, 1], r[:, 0], r[:, 1])
    lon, lat = destination_point(o[:, 0], o[:, 1], brg, flown)
    lon, lat = np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float))
    names = np.array([z.name.lower() for z in Zone], dtype=object)
    zone = names[np.asarray(params.theatre.classify(lon, lat)).astype(int)]
    n = k.size
    cols = {
        "t_s": pa.array(t, pa.float64()), "kind": pa.array(["platform-kill"] * n, pa.string()),
        "threat": pa.nulls(n, pa.int32()),
        "threat_type": pa.array([av.groups[int(g)].platform or av.groups[int(g)].id for g in sortie.group[p]], pa.string()),
        "shooter": pa.array([params.shooters.ids[int(j)] for j in sortie.eng_shooter[k]], pa.string()),
        "interceptors": pa.array(sortie.eng_n[k], pa.int32()), "cost_usd": pa.array(np.zeros(n), pa.float64()),
        "lon_deg": pa.array(lon, pa.float64()), "lat_deg": pa.array(lat, pa.float64()),
        "zone": pa.array(zone.tolist(), pa.string()),
    }
    return pa.table({f.name: cols.get(f.name, pa.nulls(n, f.type)) for f in EVENT_SCHEMA}, schema=EVENT_SCHEMA)

"""Scenario + catalog + option -> :class:`EngineParams` (frozen arrays, SI units)."""

from __future__ import annotations

import numpy as np

from ..catalog import THREAT_CLASSES, Catalog
from ..documents import ScenarioError
from ..documents.errors import Problem
from ..engage.fighters import cap_schedule
from ..engage.standoff import StandOffRule, check_sites
from ..geo import Theatre, destination_point, great_circle_distance_m, lonlat_to_unit
from ..options import ResolvedOption
from ..policy.compile import build_policy
from ..rng import name_key
from ..scenario import theatre_of as build_theatre
from ..scenario.model import FighterPosture, Force, Scenario
from .aviation import compile_aviation
from .params import (
    FC_QUALITY_KINDS,
    ALLIED,
    DEFENDED,
    ASSIGNMENTS,
    ROE_CODES,
    SHOOTER_KINDS,
    DoctrineParams,
    EwSites,
    SENSOR_KINDS,
    Assets,
    EngineParams,
    SensorModels,
    RaidGroupPlan,
    Sensors,
    Shooters,
    ThreatTypes,
)

__all__ = ["compile_scenario", "build_theatre", "nationality_of", "host_permits"]


def _unit_sites(f: Force) -> list[tuple[str, float, float]]:
    """Expand ``count`` identical units at one site into (id, lon, lat) rows.

    Several units of a kind at one site are spread evenly on a ring whose radius grows with
    their number (2.5 km per unit, at most 25 km): a screen of mobile fire groups around a
    city rather than twenty trucks on one spot.
    """
    lon, lat = f.lonlat
    if f.count == 1:
        return [(f.id, lon, lat)]
    radius_m = min(2500.0 * f.count, 25000.0)
    bearings = np.arange(f.count) * (360.0 / f.count)
    lons, lats = destination_point(np.full(f.count, lon), np.full(f.count, lat), bearings, radius_m)
    return [(f"{f.id}#{k + 1}", float(x), float(y)) for k, (x, y) in enumerate(zip(lons, lats))]


def compile_scenario(sc: Scenario, catalog: Catalog, option: ResolvedOption, adversary: str = "fixed") -> EngineParams:
    """Compile a validated scenario for one option.

    Forces of package ``own`` are always present; others only when the option brings their
    package. Allied shooters take the ROE of the option part that brought them. Movable units
    of the defended country are placed by the redeployment allocation
    (:mod:`skyshield.engine.redeploy`) given the option's allied cover. Under
    ``adversary="adaptive"`` the raid is adapted to the option's published posture
    (:mod:`skyshield.engine.adversary`); ``fixed`` flies the scenario's raid.
    """
    from .adversary import adapt_params

    params = _compile(sc, catalog, option)
    if any(f.movable is not None for f in sc.forces):
        params = _redeploy(sc, catalog, option, params)
    return adapt_params(params, adversary)


def _placed(sc: Scenario, moves) -> Scenario:
    """``sc`` with the movable units at the places of ``moves``."""
    where = {m.force_id: m.lonlat for m in moves}
    forces = tuple(f.model_copy(update={"lonlat": where[f.id]}) if f.id in where else f for f in sc.forces)
    return sc.model_copy(update={"forces": forces})


def _redeploy(sc: Scenario, catalog: Catalog, option: ResolvedOption, params: EngineParams) -> EngineParams:
    """The option's laydown of the movable units freed by its allied cover, and the reference
    night flown with every unit at home (:mod:`skyshield.engine.redeploy`)."""
    from dataclasses import replace

    from .redeploy import Move, Redeployment, allocate, cover_layers, undefended_damage_usd

    sh = params.shooters
    movable = [f for f in sc.forces if f.movable is not None]
    rows = np.array([sh.ids.index(f.id) for f in movable], dtype=np.int64)
    fixed = np.setdiff1d(np.arange(len(sh.ids)), rows)
    cov, depth = cover_layers(params, rows=fixed)
    allied = sh.side[fixed] == ALLIED
    base = (cov * depth[:, None]).sum(axis=0)
    allied_covered = cov[allied].any(axis=0) if allied.any() else np.zeros(len(sc.assets), bool)
    a_row = {a.id: i for i, a in enumerate(sc.assets)}
    sites, covers, u_depth, freed = [], [], [], []
    for f, j in zip(movable, rows):
        names = ["home"] + list(f.movable.candidates)
        ll = np.array([f.lonlat] + [sc.assets[a_row[c]].lonlat for c in f.movable.candidates], dtype=float)
        c, d = cover_layers(params, lonlat=ll, rows=np.full(len(names), j))
        free = bool(c[0].any()) and bool(allied_covered[c[0]].all())  # every asset it guards at home is allied-covered
        sites.append((names, ll))
        covers.append(c if free else c[:1])
        u_depth.append(d[0])
        freed.append(free)
    weight = undefended_damage_usd(params)
    u_depth = np.array(u_depth)
    choice, value = allocate(weight, base, u_depth, covers)
    _, home_value = allocate(weight, base, u_depth, [c[:1] for c in covers])

    def moves(ch):
        return tuple(Move(f.id, sites[u][0][k], (float(sites[u][1][k][0]), float(sites[u][1][k][1])))
                     for u, (f, k) in enumerate(zip(movable, ch)))

    home = np.zeros(len(movable), np.int64)
    moved = (choice != 0).any()
    flown = _compile(_placed(sc, moves(choice)), catalog, option) if moved else params
    red = Redeployment(moves=moves(choice), reference_moves=moves(home), reference=params if moved else None,
                       allied_covered=allied_covered, objective_usd=value, reference_objective_usd=home_value,
                       freed=tuple(f.id for f, fr in zip(movable, freed) if fr))
    return replace(flown, scenario_hash=sc.content_hash, redeployment=red)


def _compile(sc: Scenario, catalog: Catalog, option: ResolvedOption) -> EngineParams:
    """:func:`compile_scenario` with every unit at its own site."""
    roe_by_pkg = dict(option.roe_by_package)
    active = [f for f in sc.forces if f.package == "own" or f.package in roe_by_pkg]
    # Transferred aircraft are the defended country's in every respect: its network, its
    # coordination group, its rules of engagement, its magazines.
    transferred = {p for t in option.transfer for p in t.packages}

    def side_of(f: Force) -> int:
        return DEFENDED if f.side == "defended" or f.package in transferred else ALLIED

    # Threat types used by the raid, in first-use order.
    t_names: list[str] = []
    for g in sc.raid.groups:
        if g.type not in t_names:
            t_names.append(g.type)
    for a in sc.aviation.groups if sc.aviation is not None else ():  # munitions of launch platforms
        if a.munition not in t_names:
            t_names.append(a.munition)
    tt = [catalog.threats[n] for n in t_names]
    threat_types = ThreatTypes(
        names=tuple(t_names),
        cls=np.array([THREAT_CLASSES.index(t.threat_class) for t in tt], dtype=np.int64),
        ballistic=np.array([t.profile == "ballistic" for t in tt]),
        speed_mps=np.array([t.speed.value for t in tt]),
        alt_m=np.array([t.altitude.value for t in tt]),
        rcs_m2=np.array([t.rcs.value for t in tt]),
        cost_usd=np.array([t.cost.value for t in tt]),
        warhead=np.array([t.warhead for t in tt]),
        p_damage=np.array([t.damage_probability.value for t in tt]),
        damage_fraction=np.array([t.damage_fraction.value for t in tt]),
        keplerian=np.array([t.profile == "ballistic" and t.trajectory is not None for t in tt], dtype=bool),
        beta_kg_m2=np.array([t.trajectory.ballistic_coefficient.value if t.trajectory else np.inf for t in tt]),
        launch_failure=np.array([t.launch_failure.value if t.launch_failure else 0.0 for t in tt]),
        manoeuvre_pk=np.array([t.manoeuvre.pk_factor.value if t.manoeuvre else 1.0 for t in tt]),
        manoeuvre_below_m=np.array([t.manoeuvre.below.value if t.manoeuvre else 0.0 for t in tt]),
    )

    s_rows: list[tuple[str, int, float, float, str]] = []  # id, side, lon, lat, sensor type
    j_rows: list[tuple[str, Force, float, float]] = []
    e_rows: list[tuple[str, Force, float, float]] = []  # electronic warfare (soft kill)
    bases = {b.id: b.lonlat for b in sc.air_bases}
    for f in active:
        side = side_of(f)
        for uid, lon, lat in _unit_sites(f):
            if f.type in catalog.sensors:
                s_rows.append((uid, side, lon, lat, f.type))
            elif catalog.shooters[f.type].kind == "ew":
                e_rows.append((uid, f, lon, lat))
            else:
                j_rows.append((uid, f, lon, lat))
    # Each shooter's own radar joins the sensor table after the surveillance sensors; a QRA
    # pair's radar is on the ground until it scrambles, so it is left out (it fights on the
    # network picture, vectored by ground control).
    radar_row = []
    for uid, f, lon, lat in j_rows:
        if f.fighter is not None and f.fighter.posture == "qra":
            radar_row.append(-1)
            continue
        radar_row.append(len(s_rows))
        s_rows.append((f"{uid}/radar", side_of(f), lon, lat, catalog.shooters[f.type].radar))

    st = [catalog.sensors[r[4]] for r in s_rows]
    s_lon = np.array([r[2] for r in s_rows])
    s_lat = np.array([r[3] for r in s_rows])
    sensors = Sensors(
        ids=tuple(r[0] for r in s_rows),
        unit=lonlat_to_unit(s_lon, s_lat).reshape(-1, 3),
        side=np.array([r[1] for r in s_rows], dtype=np.int64),
        height_m=np.array([s.height.value for s in st]),
        ref_range_m=np.array([s.reference_range.value for s in st]),
        revisit_s=np.array([s.revisit.value for s in st]),
        pd_scan=np.array([s.pd_scan.value for s in st]),
        key=np.array([name_key(r[0]) for r in s_rows], dtype=np.int64),
        fc_quality=np.array([s.kind in FC_QUALITY_KINDS for s in st], dtype=bool),
    )

    C = len(THREAT_CLASSES)
    J = len(j_rows)
    env = {k: np.zeros((J, C)) for k in ("max_range", "min_range", "max_alt", "min_alt", "pk", "reserve")}
    salvo = np.zeros((J, C), dtype=np.int64)
    for j, (_, f, _, _) in enumerate(j_rows):
        for cls, e in catalog.shooters[f.type].envelopes.items():
            c = THREAT_CLASSES.index(cls)
            env["max_range"][j, c] = e.max_range
            env["min_range"][j, c] = e.min_range
            env["max_alt"][j, c] = e.max_altitude
            env["min_alt"][j, c] = e.min_altitude
            env["pk"][j, c] = e.pk
            env["reserve"][j, c] = e.reserve
            salvo[j, c] = e.salvo
    shooter_types = [catalog.shooters[f.type] for _, f, _, _ in j_rows]
    theatre = build_theatre(sc)
    nationalities = sorted({nationality_of(sc, r[1]) for r in j_rows})
    extra = _shooter_extras(j_rows, shooter_types, env, sc, bases, theatre)
    rules, extra["standoff"] = _standoffs(option, active, j_rows, bases, theatre)
    if sc.doctrine.firing == "shoot-shoot":  # two rounds (or salvoes) before the first look
        salvo = np.where(salvo > 0, np.maximum(salvo, 2), 0)
    j_lonlat = np.array([[r[2], r[3]] for r in j_rows]).reshape(-1, 2)
    shooters = Shooters(
        ids=tuple(r[0] for r in j_rows),
        type_names=tuple(r[1].type for r in j_rows),
        unit=lonlat_to_unit(j_lonlat[:, 0], j_lonlat[:, 1]).reshape(-1, 3),
        lonlat=j_lonlat,
        side=np.array([side_of(r[1]) for r in j_rows], dtype=np.int64),
        roe=np.array(
            [ROE_CODES["none"] if side_of(r[1]) == DEFENDED
             else ROE_CODES[roe_by_pkg.get(r[1].package, "over-allied-territory")]
             for r in j_rows],
            dtype=np.int64,
        ),
        radar=np.array(radar_row, dtype=np.int64),
        interceptor_cost_usd=np.array([s.interceptor_cost.value for s in shooter_types]),
        interceptor_speed_mps=extra.pop("transit_mps"),
        inventory=np.array(
            [r[1].inventory if r[1].inventory is not None else s.inventory.value
             for r, s in zip(j_rows, shooter_types)],
            dtype=np.int64,
        ),
        reaction_s=extra.pop("reaction_s"),
        fire_channels=np.array([s.fire_channels for s in shooter_types], dtype=np.int64),
        max_range_m=env["max_range"],
        min_range_m=env["min_range"],
        max_alt_m=env["max_alt"],
        min_alt_m=env["min_alt"],
        pk=env["pk"],
        salvo=salvo,
        reserve=env["reserve"],
        force=tuple(r[1].id for r in j_rows),
        nationality=np.array([nationalities.index(nationality_of(sc, r[1])) for r in j_rows], dtype=np.int64),
        **extra,
    )

    assets = Assets(
        ids=tuple(a.id for a in sc.assets),
        kind=tuple(a.kind for a in sc.assets),
        lonlat=np.array([a.lonlat for a in sc.assets]),
        radius_m=np.array([a.radius for a in sc.assets]),
        population=np.array([a.population for a in sc.assets], dtype=np.int64),
        value_usd=np.array([a.value for a in sc.assets]),
    )
    asset_row = {a.id: i for i, a in enumerate(sc.assets)}
    areas = {a.id: a for a in sc.launch_areas}
    raid = []
    for g in sc.raid.groups:
        w = np.array(list(g.targets.values()), dtype=float)
        raid.append(
            RaidGroupPlan(
                id=g.id,
                type_index=t_names.index(g.type),
                count=g.count,
                launch_lonlat=np.array([areas[a].lonlat for a in g.launch_areas]),
                launch_radius_m=np.array([areas[a].radius for a in g.launch_areas]),
                window_s=(float(g.launch_window[0]), float(g.launch_window[1])),
                target_index=np.array([asset_row[t] for t in g.targets], dtype=np.int64),
                target_weight=w / w.sum(),
                routes=tuple(np.array(r, dtype=float).reshape(-1, 2) for r in g.via),
                dispersion_m=float(g.dispersion),
            )
        )
    return EngineParams(
        scenario_id=sc.id,
        scenario_hash=sc.content_hash,
        option=option.name,
        duration_s=float(sc.duration),
        decision_interval_s=float(sc.decision_interval),
        threat_types=threat_types,
        sensors=sensors,
        shooters=shooters,
        assets=assets,
        raid=tuple(raid),
        theatre=theatre,
        sharing_level=option.sharing_level,
        sharing_latency_s=option.sharing_latency_s,
        link_update_s=option.link_update_s,
        link_outage_fraction=option.link_outage_fraction,
        link_outage_s=option.link_outage_s,
        link_jamming_loss=option.link_jamming_loss,
        sensor_models=_sensor_models(st),
        ew=_ew_sites(e_rows, catalog),
        doctrine=DoctrineParams(
            shoot_shoot=sc.doctrine.firing == "shoot-shoot",
            kill_assessment=float(sc.doctrine.kill_assessment),
            look_s=float(sc.doctrine.look_time),
            independent=sc.doctrine.coordination == "independent",
            assignment=ASSIGNMENTS.index(sc.doctrine.assignment),
            w_threat_value=float(sc.doctrine.priority_threat_value),
            w_time_to_go=float(sc.doctrine.priority_time_to_go),
            w_asset_value=float(sc.doctrine.priority_asset_value),
        ),
        policy=build_policy(sc, catalog, option, theatre),
        shelter_fraction=float(sc.civil_defence.shelter_fraction) if sc.civil_defence else 0.0,
        time_to_shelter_s=float(sc.civil_defence.time_to_shelter) if sc.civil_defence else 600.0,
        ballistic_levels_m=_ballistic_levels(env),
        nationalities=tuple(nationalities),
        host_permits=host_permits(sc, nationalities),
        standoffs=rules,
        aviation=compile_aviation(sc, catalog, t_names, shooters),
    )


def _standoffs(option: ResolvedOption, active: list[Force], j_rows, bases, theatre: Theatre):
    """The option's stand-off rules and each shooter row's rule (-1 for none).

    Refuses (:class:`~skyshield.documents.ScenarioError`) a force of a stand-off package whose
    site, or fighter base, lies inside the keep-out (:mod:`skyshield.engage.standoff`).
    """
    by_pkg = dict(option.standoff)
    rules: list[StandOffRule] = []
    row_of: dict[str, int] = {}
    for pkg, spec in option.standoff:
        rule = StandOffRule(float(spec.distance), tuple(spec.areas))
        if rule not in rules:
            rules.append(rule)
        row_of[pkg] = rules.index(rule)
    problems = []
    for f in active:
        if f.package not in by_pkg:
            continue
        rule = rules[row_of[f.package]]
        sites = [(f"force {f.id!r} (package {f.package})", f.lonlat[0], f.lonlat[1])]
        if f.fighter is not None and f.fighter.base:
            lon, lat = bases.get(f.fighter.base, f.lonlat)
            sites.append((f"base {f.fighter.base!r} of force {f.id!r}", lon, lat))
        problems += [Problem(f"--options {option.name}", None, (), msg, f.id) for msg in check_sites(theatre, rule, sites)]
    if problems:
        raise ScenarioError(problems)
    idx = np.array([row_of.get(f.package, -1) for _, f, _, _ in j_rows], dtype=np.int64)
    return tuple(rules), idx


def _ballistic_levels(env: dict) -> np.ndarray:
    """Altitude bounds of every envelope against ballistic threats: where a ballistic flight is
    cut, so that a piece is inside or outside each envelope's altitude band as a whole."""
    c = THREAT_CLASSES.index("ballistic")
    on = env["pk"][:, c] > 0 if env["pk"].size else np.zeros(0, bool)
    return np.unique(np.r_[env["min_alt"][on, c], env["max_alt"][on, c]])


def nationality_of(sc: Scenario, f: Force) -> str:
    """A force's nationality: its own, else the defended country's for defended forces, else
    ``""`` (an allied force of unspecified nationality)."""
    if f.nationality is not None:
        return f.nationality
    return sc.theatre.defended if f.side == "defended" else ""


def host_permits(sc: Scenario, nationalities: list[str]) -> np.ndarray:
    """``(H, K)``: whether host nation ``h`` (in the scenario's order) lets nationality ``k``
    intercept over it; a host always permits its own forces, ``all`` permits every one."""
    hosts = list(sc.theatre.hosts.items())
    out = np.zeros((len(hosts), len(nationalities)), bool)
    for h, (code, host) in enumerate(hosts):
        for k, nat in enumerate(nationalities):
            out[h, k] = host.permits == "all" or nat == code or nat in host.permits
    return out


def _shooter_extras(j_rows, shooter_types, env, sc: Scenario, bases, theatre: Theatre) -> dict:
    """Kinds, availability, reloads, load-out slots and fighter timelines of the shooter rows.

    Fighters: transit at dash speed from their station (CAP) or base (QRA); a QRA pair's
    reaction adds its alert state; its envelope reaches the combat radius. Ground and naval
    shooters fire their single interceptor, reload from their reserve if they have one.
    """
    J = len(j_rows)
    C = len(THREAT_CLASSES)
    S = max([max(len(t.loadout), 1) for t in shooter_types], default=1)
    weapons: list[str] = []
    out = {
        "kind": np.zeros(J, np.int64), "avail_from_s": np.zeros(J), "avail_to_s": np.full(J, float(sc.duration)),
        "endurance_s": np.full(J, np.inf), "reload_s": np.full(J, np.inf), "reloads": np.zeros(J, np.int64),
        "returns_to_station": np.zeros(J, bool), "qra": np.zeros(J, bool), "slot_weapon": np.full((J, S), -1, np.int64),
        "slot_rounds": np.zeros((J, S), np.int64), "slot_cost_usd": np.zeros((J, S)),
        "slot_pk": np.zeros((J, S, C)), "transit_mps": np.zeros(J), "reaction_s": np.zeros(J),
        "engage_on_remote": np.zeros(J, bool), "mobile_reach_m": np.zeros(J),
        "warn_launch": np.zeros(J, bool), "warn_delay_s": np.zeros(J), "warn_span_s": np.zeros(J),
    }

    def weapon(name: str) -> int:
        if name not in weapons:
            weapons.append(name)
        return weapons.index(name)

    for j, ((_, f, lon, lat), t) in enumerate(zip(j_rows, shooter_types)):  # noqa: B007
        out["kind"][j] = SHOOTER_KINDS.index(t.kind)
        out["transit_mps"][j] = t.interceptor_speed.value
        out["reaction_s"][j] = t.reaction_time.value if f.reaction_time is None else float(f.reaction_time)
        out["engage_on_remote"][j] = (f.engage_on_remote if f.engage_on_remote is not None
                                      else t.engage_on_remote is not None)
        if t.mobility is not None:  # cued by the network, it drives toward the threat's path
            out["transit_mps"][j] = t.mobility.speed.value
            out["mobile_reach_m"][j] = t.mobility.max_distance.value
            out["returns_to_station"][j] = True
        engaged = env["pk"][j] > 0
        if t.reload_time is not None and t.reloads is not None:
            out["reload_s"][j] = t.reload_time.value
            out["reloads"][j] = t.reloads.value
        if t.loadout:
            for k, w in enumerate(t.loadout):
                out["slot_weapon"][j, k] = weapon(w.interceptor)
                out["slot_rounds"][j, k] = w.rounds
                out["slot_cost_usd"][j, k] = w.cost.value
                for cls, pk in w.pk.items():
                    c = THREAT_CLASSES.index(cls)
                    out["slot_pk"][j, k, c] = pk if engaged[c] else 0.0
        else:
            out["slot_weapon"][j, 0] = weapon(t.interceptor)
            out["slot_rounds"][j, 0] = f.inventory if f.inventory is not None else t.inventory.value
            out["slot_cost_usd"][j, 0] = t.interceptor_cost.value
            out["slot_pk"][j, 0] = env["pk"][j]
        if f.inventory is not None and t.loadout:  # an override scales the whole load-out
            total = max(int(out["slot_rounds"][j].sum()), 1)
            out["slot_rounds"][j] = np.floor(out["slot_rounds"][j] * f.inventory / total).astype(np.int64)
        if t.kind != "fighter" or t.aircraft is None:
            continue
        a = t.aircraft
        posture = f.fighter or FighterPosture(posture="cap", sorties=1)
        out["transit_mps"][j] = a.dash_speed.value
        out["returns_to_station"][j] = True
        base = bases.get(posture.base, (lon, lat)) if posture.base else (lon, lat)
        transit_s = float(great_circle_distance_m(base[0], base[1], lon, lat)) / a.dash_speed.value
        if f.fighter is None:  # no posture given: on station all along, as a static shooter
            continue
        on_warning = posture.posture == "cap" and posture.launch == "on-warning"
        sch = cap_schedule(posture.posture, float(sc.duration), 0.0 if on_warning else float(posture.on_station),
                           a.time_on_station.value, a.tanker_extension.value, posture.tanker,
                           posture.sorties, posture.relief_on_station, a.turnaround.value, transit_s)
        if on_warning:  # timed at run time from the first warning (engage.fighters.launch_on_warning)
            span = cap_schedule("cap", np.inf, 0.0, a.time_on_station.value, a.tanker_extension.value,
                                posture.tanker, posture.sorties, posture.relief_on_station, a.turnaround.value,
                                transit_s).available_to_s
            out["warn_launch"][j] = True
            out["warn_delay_s"][j] = float(posture.alert) + transit_s
            out["warn_span_s"][j] = span
        out["avail_from_s"][j] = sch.available_from_s
        out["avail_to_s"][j] = sch.available_to_s
        out["endurance_s"][j] = sch.endurance_s
        out["reload_s"][j] = sch.reload_s
        out["reloads"][j] = sch.reloads
        if posture.posture == "qra":
            out["reaction_s"][j] += float(posture.alert)
            out["qra"][j] = True
            for c in np.flatnonzero(engaged):
                env["max_range"][j, c] = a.combat_radius.value
        else:
            reach = a.commit_radius.value if a.commit_radius is not None else np.inf
            for c in np.flatnonzero(engaged):
                env["max_range"][j, c] = min(max(env["max_range"][j, c], reach), a.combat_radius.value)
    lonlat = np.array([[r[2], r[3]] for r in j_rows]).reshape(-1, 2)
    out["zone"] = theatre.classify(lonlat[:, 0], lonlat[:, 1]).astype(np.int64)
    out["weapon_names"] = tuple(weapons)
    return out


def _ew_sites(e_rows, catalog: Catalog) -> EwSites | None:
    """Electronic-warfare rows: radius and soft-kill probability per threat class."""
    if not e_rows:
        return None
    C = len(THREAT_CLASSES)
    radius = np.zeros((len(e_rows), C))
    p_soft = np.zeros((len(e_rows), C))
    for k, (_, f, _, _) in enumerate(e_rows):
        for cls, e in catalog.shooters[f.type].envelopes.items():
            radius[k, THREAT_CLASSES.index(cls)] = e.max_range
            p_soft[k, THREAT_CLASSES.index(cls)] = e.pk
    lonlat = np.array([[r[2], r[3]] for r in e_rows])
    return EwSites(
        ids=tuple(r[0] for r in e_rows),
        unit=lonlat_to_unit(lonlat[:, 0], lonlat[:, 1]).reshape(-1, 3),
        side=np.array([DEFENDED if r[1].side == "defended" else ALLIED for r in e_rows], dtype=np.int64),  # EW is never transferred
        radius_m=radius,
        p_soft=p_soft,
        key=np.array([name_key(r[0]) for r in e_rows], dtype=np.int64),
    )


def _sensor_models(st: list) -> SensorModels:
    """Measurement models of the sensor rows; notional defaults where a type gives none."""

    def col(name: str, default: float) -> np.ndarray:
        return np.array([getattr(s, name).value if getattr(s, name) is not None else default
                         for s in st], dtype=float)

    return SensorModels(
        kind=np.array([SENSOR_KINDS.index(s.kind) for s in st], dtype=np.int64),
        range_sigma_m=col("range_sigma", 100.0),
        az_sigma_rad=col("azimuth_sigma", np.radians(0.3)),
        el_sigma_rad=col("elevation_sigma", np.radians(0.5)),
        swerling=np.array([s.swerling for s in st], dtype=np.int64),
        pfa=col("false_alarm_probability", 1e-6),
        false_alarms_per_scan=col("false_alarms_per_scan", 0.5),
        orbit_radius_m=col("orbit_radius", 0.0),
        orbit_period_s=col("orbit_period", 1800.0),
    )

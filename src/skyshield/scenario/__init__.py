"""Scenarios: validated, versioned, content-hashed descriptions of a theatre and a raid.

>>> sc = load_scenario("eastern-flank-night-raid-v1")
>>> sc.id
'eastern-flank-night-raid-v1'
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..catalog import Catalog, load_catalog
from ..documents import ScenarioError, validate_document
from ..documents.errors import Loc, Problem, Where, did_you_mean, line_for, relocate
from ..geo import BUILTIN_OCCUPIED_2025, Zone, great_circle_distance_m
from ..geo import DisputedArea as DisputedArea_
from ..geo import Theatre as Theatre_
from .extends import ScenarioDocument, read_scenario_document
from .model import (
    DATA_SHARING_TIERS,
    ROE_KINDS,
    Asset,
    Force,
    LaunchArea,
    OptionSpec,
    Raid,
    RaidGroup,
    Scenario,
    Theatre,
)

__all__ = [
    "DATA_SHARING_TIERS",
    "ROE_KINDS",
    "Asset",
    "Force",
    "LaunchArea",
    "OptionSpec",
    "Raid",
    "RaidGroup",
    "Scenario",
    "ScenarioError",
    "Theatre",
    "builtin_scenarios",
    "ScenarioDocument",
    "load_scenario",
    "load_scenario_inputs",
    "parse_scenario",
    "read_scenario_document",
    "theatre_of",
]


def theatre_of(sc: Scenario) -> Theatre_:
    """The scenario's political geography (zones for ROE, debris, validation)."""
    t = sc.theatre
    if t.occupied == "builtin-2025":
        occ = BUILTIN_OCCUPIED_2025
    elif t.occupied == "none":
        occ = None
    else:
        occ = tuple(tuple(p) for p in t.occupied)
    control = {"none": Zone.DISPUTED, "defended": Zone.DEFENDED, "allied": Zone.ALLIED,
               "adversary": Zone.ADVERSARY, "occupied": Zone.OCCUPIED, "neutral": Zone.NEUTRAL}
    disputed = tuple(
        DisputedArea_(d.id, country=d.country, at=d.at, polygon=d.polygon, control=control[d.control])
        for d in t.disputed
    )
    return Theatre_(defended=t.defended, allied=tuple(t.allied), adversary=tuple(t.adversary),
                    neutral=tuple(t.neutral), occupied=occ, bbox=tuple(t.bbox), hosts=tuple(t.hosts),
                    disputed=disputed)


def builtin_scenarios() -> dict[str, str]:
    """Built-in scenario ids (with their version suffix) and their titles."""
    from ..documents import builtin_titles

    return builtin_titles(__package__)


def load_scenario(ref: str | Path, catalog: Catalog | None = None) -> Scenario:
    """Load a built-in scenario by id, or a user's scenario file by path (``extends:`` resolved).

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, the line and the field.
    """
    return load_scenario_inputs(ref, catalog)[0]


def load_scenario_inputs(ref: str | Path, catalog: Catalog | None = None) -> tuple[Scenario, tuple[dict, ...]]:
    """:func:`load_scenario`, and the input files it read (the scenario, then every base it
    extends), each with its SHA-256 and, for a base, the content hash of the validated base."""
    catalog = catalog or load_catalog()
    doc = read_scenario_document(ref)
    sc = parse_scenario(doc.data, doc.lines, doc.source, catalog, where=doc.where, renames=doc.renames)
    inputs = list(doc.inputs)
    if len(inputs) > 1:  # each base is a scenario of its own: record what it validates to
        base = load_scenario_inputs(_base_ref(doc.inputs[1]), catalog)[0]
        inputs[1] = {**inputs[1], "content_hash": base.content_hash, "id": base.id}
    return sc, tuple(inputs)


def _base_ref(record: dict) -> str:
    ref = str(record["ref"])
    return ref[len("<built-in>/"):-len(".yaml")] if ref.startswith("<built-in>/") else ref


def parse_scenario(data: object, lines: dict[Loc, int], source: str, catalog: Catalog,
                   where: Where | None = None, renames: dict[Loc, Loc] | None = None) -> Scenario:
    """Validate a parsed document as a scenario and check its references against the catalog.

    ``where`` (file and line of every field, for a document merged from a patch and its
    bases) makes every problem point at the file its field came from.
    """
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, 1, (), "a scenario file must be a mapping of fields")])
    try:
        sc = validate_document(Scenario, data, lines, source)
        problems = _check_references(sc, catalog)
        if problems:
            raise ScenarioError(
                [Problem(source, line_for(lines, loc), loc, msg, given) for loc, msg, given in problems]
            )
    except ScenarioError as exc:
        if where is None:
            raise
        raise ScenarioError(relocate(exc.problems, where, renames)) from None
    return sc


def _check_references(sc: Scenario, cat: Catalog) -> list[tuple[Loc, str, object]]:
    out: list[tuple[Loc, str, object]] = []

    def dupes(kind: str, ids: list[str]) -> None:
        for name, n in Counter(ids).items():
            if n > 1:
                second = ids.index(name, ids.index(name) + 1)
                out.append(((kind, second, "id"), f"duplicate id {name!r}", name))

    dupes("assets", [a.id for a in sc.assets])
    # Per-asset metrics name assets with '.' and '-' read as '_': those names must stay distinct.
    seen: dict[str, str] = {}
    for i, a in enumerate(sc.assets):
        key = a.id.replace("-", "_").replace(".", "_")
        if key in seen and seen[key] != a.id:
            out.append((("assets", i, "id"), f"asset ids {seen[key]!r} and {a.id!r} name the same metrics "
                        f"(asset_{key}_...): rename one", a.id))
        seen.setdefault(key, a.id)
    dupes("forces", [f.id for f in sc.forces])
    dupes("launch_areas", [a.id for a in sc.launch_areas])
    dupes("air_bases", [b.id for b in sc.air_bases])
    # Raid groups: a group's id keys its random stream, so two with one id would fly clones.
    for name, n in Counter(g.id for g in sc.raid.groups).items():
        if n > 1:
            ids = [g.id for g in sc.raid.groups]
            second = ids.index(name, ids.index(name) + 1)
            out.append((("raid", "groups", second, "id"), f"duplicate id {name!r}", name))
    for oname, opt in sc.options.items():
        cids = [c.id for c in opt.clauses]
        for name, n in Counter(cids).items():
            if n > 1:
                second = cids.index(name, cids.index(name) + 1)
                out.append((("options", oname, "clauses", second, "id"), f"duplicate id {name!r}", name))

    # Country codes must be in the bundled borders (else the run would fail, not `validate`).
    from ..geo.zones import available_countries

    known_codes = set(available_countries())
    th = sc.theatre
    for k, name in enumerate(d.id for d in th.disputed):
        if [d.id for d in th.disputed].index(name) != k:
            out.append((("theatre", "disputed", k, "id"), f"duplicate id {name!r}", name))
    for role, codes in (("defended", (th.defended,)), ("allied", th.allied), ("adversary", th.adversary),
                        ("neutral", th.neutral), ("hosts", tuple(th.hosts)),
                        ("disputed", tuple(d.country or "" for d in th.disputed))):
        for k, code in enumerate(codes):
            if role == "disputed" and not code:
                continue
            if code not in known_codes:
                loc: Loc = (("theatre", role) if role == "defended" else ("theatre", role, code) if role == "hosts"
                            else ("theatre", role, k, "country") if role == "disputed" else ("theatre", role, k))
                out.append((loc, "unknown country code: expected a Natural Earth ADM0_A3 code (ISO 3166-1 "
                                 "alpha-3) such as UKR, POL, ROU, RUS, BLR", code))

    def inside(loc: Loc, lonlat: tuple[float, float]) -> None:
        if not sc.theatre.contains(*lonlat):
            x0, y0, x1, y1 = sc.theatre.bbox
            hint = ""
            if sc.theatre.contains(lonlat[1], lonlat[0]):
                hint = (f"; it looks swapped: positions are [lon, lat], and [{lonlat[1]}, {lonlat[0]}] "
                        "is inside the theatre")
            out.append(
                (loc, f"point is outside the theatre box lon {x0}..{x1}, lat {y0}..{y1}{hint}", list(lonlat))
            )

    for i, a in enumerate(sc.assets):
        inside(("assets", i, "lonlat"), a.lonlat)
    for i, la in enumerate(sc.launch_areas):
        inside(("launch_areas", i, "lonlat"), la.lonlat)
    for i, f in enumerate(sc.forces):
        inside(("forces", i, "lonlat"), f.lonlat)
        if f.type not in cat.sensors and f.type not in cat.shooters:
            known = sorted([*cat.sensors, *cat.shooters])
            out.append(
                (("forces", i, "type"), f"unknown platform type{did_you_mean(f.type, known)} (known: {', '.join(known)})",
                 f.type)
            )
    asset_ids = {a.id for a in sc.assets}
    area_ids = {a.id for a in sc.launch_areas}
    for g, grp in enumerate(sc.raid.groups):
        if grp.type not in cat.threats:
            out.append(
                (("raid", "groups", g, "type"), f"unknown threat type{did_you_mean(grp.type, cat.threats)} (known: "
                 f"{', '.join(sorted(cat.threats))})", grp.type)
            )
        for area in grp.launch_areas:
            if area not in area_ids:
                known_areas = ", ".join(sorted(area_ids))
                out.append((("raid", "groups", g, "launch_areas"),
                            f"unknown launch area{did_you_mean(area, area_ids)} (defined: {known_areas})", area))
        for t in grp.targets:
            if t not in asset_ids:
                out.append((("raid", "groups", g, "targets", t), f"unknown asset id{did_you_mean(t, asset_ids)}", t))
        for r, route in enumerate(grp.via):
            for w, pt in enumerate(route):
                inside(("raid", "groups", g, "via", r, w), pt)
        if grp.launch_window[1] > sc.duration:
            out.append((("raid", "groups", g, "launch_window"), "launch window ends after the scenario duration", None))
    for g, grp in enumerate(sc.aviation.groups if sc.aviation is not None else ()):
        loc = ("aviation", "groups", g)
        p = cat.threats.get(grp.platform)
        if p is None or p.threat_class != "aircraft":
            known = sorted(k for k, t in cat.threats.items() if t.threat_class == "aircraft")
            out.append(((*loc, "platform"), f"not a threat type of class aircraft (known: {', '.join(known)})",
                        grp.platform))
        if grp.munition not in cat.threats:
            out.append(((*loc, "munition"), f"unknown threat type{did_you_mean(grp.munition, cat.threats)}",
                        grp.munition))
    if not out:
        out += _check_ranges(sc, cat)
        out += _check_territory(sc, cat)
    return out


def _route_km(points: list[tuple[float, float]]) -> float:
    lon = [p[0] for p in points]
    lat = [p[1] for p in points]
    return float(sum(great_circle_distance_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))) / 1000.0


def _check_ranges(sc: Scenario, cat: Catalog) -> list[tuple[Loc, str, object]]:
    """A threat type cannot fly farther than its range: every launch area to aim route is checked
    (centre to centre, along its waypoints; ballistic types fly direct)."""
    out: list[tuple[Loc, str, object]] = []
    areas = {a.id: a.lonlat for a in sc.launch_areas}
    assets = {a.id: a.lonlat for a in sc.assets}
    for g, grp in enumerate(sc.raid.groups):
        t = cat.threats[grp.type]
        range_km = t.range.value / 1000.0
        routes = [()] if t.profile == "ballistic" or not grp.via else list(grp.via)
        worst = None
        for area in grp.launch_areas:
            for aim in grp.targets:
                for r, via in enumerate(routes):
                    d = _route_km([areas[area], *via, assets[aim]])
                    if d > range_km and (worst is None or d > worst[0]):
                        worst = (d, area, aim, r)
        if worst is not None:
            d, area, aim, r = worst
            how = f" via route {r + 1}" if grp.via and t.profile != "ballistic" else ""
            out.append((("raid", "groups", g), f"{grp.type} has a range of {range_km:,.0f} km, but the flight from launch "
                        f"area {area} to {aim}{how} is {d:,.0f} km", grp.id))
    return out


_AIR_SENSORS = ("aew", "fighter-radar")


def _check_territory(sc: Scenario, cat: Catalog) -> list[tuple[Loc, str, object]]:
    """Forces stand where their side implies: ships at sea; ground units of the defended country
    on its unoccupied territory; allied ground units on allied soil (or, with
    ``deployed_forward``, in the defended country); aircraft never over the adversary, occupied
    or neutral ground; QRA and relief bases on their own side's soil."""
    out: list[tuple[Loc, str, object]] = []
    try:
        th = theatre_of(sc)
        lon = [f.lonlat[0] for f in sc.forces] + [b.lonlat[0] for b in sc.air_bases]
        lat = [f.lonlat[1] for f in sc.forces] + [b.lonlat[1] for b in sc.air_bases]
        zones = th.classify(lon, lat) if lon else []
    except (KeyError, ValueError) as exc:
        return [(("theatre",), str(exc).strip("'\""), None)]
    names = {z: z.name.lower() for z in Zone}
    names[Zone.HOST] = "host-nation"
    base_zone = {b.id: Zone(int(zones[len(sc.forces) + k])) for k, b in enumerate(sc.air_bases)}
    for i, f in enumerate(sc.forces):
        z = Zone(int(zones[i]))
        kind = cat.sensors[f.type].kind if f.type in cat.sensors else cat.shooters[f.type].kind
        air = kind in _AIR_SENSORS or kind == "fighter"
        home = Zone.DEFENDED if f.side == "defended" else Zone.ALLIED
        homes = {home} if f.side == "defended" else {Zone.ALLIED, Zone.HOST}  # host nations base allied forces
        soil = names[home] if f.side == "defended" or not th.hosts else "allied or host-nation"
        where = f"at {list(f.lonlat)}, which is {names[z]} territory" if z != Zone.SEA else f"at sea at {list(f.lonlat)}"
        if kind == "ship":
            ok, rule = z == Zone.SEA, "a ship stands at sea"
        elif air and f.fighter is not None and f.fighter.posture == "qra":
            ok, rule = z in homes or (f.deployed_forward and z == Zone.DEFENDED), f"a QRA pair's site is its base, on {soil} soil"
        elif air:
            ok = z in (Zone.DEFENDED, Zone.ALLIED, Zone.SEA, Zone.HOST)
            rule = ("aircraft stations are over defended, allied or international airspace" if not th.hosts
                    else "aircraft stations are over defended, allied, host-nation or international airspace")
        else:
            allowed = homes | ({Zone.DEFENDED} if f.deployed_forward else set())
            ok = z in allowed
            rule = (f"{f.side} ground units stand on {soil} soil"
                    + (" (set `deployed_forward: true` for a unit deliberately stationed in the defended country)"
                       if f.side == "allied" else ""))
        if not ok:
            out.append((("forces", i, "lonlat"), f"{f.id} ({f.type}) stands {where}; {rule}", list(f.lonlat)))
        if f.fighter is not None and f.fighter.base is not None:
            bz = base_zone[f.fighter.base]
            if not (bz in homes or (f.deployed_forward and bz == Zone.DEFENDED)):
                out.append((("forces", i, "fighter", "base"), f"{f.id} flies from {f.fighter.base}, which is "
                            f"{names[bz]} territory; a {f.side} unit's base is on {soil} soil", f.fighter.base))
    return out

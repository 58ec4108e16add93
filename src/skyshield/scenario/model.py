"""The scenario language: what a scenario file may say, validated once at the boundary.

A scenario is a theatre (who is defended, allied, adversary), the defended assets, the forces
of every side tagged with the *package* that brings them (``own`` forces are always there;
``air-policing``, ``umbrella`` ... are switched on by options), the raid (groups of threats
from launch areas toward assets) and, optionally, option definitions of its own.

Quantities carry units (``150 km``, ``30 kt``, ``12 min``) and are held in SI. Positions are
``lonlat: [lon_deg, lat_deg]`` (WGS-84 degrees).
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..units import Duration, Length, PositiveDuration, PositiveLength, Probability, Real
from ..policy.spec import Ambiguity, Clause, Escalation, OverTheHorizon, Rotation, StandOff, Transfer, Tripwire

__all__ = [
    "Position",
    "Theatre",
    "HostNation",
    "DisputedArea",
    "CONTROL",
    "Asset",
    "Force",
    "Movable",
    "LaunchArea",
    "RaidGroup",
    "Raid",
    "AircraftGroup",
    "FighterStation",
    "Aviation",
    "OptionSpec",
    "Scenario",
    "AirBase",
    "FighterPosture",
    "Doctrine",
    "CivilDefence",
    "DATA_SHARING_TIERS",
    "LIMITS",
    "ROE_KINDS",
]

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Count = Annotated[int, Field(strict=True)]
"""A whole number written as one (``true`` or ``"8"`` is not a count)."""

LIMITS: dict[str, int] = {
    "threats": 100_000,  # threats of a whole raid (every group together)
    "items": 10_000,  # assets, forces, launch areas, air bases, raid groups, options
    "waypoints": 1_000,  # routes of a group and points of a route or polygon
    "population": 10_000_000_000,  # people in one aim area (the world has ~8e9)
    "value_usd": 1e13,  # notional value of one asset
    "priority_weight": 1e3,  # doctrine priority weights are relative: scale does not matter
}
"""Size bounds of a scenario; a file beyond one gets an error naming it."""

DATA_SHARING_TIERS: tuple[str, ...] = ("none", "early-warning", "surveillance", "fire-control")
"""Ordered: each tier includes what the ones before it give."""
ROE_KINDS: tuple[str, ...] = ("over-allied-territory", "path-crosses-allied", "in-reach", "defended-airspace")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)



def _lonlat(v: object) -> tuple[float, float]:
    if not (isinstance(v, (list, tuple)) and len(v) == 2):
        raise ValueError("expected a position [lon_deg, lat_deg], e.g. [30.52, 50.45]")
    lon, lat = v
    for x in (lon, lat):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError("expected a position [lon_deg, lat_deg] of two numbers")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError("longitude must be in [-180, 180] and latitude in [-90, 90] degrees")
    return (float(lon), float(lat))


Position = Annotated[
    tuple[float, float],
    BeforeValidator(_lonlat),
    WithJsonSchema(
        {
            "type": "array",
            "prefixItems": [
                {"type": "number", "minimum": -180, "maximum": 180},
                {"type": "number", "minimum": -90, "maximum": 90},
            ],
            "items": False,
            "minItems": 2,
            "maxItems": 2,
            "description": "[lon_deg, lat_deg], WGS-84",
        }
    ),
]


class HostNation(_Frozen):
    """A third country whose airspace and soil allied forces use with its permission."""

    permits: Literal["all"] | tuple[Iso3, ...] = Field(
        "all", description="nationalities (ISO 3166 alpha-3, e.g. [USA, GBR]) it lets intercept over its "
        "territory, or `all`; [] lets forces be based there but not intercept. A host always permits "
        "its own forces"
    )
    source: str = ""


CONTROL = ("none", "defended", "allied", "adversary", "occupied", "neutral")
"""Who may control a disputed area's airspace (``none``: the area is its own zone, disputed)."""


class DisputedArea(_Frozen):
    """An area of disputed sovereignty, and who controls its airspace in this scenario.

    Give exactly one of ``country`` (a Natural Earth code such as ``PSX``, the West Bank and
    Gaza), ``at`` (a point inside land that no country polygon holds: the whole of that land,
    e.g. the Golan Heights) or ``polygon`` (a ring of at least three [lon, lat]).
    """

    id: Id
    country: Iso3 | None = None
    at: Position | None = None
    polygon: Annotated[tuple[Position, ...], Field(min_length=3, max_length=LIMITS["waypoints"])] | None = None
    control: Literal["none", "defended", "allied", "adversary", "occupied", "neutral"] = Field(
        "none", description="whose airspace it counts as: `none` keeps it a disputed zone of its own"
    )
    source: str = ""

    @model_validator(mode="after")
    def _one_outline(self) -> "DisputedArea":
        if sum(x is not None for x in (self.country, self.at, self.polygon)) != 1:
            raise ValueError("give exactly one of `country`, `at` or `polygon`")
        return self


class Theatre(_Frozen):
    """Who is who on the map; country codes are ISO 3166 alpha-3 (Natural Earth ADM0_A3)."""

    defended: Iso3
    allied: tuple[Iso3, ...]
    adversary: tuple[Iso3, ...]
    neutral: tuple[Iso3, ...] = ()
    hosts: dict[Iso3, HostNation] = Field(
        default_factory=dict, description="third countries whose airspace and soil allied forces use with "
        "their permission, each with the nationalities it lets intercept over it (Jordan in April 2024)"
    )
    disputed: tuple[DisputedArea, ...] = Field(
        (), max_length=LIMITS["items"], description="areas of disputed sovereignty and who controls their airspace; "
        "Natural Earth polygons of indeterminate status and land no country polygon holds are disputed "
        "unless named here"
    )
    occupied: Literal["builtin-2025", "none"] | Annotated[
        tuple[Position, ...], Field(min_length=3, max_length=LIMITS["waypoints"])
    ] = Field(
        "builtin-2025",
        description="occupied parts of the defended country: the built-in coarse 2025 polygon, "
        "none, or your own polygon as a list of at least three [lon, lat] (a simple ring)",
    )
    bbox: tuple[float, float, float, float] = Field(
        (12.0, 40.0, 52.0, 60.0), description="theatre box: lon_min, lat_min, lon_max, lat_max (deg), "
        "min < max, longitudes in [-180, 180], latitudes in [-90, 90]"
    )

    @model_validator(mode="after")
    def _roles_and_shapes(self) -> "Theatre":
        roles = [self.defended, *self.allied, *self.adversary, *self.neutral, *self.hosts,
                 *(d.country for d in self.disputed if d.country is not None)]
        twice = sorted({c for c in roles if roles.count(c) > 1})
        if twice:
            raise ValueError(f"countries listed in more than one role (or twice): {', '.join(twice)}")
        x0, y0, x1, y1 = self.bbox
        if not (-180.0 <= x0 < x1 <= 180.0 and -90.0 <= y0 < y1 <= 90.0):
            raise ValueError("bbox must be [lon_min, lat_min, lon_max, lat_max] with min < max, longitudes "
                             "in [-180, 180] and latitudes in [-90, 90]")
        if not isinstance(self.occupied, str):
            import shapely

            ring = shapely.Polygon(self.occupied)
            if len(set(self.occupied)) < 3 or ring.area <= 0 or not ring.is_valid:
                raise ValueError("occupied: the polygon must have at least three distinct points, a non-zero "
                                 "area and edges that do not cross")
        return self

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        return x0 <= lon <= x1 and y0 <= lat <= y1


class Asset(_Frozen):
    """A defended asset: a city, an energy area, a logistics hub or a corridor segment."""

    id: Id
    kind: Literal["city", "energy", "logistics", "corridor", "military"]
    lonlat: Position
    radius: PositiveLength = Field(description="aim area: a leaker reaching this circle has arrived")
    population: Count = Field(0, ge=0, le=LIMITS["population"])
    value: Real = Field(0.0, ge=0, le=LIMITS["value_usd"], description="notional value in USD, for cost-against-value")
    source: str = ""


class AirBase(_Frozen):
    """An air base fighters take off from and return to (city-level position)."""

    id: Id
    lonlat: Position
    source: str = ""


class FighterPosture(_Frozen):
    """How a fighter force is employed: a combat air patrol station or quick reaction alert.

    For ``cap`` the force's ``lonlat`` is the station; for ``qra`` it is the base the pair
    scrambles from. ``alert`` is the alert state, i.e. the time from the scramble order to
    airborne (QRA-5, QRA-15).
    """

    posture: Literal["cap", "qra"] = "cap"
    base: Id | None = Field(None, description="air base id (CAP: where reliefs come from); default: the force's site")
    alert: Duration = Field(300.0, description="QRA alert state: scramble order to airborne, e.g. '5 min', '15 min'; "
                            "for a CAP launched on warning, warning to airborne")
    on_station: Duration = Field(0.0, description="CAP: time the first pair is on station (scheduled launch)")
    launch: Literal["scheduled", "on-warning"] = Field(
        "scheduled", description="CAP: `scheduled` (on station at `on_station`) or `on-warning`: the first pair "
        "takes off `alert` after the first track of the night in its network and flies to its station; "
        "endurance, tanker extension, reliefs and turnaround follow from then"
    )
    tanker: bool = Field(False, description="air refuelling extends the time on station")
    sorties: Count = Field(1, ge=1, le=50, description="sorties (or CAP reliefs) available during the scenario")
    relief_on_station: bool = Field(
        False, description="CAP: a relief pair takes over on station when the first leaves (no gap)"
    )

    @model_validator(mode="after")
    def _launch_is_for_cap(self) -> "FighterPosture":
        if self.launch == "on-warning" and self.posture != "cap":
            raise ValueError("`launch: on-warning` is for a CAP; a QRA pair always scrambles on warning")
        return self


class Movable(_Frozen):
    """A unit of the defended country that may be moved where allied cover frees it
    (:mod:`skyshield.engine.redeploy`): the places it may go and how long a move takes."""

    relocation_time: Duration = Field(description="from the order to move to ready at the new place "
                                      "(a standing option has had it; campaigns may use it)")
    candidates: tuple[Id, ...] = Field(min_length=1, max_length=100, description="assets (city or region "
                                       "level) whose centre it may move to; its own site is always a candidate")
    source: str = ""


class Force(_Frozen):
    """One unit (or ``count`` identical units) at a site: a sensor or a shooter."""

    id: Id
    type: str = Field(description="a sensor or shooter type id from the catalog")
    side: Literal["defended", "allied"]
    package: Id = Field(
        "own",
        description="`own` forces are always present; any other package is brought by the "
        "options that list it",
    )
    lonlat: Position
    nationality: Iso3 | None = Field(
        None, description="the nation whose force it is (ISO 3166 alpha-3, e.g. USA, GBR, JOR); default: the "
        "defended country for defended forces, unspecified for allied ones (host nations that name "
        "nationalities then do not let it intercept over them)"
    )
    count: Count = Field(1, ge=1, le=1000)
    inventory: Count | None = Field(None, ge=0, le=1_000_000, description="override the catalog's ready rounds")
    fighter: FighterPosture | None = Field(None, description="fighters: CAP or QRA posture (default: CAP on station all along)")
    deployed_forward: bool = Field(
        False, description="an allied unit deliberately stationed in the defended country (a tripwire, "
        "a forward team); without it allied ground units must stand on allied soil or at sea"
    )
    engage_on_remote: bool | None = Field(
        None, description="override the catalog type's engage-on-remote capability for this unit "
        "(e.g. a battery integrated in IBCS); say why in `note`"
    )
    reaction_time: Duration | None = Field(
        None, description="override the catalog type's reaction time (first warning to first shot) for this "
        "unit, e.g. the authority to fire over one's own territory in peacetime air policing; say why in `note`"
    )
    movable: Movable | None = Field(None, description="the defended country may move it (redeployment "
                                    "freed by allied cover, docs/options.md)")
    note: str = ""


class LaunchArea(_Frozen):
    """A publicly reported launch area (never a specific site)."""

    id: Id
    lonlat: Position
    radius: Length = Field(30000.0, description="launch points are scattered within it; 0 for an exact point")
    source: str = ""


class _Aimed(_Frozen):
    """A launch window and aim weights, checked alike for raid groups and aircraft groups."""

    @field_validator("launch_window", check_fields=False)
    @classmethod
    def _ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        if v[1] < v[0]:
            raise ValueError("launch_window end is before its start")
        return v

    @field_validator("targets", check_fields=False)
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        if any(w < 0 for w in v.values()) or sum(v.values()) <= 0:
            raise ValueError("target weights must be non-negative and not all zero")
        return v


class RaidGroup(_Aimed):
    """Threats of one type, launched from areas over a window toward weighted aim assets."""

    id: Id
    type: str = Field(description="a threat type id from the catalog")
    count: Count = Field(ge=0, le=LIMITS["threats"])
    launch_areas: tuple[Id, ...] = Field(min_length=1, max_length=LIMITS["items"])
    launch_window: tuple[Duration, Duration] = Field(
        description="[start, end] after the scenario start, e.g. ['0 h', '3 h']"
    )
    targets: dict[Id, Annotated[Real, Field(ge=0, le=1e10)]] = Field(
        min_length=1, max_length=LIMITS["items"], description="aim assets with relative weights (0..1e10, not all 0)"
    )
    via: tuple[Annotated[tuple[Position, ...], Field(min_length=1, max_length=LIMITS["waypoints"])], ...] = Field(
        (), max_length=LIMITS["waypoints"], description="alternative dog-leg routes (each a list of at least "
        "one waypoint); one is drawn per threat, or a straight route if empty"
    )
    dispersion: Length = Field(15000.0, description="lateral scatter of launch points and waypoints")


class Raid(_Frozen):
    groups: tuple[RaidGroup, ...] = Field(min_length=1, max_length=LIMITS["items"])

    @model_validator(mode="after")
    def _total(self) -> "Raid":
        n = sum(g.count for g in self.groups)
        if n > LIMITS["threats"]:
            raise ValueError(f"the raid has {n:,} threats in all; at most {LIMITS['threats']:,} are accepted")
        return self


class AircraftGroup(_Aimed):
    """Adversary launch platforms of one type (:mod:`skyshield.engine.aviation`).

    Each platform takes off from one of ``bases`` (launch areas: public regions, never
    airfields) in ``launch_window``, flies straight toward its aim area (one of ``targets``)
    and releases ``munitions_per_platform`` munitions from ``release_range`` short of it. A
    platform destroyed before its release point launches nothing; one whose path enters the
    engagement envelope it knows of (plus the section's margin) aborts.
    """

    id: Id
    role: Literal["glide-bomb", "missile-carrier"] = Field(
        description="`glide-bomb`: tactical aircraft releasing glide bombs near the front (aim areas must be "
        "cities or regions); `missile-carrier`: bombers launching cruise missiles from a launch area"
    )
    platform: str = Field(description="a threat type id of class `aircraft` from the catalog (e.g. su-34, tu-95ms)")
    count: Count = Field(ge=0, le=1000, description="platforms flown")
    bases: tuple[Id, ...] = Field(min_length=1, max_length=LIMITS["items"],
                                  description="launch areas the platforms come from")
    launch_window: tuple[Duration, Duration] = Field(description="[start, end] of take-off, after the scenario start")
    munition: str = Field(description="a threat type id from the catalog (e.g. kab-umpk, kh-101)")
    munitions_per_platform: Count = Field(ge=1, le=64)
    release_range: PositiveLength | None = Field(
        None, description="distance short of the aim point where the munitions are released (default: the "
        "munition's catalog range, the farthest stand-off it allows)"
    )
    targets: dict[Id, Annotated[Real, Field(ge=0, le=1e10)]] = Field(
        min_length=1, max_length=LIMITS["items"], description="aim assets with relative weights (not all 0)"
    )
    source: str = ""


class FighterStation(_Frozen):
    """An adversary fighter combat air patrol (or escort screen): a position and the radius it
    covers. Defended and allied fighters do not engage a launch platform inside it."""

    id: Id
    type: str = Field("", description="free text, e.g. `su-35` (not used by the model)")
    lonlat: Position
    radius: PositiveLength = Field(description="radius the patrol covers (air-to-air missile reach plus transit)")
    source: str = ""


class Aviation(_Frozen):
    """Adversary aviation: launch platforms and fighter patrols (opt-in; docs/options.md)."""

    groups: tuple[AircraftGroup, ...] = Field(min_length=1, max_length=LIMITS["items"])
    fighters: tuple[FighterStation, ...] = Field((), max_length=LIMITS["items"],
                                                 description="adversary fighter CAP / escort stations")
    standoff_margin: Length = Field(
        20000.0, description="the stand-off rule: platforms keep this far outside every engagement envelope "
        "they know of, or abort (notional)"
    )
    unknown_to_adversary: tuple[Id, ...] = Field(
        (), max_length=LIMITS["items"], description="forces whose position the adversary does not know "
        "(e.g. a SAM moved forward in secret); every other force of the option is known"
    )
    source: str = ""


class OptionSpec(_Frozen):
    """A security-guarantee option: packages of forces, a data-sharing tier and ROE."""

    title: str = ""
    description: str = ""
    packages: tuple[Id, ...] = ()
    data_sharing: Literal["none", "early-warning", "surveillance", "fire-control"] = "none"
    roe: Literal["over-allied-territory", "path-crosses-allied", "in-reach", "defended-airspace"] = Field(
        "over-allied-territory", description="rules of engagement for allied shooters: intercept point "
        "over allied soil; threats whose path crosses allied soil; anything in reach (most permissive); "
        "over the defended country or the sea only, debris included (docs/options.md)"
    )
    sharing_latency: Duration = Field(30.0, description="delay before allied tracks reach the defended network")
    link_update: PositiveDuration = Field(
        12.0, description="reporting interval of shared tracks on the data link (Link-16-style "
        "surveillance tracks are reported about every 12 s)"
    )
    link_outage_fraction: Real = Field(
        0.0, ge=0.0, lt=1.0, description="fraction of time a sharing participant's link is out"
    )
    link_outage_duration: PositiveDuration = Field(
        300.0, description="typical length of one link outage"
    )
    link_jamming_loss: Real = Field(
        0.0, ge=0.0, lt=1.0, description="probability that one track report is lost to jamming"
    )
    # Policy (issue 5): clauses, tripwires, escalation parameters and variants; see docs/options.md.
    clauses: tuple[Clause, ...] = Field((), max_length=100, description="contingency clauses: if the adversary does X, allies do Y")
    tripwire: Tripwire | None = Field(None, description="units whose being hit makes escalation automatic")
    escalation: Escalation | None = Field(None, description="adversary-response model parameters (defaults documented)")
    transfer: Transfer | None = Field(None, description="variant: aircraft transferred to the defended country after a lead time")
    ambiguity: Ambiguity | None = Field(None, description="variant: strategic ambiguity over the clauses' responses")
    rotation: Rotation | None = Field(None, description="variant: packages present part of the time (campaigns)")
    over_the_horizon: OverTheHorizon | None = Field(None, description="allied ISR or stand-off strikes on launch capacity (campaigns)")
    standoff: StandOff | None = Field(None, description="the option's aircraft stay farther than a distance from "
                                      "named territory: stations, bases and intercept points (docs/options.md)")


class Doctrine(_Frozen):
    """How shooters fight: firing doctrine, kill assessment, coordination, assignment.

    ``shoot-look-shoot`` fires the catalog's salvo then waits for the kill assessment before
    firing again; ``shoot-shoot`` fires two salvoes back to back before looking.
    ``shared-picture`` coordination lets a side's shooters see each other's engagements (no
    double engagement); ``independent`` batteries each engage on their own picture.
    ``assignment`` picks the battle manager: ``earliest`` (event-driven, earliest intercept
    first), or per decision interval a weapon-target assignment that is ``greedy`` or
    ``optimal`` (Hungarian) on threat priority times kill probability.
    """

    firing: Literal["shoot-look-shoot", "shoot-shoot"] = "shoot-look-shoot"
    kill_assessment: Probability = Field(
        1.0, ge=0.0, le=1.0, description="probability that a kill assessment is right"
    )
    look_time: Duration = Field(5.0, description="from an intercept to its kill assessment")
    coordination: Literal["shared-picture", "independent"] = "shared-picture"
    assignment: Literal["earliest", "greedy", "optimal"] = "earliest"
    priority_threat_value: Real = Field(1.0, ge=0.0, le=LIMITS["priority_weight"],
                                         description="weight of the threat's cost in its priority")
    priority_time_to_go: Real = Field(1.0, ge=0.0, le=LIMITS["priority_weight"],
                                       description="weight of urgency (short time to impact)")
    priority_asset_value: Real = Field(1.0, ge=0.0, le=LIMITS["priority_weight"],
                                        description="weight of the aimed asset's value")
    source: str = ""

    @model_validator(mode="after")
    def _some_priority(self) -> "Doctrine":
        w = self.priority_threat_value + self.priority_time_to_go + self.priority_asset_value
        if self.assignment != "earliest" and not w > 0:
            raise ValueError(f"assignment `{self.assignment}` ranks threats by the priority weights; they "
                             "cannot all be 0 (the battle manager would never fire)")
        return self


class CivilDefence(_Frozen):
    """Public warning and shelter: warned people shelter, so fewer are exposed to a hit.

    The exposed share of an asset's population when hit after a warning of ``W`` seconds is
    ``1 - shelter_fraction * min(1, W / time_to_shelter)``; the warning is the time from the
    threat's first track in the defended network (the air-raid alert) to its arrival.
    """

    shelter_fraction: Probability = Field(description="share of people who take shelter when warned in time")
    time_to_shelter: PositiveDuration = Field(description="warning that share needs to reach shelter, e.g. '10 min'")
    source: str = ""


class Scenario(_Frozen):
    """A validated scenario. Hash it with :attr:`content_hash`."""

    id: Id
    title: str
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    theatre: Theatre
    duration: PositiveDuration = Field(description="simulated span, e.g. '14 h' (at most 30 d)")
    decision_interval: PositiveDuration = Field(20.0, description="battle-management tick, e.g. '20 s' (at most 10 min)")
    assets: tuple[Asset, ...] = Field(min_length=1, max_length=LIMITS["items"])
    launch_areas: tuple[LaunchArea, ...] = Field(min_length=1, max_length=LIMITS["items"])
    forces: tuple[Force, ...] = Field((), max_length=LIMITS["items"])
    air_bases: tuple[AirBase, ...] = Field((), max_length=LIMITS["items"],
                                           description="fighter bases named by forces' `fighter.base`")
    doctrine: Doctrine = Field(default_factory=Doctrine, description="firing doctrine of every shooter")
    civil_defence: CivilDefence | None = Field(
        None, description="public warning and shelter (default: none, everyone at a damaged asset is exposed)"
    )
    raid: Raid
    options: dict[Id, OptionSpec] = Field(
        default_factory=dict, max_length=1000, description="options of this scenario; they override built-in presets"
    )
    aviation: Aviation | None = Field(None, description="adversary aviation: launch platforms (bombers, glide-bomb "
                                      "carriers) and fighter patrols; none by default")

    @model_validator(mode="after")
    def _positive_times(self) -> "Scenario":
        if not 0 < self.duration <= 30 * 86400.0:
            raise ValueError("duration must be in (0, 30 d]: one scenario is a night or a few days "
                             "(campaigns chain nights)")
        if not 0 < self.decision_interval <= 600:
            raise ValueError("decision_interval must be in (0, 10 min]")
        bases = {b.id for b in self.air_bases}
        for f in self.forces:
            if f.fighter is not None and f.fighter.base is not None and f.fighter.base not in bases:
                raise ValueError(f"force {f.id!r}: unknown air base {f.fighter.base!r}; defined: {sorted(bases)}")
        assets = {a.id for a in self.assets}
        for f in self.forces:
            if f.movable is None:
                continue
            if f.side != "defended" or f.package != "own" or f.count != 1:
                raise ValueError(f"force {f.id!r}: only a single unit of the defended country's own forces "
                                 "(package own, count 1) may be movable")
            unknown = [c for c in f.movable.candidates if c not in assets]
            if unknown:
                raise ValueError(f"force {f.id!r}: movable candidates {unknown} are not assets of the scenario")
        if self.aviation is not None:
            self._check_aviation(self.aviation, assets)
        return self

    def _check_aviation(self, av: Aviation, assets: set[str]) -> None:
        areas = {a.id for a in self.launch_areas}
        kinds = {a.id: a.kind for a in self.assets}
        forces = {f.id for f in self.forces}
        for g in av.groups:
            if bad := [b for b in g.bases if b not in areas]:
                raise ValueError(f"aviation group {g.id!r}: bases {bad} are not launch areas of the scenario")
            if bad := [t for t in g.targets if t not in assets]:
                raise ValueError(f"aviation group {g.id!r}: targets {bad} are not assets of the scenario")
            if g.role == "glide-bomb" and (bad := [t for t in g.targets if kinds[t] != "city"]):
                raise ValueError(f"aviation group {g.id!r}: glide-bomb aim areas must be cities or regions (asset "
                                 f"kind `city`), never specific infrastructure; not: {bad}")
            if g.launch_window[1] > self.duration:
                raise ValueError(f"aviation group {g.id!r}: launch window ends after the scenario duration")
        if len({g.id for g in av.groups}) != len(av.groups):
            raise ValueError("aviation: duplicate group ids (a group's id keys its random stream)")
        if bad := [f for f in av.unknown_to_adversary if f not in forces]:
            raise ValueError(f"aviation: unknown_to_adversary names forces not in the scenario: {bad}")

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the validated scenario (units already SI). A scenario
        without an ``aviation`` section hashes as it did before the section existed."""
        data = self.model_dump(mode="json")
        if data.get("aviation") is None:
            data.pop("aviation", None)
        doc = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(doc.encode()).hexdigest()

"""Platform types with public-estimate parameters, every value with its source.

A catalog value is written as ``{value: 180 km/h, low: 150 km/h, high: 185 km/h, source:
evz-shahed}``: the point value the engine uses, the public range it comes from (the basis for
sensitivity sweeps) and a key into the catalog's ``sources`` table. Values that are notional
(assumed where nothing public pins them down) say so in their source.
"""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..units import (
    Duration,
    Length,
    Money,
    PositiveArea,
    PositiveArealDensity,
    PositiveDuration,
    PositiveLength,
    PositiveSpeed,
    Probability,
    quantity,
)

__all__ = [
    "THREAT_CLASSES",
    "ThreatClass",
    "Sourced",
    "ThreatType",
    "BallisticTrajectory",
    "Manoeuvre",
    "SensorType",
    "Envelope",
    "ShooterType",
    "WeaponLoad",
    "AircraftPerformance",
    "Mobility",
    "RemoteEngagement",
    "Catalog",
]

ThreatClass = Literal["drone", "decoy", "cruise", "ballistic", "aircraft"]
THREAT_CLASSES: tuple[str, ...] = ("drone", "decoy", "cruise", "ballistic", "aircraft")

T = TypeVar("T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)


class Sourced(_Frozen, Generic[T]):
    """A parameter value with its public range and its source key."""

    value: T
    low: T | None = None
    high: T | None = None
    source: str = Field(min_length=1, description="key into the catalog's `sources` table")

    @model_validator(mode="after")
    def _range_holds_value(self) -> "Sourced[T]":
        lo, hi, v = self.low, self.high, self.value
        if lo is not None and hi is not None and lo > hi:  # type: ignore[operator]
            raise ValueError(f"low ({lo}) is above high ({hi})")
        if lo is not None and v < lo:  # type: ignore[operator]
            raise ValueError(f"value ({v}) is below its public range low ({lo})")
        if hi is not None and v > hi:  # type: ignore[operator]
            raise ValueError(f"value ({v}) is above its public range high ({hi})")
        return self


PositiveInt = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
"""A count of rounds or reloads (the name is historical: zero is allowed)."""
PositiveAngle = quantity("angle", positive=True)
FalseAlarms = Annotated[float, Field(ge=0.0, le=1e4)]


class BallisticTrajectory(_Frozen):
    """A ballistic missile's flight as physics: a Keplerian conic with its apogee at the type's
    `altitude`, slowed by drag below the top of the atmosphere (:mod:`skyshield.engine.ballistic`)."""

    ballistic_coefficient: Sourced[PositiveArealDensity] = Field(
        description="m / (C_D A) of the re-entry vehicle: how little drag slows it (Allen-Eggers re-entry)"
    )


class Manoeuvre(_Frozen):
    """A terminal manoeuvre (a manoeuvring re-entry vehicle, a quasi-ballistic pull-up) that
    lowers interceptors' kill probability inside the atmosphere."""

    pk_factor: Sourced[Probability] = Field(description="single-shot kill probability is multiplied by this below `below`")
    below: Sourced[PositiveLength] = Field(description="altitude under which the threat manoeuvres")


class ThreatType(_Frozen):
    """An adversary weapon or aircraft type."""

    name: str
    threat_class: ThreatClass = Field(alias="class")
    profile: Literal["cruise", "ballistic"] = Field(
        description="cruise: level flight at `altitude`; ballistic: a high arc with its apogee at "
        "`altitude` (a Keplerian conic with drag when `trajectory` is given, else the three-piece "
        "quasi-ballistic approximation: ascent, arc, terminal dive)"
    )
    trajectory: BallisticTrajectory | None = Field(
        None, description="ballistic types: fly the physical trajectory (apogee, re-entry drag) instead of "
        "the three-piece approximation"
    )
    launch_failure: Sourced[Probability] | None = Field(
        None, description="probability that a launched missile fails at launch or in flight and never "
        "arrives (it falls somewhere in the first 80 % of its flight)"
    )
    manoeuvre: Manoeuvre | None = Field(None, description="terminal manoeuvre lowering endo-atmospheric kill probability")
    speed: Sourced[PositiveSpeed]
    altitude: Sourced[Length] = Field(description="cruise altitude, or apogee for ballistic")
    range: Sourced[PositiveLength]
    rcs: Sourced[PositiveArea] = Field(description="notional radar cross-section, frontal aspect")
    cost: Sourced[Money]
    warhead: bool = Field(description="false for decoys, which cannot damage what they reach")
    damage_probability: Sourced[Probability] = Field(
        description="probability that a leaker reaching its aim area damages the asset there"
    )
    damage_fraction: Sourced[Probability] = Field(
        description="share of an asset's notional value destroyed by one damaging hit (expected damage)"
    )


class SensorType(_Frozen):
    """A surveillance, early-warning or fire-control sensor type."""

    name: str
    kind: Literal["ground-radar", "aew", "ship-radar", "fighter-radar", "fire-control", "optical"]
    reference_range: Sourced[PositiveLength] = Field(
        description="detection range against a 1 m^2 target in free space; scales as RCS^(1/4)"
    )
    height: Sourced[Length] = Field(
        description="antenna height above ground, or orbit altitude for airborne sensors"
    )
    revisit: Sourced[PositiveDuration]
    pd_scan: Sourced[Probability] = Field(
        description="per-scan probability of detection inside the detection range "
        "(statistical fidelity)"
    )
    # Measurement model (full fidelity). Optional: a type that leaves them out gets the
    # notional defaults below; the built-in catalog gives every value with a source.
    range_sigma: Sourced[PositiveLength] | None = Field(
        None, description="range measurement noise, one standard deviation (default 100 m)"
    )
    azimuth_sigma: Sourced[PositiveAngle] | None = Field(
        None, description="azimuth measurement noise, one standard deviation (default 0.3 deg)"
    )
    elevation_sigma: Sourced[PositiveAngle] | None = Field(
        None, description="elevation measurement noise, one standard deviation (default 0.5 deg)"
    )
    swerling: int = Field(
        1, ge=0, le=5, strict=True, description="Swerling case of the target fluctuation assumed for P_d"
    )
    false_alarm_probability: Sourced[Probability] | None = Field(
        None, description="false-alarm probability per resolution cell; sets the detection "
        "threshold and, with `pd_scan` at the reference range, the reference SNR (default 1e-6)"
    )
    false_alarms_per_scan: Sourced[FalseAlarms] | None = Field(
        None, description="mean false plots per scan inside the coverage that reach the tracker "
        "(after CFAR and clutter maps; default 0.5)"
    )
    orbit_radius: Sourced[Length] | None = Field(
        None, description="radius of the circular orbit flown around the station (airborne "
        "sensors; default 0: fixed)"
    )
    orbit_period: Sourced[PositiveDuration] | None = Field(
        None, description="time for one orbit (default 30 min)"
    )


class Envelope(_Frozen):
    """Where, and how well, a shooter engages one threat class."""

    max_range: PositiveLength
    min_range: Length = 0.0
    max_altitude: PositiveLength
    min_altitude: Length = 0.0
    pk: Probability = Field(description="single-shot kill probability")
    salvo: int = Field(ge=1, le=8, strict=True, description="interceptors fired per engagement")
    reserve: Probability = Field(
        0.0, description="doctrine: engage this class only while more than this fraction of the "
        "unit's load remains (keeps interceptors for more dangerous threats)"
    )
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> "Envelope":
        if not self.min_range < self.max_range:
            raise ValueError(f"min_range ({self.min_range:g} m) must be below max_range ({self.max_range:g} m)")
        if not self.min_altitude < self.max_altitude:
            raise ValueError(f"min_altitude ({self.min_altitude:g} m) must be below max_altitude "
                             f"({self.max_altitude:g} m)")
        return self


class WeaponLoad(_Frozen):
    """One weapon of a load-out (a fighter's AIM-120s, AIM-9Xs or gun passes)."""

    interceptor: str
    rounds: int = Field(ge=0, le=1_000_000, strict=True, description="rounds of this weapon per load-out")
    cost: Sourced[Money] = Field(description="cost of one round (one gun pass)")
    pk: dict[ThreatClass, Probability] = Field(
        description="single-shot kill probability by threat class; a class left out is not engaged "
        "with this weapon"
    )
    source: str


class AircraftPerformance(_Frozen):
    """What a fighter needs beyond its weapons: transit, endurance, turnaround."""

    dash_speed: Sourced[PositiveSpeed] = Field(description="transit speed to an intercept")
    combat_radius: Sourced[PositiveLength] = Field(description="radius of action from base (QRA) or station")
    commit_radius: Sourced[PositiveLength] | None = Field(
        None, description="how far from its CAP station a pair goes to engage (default: its weapons' reach)"
    )
    time_on_station: Sourced[PositiveDuration] = Field(description="endurance on a CAP station, unrefuelled")
    tanker_extension: Sourced[Duration] = Field(description="time on station added by air refuelling")
    turnaround: Sourced[Duration] = Field(description="re-arm and refuel on the ground")


class Mobility(_Frozen):
    """A unit that drives toward a threat's predicted path when warned (mobile fire groups)."""

    speed: Sourced[PositiveSpeed] = Field(description="average road speed while relocating")
    max_distance: Sourced[PositiveLength] = Field(description="farthest it relocates from its site for one threat")


class RemoteEngagement(_Frozen):
    """The capability to fire on a fire-control-quality track from another sensor of the network."""

    basis: str = Field(min_length=1, description="the public basis, e.g. 'CEC / NIFC-CA', 'IBCS'")
    source: str = Field(min_length=1, description="key into the catalog's `sources` table")


class ShooterType(_Frozen):
    """A surface-to-air system, gun, ship, fighter or electronic-warfare system, with its weapon.

    ``kind: ew`` is a soft-kill system: its envelopes give the radius inside which a threat of
    each class loses its way, with probability ``pk``, once per pass (counted apart from kills).
    """

    name: str
    kind: Literal["sam", "gun", "ship", "fighter", "ew"]
    radar: str = Field(description="sensor type id of its own fire-control / onboard radar "
                       "(for `ew`, the sensor that cues it; it adds no track)")
    reload_time: Sourced[Duration] | None = Field(
        None, description="time to reload the launchers from the reserve once they are empty"
    )
    reloads: Sourced[PositiveInt] | None = Field(
        None, description="full reloads held in reserve at the site (default none)"
    )
    aircraft: AircraftPerformance | None = Field(None, description="fighters only")
    loadout: tuple[WeaponLoad, ...] = Field(
        (), description="fighters: weapons in order of preference; the first with rounds that "
        "engages the threat's class is fired (replaces the single interceptor's pk and cost)"
    )
    interceptor: str = Field(description="name of the interceptor or round")
    interceptor_cost: Sourced[Money] = Field(description="cost of one interceptor (or one burst)")
    interceptor_speed: Sourced[PositiveSpeed]
    inventory: Sourced[PositiveInt] = Field(description="ready interceptors per unit")
    reaction_time: Sourced[Duration] = Field(
        description="from first warning in its network to the first shot"
    )
    fire_channels: int = Field(ge=1, le=1000, strict=True, description="simultaneous engagements")
    envelopes: dict[ThreatClass, Envelope] = Field(
        description="threat classes it engages (doctrine); a class left out is never engaged"
    )
    engage_on_remote: RemoteEngagement | None = Field(
        None, description="may fire on a fire-control-quality track of another sensor of its network "
        "(with its public basis); without it, a unit fires only on its own radar's track"
    )
    mobility: Mobility | None = Field(
        None, description="mobile units: cued by the network, they drive toward the threat's path"
    )


class Catalog(_Frozen):
    """Threat, sensor and shooter types, and the sources their values cite."""

    sources: dict[str, str]
    threats: dict[str, ThreatType]
    sensors: dict[str, SensorType]
    shooters: dict[str, ShooterType]

    @model_validator(mode="after")
    def _references_resolve(self) -> "Catalog":
        missing: list[str] = []
        for kind, table in (("threats", self.threats), ("sensors", self.sensors), ("shooters", self.shooters)):
            for key, item in table.items():
                for field, val in item:
                    if isinstance(val, Sourced) and val.source not in self.sources:
                        missing.append(f"{kind}.{key}.{field}: source {val.source!r} is not in `sources`")
        for key, th in self.threats.items():
            nested = [(f"trajectory.{f}", v) for f, v in (th.trajectory or ())]
            nested += [(f"manoeuvre.{f}", v) for f, v in (th.manoeuvre or ())]
            for field, val in nested:
                if isinstance(val, Sourced) and val.source not in self.sources:
                    missing.append(f"threats.{key}.{field}: source {val.source!r} is not in `sources`")
            if th.trajectory is not None and th.profile != "ballistic":
                missing.append(f"threats.{key}.trajectory: only a ballistic profile has a trajectory")
        for key, sh in self.shooters.items():
            if sh.radar not in self.sensors:
                missing.append(f"shooters.{key}.radar: unknown sensor type {sh.radar!r}")
            for cls, env in sh.envelopes.items():
                if env.source not in self.sources:
                    missing.append(f"shooters.{key}.envelopes.{cls}: source {env.source!r} is not in `sources`")
            extra: list[tuple[str, object]] = []  # nested values (top-level ones are checked above)
            if sh.aircraft is not None:
                extra += [(f"aircraft.{f}", v) for f, v in sh.aircraft]
            if sh.mobility is not None:
                extra += [(f"mobility.{f}", v) for f, v in sh.mobility]
            if sh.engage_on_remote is not None and sh.engage_on_remote.source not in self.sources:
                missing.append(f"shooters.{key}.engage_on_remote: source {sh.engage_on_remote.source!r} is not in `sources`")
            for w, load in enumerate(sh.loadout):
                extra += [(f"loadout.{w}.cost", load.cost)]
                if load.source not in self.sources:
                    missing.append(f"shooters.{key}.loadout.{w}: source {load.source!r} is not in `sources`")
            for field, val in extra:
                if isinstance(val, Sourced) and val.source not in self.sources:
                    missing.append(f"shooters.{key}.{field}: source {val.source!r} is not in `sources`")
        if missing:
            raise ValueError("; ".join(missing))
        return self

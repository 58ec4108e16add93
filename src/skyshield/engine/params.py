"""Compiled, frozen engine parameters: structure of arrays, SI units, shapes in comments.

A :class:`EngineParams` is what :func:`skyshield.engine.compile.compile_scenario` makes of
a validated scenario, the catalog and one option. The engine trusts it: validation happened
at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..geo import Theatre

__all__ = [
    "DEFENDED",
    "ALLIED",
    "ROE_CODES",
    "ThreatTypes",
    "Sensors",
    "SENSOR_KINDS",
    "FC_QUALITY_KINDS",
    "SensorModels",
    "Shooters",
    "EwSites",
    "DoctrineParams",
    "SHOOTER_KINDS",
    "Assets",
    "RaidGroupPlan",
    "EngineParams",
]

F = NDArray[np.float64]
I = NDArray[np.int64]
B = NDArray[np.bool_]

DEFENDED, ALLIED = 0, 1  # network / side codes
ROE_CODES = {"none": 0, "over-allied-territory": 1, "path-crosses-allied": 2, "in-reach": 3,
             "defended-airspace": 4}
SHOOTER_KINDS = ("sam", "gun", "ship", "fighter")
ASSIGNMENTS = ("earliest", "greedy", "optimal")
"""ROE of a shooter: 0 for the defended country's own (engages in reach over its territory)."""


@dataclass(frozen=True)
class ThreatTypes:
    names: tuple[str, ...]  # (K,)
    cls: I  # (K,) index into THREAT_CLASSES
    ballistic: B  # (K,) ballistic flight profile
    speed_mps: F  # (K,)
    alt_m: F  # (K,) cruise altitude or apogee
    rcs_m2: F  # (K,)
    cost_usd: F  # (K,)
    warhead: B  # (K,)
    p_damage: F  # (K,)
    damage_fraction: F  # (K,) share of an asset's value one damaging hit destroys
    keplerian: B = field(default_factory=lambda: np.zeros(0, bool))  # (K,) ballistic with a physical trajectory
    beta_kg_m2: F = field(default_factory=lambda: np.zeros(0))  # (K,) re-entry ballistic coefficient (inf: no drag)
    launch_failure: F = field(default_factory=lambda: np.zeros(0))  # (K,) probability of failing at launch or in flight
    manoeuvre_pk: F = field(default_factory=lambda: np.zeros(0))  # (K,) pk factor below manoeuvre_below_m (1: none)
    manoeuvre_below_m: F = field(default_factory=lambda: np.zeros(0))  # (K,)


@dataclass(frozen=True)
class Sensors:
    """Surveillance sensors, and the onboard/fire-control radars of shooters, in one table."""

    ids: tuple[str, ...]  # (S,)
    unit: F  # (S, 3) position on the unit sphere
    side: I  # (S,) DEFENDED or ALLIED: the network it reports to
    height_m: F  # (S,) antenna height or orbit altitude
    ref_range_m: F  # (S,) detection range against 1 m^2
    revisit_s: F  # (S,)
    pd_scan: F  # (S,)
    key: I  # (S,) stable name key for counter-based draws
    fc_quality: B  # (S,) holds fire-control-quality tracks (fire-control and ship radars)


SENSOR_KINDS = ("ground-radar", "aew", "ship-radar", "fighter-radar", "fire-control", "optical")
"""Sensor kind codes of :attr:`SensorModels.kind` (index into this tuple)."""
FC_QUALITY_KINDS = ("fire-control", "ship-radar")
"""Sensor kinds whose tracks are good enough to guide another unit's interceptor
(engage-on-remote); surveillance and AEW tracks cue, but do not guide."""


@dataclass(frozen=True)
class SensorModels:
    """Measurement models of the sensors (full fidelity), rows as in :class:`Sensors`."""

    kind: I  # (S,) index into SENSOR_KINDS
    range_sigma_m: F  # (S,) range noise, 1 sigma
    az_sigma_rad: F  # (S,) azimuth noise, 1 sigma
    el_sigma_rad: F  # (S,) elevation noise, 1 sigma
    swerling: I  # (S,) Swerling case for P_d
    pfa: F  # (S,) false-alarm probability per cell (sets the threshold)
    false_alarms_per_scan: F  # (S,) mean false plots per scan reaching the tracker
    orbit_radius_m: F  # (S,) circular orbit radius around the station (0 = fixed)
    orbit_period_s: F  # (S,)


@dataclass(frozen=True)
class Shooters:
    ids: tuple[str, ...]  # (J,)
    type_names: tuple[str, ...]  # (J,) catalog type id
    unit: F  # (J, 3)
    lonlat: F  # (J, 2)
    side: I  # (J,) DEFENDED or ALLIED
    roe: I  # (J,) ROE_CODES value
    radar: I  # (J,) row of its own radar in Sensors
    interceptor_cost_usd: F  # (J,)
    interceptor_speed_mps: F  # (J,) fly-out; a fighter's dash speed; a mobile unit's road speed
    inventory: I  # (J,) ready interceptors at the start
    reaction_s: F  # (J,)
    fire_channels: I  # (J,)
    max_range_m: F  # (J, C) per threat class; 0 where the class is never engaged
    min_range_m: F  # (J, C)
    max_alt_m: F  # (J, C)
    min_alt_m: F  # (J, C)
    pk: F  # (J, C)
    salvo: I  # (J, C)
    reserve: F  # (J, C) engage the class only while more than this fraction of the load remains
    kind: I  # (J,) index into SHOOTER_KINDS
    zone: I  # (J,) Zone code of the site (ROE)
    avail_from_s: F  # (J,) first moment it can engage (CAP on station)
    avail_to_s: F  # (J,) last moment (fuel of the last sortie)
    endurance_s: F  # (J,) one sortie's endurance; inf for ground and naval shooters
    reload_s: F  # (J,) from empty (or fuel out) to ready again
    reloads: I  # (J,) further loads (or sorties) after the first
    returns_to_station: B  # (J,) fighters: channel busy for the transit back after each intercept
    qra: B  # (J,) fighters on quick reaction alert (a sortie starts at the scramble)
    slot_weapon: I  # (J, S) index into weapon_names; -1 where no slot
    slot_rounds: I  # (J, S) rounds per load
    slot_cost_usd: F  # (J, S)
    slot_pk: F  # (J, S, C) single-shot kill probability of each slot's weapon
    weapon_names: tuple[str, ...]  # (W,) interceptor / weapon ids for the cost ledger
    engage_on_remote: B  # (J,) may fire on another sensor's fire-control-quality track
    mobile_reach_m: F  # (J,) how far a mobile unit drives toward a threat's path (0: fixed site)
    force: tuple[str, ...] = ()  # (J,) force id each unit comes from
    nationality: I = field(default_factory=lambda: np.zeros(0, np.int64))  # (J,) row of EngineParams.nationalities
    warn_launch: B = field(default_factory=lambda: np.zeros(0, bool))  # (J,) CAP launched on the first warning
    warn_delay_s: F = field(default_factory=lambda: np.zeros(0))  # (J,) warning to on station (alert + transit)
    warn_span_s: F = field(default_factory=lambda: np.zeros(0))  # (J,) on station to the end of the last sortie
    standoff: I = field(default_factory=lambda: np.zeros(0, np.int64))  # (J,) row of EngineParams.standoffs, -1 none


@dataclass(frozen=True)
class EwSites:
    """Electronic-warfare systems: soft kills (threats that lose their way), counted apart."""

    ids: tuple[str, ...]  # (E,)
    unit: F  # (E, 3)
    side: I  # (E,)
    radius_m: F  # (E, C) per threat class; 0 where the class is unaffected
    p_soft: F  # (E, C) probability that one pass through the coverage makes it lose its way
    key: I  # (E,) stable name key for counter-based draws


@dataclass(frozen=True)
class DoctrineParams:
    """Firing doctrine, kill assessment, coordination and assignment (see Scenario.doctrine)."""

    shoot_shoot: bool = False  # two salvoes back to back before looking
    kill_assessment: float = 1.0  # probability that an assessment is right
    look_s: float = 5.0
    independent: bool = False  # batteries do not see each other's engagements
    assignment: int = 0  # index into ASSIGNMENTS
    w_threat_value: float = 1.0
    w_time_to_go: float = 1.0
    w_asset_value: float = 1.0


@dataclass(frozen=True)
class Assets:
    ids: tuple[str, ...]  # (A,)
    kind: tuple[str, ...]  # (A,)
    lonlat: F  # (A, 2)
    radius_m: F  # (A,)
    population: I  # (A,)
    value_usd: F  # (A,)


@dataclass(frozen=True)
class RaidGroupPlan:
    """One raid group, ready to sample."""

    id: str
    type_index: int
    count: int
    launch_lonlat: F  # (L, 2) launch area centres
    launch_radius_m: F  # (L,)
    window_s: tuple[float, float]
    target_index: I  # (T,) asset rows
    target_weight: F  # (T,) normalised
    routes: tuple[F, ...]  # each (W, 2) lon/lat waypoints; empty tuple = direct
    dispersion_m: float


@dataclass(frozen=True)
class EngineParams:
    scenario_id: str
    scenario_hash: str
    option: str
    duration_s: float
    decision_interval_s: float
    threat_types: ThreatTypes
    sensors: Sensors
    shooters: Shooters
    assets: Assets
    raid: tuple[RaidGroupPlan, ...]
    theatre: Theatre
    sharing_level: int  # 0 none, 1 early warning, 2 surveillance, 3 fire control
    sharing_latency_s: float
    link_update_s: float = 12.0  # reporting interval of shared tracks
    link_outage_fraction: float = 0.0  # share of time a sharing participant is cut off
    link_outage_s: float = 300.0  # typical outage length
    link_jamming_loss: float = 0.0  # probability that one report is lost
    sensor_models: SensorModels | None = None  # measurement models (full fidelity)
    ew: EwSites | None = None  # electronic-warfare soft-kill systems
    doctrine: DoctrineParams = DoctrineParams()
    policy: object | None = None  # skyshield.policy.compile.PolicyParams: clauses, tripwires, escalation
    shelter_fraction: float = 0.0  # civil defence: share of people who shelter when warned in time
    time_to_shelter_s: float = 600.0  # warning that share needs
    ballistic_levels_m: F = field(default_factory=lambda: np.zeros(0))  # (L,) envelope altitude bounds for ballistic threats
    nationalities: tuple[str, ...] = ()  # (K,) nationality codes of the shooters ("" unspecified)
    host_permits: B = field(default_factory=lambda: np.zeros((0, 0), bool))  # (H, K) host h lets nationality k intercept over it
    standoffs: tuple = ()  # skyshield.engage.standoff.StandOffRule of the option's packages (Shooters.standoff)
    redeployment: object | None = None  # skyshield.engine.redeploy.Redeployment when the scenario has movable units
    aviation: object | None = None  # skyshield.engine.aviation.AviationParams: adversary launch platforms (opt-in)
    adversary: object | None = None  # skyshield.engine.adversary.AdversaryPlan under --adversary adaptive; None: fixed raid

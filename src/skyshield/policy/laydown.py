r"""The adversary's air-defence laydown: the envelopes inside which allied aircraft are fired upon.

A laydown (``adversary_air_defence.yaml`` beside this module) lists long-range SAM units
(S-400 class) and fighter patrol stations (Su-35/Su-30 class with R-37M/R-77-1) by region,
each a :class:`Envelope`: a centre, a reach and a probability of kill per engagement for each
kind of allied aircraft (``fighter``, ``aew``), and a rate factor. The reach of a SAM against
an aircraft at altitude :math:`z` is cut at the radar horizon,

.. math::

    R_k = \min\big(s\,\hat R_k,\; \sqrt{2 k_e R_e h_r} + \sqrt{2 k_e R_e z_k}\big),

with :math:`\hat R_k` the reach against aircraft kind :math:`k`, :math:`s` the sensitivity
scale ``envelope_scale`` (:class:`~skyshield.policy.spec.Escalation`), :math:`h_r` the engagement
radar's height and :math:`z_k` the altitude the allied aircraft of kind :math:`k` fly on
station (:func:`skyshield.sensors.radar.radar_horizon_m`). A fighter patrol's reach is its
missile's reach from its station (airborne radar: no ground horizon).

Only the units of the scenario's adversaries count: a unit whose ``country`` is one of the
theatre's adversary countries, or ``occupied`` where the theatre's occupied zone holds its
position (:func:`active_envelopes`). Positions are region centres, never sites.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from ..geo import Zone
from ..sensors.radar import radar_horizon_m

__all__ = ["Envelope", "Laydown", "AIRCRAFT_KINDS", "builtin_laydown", "load_laydown", "active_envelopes",
           "LAYDOWN_PATH"]

LAYDOWN_PATH = Path(__file__).with_name("adversary_air_defence.yaml")
AIRCRAFT_KINDS = ("fighter", "aew")
"""Kinds of allied aircraft an envelope distinguishes (a station's ``kind``)."""


@dataclass(frozen=True)
class Envelope:
    """One adversary unit (a region's SAM units, or a fighter patrol) and its reach by allied aircraft kind."""

    id: str
    system: str  # "s-400", "fighter-cap", ...
    kind: str  # "sam" or "fighter"
    country: str  # ADM0_A3 code or "occupied"
    region: str
    lon_deg: float
    lat_deg: float
    reach_fighter_m: float  # against a manoeuvring fighter
    reach_aew_m: float  # against a large, high, non-manoeuvring aircraft (AEW)
    pk_fighter: float  # probability of kill per engagement close in
    pk_aew: float
    rate_factor: float  # fire-upon rate inside, relative to ``exposure_fire_rate_per_h``
    radar_height_m: float  # engagement radar height (SAM); 0 for an airborne radar
    source: str = ""

    def reach_m(self, aircraft: str, altitude_m: float, scale: float = 1.0) -> float:
        """Reach against ``aircraft`` flying at ``altitude_m``: the claimed reach (times ``scale``), cut at the radar horizon."""
        r = (self.reach_aew_m if aircraft == "aew" else self.reach_fighter_m) * scale
        if self.kind == "sam":
            r = min(r, float(radar_horizon_m(self.radar_height_m, altitude_m)))
        return r

    def pk(self, aircraft: str) -> float:
        """Probability of kill per engagement close in against ``aircraft``."""
        return self.pk_aew if aircraft == "aew" else self.pk_fighter


@dataclass(frozen=True)
class Laydown:
    """Envelopes and the allied-side geometry they are read with (all NOTIONAL where the YAML says so)."""

    version: str
    envelopes: tuple[Envelope, ...]
    altitude_fighter_m: float  # altitude of an allied fighter on station
    altitude_aew_m: float  # altitude of an allied AEW orbit
    orbit_radius_m: float  # radius of the orbit flown around a station
    pk_edge_ratio: float  # Pk at the edge of an envelope relative to Pk close in

    def altitude_m(self, aircraft: str) -> float:
        return self.altitude_aew_m if aircraft == "aew" else self.altitude_fighter_m

    def with_envelopes(self, envelopes) -> Laydown:
        return replace(self, envelopes=tuple(envelopes))


def _num(x, where: str) -> float:
    v = float(x)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{where}: expected a finite non-negative number, got {x!r}")
    return v


def load_laydown(path: str | Path = LAYDOWN_PATH) -> Laydown:
    """Read and check a laydown file (see ``adversary_air_defence.yaml`` for the format)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    systems = doc["systems"]
    out = []
    seen: set[str] = set()
    for k, s in enumerate(doc["sites"]):
        where = f"{path}: sites[{k}] ({s.get('id')})"
        if s["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(s["id"])
        sy = systems.get(s["system"])
        if sy is None:
            raise ValueError(f"{where}: unknown system {s['system']!r}")
        if sy["kind"] not in ("sam", "fighter"):
            raise ValueError(f"{where}: system kind must be sam or fighter")
        pk = {a: _num(sy["pk"][a], where) for a in AIRCRAFT_KINDS}
        if max(pk.values()) > 1.0:
            raise ValueError(f"{where}: pk must be at most 1")
        lon, lat = (float(v) for v in s["lonlat"])
        out.append(Envelope(
            id=s["id"], system=s["system"], kind=sy["kind"], country=s["country"], region=s.get("region", ""),
            lon_deg=lon, lat_deg=lat,
            reach_fighter_m=_num(sy["reach_m"]["fighter"], where), reach_aew_m=_num(sy["reach_m"]["aew"], where),
            pk_fighter=pk["fighter"], pk_aew=pk["aew"],
            rate_factor=_num(sy.get("rate_factor", 1.0), where) * _num(s.get("rate_factor", 1.0), where),
            radar_height_m=_num(sy.get("radar_height_m", 0.0), where), source=sy.get("source", ""),
        ))
    al = doc["allied"]
    edge = _num(doc.get("pk_edge_ratio", 1.0), f"{path}: pk_edge_ratio")
    if edge > 1.0:
        raise ValueError(f"{path}: pk_edge_ratio must be at most 1")
    return Laydown(version=str(doc["version"]), envelopes=tuple(out),
                   altitude_fighter_m=_num(al["altitude_m"]["fighter"], f"{path}: allied.altitude_m"),
                   altitude_aew_m=_num(al["altitude_m"]["aew"], f"{path}: allied.altitude_m"),
                   orbit_radius_m=_num(al["orbit_radius_m"], f"{path}: allied.orbit_radius_m"),
                   pk_edge_ratio=edge)


@lru_cache(maxsize=1)
def builtin_laydown() -> Laydown:
    """The built-in eastern-flank laydown (``adversary_air_defence.yaml``)."""
    return load_laydown()


@lru_cache(maxsize=8)
def active_envelopes(theatre, laydown: Laydown | None = None) -> Laydown:
    """The laydown restricted to the units of ``theatre``'s adversaries (see the module docstring)."""
    lay = builtin_laydown() if laydown is None else laydown
    if not lay.envelopes:
        return lay
    lon = np.array([e.lon_deg for e in lay.envelopes])
    lat = np.array([e.lat_deg for e in lay.envelopes])
    zone = theatre.classify(lon, lat)
    adv = set(theatre.adversary)
    keep = [e for e, z in zip(lay.envelopes, zone)
            if e.country in adv or (e.country == "occupied" and int(z) == int(Zone.OCCUPIED))]
    return lay.with_envelopes(keep)

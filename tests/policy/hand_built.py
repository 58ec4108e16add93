"""Small hand-built scenarios and event tables for the escalation tests.

A scenario here is the mini test scenario (one small drone raid on Kyiv from Russia) with an
option ``allied`` whose forces the test places: CAP stations at chosen distances from
adversary-held territory, for instance. :class:`Night` runs the engine once up to ``assess``
and then replays only the escalate phase under other policies or other random streams, so a
Monte Carlo over the policy draws costs milliseconds per replication.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import yaml

from skyshield.catalog import load_catalog
from skyshield.engine import Engine, compile_scenario
from skyshield.options import resolve_option
from skyshield.policy.phase import EscalationPhase
from skyshield.rng import Streams
from skyshield.scenario import parse_scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml"

# Stations (lon, lat) and their distance to adversary-held territory, for orientation:
NEAR_BELARUS = (30.60, 51.10)  # north of Kyiv, about 40 km from Belarus
MID_UKRAINE = (28.00, 49.80)  # central-west Ukraine, about 150-200 km from it
FAR_UKRAINE = (25.90, 48.30)  # Chernivtsi region, well over 300 km from Russia, Belarus, Crimea
FAR_POLAND = (19.90, 50.06)  # Krakow, allied territory far from any border with the adversary
NEAR_POLAND = (23.40, 51.20)  # eastern Poland, a few tens of km from Belarus

_CAT = None


def catalog():
    global _CAT
    if _CAT is None:
        _CAT = load_catalog()
    return _CAT


def cap(fid: str, lonlat: tuple[float, float], count: int = 1, sorties: int = 4) -> dict[str, Any]:
    """An allied F-35 CAP force on station from t = 0, reliefs on station (no gaps)."""
    return {"id": fid, "type": "f-35-cap", "side": "allied", "package": "allied", "lonlat": list(lonlat),
            "count": count, "fighter": {"posture": "cap", "sorties": sorties, "relief_on_station": True}}


def aew(fid: str, lonlat: tuple[float, float]) -> dict[str, Any]:
    """An allied E-3 orbit (on station the whole night)."""
    return {"id": fid, "type": "e-3-sentry", "side": "allied", "package": "allied", "lonlat": list(lonlat)}


def scenario(forces: list[dict], escalation: dict | None = None, roe: str = "over-allied-territory",
             groups: list[dict] | None = None, assets: list[dict] | None = None, duration: str = "14 h",
             option: dict | None = None):
    """The mini scenario with ``forces`` brought by the option ``allied`` (validated)."""
    doc: dict[str, Any] = copy.deepcopy(yaml.safe_load(MINI.read_text()))
    doc["duration"] = duration
    doc["forces"] = list(doc["forces"]) + forces
    if groups is not None:
        doc["raid"] = {"groups": groups}
    if assets is not None:
        doc["assets"] = list(doc["assets"]) + assets
    spec = {"packages": ["allied"], "data_sharing": "none", "roe": roe, **(option or {})}
    if escalation:
        spec["escalation"] = escalation
    doc["options"] = {"allied": spec}
    return parse_scenario(doc, {}, "<policy-test>", catalog())


def scenario_params(forces: list[dict], escalation: dict | None = None, **kw):
    """Compiled parameters of :func:`scenario` under the option ``allied``."""
    sc = scenario(forces, escalation, **kw)
    return compile_scenario(sc, catalog(), resolve_option("allied", sc))


class _Capture:
    def __call__(self, params, raid, seg, out, streams):
        self.night = (raid, seg, out)
        return out


class Night:
    """One engine night up to ``assess``; the escalate phase replayed at will."""

    def __init__(self, params, seed: int = 1) -> None:
        cap_ = _Capture()
        Engine(escalate=cap_).run(params, Streams(seed=seed, replication=0))
        self.params = params
        self.raid, self.seg, self.out = cap_.night

    def escalate(self, r: int, policy=None, events: pa.Table | None = None, seed: int = 7):
        """Metrics and events of the escalate phase in replication ``r`` (policy and events optional)."""
        p = self.params if policy is None else replace(self.params, policy=policy)
        out = self.out if events is None else replace(self.out, events=events)
        return EscalationPhase()(p, self.raid, self.seg, out, Streams(seed=seed, replication=r))

    def p_direct(self, n: int, policy=None) -> float:
        return float(np.mean([self.escalate(r, policy).metrics["p_direct_engagement"] for r in range(n)]))


def with_rows(events: pa.Table, rows: list[dict]) -> pa.Table:
    """``events`` with hand-written rows appended (missing columns null)."""
    cols = {f.name: [r.get(f.name) for r in rows] for f in events.schema}
    extra = pa.table({k: pa.array(v, events.schema.field(k).type) for k, v in cols.items()}, schema=events.schema)
    return pa.concat_tables([events, extra])

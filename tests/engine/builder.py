"""Small hand-built scenarios for mechanism tests, on the built-in catalog (plus an overlay).

``build(...)`` takes the parts of a scenario as Python data and returns a validated scenario
and its catalog; ``phases(params, seed, rep)`` runs one replication phase by phase so a test
can look at every intermediate result (raid, segments, picture, opportunities, engagements).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from skyshield.catalog import Catalog, load_catalog
from skyshield.engine import EngineParams, compile_scenario, simulate
from skyshield.engine.battle import Engagements, GreedyBattle
from skyshield.engine.opportunities import Opportunities, find_opportunities
from skyshield.engine.raid import Raid, sample_raid
from skyshield.engine.sense import Picture, StatisticalSensing
from skyshield.engine.trajectory import Segments, build_segments
from skyshield.options import resolve_option
from skyshield.picture.network import link_into
from skyshield.rng import Streams
from skyshield.scenario import Scenario, parse_scenario

THEATRE = {"defended": "UKR", "allied": ["POL", "SVK", "HUN", "ROU"], "adversary": ["RUS", "BLR"], "neutral": ["MDA"]}


def build(tmp_path: Path, assets: list[dict], launch_areas: list[dict], forces: list[dict], groups: list[dict],
          options: dict | None = None, overlay: dict | None = None, duration: str = "8 h",
          extra: dict | None = None) -> tuple[Scenario, Catalog]:
    doc: dict[str, Any] = {
        "id": "mechanism-test-v1", "title": "mechanism test", "theatre": THEATRE, "duration": duration,
        "assets": assets, "launch_areas": launch_areas, "forces": forces, "raid": {"groups": groups},
    }
    if options:
        doc["options"] = options
    doc.update(extra or {})
    cat = load_catalog()
    if overlay:
        f = tmp_path / f"overlay-{abs(hash(yaml.safe_dump(overlay))) % 10**12}.yaml"
        f.write_text(yaml.safe_dump(overlay))
        cat = load_catalog([f])
    return parse_scenario(doc, {}, "<mechanism-test>", cat), cat


def params_for(sc: Scenario, cat: Catalog, option: str = "none") -> EngineParams:
    return compile_scenario(sc, cat, resolve_option(option, sc))


@dataclass
class Phases:
    raid: Raid
    seg: Segments
    pic: Picture
    opp: Opportunities
    eng: Engagements


def phases(params: EngineParams, seed: int = 1, rep: int = 0) -> Phases:
    st = Streams(seed=seed, replication=rep)
    raid = sample_raid(params, st)
    seg = build_segments(raid, params)
    pic = StatisticalSensing()(params, raid, seg, st)
    opp = find_opportunities(params, raid, seg, pic, link_into(params, st))
    eng = GreedyBattle()(params, raid, opp, st)
    return Phases(raid, seg, pic, opp, eng)


def metric(params: EngineParams, name: str, reps: int, seed: int = 1) -> np.ndarray:
    """One metric over replications ``0..reps-1`` (common random numbers across params)."""
    return np.array([simulate(params, seed, r).metrics.get(name, 0.0) for r in range(reps)])


def paired_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean and 95 % half-width (t) of the paired difference ``a - b``."""
    from scipy import stats

    d = np.asarray(a, float) - np.asarray(b, float)
    if d.size < 2:
        return float(d.mean()), float("inf")
    return float(d.mean()), float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))

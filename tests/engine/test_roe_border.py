"""ROE geofence on a hand-built geometry that does not depend on the reference laydown.

Drones launched in Belarus fly toward Lviv past an allied fighter patrol in eastern Poland:
half of them on a dog-leg through Poland (west of the Bug), half down the Ukrainian side of
the border, still within the patrol's reach. Under "engage only over
allied territory" every allied kill is over Poland and the rest of the reach is denied; under
"in reach" the same fighters also kill over Ukraine or Belarus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest
import yaml

from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario, simulate
from skyshield.options import resolve_option
from skyshield.scenario import parse_scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml"
REPS = 6


def _scenario():
    doc: dict[str, Any] = yaml.safe_load(MINI.read_text())
    doc["launch_areas"] = [{"id": "belarus-west", "lonlat": [24.3, 52.2], "radius": "10 km"}]
    doc["forces"] = [
        {"id": "patrol", "type": "f-35-cap", "side": "allied", "package": "policing", "lonlat": [23.75, 51.0]},
        {"id": "awacs", "type": "e-3-sentry", "side": "allied", "package": "policing", "lonlat": [22.5, 51.3]},
    ]
    doc["raid"] = {"groups": [
        {"id": "strays", "type": "shahed-136", "count": 20, "launch_areas": ["belarus-west"],
         "launch_window": ["0 h", "2 h"], "targets": {"lviv": 1},
         "via": [[[23.35, 51.35], [23.35, 50.70]]], "dispersion": "3 km"},
        {"id": "volyn", "type": "shahed-136", "count": 20, "launch_areas": ["belarus-west"],
         "launch_window": ["0 h", "2 h"], "targets": {"lviv": 1},
         "via": [[[24.45, 51.50], [24.35, 50.80]]], "dispersion": "3 km"},
    ]}
    doc["options"] = {
        "soft-shield": {"packages": ["policing"], "data_sharing": "early-warning", "roe": "over-allied-territory"},
        "anything-in-reach": {"packages": ["policing"], "data_sharing": "early-warning", "roe": "in-reach"},
    }
    cat = load_catalog()
    return parse_scenario(doc, {}, "<border>", cat), cat


@pytest.fixture(scope="module")
def kills():
    sc, cat = _scenario()
    out = {}
    for name in ("soft-shield", "anything-in-reach"):
        p = compile_scenario(sc, cat, resolve_option(name, sc))
        zones, denied = [], 0.0
        for r in range(REPS):
            o = simulate(p, 3, r)
            ev = o.events.filter(pc.equal(o.events["kind"], "kill"))
            zones += ev.column("zone").to_pylist()
            denied += o.metrics["engagements_denied_roe"]
        out[name] = (zones, denied)
    return out


def test_soft_shield_kills_only_over_allied_territory(kills) -> None:
    zones, denied = kills["soft-shield"]
    assert zones, "the patrol should engage drones crossing Poland"
    assert set(zones) == {"allied"}
    assert denied > 0


def test_in_reach_also_kills_outside_allied_territory(kills) -> None:
    zones, denied = kills["anything-in-reach"]
    assert set(zones) - {"allied"}, zones
    assert denied == 0

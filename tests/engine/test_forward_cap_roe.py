"""A forward CAP over the defended country, under defended-airspace and under in-reach.

Drones from Bryansk fly west to Kovel along the Belarusian border, past an allied F-35 CAP
over north-western Ukraine whose commit radius reaches well into Belarus. Under
``defended-airspace`` every intercept point and every debris footprint is over the defended
country (or the sea), never over Belarus or Russia; under ``in-reach`` the same patrols kill
over Belarus, which is what makes that variant an act on the adversary's territory.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.compute as pc
import pytest

from skyshield.engine import simulate

from .builder import build, params_for

REPS = 5


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fcap")
    opts = {"fc-defended": {"packages": ["fcap"], "data_sharing": "fire-control", "roe": "defended-airspace"},
            "fc-reach": {"packages": ["fcap"], "data_sharing": "fire-control", "roe": "in-reach"}}
    sc, cat = build(
        tmp,
        assets=[{"id": "kovel", "kind": "logistics", "lonlat": [24.71, 51.21], "radius": "5 km", "population": 68000, "value": 1e8}],
        launch_areas=[{"id": "bryansk", "lonlat": [33.8, 52.8], "radius": "20 km"}],
        forces=[{"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [26.2, 50.6]},
                {"id": "fcap", "type": "f-35-cap", "side": "allied", "package": "fcap", "lonlat": [27.5, 51.2],
                 "fighter": {"posture": "cap", "tanker": True, "sorties": 4, "relief_on_station": True}},
                {"id": "awacs", "type": "e-3-sentry", "side": "allied", "package": "fcap", "lonlat": [27.0, 50.5]}],
        groups=[{"id": "d", "type": "shahed-136", "count": 40, "launch_areas": ["bryansk"], "launch_window": ["0 h", "4 h"],
                 "targets": {"kovel": 1}, "dispersion": "15 km"}],
        options=opts, duration="14 h",
    )
    out = {}
    for name in opts:
        p = params_for(sc, cat, name)
        zones, debris, denied = Counter(), Counter(), 0.0
        for r in range(REPS):
            o = simulate(p, 1, r)
            k = o.events.filter(pc.equal(o.events["kind"], "kill"))
            zones.update(k.column("zone").to_pylist())
            debris.update(k.column("debris_zone").to_pylist())
            denied += o.metrics["engagements_denied_roe"]
        out[name] = zones, debris, denied
    return out


def test_under_defended_airspace_no_intercept_or_debris_leaves_the_defended_country(outcome) -> None:
    zones, debris, denied = outcome["fc-defended"]
    assert sum(zones.values()) >= 100  # the patrols engage (200 kills in 5 nights measured)
    assert set(zones) <= {"defended", "sea"}
    assert set(debris) <= {"defended", "sea"}


def test_in_reach_lets_the_same_patrols_kill_over_the_adversary(outcome) -> None:
    zones, _, denied = outcome["fc-reach"]
    assert zones["adversary"] >= 50  # 140 of 168 measured
    assert denied == 0

"""Leaker attribution: each cause forced on a hand-built scenario, and the causes sum to leaked.

Twenty drones fly from a launch area in Russia to a Ukrainian city past one radar and one
SAM; each case breaks the chain at one link and every leaker must carry that link's cause.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.engine import simulate
from skyshield.engine.explain import CAUSES

from .builder import build, params_for

CITY = {"id": "poltava", "kind": "city", "lonlat": [34.55, 49.59], "radius": "8 km", "population": 280000, "value": 2e8}
LAUNCH = {"id": "east", "lonlat": [37.8, 50.9], "radius": "10 km"}
RADAR = {"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [35.3, 50.0]}
SAM_NEAR = {"id": "sam", "type": "iris-t-slm", "side": "defended", "lonlat": [34.75, 49.7]}
SAM_FAR = {"id": "sam", "type": "iris-t-slm", "side": "defended", "lonlat": [30.5, 50.4]}
POLISH_SAM = {"id": "sam", "type": "patriot-pac3", "side": "allied", "package": "ally", "lonlat": [23.62, 51.3]}


def _causes(tmp_path: Path, forces, overlay=None, option="none", reps=4):
    sc, cat = build(tmp_path, assets=[CITY], launch_areas=[LAUNCH], forces=forces,
                    groups=[{"id": "d", "type": "shahed-136", "count": 20, "launch_areas": ["east"],
                             "launch_window": ["0 h", "2 h"], "targets": {"poltava": 1}, "dispersion": "3 km"}],
                    overlay=overlay, options={"ally": {"packages": ["ally"], "data_sharing": "surveillance",
                                                       "roe": "over-allied-territory"}})
    p = params_for(sc, cat, option)
    out = np.zeros(len(CAUSES))
    leaked = 0.0
    for r in range(reps):
        m = simulate(p, 2, r).metrics
        got = np.array([m[f"leaked_by_cause_{c.replace('-', '_')}"] for c in CAUSES])
        assert got.sum() == m["leaked"]  # the causes of every replication sum to leaked
        classes = sum(m.get(f"leaked_by_cause_{c.replace('-', '_')}_drone", 0.0) for c in CAUSES)
        assert classes == m["leaked"]
        out += got
        leaked += m["leaked"]
    return dict(zip(CAUSES, out)), leaked, m


@pytest.mark.parametrize("case, forces, overlay, option, cause", [
    ("no sensors", [], None, "none", "never-detected"),
    ("SAM far away", [RADAR, SAM_FAR], None, "none", "out-of-reach"),
    ("slow reaction", [RADAR, SAM_NEAR],
     {"sources": {"t": "test"}, "shooters": {"iris-t-slm": {"reaction_time": {"value": "10 h", "low": "10 h", "high": "10 h", "source": "t"}}}},
     "none", "detected-too-late"),
    ("empty magazine", [RADAR, {**SAM_NEAR, "inventory": 0}], None, "none", "no-interceptor-or-channel"),
    ("poor pk", [RADAR, {**SAM_NEAR, "inventory": 100000}],
     {"sources": {"t": "test"}, "shooters": {"iris-t-slm": {"envelopes": {"drone": {"pk": 0.01}}}}},
     "none", "engaged-missed"),
])
def test_each_forced_cause_is_the_cause_of_every_leaker(tmp_path, case, forces, overlay, option, cause) -> None:
    causes, leaked, _ = _causes(tmp_path, forces, overlay, option)
    assert leaked >= 60, case  # most of 80 drones get through in every case
    assert causes[cause] == leaked, (case, causes)


def test_a_leaker_within_reach_only_over_the_wrong_country_is_denied_by_roe(tmp_path) -> None:
    # A Polish Patriot allowed to fire over Poland only; the drones fly south from Belarus into
    # Volyn, about 23 km east of it: inside its reach, but only over Belarus and Ukraine.
    global CITY, LAUNCH
    saved = CITY, LAUNCH
    CITY = {"id": "poltava", "kind": "city", "lonlat": [24.0, 50.8], "radius": "5 km", "population": 1, "value": 1e6}
    LAUNCH = {"id": "east", "lonlat": [23.9, 51.9], "radius": "2 km"}
    try:
        causes, leaked, m = _causes(tmp_path, [RADAR | {"lonlat": [24.2, 51.2]}, POLISH_SAM], option="ally")
    finally:
        CITY, LAUNCH = saved
    assert leaked >= 60
    assert causes["denied-roe"] == leaked, causes
    assert m["leaked_by_cause_denied_roe_airspace"] == m["leaked_by_cause_denied_roe"]

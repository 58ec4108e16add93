"""Where warning acts on the ground (mobile fire groups), and the doctrine of keeping missiles.

Mobile fire groups: drones fly west along a great circle that passes 6 km south of a mobile
fire group, beyond its 1.5 km reach. Warned early by a surveillance radar, the group drives
toward the predicted path (40 km/h, at most 10 km) and engages; with only its own 6 km sight
it hears of a drone too late to move; a group that cannot move never reaches the path.

Reserve: a Patriot battery (PAC-2, 24 rounds) keeps three quarters of its load for missiles
(catalog ``reserve: 0.75`` on its drone envelope), so it fires at most 24 - 18 = 6 rounds at a
stream of drones; without the reserve it fires far more.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .builder import build, metric, params_for, phases

MFG = (31.0, 49.0755)  # 6.0 km north of the drones' great circle at 31.0 E
REPS = 8


def _mfg_params(tmp_path: Path, radar: bool, mobile: bool = True):
    forces = [{"id": "mfg", "type": "mobile-fire-group", "side": "defended", "lonlat": list(MFG)}]
    if radar:
        forces.append({"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [31.5, 49.3]})
    overlay = None if mobile else {"sources": {"t": "test"}, "shooters": {"mobile-fire-group": {"mobility": None}}}
    sc, cat = build(
        tmp_path,
        assets=[{"id": "city", "kind": "city", "lonlat": [29.0, 49.0], "radius": "5 km", "population": 1000, "value": 1e7}],
        launch_areas=[{"id": "east", "lonlat": [33.5, 49.0], "radius": "0 km"}],
        forces=forces,
        groups=[{"id": "d", "type": "shahed-136", "count": 20, "launch_areas": ["east"],
                 "launch_window": ["0 h", "4 h"], "targets": {"city": 1}, "dispersion": "0 km"}],
        overlay=overlay,
    )
    return params_for(sc, cat)


def test_a_warned_mobile_group_drives_to_the_path_and_engages(tmp_path: Path) -> None:
    warned = _mfg_params(tmp_path, radar=True)
    unwarned = _mfg_params(tmp_path, radar=False)
    fixed = _mfg_params(tmp_path, radar=True, mobile=False)
    k_warned = metric(warned, "destroyed", REPS)
    assert k_warned.sum() >= 10  # 22 of 160 drones measured (8 nights x 20)
    assert metric(unwarned, "engagements", REPS).sum() == 0
    assert metric(fixed, "engagements", REPS).sum() == 0
    # The drive: from 6 km off the path to within its 1.5 km reach, at 40 km/h, and at most
    # from the edge of its 1.5 + 10 km relocation circle.
    fly = phases(warned, 1, 0).opp.flyout_s
    assert fly.size > 0
    assert fly.min() >= (6000.0 - 1500.0) / (40 / 3.6) - 5.0
    assert fly.max() <= 10000.0 / (40 / 3.6) + 5.0


def _patriot_params(tmp_path: Path, reserve: float | None):
    overlay = None
    if reserve is not None:
        overlay = {"sources": {"t": "test"},
                   "shooters": {"patriot-pac2": {"envelopes": {"drone": {"reserve": reserve}}}}}
    sc, cat = build(
        tmp_path,
        assets=[{"id": "city", "kind": "city", "lonlat": [29.0, 49.0], "radius": "5 km", "population": 1000, "value": 1e7}],
        launch_areas=[{"id": "east", "lonlat": [33.0, 49.0], "radius": "5 km"}],
        forces=[{"id": "patriot", "type": "patriot-pac2", "side": "defended", "lonlat": [30.5, 49.05]}],
        groups=[{"id": "d", "type": "shahed-136", "count": 60, "launch_areas": ["east"],
                 "launch_window": ["0 h", "3 h"], "targets": {"city": 1}, "dispersion": "2 km"}],
        overlay=overlay,
    )
    return params_for(sc, cat)


def test_a_patriot_keeps_three_quarters_of_its_load_for_missiles(tmp_path: Path) -> None:
    kept = metric(_patriot_params(tmp_path, None), "interceptors_used", 4)
    free = metric(_patriot_params(tmp_path, 0.0), "interceptors_used", 4)
    assert np.all(kept == 24 - 18)
    assert free.min() > 20

"""Firing on shared tracks is a declared capability (engage-on-remote), not a data-sharing tier.

Kh-101s at 50 m fly west past two Patriot batteries: a forward one (its radar only, no rounds)
and a rear one. A 5 m mast sees a 50 m target out to the 4/3-earth horizon of 38.4 km. Without
engage-on-remote the rear battery fires only on its own radar's track, so never while the missile
is beyond that horizon; with it (an IBCS-like override) it fires on the forward radar's
fire-control track, out to its 80 km envelope, before its own radar sees the missile.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.engine.trajectory import positions_at
from skyshield.geo import EARTH_RADIUS_M
from skyshield.sensors.radar import radar_horizon_m

from .builder import build, metric, params_for, phases

REAR, FORWARD = (30.0, 49.0), (30.9, 49.0)
REPS = 4


def _params(tmp_path: Path, eor: bool, sharing_forward_side: str = "defended", option: str = "none"):
    sc, cat = build(
        tmp_path,
        assets=[{"id": "city", "kind": "city", "lonlat": [28.8, 49.0], "radius": "10 km", "population": 100000, "value": 1e8}],
        launch_areas=[{"id": "east", "lonlat": [34.5, 49.2], "radius": "10 km"}],
        forces=[
            {"id": "rear", "type": "patriot-pac2", "side": "defended", "lonlat": list(REAR), "engage_on_remote": eor},
            {"id": "forward", "type": "patriot-pac2", "side": sharing_forward_side, "lonlat": list(FORWARD),
             "inventory": 0, **({"package": "ally"} if sharing_forward_side == "allied" else {}),
             **({"deployed_forward": True} if sharing_forward_side == "allied" else {})},
        ],
        groups=[{"id": "kh", "type": "kh-101", "count": 30, "launch_areas": ["east"], "launch_window": ["0 h", "2 h"],
                 "targets": {"city": 1}, "dispersion": "3 km"}],
        options={"ally-ew": {"packages": ["ally"], "data_sharing": "early-warning"},
                 "ally-fc": {"packages": ["ally"], "data_sharing": "fire-control"}},
    )
    return params_for(sc, cat, option)


def _fire_ranges_km(p) -> np.ndarray:
    j = p.shooters.ids.index("rear")
    out = []
    for r in range(REPS):
        ph = phases(p, 1, r)
        sel = ph.eng.shooter == j
        pos = positions_at(ph.seg, ph.eng.segment[sel], ph.eng.t_fire_s[sel])
        out.append(EARTH_RADIUS_M * np.arccos(np.clip(pos @ p.shooters.unit[j], -1, 1)) / 1000.0)
    return np.concatenate(out)


def test_a_sam_without_engage_on_remote_never_fires_beyond_its_radar_horizon(tmp_path: Path) -> None:
    p = _params(tmp_path, eor=False)
    horizon_km = float(radar_horizon_m(5.0, 50.0)) / 1000.0
    assert horizon_km == pytest.approx(38.36, abs=0.01)
    r = _fire_ranges_km(p)
    assert r.size >= 40, "the rear battery must still engage on its own track"
    assert r.max() <= horizon_km
    assert metric(p, "engagements_on_remote", REPS).sum() == 0


def test_engage_on_remote_fires_on_the_forward_radar_track_beyond_the_horizon(tmp_path: Path) -> None:
    p = _params(tmp_path, eor=True)
    r = _fire_ranges_km(p)
    horizon_km = float(radar_horizon_m(5.0, 50.0)) / 1000.0
    # Most first shots now leave when the missile is still beyond the rear radar's horizon.
    assert (r > horizon_km).mean() > 0.5
    assert r.max() > 60.0
    on_remote = metric(p, "engagements_on_remote", REPS)
    assert on_remote.mean() >= 15  # of 30 missiles a night (about 24 measured)


def test_allied_fire_control_tracks_need_the_fire_control_tier(tmp_path: Path) -> None:
    # The forward radar is allied: its tracks guide the defended battery only when the option
    # shares data at the fire-control tier, not at the early-warning tier.
    ew = _params(tmp_path, eor=True, sharing_forward_side="allied", option="ally-ew")
    fc = _params(tmp_path, eor=True, sharing_forward_side="allied", option="ally-fc")
    assert metric(ew, "engagements_on_remote", REPS).sum() == 0
    assert metric(fc, "engagements_on_remote", REPS).mean() >= 15

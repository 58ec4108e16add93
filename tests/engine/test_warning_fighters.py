"""Warning from allied AEW reaches the defended country's fighters: they are vectored on it.

Kh-101s fly west at 50 m about 110 km north of a defended F-16 CAP station, inside its 120 km
commit radius but far outside what its own radar sees of a 0.01 m^2 missile, and no defended
ground radar sees them. Alone, the pair never learns of them; with an allied AEW aircraft's
tracks shared at the early-warning tier, it is vectored onto them and fires its load.
"""

from __future__ import annotations

from pathlib import Path

from .builder import build, metric, params_for

REPS = 6


def _scenario(tmp_path: Path):
    return build(
        tmp_path,
        assets=[{"id": "zhytomyr", "kind": "city", "lonlat": [28.66, 50.25], "radius": "8 km", "population": 260000, "value": 2e8}],
        launch_areas=[{"id": "east", "lonlat": [37.5, 50.8], "radius": "10 km"}],
        forces=[{"id": "f16", "type": "f-16-cap", "side": "defended", "lonlat": [31.3, 49.5],
                 "fighter": {"posture": "cap", "tanker": True, "sorties": 3, "relief_on_station": True}},
                {"id": "awacs", "type": "e-3-sentry", "side": "allied", "package": "aew", "lonlat": [33.0, 51.0]}],
        groups=[{"id": "kh", "type": "kh-101", "count": 20, "launch_areas": ["east"], "launch_window": ["0 h", "2 h"],
                 "targets": {"zhytomyr": 1}, "dispersion": "5 km"}],
        options={"aew": {"packages": ["aew"], "data_sharing": "early-warning", "sharing_latency": "30 s"}},
        duration="8 h",
    )


def test_allied_aew_warning_lets_a_defended_fighter_intercept(tmp_path: Path) -> None:
    sc, cat = _scenario(tmp_path)
    alone = params_for(sc, cat, "none")
    warned = params_for(sc, cat, "aew")
    assert metric(alone, "fighter_engagements", REPS).sum() == 0
    assert metric(alone, "detected_fraction", REPS).sum() == 0
    shots = metric(warned, "fighter_engagements", REPS)
    kills = metric(warned, "destroyed", REPS)
    assert shots.mean() >= 6  # 8 measured: the pair's whole load against cruise missiles
    assert kills.mean() >= 3  # 6.8 of 20 measured
    assert metric(warned, "early_warning_gain_s", REPS).mean() > 300

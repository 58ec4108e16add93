"""Deploy vs transfer: transferred aircraft are the defended country's in every respect.

A forward CAP of allied F-35s (and an AEW aircraft) over central Ukraine, far from every border
so that the rules of engagement never bind, meets a drone raid on Cherkasy and Uman. Deployed
under allied command or transferred, at the same data-sharing tier, it gives the same
protection. With no data sharing, deployed aircraft are a separate network from the defended
country's SAM and double-engage with it; transferred ones are one network with it and do not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skyshield.engine.params import DEFENDED, ROE_CODES

from .builder import build, metric, paired_ci, params_for

LINK = {"sharing_latency": "4 s", "link_update": "6 s"}
TRANSFER = {"transfer": {"packages": ["cap"], "lead_time": "180 d"}}


def _scenario(tmp_path: Path, sam: bool = False):
    forces = [
        {"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [32.0, 49.4]},
        {"id": "radar2", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [30.5, 48.9]},
        {"id": "cap", "type": "f-35-cap", "side": "allied", "package": "cap",
         "lonlat": [32.3, 49.5] if sam else [31.5, 49.3],
         "fighter": {"posture": "cap", "tanker": True, "sorties": 4, "relief_on_station": True}},
        {"id": "awacs", "type": "e-3-sentry", "side": "allied", "package": "cap", "lonlat": [31.0, 49.0]},
    ]
    if sam:
        forces.append({"id": "iris", "type": "iris-t-slm", "side": "defended", "lonlat": [32.1, 49.45]})
    tiers = {"fire-control": "fc", "none": "none"}
    options = {}
    for tier, tag in tiers.items():
        base = {"packages": ["cap"], "data_sharing": tier, "roe": "defended-airspace", **LINK}
        options[f"deploy-{tag}"] = base
        options[f"transfer-{tag}"] = {**base, **TRANSFER}
    return build(
        tmp_path,
        assets=[{"id": "cherkasy", "kind": "city", "lonlat": [32.06, 49.44], "radius": "8 km", "population": 270000, "value": 2e8},
                {"id": "uman", "kind": "city", "lonlat": [30.22, 48.75], "radius": "6 km", "population": 80000, "value": 1e8}],
        launch_areas=[{"id": "east", "lonlat": [36.5, 50.0], "radius": "20 km"}],
        forces=forces,
        groups=[{"id": "d", "type": "shahed-136", "count": 60, "launch_areas": ["east"], "launch_window": ["0 h", "6 h"],
                 "targets": {"cherkasy": 1} if sam else {"cherkasy": 1, "uman": 1}, "dispersion": "10 km"}],
        options=options, duration="12 h",
    )


def test_transferred_forces_are_compiled_as_the_defended_country_s(tmp_path: Path) -> None:
    sc, cat = _scenario(tmp_path)
    p = params_for(sc, cat, "transfer-fc")
    assert np.all(p.shooters.side == DEFENDED)
    assert np.all(p.sensors.side == DEFENDED)
    assert np.all(p.shooters.roe == ROE_CODES["none"])
    d = params_for(sc, cat, "deploy-fc")
    assert set(d.shooters.side.tolist()) == {1} and set(d.shooters.roe.tolist()) == {ROE_CODES["defended-airspace"]}


def test_transfer_gives_the_protection_of_deploy_at_the_same_tier(tmp_path: Path) -> None:
    sc, cat = _scenario(tmp_path)
    reps = 20
    none = metric(params_for(sc, cat, "none"), "destroyed", reps)
    deploy = metric(params_for(sc, cat, "deploy-fc"), "destroyed", reps)
    transfer = metric(params_for(sc, cat, "transfer-fc"), "destroyed", reps)
    gain, half = paired_ci(deploy, none)
    assert gain - half > 30  # the CAP matters here: about 44 of 60 drones
    diff, half = paired_ci(deploy, transfer)
    assert abs(diff) <= 0.6  # 1 % of the 60 drones launched (0 measured)
    assert abs(diff) <= half or half == 0.0


def test_transferred_aircraft_do_not_double_engage_with_the_defended_country_s_sam(tmp_path: Path) -> None:
    sc, cat = _scenario(tmp_path, sam=True)
    deployed = metric(params_for(sc, cat, "deploy-none"), "double_engagements", 10)
    transferred = metric(params_for(sc, cat, "transfer-none"), "double_engagements", 10)
    assert deployed.mean() >= 1.0  # 2.4 a night measured: two networks that do not see each other
    assert transferred.sum() == 0

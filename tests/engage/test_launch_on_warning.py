"""Fighter sorties timed to the raid: a CAP launched on warning is on station at warning +
alert + transit, and fights a raid that a patrol launched at dusk has already gone home from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.engage.fighters import launch_on_warning
from skyshield.engine import simulate
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense import StatisticalSensing
from skyshield.engine.trajectory import build_segments
from skyshield.geo import great_circle_distance_m
from skyshield.rng import Streams

from .corridor import catalog, compile_doc, scenario_doc

BASE = (30.0, 49.6)
STATION = (30.0, 50.0)  # on the threats' track, 44.5 km north of the base
LAUNCH = (30.0, 50.9)
AIM = (30.0, 49.0)


def _params(tmp_path: Path, launch: str, n: int = 20):
    cat = catalog(tmp_path, pk=1.0, salvo=1, speed="50 m/s")
    fighter = {"posture": "cap", "base": "home", "sorties": 1, "alert": "15 min"}
    if launch == "on-warning":
        fighter["launch"] = "on-warning"
    forces = [
        {"id": "radar", "type": "test-radar", "side": "defended", "lonlat": list(STATION)},
        {"id": "cap", "type": "f-16-cap", "side": "defended", "lonlat": list(STATION), "fighter": fighter},
    ]
    doc = scenario_doc(forces, n, window="0.5 h", launch=LAUNCH, aim=AIM,
                       extra={"air_bases": [{"id": "home", "lonlat": list(BASE)}]})
    # The raid comes three hours into the night: a patrol on station from dusk (1 h of
    # endurance, no tanker, no relief) has long gone home.
    doc["raid"]["groups"][0]["launch_window"] = ["3 h", "3.5 h"]
    return compile_doc(doc, cat), cat


def _night(tmp_path: Path):
    """The on-warning corridor's compiled night, its raid, flight segments and air picture
    (seed 4, replication 0), and the catalog."""
    params, cat = _params(tmp_path, "on-warning")
    st = Streams(seed=4, replication=0)
    raid = sample_raid(params, st)
    seg = build_segments(raid, params)
    return params, cat, raid, seg, StatisticalSensing()(params, raid, seg, st)


def test_cap_is_on_station_at_warning_plus_alert_plus_transit(tmp_path: Path) -> None:
    params, cat, raid, seg, pic = _night(tmp_path)
    t_w = float(pic.network_t[0].min())
    assert 3 * 3600.0 <= t_w < 3.5 * 3600.0  # the first track of the night: the first launch seen
    timed = launch_on_warning(params, raid, seg, pic)
    f16 = cat.shooters["f-16-cap"].aircraft
    transit = float(great_circle_distance_m(*BASE, *STATION)) / f16.dash_speed.value
    assert timed.shooters.avail_from_s[0] == pytest.approx(t_w + 900.0 + transit)
    assert timed.shooters.avail_to_s[0] == pytest.approx(t_w + 900.0 + transit + f16.time_on_station.value)
    assert launch_on_warning(_params(tmp_path / "s" if (tmp_path / "s").mkdir() is None else tmp_path,
                                     "scheduled")[0], raid, seg, pic).shooters.avail_to_s[0] == f16.time_on_station.value


def test_a_patrol_launched_on_warning_fights_the_raid_a_dusk_patrol_missed(tmp_path: Path) -> None:
    sched, _ = _params(tmp_path, "scheduled")
    warned, _ = _params(tmp_path / "w" if (tmp_path / "w").mkdir() is None else tmp_path, "on-warning")
    d_sched = np.array([simulate(sched, seed=3, replication=r).metrics["destroyed"] for r in range(4)])
    d_warn = np.array([simulate(warned, seed=3, replication=r).metrics["destroyed"] for r in range(4)])
    assert (d_sched == 0).all()  # spent before the raid: nothing to fight with
    # On warning, one pair on station for its hour: the raid's 20 threats pass over it within
    # 30 min of launch spread; the pair engages until its load-out is spent (14 APKWS do not
    # engage cruise missiles; 4 AIM-9X, 4 AIM-120 and 8 gun passes: at most 8 missile shots).
    assert (d_warn >= 5).all() and (d_warn <= 8).all()


def test_a_cap_warned_hours_ahead_takes_its_station_when_the_raid_comes_near(tmp_path: Path) -> None:
    # Threats seen at launch 322 km up-track of the station: the pair is not launched on the
    # first track but so as to be on station LEAD_S before the first threat enters its 120 km
    # commit radius, (322 - 120) km / 50 m/s after that threat's launch.
    from skyshield.engage.fighters import LEAD_S

    cat = catalog(tmp_path, pk=1.0, salvo=1, speed="50 m/s")
    station, launch, aim = (30.0, 48.0), (30.0, 50.9), (30.0, 47.0)
    forces = [
        {"id": "radar", "type": "test-radar", "side": "defended", "lonlat": list(launch)},
        {"id": "cap", "type": "f-16-cap", "side": "defended", "lonlat": list(station),
         "fighter": {"posture": "cap", "launch": "on-warning", "alert": "15 min"}},
    ]
    params = compile_doc(scenario_doc(forces, 5, window="0.5 h", launch=launch, aim=aim), cat)
    st = Streams(seed=2, replication=0)
    raid = sample_raid(params, st)
    seg = build_segments(raid, params)
    pic = StatisticalSensing()(params, raid, seg, st)
    timed = launch_on_warning(params, raid, seg, pic)
    commit = cat.shooters["f-16-cap"].aircraft.commit_radius.value
    t_in = raid.launch_s.min() + (float(great_circle_distance_m(*launch, *station)) - commit) / 50.0
    assert pic.network_t[0].min() < t_in - 3600.0  # warned more than an hour ahead
    assert timed.shooters.avail_from_s[0] == pytest.approx(t_in - LEAD_S, abs=2.0)

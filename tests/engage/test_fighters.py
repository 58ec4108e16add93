"""Fighters: scramble and intercept timelines against a hand-worked geometry; CAP windows,
load-out preference, return to base when out of weapons."""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.engage.fighters import cap_schedule, intercept_time, qra_airborne_s
from skyshield.engine import simulate
from skyshield.engine.opportunities import find_opportunities
from skyshield.picture.network import link_into
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense import StatisticalSensing
from skyshield.engine.trajectory import build_segments
from skyshield.geo import great_circle_distance_m
from skyshield.rng import Streams

from .corridor import catalog, compile_doc, scenario_doc

BASE = (30.0, 50.0)
LAUNCH = (30.0, 50.9)  # due north of the base: the threat flies down the meridian over it
AIM = (30.0, 49.0)


def _qra_params(tmp_path: Path, alert: str = "5 min"):
    cat = catalog(tmp_path, pk=1.0, salvo=1, speed="50 m/s")
    forces = [
        {"id": "radar", "type": "test-radar", "side": "defended", "lonlat": list(BASE)},
        {"id": "qra", "type": "f-35-cap", "side": "defended", "lonlat": list(BASE),
         "fighter": {"posture": "qra", "alert": alert}},
    ]
    doc = scenario_doc(forces, 1, window="0 h", launch=LAUNCH, aim=AIM)
    return compile_doc(doc, cat), cat


def test_qra_intercept_time_matches_the_hand_worked_geometry(tmp_path: Path) -> None:
    # Hand-worked: warning at t_w (the radar's first detection, seconds), scramble order 90 s later (F-35
    # reaction), airborne 5 min after that (QRA-5): t_a = t_w + 390 s. The drone (50 m/s) is
    # then 100.08 km - 50 t_a m from the base, head-on; closing at 400 + 50 m/s:
    # t = t_a + (100.08 km - 50 t_a) / 450, i.e. about 569 s + 8/9 t_w.
    params, cat = _qra_params(tmp_path)
    st = Streams(seed=1, replication=0)
    raid = sample_raid(params, st)
    seg = build_segments(raid, params)
    pic = StatisticalSensing()(params, raid, seg, st)
    opp = find_opportunities(params, raid, seg, pic, link_into(params, st))
    t_w = float(pic.network_t[0, 0])
    assert 0.0 <= t_w < 60.0
    f35 = cat.shooters["f-35-cap"]
    t_a = qra_airborne_s(t_w, f35.reaction_time.value, 300.0)
    d0 = float(great_circle_distance_m(*LAUNCH, *BASE))
    expected = intercept_time((0.0, 0.0), f35.aircraft.dash_speed.value, t_a, (0.0, d0), (0.0, -50.0))
    assert expected == pytest.approx(t_a + (d0 - 50.0 * t_a) / 450.0)
    assert expected == pytest.approx(390.0 + 100.08e3 / 450.0 - 50.0 * 390.0 / 450.0 + t_w * 400.0 / 450.0, abs=1.0)
    assert opp.shooter.size == 1
    assert opp.t_first_s[0] == pytest.approx(expected, abs=0.5)
    assert opp.flyout_s[0] == pytest.approx((expected - t_a), abs=0.5)  # the pair's transit


def test_a_slower_alert_state_intercepts_later_by_the_difference_in_closing(tmp_path: Path) -> None:
    p5, _ = _qra_params(tmp_path, "5 min")
    p15, _ = _qra_params(tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path, "15 min")
    t = []
    for params in (p5, p15):
        st = Streams(seed=1, replication=0)
        raid = sample_raid(params, st)
        seg = build_segments(raid, params)
        t.append(float(find_opportunities(params, raid, seg, StatisticalSensing()(params, raid, seg, st), link_into(params, st)).t_first_s[0]))
    # Ten more minutes on the ground: the drone comes 30 km closer, so the meeting point moves
    # 30 km toward the base and the intercept is 600 s - 30 km / 450 m/s... later.
    assert t[1] - t[0] == pytest.approx(600.0 - 600.0 * 50.0 / 450.0, abs=1.0)


def test_cap_schedule_by_hand() -> None:
    s = cap_schedule("cap", 14 * 3600, 3600, 5400, 7200, False, 2, False, 5400, 600)
    assert (s.available_from_s, s.endurance_s, s.reload_s, s.reloads) == (3600, 5400, 5400 + 1200, 1)
    assert s.available_to_s == 3600 + 2 * 5400 + 6600
    tanked = cap_schedule("cap", 14 * 3600, 0, 5400, 7200, True, 1, True, 5400, 600)
    assert tanked.endurance_s == 5400 + 7200 and tanked.available_to_s == 12600
    qra = cap_schedule("qra", 36000, 0, 5400, 7200, False, 3, False, 5400, 600)
    assert (qra.available_from_s, qra.available_to_s, qra.reloads, qra.reload_s) == (0, 36000, 2, 5400)


def test_cap_on_station_late_does_not_engage_before_it_arrives(tmp_path: Path) -> None:
    cat = catalog(tmp_path, pk=1.0, salvo=1, speed="50 m/s")
    forces = [
        {"id": "radar", "type": "test-radar", "side": "defended", "lonlat": list(BASE)},
        {"id": "cap", "type": "f-16-cap", "side": "defended", "lonlat": list(BASE),
         "fighter": {"posture": "cap", "on_station": "1 h"}},
    ]
    params = compile_doc(scenario_doc(forces, 5, window="2 h", launch=LAUNCH, aim=AIM), cat)
    assert params.shooters.avail_from_s[0] == 3600.0
    st = Streams(seed=2, replication=0)
    raid = sample_raid(params, st)
    seg = build_segments(raid, params)
    opp = find_opportunities(params, raid, seg, StatisticalSensing()(params, raid, seg, st), link_into(params, st))
    assert opp.shooter.size > 0
    assert (opp.t_first_s - opp.flyout_s >= 3600.0 - 1.0).all()
    assert (opp.t_last_s <= params.shooters.avail_to_s[0] + 1e-6).all()


def _f16_params(tmp_path: Path, sorties: int, n: int, window: str):
    cat = catalog(tmp_path, pk=1.0, salvo=1, speed="50 m/s")
    forces = [
        {"id": "radar", "type": "test-radar", "side": "defended", "lonlat": list(BASE)},
        {"id": "cap", "type": "f-16-cap", "side": "defended", "lonlat": list(BASE),
         "fighter": {"posture": "cap", "sorties": sorties, "relief_on_station": True, "tanker": True}},
    ]
    doc = scenario_doc(forces, n, window=window, launch=LAUNCH, aim=AIM, threat="shahed-136")
    return compile_doc(doc, cat)


def test_load_out_preference_and_return_to_base_when_out_of_weapons(tmp_path: Path) -> None:
    few = simulate(_f16_params(tmp_path, 1, 3, "0.2 h"), seed=1, replication=0).metrics
    assert few["fighter_engagements"] >= 3
    assert few["interceptors_apkws"] == few["interceptors_used"]  # the cheapest capable weapon first
    assert few["interceptors_aim_120"] == 0
    many = simulate(_f16_params(tmp_path, 1, 200, "2.5 h"), seed=1, replication=0).metrics
    load = 14 + 4 + 4 + 8  # APKWS, AIM-9X, AIM-120, gun passes of one pair
    assert many["interceptors_used"] == load  # everything spent, then home: no more shots
    relieved = simulate(_f16_params(tmp_path, 3, 200, "2.5 h"), seed=1, replication=0).metrics
    assert relieved["interceptors_used"] > load  # a relief pair takes over

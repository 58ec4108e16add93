"""Exposure of allied aircraft: P(direct engagement) grows with CAP units, hours on station and
closeness to adversary-held territory, and is about zero far from it (hand-built scenarios)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from skyshield.engage.fighters import cap_schedule
from skyshield.policy.exposure import distance_to_geometry_m, on_station_intervals, reach_weight

from .hand_built import (
    FAR_POLAND,
    FAR_UKRAINE,
    MID_UKRAINE,
    NEAR_BELARUS,
    NEAR_POLAND,
    Night,
    cap,
    catalog,
    scenario_params,
)

H = 3600.0
R_EARTH_M = 6_371_008.8
RATE = 0.05  # per hour at the border: large, so that a 400-replication Monte Carlo resolves the effects
# Response rates 0: only the exposure channel can reach direct engagement in these tests.
ESC = {"exposure_fire_rate_per_h": RATE, "response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0,
       "response_rate_accidental": 0.0}
N = 400


def _logistic(d_m: float) -> float:
    return 1.0 / (1.0 + math.exp((d_m - 150e3) / 20e3))  # the documented default reach and fall-off


def _night(*forces) -> Night:
    return Night(scenario_params(list(forces), ESC))


def _direct(night: Night) -> np.ndarray:
    return np.array([night.escalate(r).metrics["p_direct_engagement"] for r in range(N)])


def _tol(p: float) -> float:
    return 4.0 * math.sqrt(max(p * (1 - p), 1e-4) / N)


# --- building blocks against closed forms ------------------------------------------------------

def test_on_station_time_follows_the_cap_schedule():
    # Relief on station: one block of sorties x endurance; with gaps: sorties apart by endurance + gap.
    sch = cap_schedule("cap", 14 * H, 0.0, 1.5 * H, 2 * H, False, 4, True, 1.5 * H, 0.5 * H)
    iv = on_station_intervals(sch.available_from_s, sch.available_to_s, sch.endurance_s, sch.reload_s, sch.reloads, False)
    assert sum(b - a for a, b in iv) == 4 * 1.5 * H
    sch = cap_schedule("cap", 20 * H, 1 * H, 1.5 * H, 2 * H, True, 3, False, 1.5 * H, 0.5 * H)
    iv = on_station_intervals(sch.available_from_s, sch.available_to_s, sch.endurance_s, sch.reload_s, sch.reloads, False)
    gap = 1.5 * H + 2 * 0.5 * H
    assert iv == [(1 * H + k * (3.5 * H + gap), 1 * H + k * (3.5 * H + gap) + 3.5 * H) for k in range(3)]
    # An 8-hour night: the second sortie (from 6 h) is cut at the end of the night, no third.
    sch = cap_schedule("cap", 8 * H, 0.0, 1.5 * H, 2 * H, True, 3, False, 1.5 * H, 0.5 * H)
    iv = on_station_intervals(sch.available_from_s, sch.available_to_s, sch.endurance_s, sch.reload_s, sch.reloads, False)
    assert iv == [(0.0, 3.5 * H), (3.5 * H + gap, 8 * H)]
    # QRA waits on the ground; a unit without a posture is on station all night.
    assert on_station_intervals(0.0, 14 * H, 1.5 * H, 1.5 * H, 3, True) == []
    assert on_station_intervals(0.0, 14 * H, math.inf, math.inf, 0, False) == [(0.0, 14 * H)]


def test_distance_to_an_area_matches_spherical_closed_forms():
    box = shapely.box(30.0, 50.0, 31.0, 51.0)
    # Due south of the southern edge: the distance is the arc of latitude.
    d = distance_to_geometry_m(box, 30.5, 49.5)[0]
    assert abs(d - R_EARTH_M * math.radians(0.5)) < 1000.0
    # East of the meridian edge at 31 E: sin(d / R) = cos(lat) sin(dlon).
    d = distance_to_geometry_m(box, 31.5, 50.5)[0]
    want = R_EARTH_M * math.asin(math.cos(math.radians(50.5)) * math.sin(math.radians(0.5)))
    assert abs(d - want) < 1000.0
    assert distance_to_geometry_m(box, 30.5, 50.5)[0] == 0.0  # inside


@given(st.floats(0, 600e3), st.floats(0, 600e3))
def test_the_reach_fall_off_never_rises_with_distance(d1, d2):
    lo, hi = sorted((d1, d2))
    assert reach_weight(hi, 150e3, 20e3) <= reach_weight(lo, 150e3, 20e3)


def test_the_reach_fall_off_is_half_at_the_reach_and_small_beyond_200_km():
    assert reach_weight(150e3, 150e3, 20e3) == 0.5
    assert reach_weight(0.0, 150e3, 20e3) > 0.999
    assert reach_weight(200e3, 150e3, 20e3) < 0.08  # the 'Sky Shield' criterion: > 200 km, low risk
    assert reach_weight(250e3, 150e3, 20e3) < 0.01


# --- P(direct engagement) grows with exposure, on hand-built scenarios ------------------------

@pytest.fixture(scope="module")
def one_cap():
    return _night(cap("c", NEAR_BELARUS, count=1, sorties=4))


def test_exposure_hours_and_hazard_are_the_closed_form(one_cap):
    m = one_cap.escalate(0).metrics
    tos = catalog().shooters["f-35-cap"].aircraft.time_on_station.value
    d = one_cap.params.policy.stations[0].dist_m
    assert d < 40e3  # the station is close to Belarus
    assert np.isclose(m["allied_aircraft_h"], 4 * tos / H)
    assert np.isclose(m["exposure_hazard"], RATE * _logistic(d) * 4 * tos / H)


def test_p_direct_grows_with_the_number_of_cap_units(one_cap):
    four = _night(cap("c", NEAR_BELARUS, count=4, sorties=4))
    h1 = one_cap.escalate(0).metrics["exposure_hazard"]
    assert np.isclose(four.escalate(0).metrics["exposure_hazard"], 4 * h1)
    d1, d4 = _direct(one_cap), _direct(four)
    p1, p4 = 1 - math.exp(-h1), 1 - math.exp(-4 * h1)
    assert abs(d1.mean() - p1) < _tol(p1) and abs(d4.mean() - p4) < _tol(p4)
    assert d4.mean() - d1.mean() > 0.35  # 0.26 -> 0.70 with these rates
    assert (d4 >= d1).all()  # same dice: more exposure is never safer in any replication


def test_p_direct_grows_with_hours_on_station(one_cap):
    short = _night(cap("c", NEAR_BELARUS, count=1, sorties=1))
    h4 = one_cap.escalate(0).metrics["exposure_hazard"]
    assert np.isclose(short.escalate(0).metrics["exposure_hazard"], h4 / 4)
    ds, d4 = _direct(short), _direct(one_cap)
    ps = 1 - math.exp(-h4 / 4)
    assert abs(ds.mean() - ps) < _tol(ps)
    assert d4.mean() - ds.mean() > 0.12  # 0.07 -> 0.26
    assert (d4 >= ds).all()


def test_p_direct_falls_with_distance_from_adversary_held_territory_to_about_zero(one_cap):
    mid = _night(cap("c", MID_UKRAINE, count=1, sorties=4))
    far = _night(cap("c", FAR_UKRAINE, count=1, sorties=4))
    h_near, h_mid, h_far = (n.escalate(0).metrics["exposure_hazard"] for n in (one_cap, mid, far))
    d_mid, d_far = mid.params.policy.stations[0].dist_m, far.params.policy.stations[0].dist_m
    assert 150e3 < d_mid < 220e3 and d_far > 300e3
    assert np.isclose(h_mid / h_near, _logistic(d_mid) / _logistic(one_cap.params.policy.stations[0].dist_m))
    assert h_far < 1e-4 * h_near
    dn, dm, df = _direct(one_cap), _direct(mid), _direct(far)
    assert dn.mean() - dm.mean() > 0.12  # 0.26 -> 0.04
    assert df.sum() == 0
    assert (dn >= dm).all() and (dm >= df).all()


def test_aircraft_over_allied_territory_carry_little_risk_and_none_far_from_the_border(one_cap):
    near_pl = _night(cap("c", NEAR_POLAND, count=1, sorties=4))
    far_pl = _night(cap("c", FAR_POLAND, count=1, sorties=4))
    h_ua = one_cap.escalate(0).metrics["exposure_hazard"]
    st = near_pl.params.policy.stations[0]
    h_pl = near_pl.escalate(0).metrics["exposure_hazard"]
    # Over allied soil the rate is the allied-airspace factor (0.05) of the rate over the defended country.
    assert np.isclose(h_pl, RATE * 0.05 * _logistic(st.dist_m) * near_pl.escalate(0).metrics["allied_aircraft_h"])
    assert h_pl < 0.06 * h_ua
    assert far_pl.escalate(0).metrics["exposure_hazard"] < 1e-4 * h_ua
    assert _direct(far_pl).sum() == 0


def test_a_transferred_or_absent_aircraft_is_not_an_allied_station():
    p = scenario_params([cap("c", NEAR_BELARUS)], ESC, option={"transfer": {"packages": ["allied"], "lead_time": "0 d"}})
    assert p.policy.stations == ()
    assert Night(p).escalate(0).metrics["exposure_hazard"] == 0.0

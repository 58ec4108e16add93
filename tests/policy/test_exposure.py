"""Exposure of allied aircraft by geometry: time on station inside the envelopes of the adversary
laydown (S-400 class SAMs, fighter patrols) sets how often they are fired upon and how many are
lost; P(direct engagement) and allied losses grow with exposure and fall with stand-off distance
(hand-built scenarios and laydowns, against spherical closed forms and Poisson moments)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skyshield.engage.fighters import cap_schedule
from skyshield.geo import EARTH_RADIUS_M, Theatre, Zone, destination_point
from skyshield.policy.exposure import (
    Station,
    distance_to_geometry_m,
    on_station_intervals,
    station_exposure,
    which_envelope,
)
from skyshield.policy.laydown import Envelope, Laydown, active_envelopes, builtin_laydown
from skyshield.sensors.radar import radar_horizon_m

from .hand_built import NEAR_BELARUS, Night, cap, catalog, scenario_params

H = 3600.0
R_EARTH_M = 6_371_008.8
RATE = 0.05  # per unit-hour inside a reference envelope: large, so that a Monte Carlo resolves the effects
# Response rates 0: only the exposure channel can reach direct engagement in these tests.
ESC = {"exposure_fire_rate_per_h": RATE, "response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0,
       "response_rate_accidental": 0.0}
N = 400
GOMEL = (30.5, 52.3)  # the built-in laydown's Gomel-region S-400 envelope (region centre)


def _share(d_m: float, reach_m: float, orbit_m: float) -> float:
    """Spherical closed form: share of a circle of radius ``orbit_m`` centred ``d_m`` from a point within ``reach_m`` of it."""
    a, b, c = orbit_m / EARTH_RADIUS_M, reach_m / EARTH_RADIUS_M, d_m / EARTH_RADIUS_M
    if c == 0.0 or a == 0.0:
        return float(max(c, a) <= b)
    x = (math.cos(b) - math.cos(c) * math.cos(a)) / (math.sin(c) * math.sin(a))
    return math.acos(min(1.0, max(-1.0, x))) / math.pi


def _env(eid: str, lonlat, reach_fighter_m=150e3, reach_aew_m=380e3, pk=0.3, rate_factor=1.0, kind="sam",
         country="BLR") -> Envelope:
    return Envelope(id=eid, system="s-400" if kind == "sam" else "fighter-cap", kind=kind, country=country,
                    region=eid, lon_deg=lonlat[0], lat_deg=lonlat[1], reach_fighter_m=reach_fighter_m,
                    reach_aew_m=reach_aew_m, pk_fighter=pk, pk_aew=pk, rate_factor=rate_factor,
                    radar_height_m=25.0 if kind == "sam" else 0.0)


def _laydown(*envs: Envelope, orbit_m: float = 25e3, edge: float = 0.5) -> Laydown:
    return Laydown("test", tuple(envs), 6000.0, 9000.0, orbit_m, edge)


def _south_of(lonlat, d_m: float) -> tuple[float, float]:
    lon, lat = destination_point(lonlat[0], lonlat[1], 180.0, d_m)
    return (float(lon), float(lat))


def _night(*forces) -> Night:
    return Night(scenario_params(list(forces), ESC))


def _metric(night: Night, name: str, policy=None, n: int = N) -> np.ndarray:
    return np.array([night.escalate(r, policy).metrics[name] for r in range(n)])


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


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 400e3), st.floats(20e3, 300e3), st.floats(5e3, 60e3))
def test_the_share_of_an_orbit_inside_an_envelope_is_the_spherical_closed_form(d_m, reach_m, orbit_m):
    # An orbit concentric with the envelope and of its radius (to a metre) lies on its edge at
    # every point: inside or outside is decided by rounding there, so that case is left out.
    assume(d_m > 1.0 or abs(orbit_m - reach_m) > 1.0)
    site = (30.0, 52.0)
    lon, lat = _south_of(site, d_m) if d_m > 0 else site
    stn = Station("s", "fighter", lon, lat, 1, 1, 0.0)
    sx = station_exposure(stn, _laydown(_env("e", site, reach_fighter_m=reach_m), orbit_m=orbit_m), 1.0, 0.05)
    got = float(sx.share_inside[0]) if sx.envelope else 0.0
    assert abs(got - _share(d_m, reach_m, orbit_m)) <= 2.0 / 360 + 1e-9  # 360 orbit points


def test_a_sam_envelope_is_cut_at_the_radar_horizon_of_the_aircraft_altitude():
    e = _env("e", GOMEL)
    assert e.reach_m("fighter", 6000.0) == 150e3  # at 6 km the horizon (~340 km) does not bind
    low = e.reach_m("fighter", 300.0)
    assert low == pytest.approx(float(radar_horizon_m(25.0, 300.0))) and 85e3 < low < 95e3
    assert e.reach_m("aew", 9000.0, scale=0.5) == 190e3
    # A fighter patrol's airborne radar has no ground horizon.
    assert _env("f", GOMEL, kind="fighter").reach_m("fighter", 300.0) == 150e3


def test_the_builtin_laydown_keeps_only_the_scenarios_adversaries():
    full = builtin_laydown()
    assert {e.country for e in full.envelopes} == {"RUS", "BLR", "occupied"}
    assert all(0 < e.pk_fighter <= 1 and e.reach_aew_m >= e.reach_fighter_m for e in full.envelopes)
    both = active_envelopes(Theatre("UKR", allied=("POL", "ROU"), adversary=("RUS", "BLR")))
    assert both.envelopes == full.envelopes  # every occupied-territory unit lies in the occupied zone
    rus = active_envelopes(Theatre("UKR", allied=("POL", "ROU"), adversary=("RUS",), neutral=("BLR",)))
    assert {e.country for e in rus.envelopes} == {"RUS", "occupied"}
    none_occ = active_envelopes(Theatre("UKR", allied=("POL",), adversary=("RUS",), occupied=None))
    assert {e.country for e in none_occ.envelopes} == {"RUS"}
    assert active_envelopes(Theatre("ISR", allied=("USA",), adversary=("IRN",), occupied=None)).envelopes == ()


# --- hazard and losses: the closed form, and the Monte Carlo around it ---------------------------

@pytest.fixture(scope="module")
def one_cap():
    return _night(cap("c", NEAR_BELARUS, count=1, sorties=4))


def test_the_fired_upon_count_is_poisson_with_mean_rate_times_hours_inside_each_envelope(one_cap):
    # One station fully inside one envelope and half inside another (rate factor 0.5).
    pol = one_cap.params.policy
    stn = pol.stations[0]
    full = _env("full", _south_of((stn.lon_deg, stn.lat_deg), 20e3))
    half = _env("half", _south_of((stn.lon_deg, stn.lat_deg), 150e3), rate_factor=0.5)
    pol2 = replace(pol, laydown=_laydown(full, half))
    m = one_cap.escalate(0, pol2).metrics
    tos_h = 4 * catalog().shooters["f-35-cap"].aircraft.time_on_station.value / H
    q_half = _share(150e3, 150e3, 25e3)
    assert 0.45 < q_half < 0.5  # the envelope edge curves away from the orbit
    sx = station_exposure(stn, pol2.laydown, 1.0, 0.05)
    assert np.isclose(sx.share_inside, [1.0, q_half], atol=2 / 360).all()
    want = RATE * (1.0 + 0.5 * q_half) * tos_h
    assert np.isclose(m["allied_aircraft_h"], tos_h)
    assert m["exposure_hazard"] == pytest.approx(want, rel=0.01)
    assert m["exposure_h_in_sam_envelopes"] == pytest.approx((1.0 + q_half) * tos_h, rel=0.01)
    # Poisson: mean and variance of the count both equal the hazard (4 standard errors).
    k = _metric(one_cap, "allied_fired_upon", pol2)
    h = m["exposure_hazard"]
    assert abs(k.mean() - h) < 4 * math.sqrt(h / N)
    assert abs(k.var() - h) < 4 * math.sqrt((h + 3 * h * h) / N)  # var of the sample variance, Poisson
    assert abs((k > 0).mean() - (1 - math.exp(-h))) < 4 * math.sqrt(0.25 / N)


def test_losses_per_engagement_are_the_envelope_pk_at_the_orbits_distance(one_cap):
    # Station over the unit's position: every orbit point is r = 25 km out, Pk(d) = pk (1 - (1 - rho) d / R).
    pol = one_cap.params.policy
    stn = pol.stations[0]
    pol2 = replace(pol, laydown=_laydown(_env("over", (stn.lon_deg, stn.lat_deg), pk=0.8), edge=0.25))
    p_hit = 0.8 * (1 - 0.75 * 25e3 / 150e3)
    m = one_cap.escalate(0, pol2).metrics
    assert m["exposure_expected_losses"] == pytest.approx(m["exposure_hazard"] * p_hit, rel=1e-9)
    fired = _metric(one_cap, "allied_fired_upon", pol2)
    lost = _metric(one_cap, "allied_losses", pol2)
    p = lost.sum() / fired.sum()
    assert abs(p - p_hit) < 4 * math.sqrt(p_hit * (1 - p_hit) / fired.sum())
    # A weaker unit (Pk 0.2) at the same place: the same engagements, fewer losses.
    pol3 = replace(pol, laydown=_laydown(_env("over", (stn.lon_deg, stn.lat_deg), pk=0.2), edge=0.25))
    assert (_metric(one_cap, "allied_fired_upon", pol3) == fired).all()
    assert lost.mean() - _metric(one_cap, "allied_losses", pol3).mean() > 0.5 * (0.8 - 0.2) * (1 - 0.75 / 6) * fired.mean()


def test_the_envelope_that_fires_is_drawn_in_proportion_to_its_rate():
    stn = Station("s", "fighter", 30.0, 50.0, 1, 1, 0.0)
    rates = np.array([0.1, 0.6, 0.3])
    n = 20_000
    k = which_envelope(12345, stn, rates, n)
    freq = np.bincount(k, minlength=3) / n
    assert np.all(np.abs(freq - rates) < 4 * np.sqrt(rates * (1 - rates) / n))
    # Its own dice: the same station and count give the same choices, another station others.
    assert (which_envelope(12345, stn, rates, n) == k).all()
    assert (which_envelope(12345, replace(stn, force_id="t"), rates, n) != k).any()


# --- stand-off: a CAP moved away from the border leaves the envelopes ---------------------------

@pytest.fixture(scope="module")
def standoff_nights():
    # A CAP due south of the Belarusian border north of Kyiv (the border at about 51.26 N on
    # 30.5 E), at 50, 150 and 250 km from it, against the built-in laydown.
    border = (30.5, 51.26)
    return {d: _night(cap("c", _south_of(border, d * 1e3), count=2, sorties=4)) for d in (50, 150, 250)}


RATE_SO = 0.5  # per unit-hour inside a reference envelope (the stand-off test: a few engagements a night)


def _so(night: Night):
    pol = night.params.policy
    return replace(pol, escalation=pol.escalation.model_copy(update={"exposure_fire_rate_per_h": RATE_SO}))


def _predicted_hazard(night: Night) -> tuple[float, float]:
    """Hazard and expected losses from the spherical closed form over the built-in laydown (independent of the code)."""
    pol = night.params.policy
    stn = pol.stations[0]
    lay = pol.laydown
    hours = night.escalate(0).metrics["allied_aircraft_h"]
    h = loss = 0.0
    for e in lay.envelopes:
        d = float(np.asarray(_gc(stn.lon_deg, stn.lat_deg, e.lon_deg, e.lat_deg)))
        reach = e.reach_fighter_m  # 6 km altitude: the horizon does not bind
        q = _share(d, reach, lay.orbit_radius_m)
        h += RATE_SO * e.rate_factor * q * hours
        loss += RATE_SO * e.rate_factor * q * hours * _mean_pk(d, reach, lay.orbit_radius_m, e.pk_fighter, lay.pk_edge_ratio)
    return h, loss


def _mean_pk(d_m: float, reach_m: float, orbit_m: float, pk: float, rho: float) -> float:
    """Mean of pk (1 - (1 - rho) x / R) over the arc of the orbit inside the envelope (spherical law of cosines, fine quadrature)."""
    a, c = orbit_m / EARTH_RADIUS_M, d_m / EARTH_RADIUS_M
    th = np.linspace(0.0, math.pi, 200_001)
    x = EARTH_RADIUS_M * np.arccos(np.clip(math.cos(c) * math.cos(a) + math.sin(c) * math.sin(a) * np.cos(th), -1, 1))
    ins = x <= reach_m
    return float(np.mean(pk * (1 - (1 - rho) * x[ins] / reach_m))) if ins.any() else 0.0


def _gc(lon1, lat1, lon2, lat2) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    return EARTH_RADIUS_M * math.acos(min(1.0, math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)))


def test_a_cap_moved_from_50_to_250_km_from_the_border_loses_the_exposure_the_geometry_predicts(standoff_nights):
    n50, n150, n250 = (standoff_nights[d] for d in (50, 150, 250))
    for d, n in standoff_nights.items():
        assert abs(n.params.policy.stations[0].dist_m - d * 1e3) < 15e3
    h = {d: n.escalate(0, _so(n)).metrics["exposure_hazard"] for d, n in standoff_nights.items()}
    pred = {d: _predicted_hazard(n)[0] for d, n in standoff_nights.items()}
    assert pred[50] > 0.5  # at the edge of the Gomel-region S-400 envelope against fighters
    for d, hd in h.items():
        assert hd == pytest.approx(pred[d], rel=0.02, abs=1e-9)
    assert h[250] == 0.0 and h[150] < 0.1 * h[50]
    # Monte Carlo on the same dice: P(direct) and losses fall by the predicted amounts.
    p50, p250 = _metric(n50, "p_direct_engagement", _so(n50)), _metric(n250, "p_direct_engagement", _so(n250))
    want = 1 - math.exp(-pred[50])
    assert abs(p50.mean() - want) < 4 * math.sqrt(want * (1 - want) / N)
    assert p250.sum() == 0 and (p50 >= _metric(n150, "p_direct_engagement", _so(n150))).all()
    l50 = _metric(n50, "allied_losses", _so(n50))
    loss_pred = _predicted_hazard(n50)[1]
    assert n50.escalate(0, _so(n50)).metrics["exposure_expected_losses"] == pytest.approx(loss_pred, rel=0.03)
    assert abs(l50.mean() - loss_pred) < 4 * math.sqrt(loss_pred / N) and l50.mean() > 0.05
    assert _metric(n250, "allied_losses", _so(n250)).sum() == 0


def test_a_station_inside_an_s400_envelope_is_fired_upon_and_one_outside_is_not(one_cap):
    pol = one_cap.params.policy
    stn = pol.stations[0]
    inside = replace(pol, laydown=_laydown(_env("s400", _south_of((stn.lon_deg, stn.lat_deg), 100e3))))
    outside = replace(pol, laydown=_laydown(_env("s400", _south_of((stn.lon_deg, stn.lat_deg), 200e3))))
    assert one_cap.escalate(0, outside).metrics["exposure_hazard"] == 0.0
    h_in = one_cap.escalate(0, inside).metrics["exposure_hazard"]
    assert h_in == pytest.approx(RATE * one_cap.escalate(0).metrics["allied_aircraft_h"], rel=1e-9)
    d_in, d_out = _metric(one_cap, "p_direct_engagement", inside), _metric(one_cap, "p_direct_engagement", outside)
    assert d_out.sum() == 0 and d_in.mean() > 1 - math.exp(-h_in) - 4 * math.sqrt(0.25 / N)
    # The same station against an AEW reach (380 km) of the same unit: an E-3 orbit is inside.
    aew = Station("e", "aew", stn.lon_deg, stn.lat_deg, 1, stn.zone, stn.dist_m)
    assert station_exposure(aew, outside.laydown, 1.0, 0.05).share_inside.tolist() == [1.0]


def test_more_units_and_more_hours_inside_mean_more_engagements_on_the_same_dice(one_cap):
    four = _night(cap("c", NEAR_BELARUS, count=4, sorties=4))
    short = _night(cap("c", NEAR_BELARUS, count=1, sorties=1))
    h1 = one_cap.escalate(0).metrics["exposure_hazard"]
    assert h1 > 0
    assert four.escalate(0).metrics["exposure_hazard"] == pytest.approx(4 * h1)
    assert short.escalate(0).metrics["exposure_hazard"] == pytest.approx(h1 / 4)
    k1, k4, ks = (_metric(n, "allied_fired_upon", n=200) for n in (one_cap, four, short))
    assert (k4 >= k1).all() and (k1 >= ks).all()
    assert k4.mean() - k1.mean() > 0.5 * 3 * h1


def test_over_allied_territory_the_rate_is_the_airspace_factor(one_cap):
    pol = one_cap.params.policy
    stn = pol.stations[0]
    lay = _laydown(_env("s400", _south_of((stn.lon_deg, stn.lat_deg), 50e3)))
    allied = replace(stn, zone=int(Zone.ALLIED))
    a = station_exposure(allied, lay, 1.0, 0.05)
    b = station_exposure(stn, lay, 1.0, 0.05)
    assert a.airspace == 0.05 and b.airspace == 1.0 and a.share_inside.tolist() == b.share_inside.tolist()


def test_on_the_reference_night_sky_shield_stays_out_of_russian_envelopes_with_less_exposure_per_hour_than_forward_cap():
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.policy.exposure import station_intervals
    from skyshield.scenario import load_scenario

    sc = load_scenario("eastern-flank-night-raid-v1", catalog())
    out = {}
    for o in ("forward-cap", "sky-shield"):
        p = compile_scenario(sc, catalog(), resolve_option(o, sc))
        pol = p.policy
        hz = hours = 0.0
        countries = set()
        for s in pol.stations:
            sx = station_exposure(s, pol.laydown, 1.0, pol.escalation.allied_airspace_factor)
            u = sum(b - a for a, b in station_intervals(p, s)) / H
            hours += u
            hz += float(np.sum(sx.rate_factor * sx.share_inside)) * sx.airspace * u
            countries |= {pol.laydown.envelopes[k].country for k in sx.envelope}
        out[o] = (hz, hours, countries)
    (h_f, u_f, _), (h_s, u_s, c_s) = out["forward-cap"], out["sky-shield"]
    assert "RUS" not in c_s  # more than 200 km from Russia: no Russian envelope reaches a station
    assert u_s > 2 * u_f  # sky-shield flies three times the aircraft-hours ...
    assert h_s < h_f and h_s / u_s < 0.5 * h_f / u_f  # ... with less exposure, and under half per hour


def test_a_transferred_or_absent_aircraft_is_not_an_allied_station():
    p = scenario_params([cap("c", NEAR_BELARUS)], ESC, option={"transfer": {"packages": ["allied"], "lead_time": "0 d"}})
    assert p.policy.stations == ()
    assert Night(p).escalate(0).metrics["exposure_hazard"] == 0.0


@pytest.mark.slow
def test_the_geometry_benchmark_gives_the_engines_exposure_metrics_and_its_variants_move_them():
    # benchmarks/exposure_geometry.py (the tables of docs/escalation.md) against the escalate
    # phase of a full simulate() on the reference night, and its variants in the right direction.
    import importlib.util
    import sys

    from skyshield.engine import compile_scenario, simulate
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    from ..conftest import REPO

    spec = importlib.util.spec_from_file_location("exposure_geometry", REPO / "benchmarks" / "exposure_geometry.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    sc = load_scenario(mod.SCENARIO, catalog())
    p = compile_scenario(sc, catalog(), resolve_option("forward-cap", sc))
    got = mod.option_exposure(p, p.policy)
    want = simulate(p, seed=3, replication=0).metrics
    assert got["hazard"] == pytest.approx(want["exposure_hazard"], rel=1e-12)
    assert got["losses"] == pytest.approx(want["exposure_expected_losses"], rel=1e-12)
    assert got["sam_h"] == pytest.approx(want["exposure_h_in_sam_envelopes"], rel=1e-12)
    closer = {label: how for label, _, how in mod.variants()}["every unit 100 km toward Kyiv"]
    moved = mod.option_exposure(p, replace(p.policy, laydown=closer[1](p.policy.laydown)))
    assert moved["hazard"] > 1.5 * got["hazard"]

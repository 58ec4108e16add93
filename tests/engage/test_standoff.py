"""The stand-off rule of an option (Sky Shield's "more than 200 km from Russian territory").

Hand-built scenario: drones from Bryansk oblast fly to Zhytomyr and to Brovary, past an allied
F-35 CAP west of Kyiv, about 230 km from Russia. Brovary lies about 190 km from Russia, so a
drone's whole way there is inside the keep-out; the way to Zhytomyr leaves it west of Kyiv.
Without a stand-off the patrol kills drones of both groups wherever they are in reach; with it
no intercept point lies within 200 km of Russia (measured here by great-circle distance to the
Natural Earth outline, independent of the projected keep-out the engine uses), the drones
bound for Brovary get through, and those bound for Zhytomyr are still met, closer to it.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.documents import ScenarioError
from skyshield.engage.standoff import StandOffRule, check_sites, clip_outside, inside_keepout
from skyshield.engine import simulate
from skyshield.geo import Theatre, lonlat_to_unit
from skyshield.geo.zones import country_geometry
from skyshield.policy.exposure import distance_to_geometry_m

from ..engine.builder import THEATRE, build, paired_ci, params_for

REPS = 8
RULE = StandOffRule(200e3, ("RUS",))
TH = Theatre(THEATRE["defended"], tuple(THEATRE["allied"]), tuple(THEATRE["adversary"]), tuple(THEATRE["neutral"]))


def _dist_to_russia_m(lon, lat):
    return distance_to_geometry_m(country_geometry("RUS", TH.bbox), lon, lat)


@settings(max_examples=60, deadline=None)
@given(st.floats(22.5, 40.0), st.floats(44.5, 53.0))
def test_the_keep_out_is_the_set_of_points_within_the_distance_by_great_circle(lon, lat):
    d = float(_dist_to_russia_m(lon, lat)[0])
    inside = bool(inside_keepout(TH, RULE, lon, lat)[0])
    if abs(d - 200e3) > 3e3:  # projection and outline vertices: within 1.5 % of the distance
        assert inside == (d < 200e3), (lon, lat, d)


def test_clip_keeps_the_part_of_an_arc_outside_the_keep_out_to_within_a_sample_step():
    # A great circle from 28 E, 50.45 N east to 33 E: it enters the keep-out near Kyiv.
    a = lonlat_to_unit(28.0, 50.45).reshape(1, 3)
    b = lonlat_to_unit(33.0, 50.45).reshape(1, 3)
    cos = float(np.sum(a * b))
    t = b - a * cos
    t /= np.linalg.norm(t)
    arc = float(np.arccos(np.clip(cos, -1, 1)))
    row, s0, s1 = clip_outside(TH, RULE, a, t, np.array([0.0]), np.array([arc]))
    assert row.tolist() == [0] and s0[0] == 0.0
    # Exact edge by bisection on the great-circle distance.
    lo, hi = 0.0, arc
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        q = a[0] * np.cos(mid) + t[0] * np.sin(mid)
        lon, lat = np.degrees(np.arctan2(q[1], q[0])), np.degrees(np.arcsin(q[2]))
        lo, hi = (mid, hi) if _dist_to_russia_m(lon, lat)[0] > 200e3 else (lo, mid)
    edge_m = lo * 6371008.8
    assert s1[0] * 6371008.8 == pytest.approx(edge_m, abs=4e3)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standoff")
    cap = {"posture": "cap", "tanker": True, "sorties": 4, "relief_on_station": True}
    opts = {"plain": {"packages": ["shield"], "data_sharing": "fire-control", "roe": "defended-airspace"},
            "standoff": {"packages": ["shield"], "data_sharing": "fire-control", "roe": "defended-airspace",
                         "standoff": {"distance": "200 km", "areas": ["RUS"]}}}
    return build(
        tmp,
        assets=[{"id": "zhytomyr", "kind": "city", "lonlat": [28.66, 50.25], "radius": "7 km", "population": 260000,
                 "value": 2e8},
                {"id": "brovary", "kind": "city", "lonlat": [30.79, 50.51], "radius": "5 km", "population": 100000,
                 "value": 1e8}],
        launch_areas=[{"id": "bryansk", "lonlat": [33.8, 52.8], "radius": "20 km"}],
        forces=[{"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [30.3, 50.6]},
                {"id": "radar-n", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [31.3, 51.4]},
                {"id": "cap", "type": "f-35-cap", "side": "allied", "package": "shield", "lonlat": [29.9, 50.35],
                 "fighter": cap}],
        groups=[{"id": "d", "type": "shahed-136", "count": 20, "launch_areas": ["bryansk"],
                 "launch_window": ["0 h", "4 h"], "targets": {"zhytomyr": 1}, "dispersion": "10 km"},
                {"id": "b", "type": "shahed-136", "count": 20, "launch_areas": ["bryansk"],
                 "launch_window": ["0 h", "4 h"], "targets": {"brovary": 1}, "dispersion": "5 km"}],
        options=opts, duration="12 h",
    )


@pytest.fixture(scope="module")
def nights(world):
    sc, cat = world
    out = {}
    for name in ("plain", "standoff"):
        p = params_for(sc, cat, name)
        out[name] = [simulate(p, 3, r) for r in range(REPS)]
    return out


def _allied_points(outcome):
    ev = outcome.events
    k = ev.filter(pc.and_(pc.equal(ev["kind"], "kill"), pc.equal(ev["shooter"], "cap")))
    return np.array(k.column("lon_deg").to_pylist()), np.array(k.column("lat_deg").to_pylist())


def test_with_the_stand_off_no_intercept_point_is_within_200_km_of_russia(nights):
    for name, lo_km, hi_km in (("standoff", 198.0, np.inf), ("plain", 0.0, np.inf)):
        lon = np.concatenate([_allied_points(o)[0] for o in nights[name]])
        lat = np.concatenate([_allied_points(o)[1] for o in nights[name]])
        assert lon.size >= 20, name  # the patrol kills in both
        d_km = _dist_to_russia_m(lon, lat) / 1e3
        assert d_km.min() >= lo_km, name
    # Without the rule the same patrol kills well inside the keep-out.
    lon = np.concatenate([_allied_points(o)[0] for o in nights["plain"]])
    lat = np.concatenate([_allied_points(o)[1] for o in nights["plain"]])
    assert (_dist_to_russia_m(lon, lat) < 190e3).mean() > 0.3


def test_the_stand_off_lets_the_drones_bound_inside_the_keep_out_through_and_still_meets_the_others(nights):
    def per_night(name, key):
        return np.array([o.metrics[key] for o in nights[name]], float)

    d, h = paired_ci(per_night("standoff", "asset_brovary_leaked"), per_night("plain", "asset_brovary_leaked"))
    assert d - h > 6.0  # of 20 bound for Brovary (measured: all 20 against about 8 without the rule)
    assert per_night("standoff", "asset_zhytomyr_leaked").mean() < 3.0  # the others are still met (measured: 0)
    assert (per_night("standoff", "engagements_denied_roe_standoff") > 0).all()
    assert (per_night("plain", "engagements_denied_roe_standoff") == 0).all()


def test_a_station_inside_the_keep_out_is_refused(world):
    sc, cat = world
    bad = sc.model_copy(update={"forces": tuple(
        f.model_copy(update={"lonlat": (31.3, 51.0)}) if f.id == "cap" else f for f in sc.forces)})
    with pytest.raises(ScenarioError, match="stand-off"):
        params_for(bad, cat, "standoff")
    params_for(bad, cat, "plain")  # the same station is fine without the rule
    assert check_sites(TH, RULE, [("kyiv-west", 29.9, 50.35)]) == []


def test_a_stand_off_from_areas_outside_the_theatre_keeps_nothing_out():
    """Areas with no territory in the theatre's box (Australia): no point is inside the
    keep-out and every point is infinitely far from it, whatever the shape of the input.
    Mutants killed: the empty keep-out answering a wrong shape or dtype."""
    from skyshield.engage.standoff import distance_to_keepout_edge_m

    far = StandOffRule(200e3, ("AUS",))
    lon, lat = np.array([24.0, 30.5, 36.0]), np.array([49.8, 50.4, 48.0])
    inside = inside_keepout(TH, far, lon, lat)
    assert inside.dtype == np.bool_ and inside.shape == (3,) and not inside.any()
    d = distance_to_keepout_edge_m(TH, far, lon, lat)
    assert d.shape == (3,) and np.isinf(d).all()
    assert check_sites(TH, far, [("lviv", 24.0, 49.8)]) == []

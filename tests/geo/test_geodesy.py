"""Tests for skyshield.geo.geodesy: sphere and WGS-84 against published distances and identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.geo.geodesy import (
    EARTH_RADIUS_M,
    ENUFrame,
    destination_point,
    geodesic_forward,
    geodesic_inverse,
    great_circle_distance_m,
    great_circle_waypoints,
    initial_bearing_deg,
    lonlat_to_unit,
    unit_to_lonlat,
)

KYIV = (30.5234, 50.4501)
LVIV = (24.0316, 49.8397)
WARSAW = (21.0122, 52.2297)

lons = st.floats(-179.999, 179.999, allow_nan=False)
lats = st.floats(-89.9, 89.9, allow_nan=False)
theatre_lons = st.floats(12.0, 52.0, allow_nan=False)
theatre_lats = st.floats(40.0, 60.0, allow_nan=False)


# ---- oracle: closed forms and published figures -------------------------------------------


def test_quarter_meridian_on_the_sphere_is_half_pi_r() -> None:
    d = great_circle_distance_m(0.0, 0.0, 0.0, 90.0)
    assert d == pytest.approx(math.pi / 2 * EARTH_RADIUS_M, rel=1e-15)


def test_antipodes_are_pi_r_apart_on_the_sphere() -> None:
    d = great_circle_distance_m(10.0, 20.0, -170.0, -20.0)
    assert d == pytest.approx(math.pi * EARTH_RADIUS_M, rel=1e-12)


def test_one_metre_is_resolved_without_cancellation() -> None:
    # 1 m along the equator is 1/R rad; the law of cosines would return 0 or noise here.
    dlon_deg = math.degrees(1.0 / EARTH_RADIUS_M)
    assert great_circle_distance_m(0.0, 0.0, dlon_deg, 0.0) == pytest.approx(1.0, rel=1e-9)


def test_kyiv_lviv_is_about_470_km_and_sphere_agrees_with_wgs84_to_half_a_percent() -> None:
    sphere_m = great_circle_distance_m(*KYIV, *LVIV)
    _, wgs84_m = geodesic_inverse(*KYIV, *LVIV)
    assert 460e3 < sphere_m < 475e3
    assert abs(sphere_m - wgs84_m) / wgs84_m < 0.005


def test_warsaw_kyiv_geodesic_is_about_690_km_heading_east_south_east() -> None:
    az_deg, d_m = geodesic_inverse(*WARSAW, *KYIV)
    assert d_m == pytest.approx(690e3, rel=0.01)
    assert 95.0 < az_deg < 110.0


def test_wgs84_meridian_quadrant_matches_published_value() -> None:
    # WGS-84 equator-to-pole meridian arc: 10 001 965.729 m.
    _, d_m = geodesic_inverse(0.0, 0.0, 0.0, 90.0)
    assert d_m == pytest.approx(10_001_965.729, abs=1e-3)


def test_wgs84_equatorial_degree_is_a_pi_over_180() -> None:
    _, d_m = geodesic_inverse(0.0, 0.0, 1.0, 0.0)
    assert d_m == pytest.approx(6_378_137.0 * math.pi / 180.0, abs=1e-6)


@pytest.mark.parametrize(
    ("end", "expected_deg"),
    [((0.0, 10.0), 0.0), ((10.0, 0.0), 90.0), ((0.0, -10.0), 180.0), ((-10.0, 0.0), 270.0)],
)
def test_initial_bearing_cardinal_directions(
    end: tuple[float, float], expected_deg: float
) -> None:
    assert initial_bearing_deg(0.0, 0.0, *end) == pytest.approx(expected_deg, abs=1e-12)


def test_destination_quarter_circle_east_from_origin_lands_on_90e() -> None:
    lon, lat = destination_point(0.0, 0.0, 90.0, math.pi / 2 * EARTH_RADIUS_M)
    assert lon == pytest.approx(90.0, abs=1e-9)
    assert lat == pytest.approx(0.0, abs=1e-9)


def test_unit_vectors_of_axes() -> None:
    u = lonlat_to_unit([0.0, 90.0, 0.0], [0.0, 0.0, 90.0])
    np.testing.assert_allclose(u, np.eye(3), atol=1e-15)


# ---- round trips and consistency (Hypothesis) ----------------------------------------------


@given(lons, lats)
def test_lonlat_unit_round_trip(lon: float, lat: float) -> None:
    u = lonlat_to_unit(lon, lat)
    assert np.linalg.norm(u) == pytest.approx(1.0, abs=1e-15)
    lon2, lat2 = unit_to_lonlat(u)
    assert lat2 == pytest.approx(lat, abs=1e-9)
    assert lon2 == pytest.approx(lon, abs=1e-9)


@given(lons, lats, st.floats(0.0, 359.99), st.floats(1.0, 5_000_000.0))
def test_destination_point_is_at_the_requested_distance_and_bearing(
    lon: float, lat: float, bearing: float, dist_m: float
) -> None:
    lon2, lat2 = destination_point(lon, lat, bearing, dist_m)
    assert great_circle_distance_m(lon, lat, lon2, lat2) == pytest.approx(dist_m, rel=1e-8)
    got = initial_bearing_deg(lon, lat, lon2, lat2)
    diff = (got - bearing + 180.0) % 360.0 - 180.0
    assert abs(diff) < 1e-6


@settings(max_examples=50)
@given(theatre_lons, theatre_lats, st.floats(0.0, 359.99), st.floats(10.0, 2_000_000.0))
def test_geodesic_forward_then_inverse_recovers_azimuth_and_distance(
    lon: float, lat: float, az: float, dist_m: float
) -> None:
    lon2, lat2 = geodesic_forward(lon, lat, az, dist_m)
    az2, d2 = geodesic_inverse(lon, lat, lon2, lat2)
    assert d2 == pytest.approx(dist_m, abs=1e-6)
    assert abs((az2 - az + 180.0) % 360.0 - 180.0) < 1e-7


@settings(max_examples=50)
@given(
    theatre_lons,
    theatre_lats,
    st.floats(-300.0, 3000.0),
    st.floats(-500_000.0, 500_000.0),
    st.floats(-500_000.0, 500_000.0),
    st.floats(-1_000.0, 30_000.0),
)
def test_enu_round_trip_to_a_micrometre(
    lon0: float, lat0: float, h0: float, e: float, n: float, u: float
) -> None:
    frame = ENUFrame(lon0, lat0, h0)
    lon, lat, h = frame.from_enu(e, n, u)
    e2, n2, u2 = frame.to_enu(lon, lat, h)
    np.testing.assert_allclose([e2, n2, u2], [e, n, u], rtol=0.0, atol=1e-6)


# ---- ENU frame facts ------------------------------------------------------------------------


def test_enu_origin_maps_to_zero_and_height_maps_to_up() -> None:
    frame = ENUFrame(*KYIV, 180.0)
    np.testing.assert_allclose(frame.to_enu(*KYIV, 180.0), (0.0, 0.0, 0.0), atol=1e-6)
    np.testing.assert_allclose(frame.to_enu(*KYIV, 10_180.0), (0.0, 0.0, 10_000.0), atol=1e-6)


def test_enu_horizontal_range_matches_wgs84_geodesic_for_short_ranges() -> None:
    # Over 20 km the tangent plane drops ~31 m below the ellipsoid; the slant range still
    # agrees with the geodesic length to better than 1e-5 relative.
    frame = ENUFrame(*KYIV)
    az = np.array([0.0, 45.0, 90.0, 200.0])
    lon, lat = geodesic_forward(KYIV[0], KYIV[1], az, 20_000.0)
    e, n, u = frame.to_enu(lon, lat, 0.0)
    np.testing.assert_allclose(np.sqrt(e**2 + n**2 + u**2), 20_000.0, rtol=1e-5)
    np.testing.assert_allclose(np.mod(np.degrees(np.arctan2(e, n)), 360.0), az, atol=0.01)
    assert np.all(u < 0.0)


def test_enu_is_vectorised_with_broadcasting() -> None:
    frame = ENUFrame(24.0, 50.0)
    lon = np.linspace(23.0, 25.0, 6).reshape(2, 3)
    e, n, u = frame.to_enu(lon, 50.5, 1000.0)
    assert e.shape == n.shape == u.shape == (2, 3)
    for idx in np.ndindex(2, 3):
        np.testing.assert_allclose(
            (e[idx], n[idx], u[idx]), frame.to_enu(lon[idx], 50.5, 1000.0), atol=1e-9
        )


# ---- vectorisation and waypoints -----------------------------------------------------------


def test_array_inputs_match_scalar_calls() -> None:
    rng = np.random.default_rng(7)
    lon1, lon2 = rng.uniform(12, 52, (2, 20))
    lat1, lat2 = rng.uniform(40, 60, (2, 20))
    d = great_circle_distance_m(lon1, lat1, lon2, lat2)
    az, gd = geodesic_inverse(lon1, lat1, lon2, lat2)
    b = initial_bearing_deg(lon1, lat1, lon2, lat2)
    for i in range(20):
        assert d[i] == great_circle_distance_m(lon1[i], lat1[i], lon2[i], lat2[i])
        assert b[i] == initial_bearing_deg(lon1[i], lat1[i], lon2[i], lat2[i])
        assert (az[i], gd[i]) == geodesic_inverse(lon1[i], lat1[i], lon2[i], lat2[i])


def test_waypoints_include_end_points_and_are_evenly_spaced_on_the_arc() -> None:
    lon, lat = great_circle_waypoints(*WARSAW, *KYIV, 11)
    assert lon.shape == lat.shape == (11,)
    assert (lon[0], lat[0]) == pytest.approx(WARSAW, abs=1e-12)
    assert (lon[-1], lat[-1]) == pytest.approx(KYIV, abs=1e-12)
    legs = great_circle_distance_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    total = great_circle_distance_m(*WARSAW, *KYIV)
    np.testing.assert_allclose(legs, total / 10, rtol=1e-9)


def test_waypoints_broadcast_over_routes_and_survive_coincident_ends() -> None:
    lon, lat = great_circle_waypoints([10.0, 30.0], [50.0, 45.0], [20.0, 30.0], [55.0, 45.0], 5)
    assert lon.shape == lat.shape == (2, 5)
    np.testing.assert_allclose(lon[1], 30.0, atol=1e-12)
    np.testing.assert_allclose(lat[1], 45.0, atol=1e-12)


def test_waypoints_need_two_points() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        great_circle_waypoints(0.0, 0.0, 1.0, 1.0, 1)

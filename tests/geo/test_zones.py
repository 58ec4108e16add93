"""Tests for skyshield.geo.zones: cities land in the zones any atlas puts them in."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from skyshield.geo.zones import (
    BUILTIN_OCCUPIED_2025,
    BUILTIN_OCCUPIED_2025_SOURCE,
    Theatre,
    Zone,
    available_countries,
    country_geometry,
)

EASTERN_FLANK = Theatre(
    defended="UKR",
    allied=("POL", "ROU", "SVK", "HUN", "LTU", "LVA", "EST"),
    adversary=("RUS", "BLR"),
    neutral=("MDA",),
)

CITIES: dict[str, tuple[float, float, Zone]] = {
    "Kyiv": (30.5234, 50.4501, Zone.DEFENDED),
    "Lviv": (24.0316, 49.8397, Zone.DEFENDED),
    "Kharkiv": (36.2304, 49.9935, Zone.DEFENDED),
    "Odesa": (30.7233, 46.4825, Zone.DEFENDED),
    "Zaporizhzhia": (35.1396, 47.8388, Zone.DEFENDED),
    "Kherson": (32.6169, 46.6354, Zone.DEFENDED),
    "Kramatorsk": (37.5560, 48.7389, Zone.DEFENDED),
    "Rzeszow": (22.00, 50.04, Zone.ALLIED),
    "Bucharest": (26.1025, 44.4268, Zone.ALLIED),
    "Vilnius": (25.2797, 54.6872, Zone.ALLIED),
    "Minsk": (27.5615, 53.9045, Zone.ADVERSARY),
    "Moscow": (37.6173, 55.7558, Zone.ADVERSARY),
    "Kaliningrad": (20.5101, 54.7104, Zone.ADVERSARY),
    "Sevastopol": (33.52, 44.62, Zone.OCCUPIED),
    "Donetsk": (37.80, 48.00, Zone.OCCUPIED),
    "Luhansk": (39.3078, 48.5740, Zone.OCCUPIED),
    "Mariupol": (37.5498, 47.0971, Zone.OCCUPIED),
    "Melitopol": (35.3653, 46.8489, Zone.OCCUPIED),
    "Chisinau": (28.8638, 47.0105, Zone.NEUTRAL),
    "western Black Sea": (31.5, 43.5, Zone.SEA),
    "Berlin": (13.4050, 52.5200, Zone.OTHER),
    "Istanbul": (28.9784, 41.0082, Zone.OTHER),
    "Paris (outside the box)": (2.3522, 48.8566, Zone.OTHER),
}


@pytest.mark.parametrize("name", list(CITIES))
def test_city_lies_in_expected_zone(name: str) -> None:
    lon, lat, expected = CITIES[name]
    got = EASTERN_FLANK.classify(lon, lat)
    assert got.shape == ()
    assert got.dtype == np.int8
    assert Zone(int(got)) is expected


def test_mixed_vector_equals_scalar_results_and_keeps_shape() -> None:
    lon = np.array([c[0] for c in CITIES.values()])
    lat = np.array([c[1] for c in CITIES.values()])
    scalar = np.array([EASTERN_FLANK.classify(x, y) for x, y in zip(lon, lat)])
    np.testing.assert_array_equal(EASTERN_FLANK.classify(lon, lat), scalar)
    np.testing.assert_array_equal(np.array([c[2] for c in CITIES.values()]), scalar)
    grid = EASTERN_FLANK.classify(lon[:20].reshape(4, 5), lat[:20].reshape(4, 5))
    np.testing.assert_array_equal(grid.ravel(), scalar[:20])


def test_neutral_country_is_other_when_not_listed() -> None:
    theatre = Theatre("UKR", allied=("POL",), adversary=("RUS",))
    assert theatre.classify(28.8638, 47.0105) == Zone.OTHER


def test_berlin_is_allied_when_germany_is_listed() -> None:
    theatre = Theatre("UKR", allied=("DEU",), adversary=("RUS",))
    assert theatre.classify(13.4050, 52.5200) == Zone.ALLIED


def test_without_occupation_crimea_and_donetsk_are_defended() -> None:
    theatre = Theatre("UKR", allied=(), adversary=("RUS",), occupied=None)
    np.testing.assert_array_equal(theatre.classify([33.52, 37.80], [44.62, 48.00]), Zone.DEFENDED)


def test_non_finite_and_out_of_box_points_are_other() -> None:
    got = EASTERN_FLANK.classify([np.nan, 30.0, 60.0], [50.0, np.inf, 50.0])
    np.testing.assert_array_equal(got, Zone.OTHER)


def test_unknown_iso_code_raises_key_error_with_suggestions() -> None:
    with pytest.raises(KeyError, match="unknown country code 'UKRA'.*UKR"):
        country_geometry("UKRA")
    with pytest.raises(KeyError, match="POL"):
        Theatre("UKR", allied=("POLL",), adversary=("RUS",))


def test_country_in_two_roles_is_rejected() -> None:
    with pytest.raises(ValueError, match="POL"):
        Theatre("UKR", allied=("POL",), adversary=("POL",))


def test_country_geometry_is_clipped_cached_and_valid() -> None:
    rus = country_geometry("RUS")
    assert rus is country_geometry("RUS")
    assert rus.is_valid
    lon_min, lat_min, lon_max, lat_max = rus.bounds
    assert lon_min >= 12.0 and lat_min >= 40.0 and lon_max <= 52.0 and lat_max <= 60.0
    assert {"UKR", "POL", "RUS", "BLR", "MDA", "ROU"} <= set(available_countries())


def test_ukraine_area_is_about_600_thousand_km2() -> None:
    # Geodesic polygon area on WGS-84 against the published 603,500 km2 (Crimea included).
    from pyproj import Geod

    area_m2, _ = Geod(ellps="WGS84").geometry_area_perimeter(country_geometry("UKR"))
    assert abs(area_m2) == pytest.approx(603.5e9, rel=0.02)


def test_builtin_occupied_polygon_is_coarse_valid_and_documented() -> None:
    ring = shapely.Polygon(BUILTIN_OCCUPIED_2025)
    assert ring.is_valid
    assert 15 <= len(BUILTIN_OCCUPIED_2025) <= 50
    assert "2025" in BUILTIN_OCCUPIED_2025_SOURCE


def test_occupied_share_of_ukraine_is_about_a_fifth() -> None:
    # Public estimates for autumn 2025: about 19 % of Ukraine's territory.
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    occ, _ = geod.geometry_area_perimeter(EASTERN_FLANK.zone_geometry(Zone.OCCUPIED))
    ukr, _ = geod.geometry_area_perimeter(country_geometry("UKR"))
    assert 0.16 < abs(occ) / abs(ukr) < 0.22


def test_zone_geometries_agree_with_classify() -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(12.0, 52.0, 5000)
    lat = rng.uniform(40.0, 60.0, 5000)
    codes = EASTERN_FLANK.classify(lon, lat)
    for zone in Zone:
        inside = shapely.contains_xy(EASTERN_FLANK.zone_geometry(zone), lon, lat)
        np.testing.assert_array_equal(inside, codes == zone, err_msg=zone.name)


def test_crosses_flags_paths_with_any_vertex_in_zone_and_ignores_nan_padding() -> None:
    kyiv, lviv, moscow = (30.5234, 50.4501), (24.0316, 49.8397), (37.6173, 55.7558)
    lon = np.array(
        [
            [kyiv[0], lviv[0], np.nan],
            [moscow[0], kyiv[0], lviv[0]],
            [moscow[0], np.nan, np.nan],
        ]
    )
    lat = np.array(
        [
            [kyiv[1], lviv[1], np.nan],
            [moscow[1], kyiv[1], lviv[1]],
            [moscow[1], np.nan, np.nan],
        ]
    )
    np.testing.assert_array_equal(
        EASTERN_FLANK.crosses(Zone.ADVERSARY, lon, lat), [False, True, True]
    )
    np.testing.assert_array_equal(
        EASTERN_FLANK.crosses(Zone.DEFENDED, lon, lat), [True, True, False]
    )
    np.testing.assert_array_equal(
        EASTERN_FLANK.crosses(Zone.OTHER, lon, lat), [False, False, False]
    )


def test_theatre_is_hashable_and_accepts_lists() -> None:
    a = Theatre("UKR", allied=["POL"], adversary=["RUS"])  # type: ignore[arg-type]
    b = Theatre("UKR", allied=("POL",), adversary=("RUS",))
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize("a, b, zones", [
    ("UKR", "BLR", {Zone.DEFENDED, Zone.ADVERSARY}),
    ("UKR", "POL", {Zone.DEFENDED, Zone.ALLIED}),
    ("POL", "SVK", {Zone.ALLIED}),
    ("UKR", "MDA", {Zone.DEFENDED, Zone.NEUTRAL}),
])
def test_land_borders_between_two_countries_never_read_as_sea(a, b, zones) -> None:
    # Points on the land border as Natural Earth draws it at full resolution (before our
    # simplification): each must belong to one of the two countries, never to the sea. Each
    # country is simplified on its own, which leaves slivers between neighbours; they are
    # given to a neighbour, so none of these points may fall into a gap.
    from shapely.geometry import shape

    from skyshield.geo.zones import _country_shapes

    def raw(code):
        return shapely.union_all([shape(s) for s in _country_shapes()[code]])

    ra, rb = raw(a), raw(b)
    border = shapely.intersection(shapely.boundary(ra), shapely.buffer(rb, 1e-3))
    xy = shapely.get_coordinates(border)
    # Leave out the ends near a third country (tri-points), where either answer is right.
    others = [raw(c) for c in ("UKR", "BLR", "POL", "SVK", "HUN", "ROU", "MDA", "RUS") if c not in (a, b)]
    far = ~np.any([shapely.dwithin(o, shapely.points(xy), 0.03) for o in others], axis=0)
    xy = xy[far]
    assert len(xy) >= 100, "a land border of at least a hundred vertices"
    codes = EASTERN_FLANK.classify(xy[:, 0], xy[:, 1])
    got = {Zone(int(c)) for c in np.unique(codes)}
    assert Zone.SEA not in got
    assert got <= zones | {Zone.OCCUPIED}

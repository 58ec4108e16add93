"""Any theatre: every land point is land, disputed areas are their own zone unless the scenario
assigns them, host nations are told apart.

The land reference is independent of Natural Earth: ``global-land-mask`` (a 1 km land/water
raster from GLOBCOVER 2009). Points it calls land, away from coasts (where two 1 km
descriptions of one coastline may disagree), must never classify as sea.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from skyshield.geo import DisputedArea, Theatre, Zone
from skyshield.geo.layers import HOLE_MAX_KM2, host_of, land_holes, zone_of

MIDEAST_BOX = (30.0, 26.0, 62.0, 40.0)
MIDEAST = Theatre("ISR", allied=(), adversary=("IRN",), occupied=None, bbox=MIDEAST_BOX, hosts=("JOR", "IRQ"))
EASTERN_FLANK = Theatre("UKR", allied=("POL", "ROU", "SVK", "HUN", "LTU", "LVA", "EST"), adversary=("RUS", "BLR"),
                        neutral=("MDA",))

GOLAN = (35.69, 32.99)  # Katzrin
RAMALLAH = (35.20, 31.90)
GAZA = (34.45, 31.50)
AMMAN = (35.93, 31.95)
ERBIL = (44.01, 36.19)


def _inland_land_points(bbox, step_deg: float, margin_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid points the independent land mask calls land, with every neighbour ``margin_deg``
    away (8 directions) land as well."""
    globe = pytest.importorskip("global_land_mask.globe", reason="global-land-mask (test extra) is not installed")
    x0, y0, x1, y1 = bbox
    lon, lat = np.meshgrid(np.arange(x0 + step_deg / 2, x1, step_deg), np.arange(y0 + step_deg / 2, y1, step_deg))
    lon, lat = lon.ravel(), lat.ravel()
    ok = globe.is_land(lat, lon)
    for dx in (-margin_deg, 0.0, margin_deg):
        for dy in (-margin_deg, 0.0, margin_deg):
            ok &= globe.is_land(np.clip(lat + dy, -90, 90), np.clip(lon + dx, -180, 180))
    return lon[ok], lat[ok]


# Water that the land mask counts as land (it separates land from the oceans only): the
# Caspian, a lake the theatre keeps as open water; the Yeysk estuary on the Sea of Azov and the
# Khuran strait behind Qeshm island, both open to the sea and 5-15 km wide in Natural Earth.
MASK_WATER_AS_LAND = ((46.0, 36.4, 55.5, 47.5), (38.3, 45.95, 38.7, 46.25), (55.4, 26.6, 56.2, 27.0))


@pytest.mark.parametrize("theatre", [MIDEAST, EASTERN_FLANK], ids=["middle-east", "eastern-flank"])
def test_every_land_point_of_the_theatre_classifies_as_land(theatre: Theatre) -> None:
    lon, lat = _inland_land_points(theatre.bbox, 0.1, 0.1)
    for x0, y0, x1, y1 in MASK_WATER_AS_LAND:
        keep = ~((lon > x0) & (lon < x1) & (lat > y0) & (lat < y1))
        lon, lat = lon[keep], lat[keep]
    assert lon.size > 30_000
    zones = theatre.classify(lon, lat)
    sea = zones == Zone.SEA
    assert not sea.any(), f"land read as sea at {np.c_[lon[sea], lat[sea]][:5].tolist()}"
    # The Golan Heights is among the points tested (the old layers read it as sea).
    assert (np.hypot(lon - GOLAN[0], lat - GOLAN[1]) < 0.1).any() or theatre is EASTERN_FLANK


def test_the_golan_heights_is_land_and_disputed_by_default() -> None:
    # The German-view Natural Earth file gives the Golan to no country: a hole in the land.
    assert Zone(int(MIDEAST.classify(*GOLAN))) is Zone.DISPUTED
    assert MIDEAST.territory(*GOLAN) == "unclaimed"
    # The West Bank and Gaza are a Natural Earth polygon of indeterminate status.
    np.testing.assert_array_equal(MIDEAST.classify([RAMALLAH[0], GAZA[0]], [RAMALLAH[1], GAZA[1]]), Zone.DISPUTED)
    assert list(MIDEAST.territory([RAMALLAH[0], GAZA[0]], [RAMALLAH[1], GAZA[1]])) == ["PSX", "PSX"]


def test_a_scenario_assigns_disputed_areas_to_who_controls_their_airspace() -> None:
    th = Theatre("ISR", allied=(), adversary=("IRN",), occupied=None, bbox=MIDEAST_BOX, hosts=("JOR", "IRQ"),
                 disputed=(DisputedArea("golan", at=(35.75, 33.0), control=Zone.DEFENDED),
                           DisputedArea("west-bank-and-gaza", country="PSX", control=Zone.DEFENDED)))
    pts = np.array([GOLAN, RAMALLAH, GAZA, (35.22, 31.78)])  # the last: Jerusalem, Israel's polygon
    np.testing.assert_array_equal(th.classify(pts[:, 0], pts[:, 1]), Zone.DEFENDED)
    assert list(th.territory(pts[:, 0], pts[:, 1])) == ["golan", "west-bank-and-gaza", "west-bank-and-gaza", "ISR"]
    # Left without a controller, an area named by the scenario is its own disputed zone.
    th2 = Theatre("ISR", allied=(), adversary=("IRN",), occupied=None, bbox=MIDEAST_BOX,
                  disputed=(DisputedArea("golan", at=GOLAN),))
    assert Zone(int(th2.classify(*GOLAN))) is Zone.DISPUTED and th2.territory(*GOLAN) == "golan"
    # A role given to the Natural Earth code takes it out of the disputed zone.
    th3 = Theatre("ISR", allied=(), adversary=("IRN",), neutral=("PSX",), occupied=None, bbox=MIDEAST_BOX)
    assert Zone(int(th3.classify(*RAMALLAH))) is Zone.NEUTRAL


def test_the_golan_outline_is_the_whole_hole_and_an_at_point_must_lie_in_one() -> None:
    holes = [h for h in land_holes(MIDEAST_BOX) if shapely.contains(h, shapely.Point(*GOLAN))]
    assert len(holes) == 1
    from pyproj import Geod

    area_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(holes[0])[0]) / 1e6
    assert 900 < area_km2 < 1500  # the Israeli-held Golan Heights: about 1,200 km2
    bad = Theatre("ISR", allied=(), adversary=("IRN",), occupied=None, bbox=MIDEAST_BOX,
                  disputed=(DisputedArea("x", at=(35.22, 31.78), control=Zone.DEFENDED),))
    with pytest.raises(ValueError, match="not in land that no country"):
        bad.classify(35.0, 31.0)


def test_lakes_and_lagoons_are_the_airspace_of_the_country_around_them_and_seas_stay_sea() -> None:
    # Lake Manzala (an Egyptian lagoon, a hole in Natural Earth) is Egypt's; the open
    # Mediterranean, the Black Sea (enclosed once the Bosporus is closed) and the Caspian are sea.
    th = Theatre("ISR", allied=(), adversary=("IRN",), neutral=("EGY",), occupied=None, bbox=MIDEAST_BOX)
    assert Zone(int(th.classify(31.97, 31.32))) is Zone.NEUTRAL
    assert Zone(int(th.classify(33.0, 33.0))) is Zone.SEA
    assert Zone(int(th.classify(51.0, 38.5))) is Zone.SEA  # the Caspian
    assert Zone(int(EASTERN_FLANK.classify(33.5, 43.5))) is Zone.SEA  # the Black Sea
    assert HOLE_MAX_KM2 < 400_000  # far below the Black Sea's or the Caspian's area


def test_host_nations_are_told_apart_by_their_fine_code() -> None:
    fine = MIDEAST.classify_fine([AMMAN[0], ERBIL[0], 36.29], [AMMAN[1], ERBIL[1], 33.51])  # the last: Damascus
    np.testing.assert_array_equal(zone_of(fine), [Zone.HOST, Zone.HOST, Zone.OTHER])
    np.testing.assert_array_equal(host_of(fine), [0, 1, -1])
    assert list(MIDEAST.territory([AMMAN[0], ERBIL[0], 36.29], [AMMAN[1], ERBIL[1], 33.51])) == ["JOR", "IRQ", "SYR"]


def test_middle_east_zone_geometries_agree_with_classify() -> None:
    rng = np.random.default_rng(5)
    lon = rng.uniform(MIDEAST_BOX[0], MIDEAST_BOX[2], 4000)
    lat = rng.uniform(MIDEAST_BOX[1], MIDEAST_BOX[3], 4000)
    codes = MIDEAST.classify(lon, lat)
    for zone in Zone:
        inside = shapely.contains_xy(MIDEAST.zone_geometry(zone), lon, lat)
        np.testing.assert_array_equal(inside, codes == zone, err_msg=zone.name)

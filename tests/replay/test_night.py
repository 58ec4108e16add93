"""Rebuilding a night from what the records say: aims, launch areas, timing, and the mechanism
the issue names (front-line nights face short flights and thin defences)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skyshield.catalog import load_catalog
from skyshield.geo import great_circle_distance_m
from skyshield.replay.calibrate import simulate_night
from skyshield.replay.night import build_night, region_weights
from skyshield.replay.params import ReplayParameters
from skyshield.replay.records import NightRow
from skyshield.scenario import load_scenario


def _row(**kw) -> NightRow:
    base = {"model": "Shahed-136/131", "weapon_class": "drone", "threat_type": "shahed-136", "launched": 100.0,
            "destroyed": 60.0, "not_reach_goal": 0.0, "is_shahed": None, "launch_place": "Kursk oblast",
            "time_start": "2025-08-09 19:00", "time_end": "2025-08-10 08:00", "target": "Ukraine", "line": 7}
    base.update(kw)
    return NightRow(**base)


def test_counted_keys_sit_on_named_regions_and_the_rest_on_named_or_bare_directions() -> None:
    r = _row(destroyed_details=(("south", 10.0), ("east", None), ("north", None)),
             affected_regions=("Odesa oblast", "Kharkiv oblast"))
    w = region_weights([r]).regions
    # 'south': 10 sits on Odesa (named); the rest (100 - 10 = 90) goes equally to the named
    # regions (Odesa, Kharkiv) and to those of 'north' (named without a region): Chernihiv, Sumy.
    expect = {"odesa-oblast": 10 + 22.5, "kharkiv-oblast": 22.5, "chernihiv-oblast": 22.5, "sumy-oblast": 22.5}
    assert w == pytest.approx({k: v / 100 for k, v in expect.items()})


def test_a_count_without_a_named_region_spreads_over_its_direction_and_the_rest_by_population() -> None:
    ev = region_weights([_row(destroyed_details=(("west", 40.0),))])
    pop = region_weights([_row()]).regions  # nothing named: every region by population
    west = {"lviv-oblast", "volyn-oblast", "rivne-oblast", "ternopil-oblast", "ivano-frankivsk-oblast",
            "khmelnytskyi-oblast", "zakarpattia-oblast", "chernivtsi-oblast"}
    for k, v in ev.regions.items():
        assert v == pytest.approx(0.4 / 8 * (k in west) + 0.6 * pop[k])
    assert ev.basis == "records"


def test_nothing_named_means_every_region_by_population() -> None:
    ev = region_weights([_row()])
    assert ev.basis == "none named"
    assert max(ev.regions, key=ev.regions.get) == "kyiv-oblast"
    assert sum(ev.regions.values()) == pytest.approx(1.0)


def test_rows_split_from_one_record_row_count_its_details_once() -> None:
    a = _row(destroyed_details=(("south", 10.0), ("east", None)), share=0.5, launched=50.0)
    b = _row(destroyed_details=(("south", 10.0), ("east", None)), share=0.5, launched=50.0, threat_type="kh-101")
    assert region_weights([a, b]).regions == pytest.approx(region_weights([a]).regions)


@pytest.fixture(scope="module")
def world():
    cat = load_catalog()
    return cat, load_scenario("eastern-flank-night-raid-v1", cat)


def test_builder_aims_a_front_line_night_at_front_line_towns_only(world) -> None:
    cat, ref = world
    r = _row(target="Sumy oblast", affected_regions=("Kharkiv oblast", "Donetsk oblast"))
    sc = build_night(ref, cat, [r], "2025-08-10", aim_exponent=0.0, decoy_share_value=0.3)
    towns = {t for g in sc.raid.groups for t in g.targets}
    assert "kyiv" not in towns and {"shostka", "kupiansk", "kramatorsk"} <= towns
    g = sc.raid.groups[0]
    assert g.targets["shostka"] == pytest.approx(g.targets["sumy"])  # exponent 0: every town alike
    counts = {g.type: g.count for g in sc.raid.groups}
    assert counts == {"shahed-136": 70, "gerbera": 30}
    # launches over the report window (19:00 to 08:00), ending two hours before its end
    assert g.launch_window == (0.0, 11 * 3600.0)
    assert sc.duration == pytest.approx(13 * 3600.0 + 8 * 3600.0)
    assert sc.forces == ref.forces  # the reference laydown, unchanged


def test_builder_population_weights_favour_the_regional_capital(world) -> None:
    cat, ref = world
    sc = build_night(ref, cat, [_row(target="Kharkiv oblast")], "2025-08-10", aim_exponent=1.0)
    t = sc.raid.groups[0].targets
    assert max(t, key=t.get) == "kharkiv" and t["kharkiv"] > 0.8 * sum(t.values())


def _mean_leg_km(sc) -> float:
    areas = {a.id: a.lonlat for a in sc.launch_areas}
    assets = {a.id: a.lonlat for a in sc.assets}
    tot = w = 0.0
    for g in sc.raid.groups:
        for t, wt in g.targets.items():
            d = np.mean([great_circle_distance_m(*areas[a], *assets[t]) for a in g.launch_areas]) / 1e3
            tot += wt * d * g.count
            w += wt * g.count
    return tot / w


def test_front_line_nights_fly_shorter_and_lose_more_than_nights_on_kyiv(world) -> None:
    """The same 60 drones from Kursk and Belgorod oblasts, aimed at the front-line oblasts the
    records name (Sumy, Kharkiv, Donetsk) or at Kyiv: the front-line night's flights are under
    half as long and its destroyed fraction is lower by more than 0.25 (95 % intervals apart)."""
    cat, ref = world
    place = "Kursk oblast and Belgorod oblast"
    front = _row(launched=60.0, launch_place=place, target="Sumy oblast",
                 affected_regions=("Kharkiv oblast", "Donetsk oblast"))
    kyiv = _row(launched=60.0, launch_place=place, target="Kyiv")
    draw = (ReplayParameters(aim_exponent={"drone": 0.5, "cruise": 1.0, "ballistic": 1.0}, decoy_share=0.0),)
    out = {}
    for name, r in (("front", front), ("kyiv", kyiv)):
        sc = build_night(ref, cat, [r], "2025-08-10", aim_exponent=0.5, decoy_share_value=0.0)
        sim = simulate_night([r], "2025-08-10", 16, 5, draw, cat, ref)
        f = sim.stopped["drone"] / sim.launched["drone"]
        out[name] = (_mean_leg_km(sc), f.mean(), 1.96 * f.std(ddof=1) / math.sqrt(f.size))
    assert out["front"][0] < 0.5 * out["kyiv"][0]
    gap = out["kyiv"][1] - out["front"][1]
    assert gap - (out["kyiv"][2] + out["front"][2]) > 0.25, out

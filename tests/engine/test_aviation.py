"""Adversary aviation (``skyshield.engine.aviation``): launch platforms, the stand-off rule,
platform engagements and the glide bombs they release.

Hand-built scenario: Su-34-class glide-bomb carriers from the Voronezh region fly toward
Kharkiv and Sumy and release 60 km short of them, over Russia's Belgorod and Kursk regions.
A Patriot battery of the defended country near Kharkiv reaches 160 km against aircraft and
may fire over the adversary's territory (its own ROE). Whether the adversary knows where it is
decides everything: known, the carriers whose path enters its envelope plus the margin abort;
unknown (moved forward in secret), it shoots at them and every carrier it kills before
release takes its bombs home.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.engine import simulate
from skyshield.engine.aviation import AIR, STEP_M, fly, launch
from skyshield.engine.raid import sample_raid
from skyshield.geo import destination_point, great_circle_distance_m, initial_bearing_deg
from skyshield.rng import Streams

from .builder import build, paired_ci, params_for

REPS = 16
PER = 4  # bombs per carrier
CARRIERS = 12

ASSETS = [
    {"id": "kharkiv", "kind": "city", "lonlat": [36.23, 49.99], "radius": "10 km", "population": 1400000, "value": 5e8},
    {"id": "sumy", "kind": "city", "lonlat": [34.80, 50.91], "radius": "8 km", "population": 250000, "value": 1e8},
    {"id": "kyiv", "kind": "city", "lonlat": [30.52, 50.45], "radius": "15 km", "population": 2900000, "value": 2e9},
]
AREAS = [
    {"id": "voronezh-region", "lonlat": [39.20, 51.70], "radius": "20 km"},
    {"id": "saratov-region", "lonlat": [46.00, 51.50], "radius": "30 km"},
]
PATRIOT = {"id": "ua-patriot-kharkiv", "type": "patriot-pac3", "side": "defended", "lonlat": [36.40, 50.20]}
EMPTY_RAID = [{"id": "none", "type": "shahed-136", "count": 0, "launch_areas": ["voronezh-region"],
               "launch_window": ["0 h", "1 h"], "targets": {"kharkiv": 1}}]


def glide_group(targets=None, count=CARRIERS):
    return {"id": "su34-kab", "role": "glide-bomb", "platform": "su-34", "count": count, "bases": ["voronezh-region"],
            "launch_window": ["0 h", "2 h"], "munition": "kab-umpk", "munitions_per_platform": PER,
            "targets": targets or {"kharkiv": 1}}


def world(tmp_path, forces, groups, unknown=(), fighters=(), name="w"):
    aviation = {"groups": groups, "unknown_to_adversary": list(unknown), "fighters": list(fighters)}
    return build(tmp_path, ASSETS, AREAS, forces, EMPTY_RAID, extra={"aviation": aviation})


def counts(params, reps=REPS, names=("glide_bombs_launched", "launch_platforms_destroyed", "launch_platforms_aborted",
                                     "glide_bombs_leaked", "launch_platforms")):
    out = {n: [] for n in names}
    for r in range(reps):
        m = simulate(params, 3, r).metrics
        for n in names:
            out[n].append(m[n])
    return {n: np.array(v) for n, v in out.items()}


def test_a_scenario_without_aviation_is_untouched(tmp_path):
    sc, cat = build(tmp_path, ASSETS, AREAS, [PATRIOT], EMPTY_RAID)
    p = params_for(sc, cat)
    assert p.aviation is None
    assert "glide_bombs_launched" not in simulate(p, 1, 0).metrics
    assert "aviation" not in sc.model_dump(mode="json") or sc.model_dump(mode="json")["aviation"] is None


def test_glide_bomb_raid_falls_by_the_destroyed_carriers_times_their_bombs(tmp_path):
    """With the Patriot unknown to the adversary the carriers fly into it: each one it kills
    before release withholds exactly its bombs, and the kill rate is the salvo oracle."""
    sc_free, cat = world(tmp_path, [], [glide_group()], name="free")
    sc_amb, _ = world(tmp_path, [PATRIOT], [glide_group()], unknown=[PATRIOT["id"]], name="ambush")
    free, amb = counts(params_for(sc_free, cat)), counts(params_for(sc_amb, cat))
    # Without the battery every carrier releases its bombs.
    assert (free["glide_bombs_launched"] == CARRIERS * PER).all()
    assert (free["launch_platforms_destroyed"] == 0).all()
    # With it: none aborts (it is unknown), some are destroyed, and launches fall by PER each.
    assert (amb["launch_platforms_aborted"] == 0).all()
    drop = free["glide_bombs_launched"] - amb["glide_bombs_launched"]
    assert (drop == PER * amb["launch_platforms_destroyed"]).all()
    # Size: one salvo per carrier (salvo 1, pk 0.8): 0.8 of the carriers, within a 95 % interval.
    p = params_for(sc_amb, cat)
    j = p.shooters.ids.index(PATRIOT["id"])
    pk = 1 - (1 - p.shooters.pk[j, AIR]) ** p.shooters.salvo[j, AIR]
    rate = amb["launch_platforms_destroyed"].sum() / (CARRIERS * REPS)
    half = 1.96 * np.sqrt(pk * (1 - pk) / (CARRIERS * REPS))
    assert abs(rate - pk) < half + 1e-9
    mean, hw = paired_ci(free["glide_bombs_launched"], amb["glide_bombs_launched"])
    assert mean - hw > 0.6 * CARRIERS * PER
    # And fewer bombs reach Kharkiv.
    mean, hw = paired_ci(free["glide_bombs_leaked"], amb["glide_bombs_leaked"])
    assert mean - hw > 0


def test_a_known_battery_makes_the_carriers_abort_without_a_shot(tmp_path):
    sc, cat = world(tmp_path, [PATRIOT], [glide_group()])
    m = counts(params_for(sc, cat), reps=4)
    assert (m["launch_platforms_aborted"] == CARRIERS).all()
    assert (m["glide_bombs_launched"] == 0).all() and (m["launch_platforms_destroyed"] == 0).all()


def _path_points(origin, release, step_m=500.0):
    length = float(great_circle_distance_m(origin[0], origin[1], release[0], release[1]))
    s = np.r_[np.arange(0.0, length, step_m), length]
    brg = initial_bearing_deg(origin[0], origin[1], release[0], release[1])
    return destination_point(np.full(s.size, origin[0]), np.full(s.size, origin[1]), np.full(s.size, brg), s)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_stand_off_rule_no_known_envelope_plus_margin_is_entered(tmp_path, seed):
    """A known IRIS-T SLM near Sumy (40 km against aircraft): carriers bound for Sumy come
    within its envelope plus the 20 km margin and abort; carriers bound for Kharkiv stay outside
    it along their whole path (checked on points every 500 m, independently of the model's
    5 km sampling) and fly."""
    iris = {"id": "ua-iris-sumy", "type": "iris-t-slm", "side": "defended", "lonlat": [35.00, 50.95]}
    sc, cat = world(tmp_path, [iris], [glide_group({"kharkiv": 1, "sumy": 1}, count=40)], name=f"s{seed}")
    p = params_for(sc, cat)
    j = p.shooters.ids.index(iris["id"])
    reach = p.shooters.max_range_m[j, AIR]
    margin = p.aviation.margin_m
    s = fly(p, Streams(seed=seed, replication=0))
    sumy = p.assets.ids.index("sumy")
    to_sumy = s.target == sumy
    assert to_sumy.any() and (~to_sumy).any()
    for k in range(s.group.size):
        lon, lat = _path_points(s.origin[k], s.release[k])
        d = great_circle_distance_m(p.shooters.lonlat[j, 0], p.shooters.lonlat[j, 1], lon, lat)
        if s.aborted[k]:
            assert d.min() < reach + margin + STEP_M  # it did come close (within the sampling step)
        else:
            assert d.min() >= reach + margin - 1.0  # the rule: never inside the envelope plus margin
    assert s.aborted[to_sumy].all() and not s.aborted[~to_sumy].any()
    assert s.eng_platform.size == 0  # a known shooter is never in reach of a platform that flies


def test_bombers_destroyed_before_release_launch_nothing(tmp_path):
    """Tu-95MS from the Saratov region toward Kyiv releasing 400 km short (over Russia), past
    an unknown Patriot whose 160 km reaches their path: every bomber it kills launches no
    Kh-101, every survivor launches all of its load."""
    sam = {"id": "ua-patriot-sumy", "type": "patriot-pac3", "side": "defended", "lonlat": [34.80, 51.00]}
    g = {"id": "tu95", "role": "missile-carrier", "platform": "tu-95ms", "count": 10, "bases": ["saratov-region"],
         "launch_window": ["0 h", "1 h"], "munition": "kh-101", "munitions_per_platform": 8, "release_range": "400 km",
         "targets": {"kyiv": 1}}
    sc, cat = world(tmp_path, [sam], [g], unknown=[sam["id"]])
    p = params_for(sc, cat)
    killed_any = 0
    for r in range(6):
        st = Streams(seed=5, replication=r)
        base = sample_raid(p, st)
        raid, s = launch(p, base, st)
        from_platform = np.repeat(np.arange(s.group.size), 8)[s.launches.repeat(8)]
        assert raid.size - base.size == 8 * int(s.launches.sum())
        assert set(from_platform.tolist()).isdisjoint(np.flatnonzero(s.destroyed).tolist())
        # launched from the survivors' release points only
        rel = s.release[s.launches]
        got = raid.waypoints[base.size:, 0]
        assert np.allclose(got, np.repeat(rel, 8, axis=0))
        k = s.eng_killed
        assert np.array_equal(np.sort(s.eng_platform[k]), np.flatnonzero(s.destroyed))
        assert (s.eng_t_s[k] <= s.t_release_s[s.eng_platform[k]]).all()  # shot down on the way in
        killed_any += int(s.destroyed.sum())
    assert killed_any > 0


def test_adversary_fighter_screen_denies_defending_fighters_only(tmp_path):
    """A defended fighter pair on CAP near Kharkiv (the catalog F-35 pair stands in: it carries air-to-air missiles), unknown to the adversary, shoots at carriers;
    a Su-35 patrol covering the release area denies it every shot, but not the Patriot's."""
    f16 = {"id": "ua-f16", "type": "f-35-cap", "side": "defended", "lonlat": [36.40, 50.10]}
    su35 = {"id": "su35-belgorod", "type": "su-35", "lonlat": [37.20, 50.90], "radius": "150 km"}
    sc0, cat = world(tmp_path, [f16], [glide_group()], unknown=[f16["id"]], name="f0")
    sc1, _ = world(tmp_path, [f16], [glide_group()], unknown=[f16["id"]], fighters=[su35], name="f1")
    sc2, _ = world(tmp_path, [PATRIOT], [glide_group()], unknown=[PATRIOT["id"]], fighters=[su35], name="f2")
    st = Streams(seed=2, replication=0)
    assert fly(params_for(sc0, cat), st).eng_platform.size > 0
    assert fly(params_for(sc1, cat), st).eng_platform.size == 0
    assert fly(params_for(sc2, cat), st).eng_platform.size > 0


def test_same_seed_same_sortie_and_platforms_common_to_options(tmp_path):
    """Determinism, and common random numbers: the platforms' take-off, aim and release are the
    same whatever the forces (the option); only what the shooters do differs."""
    sc_free, cat = world(tmp_path, [], [glide_group()], name="c0")
    sc_amb, _ = world(tmp_path, [PATRIOT], [glide_group()], unknown=[PATRIOT["id"]], name="c1")
    pa, pb = params_for(sc_free, cat), params_for(sc_amb, cat)
    a1, a2 = fly(pa, Streams(seed=9, replication=4)), fly(pa, Streams(seed=9, replication=4))
    b = fly(pb, Streams(seed=9, replication=4))
    for k in ("origin", "t_takeoff_s", "target", "release", "t_release_s", "aim"):
        assert np.array_equal(getattr(a1, k), getattr(a2, k), equal_nan=True)
        assert np.array_equal(getattr(a1, k), getattr(b, k), equal_nan=True)
    m1, m2 = simulate(pb, 9, 4).metrics, simulate(pb, 9, 4).metrics
    assert m1 == m2
    # the munitions of carriers that fly under both keep their launch and aim
    ra, _ = launch(pa, sample_raid(pa, Streams(seed=9, replication=4)), Streams(seed=9, replication=4))
    rb, sb = launch(pb, sample_raid(pb, Streams(seed=9, replication=4)), Streams(seed=9, replication=4))
    keep = np.repeat(sb.launches, PER)
    assert np.array_equal(ra.waypoints[keep], rb.waypoints)
    assert np.array_equal(ra.launch_s[keep], rb.launch_s)

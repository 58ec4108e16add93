"""Engine details that mutation testing found unchecked: the expected damage of an empty raid,
the altitudes and timing of the quasi-ballistic profile, and a QRA fighter's reach.

Each test names the mistake it catches; each was checked by applying that mistake by hand.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario
from skyshield.engine.assess import _expected_damage
from skyshield.engine.raid import Raid
from skyshield.engine.trajectory import _profile_segments
from skyshield.geo import EARTH_RADIUS_M, great_circle_distance_m, lonlat_to_unit
from skyshield.options import resolve_option
from skyshield.scenario import load_scenario


@pytest.fixture(scope="module")
def reference():
    sc = load_scenario("eastern-flank-night-raid-v1")
    return compile_scenario(sc, load_catalog(), resolve_option("none", sc))


def test_an_empty_raid_does_no_damage_and_protects_nothing() -> None:
    # Mistake caught: the empty-raid shortcut returning a non-zero value protected (or damage).
    tt = SimpleNamespace(p_damage=np.array([0.5]), damage_fraction=np.array([0.1]), warhead=np.array([True]))
    p = SimpleNamespace(threat_types=tt, assets=SimpleNamespace(value_usd=np.array([1e9, 2e8, 3e7])))
    raid = SimpleNamespace(type_index=np.zeros(0, np.int64), target=np.zeros(0, np.int64), size=0)
    none = np.zeros(0, bool)
    assert _expected_damage(p, raid, none, none) == (0.0, 0.0)
    damage, avoided, by_asset = _expected_damage(p, raid, none, none, per_asset=True)
    assert (damage, avoided) == (0.0, 0.0)
    assert by_asset.shape == (3,) and not by_asset.any()


def _raid(p, kinds: list[str], routes: list[list[tuple[float, float]]], launch_s: list[float]) -> Raid:
    names = list(p.threat_types.names)
    W = max(len(r) for r in routes)
    wp = np.full((len(routes), W, 2), np.nan)
    for i, r in enumerate(routes):
        wp[i, : len(r)] = r
    n = len(routes)
    return Raid(type_index=np.array([names.index(k) for k in kinds]), group=np.zeros(n, np.int64),
                launch_s=np.array(launch_s, float), target=np.zeros(n, np.int64), waypoints=wp,
                n_points=np.array([len(r) for r in routes]))


def test_a_quasi_ballistic_missile_climbs_to_half_its_apogee_flies_at_it_and_dives_at_a_third(reference) -> None:
    # Mistakes caught: the profile's altitude fractions applied the wrong way (divided, shifted
    # by one piece, the last fraction reused), the pieces split at other fractions of the track,
    # or the flight time not the track length over the speed.
    p = reference
    k = list(p.threat_types.names).index("iskander-m")
    assert p.threat_types.ballistic[k] and not p.threat_types.keplerian[k]
    apogee = float(p.threat_types.alt_m[k])
    speed = float(p.threat_types.speed_mps[k])
    launch, aim = (36.6, 50.6), (30.52, 50.45)  # Belgorod region to Kyiv
    # The ballistic missile's via point is ignored (it flies launch -> aim); the drone keeps its route.
    raid = _raid(p, ["iskander-m", "shahed-136"], [[launch, (33.0, 52.0), aim], [launch, (33.0, 49.0), aim]],
                 [100.0, 0.0])
    seg = _profile_segments(raid, p, np.ones(2, bool))
    b = seg.threat == 0
    assert seg.local[b].tolist() == [0, 1, 2]
    assert seg.alt_m[b] == pytest.approx([0.5 * apogee, apogee, apogee / 3.0], rel=1e-12)
    track_m = float(great_circle_distance_m(*launch, *aim))
    assert seg.arc_rad[b] * EARTH_RADIUS_M == pytest.approx([0.2 * track_m, 0.5 * track_m, 0.3 * track_m], rel=1e-9)
    assert seg.t0_s[b][0] == 100.0
    assert seg.arrival_s[0] == pytest.approx(100.0 + track_m / speed, rel=1e-9)
    # The apogee point lies on the great circle launch -> aim, 20 % of the way.
    u0, u1 = lonlat_to_unit(*launch), lonlat_to_unit(*aim)
    assert np.dot(seg.a[b][1], np.cross(u0, u1)) == pytest.approx(0.0, abs=1e-12)
    # The drone flies its two legs at its own cruise altitude.
    d = seg.threat == 1
    assert seg.alt_m[d].tolist() == [float(p.threat_types.alt_m[list(p.threat_types.names).index("shahed-136")])] * 2


def test_a_cap_fighter_reaches_its_commit_radius_and_a_qra_fighter_its_combat_radius(tmp_path) -> None:
    # Mistake caught: the commit-radius test inverted (a CAP fighter then chases out to its
    # combat radius, 550 km for an F-16, instead of committing within 120 km).
    from skyshield.catalog.model import THREAT_CLASSES

    from .builder import build, params_for

    qra = {"posture": "qra", "alert": "15 min"}
    sc, cat = build(
        tmp_path,
        assets=[{"id": "zhytomyr", "kind": "city", "lonlat": [28.66, 50.25], "radius": "8 km", "population": 260000,
                 "value": 2e8}],
        launch_areas=[{"id": "east", "lonlat": [37.5, 50.8], "radius": "10 km"}],
        forces=[{"id": "cap16", "type": "f-16-cap", "side": "defended", "lonlat": [31.3, 49.5],
                 "fighter": {"posture": "cap", "sorties": 1}},
                {"id": "qra16", "type": "f-16-cap", "side": "defended", "lonlat": [28.5, 49.2], "fighter": qra}],
        groups=[{"id": "kh", "type": "kh-101", "count": 2, "launch_areas": ["east"], "launch_window": ["0 h", "1 h"],
                 "targets": {"zhytomyr": 1}}],
    )
    p = params_for(sc, cat)
    a = cat.shooters["f-16-cap"].aircraft
    commit, combat = a.commit_radius.value, a.combat_radius.value
    assert (commit, combat) == (120e3, 550e3)
    ids = list(p.shooters.ids)
    engaged = [THREAT_CLASSES.index(c) for c in ("drone", "decoy", "cruise")]
    for fid, want in (("cap16", commit), ("qra16", combat)):
        rows = [k for k, i in enumerate(ids) if i.split("#")[0] == fid]
        assert rows
        for j in rows:
            assert p.shooters.max_range_m[j, engaged].tolist() == [want] * 3
            assert p.shooters.max_range_m[j, THREAT_CLASSES.index("ballistic")] == 0.0  # never engaged


def test_a_missile_with_a_trajectory_model_flies_the_physical_trajectory_and_one_without_the_profile(tmp_path) -> None:
    # Mistake caught: the compiled ``keplerian`` flag dropped, so an MRBM with a ballistic
    # coefficient flies the three-piece profile instead of its integrated trajectory.
    from skyshield.engine.raid import sample_raid
    from skyshield.engine.trajectory import build_segments
    from skyshield.rng import Streams

    from .builder import build, params_for

    sc, cat = build(
        tmp_path,
        assets=[{"id": "kyiv", "kind": "city", "lonlat": [30.52, 50.45], "radius": "15 km", "population": 2900000,
                 "value": 1e9}],
        launch_areas=[{"id": "far-east", "lonlat": [44.5, 48.7], "radius": "10 km"},
                      {"id": "near", "lonlat": [36.6, 50.6], "radius": "10 km"}],
        forces=[],
        groups=[{"id": "mrbm", "type": "iran-mrbm", "count": 2, "launch_areas": ["far-east"],
                 "launch_window": ["0 h", "1 h"], "targets": {"kyiv": 1}},
                {"id": "isk", "type": "iskander-m", "count": 2, "launch_areas": ["near"],
                 "launch_window": ["0 h", "1 h"], "targets": {"kyiv": 1}}],
    )
    assert cat.threats["iran-mrbm"].trajectory is not None and cat.threats["iskander-m"].trajectory is None
    p = params_for(sc, cat)
    names = list(p.threat_types.names)
    kep = dict(zip(names, p.threat_types.keplerian.tolist()))
    assert kep["iran-mrbm"] is True and kep["iskander-m"] is False
    raid = sample_raid(p, Streams(1, 0))
    seg = build_segments(raid, p)
    mrbm = np.isin(seg.threat, np.flatnonzero(raid.type_index == names.index("iran-mrbm")))
    isk = np.isin(seg.threat, np.flatnonzero(raid.type_index == names.index("iskander-m")))
    assert seg.local[isk].max() == 2  # the three-piece profile
    assert seg.local[mrbm].max() > 2  # the integrated flight, in more pieces


def test_host_permissions_all_some_none_and_always_the_hosts_own_forces() -> None:
    # Mistake caught: ``permits: all`` not recognised (every foreign shooter then refused).
    from skyshield.engine.compile import host_permits
    from skyshield.scenario.model import HostNation

    hosts = {"JOR": HostNation(permits="all"), "IRQ": HostNation(permits=()), "POL": HostNation(permits=("USA",))}
    sc = SimpleNamespace(theatre=SimpleNamespace(hosts=hosts))
    got = host_permits(sc, ["USA", "GBR", "POL", "JOR"])
    assert got.tolist() == [[True, True, True, True],     # JOR: all
                            [False, False, False, False],  # IRQ: none (not even JOR's)
                            [True, False, True, False]]    # POL: the USA, and its own


def test_a_threat_failing_half_way_stops_there_and_keeps_its_earlier_pieces(reference) -> None:
    # Mistakes caught: the truncated segments losing their piece index, a failing threat flying
    # on to its aim, or a threat that does not fail cut.
    from skyshield.engine.trajectory import build_segments

    p = reference
    launch, aim = (36.6, 50.6), (30.52, 50.45)
    route = [launch, (33.0, 49.0), aim]
    raid = _raid(p, ["shahed-136", "shahed-136"], [route, route], [0.0, 0.0])
    whole = build_segments(raid, p)
    failing = Raid(**{**raid.__dict__, "fail_frac": np.array([0.75, np.nan])})
    seg = build_segments(failing, p)
    flight = whole.arrival_s[0]
    assert seg.arrival_s.tolist() == pytest.approx([0.75 * flight, flight], rel=1e-12)
    a, b = seg.threat == 0, seg.threat == 1
    first_leg = whole.t1_s[(whole.threat == 0) & (whole.local == 0)][0]
    assert first_leg < 0.75 * flight  # the failure is on the second leg
    assert seg.local[a].tolist() == [0, 1] and seg.local[b].tolist() == [0, 1]
    assert seg.t1_s[a][-1] == pytest.approx(0.75 * flight, rel=1e-12)
    assert seg.t1_s[b].tolist() == whole.t1_s[whole.threat == 1].tolist()

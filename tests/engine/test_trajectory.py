"""Closed-form coverage windows against brute-force sampling of the same flight paths."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario
from skyshield.engine.raid import sample_raid
from skyshield.engine.trajectory import build_segments, circle_windows, positions_at
from skyshield.geo import EARTH_RADIUS_M, great_circle_distance_m, lonlat_to_unit, unit_to_lonlat
from skyshield.options import resolve_option
from skyshield.rng import Streams
from skyshield.scenario import load_scenario


@pytest.fixture(scope="module")
def night():
    sc = load_scenario("eastern-flank-night-raid-v1")
    p = compile_scenario(sc, load_catalog(), resolve_option("none", sc))
    raid = sample_raid(p, Streams(3, 0))
    return p, raid, build_segments(raid, p)


def test_segments_are_continuous_in_time_and_space(night) -> None:
    _, raid, seg = night
    same = seg.threat[1:] == seg.threat[:-1]
    assert np.allclose(seg.t1_s[:-1][same], seg.t0_s[1:][same])
    end = positions_at(seg, np.arange(seg.t0_s.size)[:-1][same], seg.t1_s[:-1][same])
    assert np.allclose(end, seg.a[1:][same], atol=1e-9)
    first = np.r_[True, ~same]
    assert np.allclose(seg.t0_s[first], raid.launch_s)


def test_flight_time_is_path_length_over_speed(night) -> None:
    p, raid, seg = night
    cruise = ~p.threat_types.ballistic[raid.type_index]
    i = np.flatnonzero(cruise)[:50]
    for k in i:
        pts = raid.waypoints[k, : raid.n_points[k]]
        length = great_circle_distance_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]).sum()
        speed = p.threat_types.speed_mps[raid.type_index[k]]
        assert seg.arrival_s[k] - raid.launch_s[k] == pytest.approx(length / speed, rel=1e-6)


def test_circle_windows_match_brute_force_sampling(night) -> None:
    p, raid, seg = night
    centres_ll = np.array([[30.3, 50.5], [35.0, 48.5], [24.0, 49.9], [31.0, 47.0]])
    centres = lonlat_to_unit(centres_ll[:, 0], centres_ll[:, 1])
    radius = np.array([60e3, 25e3, 90e3, 40e3])
    m, k, t_in, t_out = circle_windows(seg, centres, radius.max(), lambda m, k: radius[k])
    # Brute force: sample every segment at 2,000 points, find where it is inside each circle.
    n_s = 2000
    M = seg.t0_s.size
    ts = seg.t0_s[:, None] + (seg.t1_s - seg.t0_s)[:, None] * np.linspace(0, 1, n_s)[None, :]
    pos = positions_at(seg, np.repeat(np.arange(M), n_s), ts.ravel()).reshape(M, n_s, 3)
    found = {(int(a), int(b)): (ti, to) for a, b, ti, to in zip(m, k, t_in, t_out)}
    for kk in range(len(radius)):
        d = EARTH_RADIUS_M * np.arccos(np.clip(pos @ centres[kk], -1, 1))
        inside = d <= radius[kk]
        for mm in np.flatnonzero(inside.any(axis=1)):
            dt = (seg.t1_s[mm] - seg.t0_s[mm]) / (n_s - 1)
            first = ts[mm, np.argmax(inside[mm])]
            last = ts[mm, n_s - 1 - np.argmax(inside[mm, ::-1])]
            ti, to = found[(int(mm), kk)]
            assert ti == pytest.approx(first, abs=dt * 1.01 + 1e-6)
            assert to == pytest.approx(last, abs=dt * 1.01 + 1e-6)
        # Nothing found that brute force does not see (allowing a window shorter than a step).
        for (mm, kk2), (ti, to) in found.items():
            if kk2 == kk and not inside[mm].any():
                assert to - ti < 2 * (seg.t1_s[mm] - seg.t0_s[mm]) / (n_s - 1)


def test_ballistic_threats_fly_high_then_dive(night) -> None:
    p, raid, seg = night
    ball = np.flatnonzero(p.threat_types.ballistic[raid.type_index])
    assert ball.size > 0
    for b in ball:
        alts = seg.alt_m[seg.threat == b]
        assert alts.argmax() == 1 and alts[-1] < alts[1]

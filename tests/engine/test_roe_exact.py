"""The allowed part of an engagement window is the exact union of allowed sub-intervals.

Property (hypothesis, random geometries over the eastern-flank borders): every time inside a
returned sub-interval puts the intercept point and its debris where the shooter's ROE allows
(soundness: zero intercepts in a forbidden zone), and every allowed time farther than the
border margin from a zone change is inside a returned sub-interval (completeness: nothing
allowed is thrown away). Checked against dense sampling with :meth:`Theatre.classify`, which
shares no code with the crossing computation.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyshield.engage.roe import roe_allows
from skyshield.engine.opportunities import BORDER_MARGIN_M, _roe_windows, debris_points, path_crosses
from skyshield.engine.trajectory import Segments, lonlat_at
from skyshield.geo import EARTH_RADIUS_M, Theatre, Zone, lonlat_to_unit

THEATRE = Theatre("UKR", allied=("POL", "SVK", "HUN", "ROU"), adversary=("RUS", "BLR"), neutral=("MDA",))


def one_segment(lon0: float, lat0: float, lon1: float, lat1: float, speed: float, alt: float) -> Segments:
    a = lonlat_to_unit(lon0, lat0).reshape(3)
    b = lonlat_to_unit(lon1, lat1).reshape(3)
    dot = float(np.clip(a @ b, -1, 1))
    arc = float(np.arccos(dot))
    t = b - dot * a
    t /= max(float(np.linalg.norm(t)), 1e-300)
    rate = speed / EARTH_RADIUS_M
    return Segments(threat=np.array([0]), local=np.array([0]), t0_s=np.array([0.0]), t1_s=np.array([arc / rate]),
                    a=a[None], tangent=t[None], arc_rad=np.array([arc]), rate_rad_s=np.array([rate]),
                    alt_m=np.array([alt]), arrival_s=np.array([arc / rate]))


def judge(seg, roe, shooter_zone, speed, t, crosses):
    m = np.zeros(t.size, np.int64)
    lon, lat = lonlat_at(seg, m, t)
    dlon, dlat = debris_points(seg, m, t, np.full(t.size, speed))
    iz, dz = THEATRE.classify(lon, lat), THEATRE.classify(dlon, dlat)
    ok, _ = roe_allows(roe, shooter_zone, iz, dz, crosses)
    return ok, iz.astype(int) * 10 + dz


lon = st.floats(21.0, 34.0)
lat = st.floats(44.5, 53.0)


GEOMETRY = dict(lon0=lon, lat0=lat, lon1=lon, lat1=lat, f0=st.floats(0.0, 1.0), f1=st.floats(0.0, 1.0),
                roe=st.integers(0, 4), shooter_zone=st.sampled_from([Zone.DEFENDED, Zone.ALLIED, Zone.SEA]),
                kind=st.sampled_from([(50.0, 300.0), (250.0, 50.0), (1700.0, 45e3)]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**GEOMETRY)
def test_allowed_windows_are_sound_and_complete(**kw):
    check_window(**kw)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**GEOMETRY)
def test_allowed_windows_are_sound_and_complete_long(**kw):
    check_window(**kw)


def check_window(lon0, lat0, lon1, lat1, f0, f1, roe, shooter_zone, kind):
    speed, alt = kind
    seg = one_segment(lon0, lat0, lon1, lat1, speed, alt)
    if seg.arc_rad[0] < 1e-4:
        return
    ta, tb = sorted((f0 * seg.t1_s[0], f1 * seg.t1_s[0]))
    params = SimpleNamespace(shooters=SimpleNamespace(roe=np.array([roe]), zone=np.array([int(shooter_zone)])),
                             threat_types=SimpleNamespace(speed_mps=np.array([speed])), theatre=THEATRE)
    raid = SimpleNamespace(type_index=np.array([0]), size=1)
    crosses = bool(path_crosses(params, seg, 1, Zone.ALLIED)[0])
    z = np.zeros(1, np.int64)
    row, t0, t1, _ = _roe_windows(params, raid, seg, z, z, z, np.array([ta]), np.array([tb]))
    assert np.all(row == 0) and np.all(t1 >= t0)
    assert np.all(t0[1:] > t1[:-1]), "sub-intervals are disjoint and ordered"
    # Soundness: every time inside a returned sub-interval is allowed.
    for a, b in zip(t0, t1):
        ts = np.linspace(a, b, 200)
        ok, _ = judge(seg, roe, shooter_zone, speed, ts, crosses)
        assert ok.all(), f"intercept or debris in a forbidden zone at t={ts[~ok][:3]}"
    # Completeness: allowed times away from zone changes are kept. The samples are a uniform
    # grid plus a fine one around every internal end of a returned sub-interval (borders can
    # cut slivers narrower than the grid: there the fine grid shows whether the cut is real).
    ends = np.r_[t0[t0 > ta], t1[t1 < tb]]
    reach = (BORDER_MARGIN_M + 50.0) / speed
    local = (ends[:, None] + np.linspace(-reach, reach, 401)[None, :]).ravel()
    ts = np.unique(np.clip(np.r_[np.linspace(ta, tb, 1500), local], ta, tb))
    ok, code = judge(seg, roe, shooter_zone, speed, ts, crosses)
    change = np.flatnonzero(code[1:] != code[:-1])
    guard = 1.05 * BORDER_MARGIN_M / speed
    near = np.zeros(ts.size, bool)
    for k in change:  # within the margin of a change, or between the two samples bracketing it
        near |= (ts >= ts[k] - guard) & (ts <= ts[k + 1] + guard)
    inside = np.zeros(ts.size, bool)
    for a, b in zip(t0, t1):
        inside |= (ts >= a - 1e-9) & (ts <= b + 1e-9)
    lost = ok & ~near & ~inside
    assert not lost.any(), f"allowed times dropped: {ts[lost][:3]}"


def test_a_window_crossing_into_belarus_is_cut_at_the_border() -> None:
    # A drone flying north from Ukraine into Belarus past a forward CAP: under
    # defended-airspace the window ends at the border (less the margin), under in-reach not.
    seg = one_segment(27.0, 51.0, 27.0, 52.6, 50.0, 300.0)
    lat_border = None
    ts = np.linspace(0, seg.t1_s[0], 4000)
    lo, la = lonlat_at(seg, np.zeros(ts.size, np.int64), ts)
    zones = THEATRE.classify(lo, la)
    k = int(np.argmax(zones == Zone.ADVERSARY))
    lat_border = la[k]
    assert 51.3 < lat_border < 52.0  # the Ukraine-Belarus border north of Rivne oblast
    raid = SimpleNamespace(type_index=np.array([0]), size=1)
    z = np.zeros(1, np.int64)
    for roe, expect_cut in ((4, True), (3, False)):
        params = SimpleNamespace(shooters=SimpleNamespace(roe=np.array([roe]), zone=np.array([int(Zone.DEFENDED)])),
                                 threat_types=SimpleNamespace(speed_mps=np.array([50.0])), theatre=THEATRE)
        row, t0, t1, _ = _roe_windows(params, raid, seg, z, z, z, np.array([0.0]), seg.t1_s.copy())
        assert row.size == 1
        if expect_cut:
            # The debris of a drone at 300 m and 50 m/s lands 0.5 * 50 * sqrt(2 * 300 / 9.81) = 195.5 m
            # ahead, and must stay in the defended country too: the window ends 195.5 m + the 25 m
            # margin short of the border (to the sampling step of the border's position here).
            shortfall_m = (ts[k] - t1[0]) * 50.0
            step_m = (ts[1] - ts[0]) * 50.0
            assert 195.5 + BORDER_MARGIN_M - step_m - 1.0 <= shortfall_m <= 195.5 + BORDER_MARGIN_M + step_m + 1.0
        else:
            assert t1[0] == seg.t1_s[0]

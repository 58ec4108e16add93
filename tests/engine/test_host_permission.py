"""Host-nation permissions: allied intercepts over a third country only where it permits the
shooter's nationality (Jordan permits, Iraq does not, by scenario); exo-atmospheric intercepts
are over no one's airspace.

Checked against dense sampling with :meth:`Theatre.classify_fine`, which shares no code with the
border-crossing computation of the allowed sub-intervals.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyshield.engage.roe import REASONS, SPACE_ALT_M, roe_allows
from skyshield.engine.opportunities import _roe_windows, debris_points, path_crosses
from skyshield.engine.trajectory import lonlat_at
from skyshield.geo import Theatre, Zone
from skyshield.geo.layers import host_of, zone_of

from .test_roe_exact import one_segment

MIDEAST = Theatre("ISR", allied=(), adversary=("IRN",), occupied=None, bbox=(30.0, 26.0, 62.0, 40.0),
                  hosts=("JOR", "IRQ"))
IN_REACH, OVER_ALLIED = 3, 1


def params_for(theatre, roe: int, permits: np.ndarray, speed: float = 50.0):
    """One allied shooter of nationality 0; ``permits`` is the (hosts, 1) permission table."""
    return SimpleNamespace(
        shooters=SimpleNamespace(roe=np.array([roe]), zone=np.array([int(Zone.HOST)]), nationality=np.array([0])),
        threat_types=SimpleNamespace(speed_mps=np.array([speed])), theatre=theatre,
        host_permits=np.asarray(permits, bool).reshape(-1, 1))


def allowed_times(params, seg):
    raid = SimpleNamespace(type_index=np.array([0]), size=1)
    z = np.zeros(1, np.int64)
    _, t0, t1, reason = _roe_windows(params, raid, seg, z, z, z, np.array([0.0]), seg.t1_s.copy())
    return t0, t1, reason


def covered(ts, t0, t1):
    inside = np.zeros(ts.size, bool)
    for a, b in zip(t0, t1):
        inside |= (ts >= a - 1e-9) & (ts <= b + 1e-9)
    return inside


def test_jordan_permits_and_iraq_does_not() -> None:
    # A drone flying west from Iraq (near Rutba) into Jordan (toward Azraq), at 50 m/s and 300 m.
    seg = one_segment(40.5, 32.6, 37.2, 31.9, 50.0, 300.0)
    ts = np.linspace(0.0, seg.t1_s[0], 3000)
    lon, lat = lonlat_at(seg, np.zeros(ts.size, np.int64), ts)
    fine = MIDEAST.classify_fine(lon, lat)
    over_jor, over_irq = host_of(fine) == 0, host_of(fine) == 1
    assert over_jor.sum() > 500 and over_irq.sum() > 500  # the track crosses both hosts
    # Jordan permits the shooter's nationality, Iraq does not.
    t0, t1, _ = allowed_times(params_for(MIDEAST, IN_REACH, [[True], [False]]), seg)
    inside = covered(ts, t0, t1)
    assert not inside[over_irq].any(), "no intercept over a host that does not permit it"
    margin = 300.0 / 50.0  # debris shift and border margin, in seconds of flight
    border = ts[np.argmax(over_jor)]
    assert inside[over_jor & (ts > border + margin)].all(), "every intercept time over Jordan is open"
    # Swap the permissions: now only Iraq is open.
    t0, t1, _ = allowed_times(params_for(MIDEAST, IN_REACH, [[False], [True]]), seg)
    inside = covered(ts, t0, t1)
    assert not inside[over_jor].any() and inside[over_irq & (ts < border - margin)].all()
    # Neither: the whole window is denied, for want of a host's permission.
    t0, t1, reason = allowed_times(params_for(MIDEAST, IN_REACH, [[False], [False]]), seg)
    assert t0.size == 0 and REASONS[int(reason[0])] == "host"


def test_a_permitting_host_counts_as_allied_soil_for_the_soft_shield() -> None:
    seg = one_segment(40.5, 32.6, 37.2, 31.9, 50.0, 300.0)
    t0, _, _ = allowed_times(params_for(MIDEAST, OVER_ALLIED, [[True], [True]]), seg)
    assert t0.size == 1  # Iraq and Jordan both open: one window across the border
    t0, _, reason = allowed_times(params_for(MIDEAST, 4, [[True], [True]]), seg)  # defended-airspace
    assert t0.size == 0 and REASONS[int(reason[0])] == "airspace"


def test_an_exo_atmospheric_intercept_is_over_no_ones_airspace() -> None:
    # The same track above the Karman line: no host's permission is needed up there, and the
    # debris (carried far ahead by a fast, high threat) must only avoid neutral ground.
    seg = one_segment(40.5, 32.6, 37.2, 31.9, 2500.0, SPACE_ALT_M + 50e3)
    t0, t1, _ = allowed_times(params_for(MIDEAST, IN_REACH, [[False], [False]], speed=2500.0), seg)
    assert t0.size == 1 and t0[0] == 0.0 and t1[0] == seg.t1_s[0]


HOSTED = Theatre("UKR", allied=("POL", "SVK", "ROU"), adversary=("RUS", "BLR"), neutral=("MDA",), hosts=("HUN",))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lon0=st.floats(19.0, 26.0), lat0=st.floats(45.5, 49.5), lon1=st.floats(19.0, 26.0), lat1=st.floats(45.5, 49.5),
       roe=st.integers(1, 4), permit=st.booleans(), kind=st.sampled_from([(50.0, 300.0), (250.0, 50.0)]))
def test_allowed_windows_respect_host_permissions(lon0, lat0, lon1, lat1, roe, permit, kind) -> None:
    speed, alt = kind
    seg = one_segment(lon0, lat0, lon1, lat1, speed, alt)
    if seg.arc_rad[0] < 1e-4:
        return
    params = params_for(HOSTED, roe, [[permit]], speed)
    params.shooters.zone = np.array([int(Zone.ALLIED)])
    t0, t1, _ = allowed_times(params, seg)
    crosses = bool(path_crosses(params, seg, 1, Zone.ALLIED)[0])
    for a, b in zip(t0, t1):  # soundness, judged on classify_fine samples
        ts = np.linspace(a, b, 150)
        m = np.zeros(ts.size, np.int64)
        lon, lat = lonlat_at(seg, m, ts)
        dlon, dlat = debris_points(seg, m, ts, np.full(ts.size, speed))
        fine = HOSTED.classify_fine(lon, lat)
        ok, _ = roe_allows(roe, Zone.ALLIED, zone_of(fine), HOSTED.classify(dlon, dlat), crosses,
                           np.where(host_of(fine) == 0, permit, True))
        assert ok.all()
